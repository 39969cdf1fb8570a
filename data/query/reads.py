"""The query layer's reads from the database, as polars frames (also the warning engine's)."""
from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

import polars as pl

from data.db import engine_for, to_arrow_uri

#: the project root: the child process of a bulk read runs `python -m data.arrow_export` from here
ROOT = Path(__file__).resolve().parents[2]


class Reader:
    """Reads of one database: `read` for small results, `read_bulk` for large ones.
    `data_dir` holds the temporary Arrow file of a bulk read from SQLite."""

    def __init__(self, url: str, data_dir: Path):
        self.url = url
        self.uri = to_arrow_uri(url)
        self.data_dir = Path(data_dir)

    @property
    def sqlite(self) -> bool:
        return self.url.startswith("sqlite")

    def read(self, sql: str) -> pl.DataFrame:
        """A small read (marks, aggregated facts, ledger deltas).

        On SQLite it goes through the process's own SQLite library: a second copy of SQLite in
        the same process (connectorx and ADBC bundle theirs) would break the POSIX locks of the
        first one and can corrupt a WAL database (sqlite.org/howtocorrupt.html §2.2)."""
        if self.sqlite:
            with engine_for(self.url).connect() as conn:
                return pl.read_database(sql, conn, infer_schema_length=None)
        return pl.read_database_uri(sql, self.uri, engine="connectorx")

    def read_bulk(self, sql: str) -> pl.DataFrame:
        """A large read, Arrow-native through connectorx. On SQLite it runs in a child process
        (see `read`) that hands the result back as an Arrow IPC file."""
        if not self.sqlite:
            return pl.read_database_uri(sql, self.uri, engine="connectorx")
        with tempfile.TemporaryDirectory(dir=self.data_dir) as tmp:
            out = Path(tmp) / "read.arrow"
            subprocess.run([sys.executable, "-m", "data.arrow_export", self.uri, sql, str(out)], check=True, cwd=ROOT)
            return pl.read_ipc(out)
