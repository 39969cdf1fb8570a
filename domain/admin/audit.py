"""The security log (Art. J36, X56): append-only and tamper-evident.

Each entry carries ``mac = HMAC-SHA256(key, prev_mac ‖ canonical fields)`` where ``prev_mac`` is
the previous entry's ``mac``. The key is the setting ``AUDIT_KEY`` (a file outside the database),
so someone who can edit the database cannot recompute the chain: changing, inserting or deleting
a row breaks it at that row. This module is the pure chain (MACs, anchors, the walk); storage,
``verify`` over the table and retention live in ``data.admin.audit_log`` (``python -m data.admin.audit_log
verify``).
"""
from __future__ import annotations

import datetime as dt

import hashlib
import hmac
import json
from dataclasses import dataclass

GENESIS = "0" * 64
RETENTION_MONTHS = 6

#: Event types and their Chinese labels (the log page shows these).
EVENT_TYPES = {
    "sign_in": "登录", "sign_in_failed": "登录失败", "sign_out": "退出", "lockout": "账号锁定",
    "session_end": "会话结束", "permission_denied": "越权访问", "data_change": "数据变更", "export": "数据导出",
    "approval": "审批", "sharing": "数据共享", "backup": "备份", "restore": "恢复", "password_change": "修改密码",
    "account": "账号管理", "maintenance": "停机维护", "audit_review": "日志审查", "audit_purge": "日志清理",
    "calendar": "工作日历", "register": "安全台账",
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


def anchor_mac(key, before_id: int, prev_mac: str) -> str:
    return hmac.new(_key(key), f"anchor|{before_id}|{prev_mac}".encode(), hashlib.sha256).hexdigest()


@dataclass(frozen=True)
class Verification:
    ok: bool
    checked: int
    first_bad_id: int | None = None
    reason: str = ""
    #: the whole message when the chain itself holds but its end does not match the signed head
    summary: str = ""

    def message(self) -> str:
        if self.ok:
            return f"安全日志完整：已校验 {self.checked} 条记录"
        return self.summary or f"安全日志校验失败：第一条异常记录 id={self.first_bad_id}（{self.reason}）"


#: How far the signed head may lag behind the table (entries appended after it) and still be
#: accepted: the head is written just after each commit, so a crash between the two, or writers
#: committing at the same moment, leave it a few entries behind. Those entries must still verify
#: through the chain; more than this many is reported (the head is not being kept).
HEAD_SLACK = 20


def head_mac(key: str | bytes, last_id: int, last_mac: str) -> str:
    return hmac.new(_key(key), f"head|{last_id}|{last_mac}".encode(), hashlib.sha256).hexdigest()


def head_holds(key: str | bytes, head: dict) -> bool:
    """Whether a head's signature holds (it was written with AUDIT_KEY)."""
    return hmac.compare_digest(head_mac(key, int(head["id"]), str(head["mac"])), str(head.get("sig", "")))


def check_head(key: str | bytes, head: dict | None, walked: Verification, at_head: str | None, last_id: int | None,
               after: int, purged: bool = False) -> Verification:
    """The chain's end against its signed head (`{"id", "mac", "sig"}`, kept outside the table):
    `at_head` is the mac of the table's entry with the head's id (None if there is none),
    `last_id` the table's newest id, `after` the number of entries newer than the head, `purged`
    whether retention removed the head's entry (its id is below the retention anchor).

    The rule: the head's signature must hold; the entry it names must be in the table with the
    same mac (else the newest entries were deleted, or deleted and replaced), unless the purge
    removed it; at most HEAD_SLACK
    entries may follow it (they have verified through the chain already). A missing head is
    accepted only for an empty log."""
    if not walked.ok:
        return walked
    if head is None:
        if last_id is None:
            return walked
        return Verification(False, walked.checked, None, "链头缺失",
                            "安全日志校验失败：链头文件缺失，无法确认末尾记录未被删除")
    if not head_holds(key, head):
        return Verification(False, walked.checked, int(head["id"]), "链头被篡改", "安全日志校验失败：链头文件被篡改")
    hid = int(head["id"])
    if not purged and (at_head is None or not hmac.compare_digest(at_head, str(head["mac"]))):
        tail = f"表中最后一条为 id={last_id}" if last_id is not None else "表中已无记录"
        return Verification(False, walked.checked, hid, "末尾记录被删除",
                            f"安全日志末尾记录被删除：链头记录 id={hid}{'不在表中' if at_head is None else '已被替换'}，"
                            f"{tail}")
    if after > HEAD_SLACK:
        return Verification(False, walked.checked, hid, "链头落后",
                            f"安全日志校验失败：链头落后于日志 {after} 条（容许 {HEAD_SLACK} 条），链头未随写入更新")
    return walked


def verify_chain(rows, key: str | bytes, anchor: dict | None) -> Verification:
    """Walk `rows` (in id order) from the retention `anchor` (or the genesis); report the first
    entry whose link or MAC does not hold."""
    expected, first_id = GENESIS, None
    if anchor is not None:
        if not hmac.compare_digest(anchor_mac(key, anchor["before_id"], anchor["prev_mac"]), anchor.get("mac", "")):
            return Verification(False, 0, anchor["before_id"], "保留锚点被篡改")
        expected, first_id = anchor["prev_mac"], anchor["before_id"]
    n = 0
    for row in rows:
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
