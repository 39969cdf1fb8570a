"""Credit repair rules (信用修复, 《信用修复管理办法》 2026-04-01), plain Python.

- Only a dishonest record that still takes effect (status `active`, its effect not ended, still in
  its publicity period) can be repaired.
- Not before `repair_open_from(severity, decided_on)` (the minimum publicity period): before that
  the refusal names the first day one may apply.
- With a reason and evidence (at least one file); one open application per record.
- The data management unit decides (never on its own application: the access table's not_by);
  a refusal gives its reasons; an approval ends the record's effect on the decision day.
"""
from __future__ import annotations

import datetime as dt

from domain.credit.publicity import in_publicity, repair_open_from

STATUSES = {"submitted": "待决定", "approved": "已批准修复", "rejected": "不予修复"}
REASON_MIN, REASON_MAX = 5, 2000
COMMENT_MAX = 500
DEFAULT_SEVERITY = "ordinary"


def record_problem(kind: str, status: str, severity: str | None, occurred_on: dt.date, publicity_until: dt.date | None,
                   ended_on: dt.date | None, today: dt.date) -> str | None:
    """Why this record cannot be repaired on `today` (Chinese), or None."""
    if kind != "dishonest":
        return "只有失信信息可以申请信用修复"
    if status != "active" or (ended_on is not None and ended_on <= today):
        return "该失信信息已修复、修正或撤销，不能再申请信用修复"
    if not in_publicity(publicity_until, today):
        return "该失信信息公示期已满，已不再计入信用评价，无需申请信用修复"
    opens = repair_open_from(severity or DEFAULT_SEVERITY, occurred_on)
    if today < opens:
        return f"最短公示期未满：该失信信息自 {opens.isoformat()} 起方可申请信用修复"
    return None


def application_problems(reason: str | None, files: int, open_application: bool) -> dict[str, str]:
    """The field errors of an application (reason, evidence), in Chinese."""
    errors: dict[str, str] = {}
    text = (reason or "").strip()
    if len(text) < REASON_MIN:
        errors["reason"] = f"请填写申请理由（不少于{REASON_MIN}个字）"
    elif len(text) > REASON_MAX:
        errors["reason"] = f"申请理由不能超过{REASON_MAX}个字"
    if files < 1:
        errors["evidence"] = "请上传信用修复证明材料（已履行义务、纠正失信行为的证明）"
    if open_application:
        errors["record"] = "该失信信息已有待决定的修复申请"
    return errors


def decision_problems(status: str, approve: bool, comment: str | None) -> dict[str, str]:
    if status != "submitted":
        return {"decision": "该修复申请已决定，不能再次决定"}
    text = (comment or "").strip()
    if not approve and not text:
        return {"comment": "不予修复须写明理由"}
    if len(text) > COMMENT_MAX:
        return {"comment": f"决定意见不能超过{COMMENT_MAX}个字"}
    return {}
