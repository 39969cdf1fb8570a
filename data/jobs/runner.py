"""The job runner: `python -m data.jobs` (`make jobs`), or a daemon thread inside the web process
when `settings.jobs_in_process` (`make run`, the tests) — one code path.

Each round (`Runner.run_once`):
1. the schedule (`enqueue_due`): every scheduled kind keeps exactly one queued job, its
   `run_after` the next time it is due — the full warning run and the escalation of overdue
   warnings every WARNING_SCHEDULE_S (the run's first one interval after the first start, the
   escalation at once, as before), the daily backup at BACKUP_SCHEDULE China time, and every COLUMNAR_EVERY_S the
   shared caches' defaults (`warm`: credit cubes, the province's price indexes). The schedule lives in
   the jobs table, so every runner on every machine agrees on it (dedupe keeps it single);
2. when a job is due or a running one has gone stale (a read that writes nothing when idle),
   under the lease `job-runner` (data/jobs/lock.py: one runner at a time across machines):
   stale recovery (data/jobs/queue.py), then claim the oldest due job, run it with a heartbeat
   thread, record its result or its error (a failing job never stops the runner).

Before each round the loop does this machine's own upkeep outside the lease (`local_duties`): the
columnar copy in DATA_DIR published every COLUMNAR_EVERY_S, so every machine that runs a job
process keeps its own copy fresh (a queued `columnar` job, e.g. from the command line, publishes
the copy of the machine whose runner claims it).

`python -m data.jobs` runs at lower CPU priority (`os.nice(JOBS_NICE)`, default 19) with
`POLARS_MAX_THREADS=1` unless set, so the web workers keep the cores while a full run goes on;
SIGTERM lets the current job finish and exits (a second SIGTERM exits at once: the job stays
"running", its heartbeat stops and stale recovery re-queues it).
"""
from __future__ import annotations

import datetime as dt
import importlib.util
import logging
import os
import threading
import time
import traceback
from dataclasses import dataclass

from data.jobs import priority, queue
from data.jobs.kinds import KINDS
from data.jobs.lock import held, me
from data.models import utcnow
from settings import Settings
from data import forksafe

log = logging.getLogger(__name__)

LOCK_NAME = "job-runner"
@dataclass(frozen=True)
class Scheduled:
    kind: str
    every_s: float | None = None  # a rhythm …
    daily_at: dt.time | None = None  # … or a time of day (China time)
    first_at_once: bool = True


def schedules(settings: Settings) -> list[Scheduled]:
    from data.backup.schedule import parse

    out = []
    if settings.warning_schedule_s > 0:
        out += [Scheduled("warning_run", every_s=settings.warning_schedule_s, first_at_once=False),
                Scheduled("warning_escalation", every_s=settings.warning_schedule_s)]
    at = parse(settings.backup_schedule)
    if at is not None:
        out.append(Scheduled("backup", daily_at=at))
    if settings.columnar_every_s > 0:  # the shared caches' defaults (kinds.warm): once for the deployment
        out.append(Scheduled("warm", every_s=settings.columnar_every_s))
    return out


#: the params of a scheduled job (a manual one carries {"trigger": "manual", "actor": …})
SCHEDULED = {"trigger": "schedule"}


def next_due(item: Scheduled, last: dict | None, now: dt.datetime) -> dt.datetime:
    if item.daily_at is not None:
        from data.backup.schedule import next_run

        return next_run(now, item.daily_at)
    if last is None:
        return now if item.first_at_once else now + dt.timedelta(seconds=item.every_s)
    return max(now, last["run_after"] + dt.timedelta(seconds=item.every_s))


def enqueue_due(settings: Settings, now: dt.datetime | None = None) -> list[int]:
    """Queue the next run of every scheduled kind that has none queued or running; returns new ids."""
    url, now = settings.database_url, now or utcnow()
    made = []
    for item in schedules(settings):
        if queue.active(url, item.kind, SCHEDULED) is not None:
            continue
        last = queue.latest(url, item.kind, requested_by="schedule")
        made.append(queue.enqueue(url, item.kind, SCHEDULED, "schedule", next_due(item, last, now)))
    return made


class Runner:
    def __init__(self, settings: Settings, worker: str | None = None, *, lock_ttl_s: float = 60.0,
                 stale_s: float = 120.0, heartbeat_s: float = 5.0, poll_s: float = 1.0):
        self.settings = settings
        self.url = settings.database_url
        self.worker = worker or me()
        self.lock_ttl_s, self.stale_s, self.heartbeat_s, self.poll_s = lock_ttl_s, stale_s, heartbeat_s, poll_s
        self.stop = threading.Event()  # set: finish the current job, then leave the loop
        self.wake = threading.Event()  # set: a job was queued in this process, look at once
        self._last_prune = 0.0
        self._next_local = 0.0

    # ------------------------------------------------------------------ one round
    def run_once(self) -> dict | None:
        """One round; returns the job it ran (as a dict), {"locked": holder} when another runner
        holds the lease, or None when there was nothing to do."""
        enqueue_due(self.settings)
        if not queue.waiting(self.url, self.stale_s):
            return None
        with held(self.url, LOCK_NAME, self.lock_ttl_s, holder=f"{self.worker}:{threading.get_ident()}") as lease:
            if not lease:
                return {"locked": True}
            recovered = queue.recover_stale(self.url, self.stale_s)
            if recovered["requeued"] or recovered["failed"]:
                log.warning("stale jobs: re-queued %s, failed %s", recovered["requeued"], recovered["failed"])
            if self.stop.is_set():  # stopping: claim nothing more
                return None
            job = queue.claim(self.url, self.worker)
            if job is None:
                return None
            self._run(job)
        if time.monotonic() - self._last_prune > 3600:
            self._last_prune = time.monotonic()
            queue.prune(self.url)
        return queue.get(self.url, job.id)

    def _run(self, job) -> None:
        fn = KINDS.get(job.kind)
        done = threading.Event()
        last = {"pct": -1, "at": 0.0}

        def beat():
            while not done.wait(self.heartbeat_s):
                try:
                    queue.heartbeat(self.url, job.id)
                except Exception:
                    log.exception("heartbeat of job %s failed", job.id)

        def progress(pct: int) -> None:  # at most one write a second
            if pct != last["pct"] and time.monotonic() - last["at"] >= 1.0:
                last.update(pct=pct, at=time.monotonic())
                try:
                    queue.progress(self.url, job.id, pct)
                except Exception:
                    log.exception("progress of job %s failed", job.id)

        beater = threading.Thread(target=beat, name=f"job-{job.id}-heartbeat", daemon=True)
        beater.start()
        t0 = time.perf_counter()
        try:
            if fn is None:
                raise ValueError(f"未知的任务类型：{job.kind}")
            result = fn(self.settings, dict(job.params or {}), progress)
        except Exception as exc:
            done.set()
            log.exception("job %s (%s) failed", job.id, job.kind)
            queue.finish(self.url, job.id, error=error_text(exc))
        else:
            done.set()
            log.info("job %s (%s) done in %.1f s", job.id, job.kind, time.perf_counter() - t0)
            queue.finish(self.url, job.id, result=_jsonable(result))
        finally:
            done.set()
            beater.join(timeout=5)

    # ------------------------------------------------------------------ the loop
    def local_duties(self, now: float | None = None) -> dict | None:
        """This machine's own upkeep, outside the lease, so every job process on every machine does
        it (the lease lets only one of them run queued jobs): the columnar copy in this machine's
        DATA_DIR, published every `columnar_every_s` (cheap when nothing changed; under the copy's
        own fcntl lock, so the web workers of the machine never build it twice)."""
        now = time.monotonic() if now is None else now
        if self.settings.columnar_every_s <= 0 or now < self._next_local:
            return None
        self._next_local = now + self.settings.columnar_every_s
        if importlib.util.find_spec("data.query.columnar") is None:
            return None
        from data.query import columnar

        try:
            return columnar.publish(self.settings)
        except Exception:  # the database or the disk is away: the workers' own refresh still holds
            log.exception("columnar copy not published")
            return None

    def loop(self) -> None:
        failures = 0
        while not self.stop.is_set():
            try:
                self.local_duties()
                out = self.run_once()
                failures = 0
            except Exception as exc:  # the database is away: back off (up to a minute), log now and then
                failures += 1
                if failures == 1:
                    log.exception("job runner round failed")
                elif failures % 20 == 0:
                    log.warning("job runner: %d rounds failed in a row, the last with %s", failures, exc)
                out = None
            if out is None or out.get("locked"):
                self.wake.wait(min(60.0, self.poll_s * 2 ** min(failures, 6)) if failures else self.poll_s)
                self.wake.clear()


def error_text(exc: BaseException) -> str:
    """What the page shows: a refusal or a bad input as its own (Chinese) message; anything else
    with its type and the last frames (the full trace is in the job process's log)."""
    if isinstance(exc, (ValueError, PermissionError)) or type(exc).__name__ == "BackupError":
        return str(exc)
    return f"{type(exc).__name__}: {exc}\n{traceback.format_exc(limit=-3)}"


def _jsonable(value):
    import json

    return json.loads(json.dumps(value, default=str, ensure_ascii=False))


#: the in-process runners of this process, one per database
_LOCAL: dict[str, Runner] = {}
_LOCAL_LOCK = forksafe.Lock()


def start_in_process(settings: Settings, poll_s: float = 2.0) -> Runner:
    """The runner as a daemon thread of the web process (settings.jobs_in_process), once per
    database per process; the thread runs at lower priority (Linux: a thread's own nice value)."""
    with _LOCAL_LOCK:
        runner = _LOCAL.get(settings.database_url)
        if runner is not None:
            return runner
        runner = Runner(settings, poll_s=poll_s)

        def go():
            try:
                os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), priority.level())
            except (OSError, AttributeError):
                pass
            runner.loop()

        thread = threading.Thread(target=go, name="job-runner", daemon=True)
        runner.thread = thread  # type: ignore[attr-defined]
        _LOCAL[settings.database_url] = runner
        thread.start()
        return runner


def stop_in_process(url: str, timeout_s: float = 30.0) -> bool:
    """Stop this process's runner of `url` (its current job finishes first); whether it stopped."""
    with _LOCAL_LOCK:
        runner = _LOCAL.pop(url, None)
    if runner is None:
        return True
    runner.stop.set()
    runner.wake.set()
    thread = getattr(runner, "thread", None)
    if thread is not None:
        thread.join(timeout_s)
        return not thread.is_alive()
    return True


def wake_local(url: str) -> None:
    """A job was queued: the in-process runner of `url` (if any) looks now instead of at its next poll."""
    runner = _LOCAL.get(url)
    if runner is not None:
        runner.wake.set()
