"""Run one SQL query through connectorx and write the result as an Arrow IPC file.

Used by the query layer for bulk reads from SQLite, in a child process so that connectorx's own
copy of SQLite never shares a process with the application's (see `data.query.reads.Reader.read`).

    python -m data.arrow_export SQLITE_URI SQL OUT.arrow
"""
from __future__ import annotations

import sys

import polars as pl


def main(argv: list[str]) -> int:
    uri, sql, out = argv
    pl.read_database_uri(sql, uri, engine="connectorx").write_ipc(out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
