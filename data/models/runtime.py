"""Runtime state shared by every web worker and the job process (issue 17): nothing a request
depends on lives in one worker's memory.

- `shared_state`: small keyed values with an expiry — the sign-in throttle's counters, cache
  version tokens, the background callbacks' results and progress — when no Redis is configured
  (data/runtime/shared.py picks the backend; with REDIS_URL set the same keys live in Redis).
- `jobs`: the queue of the job process (`make jobs`): the scheduled warning run, escalation,
  backups, national syncs, score re-evaluation. Web workers enqueue and read; one job process
  at a time claims, under `job_locks`.
- `job_locks`: named leases (holder, expiry) so only one job process runs a kind at a time across
  machines (PostgreSQL additionally takes an advisory lock while it runs).
"""
from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, BigInteger, Index, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, UTCDateTime, utcnow

_ID = BigInteger().with_variant(Integer, "sqlite")


class SharedEntry(Base):
    __tablename__ = "shared_state"
    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    #: bytes (pickled or JSON, as the caller wrote it) or an integer counter
    value: Mapped[bytes | None] = mapped_column(LargeBinary)
    counter: Mapped[int] = mapped_column(BigInteger, default=0)
    expires_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, index=True)


class Job(Base):
    __tablename__ = "jobs"
    id: Mapped[int] = mapped_column(_ID, primary_key=True, autoincrement=True)
    #: warning_run | warning_escalation | backup | national_sync | credit_reevaluate | …
    kind: Mapped[str] = mapped_column(String(40))
    params: Mapped[dict] = mapped_column(JSON, default=dict)
    #: queued | running | done | failed | cancelled
    status: Mapped[str] = mapped_column(String(12), default="queued")
    requested_by: Mapped[str] = mapped_column(String(64), default="schedule")
    requested_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: earliest start (the schedule enqueues ahead)
    run_after: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    started_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    finished_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    #: "host:pid" of the job process that claimed it
    worker: Mapped[str | None] = mapped_column(String(120))
    heartbeat_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    progress: Mapped[int] = mapped_column(Integer, default=0)  # 0–100
    result: Mapped[dict | None] = mapped_column(JSON)
    error: Mapped[str | None] = mapped_column(Text)

    __table_args__ = (Index("ix_jobs_status_run_after", "status", "run_after"),)


class JobLock(Base):
    __tablename__ = "job_locks"
    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    holder: Mapped[str | None] = mapped_column(String(120))
    expires_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
