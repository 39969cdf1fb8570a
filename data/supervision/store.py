"""Supervision warnings in the system of record, read side: the scoped list and one warning's
detail (rule, cited article, evidence, the whole handling trail with its files, the steps the
reader may take now). The lifecycle steps and escalation are in `handling`, the heatmap page's
aggregations in `analysis`.

Visibility follows the village a warning belongs to (`region_code`), never the region it is
assigned to: nobody outside the village's jurisdiction sees it, also after it escalated above them.
"""
from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from data import attachments
from data.calendar.store import current as work_calendar
from data.db import reading
from data.models import User, Warning, WarningEvent
from data.regions import load_region_tree
from data.scoped import scoped
from domain.calendar.schedule import current as calendar
from domain.clock import CST, china_date
from domain import privacy
from domain.permissions import Action, Actor, PermissionDenied, Scope, ensure, may
from domain.regions import province_of, subtree_bounds
from domain.supervision import lifecycle as rules
from domain.supervision.rules.base import SEVERITY_LABELS

LIMIT = 5000


def region_tree(scope: Scope):
    """The region tree of the scope's province."""
    return load_region_tree(int(scope.root) // 10**10)


def warning_state(s, w: Warning) -> rules.WarningState:
    """What the lifecycle rules need to know about `w`: its status and regions, and who handled it
    (every handler, and the jurisdiction of the last one) from its events."""
    handles = s.execute(select(WarningEvent.by_id, User.region_code).outerjoin(User, User.id == WarningEvent.by_id)
                        .where(WarningEvent.warning_id == w.id, WarningEvent.action == "handle")
                        .order_by(WarningEvent.id)).all()
    last_region = handles[-1][1] if handles else None
    return rules.WarningState(status=w.status, region_code=int(w.region_code), assigned_region=int(w.assigned_region),
                              severity=int(w.severity), due_on=w.due_on,
                              handled_by=frozenset(by for by, _ in handles if by is not None),
                              handler_region=int(last_region) if last_region is not None else None)


def _row(w: Warning, tree, today: dt.date) -> dict:
    info = rules.rule_info(w.rule_id)
    late = rules.overdue(w, today)
    return {"id": w.id, "rule_id": w.rule_id, "rule_name": info["name"], "severity": int(w.severity),
            "severity_label": SEVERITY_LABELS.get(int(w.severity), str(w.severity)),
            "region_code": int(w.region_code), "region_name": tree.name(w.region_code), "title": w.title,
            "status": w.status, "status_label": rules.STATUS_LABELS.get(w.status, w.status),
            "assigned_region": int(w.assigned_region), "assigned_name": tree.name(w.assigned_region),
            "raised_on": china_date(w.raised_at).isoformat() if w.raised_at else None,
            "due_on": w.due_on.isoformat() if w.due_on else None, "overdue": late,
            "due_provisional": calendar().provisional(w.due_on), "due_note": calendar().note_for(w.due_on),
            "overdue_label": "逾期" if late else "", "escalations": int(w.escalations or 0), "version": w.version}


def list_warnings(url: str, actor: Actor, today: dt.date, *, status: str = "open", rule_id: str | None = None,
                  region: int | None = None, limit: int = LIMIT) -> list[dict]:
    """Warnings of villages inside the actor's jurisdiction (optionally of one region's subtree),
    most severe and newest first. `status`: open | closed | all | any one status."""
    work_calendar(url)  # deadlines marked provisional by the current calendar
    ensure(actor, Action.WARNING_READ)
    q = scoped(select(Warning), Warning, actor)
    if region is not None:
        lo, hi = subtree_bounds(actor.scope.require(region))
        q = q.where(Warning.region_code.between(lo, hi))
    if status == "open":
        q = q.where(Warning.status != "closed")
    elif status in rules.STATUS_LABELS:
        q = q.where(Warning.status == status)
    if rule_id:
        q = q.where(Warning.rule_id == rule_id)
    q = q.order_by(Warning.severity.desc(), Warning.raised_at.desc(), Warning.id.desc()).limit(limit)
    tree = region_tree(actor.scope)
    with reading(url) as s:
        return [_row(w, tree, today) for w in s.scalars(q)]


def detail(url: str, actor: Actor, warning_id: int, today: dt.date) -> dict:
    """One warning with its rule, cited article, evidence, handling trail (each step's files) and
    the steps this actor may take now."""
    work_calendar(url)  # deadlines marked provisional by the current calendar
    ensure(actor, Action.WARNING_READ)
    tree = region_tree(actor.scope)
    with reading(url) as s:
        w = s.scalar(scoped(select(Warning).where(Warning.id == warning_id), Warning, actor))
        if w is None:
            raise PermissionDenied(rules.NOT_VISIBLE)
        out = _row(w, tree, today)
        state = warning_state(s, w)
        events = s.execute(select(WarningEvent, User.display_name, User.username)
                           .outerjoin(User, User.id == WarningEvent.by_id)
                           .where(WarningEvent.warning_id == w.id).order_by(WarningEvent.at, WarningEvent.id)).all()
        may_files = may(actor, Action.ATTACHMENT_READ)
        trail = []
        for ev, display, username in events:
            trail.append({"id": ev.id, "at": ev.at.astimezone(CST).strftime("%Y-%m-%d %H:%M") if ev.at else "",
                          "action": ev.action, "action_label": rules.ACTION_LABELS.get(ev.action, ev.action),
                          "from_label": rules.STATUS_LABELS.get(ev.from_status or "", ev.from_status or ""),
                          "to_label": rules.STATUS_LABELS.get(ev.to_status, ev.to_status),
                          "by": display or username or "系统", "note": ev.note or "",
                          "files": attachments.list_for(s, actor.scope, "warning_event", ev.id) if may_files else []})
        evidence = privacy.redact(w.evidence or {}, privacy.relation(actor, "warning"))
        out.update(rule=rules.rule_info(w.rule_id, province_of(w.region_code)), evidence=evidence, trail=trail,
                   subject_type=w.subject_type, subject_id=w.subject_id,
                   resolved_in_data_on=china_date(w.resolved_in_data_at).isoformat() if w.resolved_in_data_at else None,
                   actions=rules.allowed_actions(actor.scope, actor.user_id, state))
        return out
