"""Scheduled backups: a daemon thread (started by app.create_app when BACKUP_SCHEDULE is set, like
the warning engine's schedule) that backs the database up every day at HH:MM China time."""
from __future__ import annotations

import datetime as dt
import logging
import re
import threading

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


def start_schedule(cfg, now_fn) -> threading.Thread | None:
    """The daily backup thread, or None when no schedule is set."""
    at = parse(cfg.backup_schedule)
    if at is None:
        return None
    stop = threading.Event()

    def loop():
        from data.backup.store import run_backup

        while True:
            wait = (next_run(now_fn(), at) - now_fn()).total_seconds()
            if stop.wait(max(1.0, wait)):
                return
            try:
                row = run_backup(cfg, None, "scheduled")
                log.info("scheduled backup #%s: %s", row["id"], row["status"])
            except Exception:
                log.exception("scheduled backup failed")

    thread = threading.Thread(target=loop, name="backup-schedule", daemon=True)
    thread.stop = stop  # type: ignore[attr-defined]
    thread.start()
    return thread
