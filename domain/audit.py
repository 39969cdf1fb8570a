"""The security log (Art. J36, X56): append-only and tamper-evident.

Each entry carries ``mac = HMAC-SHA256(key, prev_mac ‖ canonical fields)`` where ``prev_mac`` is
the previous entry's ``mac``. The key is the setting ``AUDIT_KEY`` (a file outside the database),
so someone who can edit the database cannot recompute the chain: changing, inserting or deleting
a row breaks it at that row. ``python -m domain.audit verify`` walks the chain and names the
first bad entry. Retention (``purge``) deletes only a prefix of entries older than six calendar
months and leaves a keyed anchor so that the shortened chain still verifies.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import threading
from dataclasses import dataclass

from sqlalchemy import delete, func, select, text
from sqlalchemy.orm import Session

from data.models import AuditLog, Setting, utcnow

GENESIS = "0" * 64
RETENTION_MONTHS = 6
CST = dt.timezone(dt.timedelta(hours=8))
_HEAD, _ANCHOR = "audit_head", "audit_anchor"
_LOCK = threading.Lock()
_PG_LOCK_ID = 0x41554454  # "AUDT"

#: Event types and their Chinese labels (the log page shows these).
EVENT_TYPES = {
    "sign_in": "登录", "sign_in_failed": "登录失败", "sign_out": "退出", "lockout": "账号锁定",
    "session_end": "会话结束", "permission_denied": "越权访问", "data_change": "数据变更", "export": "数据导出",
    "approval": "审批", "sharing": "数据共享", "backup": "备份", "restore": "恢复", "password_change": "修改密码",
    "account": "账号管理", "maintenance": "停机维护", "audit_review": "日志审查", "audit_purge": "日志清理",
}


def _key(key: str | bytes) -> bytes:
    return key.encode() if isinstance(key, str) else key


def _canonical(at: dt.datetime, actor_id, actor, type_, description, result, region_code, ip, detail) -> bytes:
    at_utc = (at if at.tzinfo else at.replace(tzinfo=dt.UTC)).astimezone(dt.UTC)
    fields = [at_utc.isoformat(timespec="microseconds"), actor_id, actor, type_, description, result,
              None if region_code is None else int(region_code), ip, detail]
    return json.dumps(fields, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str).encode()


def compute_mac(key: str | bytes, prev_mac: str, row) -> str:
    payload = prev_mac.encode() + b"|" + _canonical(row.at, row.actor_id, row.actor, row.type, row.description,
                                                    row.result, row.region_code, row.ip, row.detail)
    return hmac.new(_key(key), payload, hashlib.sha256).hexdigest()


def _anchor_mac(key, before_id: int, prev_mac: str) -> str:
    return hmac.new(_key(key), f"anchor|{before_id}|{prev_mac}".encode(), hashlib.sha256).hexdigest()


def _lock_chain(s: Session) -> None:
    """Serialise appends so two writers never chain to the same predecessor."""
    if s.get_bind().dialect.name == "postgresql":
        s.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _PG_LOCK_ID})
    # SQLite transactions begin IMMEDIATE (data.db), so the writer already holds the lock.


def record(s: Session, key: str | bytes, *, actor: str, type: str, description: str, result: str,  # noqa: A002
           actor_id: int | None = None, region_code: int | None = None, ip: str | None = None,
           detail: dict | None = None, at: dt.datetime | None = None) -> AuditLog:
    """Append one entry inside the caller's transaction (it commits or rolls back with it)."""
    with _LOCK:
        _lock_chain(s)
        prev = s.scalar(select(AuditLog.mac).order_by(AuditLog.id.desc()).limit(1))
        if prev is None:
            anchor = s.get(Setting, _ANCHOR)
            prev = anchor.value["prev_mac"] if anchor else GENESIS
        row = AuditLog(at=at or utcnow(), actor_id=actor_id, actor=actor[:64], type=type, description=description,
                       result=result, region_code=region_code, ip=ip, detail=detail, prev_mac=prev)
        row.mac = compute_mac(key, prev, row)
        s.add(row)
        s.flush()
        return row


@dataclass(frozen=True)
class Verification:
    ok: bool
    checked: int
    first_bad_id: int | None = None
    reason: str = ""

    def message(self) -> str:
        if self.ok:
            return f"安全日志完整：已校验 {self.checked} 条记录"
        return f"安全日志校验失败：第一条异常记录 id={self.first_bad_id}（{self.reason}）"


def verify(s: Session, key: str | bytes) -> Verification:
    """Walk the chain in id order; report the first entry whose link or MAC does not hold."""
    anchor = s.get(Setting, _ANCHOR)
    expected, first_id = GENESIS, None
    if anchor is not None:
        a = anchor.value
        if not hmac.compare_digest(_anchor_mac(key, a["before_id"], a["prev_mac"]), a.get("mac", "")):
            return Verification(False, 0, a["before_id"], "保留锚点被篡改")
        expected, first_id = a["prev_mac"], a["before_id"]
    n = 0
    for row in s.scalars(select(AuditLog).order_by(AuditLog.id).execution_options(yield_per=2000)):
        if n == 0 and first_id is not None and row.id < first_id:
            return Verification(False, n, row.id, "早于保留锚点的记录")
        if row.prev_mac != expected:
            return Verification(False, n, row.id, "与前一条记录的链接不一致（前面的记录被删除、插入或修改）")
        if not hmac.compare_digest(compute_mac(key, row.prev_mac, row), row.mac):
            return Verification(False, n, row.id, "记录内容与校验码不符（记录被修改）")
        expected = row.mac
        n += 1
    return Verification(True, n)


def retention_cutoff(today: dt.date, months: int = RETENTION_MONTHS) -> dt.date:
    """The same day `months` calendar months earlier (clamped to the month's end)."""
    y, m = divmod(today.year * 12 + today.month - 1 - months, 12)
    m += 1
    for day in (today.day, 30, 29, 28):
        try:
            return dt.date(y, m, day)
        except ValueError:
            continue
    raise AssertionError("unreachable")


def purge(s: Session, key: str | bytes, today: dt.date, *, actor: str = "system",
          months: int = RETENTION_MONTHS) -> int:
    """Delete the oldest entries dated (in +08:00) before the retention cutoff; keep everything
    from the cutoff day on. Only a prefix of the chain is removed, and an anchor is kept so that
    the remainder still verifies. Returns the number of entries deleted."""
    cutoff = retention_cutoff(today, max(months, RETENTION_MONTHS))
    cutoff_utc = dt.datetime.combine(cutoff, dt.time(), CST).astimezone(dt.UTC)
    with _LOCK:
        _lock_chain(s)
        keep_from = s.scalar(select(func.min(AuditLog.id)).where(AuditLog.at >= cutoff_utc))
        if keep_from is None:
            keep_from = (s.scalar(select(func.max(AuditLog.id))) or 0) + 1
        last_deleted = s.scalar(select(AuditLog).where(AuditLog.id < keep_from).order_by(AuditLog.id.desc()).limit(1))
        if last_deleted is None:
            return 0
        n = s.execute(delete(AuditLog).where(AuditLog.id < keep_from)).rowcount
        value = {"before_id": int(keep_from), "prev_mac": last_deleted.mac, "cutoff": cutoff.isoformat()}
        value["mac"] = _anchor_mac(key, value["before_id"], value["prev_mac"])
        s.merge(Setting(key=_ANCHOR, value=value))
        s.flush()
    record(s, key, actor=actor, type="audit_purge", description=f"清理 {cutoff.isoformat()} 之前的安全日志 {n} 条",
           result="success", detail={"deleted": n, "cutoff": cutoff.isoformat()})
    return n


def main(argv: list[str] | None = None) -> int:
    import argparse

    from data.db import transaction
    from settings import Settings

    ap = argparse.ArgumentParser(prog="python -m domain.audit", description="安全日志校验与清理")
    sub = ap.add_subparsers(dest="cmd", required=True)
    sub.add_parser("verify", help="校验安全日志链，指出第一条异常记录")
    p = sub.add_parser("purge", help="清理超过保留期（至少6个月）的安全日志")
    p.add_argument("--today", type=dt.date.fromisoformat, default=dt.datetime.now(CST).date())
    args = ap.parse_args(argv)
    cfg = Settings.from_env()
    with transaction(cfg.database_url) as s:
        if args.cmd == "verify":
            result = verify(s, cfg.audit_key)
            print(result.message())
            return 0 if result.ok else 1
        print(f"已清理 {purge(s, cfg.audit_key, args.today)} 条")
        return 0


if __name__ == "__main__":
    raise SystemExit(main())
