"""The shared store (data/runtime/shared.py): one contract, run on every backend — the database
(SQLite: its sibling file; PostgreSQL: the `shared_state` table) and a real Redis server started by
the test set-up — including processes hitting the same counter at once without losing a count;
the security log's chain appended by two processes at once stays one chain; the background
callbacks' handle (data/runtime/bg_manager.py) refuses a value it did not sign."""
from __future__ import annotations

import multiprocessing
import time

import pytest
from sqlalchemy import func, select

from data.admin import audit_log
from data.db import reading, transaction, upgrade
from data.models import AuditLog
from data.runtime import bg_manager, shared
from tests.support.app import make_settings
from tests.support.redis import redis_server  # noqa: F401 - the session fixture

BACKENDS = ["sqlite", "redis", pytest.param("postgres", marks=pytest.mark.postgres)]


@pytest.fixture(scope="module", params=BACKENDS)
def settings(request, tmp_path_factory):
    """Settings whose shared store is the backend under test (a database of its own)."""
    tmp = tmp_path_factory.mktemp(f"shared-{request.param}")
    if request.param == "postgres":
        pg = request.getfixturevalue("postgres_server")
        cfg = make_settings(tmp, pg.create_database("shared_state"))
    else:
        cfg = make_settings(tmp)
    if request.param == "redis":
        cfg = cfg.with_(redis_url=request.getfixturevalue("redis_server").url)
    upgrade(cfg.database_url)
    return cfg


@pytest.fixture
def st(settings):
    got = shared.store(settings)
    assert got.backend == ("redis" if settings.redis_url else "database")
    return got


def _key(request) -> str:
    return f"t:{request.node.name}:{time.monotonic_ns()}"  # every test its own keys


def test_shared001_get_set_add_delete_and_expiry(st, request):
    k = _key(request)
    assert st.get(k) is None
    st.set(k, b"one")
    assert st.get(k) == b"one"
    st.set(k, b"two")
    assert st.get(k) == b"two"
    assert st.add(k, b"three") is False and st.get(k) == b"two"  # present: the first writer keeps it
    st.delete(k)
    assert st.get(k) is None
    assert st.add(k, b"four") is True and st.get(k) == b"four"
    st.set(k, b"\x00\xffbinary", ttl_s=0.3)
    assert st.get(k) == b"\x00\xffbinary"
    deadline = time.monotonic() + 3
    while st.get(k) is not None:  # gone once the ttl is over (seen within 10 × the ttl)
        assert time.monotonic() < deadline, "the value outlived its ttl"
        time.sleep(0.05)
    assert st.add(k, b"five", ttl_s=60) is True  # an expired value is absent for add
    long_key = "k" * 500
    st.set(long_key, b"long")  # keys longer than a column holds are stored as a digest
    assert st.get(long_key) == b"long" and st.get("k" * 499) is None
    with pytest.raises(ValueError):
        st.set(k, b"x", ttl_s=0)


def test_shared002_hit_counts_in_a_window_then_starts_again(st, request):
    k = _key(request)
    assert st.count(k, 0.5) == 0
    assert [st.hit(k, 0.5) for _ in range(4)] == [1, 2, 3, 4]
    assert st.count(k, 0.5) == 4
    deadline = time.monotonic() + 5
    while st.count(k, 0.5) != 0:  # the window ends
        assert time.monotonic() < deadline, "the window never ended"
        time.sleep(0.05)
    assert st.hit(k, 0.5) == 1  # a fresh window
    assert st.count(_key(request) + "other", 0.5) == 0


def test_shared003_versions_only_go_up_and_advance_only_forward(st, request):
    name = _key(request)
    assert st.version(name) == 0
    assert [st.bump(name) for _ in range(3)] == [1, 2, 3]
    assert st.version(name) == 3
    assert st.advance(name, 5, b"five") is True
    assert st.advance(name, 4, b"four") is False and st.advance(name, 5, b"again") is False
    assert st.advanced(name) == (5, b"five")
    assert st.advance(name, 9, b"nine") is True and st.advanced(name) == (9, b"nine")


def test_shared004_purge_removes_only_expired_entries(st, request):
    k = _key(request)
    st.set(k + ":short", b"s", ttl_s=0.2)
    st.set(k + ":kept", b"k")
    time.sleep(0.3)
    st.purge_expired()
    assert st.get(k + ":short") is None and st.get(k + ":kept") == b"k"
    if st.backend == "database":
        from data.models.runtime import SharedEntry

        with reading(st.url) as s:
            assert s.scalar(select(func.count()).select_from(SharedEntry).where(SharedEntry.key == k + ":short")) == 0


def _hammer(settings, key: str, n: int, start, out) -> None:
    shared.after_fork()  # the parent's pooled connections are not this process's
    st = shared.store(settings)
    start.wait(30)
    out.put([st.hit(key, 120) for _ in range(n)])


def _together(target, args: tuple, n: int) -> list:
    """Runs `target(*args, start, out)` in `n` forked processes (cheap; each child drops the
    inherited pools first) released at the same moment; what each put on `out`."""
    ctx = multiprocessing.get_context("fork")
    start, out = ctx.Event(), ctx.Queue()
    procs = [ctx.Process(target=target, args=(*args, start, out)) for _ in range(n)]
    for p in procs:
        p.start()
    start.set()
    got = [out.get(timeout=120) for _ in procs]
    for p in procs:
        p.join(30)
    assert all(p.exitcode == 0 for p in procs)
    return got


def test_shared005_two_processes_hitting_at_once_lose_no_count(st, settings, request):
    key, n = _key(request), 60
    seen = _together(_hammer, (settings, key, n), 2)
    assert st.count(key, 120) == 2 * n
    # every hit got its own count: the counts returned are 1..2n, each once
    assert sorted(c for got in seen for c in got) == list(range(1, 2 * n + 1))


def _append(settings, n: int, start) -> None:
    shared.after_fork()
    audit_log.use_head_file(settings.database_url, settings.data_dir)
    shared.store(settings)
    start.wait(30)
    for i in range(n):
        with transaction(settings.database_url) as s:
            audit_log.record(s, settings.audit_key, actor="t", type="data_change", description=f"并发 {i}",
                             result="success")


def test_shared006_two_processes_appending_keep_one_security_log_chain(settings):
    """Two processes append to the security log at the same moment: the chain does not fork (every
    entry links to the one before it), it verifies against the signed head, and the head names the
    newest entry (it never went backwards)."""
    shared.store(settings)  # the children drop this database's inherited pool (shared.after_fork)
    audit_log.use_head_file(settings.database_url, settings.data_dir)
    with reading(settings.database_url) as s:
        before = s.scalar(select(func.count()).select_from(AuditLog))
    ctx = multiprocessing.get_context("fork")
    start, n = ctx.Event(), 25
    procs = [ctx.Process(target=_append, args=(settings, n, start)) for _ in range(2)]
    for p in procs:
        p.start()
    start.set()
    for p in procs:
        p.join(180)
    assert all(p.exitcode == 0 for p in procs)
    with reading(settings.database_url) as s:
        rows = s.execute(select(AuditLog.id, AuditLog.prev_mac, AuditLog.mac).order_by(AuditLog.id)).all()
        check = audit_log.verify(s, settings.audit_key)
        head = audit_log.current_head(s, settings.audit_key, audit_log.head_path(s))
    assert len(rows) == before + 2 * n
    assert len({r.prev_mac for r in rows}) == len(rows)  # no two entries chained to the same predecessor
    assert all(b.prev_mac == a.mac for a, b in zip(rows, rows[1:], strict=False))
    assert check.ok, check.message()
    assert head["id"] == rows[-1].id


def test_shared007_background_values_are_signed(st, request):
    handle = bg_manager.SharedHandle(st, "secret-one")
    k = _key(request)
    assert handle.get(k, "absent") == "absent"
    handle.set(k, {"rows": [1, 2, 3], "text": "导入完成"})
    assert handle.get(k) == {"rows": [1, 2, 3], "text": "导入完成"}
    assert handle.add(k, "second") is False
    assert bg_manager.SharedHandle(st, "another-secret").get(k, "refused") == "refused"  # not its signature
    import pickle

    st.set("bg:" + k, b"\x00" * 32 + pickle.dumps("forged"))  # written by someone without the key
    assert handle.get(k, "refused") == "refused"
    handle.delete(k)
    assert handle.get(k) is None


def _sleeper(marker: str) -> None:
    from pathlib import Path

    Path(marker).write_text("started")
    time.sleep(120)  # until stopped


def _wait(predicate, what: str, bound_s: float = 30) -> None:
    deadline = time.monotonic() + bound_s
    while not predicate():
        assert time.monotonic() < deadline, what
        time.sleep(0.05)


def _gone(pid: int) -> bool:
    import psutil

    try:
        return psutil.Process(pid).status() == psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return True


def test_shared008_a_job_is_seen_and_stopped_from_another_worker_and_another_machine(st, settings, tmp_path):
    """Background jobs (data/runtime/bg_manager.py): the worker that started one, another worker on
    its machine and a worker on another machine (another host id) all see it running; stopping it
    from the other machine (the cancel flag, obeyed by the job within a heartbeat) or from another
    worker here (killed at once) ends it, and every one of them then sees it over."""
    if st.backend == "database" and "postgresql" in settings.database_url:
        pytest.skip("the job's markers are the store's plain get/set, covered on PostgreSQL above")
    here, neighbour, remote = bg_manager.Jobs(st), bg_manager.Jobs(st), bg_manager.Jobs(st)
    remote.host = "elsewhere0"
    for stopper in (remote, neighbour):
        marker = tmp_path / f"started-{stopper is remote}"
        handle = here.start(_sleeper, (str(marker),))
        _wait(marker.exists, "the job never started")
        pid = bg_manager.parse(handle)[0]
        assert all(j.running(handle) for j in (here, neighbour, remote))
        stopper.terminate(handle)
        _wait(lambda pid=pid: _gone(pid), "the stopped job still runs", 10 * bg_manager.HEARTBEAT_S + 5)
        _wait(lambda handle=handle: not any(j.running(handle) for j in (here, neighbour, remote)),
              "a worker still sees the stopped job running", 3 * bg_manager.HEARTBEAT_S + 5)
    assert not here.running("not-a-handle") and bg_manager.parse("1234") is None


def _open_store(url: str, start, out) -> None:
    start.wait(30)
    try:
        shared.DatabaseStore(url)
        out.put("ok")
    except Exception as exc:  # the parent reports what failed
        out.put(repr(exc))


def test_shared009_processes_starting_together_all_get_the_sqlite_store(tmp_path):
    """Web workers and the job process start at the same moment on a database whose sibling
    store file does not exist yet: every one of them gets the store (the table is created
    once; nobody fails on "database is locked"). Repeated on fresh files, since a race that
    loses only sometimes is still a boot failure."""
    for round_ in range(5):
        url = f"sqlite:///{tmp_path / f'race-{round_}.sqlite'}"
        assert _together(_open_store, (url,), 6) == ["ok"] * 6
        assert shared.DatabaseStore(url).get("absent") is None
