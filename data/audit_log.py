"""Reading the security log within a scope, and the monthly review sign-off (Art. J36)."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import polars as pl
from sqlalchemy import and_, func, or_, select
from sqlalchemy.exc import IntegrityError

from data.db import transaction
from data.models import AuditLog, AuditReview, User
from domain import audit
from domain.audit import CST, EVENT_TYPES
from domain.money import period_label
from domain.permissions import Perm, PermissionDenied, Scope

COLUMNS = {"id": "序号", "at": "时间（北京时间）", "actor": "操作人", "type_label": "类型", "description": "描述",
           "result": "结果", "region_code": "区划代码", "ip": "来源地址"}
MAX_ROWS = 20_000


@dataclass(frozen=True)
class LogFilter:
    start: dt.date | None = None
    end: dt.date | None = None
    types: tuple[str, ...] = ()
    actor: str | None = None
    result: str | None = None


def _scope_condition(scope: Scope):
    """Entries about the caller's jurisdiction; entries with no region (e.g. failed sign-ins of
    unknown names) only for province-wide administrators."""
    cond = or_(*[AuditLog.region_code.between(lo, hi) for lo, hi in scope.ranges])
    if scope.root % 10**10 == 0:
        cond = or_(cond, AuditLog.region_code.is_(None))
    return cond


def _where(scope: Scope, f: LogFilter):
    if not scope.has(Perm.PLATFORM_MAINTENANCE):
        raise PermissionDenied("缺少权限：平台维护")
    conds = [_scope_condition(scope)]
    if f.start:
        conds.append(AuditLog.at >= dt.datetime.combine(f.start, dt.time(), CST))
    if f.end:
        conds.append(AuditLog.at < dt.datetime.combine(f.end + dt.timedelta(days=1), dt.time(), CST))
    if f.types:
        conds.append(AuditLog.type.in_(f.types))
    if f.actor:
        conds.append(AuditLog.actor.contains(f.actor.strip(), autoescape=True))
    if f.result:
        conds.append(AuditLog.result == f.result)
    return and_(*conds)


def entries(url: str, scope: Scope, f: LogFilter, limit: int = MAX_ROWS) -> pl.DataFrame:
    """Newest first, at most `limit` rows, times in +08:00."""
    with transaction(url) as s:
        rows = s.execute(select(AuditLog.id, AuditLog.at, AuditLog.actor, AuditLog.type, AuditLog.description,
                                AuditLog.result, AuditLog.region_code, AuditLog.ip)
                         .where(_where(scope, f)).order_by(AuditLog.id.desc()).limit(limit)).all()
    frame = pl.DataFrame([r._asdict() for r in rows], schema={
        "id": pl.Int64, "at": pl.Datetime("us", "UTC"), "actor": pl.String, "type": pl.String,
        "description": pl.String, "result": pl.String, "region_code": pl.Int64, "ip": pl.String}, orient="row")
    return frame.with_columns(
        pl.col("at").dt.convert_time_zone("Asia/Shanghai").dt.strftime("%Y-%m-%d %H:%M:%S").alias("at"),
        pl.col("type").replace_strict(EVENT_TYPES, default=pl.col("type")).alias("type_label"))


def month_bounds(month: int) -> tuple[dt.datetime, dt.datetime]:
    y, m = divmod(month, 100)
    start = dt.datetime(y, m, 1, tzinfo=CST)
    end = dt.datetime(y + (m == 12), m % 12 + 1, 1, tzinfo=CST)
    return start, end


def reviews(url: str, scope: Scope) -> list[dict]:
    with transaction(url) as s:
        rows = s.execute(select(AuditReview, User.display_name).join(User, User.id == AuditReview.reviewed_by_id)
                         .where(AuditReview.region_code == scope.root).order_by(AuditReview.month.desc())).all()
        return [{"month": r.month, "by": name, "at": r.at.astimezone(CST).strftime("%Y-%m-%d %H:%M"),
                 "entries": r.entries, "failures": r.failures, "chain_ok": r.chain_ok, "note": r.note}
                for r, name in rows]


def sign_off(url: str, key: str, scope: Scope, actor: str, month: int, note: str | None,
             now: dt.datetime) -> dict:
    """Record that `actor` reviewed the log of `month` for their jurisdiction. The month must be
    over; the chain is verified as part of the review."""
    if not scope.has(Perm.PLATFORM_MAINTENANCE):
        raise PermissionDenied("缺少权限：平台维护")
    start, end = month_bounds(month)
    if end > now:
        raise ValueError("只能审查已结束的月份")
    with transaction(url) as s:
        in_month = and_(_scope_condition(scope), AuditLog.at >= start, AuditLog.at < end)
        n = s.scalar(select(func.count()).where(in_month)) or 0
        failures = s.scalar(select(func.count()).where(in_month, AuditLog.result != "success")) or 0
        check = audit.verify(s, key)
        s.add(AuditReview(month=month, region_code=scope.root, reviewed_by_id=scope.user_id, at=now, entries=n,
                          failures=failures, chain_ok=check.ok, note=note))
        try:
            s.flush()
        except IntegrityError:
            raise ValueError(f"{period_label(month)}的日志已审查过") from None
        audit.record(s, key, actor=actor, actor_id=scope.user_id, type="audit_review",
                     description=f"审查{period_label(month)}安全日志：{n} 条，其中非成功 {failures} 条；"
                                 f"{check.message()}", result="success" if check.ok else "chain_broken",
                     region_code=scope.root, detail={"month": month})
        return {"entries": n, "failures": failures, "chain_ok": check.ok, "message": check.message()}


def log_export(url: str, key: str, scope: Scope, actor: str, what: str, rows: int, ip: str | None) -> None:
    with transaction(url) as s:
        audit.record(s, key, actor=actor, actor_id=scope.user_id, type="export", description=f"导出{what}（{rows} 行）",
                     result="success", region_code=scope.root, ip=ip)
