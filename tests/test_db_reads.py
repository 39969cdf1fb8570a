"""Reads do not queue behind writes (issue 11, item 3): `data.db.reading()` is a deferred,
read-only transaction. A write inside it fails and leaves nothing; it reads the committed snapshot
while another connection holds the write lock (SQLite: an open BEGIN IMMEDIATE, where
`transaction()` would wait for the lock; PostgreSQL: an uncommitted row update); the pooled
connection it used is writable again afterwards. Behaviour only, no timings: a path that would
wait is given a short busy (or lock) timeout, so waiting shows as an error."""
from __future__ import annotations

import sqlite3

import pytest
from sqlalchemy import create_engine, event, func, select, text, update
from sqlalchemy.exc import DBAPIError, OperationalError

from data import contracts, db
from data.funds import books as funds
from data.db import reading, transaction
from data.models import CollectiveOrg, RecordChange
from tests.support.accounts import actor

PENDING = "（未提交）"


class _Undo(Exception):
    """Raised inside `transaction()` to roll back a probe write."""


@pytest.fixture(scope="module")
def lite_url(sqlite_settings, tmp_path_factory) -> str:
    """A copy of the generated SQLite database (WAL, like every database the app opens): these
    tests hold its write lock and try to write into it."""
    dst = tmp_path_factory.mktemp("reads") / "reads.sqlite"
    src = sqlite3.connect(sqlite_settings.database_url.split("///", 1)[1])
    out = sqlite3.connect(dst)
    try:
        src.backup(out)
        assert out.execute("PRAGMA journal_mode=WAL").fetchone()[0] == "wal"
    finally:
        out.close()
        src.close()
    return f"sqlite:///{dst}"


@pytest.fixture
def engine_on(monkeypatch):
    """engine_on(url, busy_ms=None) -> a fresh engine (the app's own set-up, data.db.make_engine)
    that `transaction()` and `reading()` use for the test; with `busy_ms` a connection waits at
    most that long for SQLite's write lock instead of 30 s."""
    made = []

    def make(url: str, busy_ms: int | None = None):
        engine = db.make_engine(url)
        if busy_ms is not None:
            event.listen(engine, "connect", lambda conn, _rec: conn.execute(f"PRAGMA busy_timeout={busy_ms}"))
        monkeypatch.setattr(db, "engine_for", lambda _url: engine)
        made.append(engine)
        return engine

    yield make
    for engine in made:
        engine.dispose()


def _org(url: str) -> tuple[int, str]:
    with reading(url) as s:
        org = s.scalars(select(CollectiveOrg).order_by(CollectiveOrg.id).limit(1)).one()
        return org.id, org.name


def _name(s, org_id: int) -> str:
    return s.scalar(select(CollectiveOrg.name).where(CollectiveOrg.id == org_id))


def _history_rows(s) -> int:
    return s.scalar(select(func.count()).select_from(RecordChange))


def test_db001_reading_is_read_only(lite_url, engine_on):
    engine_on(lite_url)
    org_id, name = _org(lite_url)
    with reading(lite_url) as s:
        before = _history_rows(s)
    # a statement
    with pytest.raises(OperationalError, match="readonly database"), reading(lite_url) as s:
        s.execute(update(CollectiveOrg).where(CollectiveOrg.id == org_id).values(name="改写"))
    # an ORM change, flushed at the end
    with pytest.raises(OperationalError, match="readonly database"), reading(lite_url) as s:
        s.get(CollectiveOrg, org_id).name = "改写"
    with reading(lite_url) as s:
        assert _name(s, org_id) == name
        assert _history_rows(s) == before  # nor any record history of the refused change


def test_db002_reading_does_not_wait_for_a_writer(lite_url, engine_on, sqlite_settings):
    who = actor(sqlite_settings, "demo-township")  # same users in the copy
    engine_on(lite_url, busy_ms=50)
    org_id, name = _org(lite_url)
    orgs_before = funds.orgs(lite_url, who)
    contracts_before = contracts.list_contracts(lite_url, who)
    writer = sqlite3.connect(lite_url.split("///", 1)[1], isolation_level=None)
    try:
        writer.execute("BEGIN IMMEDIATE")  # what transaction() and the warning engine's _store hold
        writer.execute("UPDATE collective_orgs SET name = name || ? WHERE id = ?", (PENDING, org_id))
        with reading(lite_url) as s:  # no lock needed: the committed snapshot, not the pending change
            assert _name(s, org_id) == name
        assert funds.orgs(lite_url, who) == orgs_before  # the converted grid reads do not wait either
        assert contracts.list_contracts(lite_url, who) == contracts_before
        # the old path queues for the lock
        with pytest.raises(OperationalError, match="database is locked"), transaction(lite_url) as s:
            _name(s, org_id)
    finally:
        writer.execute("ROLLBACK")
        writer.close()
    with transaction(lite_url) as s:  # the writer gone, the old path gets its lock again
        assert _name(s, org_id) == name


def test_db003_the_connection_is_writable_again_after_reading(lite_url, engine_on):
    engine = engine_on(lite_url)
    org_id, name = _org(lite_url)
    with reading(lite_url) as s:
        used = s.connection().connection.dbapi_connection
        assert s.execute(text("PRAGMA query_only")).scalar() == 1
    with pytest.raises(OperationalError), reading(lite_url) as s:
        s.execute(update(CollectiveOrg).where(CollectiveOrg.id == org_id).values(name="改写"))
    assert engine.pool.checkedin() == 1  # one connection served everything so far
    raw = engine.raw_connection()  # cleared when it went back to the pool, not only at the next BEGIN
    try:
        assert raw.dbapi_connection is used
        assert raw.dbapi_connection.execute("PRAGMA query_only").fetchone()[0] == 0
    finally:
        raw.close()
    with pytest.raises(_Undo), transaction(lite_url) as s:
        assert s.connection().connection.dbapi_connection is used
        assert s.execute(text("PRAGMA query_only")).scalar() == 0
        s.execute(update(CollectiveOrg).where(CollectiveOrg.id == org_id).values(name="改写"))
        assert _name(s, org_id) == "改写"
        raise _Undo
    with reading(lite_url) as s:
        assert _name(s, org_id) == name


# ------------------------------------------------------------------ PostgreSQL

@pytest.mark.postgres
def test_db004_reading_is_read_only_on_postgres(pg_settings):
    url = pg_settings.database_url
    org_id, name = _org(url)
    with reading(url) as s:
        assert s.execute(text("SHOW transaction_read_only")).scalar() == "on"
        assert s.execute(text("SHOW transaction_isolation")).scalar() == "read committed"
        before = _history_rows(s)
    with pytest.raises(DBAPIError, match="read-only transaction"), reading(url) as s:
        s.execute(update(CollectiveOrg).where(CollectiveOrg.id == org_id).values(name="改写"))
    with pytest.raises(DBAPIError, match="read-only transaction"), reading(url) as s:
        s.get(CollectiveOrg, org_id).name = "改写"
    with pytest.raises(_Undo), transaction(url) as s:  # the pool's connections are not left read-only
        assert s.execute(text("SHOW transaction_read_only")).scalar() == "off"
        s.execute(update(CollectiveOrg).where(CollectiveOrg.id == org_id).values(name="改写"))
        raise _Undo
    with reading(url) as s:
        assert _name(s, org_id) == name
        assert _history_rows(s) == before


@pytest.mark.postgres
def test_db005_reading_does_not_wait_for_a_writer_on_postgres(pg_settings, monkeypatch):
    """PostgreSQL readers never wait for row writers (MVCC), on either path; `reading()` keeps that
    and adds read-only: a write inside fails at once, before it would wait for the row lock."""
    url = pg_settings.database_url
    who = actor(pg_settings, "demo-township")
    org_id, name = _org(url)
    orgs_before = funds.orgs(url, who)
    impatient = create_engine(url, connect_args={"options": "-c lock_timeout=100"})  # waiting shows as an error
    monkeypatch.setattr(db, "engine_for", lambda _url: impatient)
    writer = create_engine(url)
    try:
        with writer.connect() as w:
            w.execute(update(CollectiveOrg).where(CollectiveOrg.id == org_id)
                      .values(name=CollectiveOrg.name + PENDING))  # uncommitted, holds the row lock
            with reading(url) as s:
                assert _name(s, org_id) == name
            assert funds.orgs(url, who) == orgs_before
            with transaction(url) as s:
                assert _name(s, org_id) == name
            with pytest.raises(DBAPIError, match="read-only transaction"), reading(url) as s:
                s.execute(update(CollectiveOrg).where(CollectiveOrg.id == org_id).values(name="改写"))
            w.rollback()
    finally:
        writer.dispose()
        impatient.dispose()
    with reading(url) as s:
        assert _name(s, org_id) == name
