"""The query layer's reads from the database, as polars frames (also the warning engine's)."""
from __future__ import annotations

import contextlib
import contextvars
import subprocess
import sys
import tempfile
from pathlib import Path

import polars as pl

from data.db import engine_for, read_url, replica_failed, to_arrow_uri

#: the project root: the child process of a bulk read runs `python -m data.arrow_export` from here
ROOT = Path(__file__).resolve().parents[2]


class Reader:
    """Reads of one database: `read` for small results, `read_bulk` for large ones.
    `data_dir` holds the temporary Arrow file of a bulk read from SQLite."""

    def __init__(self, url: str, data_dir: Path):
        self.url = url
        self.data_dir = Path(data_dir)
        self._pin: contextvars.ContextVar[str | None] = contextvars.ContextVar(f"reader_pin_{id(self)}", default=None)

    @property
    def uri(self) -> str:
        """The database this read goes to: the primary's replica when `data.db.read_url` picks it
        (configured, fresh enough, no recent write of this context), else the primary; inside
        `pinned()` the one chosen when it began."""
        return to_arrow_uri(self._pin.get() or read_url(self.url))

    @contextlib.contextmanager
    def pinned(self):
        """Every read inside goes to one database, chosen once (a refresh reading the watermark
        and then the lines up to it must not take the watermark from the primary and the lines
        from a replica that has not replayed them yet). A replica that fails inside still hands
        over to the primary: the safe direction (the primary has everything the replica had)."""
        token = self._pin.set(read_url(self.url))
        try:
            yield self
        finally:
            self._pin.reset(token)

    def _pg(self, sql: str) -> pl.DataFrame:
        uri = self.uri
        try:
            return pl.read_database_uri(sql, uri, engine="connectorx")
        except Exception:
            if uri == to_arrow_uri(self.url):
                raise
            # the replica failed this read (unreachable, or a query cancelled by a conflict with
            # recovery): the primary answers it, and the next reads, until the replica is measured again
            replica_failed(self.url)
            if self._pin.get() is not None:
                self._pin.set(self.url)
            return pl.read_database_uri(sql, to_arrow_uri(self.url), engine="connectorx")

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
        return self._pg(sql)

    def read_bulk(self, sql: str) -> pl.DataFrame:
        """A large read, Arrow-native through connectorx. On SQLite it runs in a child process
        (see `read`) that hands the result back as an Arrow IPC file."""
        if not self.sqlite:
            return self._pg(sql)
        with tempfile.TemporaryDirectory(dir=self.data_dir) as tmp:
            out = Path(tmp) / "read.arrow"
            subprocess.run([sys.executable, "-m", "data.arrow_export", to_arrow_uri(self.url), sql, str(out)],
                           check=True, cwd=ROOT)
            return pl.read_ipc(out)
