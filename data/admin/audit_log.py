"""The security log's storage (Art. J36): appending to the HMAC chain (`domain.admin.audit`), verifying
the stored chain, retention, reading it within a scope, and the monthly review sign-off.

``python -m data.admin.audit_log verify`` checks the chain and names the first bad entry;
``... purge`` deletes only entries older than six calendar months."""
from __future__ import annotations

import datetime as dt
import fcntl
import hashlib
import json
import logging
import os
import threading
from dataclasses import dataclass
from pathlib import Path

import polars as pl
from sqlalchemy import and_, delete, event, func, or_, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from data.db import reading, transaction
from data.models import AuditLog, AuditReview, Setting, User, utcnow
from data.scoped import in_scope
from domain import clock
from domain.admin import audit
from domain.clock import CST
from domain.labels import label_expr
from domain.permissions import Action, Scope, ensure
from domain.money import period_label
from data import forksafe

COLUMNS = {"id": "序号", "at": "时间（北京时间）", "actor": "操作人", "type_label": "类型", "description": "描述",
           "result_label": "结果", "region_code": "区划代码", "ip": "来源地址"}
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
    cond = in_scope(AuditLog.region_code, scope)
    if scope.root % 10**10 == 0:
        cond = or_(cond, AuditLog.region_code.is_(None))
    return cond


def _where(scope: Scope, f: LogFilter):
    ensure(scope, Action.AUDIT_VIEW)
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
    with reading(url) as s:
        rows = s.execute(select(AuditLog.id, AuditLog.at, AuditLog.actor, AuditLog.type, AuditLog.description,
                                AuditLog.result, AuditLog.region_code, AuditLog.ip)
                         .where(_where(scope, f)).order_by(AuditLog.id.desc()).limit(limit)).all()
    frame = pl.DataFrame([r._asdict() for r in rows], schema={
        "id": pl.Int64, "at": pl.Datetime("us", "UTC"), "actor": pl.String, "type": pl.String,
        "description": pl.String, "result": pl.String, "region_code": pl.Int64, "ip": pl.String}, orient="row")
    return frame.with_columns(
        pl.col("at").dt.convert_time_zone("Asia/Shanghai").dt.strftime("%Y-%m-%d %H:%M").alias("at"),
        label_expr("actor", "actor").alias("actor"), label_expr("audit_event", "type").alias("type_label"),
        label_expr("audit_result", "result").alias("result_label"))


def month_bounds(month: int) -> tuple[dt.datetime, dt.datetime]:
    y, m = divmod(month, 100)
    start = dt.datetime(y, m, 1, tzinfo=CST)
    end = dt.datetime(y + (m == 12), m % 12 + 1, 1, tzinfo=CST)
    return start, end


def reviews(url: str, scope: Scope) -> list[dict]:
    with reading(url) as s:
        rows = s.execute(select(AuditReview, User.display_name).join(User, User.id == AuditReview.reviewed_by_id)
                         .where(AuditReview.region_code == scope.root).order_by(AuditReview.month.desc())).all()
        return [{"month": r.month, "by": name, "at": r.at.astimezone(CST).strftime("%Y-%m-%d %H:%M"),
                 "entries": r.entries, "failures": r.failures, "chain_ok": r.chain_ok, "note": r.note}
                for r, name in rows]


def sign_off(url: str, key: str, scope: Scope, actor: str, month: int, note: str | None,
             now: dt.datetime) -> dict:
    """Record that `actor` reviewed the log of `month` for their jurisdiction. The month must be
    over; the chain is verified as part of the review."""
    ensure(scope, Action.AUDIT_REVIEW)
    start, end = month_bounds(month)
    if end > now:
        raise ValueError("只能审查已结束的月份")
    with transaction(url) as s:
        in_month = and_(_scope_condition(scope), AuditLog.at >= start, AuditLog.at < end)
        n = s.scalar(select(func.count()).where(in_month)) or 0
        failures = s.scalar(select(func.count()).where(in_month, AuditLog.result != "success")) or 0
        check = verify(s, key)
        s.add(AuditReview(month=month, region_code=scope.root, reviewed_by_id=scope.user_id, at=now, entries=n,
                          failures=failures, chain_ok=check.ok, note=note))
        try:
            s.flush()
        except IntegrityError:
            raise ValueError(f"{period_label(month)}的日志已审查过") from None
        record(s, key, actor=actor, actor_id=scope.user_id, type="audit_review",
                     description=f"审查{period_label(month)}安全日志：{n} 条，其中非成功 {failures} 条；"
                                 f"{check.message()}", result="success" if check.ok else "chain_broken",
                     region_code=scope.root, detail={"month": month})
        return {"entries": n, "failures": failures, "chain_ok": check.ok, "message": check.message()}


def log_export(url: str, key: str, scope: Scope, actor: str, what: str, rows: int, ip: str | None) -> None:
    with transaction(url) as s:
        record(s, key, actor=actor, actor_id=scope.user_id, type="export", description=f"导出{what}（{rows} 行）",
                     result="success", region_code=scope.root, ip=ip)


# ---------------------------------------------------------------- storage of the chain

_ANCHOR = "audit_anchor"
_LOCK = forksafe.Lock()
_PG_LOCK_ID = 0x41554454  # "AUDT"


def _lock_chain(s: Session) -> None:
    """Serialise appends so two writers never chain to the same predecessor."""
    if s.get_bind().dialect.name == "postgresql":
        s.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _PG_LOCK_ID})
    # SQLite transactions begin IMMEDIATE (data.db), so the writer already holds the lock.


def record(s: Session, key: str | bytes, *, actor: str, type: str, description: str, result: str,
           actor_id: int | None = None, region_code: int | None = None, ip: str | None = None,
           detail: dict | None = None, at: dt.datetime | None = None) -> AuditLog:
    """Append one entry inside the caller's transaction (it commits or rolls back with it)."""
    with _LOCK:
        _lock_chain(s)
        prev, first_id = s.scalar(select(AuditLog.mac).order_by(AuditLog.id.desc()).limit(1)), None
        if prev is None:
            anchor = s.get(Setting, _ANCHOR)
            prev = anchor.value["prev_mac"] if anchor else audit.GENESIS
            # after a purge that emptied the table, continue from the anchor's id (SQLite would
            # otherwise start again at 1, before the anchor)
            first_id = int(anchor.value["before_id"]) if anchor else None
        row = AuditLog(id=first_id, at=at or utcnow(), actor_id=actor_id, actor=actor[:64], type=type,
                       description=description, result=result, region_code=region_code, ip=ip, detail=detail,
                       prev_mac=prev)
        row.mac = audit.compute_mac(key, prev, row)
        s.add(row)
        s.flush()
        _head_after_commit(s, key, row)
        return row


def log_change(s: Session, key: str | bytes, actor, region: int, description: str, **detail) -> AuditLog:
    """The entry of a business change by `actor` (a `domain.permissions.Actor`) about a record of
    `region`, in the change's own transaction; `detail` is kept with it."""
    return record(s, key, actor=actor.username, actor_id=actor.user_id, type="data_change", description=description,
                  result="success", region_code=region, ip=actor.ip, detail=detail or None)


def verify(s: Session, key: str | bytes) -> audit.Verification:
    """Walk the stored chain in id order; report the first entry whose link or MAC does not hold;
    then hold its end against the signed head (`audit.check_head`), when the database has one."""
    anchor = s.get(Setting, _ANCHOR)
    rows = s.scalars(select(AuditLog).order_by(AuditLog.id).execution_options(yield_per=2000))
    walked = audit.verify_chain(rows, key, anchor.value if anchor else None)
    path = head_path(s)
    if path is None:
        return walked
    head = current_head(s, key, path)
    last_id = s.scalar(select(func.max(AuditLog.id)))
    at_head = s.scalar(select(AuditLog.mac).where(AuditLog.id == head["id"])) if head else None
    after = s.scalar(select(func.count()).where(AuditLog.id > head["id"])) if head else 0
    return audit.check_head(key, head, walked, at_head, last_id, after or 0, head is not None and _purged(s, head))


def _purged(s: Session, head: dict) -> bool:
    """Whether retention removed the head's entry (it lies before the retention anchor)."""
    anchor = s.get(Setting, _ANCHOR)
    return anchor is not None and head["id"] < int(anchor.value["before_id"])


# ---------------------------------------------------------------- the signed head, outside the table
#
# Deleting the newest entries leaves a chain that still verifies, so its end is anchored outside
# the database: after each commit that appended entries, the last one's id and mac, HMAC'd with
# AUDIT_KEY, are written to a file in DATA_DIR (temp file + os.replace). The head only moves
# forward (a file naming a newer id is kept), and a failed write is logged, never raised: the
# data is committed already. `verify` applies the rule in `domain.admin.audit.check_head`.
#
# Several writer processes: the chain itself never forks (every append locks it first:
# `_lock_chain`, and SQLite's IMMEDIATE transactions; tests/test_shared_state.py appends from two
# processes at once). The head file's read-compare-replace runs under an exclusive `fcntl` lock on
# a lock file beside it, so the workers of one machine never move it backwards. Several machines:
# each keeps its own file, which only its own appends move; with REDIS_URL set the head is also
# kept in Redis (`shared.advance`, forward-only, a system apart from the database, like the file)
# and `verify` holds the chain against the newer of the two signed heads, so a machine that wrote
# little or nothing still verifies. Without Redis, give the machines one DATA_DIR for the head
# (a shared volume) or verify on the machine that writes most (see README, Production).

_HEADS: dict[str, Path] = {}
_URLS: dict[str, str] = {}
_HEAD_LOCK = forksafe.Lock()
_SHARED_HEAD = "audit-head"
log = logging.getLogger(__name__)


def _url_key(url) -> str:
    return make_url(url).render_as_string(hide_password=False)


def use_head_file(url: str, data_dir: Path) -> Path:
    """Keep the signed head of the log in database `url` in `data_dir` (the app, the demo
    generator and the command line call this with their settings)."""
    key = _url_key(url)
    path = Path(data_dir) / f"audit-head-{hashlib.sha256(key.encode()).hexdigest()[:12]}.json"
    _HEADS[key] = path
    _URLS[key] = url
    return path


def head_path(s: Session) -> Path | None:
    return _HEADS.get(_url_key(s.get_bind().url))


def _redis_store(s: Session):
    """The shared store of this database when it is Redis (the shared head lives there), else None."""
    url = _URLS.get(_url_key(s.get_bind().url))
    if url is None:
        return None
    from data.runtime.shared import for_url

    got = for_url(url)
    return got if got.backend == "redis" else None


def current_head(s: Session, key: str | bytes, path: Path) -> dict | None:
    """The head `verify` holds the chain against: the file's; or the shared one (Redis) when it
    is newer and its signature holds (a file whose signature fails is returned as it is: that is
    reported)."""
    head = read_head(path)
    if head is not None and not audit.head_holds(key, head):
        return head
    remote = _redis_store(s)
    if remote is not None:
        try:
            got = remote.advanced(_SHARED_HEAD)
            other = json.loads(got[1]) if got else None
        except Exception:  # Redis unreachable: the file alone
            log.exception("security log head in Redis not read")
            other = None
        if (isinstance(other, dict) and isinstance(other.get("id"), int) and audit.head_holds(key, other)
                and (head is None or other["id"] > head["id"])):
            return other
    return head


def read_head(path: Path) -> dict | None:
    try:
        value = json.loads(path.read_text())
    except (OSError, ValueError):
        return None
    ok = isinstance(value, dict) and isinstance(value.get("id"), int) and all(
        isinstance(value.get(k), str) for k in ("mac", "sig"))
    return value if ok else None


def _head_after_commit(s: Session, key, row: AuditLog) -> None:
    """Move the head to `row` once the transaction commits, unless the current head no longer
    holds (its entry gone or changed, and not by the purge): then the newest entries were deleted,
    and the head stays where it is so that `verify` keeps reporting it."""
    path = head_path(s)
    if path is None:
        return
    current = current_head(s, key, path)
    if current is not None and audit.head_holds(key, current) and not _purged(s, current):
        if s.scalar(select(AuditLog.mac).where(AuditLog.id == current["id"])) != current["mac"]:
            return
    if "audit_head" not in s.info:
        event.listen(s, "after_commit", _write_head)
    s.info["audit_head"] = (path, key, int(row.id), row.mac, _redis_store(s))


def _write_head(s: Session) -> None:
    pending = s.info.pop("audit_head", None)
    if pending is None:
        return
    path, key, last_id, last_mac, remote = pending
    value = {"id": last_id, "mac": last_mac, "sig": audit.head_mac(key, last_id, last_mac)}
    if remote is not None:
        try:
            remote.advance(_SHARED_HEAD, last_id, json.dumps(value).encode())
        except Exception:
            log.exception("security log head not written to Redis")
    with _HEAD_LOCK:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            with open(path.with_name(path.name + ".lock"), "a") as lock:
                fcntl.flock(lock, fcntl.LOCK_EX)  # the other processes of this machine wait here
                current = read_head(path)
                if current is not None and current["id"] >= last_id and audit.head_holds(key, current):
                    return
                tmp = path.with_name(f"{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
                tmp.write_text(json.dumps(value))
                os.replace(tmp, path)
        except OSError:
            log.exception("security log head not written: %s", path)


def purge(s: Session, key: str | bytes, today: dt.date, *, actor: str = "system",
          months: int = audit.RETENTION_MONTHS) -> int:
    """Delete the oldest entries dated (in +08:00) before the retention cutoff; keep everything
    from the cutoff day on. Only a prefix of the chain is removed, and an anchor is kept so that
    the remainder still verifies. Returns the number of entries deleted."""
    cutoff = audit.retention_cutoff(today, max(months, audit.RETENTION_MONTHS))
    cutoff_utc = dt.datetime.combine(cutoff, dt.time(), clock.CST).astimezone(dt.UTC)
    with _LOCK:
        _lock_chain(s)
        keep_from = s.scalar(select(func.min(AuditLog.id)).where(AuditLog.at >= cutoff_utc))
        if keep_from is None:
            keep_from = (s.scalar(select(func.max(AuditLog.id))) or 0) + 1
        last_deleted = s.scalar(select(AuditLog).where(AuditLog.id < keep_from).order_by(AuditLog.id.desc()).limit(1))
        if last_deleted is None:
            return 0
        if s.get_bind().dialect.name == "postgresql":  # the append-only trigger lets only this through
            s.execute(text("SET LOCAL platform.audit_purge = 'on'"))
        n = s.execute(delete(AuditLog).where(AuditLog.id < keep_from)).rowcount
        if s.get_bind().dialect.name == "postgresql":
            s.execute(text("SET LOCAL platform.audit_purge = 'off'"))
        value = {"before_id": int(keep_from), "prev_mac": last_deleted.mac, "cutoff": cutoff.isoformat()}
        value["mac"] = audit.anchor_mac(key, value["before_id"], value["prev_mac"])
        s.merge(Setting(key=_ANCHOR, value=value))
        s.flush()
    record(s, key, actor=actor, type="audit_purge", description=f"清理 {cutoff.isoformat()} 之前的安全日志 {n} 条",
           result="success", detail={"deleted": n, "cutoff": cutoff.isoformat()})
    return n


def main(argv: list[str] | None = None) -> int:
    import argparse

    from settings import Settings

    ap = argparse.ArgumentParser(prog="python -m data.admin.audit_log", description="安全日志校验与清理")
    sub = ap.add_subparsers(dest="cmd", required=True)
    sub.add_parser("verify", help="校验安全日志链，指出第一条异常记录")
    p = sub.add_parser("purge", help="清理超过保留期（至少6个月）的安全日志")
    p.add_argument("--today", type=dt.date.fromisoformat, default=dt.datetime.now(clock.CST).date())
    args = ap.parse_args(argv)
    cfg = Settings.from_env()
    use_head_file(cfg.database_url, cfg.data_dir)
    with transaction(cfg.database_url) as s:
        if args.cmd == "verify":
            result = verify(s, cfg.audit_key)
            print(result.message())
            return 0 if result.ok else 1
        print(f"已清理 {purge(s, cfg.audit_key, args.today)} 条")
        return 0


if __name__ == "__main__":
    raise SystemExit(main())
