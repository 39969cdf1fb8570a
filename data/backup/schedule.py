"""Scheduled backups: every day at BACKUP_SCHEDULE (HH:MM China time) the job runner
(data/jobs/runner.py) queues a `backup` job for that moment; here the parsing and the next time."""
from __future__ import annotations

import datetime as dt
import logging
import re

from domain.clock import CST

log = logging.getLogger(__name__)
_HHMM = re.compile(r"([01]\d|2[0-3]):([0-5]\d)")


def parse(schedule: str) -> dt.time | None:
    """"02:30" -> 02:30; "" -> None (no schedule). Anything else is a configuration error."""
    if not (schedule or "").strip():
        return None
    m = _HHMM.fullmatch(schedule.strip())
    if not m:
        raise ValueError(f"BACKUP_SCHEDULE 应为 HH:MM（北京时间），而不是 {schedule!r}")
    return dt.time(int(m[1]), int(m[2]), tzinfo=CST)


def next_run(now: dt.datetime, at: dt.time) -> dt.datetime:
    """The next moment strictly after `now` at `at` (China time)."""
    local = now.astimezone(CST)
    candidate = dt.datetime.combine(local.date(), at.replace(tzinfo=None), CST)
    if candidate <= local:
        candidate += dt.timedelta(days=1)
    return candidate
