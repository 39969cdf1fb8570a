"""Append an Arrow IPC file to a table of an SQLite database through ADBC, in one transaction.

Used by `data.bulk.ingest` when the application's own SQLite library still has the file open in
its process (ADBC's bundled SQLite must not share a process with it on one file: see
`data.db.release_sqlite`); as a child process it is just another process of the database.

    python -m data.arrow_ingest SQLITE_FILE TABLE IN.arrow
"""
from __future__ import annotations

import sys


def main(argv: list[str]) -> int:
    path, table, source = argv
    import adbc_driver_sqlite.dbapi as adbc
    import pyarrow.ipc as ipc

    with ipc.open_file(source) as reader, adbc.connect(path) as conn:
        with conn.cursor() as cur:
            for i in range(reader.num_record_batches):
                cur.adbc_ingest(table, reader.get_batch(i), mode="append")
        conn.commit()
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
