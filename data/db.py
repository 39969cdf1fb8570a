"""Engine, sessions and schema migrations for SQLite (embedded default) and PostgreSQL."""
from __future__ import annotations

import contextlib
from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


#: key in a pooled connection's `info` (kept for the DBAPI connection's life, cleared when it is
#: replaced): True while SQLite's `PRAGMA query_only` is on for it
_QUERY_ONLY = "sqlite_query_only"


def _set_query_only(info: dict, execute, on: bool) -> None:
    if bool(info.get(_QUERY_ONLY)) != on:
        execute(f"PRAGMA query_only={'ON' if on else 'OFF'}")
        info[_QUERY_ONLY] = on


def make_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        path = url.split("///", 1)[-1]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn, _record):
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.close()
            # Let SQLAlchemy, not the driver, open transactions (see "begin" below).
            dbapi_conn.isolation_level = None

        @event.listens_for(engine, "begin")
        def _sqlite_begin(conn):
            # A unit of work (`transaction()`) takes the write lock when it starts, so two writers
            # never work from the same stale snapshot (a read-then-write upgrade would fail with
            # SQLITE_BUSY); plain reads begin deferred and never block anyone.
            options = conn.get_execution_options()
            immediate = options.get("sqlite_immediate", False)
            # `reading()`: the connection refuses every write while the transaction lasts. Set
            # (or cleared) before every BEGIN, so a pooled connection is read-only exactly when
            # the transaction it serves asked for it.
            _set_query_only(conn.info, conn.exec_driver_sql, options.get("sqlite_readonly", False))
            conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

        @event.listens_for(engine, "checkin")
        def _sqlite_checkin(dbapi_conn, record):
            # ... and cleared again as soon as the connection goes back to the pool (after its
            # rollback-on-return), so nothing that borrows it later inherits a read-only connection.
            if dbapi_conn is not None and record.info.get(_QUERY_ONLY):
                _set_query_only(record.info, dbapi_conn.execute, False)

        return engine
    return create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=10)


@lru_cache(maxsize=8)
def engine_for(url: str) -> Engine:
    return make_engine(url)


def session_factory(url: str) -> sessionmaker[Session]:
    return sessionmaker(engine_for(url), expire_on_commit=False)


@contextlib.contextmanager
def transaction(url: str, actor=None) -> Iterator[Session]:
    """One unit of work: commit on success, roll back everything on any error. `actor` (a
    data.admin.accounts.Actor) is who the record history (data/history.py) names for the changes."""
    from data import history  # noqa: F401 - registers the record-history listener

    with session_factory(url)() as session, session.begin():
        if actor is not None:
            session.info["actor"] = actor
        session.connection(execution_options={"sqlite_immediate": True})
        yield session


@contextlib.contextmanager
def reading(url: str) -> Iterator[Session]:
    """A read-only transaction for reads that change nothing (the grids' lists, balances, a
    record's detail and history): commit (nothing) on success, roll back on any error.

    `transaction()` begins SQLite's transactions IMMEDIATE, taking the database's single write
    lock up front; a read made through it queues behind every writer (a posting, the warning
    engine storing a run) for as long as the busy timeout. This one begins deferred (`BEGIN`):
    under WAL a reader takes no write lock, never waits for a writer and reads the last committed
    snapshot, consistent across its statements. It is also truly read-only, so a write slipped
    into a read path fails at once instead of running without its lock: on SQLite the connection
    is `PRAGMA query_only` for the transaction (cleared before the next transaction on it and
    when it returns to the pool); on PostgreSQL the transaction is `SET TRANSACTION READ ONLY`
    (default isolation, READ COMMITTED; readers there never wait for row writers anyway). A
    write inside fails with the driver's error and the transaction rolls back. There is no
    actor: record history (data/history.py) is only written by writes."""
    with session_factory(url)() as session, session.begin():
        conn = session.connection(execution_options={"sqlite_readonly": True})
        if conn.dialect.name == "postgresql":
            conn.exec_driver_sql("SET TRANSACTION READ ONLY")
        yield session


def alembic_config(url: str) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


def upgrade(url: str) -> None:
    """Bring the schema to the newest migration."""
    command.upgrade(alembic_config(url), "head")


def to_arrow_uri(url: str) -> str:
    """The SQLAlchemy URL in the form connectorx/ADBC expect."""
    if url.startswith("sqlite"):
        return "sqlite://" + str(Path(url.split("///", 1)[-1]).resolve())
    return url.replace("postgresql+psycopg://", "postgresql://").replace("postgresql+psycopg2://", "postgresql://")
