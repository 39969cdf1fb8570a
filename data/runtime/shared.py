"""The one store of the state a request depends on that is not business data: the sign-in
throttle's counters, cache version tokens, the background callbacks' results and progress, the
security log's shared head. Every web worker, every app machine and the job process see the same
values, atomically.

`store(settings)` picks the backend (memoised per (database_url, redis_url)):

- `RedisStore` when `settings.redis_url` is set (keys prefixed per database, so one Redis may
  serve several deployments); expiry is Redis's own.
- `DatabaseStore` otherwise: the table `shared_state` (data/models/runtime.py) of the platform's
  own database on PostgreSQL. On SQLite the same table lives in a sibling file
  (`<database>.shared.sqlite`, made on first use): SQLite has one write lock per file, and the
  store is written while a business transaction holds that lock (a background import reports its
  progress from inside its one transaction), which would wait for itself; SQLite serves one
  machine, so the sibling file is shared by exactly the processes sharing the database. Every
  change is one statement `INSERT … ON CONFLICT (key) DO UPDATE … RETURNING`
  — atomic on PostgreSQL by itself, and on SQLite inside `transaction()` (BEGIN IMMEDIATE: the
  database's write lock). Reads go to the primary through a plain connection (never the
  replica: a token read must not lag the write it follows). Expired rows are ignored by every
  read and deleted by `purge_expired()` (called at most every PURGE_EVERY_S by the writes).

Semantics (both backends):

- `get(key) -> bytes | None`, `set(key, value, ttl_s=None)`, `add(key, value, ttl_s=None) ->
  bool` (only when absent: the first writer wins), `delete(key)`.
- `hit(key, window_s) -> int`: count one event in a fixed window that starts at the key's first
  event and lasts `window_s` seconds; returns the count including this one. `count(key, window_s)`
  reads it (0 once the window is over).
- `version(name) -> int`, `bump(name) -> int`: a monotonically increasing token (0 until the first
  bump) other modules compare to know that data changed in another process.
- `advance(key, n, value) -> bool`: store `value` under `key` only if `n` is greater than the `n`
  stored with it (a forward-only register: the security log's head).
- `purge_expired() -> int`.

The clock is the app machine's (UTC); the bounds it serves are seconds to minutes, well above
the skew of machines kept by NTP. `for_url(url)` is the store for a database URL, for modules
that only know the URL (the one `store(settings)` configured, else REDIS_URL from the
environment, else the database).
"""
from __future__ import annotations

import abc

import datetime as dt
import hashlib
import os
import time

from sqlalchemy import case, delete, literal, or_, select

from data.db import engine_for, transaction
from data.models.base import UTCDateTime
from data.models.runtime import SharedEntry
from data import forksafe

#: the longest key stored as is; longer keys are stored as a digest
MAX_KEY = 200
#: how often (per process) a write of the database store also deletes expired rows
PURGE_EVERY_S = 300.0

_T = SharedEntry.__table__
_STORES: dict[tuple[str, str], SharedStore] = {}
_BY_URL: dict[str, SharedStore] = {}
_LOCK = forksafe.Lock()


def _key(key: str) -> str:
    if not isinstance(key, str) or not key:
        raise ValueError("共享状态的键必须是非空字符串")
    return key if len(key) <= MAX_KEY else "sha256:" + hashlib.sha256(key.encode()).hexdigest()


def _ms(seconds: float) -> int:
    if seconds is None or seconds <= 0:
        raise ValueError("有效期必须大于0秒")
    return max(1, int(round(seconds * 1000)))


class SharedStore(abc.ABC):
    """The interface both backends implement (see the module docstring)."""

    backend = "abstract"

    @abc.abstractmethod
    def get(self, key: str) -> bytes | None:
        ...

    @abc.abstractmethod
    def set(self, key: str, value: bytes, ttl_s: float | None = None) -> None:
        ...

    @abc.abstractmethod
    def add(self, key: str, value: bytes, ttl_s: float | None = None) -> bool:
        ...

    @abc.abstractmethod
    def delete(self, key: str) -> None:
        ...

    @abc.abstractmethod
    def hit(self, key: str, window_s: float) -> int:
        ...

    @abc.abstractmethod
    def count(self, key: str, window_s: float) -> int:
        ...

    @abc.abstractmethod
    def version(self, name: str) -> int:
        ...

    @abc.abstractmethod
    def bump(self, name: str) -> int:
        ...

    @abc.abstractmethod
    def advance(self, key: str, n: int, value: bytes) -> bool:
        ...

    @abc.abstractmethod
    def purge_expired(self) -> int:
        ...


# ---------------------------------------------------------------- the database backend


def _utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _at(value: dt.datetime | None):
    return literal(value, UTCDateTime())


class DatabaseStore(SharedStore):
    backend = "database"

    def __init__(self, url: str):
        self.database_url = url
        self.url = _store_url(url)
        self._purged_at = time.monotonic()
        if self.url != url:
            # SQLite: the sibling file gets its one table. Processes starting together race for
            # it: BEGIN IMMEDIATE makes the check and the CREATE one write transaction, so the
            # second waits (busy timeout) and then finds the table instead of failing with
            # "database is locked" on a read-to-write upgrade.
            # (Opening a new file switches it to WAL, which another process opening it too can
            # make SQLite refuse at once: data.db retries that switch on every connection.)
            with engine_for(self.url).execution_options(sqlite_immediate=True).begin() as conn:
                _T.create(conn, checkfirst=True)

    def _insert(self):
        name = engine_for(self.url).dialect.name
        if name == "postgresql":
            from sqlalchemy.dialects.postgresql import insert
        elif name == "sqlite":
            from sqlalchemy.dialects.sqlite import insert
        else:  # pragma: no cover - the platform runs on these two
            raise RuntimeError(f"共享状态不支持数据库 {name}")
        return insert(_T)

    def _autocommit(self):
        """PostgreSQL: one statement is its own transaction (no BEGIN/COMMIT round trips); an
        upsert is atomic by itself. None on SQLite."""
        engine = engine_for(self.url)
        return engine.execution_options(isolation_level="AUTOCOMMIT") if engine.dialect.name == "postgresql" else None

    def _write(self, stmt):
        """One statement in its own transaction (SQLite: BEGIN IMMEDIATE; PostgreSQL: the
        statement alone, autocommit); its RETURNING row."""
        pg = self._autocommit()
        if pg is not None:
            with pg.connect() as c:
                result = c.execute(stmt)
                row = result.first() if result.returns_rows else None
        else:
            with transaction(self.url) as s:
                result = s.execute(stmt)
                row = result.first() if result.returns_rows else None
        if time.monotonic() - self._purged_at > PURGE_EVERY_S:
            self.purge_expired()
        return row

    def _live(self, now: dt.datetime):
        return or_(_T.c.expires_at.is_(None), _T.c.expires_at > _at(now))

    def _read(self, key: str):
        with (self._autocommit() or engine_for(self.url)).connect() as c:
            return c.execute(select(_T.c.value, _T.c.counter).where(
                _T.c.key == _key(key), self._live(_utc_now()))).first()

    def get(self, key):
        row = self._read(key)
        return None if row is None else row.value

    def set(self, key, value, ttl_s=None):
        until = None if ttl_s is None else _utc_now() + dt.timedelta(milliseconds=_ms(ttl_s))
        ins = self._insert().values(key=_key(key), value=bytes(value), counter=0, expires_at=_at(until))
        self._write(ins.on_conflict_do_update(index_elements=[_T.c.key], set_={
            "value": ins.excluded.value, "counter": 0, "expires_at": ins.excluded.expires_at}))

    def add(self, key, value, ttl_s=None):
        now = _utc_now()
        until = None if ttl_s is None else now + dt.timedelta(milliseconds=_ms(ttl_s))
        ins = self._insert().values(key=_key(key), value=bytes(value), counter=0, expires_at=_at(until))
        # an expired row counts as absent: it is taken over
        row = self._write(ins.on_conflict_do_update(index_elements=[_T.c.key], set_={
            "value": ins.excluded.value, "counter": 0, "expires_at": ins.excluded.expires_at},
            where=_T.c.expires_at <= _at(now)).returning(_T.c.key))
        return row is not None

    def delete(self, key):
        self._write(delete(_T).where(_T.c.key == _key(key)))

    def hit(self, key, window_s):
        now = _utc_now()
        until = now + dt.timedelta(milliseconds=_ms(window_s))
        over = _T.c.expires_at <= _at(now)
        ins = self._insert().values(key=_key("hit:" + key), value=None, counter=1, expires_at=_at(until))
        row = self._write(ins.on_conflict_do_update(index_elements=[_T.c.key], set_={
            "counter": case((over, 1), else_=_T.c.counter + 1),
            "expires_at": case((over, _at(until)), else_=_T.c.expires_at)}).returning(_T.c.counter))
        return int(row[0])

    def count(self, key, window_s):
        _ms(window_s)
        row = self._read("hit:" + key)
        return 0 if row is None else int(row.counter)

    def version(self, name):
        row = self._read("version:" + name)
        return 0 if row is None else int(row.counter)

    def bump(self, name):
        ins = self._insert().values(key=_key("version:" + name), value=None, counter=1, expires_at=None)
        row = self._write(ins.on_conflict_do_update(index_elements=[_T.c.key], set_={
            "counter": _T.c.counter + 1}).returning(_T.c.counter))
        return int(row[0])

    def advance(self, key, n, value):
        ins = self._insert().values(key=_key("advance:" + key), value=bytes(value), counter=int(n), expires_at=None)
        row = self._write(ins.on_conflict_do_update(index_elements=[_T.c.key], set_={
            "value": ins.excluded.value, "counter": ins.excluded.counter},
            where=_T.c.counter < ins.excluded.counter).returning(_T.c.key))
        return row is not None

    def advanced(self, key: str) -> tuple[int, bytes] | None:
        """What `advance` stored under `key`: (n, value), or None."""
        row = self._read("advance:" + key)
        return None if row is None else (int(row.counter), row.value)

    def purge_expired(self):
        self._purged_at = time.monotonic()
        with transaction(self.url) as s:
            return s.execute(delete(_T).where(_T.c.expires_at <= _at(_utc_now()))).rowcount or 0


# ---------------------------------------------------------------- the Redis backend

_HIT = """
local n = redis.call('INCR', KEYS[1])
if n == 1 or redis.call('PTTL', KEYS[1]) < 0 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
return n
"""
_ADVANCE = """
local old = redis.call('HGET', KEYS[1], 'n')
if old and tonumber(old) >= tonumber(ARGV[1]) then return 0 end
redis.call('HSET', KEYS[1], 'n', ARGV[1], 'v', ARGV[2])
return 1
"""


class RedisStore(SharedStore):
    backend = "redis"

    def __init__(self, redis_url: str, namespace: str):
        import redis

        self.redis_url = redis_url
        self.client = redis.Redis.from_url(redis_url, socket_timeout=5, socket_connect_timeout=5,
                                           health_check_interval=30)
        self.prefix = f"nj:{namespace}:"
        self._hit = self.client.register_script(_HIT)
        self._advance = self.client.register_script(_ADVANCE)

    def _k(self, key: str) -> str:
        return self.prefix + _key(key)

    def get(self, key):
        return self.client.get(self._k(key))

    def set(self, key, value, ttl_s=None):
        self.client.set(self._k(key), bytes(value), px=None if ttl_s is None else _ms(ttl_s))

    def add(self, key, value, ttl_s=None):
        return bool(self.client.set(self._k(key), bytes(value), nx=True, px=None if ttl_s is None else _ms(ttl_s)))

    def delete(self, key):
        self.client.delete(self._k(key))

    def hit(self, key, window_s):
        return int(self._hit(keys=[self._k("hit:" + key)], args=[_ms(window_s)]))

    def count(self, key, window_s):
        _ms(window_s)
        return int(self.client.get(self._k("hit:" + key)) or 0)

    def version(self, name):
        return int(self.client.get(self._k("version:" + name)) or 0)

    def bump(self, name):
        return int(self.client.incr(self._k("version:" + name)))

    def advance(self, key, n, value):
        return bool(self._advance(keys=[self._k("advance:" + key)], args=[int(n), bytes(value)]))

    def advanced(self, key: str) -> tuple[int, bytes] | None:
        got = self.client.hmget(self._k("advance:" + key), ["n", "v"])
        return None if got[0] is None else (int(got[0]), got[1])

    def purge_expired(self):
        return 0  # Redis expires keys itself


# ---------------------------------------------------------------- choosing the store


def _store_url(url: str) -> str:
    """Where the database store keeps its table: the database itself, or on SQLite a sibling file."""
    if not url.startswith("sqlite"):
        return url
    prefix, _, path = url.partition("///")
    if not path or path == ":memory:":
        return url
    stem = path[:-len(".sqlite")] if path.endswith(".sqlite") else path
    return f"{prefix}///{stem}.shared.sqlite"


def _namespace(url: str) -> str:
    from sqlalchemy.engine import make_url

    return hashlib.sha256(make_url(url).render_as_string(hide_password=False).encode()).hexdigest()[:12]


def _make(database_url: str, redis_url: str) -> SharedStore:
    key = (database_url, redis_url or "")
    with _LOCK:
        got = _STORES.get(key)
        if got is None:
            got = _STORES[key] = (RedisStore(redis_url, _namespace(database_url)) if redis_url
                                  else DatabaseStore(database_url))
        return got


def store(settings) -> SharedStore:
    """The shared store of a deployment (Redis when `settings.redis_url`, else its database);
    also what `for_url(settings.database_url)` answers from now on in this process."""
    got = _make(settings.database_url, settings.redis_url)
    _BY_URL[settings.database_url] = got
    return got


def for_url(url: str) -> SharedStore:
    """The store for database `url` when only the URL is known: the one `store(settings)` chose
    in this process, else REDIS_URL from the environment (as Settings.from_env reads it), else
    the database itself."""
    got = _BY_URL.get(url)
    return got if got is not None else _make(url, os.environ.get("REDIS_URL", ""))


def after_fork() -> None:
    """In a child process forked from a worker (a background callback's job): drop the pooled
    database connections inherited from the parent (they belong to it) without closing them.
    Redis connection pools notice the new pid themselves."""
    urls = {url for url, _ in list(_STORES)} | {_store_url(url) for url, _ in list(_STORES)}
    for url in urls:
        engine_for(url).dispose(close=False)
