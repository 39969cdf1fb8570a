"""Supervision warnings in the system of record, write side: the lifecycle steps (acknowledge,
handle, verify, close, reopen) — each one transaction with its WarningEvent, attachments and
security-log entry, refused when stale — and the escalation of overdue warnings one level up.
"""
from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from data import attachments

from data.admin import audit_log
from data.calendar.store import current as work_calendar
from data.db import transaction
from data.errors import AccountError
from data.models import Warning, WarningEvent, utcnow
from data.regions import load_region_tree
from data.scoped import load_for_write
from domain.permissions import Action, Actor, OutOfScope, PermissionDenied, ensure
from domain.supervision import lifecycle as rules

from .store import warning_state

#: the actor named in the security log for scheduled escalations
SYSTEM_ACTOR = "系统（逾期升级）"
STALE = "该预警已被他人办理或修改，请刷新后再操作"


def _load(s, actor: Actor, warning_id: int, version: int) -> Warning:
    """The warning for a step (the scoped write path): one that is missing or outside the actor's
    jurisdiction is refused in the lifecycle's words (not even whether it exists), a changed one as stale."""
    try:
        return load_for_write(s, Warning, warning_id, actor, version, noun="该预警", stale=STALE)
    except OutOfScope as exc:
        refused = PermissionDenied(rules.NOT_VISIBLE)
        refused.logged = getattr(exc, "logged", False)  # type: ignore[attr-defined]
        raise refused from None


def act(url: str, key: str, actor: Actor, warning_id: int, action: str, note: str | None,
        files: list[tuple[str, bytes]] | None, expected_version: int, today: dt.date,
        now: dt.datetime | None = None) -> str:
    """Take one lifecycle step: acknowledge, handle, verify, close or reopen. Returns the new status.

    Refused with StaleEdit when the warning changed since `expected_version`, with PermissionDenied
    when this actor may not take the step on this warning, and with AccountError naming every
    problem of the input (status, note, files) at once; nothing is written then."""
    ensure(actor, Action.WARNING_READ)
    work_calendar(url)  # a reopened warning's new deadline counts in the current calendar
    now = now or utcnow()
    files = [f for f in (files or []) if f is not None]
    with transaction(url, actor) as s:
        w = _load(s, actor, warning_id, expected_version)
        if action in rules.TRANSITIONS:
            problem = rules.actor_problem(action, actor.scope, actor.user_id, warning_state(s, w))
            if problem:
                raise PermissionDenied(problem)
        errors = {}
        if problem := rules.status_problem(action, w.status):
            errors["action"] = problem
        if problem := rules.note_problem(action, note):
            errors["note"] = problem
        if problem := attachments.files_problem(files):
            errors["attachments"] = problem
        if errors:
            raise AccountError(errors)
        before, after = w.status, rules.next_status(action)
        w.status = after
        if action == "acknowledge":
            w.acknowledged_at = now
        elif action == "handle":
            w.handled_at = now
        elif action == "verify":
            w.verified_at = now
        elif action == "close":
            w.closed_at = now
        elif action == "reopen":
            w.handled_at = w.verified_at = None
            w.due_on = rules.due_date(today, w.severity)
        ev = WarningEvent(warning_id=w.id, at=now, by_id=actor.user_id, action=action, from_status=before,
                          to_status=after, note=(note or "").strip() or None)
        s.add(ev)
        s.flush()
        for name, content in files:
            attachments.add(s, actor, "warning_event", ev.id, name, content)
        label = rules.ACTION_LABELS[action]
        audit_log.record(s, key, actor=actor.username, actor_id=actor.user_id, type="data_change",
                         description=f"预警{label}：#{w.id} {w.title[:80]}（{rules.STATUS_LABELS[before]}→"
                                     f"{rules.STATUS_LABELS[after]}）", result="success", region_code=int(w.region_code),
                         ip=actor.ip, detail={"warning_id": w.id, "action": action, "event_id": ev.id, "files": len(files)})
        return after


def escalate_overdue(url: str, key: str, today: dt.date, now: dt.datetime | None = None) -> list[int]:
    """Move every overdue warning that nobody has handled one level up (village → township →
    county → city → province) with a new deadline and an "escalated" event; one transaction and one
    security-log entry. Returns the ids moved. Running it twice on a day moves nothing twice: the
    new deadline lies ahead."""
    now = now or utcnow()
    work_calendar(url)  # the new deadlines count in the current calendar
    moved = []
    with transaction(url) as s:
        q = (select(Warning).where(Warning.status.in_(sorted(rules.AWAITING_HANDLING)), Warning.due_on < today)
             .order_by(Warning.id))
        for w in s.scalars(q):
            step = rules.escalation(warning_state(s, w), today)
            if step is None:
                continue
            region, due = step
            tree = load_region_tree(int(w.region_code) // 10**10)
            before = w.status
            w.assigned_region, w.due_on, w.status = region, due, "pushed"
            w.escalations = int(w.escalations or 0) + 1
            s.add(WarningEvent(warning_id=w.id, at=now, by_id=None, action="escalated", from_status=before,
                               to_status="pushed", note=f"逾期未办理，升级至{tree.name(region)}督办（第{w.escalations}次），"
                                                        f"办理期限{due.isoformat()}"))
            moved.append(w.id)
        if moved:
            audit_log.record(s, key, actor=SYSTEM_ACTOR, type="data_change",
                             description=f"逾期未办理的预警升级上一级督办：{len(moved)} 条", result="success",
                             detail={"warning_ids": moved[:500], "count": len(moved), "today": today.isoformat()})
    return moved
