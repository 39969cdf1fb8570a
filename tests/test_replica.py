"""Reads on a real PostgreSQL streaming replica, writes on the primary (data.db, server/routing.py).

One replica of the session's PostgreSQL server (tests/support/postgres.py `start_replica`) for
the module. Each "request" runs in a fresh contextvars.Context, as a new request does: what one
context wrote decides only its own reads. `pg_is_in_recovery()` on the connection a read used
tells where it went (true: the replica)."""
from __future__ import annotations

import contextvars
import time
import uuid

import pytest
from sqlalchemy import event, text

import data.db as db
from data.db import configure_replica, primary_reads, read_url, reading, transaction, use_last_write
from data.query.reads import Reader
from server.routing import SESSION_KEY
from tests.support.http import call, output, props, sign_in

pytestmark = pytest.mark.postgres

#: the probe database's lag bound: small, so that a paused replay exceeds it quickly
MAX_LAG_S = 0.5


def eventually(check, bound_s: float, what: str):
    """Wait for `check()` to become truthy, at most 3 × the bound it is expected within."""
    deadline = time.monotonic() + 3 * bound_s
    while True:
        found = check()
        if found:
            return found
        if time.monotonic() > deadline:
            raise AssertionError(f"not seen within 3 × {bound_s} s: {what}")
        time.sleep(0.05)


def fresh(fn, *args):
    """Run `fn` as a new request would: in an empty context (no write of its own)."""
    return contextvars.Context().run(fn, *args)


def on_replica(url: str) -> bool:
    with reading(url) as s:
        return bool(s.execute(text("SELECT pg_is_in_recovery()")).scalar())


def notes(url: str) -> tuple[bool, list[str]]:
    with reading(url) as s:
        where = bool(s.execute(text("SELECT pg_is_in_recovery()")).scalar())
        return where, list(s.scalars(text("SELECT body FROM notes ORDER BY id")))


def write_note(url: str, body: str) -> bool:
    """Write a note; True when the write's connection was a standby (it must never be)."""
    with transaction(url) as s:
        s.execute(text("INSERT INTO notes (body) VALUES (:b)"), {"b": body})
        return bool(s.execute(text("SELECT pg_is_in_recovery()")).scalar())


@pytest.fixture(scope="module")
def replica(postgres_server):
    server = postgres_server.start_replica()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def probe(postgres_server, replica):
    """(primary url, replica url) of a small database with a `notes` table, its replica configured."""
    url = postgres_server.create_database(f"replica_probe_{uuid.uuid4().hex[:8]}")
    with db.engine_for(url).begin() as c:
        c.exec_driver_sql("CREATE TABLE notes (id serial PRIMARY KEY, body text)")
    replica_url = replica.url(url.rsplit("/", 1)[-1])

    def replicated():
        try:
            with db.engine_for(replica_url).connect() as c:
                return c.exec_driver_sql("SELECT to_regclass('notes') IS NOT NULL").scalar()
        except Exception:
            return False

    eventually(replicated, 10, "the probe database on the replica")
    configure_replica(url, replica_url, MAX_LAG_S, own_writes_s=600)
    yield url, replica_url
    configure_replica(url, None)


def test_replica001_reads_on_the_replica_writes_on_the_primary(probe):
    url, replica_url = probe
    assert fresh(read_url, url) == replica_url
    assert fresh(write_note, url, "first") is False  # transaction(): the primary
    # another request reads it from the replica once replayed
    assert eventually(lambda: (lambda w, n: w and "first" in n)(*fresh(notes, url)), 2,
                      "the write replayed and read on the replica")
    with primary_reads():
        assert on_replica(url) is False
    # the query layer's Reader: connectorx on the replica, the primary inside primary_reads()
    reader = Reader(url, "/tmp")
    assert fresh(lambda: reader.read("SELECT pg_is_in_recovery() AS r")["r"][0]) is True
    with primary_reads():
        assert reader.read("SELECT pg_is_in_recovery() AS r")["r"][0] is False


def test_replica002_own_write_reads_primary_and_lag_bound(probe, replica):
    url, replica_url = probe
    fresh(write_note, url, "before")
    before = eventually(lambda: (lambda w, n: n if w and "before" in n else None)(*fresh(notes, url)), 2,
                        "the write replayed and read on the replica")
    with db.engine_for(replica_url).connect() as c:
        c.exec_driver_sql("SELECT pg_wal_replay_pause()")
    try:
        def request_that_writes():
            write_note(url, "second")
            return notes(url)  # the same request, right after its write

        assert fresh(request_that_writes) == (False, [*before, "second"])  # its own write: the primary
        # the user's next request within the bound (server/routing.py hands the time over) too
        assert fresh(lambda: (use_last_write(time.time() - 1), notes(url))[1]) == (False, [*before, "second"])
        with db.engine_for(replica_url).connect() as c:
            assert list(c.scalars(text("SELECT body FROM notes ORDER BY id"))) == before  # replay is paused
        # replay paused while the primary moves on: the lag passes the bound, reads go to the primary
        assert eventually(lambda: fresh(on_replica, url) is False, MAX_LAG_S + db.LAG_CACHE_S, "reads leave a lagging replica")
        assert fresh(notes, url) == (False, [*before, "second"])
        assert db._REPLICAS[url].state == "lagging"
    finally:
        with db.engine_for(replica_url).connect() as c:
            c.exec_driver_sql("SELECT pg_wal_replay_resume()")
    assert eventually(lambda: fresh(notes, url) == (True, [*before, "second"]), 2 * db.LAG_CACHE_S,
                      "reads back on the replica once it caught up")


#: how soon a restarted replica streams again: its WAL receiver retries every
#: wal_retrieve_retry_interval (tests/support/postgres.py sets 200 ms), plus the server's start
RESTREAM_S = 5.0


def test_replica003_replica_down_reads_primary(probe, replica, monkeypatch):
    url, replica_url = probe
    monkeypatch.setattr(db, "DOWN_RETRY_S", 0.2)
    eventually(lambda: fresh(on_replica, url), 2, "reads on the replica")
    replica.halt()
    try:
        on_primary, before = fresh(notes, url)  # no error: the primary answers
        assert on_primary is False
        assert db._REPLICAS[url].state == "down"
        reader = Reader(url, "/tmp")
        assert fresh(lambda: reader.read("SELECT pg_is_in_recovery() AS r")["r"][0]) is False
        fresh(write_note, url, "third")  # writes never needed the replica
    finally:
        replica.resume()
    assert eventually(lambda: fresh(notes, url) == (True, [*before, "third"]), RESTREAM_S,
                      "reads back on the replica once it answers")


def test_replica004_http_own_writes_through_the_session_cookie(pg_app, pg_settings, replica):
    """Through the Flask test client: a sign-in (a write) sends the user's next requests to the
    primary; once the cookie's write time is older than the bound they read the replica; the
    session check itself always reads the primary."""
    url = pg_settings.database_url
    replica_url = replica.url(make_db_name(url))
    configure_replica(url, replica_url, 5.0, own_writes_s=10.0)
    seen: list[str] = []

    def count(_conn, _cursor, statement, *_):
        if statement != db.LAG_SQL:
            seen.append(statement)

    engine = db.engine_for(replica_url)
    event.listen(engine, "before_cursor_execute", count)
    try:
        eventually(lambda: fresh(on_replica, url), 2, "the demo database read on the replica")
        seen.clear()
        client = sign_in(pg_app.server, "demo-county")
        with client.session_transaction() as sess:
            wrote = sess.get(SESSION_KEY)
        assert wrote is not None and abs(wrote - time.time()) < 60  # the sign-in's write, in the cookie
        county = pg_settings.demo_county
        fresh_rows = output(records(pg_app, client, county), "records-grid", "rowData")
        assert fresh_rows and seen == []  # within the bound after the user's write: all on the primary
        with client.session_transaction() as sess:
            sess[SESSION_KEY] = time.time() - 60  # the user's last write a minute ago
        # the sign-in's rows replayed on the replica (on a loaded machine replay can trail the bound)
        eventually(lambda: fresh(on_replica, url), 20, "the sign-in replayed on the replica")
        seen.clear()
        assert client.get("/").status_code == 200
        assert seen == []  # the session check reads the primary even then
        assert output(records(pg_app, client, county), "records-grid", "rowData") == fresh_rows
        assert seen  # ... and the grid's read went to the replica
    finally:
        event.remove(engine, "before_cursor_execute", count)
        configure_replica(url, None)


def records(app, client, region: int):
    import callbacks.records

    return call(app, client, callbacks.records.show,
                props(("url", "hash", f"#region={region}&kind=assets"), ("records-kind", "value", "assets")))


def make_db_name(url: str) -> str:
    return url.rsplit("/", 1)[-1]
