"""Engine, sessions and schema migrations for SQLite (embedded default) and PostgreSQL."""
from __future__ import annotations

import contextlib
import hashlib
import contextvars
import logging
import os
import sqlite3
import time
import weakref
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, sessionmaker

from data import forksafe

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


#: key in a pooled connection's `info` (kept for the DBAPI connection's life, cleared when it is
#: replaced): True while SQLite's `PRAGMA query_only` is on for it
_QUERY_ONLY = "sqlite_query_only"


def _set_query_only(info: dict, execute, on: bool) -> None:
    if bool(info.get(_QUERY_ONLY)) != on:
        execute(f"PRAGMA query_only={'ON' if on else 'OFF'}")
        info[_QUERY_ONLY] = on


#: every engine this process made (also those `engine_for`'s cache has let go of, whose pooled
#: connections live until the engine is collected): closed on one SQLite file, forgotten after a fork
_ENGINES: weakref.WeakSet[Engine] = weakref.WeakSet()


def sqlite_path(url: str) -> Path | None:
    """The resolved file of an SQLite URL (None for another database or an in-memory one)."""
    if not url.startswith("sqlite"):
        return None
    path = url.split("///", 1)[-1].split("?", 1)[0]
    return Path(path).resolve() if path and path != ":memory:" else None


def url_tag(url: str) -> str:
    """The 12 hex digits that name a database's own files and directories in a data directory
    (columnar copy, warning-ledger cache, snapshots): sha-256 of the URL as written. (The audit
    head and the shared store's namespace hash the URL as SQLAlchemy renders it instead: the same
    for a URL without a password.)"""
    return hashlib.sha256(url.encode()).hexdigest()[:12]


def release_sqlite(path: Path) -> bool:
    """Close every pooled connection this process's engines hold on the SQLite file `path`, and
    say whether the process is then free of it: no open file descriptor on the database, its WAL
    or its shared-memory index (a connection checked out somewhere, a raw sqlite3 connection).

    A second SQLite library in the process (ADBC bundles its own) may only open the file when
    this holds: POSIX locks belong to the process, so the two libraries cannot see each other's
    locks, and the one that closes last believes it is alone, checkpoints and removes the WAL
    under the other ("database disk image is malformed")."""
    path = Path(path).resolve()
    for engine in list(_ENGINES):
        if engine.url.get_backend_name() == "sqlite" and sqlite_path(engine.url.render_as_string(hide_password=False)) == path:
            engine.dispose()
    names = {str(path), f"{path}-wal", f"{path}-shm", f"{path}-journal"}
    fd_dir = Path("/proc/self/fd")
    if not fd_dir.is_dir():
        return False  # cannot tell: the caller takes the safe road
    for fd in os.listdir(fd_dir):
        try:
            if os.readlink(fd_dir / fd) in names:
                return False
        except OSError:
            continue  # closed meanwhile (the listing's own descriptor, among others)
    return True


#: how often a connection retries switching its file to WAL (see _switch_to_wal)
WAL_ATTEMPTS = 60


def _switch_to_wal(cur) -> None:
    """PRAGMA journal_mode=WAL on a new connection. On a file already in WAL (persistent) this
    changes nothing; on a fresh file the switch needs the file to itself, and SQLite refuses it at
    once ("database is locked", without the busy timeout) while another process opens the same
    fresh file: retried, bounded (about 20 s in all), then the error stands."""
    for attempt in range(WAL_ATTEMPTS):
        try:
            cur.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or attempt == WAL_ATTEMPTS - 1:
                raise
            time.sleep(0.05 + 0.01 * attempt)


def make_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        path = sqlite_path(url)
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})
        _ENGINES.add(engine)

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn, _record):
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA foreign_keys=ON")
            _switch_to_wal(cur)
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
    # connect within 5 s, not the OS's TCP minutes: an unreachable replica's reads go to the primary
    _ENGINES.add(engine := create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=10,
                                         connect_args={"connect_timeout": 5}))
    return engine


def after_fork() -> None:
    """In a forked process (a gunicorn worker): forget, not close, the parent's pooled connections."""
    for engine in list(_ENGINES):
        engine.dispose(close=False)


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
    _LAST_WRITE.set(time.time())  # committed: this context's next reads see it (read_url)


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
    write inside fails with the driver's error and the transaction rolls back (no actor: record
    history, data/history.py, is only written by writes).

    With a replica configured (`configure_replica`), the transaction runs on the URL `read_url`
    picks: the replica when it is fresh enough and this context has not written lately, else the
    primary; a replica that refuses the connection sends this read (and the next ones, until it
    answers again) to the primary."""
    target = read_url(url)
    with _read_session(url, target) as session:
        yield session


@contextlib.contextmanager
def _read_session(url: str, target: str) -> Iterator[Session]:
    session = session_factory(target)()
    try:
        session.begin()
        try:
            conn = session.connection(execution_options={"sqlite_readonly": True})
        except DBAPIError:
            if target == url:
                raise
            replica_failed(url)  # unreachable replica: this read goes to the primary
            session.close()
            session = session_factory(url)()
            session.begin()
            conn = session.connection(execution_options={"sqlite_readonly": True})
        if conn.dialect.name == "postgresql":
            conn.exec_driver_sql("SET TRANSACTION READ ONLY")
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


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


# ---------------------------------------------------------------- reads on a streaming replica

log = logging.getLogger(__name__)

#: when this context (a request, a job thread) last committed a write (`transaction()`), as
#: time.time(); a web request starts from its user's last write (server/routing.py keeps it in the
#: signed session cookie, so it holds on every worker and machine)
_LAST_WRITE: contextvars.ContextVar[float | None] = contextvars.ContextVar("last_write", default=None)
#: set inside `primary_reads()`: every read of this context goes to the primary
_PRIMARY_ONLY: contextvars.ContextVar[bool] = contextvars.ContextVar("primary_only", default=False)

#: how long a replica's lag measurement is trusted; an unreachable replica is tried again after DOWN_RETRY_S
LAG_CACHE_S, DOWN_RETRY_S = 1.0, 5.0

#: one query on the replica: still a standby; everything received is replayed and the WAL
#: receiver is streaming (then it is as fresh as the primary's last shipped WAL: lag 0); else the
#: seconds since the last replayed commit (NULL: nothing replayed yet, an unknown lag)
LAG_SQL = ("SELECT pg_is_in_recovery(), "
           "COALESCE(pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn(), false) "
           "AND NOT pg_is_wal_replay_paused() "
           "AND EXISTS (SELECT 1 FROM pg_stat_wal_receiver WHERE status = 'streaming'), "
           "EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp())")


@dataclass
class Replica:
    """A primary's streaming replica and what is known of its freshness."""

    url: str
    max_lag_s: float
    own_writes_s: float
    lag_s: float | None = None  # the last measurement; None: unreachable or not a standby
    checked_at: float = float("-inf")  # time.monotonic() of the measurement
    state: str = "unknown"  # ok | lagging | down | promoted
    _lock: object = field(default_factory=forksafe.Lock, repr=False)

    @property
    def usable(self) -> bool:
        return self.state == "ok"

    def measure(self) -> float | None:
        """The replica's lag in seconds (0: caught up), None when it cannot be read from."""
        try:
            with engine_for(self.url).connect() as c:
                standby, caught_up, behind = c.execute(text(LAG_SQL)).one()
        except DBAPIError as exc:
            self._enter("down", f"副本不可达（{type(exc.orig or exc).__name__}），读取改走主库")
            return None
        if not standby:
            self._enter("promoted", "副本已不在恢复模式（已被提升为主库？），读取改走主库")
            return None
        lag = 0.0 if caught_up else (float(behind) if behind is not None else float("inf"))
        if lag <= self.max_lag_s:
            self._enter("ok", "副本可用，读取走副本")
        else:
            self._enter("lagging", f"副本延迟 {lag:.1f} 秒，超过 {self.max_lag_s:g} 秒，读取改走主库")
        return lag

    def fresh(self) -> bool:
        """True when reads may go to the replica now: its lag, measured at most LAG_CACHE_S ago
        (DOWN_RETRY_S after it was unreachable), is within the bound. One thread measures; the
        others use the last answer meanwhile."""
        wait = DOWN_RETRY_S if self.state in ("down", "promoted") else LAG_CACHE_S
        if time.monotonic() - self.checked_at >= wait and self._lock.acquire(blocking=False):
            try:
                self.lag_s = self.measure()
                self.checked_at = time.monotonic()
            finally:
                self._lock.release()
        return self.usable

    def failed(self) -> None:
        """A connection to the replica failed: primary until it is measured again (DOWN_RETRY_S)."""
        self._enter("down", "副本连接失败，读取改走主库")
        self.lag_s, self.checked_at = None, time.monotonic()

    def _enter(self, state: str, message: str) -> None:
        if state != self.state:  # logged once per change, not on every measurement
            (log.info if state == "ok" else log.warning)("数据库副本 %s：%s", _safe(self.url), message)
        self.state = state


_REPLICAS: dict[str, Replica] = {}


def _safe(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


def configure_replica(primary_url: str, replica_url: str | None, max_lag_s: float = 5.0,
                      own_writes_s: float = 10.0) -> None:
    """Reads of `primary_url` (`reading()`, the query layer's Reader) may go to `replica_url`, a
    PostgreSQL streaming replica, while it is at most `max_lag_s` behind and the reading context
    has not written within `own_writes_s`. An empty `replica_url` removes the replica. Called once
    at start (create_app) from settings; writes (`transaction()`) always go to the primary."""
    if not replica_url or replica_url == primary_url:
        _REPLICAS.pop(primary_url, None)
        return
    if not replica_url.startswith("postgresql"):
        raise ValueError("DATABASE_REPLICA_URL 必须是 PostgreSQL 流复制副本的地址")
    _REPLICAS[primary_url] = Replica(replica_url, float(max_lag_s), float(own_writes_s))


def read_url(url: str) -> str:
    """Where a read of database `url` goes now: its replica, when one is configured, fresh enough
    (`Replica.fresh`), and this context neither is inside `primary_reads()` nor wrote within the
    read-your-writes bound; else `url` itself."""
    replica = _REPLICAS.get(url)
    if replica is None or _PRIMARY_ONLY.get():
        return url
    wrote = _LAST_WRITE.get()
    if wrote is not None and time.time() - wrote < replica.own_writes_s:
        return url
    return replica.url if replica.fresh() else url


def has_replica(url: str) -> bool:
    """True when reads of `url` may go to a replica (`configure_replica`)."""
    return url in _REPLICAS


def replica_failed(url: str) -> None:
    """A read on `url`'s replica could not connect: the primary serves reads until it answers."""
    if (replica := _REPLICAS.get(url)) is not None:
        replica.failed()


@contextlib.contextmanager
def primary_reads() -> Iterator[None]:
    """Every read inside goes to the primary (a read that must see the latest committed state)."""
    token = _PRIMARY_ONLY.set(True)
    try:
        yield
    finally:
        _PRIMARY_ONLY.reset(token)


def last_write() -> float | None:
    """When this context last committed a write (time.time()), None if never."""
    return _LAST_WRITE.get()


def use_last_write(at: float | None) -> contextvars.Token:
    """Start this context (a request) from its user's last write time; `reset_last_write` ends it."""
    return _LAST_WRITE.set(at)


def reset_last_write(token: contextvars.Token) -> None:
    _LAST_WRITE.reset(token)
