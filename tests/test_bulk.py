"""data.bulk.ingest on SQLite: ADBC's bundled SQLite library never has the file open at the same
time as the application's own in one process (POSIX locks are per process, so the two cannot see
each other: the last to close checkpoints and removes the WAL under the other, "database disk
image is malformed"). With a connection still open somewhere the rows are written from a child
process; either way the database stays whole."""
from __future__ import annotations

import sqlite3

import polars as pl
import pytest
from sqlalchemy import text

from data import bulk
from data.db import make_engine, release_sqlite


@pytest.fixture
def db(tmp_path):
    path = tmp_path / "bulk.sqlite"
    engine = make_engine(f"sqlite:///{path}")
    with engine.begin() as c:
        c.execute(text("CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT NOT NULL, n INTEGER)"))
        c.execute(text("CREATE INDEX t_name ON t (name)"))
        c.execute(text("INSERT INTO t (id, name, n) VALUES (1, 'a', 1)"))
    return path, engine


def frame(start: int, n: int) -> pl.DataFrame:
    return pl.DataFrame({"id": range(start, start + n), "name": [f"名{i % 97}" for i in range(n)], "n": range(n)})


def whole(path) -> tuple[str, int]:
    with sqlite3.connect(path) as c:
        return c.execute("PRAGMA integrity_check").fetchone()[0], c.execute("SELECT count(*) FROM t").fetchone()[0]


def test_bulk001_pooled_connections_of_every_engine_on_the_file_are_released(db):
    path, engine = db
    other = make_engine(f"sqlite:///{path}")  # a second engine on the file (one engine_for's cache let go of)
    with other.connect() as c:
        c.execute(text("SELECT 1 FROM t")).all()
    assert other.pool.checkedin() == 1
    assert release_sqlite(path)
    assert other.pool.checkedin() == 0 and engine.pool.checkedin() == 0


def test_bulk002_an_open_connection_is_seen_and_the_rows_go_through_a_child(db, monkeypatch):
    path, engine = db
    children = []
    real = bulk._ingest_in_child
    monkeypatch.setattr(bulk, "_ingest_in_child", lambda *a: (children.append(a[1]), real(*a)))
    held = sqlite3.connect(path)  # a raw connection in a WAL read, as a request in another thread would hold
    held.execute("BEGIN")
    assert held.execute("SELECT count(*) FROM t").fetchone()[0] == 1
    assert not release_sqlite(path)
    assert bulk.ingest(engine, "t", frame(2, 5_000)) == 5_000
    assert children == ["t"]
    assert held.execute("SELECT count(*) FROM t").fetchone()[0] == 1  # its snapshot is untouched
    held.rollback()
    for _ in range(3):  # the held connection reads and writes on: nothing was pulled from under it
        held.execute("INSERT INTO t (name, n) VALUES ('b', 0)")
        held.commit()
    held.close()
    assert whole(path) == ("ok", 5_004)
    with engine.connect() as c:
        assert c.execute(text("SELECT count(*) FROM t WHERE name = '名5'")).scalar() == 52


def test_bulk003_with_the_file_free_adbc_writes_in_process(db, monkeypatch):
    path, engine = db
    monkeypatch.setattr(bulk, "_ingest_in_child", lambda *a: pytest.fail("no child needed"))
    with engine.connect() as c:  # pooled, returned: released before ADBC opens the file
        c.execute(text("SELECT 1")).all()
    assert bulk.ingest(engine, "t", frame(2, 3_000)) == 3_000
    assert bulk.ingest(engine, "t", frame(10_000, 3_000)) == 3_000
    with engine.begin() as c:  # the application's library goes on with it at once
        c.execute(text("INSERT INTO t (name, n) VALUES ('c', 0)"))
    assert whole(path) == ("ok", 6_002)


def test_bulk004_a_failing_child_writes_nothing_and_says_why(db):
    path, engine = db
    held = sqlite3.connect(path)
    held.execute("SELECT 1").fetchall()
    with pytest.raises(RuntimeError, match="写入 t 失败") as err:
        bulk.ingest(engine, "t", frame(1, 10))  # id 1 exists: the child's one transaction fails whole
    assert "UNIQUE" in str(err.value) or "constraint" in str(err.value).lower()
    held.close()
    assert whole(path) == ("ok", 1)
