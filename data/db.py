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
            immediate = conn.get_execution_options().get("sqlite_immediate", False)
            conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

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
    data.accounts.Actor) is who the record history (data/history.py) names for the changes."""
    from data import history  # noqa: F401 - registers the record-history listener

    with session_factory(url)() as session, session.begin():
        if actor is not None:
            session.info["actor"] = actor
        session.connection(execution_options={"sqlite_immediate": True})
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
