"""The job queue and the job process (data/jobs, issue 17 lane C): enqueue/claim/finish and
dedupe, the lease (two runners: one runs), stale recovery, the schedule enqueueing when due, a
failing job recorded while the runner goes on, the ops page queueing instead of running (and a
web process with JOBS_IN_PROCESS=0 running nothing), and the warning engine's ledger copy
giving the same frames as a whole read."""
from __future__ import annotations

import datetime as dt
import shutil
import threading

import pytest
from sqlalchemy import select, text

from data.jobs import kinds, queue
from data.jobs.lock import held, holder_of
from data.jobs.runner import Runner, enqueue_due
from domain import clock
from tests.support.app import build_app, generate_test_data, make_settings
from tests.support.http import call, output, sign_in, text as text_of


T0 = dt.datetime(2026, 11, 22, 1, 0, tzinfo=dt.UTC)


@pytest.fixture(scope="module")
def settings(tmp_path_factory):
    """An empty database of the current schema (the queue needs no demo data)."""
    from data.db import upgrade

    s = make_settings(tmp_path_factory.mktemp("jobs"))
    upgrade(s.database_url)
    return s


@pytest.fixture
def url(settings):
    from data.db import transaction

    with transaction(settings.database_url) as s:
        s.execute(text("DELETE FROM jobs"))
        s.execute(text("DELETE FROM job_locks"))
    return settings.database_url


@pytest.fixture
def test_kinds(monkeypatch):
    """Two kinds for the tests: `probe` (records its calls; waits for `gate` when told) and `broken`."""
    calls, gate, inside = [], threading.Event(), threading.Event()

    def probe(_settings, params, progress):
        calls.append((threading.get_ident(), params.get("n")))
        progress(50)
        if params.get("wait"):
            inside.set()
            assert gate.wait(30)
        return {"n": params.get("n")}

    def broken(_settings, params, progress):
        raise ValueError("数据不完整，无法运行")

    monkeypatch.setitem(kinds.KINDS, "probe", probe)
    monkeypatch.setitem(kinds.KINDS, "broken", broken)
    return calls, gate, inside


def test_jobs001_enqueue_claim_progress_finish_and_dedupe(url, test_kinds):
    a = queue.enqueue(url, "probe", {"n": 1}, "demo-admin")
    assert queue.enqueue(url, "probe", {"n": 1, "actor": {"user_id": 9}}, "demo-other") == a  # same job: deduped
    b = queue.enqueue(url, "probe", {"n": 2})
    c = queue.enqueue(url, "probe", {"n": 1}, dedupe=False)
    assert len({a, b, c}) == 3
    assert queue.get(url, a)["status_label"] == "排队中"
    with pytest.raises(ValueError):
        queue.enqueue(url, "no-such-kind")
    job = queue.claim(url, "host:1")
    assert job.id == a and job.status == "running" and job.worker == "host:1"
    assert queue.enqueue(url, "probe", {"n": 1}) == a  # running: still the same job
    queue.progress(url, a, 40)
    assert queue.get(url, a)["progress"] == 40 and queue.get(url, a)["status_label"] == "运行中"
    queue.finish(url, a, {"ok": True})
    done = queue.get(url, a)
    assert (done["status"], done["result"], done["progress"], done["status_label"]) == ("done", {"ok": True}, 100, "已完成")
    assert queue.enqueue(url, "probe", {"n": 1}) == c  # a has ended; c, the same, still waits
    assert queue.cancel(url, b) and queue.get(url, b)["status"] == "cancelled" and not queue.cancel(url, b)
    assert queue.latest(url, "probe")["id"] == c and queue.latest(url, "probe", requested_by="demo-admin")["id"] == a
    # a job queued ahead is not claimed before its time
    later = queue.enqueue(url, "probe", {"n": 3}, run_after=clock.now() + dt.timedelta(hours=1))
    claimed = [queue.claim(url, "host:1") for _ in range(3)]
    assert later not in [j.id for j in claimed if j is not None]


def test_jobs002_one_lease_at_a_time_and_it_expires(url):
    with held(url, "job-runner", 60, holder="a") as first:
        assert first and holder_of(url, "job-runner")["holder"] == "a"
        with held(url, "job-runner", 60, holder="b") as second:
            assert not second
    assert holder_of(url, "job-runner") is None  # released on leaving
    with clock.frozen(T0):
        with held(url, "job-runner", 30, holder="a") as first:
            assert first
            # a holder that died keeps the row; once its lease expired another takes it
            with clock.frozen(T0 + dt.timedelta(seconds=31)), held(url, "job-runner", 30, holder="b") as second:
                assert second


def test_jobs003_two_runners_only_one_runs(url, settings, test_kinds):
    calls, gate, inside = test_kinds
    first = queue.enqueue(url, "probe", {"n": 1, "wait": True})
    a, b = Runner(settings, "machine-a:1"), Runner(settings, "machine-b:1")
    out = {}
    thread = threading.Thread(target=lambda: out.setdefault("a", a.run_once()))
    thread.start()
    try:
        assert inside.wait(30)  # runner a is inside the job, holding the lease
        queue.enqueue(url, "probe", {"n": 2})  # work is waiting, yet runner b may not take it
        assert b.run_once() == {"locked": True}
        assert queue.get(url, queue.latest(url, "probe")["id"])["status"] == "queued"
    finally:
        gate.set()
        thread.join(30)
    assert out["a"]["id"] == first and out["a"]["status"] == "done" and out["a"]["worker"] == "machine-a:1"
    assert [n for _, n in calls] == [1]
    second = b.run_once()  # the lease is free again: b runs the next one
    assert second["status"] == "done" and second["worker"] == "machine-b:1" and [n for _, n in calls] == [1, 2]


def test_jobs004_stale_jobs_are_requeued_once_then_failed(url, test_kinds):
    with clock.frozen(T0):
        job_id = queue.enqueue(url, "probe", {"n": 1})
        assert queue.claim(url, "dead:1").id == job_id
    with clock.frozen(T0 + dt.timedelta(seconds=60)):
        assert queue.recover_stale(url, 120) == {"requeued": [], "failed": []}  # heartbeat recent enough
    with clock.frozen(T0 + dt.timedelta(seconds=121)):
        assert queue.recover_stale(url, 120) == {"requeued": [job_id], "failed": []}
        again = queue.get(url, job_id)
        assert again["status"] == "queued" and again["error"].startswith(queue.INTERRUPTED)
        queue.claim(url, "dead:2")
    with clock.frozen(T0 + dt.timedelta(seconds=300)):
        assert queue.recover_stale(url, 120) == {"requeued": [], "failed": [job_id]}
    assert queue.get(url, job_id)["status"] == "failed"


def test_jobs005_the_schedule_enqueues_when_due(url, settings):
    cfg = settings.with_(warning_schedule_s=600, backup_schedule="02:30")
    with clock.frozen(T0):
        made = enqueue_due(cfg)
        assert enqueue_due(cfg) == []  # one queued job per scheduled kind, never two
    jobs = {queue.get(url, i)["kind"]: queue.get(url, i) for i in made}
    assert set(jobs) == {"warning_run", "warning_escalation", "backup"}  # the columnar copy is a local duty
    assert jobs["warning_run"]["run_after"] == T0 + dt.timedelta(seconds=600)  # the first run one interval on
    assert jobs["warning_escalation"]["run_after"] == T0  # the escalation at once (a server that was down catches up)
    assert jobs["backup"]["run_after"] == dt.datetime(2026, 11, 23, 2, 30, tzinfo=clock.CST)  # next 02:30 China time
    with clock.frozen(T0 + dt.timedelta(seconds=5)):
        job = queue.claim(url, "r:1")
        assert job.kind == "warning_escalation"  # the only one due
        queue.finish(url, job.id, {"escalated": 0})
        (nxt,) = enqueue_due(cfg)
    assert queue.get(url, nxt)["kind"] == "warning_escalation"
    assert queue.get(url, nxt)["run_after"] == T0 + dt.timedelta(seconds=600)  # the rhythm, from the last one's time
    # tests' settings: no warning or backup schedule
    assert enqueue_due(settings) == []


def test_jobs006_a_failing_job_records_its_error_and_the_runner_goes_on(url, settings, test_kinds):
    calls, _, _ = test_kinds
    bad = queue.enqueue(url, "broken")
    good = queue.enqueue(url, "probe", {"n": 7})
    runner = Runner(settings, "r:1")
    first, second = runner.run_once(), runner.run_once()
    assert (first["id"], first["status"], first["status_label"]) == (bad, "failed", "失败")
    assert first["error"] == "数据不完整，无法运行"  # a refusal or bad input: its own message, for the page
    assert (second["id"], second["status"], second["result"]) == (good, "done", {"n": 7})
    assert runner.run_once() is None  # nothing left


def test_jobs007_a_stopped_loop_finishes_its_job_and_leaves(url, settings, test_kinds):
    calls, gate, inside = test_kinds
    job_id = queue.enqueue(url, "probe", {"n": 1, "wait": True})
    runner = Runner(settings, "r:1", poll_s=0.05)
    thread = threading.Thread(target=runner.loop)
    thread.start()
    assert inside.wait(30)
    runner.stop.set()  # what SIGTERM does in `python -m data.jobs`
    queue.enqueue(url, "probe", {"n": 2})
    gate.set()
    thread.join(30)
    assert not thread.is_alive() and queue.get(url, job_id)["status"] == "done"
    assert queue.latest(url, "probe")["status"] == "queued"  # not claimed after the stop


# ---------------------------------------------------------------- the ops page queues; the job process runs


@pytest.fixture(scope="module")
def web(tmp_path_factory):
    """A web process with JOBS_IN_PROCESS=0 (as under `make serve`) on test data of its own."""
    cfg = generate_test_data(make_settings(tmp_path_factory.mktemp("jobs-web"))).with_(jobs_in_process=False)
    app = build_app(cfg)
    return cfg, app, sign_in(app.server, "demo-admin")


def test_jobs008_backup_button_queues_and_a_web_process_runs_nothing(web):
    from callbacks.ops import backups
    from data.jobs import runner as runner_mod

    cfg, app, client = web
    assert "platform.jobs" not in app.server.extensions and cfg.database_url not in runner_mod._LOCAL
    click = [{"id": "ops-backup-now", "property": "n_clicks", "value": 1}]
    resp = call(app, client, backups.backup_now, click)
    job_id = output(resp, "ops-backup-job", "data")
    assert "排队中" in text_of(output(resp, "ops-backup-result", "children"))
    job = queue.get(cfg.database_url, job_id)
    assert (job["kind"], job["status"], job["requested_by"], job["params"]["actor"]["username"]) == (
        "backup", "queued", "demo-admin", "demo-admin")
    again = call(app, client, backups.backup_now, click)  # a second click while it waits: refused, not queued twice
    assert output(again, "ops-backup-job", "data") == job_id and "未重复提交" in text_of(
        output(again, "ops-backup-result", "children"))
    poll = [{"id": "ops-backup-poll", "property": "n_intervals", "value": 1}]
    state = [{"id": "ops-backup-job", "property": "data", "value": job_id},
             {"id": "ops-refresh", "property": "data", "value": 0}]
    assert "排队中" in text_of(output(call(app, client, backups.backup_status, poll, state), "ops-backup-result", "children"))
    assert Runner(cfg, "jobs:1").run_once()["id"] == job_id  # the job process's round
    resp = call(app, client, backups.backup_status, poll, state)
    assert "已备份" in text_of(output(resp, "ops-backup-result", "children"))
    assert output(resp, "ops-backup-poll", "disabled") is True
    from data.db import reading
    from data.models import AuditLog, Backup

    with reading(cfg.database_url) as s:
        row = s.scalars(select(Backup).order_by(Backup.id.desc()).limit(1)).one()
        assert row.status == "ok" and row.kind == "manual"
        assert s.scalar(select(AuditLog.actor).where(AuditLog.type == "backup").order_by(AuditLog.id.desc()).limit(1)) \
            == "demo-admin"
    other = sign_in(app.server, "demo-village")  # permissions unchanged: the guard refuses the same roles
    assert call(app, other, backups.backup_now, click).status_code in (401, 403)


def test_jobs009_ledger_copy_gives_the_frames_a_whole_read_gives(web):
    import polars as pl
    from polars.testing import assert_frame_equal

    from data.db import transaction
    from data.supervision import engine, ledger_cache
    from domain.supervision.rules import LEDGER_ACCOUNTS, RULES, needed_frames

    cfg = web[0]
    names = needed_frames(list(RULES.values()))

    def frames(copy: bool) -> dict[str, pl.DataFrame]:
        timings: dict = {}
        out = engine.load_frames(cfg.database_url, names, data_dir=cfg.data_dir, timings=timings, ledger_copy=copy)
        return out, timings.get("ledger_copy")

    def same(a, b):
        for k in sorted(a):
            assert_frame_equal(a[k].sort(a[k].columns), b[k].sort(b[k].columns), check_row_order=False)

    shutil.rmtree(ledger_cache.directory(cfg.data_dir, cfg.database_url), ignore_errors=True)
    whole, _ = frames(False)
    cold, info = frames(True)
    assert info == {"used": False}
    same(whole, cold)
    # post one more voucher (a copy of the last one, lines included): the next run reads only it
    with transaction(cfg.database_url) as s:
        v = dict(s.execute(text("SELECT * FROM vouchers ORDER BY id DESC LIMIT 1")).mappings().one())
        lines = [dict(r) for r in s.execute(text("SELECT * FROM voucher_lines WHERE voucher_id = :v"), {"v": v["id"]}).mappings()]
        v.pop("id")
        v["number"] = int(v["number"]) + 100000
        cols = ", ".join(v)
        marks = ", ".join(":" + c for c in v)
        new_id = s.execute(text(f"INSERT INTO vouchers ({cols}) VALUES ({marks}) RETURNING id"), v).scalar()
        for ln in lines:
            ln.pop("id")
            ln["voucher_id"] = new_id
            s.execute(text(f"INSERT INTO voucher_lines ({', '.join(ln)}) VALUES ({', '.join(':' + c for c in ln)})"), ln)
    warm, info = frames(True)
    assert info["used"] is True
    assert info["appended_rows"] == 1 + sum(ln["account_code"] in LEDGER_ACCOUNTS for ln in lines)
    same(frames(False)[0], warm)


def test_jobs010_postgresql_claims_skip_locked_and_the_advisory_lock_holds(postgres_server, tmp_path, test_kinds):
    """On PostgreSQL: two claims at once take two different jobs (FOR UPDATE SKIP LOCKED), and a
    second holder is refused while the first holds the lease and its advisory lock."""
    from data.db import upgrade

    url = postgres_server.create_database("jobs_queue")
    upgrade(url)
    ids = {queue.enqueue(url, "probe", {"n": n}) for n in range(4)}
    got, barrier = [], threading.Barrier(2)

    def take():
        barrier.wait()
        got.append(queue.claim(url, f"host:{threading.get_ident()}").id)

    threads = [threading.Thread(target=take) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert len(got) == 2 and len(set(got)) == 2 and set(got) <= ids
    with held(url, "job-runner", 60, holder="a") as first:
        assert first
        with held(url, "job-runner", 60, holder="b") as second:
            assert not second
    with held(url, "job-runner", 60, holder="b") as again:
        assert again  # released: lease and advisory lock
    cfg = make_settings(tmp_path, url)
    done = Runner(cfg, "pg:1").run_once()
    assert done["status"] == "done" and done["id"] in ids - set(got)


def test_jobs011_every_job_process_publishes_its_machines_columnar_copy_outside_the_lease(url, settings, monkeypatch):
    from data.query import columnar

    published = []
    monkeypatch.setattr(columnar, "publish", lambda cfg, *a, **k: published.append(cfg.data_dir) or {"published": True})
    runner = Runner(settings.with_(columnar_every_s=60), "machine-b:1")
    with held(url, "job-runner", 60, holder="machine-a:1") as lease:  # another machine runs the queue …
        assert lease
        assert runner.local_duties(now=1000.0) == {"published": True}  # … this one still keeps its own copy
        assert runner.local_duties(now=1030.0) is None  # not before the rhythm
        assert runner.local_duties(now=1061.0) == {"published": True}
    assert published == [settings.data_dir, settings.data_dir]
    assert Runner(settings, "machine-c:1").local_duties(now=5000.0) is None  # columnar_every_s 0: off
    monkeypatch.setattr(columnar, "publish", lambda *a, **k: 1 / 0)
    assert Runner(settings.with_(columnar_every_s=60), "machine-d:1").local_duties(now=1.0) is None  # logged, goes on


def test_jobs012_the_shared_caches_warm_up_is_queued_once_for_the_deployment(url, settings):
    assert enqueue_due(settings) == []  # tests' settings: columnar_every_s 0
    cfg = settings.with_(columnar_every_s=60)
    with clock.frozen(T0):
        (made,) = enqueue_due(cfg)
        assert enqueue_due(cfg) == []  # one queued, whichever runner asks
    assert queue.get(url, made)["kind"] == "warm"
