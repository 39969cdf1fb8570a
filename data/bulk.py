"""Fast bulk writes of polars frames into the system of record through ADBC
(SQLite: prepared inserts in one transaction; PostgreSQL: COPY)."""
from __future__ import annotations

import datetime as dt
import logging
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import polars as pl
from sqlalchemy import Engine, text

from data.db import release_sqlite

log = logging.getLogger(__name__)

_SQLITE_TS = "%Y-%m-%d %H:%M:%S.%6f"


def _for_sqlite(frame: pl.DataFrame) -> pl.DataFrame:
    """SQLAlchemy keeps dates/datetimes in SQLite as ISO text: write them the same way."""
    casts = []
    for name, dtype in frame.schema.items():
        if dtype == pl.Date:
            casts.append(pl.col(name).dt.strftime("%Y-%m-%d"))
        elif isinstance(dtype, pl.Datetime):
            col = pl.col(name).dt.convert_time_zone("UTC").dt.replace_time_zone(None) if dtype.time_zone else pl.col(name)
            casts.append(col.dt.strftime(_SQLITE_TS))
        elif dtype == pl.Boolean:
            casts.append(pl.col(name).cast(pl.Int8))
    return frame.with_columns(casts) if casts else frame


def add_record_columns(frame: pl.DataFrame, now: dt.datetime, provided_by: str | None = None,
                       responsible_by: str | None = None) -> pl.DataFrame:
    """The columns every Record carries (timestamps, version, provenance)."""
    ts = pl.lit(now.astimezone(dt.UTC)).cast(pl.Datetime("us", "UTC"))
    return frame.with_columns(
        created_at=ts, updated_at=ts, version=pl.lit(1, pl.Int32), collected_by_id=pl.lit(None, pl.Int64),
        provided_by=pl.lit(provided_by, pl.Utf8), responsible_by=pl.lit(responsible_by, pl.Utf8),
    )


def _json_columns(frame: pl.DataFrame) -> pl.DataFrame:
    """Struct columns (JSON in the table) travel as JSON text."""
    structs = [n for n, t in frame.schema.items() if isinstance(t, pl.Struct)]
    return frame.with_columns(pl.col(n).struct.json_encode() for n in structs) if structs else frame


def _pg_types(table: str, frame: pl.DataFrame) -> pl.DataFrame:
    """Binary COPY needs the exact column types: integer widths as declared, decimals (areas in
    mu are generated as text) as decimals."""
    from sqlalchemy import BigInteger, Integer, Numeric, SmallInteger

    from data.models import Base

    casts = []
    for c in Base.metadata.tables[table].columns:
        if c.name not in frame.columns:
            continue
        t, have = c.type, frame.schema[c.name]
        if isinstance(t, Numeric):
            want = pl.Decimal(t.precision or 38, t.scale or 0)
        elif isinstance(t, BigInteger):
            want = pl.Int64
        elif isinstance(t, SmallInteger):
            want = pl.Int16
        elif isinstance(t, Integer):
            want = pl.Int32
        else:
            continue
        if have != want:
            casts.append(pl.col(c.name).cast(want))
    return frame.with_columns(casts) if casts else frame


def _ingest_in_child(path: Path, table: str, frame: pl.DataFrame) -> None:
    """Append `frame` to `table` of the SQLite file `path` from a child process (data.arrow_ingest),
    whose SQLite library has the file to itself as another process; the frame travels as an Arrow
    IPC file. Raises with the child's message if it fails (then nothing was written: one transaction)."""
    fd, tmp = tempfile.mkstemp(suffix=".arrow", prefix="ingest-", dir=path.parent)
    os.close(fd)
    try:
        frame.write_ipc(tmp)
        done = subprocess.run([sys.executable, "-m", "data.arrow_ingest", str(path), table, tmp],
                              capture_output=True, text=True, cwd=Path(__file__).resolve().parent.parent)
        if done.returncode:
            raise RuntimeError(f"写入 {table} 失败：{done.stderr.strip()[-2000:]}")
    finally:
        Path(tmp).unlink(missing_ok=True)


def ingest(engine: Engine, table: str, frame: pl.DataFrame, chunk_rows: int = 2_000_000) -> int:
    """Append `frame` to `table`. Columns must be named as in the table. Returns rows written."""
    if frame.is_empty():
        return 0
    frame = _json_columns(frame)
    if engine.dialect.name == "sqlite":
        import adbc_driver_sqlite.dbapi as adbc

        path = Path(engine.url.database).resolve()
        frame = _for_sqlite(frame)
        # ADBC bundles its own SQLite library, which may only open the file while no connection of
        # the application's library is open on it in this process (data.db.release_sqlite says
        # why); when one is (a connection checked out elsewhere), a child process writes instead.
        if not release_sqlite(path):
            log.info("ingest %s: %s is open in this process; writing from a child process", table, path.name)
            _ingest_in_child(path, table, frame)
            return frame.height
        with adbc.connect(str(path)) as conn:
            with conn.cursor() as cur:
                for off in range(0, frame.height, chunk_rows):
                    cur.adbc_ingest(table, frame.slice(off, chunk_rows).to_arrow(), mode="append")
            conn.commit()
    else:
        import adbc_driver_postgresql.dbapi as adbc

        frame = _pg_types(table, frame)
        url = engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
        with adbc.connect(url) as conn:
            with conn.cursor() as cur:
                for off in range(0, frame.height, chunk_rows):
                    cur.adbc_ingest(table, frame.slice(off, chunk_rows).to_arrow(), mode="append")
            conn.commit()
        if "id" in frame.columns:
            with engine.begin() as c:
                c.execute(text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                               f"(SELECT COALESCE(MAX(id), 1) FROM {table}))"))
    return frame.height
