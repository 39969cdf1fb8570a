"""Month close (结账): no posting enters a closed month of an organisation; only a township leader
reopens one (反结账), with a reason, logged."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from data.db import reading, transaction
from data.errors import AccountError
from data.funds.ledger import ORG, log
from data.models import CollectiveOrg, PaymentRequest, PeriodClose, utcnow
from data.scoped import load_for_write
from domain import clock
from domain.funds.books import CLOSE_STATUS_LABELS
from domain.money import period_label, period_of
from domain.permissions import Action, Actor, ensure


def closed_problem(s, org_id: int, day: dt.date) -> str | None:
    """Why nothing may be posted on `day` for the organisation (its month is closed), or None."""
    period = period_of(day)
    closed = s.scalar(select(PeriodClose.id).where(PeriodClose.org_id == org_id, PeriodClose.period == period,
                                                   PeriodClose.status == "closed"))
    return f"{period_label(period)}已结账，不能记入该月；请选择未结账月份的日期" if closed else None


def period_closes(url: str, actor: Actor, org_id: int) -> list[dict]:
    with reading(url) as s:
        org = load_for_write(s, CollectiveOrg, org_id, actor, noun=ORG)
        rows = s.scalars(select(PeriodClose).where(PeriodClose.org_id == org.id).order_by(PeriodClose.period.desc()))
        return [{"id": r.id, "period": r.period, "period_label": period_label(r.period), "status": r.status,
                 "status_label": CLOSE_STATUS_LABELS.get(r.status, r.status),
                 "closed_at": r.closed_at.astimezone(clock.CST).strftime("%Y-%m-%d %H:%M"), "note": r.note or "",
                 "version": r.version} for r in rows]


def close_period(url: str, key: str, actor: Actor, org_id: int, period: int | None, today: dt.date) -> int:
    """结账: the township accountant closes a month of an organisation; no posting enters it
    afterwards. Refused while the month has approved requests not yet posted."""
    ensure(actor, Action.MONTH_CLOSE)
    if period is None:
        raise AccountError({"period": "请选择结账月份"})
    if period > period_of(today):
        raise AccountError({"period": "不能结账尚未到来的月份"})
    with transaction(url, actor) as s:
        org = load_for_write(s, CollectiveOrg, org_id, actor, noun=ORG, action=Action.MONTH_CLOSE)
        row = s.scalar(select(PeriodClose).where(PeriodClose.org_id == org.id, PeriodClose.period == period))
        if row is not None and row.status == "closed":
            raise AccountError({"period": f"{period_label(period)}已结账"})
        first = dt.date(period // 100, period % 100, 1)
        after = dt.date(first.year + first.month // 12, first.month % 12 + 1, 1)
        pending = s.scalars(select(PaymentRequest.id).where(
            PaymentRequest.org_id == org.id, PaymentRequest.status == "approved",
            PaymentRequest.request_date >= first, PaymentRequest.request_date < after).order_by(PaymentRequest.id)).all()
        if pending:
            raise AccountError({"period": f"{period_label(period)}尚有 {len(pending)} 笔已审批未记账的收付款申请（"
                                          + "、".join(f"#{i}" for i in pending[:10]) + "），请先记账再结账"})
        if row is None:
            row = PeriodClose(org_id=org.id, region_code=org.region_code, period=period, status="closed",
                              closed_by_id=actor.user_id, closed_at=utcnow())
            s.add(row)
        else:
            row.status, row.closed_by_id, row.closed_at = "closed", actor.user_id, utcnow()
        s.flush()
        log(s, key, actor, org.region_code, f"结账：{org.name} {period_label(period)}", org_id=org.id, period=period)
        return row.id


def reopen_period(url: str, key: str, actor: Actor, close_id: int, expected_version: int, reason: str | None) -> None:
    """反结账: only a township leader with review-and-approval may reopen a closed month, with a reason; logged."""
    ensure(actor, Action.MONTH_REOPEN)
    if not (reason or "").strip():
        raise AccountError({"reason": "请填写反结账原因"})
    with transaction(url, actor) as s:
        row = load_for_write(s, PeriodClose, close_id, actor, expected_version, noun="该结账记录",
                             action=Action.MONTH_REOPEN)
        if row.status != "closed":
            raise AccountError({"period": f"{period_label(row.period)}未结账，无需反结账"})
        org = s.get(CollectiveOrg, row.org_id)
        row.status = "reopened"
        row.note = ((row.note or "") + f"\n{utcnow().astimezone(clock.CST):%Y-%m-%d} {actor.username} 反结账："
                    f"{reason.strip()}").strip()
        log(s, key, actor, org.region_code, f"反结账：{org.name} {period_label(row.period)}，原因：{reason.strip()}",
            org_id=org.id, period=row.period)
