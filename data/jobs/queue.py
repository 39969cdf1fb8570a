"""The job queue: rows of `jobs` (data/models/runtime.py).

Life of a job: `queued` (enqueue; `run_after` may lie ahead, the schedule enqueues its next run
that way) → `running` (claim: the oldest due job, atomically — PostgreSQL `FOR UPDATE SKIP
LOCKED`, SQLite under the IMMEDIATE transaction every `transaction()` takes) → `done` (result
JSON) or `failed` (error text); `cancelled` when withdrawn before it started.

Dedupe: a job's identity is its kind and its params without the requester (`actor`): enqueueing
one while the same is queued or running returns the existing id instead (two clicks on 立即备份
make one backup). On PostgreSQL the check and the insert are serialised per kind by a
transaction-scoped advisory lock; SQLite's IMMEDIATE transaction already serialises writers.

Stale recovery (`recover_stale`): a running job whose heartbeat is older than `stale_s` (its job
process died: the runner heartbeats every few seconds while a job runs) goes back to the queue
ONCE (its `error` notes the interruption); interrupted a second time it is marked failed. Every
kind is safe to run again from the start (each is one transaction, or re-checks what is done).
"""
from __future__ import annotations

import datetime as dt
import json
import zlib

from sqlalchemy import delete, select, text, update

from data.db import reading, transaction
from data.models import Job, utcnow

ACTIVE = ("queued", "running")
#: marks a job that went back to the queue after its job process stopped heartbeating
INTERRUPTED = "任务进程中断（心跳超时），已重新排队"
STATUS_LABELS = {"queued": "排队中", "running": "运行中", "done": "已完成", "failed": "失败", "cancelled": "已取消"}


def identity(params: dict | None) -> str:
    """What makes two jobs of one kind the same: their params without who asked."""
    return json.dumps({k: v for k, v in (params or {}).items() if k != "actor"}, sort_keys=True, ensure_ascii=False)


def as_dict(job: Job) -> dict:
    return {c: getattr(job, c) for c in ("id", "kind", "params", "status", "requested_by", "requested_at",
                                         "run_after", "started_at", "finished_at", "worker", "heartbeat_at",
                                         "progress", "result", "error")} | {
        "status_label": STATUS_LABELS.get(job.status, job.status)}


def _serialise_kind(s, kind: str) -> None:
    if s.get_bind().dialect.name == "postgresql":
        s.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": zlib.crc32(f"jobs:{kind}".encode())})


def enqueue(url: str, kind: str, params: dict | None = None, requested_by: str = "schedule",
            run_after: dt.datetime | None = None, dedupe: bool = True) -> int:
    """Queue a job; returns its id (or, with `dedupe`, the id of the same job already queued or running)."""
    from data.jobs.kinds import KINDS

    if kind not in KINDS:
        raise ValueError(f"未知的任务类型：{kind}")
    params = dict(params or {})
    with transaction(url) as s:
        _serialise_kind(s, kind)
        if dedupe:
            key = identity(params)
            for job in s.scalars(select(Job).where(Job.kind == kind, Job.status.in_(ACTIVE)).order_by(Job.id)):
                if identity(job.params) == key:
                    return job.id
        now = utcnow()
        job = Job(kind=kind, params=params, status="queued", requested_by=requested_by[:64], requested_at=now,
                  run_after=run_after or now, progress=0)
        s.add(job)
        s.flush()
        job_id = job.id
    from data.jobs.runner import wake_local

    wake_local(url)
    return job_id


def get(url: str, job_id: int) -> dict | None:
    with reading(url) as s:
        job = s.get(Job, int(job_id))
        return as_dict(job) if job is not None else None


def latest(url: str, kind: str, requested_by: str | None = None) -> dict | None:
    """The newest job of `kind` (optionally only the ones `requested_by` asked for)."""
    with reading(url) as s:
        q = select(Job).where(Job.kind == kind)
        if requested_by is not None:
            q = q.where(Job.requested_by == requested_by)
        job = s.scalar(q.order_by(Job.id.desc()).limit(1))
        return as_dict(job) if job is not None else None


def active(url: str, kind: str, params: dict | None = None) -> dict | None:
    """The queued or running job of `kind` with these params (as dedupe sees them), or None."""
    key = identity(params)
    with reading(url) as s:
        for job in s.scalars(select(Job).where(Job.kind == kind, Job.status.in_(ACTIVE)).order_by(Job.id)):
            if identity(job.params) == key:
                return as_dict(job)
    return None


def waiting(url: str, stale_s: float, now: dt.datetime | None = None) -> bool:
    """Is a job due to be claimed, or a running one stale? (a cheap read: an idle runner's poll
    writes nothing)"""
    now = now or utcnow()
    limit = now - dt.timedelta(seconds=stale_s)
    with reading(url) as s:
        return s.scalar(select(Job.id).where(((Job.status == "queued") & (Job.run_after <= now))
                                             | ((Job.status == "running") & (Job.heartbeat_at < limit))).limit(1)) is not None


def claim(url: str, worker: str, kinds: set[str] | None = None) -> Job | None:
    """The oldest due queued job, now running for `worker`; None when there is none."""
    now = utcnow()
    with transaction(url) as s:
        q = (select(Job).where(Job.status == "queued", Job.run_after <= now)
             .order_by(Job.run_after, Job.id).limit(1))
        if kinds:
            q = q.where(Job.kind.in_(sorted(kinds)))
        if s.get_bind().dialect.name == "postgresql":
            q = q.with_for_update(skip_locked=True)
        job = s.scalar(q)
        if job is None:
            return None
        job.status, job.worker, job.started_at, job.heartbeat_at, job.progress = "running", worker[:120], now, now, 0
        s.flush()
        s.expunge(job)
        return job


def heartbeat(url: str, job_id: int, pct: int | None = None) -> None:
    values: dict = {"heartbeat_at": utcnow()}
    if pct is not None:
        values["progress"] = max(0, min(100, int(pct)))
    with transaction(url) as s:
        s.execute(update(Job).where(Job.id == int(job_id), Job.status == "running").values(**values))


def progress(url: str, job_id: int, pct: int) -> None:
    """How far the running job is (0–100); also a heartbeat."""
    heartbeat(url, job_id, pct)


def finish(url: str, job_id: int, result: dict | None = None, error: str | None = None) -> None:
    """Record the outcome: done with `result`, or failed with `error`."""
    with transaction(url) as s:
        job = s.get(Job, int(job_id))
        if job is None:
            raise ValueError(f"没有编号为 {job_id} 的任务")
        job.finished_at, job.heartbeat_at = utcnow(), utcnow()
        if error is not None:
            job.status, job.error = "failed", str(error)[:4000]
        else:
            job.status, job.result, job.progress = "done", result or {}, 100


def cancel(url: str, job_id: int) -> bool:
    """Withdraw a job that has not started; False when it already runs or ended."""
    with transaction(url) as s:
        return s.execute(update(Job).where(Job.id == int(job_id), Job.status == "queued")
                         .values(status="cancelled", finished_at=utcnow())).rowcount == 1


def recover_stale(url: str, stale_s: float) -> dict:
    """Running jobs without a heartbeat for `stale_s`: re-queued once, failed the second time."""
    now = utcnow()
    limit = now - dt.timedelta(seconds=stale_s)
    out = {"requeued": [], "failed": []}
    with transaction(url) as s:
        for job in s.scalars(select(Job).where(Job.status == "running", Job.heartbeat_at < limit)):
            note = f"{INTERRUPTED}（{job.worker}，{job.heartbeat_at:%Y-%m-%d %H:%M:%S} UTC）"
            if (job.error or "").startswith(INTERRUPTED):
                job.status, job.finished_at = "failed", now
                job.error = f"任务进程再次中断，已停止重试；{job.error}"[:4000]
                out["failed"].append(job.id)
            else:
                job.status, job.worker, job.started_at, job.heartbeat_at, job.progress = "queued", None, None, None, 0
                job.error = note
                out["requeued"].append(job.id)
    return out


def prune(url: str, keep_days: int = 14) -> int:
    """Delete ended jobs older than `keep_days` (the columnar job alone adds 1,440 rows a day)."""
    limit = utcnow() - dt.timedelta(days=keep_days)
    with transaction(url) as s:
        return s.execute(delete(Job).where(Job.status.in_(("done", "failed", "cancelled")),
                                           Job.finished_at < limit)).rowcount
