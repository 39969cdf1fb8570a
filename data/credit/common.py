"""Shared pieces of the credit request modules (applications, corrections, transfers): the
security-log entry, the caller's account links, the reply deadline and refusals logged once."""
from __future__ import annotations

import datetime as dt

from data.admin import audit_log
from data.calendar.store import current as work_calendar
from data.db import transaction
from data.models import User
from domain import clock
from domain.permissions import Actor
from domain.scope import Refused

ANSWER_WORKING_DAYS = 10
#: the warning engine's frame `credit_replies`: every request still awaiting its reply ({w}: the
#: engine's region condition on c.region_code)
CREDIT_REPLIES_SQL = (
    "SELECT c.id, c.kind, c.region_code, c.received_on, c.answer_due, c.status FROM ("
    "SELECT id, 'application' AS kind, region_code, received_on, answer_due, status "
    "FROM credit_applications WHERE status = 'submitted' UNION ALL "
    "SELECT id, 'correction', region_code, received_on, answer_due, status FROM credit_corrections "
    "WHERE status IN ('submitted', 'reviewed', 'bureau') UNION ALL "
    "SELECT id, 'transfer', region_code, received_on, answer_due, status FROM credit_transfers "
    "WHERE status IN ('submitted', 'prelim', 'reviewed')) c{w}")


def audit(s, key, actor: Actor, description: str, result: str, region: int | None, detail: dict,
          type: str = "credit_request") -> None:
    audit_log.record(s, key, actor=actor.username, actor_id=actor.user_id, type=type, description=description[:500],
                     result=result, region_code=region, ip=getattr(actor, "ip", None), detail=detail)


def refuse(url: str, key, actor: Actor, description: str, reason: str, detail: dict, action=None):
    """Write the refusal to the security log (its own transaction) and raise it, logged."""
    with transaction(url) as s:
        audit(s, key, actor, f"{description}未获准：{reason}", "denied", actor.scope.root, detail)
    raise Refused(reason, action)


def account(s, actor: Actor) -> User:
    """The caller's own account row (its credit subject and institution are never from the browser)."""
    return s.get(User, actor.user_id)


def due_date(url: str, received: dt.date, days: int = ANSWER_WORKING_DAYS) -> dt.date:
    """`days` working days after `received` on the calendar the administrators entered (issue 14)."""
    return work_calendar(url).add_working_days(received, days)


def due_text(calendar, due: dt.date | None, open_: bool, today: dt.date) -> str:
    """The deadline as the tables show it; `calendar`: the working-day calendar (`calendar_of(url)`,
    read once per listing)."""
    if due is None:
        return ""
    if not open_:
        return f"{due.isoformat()}（已答复）"
    if today > due:
        return f"{due.isoformat()}（已超期）"
    return f"{due.isoformat()}（剩{calendar.working_days_between(today, due)}个工作日）"


def calendar_of(url: str):
    return work_calendar(url)


def stamp(at: dt.datetime | None) -> str:
    """An instant as its China time, to the minute."""
    return at.astimezone(clock.CST).strftime("%Y-%m-%d %H:%M") if at else ""
