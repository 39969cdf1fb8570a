"""Data corrections (数据修正, Jiangxi Art. X45–X48): grounds, the fields a correction may change
per target (validated here, as an entry would be), the major/batch rule and the state machine.

The chain (Art. X48): 申请 (a county forestry bureau or the credit subject, with evidence) → 审核
(the data unit's handling department: an opinion) → 审批 (the unit's meeting: date, minutes
reference, approve or reject with reasons) → for major or batch corrections 省林业局审议 → 修正
(the county applies it: the target's fields change in that transaction, before/after kept).

Major or batch (`is_major`): more than `BATCH_THRESHOLD` targets in one application, or any
change to a forest right's ownership fields (`OWNERSHIP_FIELDS`: holder and right type). A major
correction cannot skip the bureau. A restriction-note correction (Art. X47(3), ground "3") never
changes ownership data: it only adds a 权利限制备注 to the forest right.
"""
from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal, InvalidOperation

from domain.credit.codes import AGE_CLASSES, FOREST_TYPES, RECORD_STATUSES, RIGHT_TYPES, SEVERITIES
from domain.money import yuan_text
from domain.text import put_text
from domain.citations import credit_article

ANSWER_WORKING_DAYS = 10
#: Art. X47: the six cases in which a correction may be asked
GROUNDS = {
    "1": "（一）林权数据：原林权证发证系统办理的林权登记数据",
    "2": "（二）不动产登记数据：与不动产登记数据库对接前办理的林权登记数据",
    "3": "（三）承包经营权实际未落户的林权：作权利限制备注，不改变权属数据",
    "4": "（四）依据的有权机关批准或正式文件废止、修改，相关数据变化",
    "5": "（五）信用主体认为已公示的信用数据错误、遗漏、到期或侵犯合法权益",
    "6": "（六）其他情况",
}
TARGETS = {"record": "信用记录", "right": "林权"}
BATCH_THRESHOLD = 10
OWNERSHIP_FIELDS = frozenset({"holder_identifier", "right_type"})
STATES = {"submitted": "待经办部门审核", "reviewed": "待会议决定", "bureau": "待省林业局审议", "approved": "待县级实施",
          "applied": "已修正", "rejected": "未予修正"}
OPEN_STATES = frozenset({"submitted", "reviewed", "bureau"})  # awaiting the reply (approved: awaiting the county)
#: the fields a correction may change, per target: label and kind (validated by `parse_value`)
FIELDS: dict[str, dict[str, tuple[str, str]]] = {
    "record": {"title": ("标题", "text"), "content": ("内容", "text"), "severity": ("失信程度", "severity"),
               "occurred_on": ("发生（决定）日期", "date"), "amount_fen": ("金额（元）", "money"),
               "document_no": ("文书号", "text"), "counterparty": ("相对方", "text"),
               "produced_by": ("产生部门", "text"), "status": ("状态", "status")},
    "right": {"certificate_no": ("证书号", "text"), "area_mu": ("面积（亩）", "area"),
              "forest_type": ("林种", "forest_type"), "species": ("优势树种", "text"),
              "age_class": ("龄组", "age_class"), "stand_age": ("林龄（年）", "int"), "stock_m3": ("蓄积（立方米）", "area"),
              "right_type": ("权利类型", "right_type"), "holder_identifier": ("权利人证照号码", "identifier"),
              "valid_from": ("起始日期", "date"), "valid_until": ("终止日期", "date")},
}
_VOCAB = {"severity": SEVERITIES, "status": RECORD_STATUSES, "forest_type": FOREST_TYPES, "age_class": AGE_CLASSES,
          "right_type": RIGHT_TYPES}
_MONEY = re.compile(r"^\d{1,12}(\.\d{1,2})?$")


def parse_value(target: str, name: str, raw, today: dt.date, identifier_problem=None):
    """(value, problem): the field's new value as stored, or a Chinese problem."""
    label, kind = FIELDS[target][name]
    text = str(raw).strip().replace(",", "") if raw is not None else ""
    if not text and kind not in ("text",):
        return None, f"请填写{label}的新值"
    if kind == "text":
        if len(text) > 200:
            return None, f"{label}不超过200字"
        return (text or None), (None if text or name in ("content", "counterparty", "document_no")
                                else f"请填写{label}的新值")
    if kind in _VOCAB:
        vocab = _VOCAB[kind]
        key = next((k for k, v in vocab.items() if text in (k, v)), None)
        return (key, None) if key else (None, f"{label}须为：{'、'.join(vocab.values())}")
    if kind == "date":
        try:
            day = dt.date.fromisoformat(text)
        except ValueError:
            return None, f"{label}须为日期（yyyy-mm-dd）"
        return (day, None) if day <= today or name == "valid_until" else (None, f"{label}不能晚于今天")
    if kind == "money":
        if not _MONEY.match(text):
            return None, f"{label}须为不超过两位小数的非负金额"
        return int(Decimal(text) * 100), None
    if kind == "area":
        try:
            value = Decimal(text)
        except InvalidOperation:
            return None, f"{label}须为数字"
        if value <= 0 or value.as_tuple().exponent < -2 or value >= Decimal("1e12"):
            return None, f"{label}须为正数，最多两位小数"
        return value, None
    if kind == "int":
        if not text.isdigit() or not 0 < int(text) < 1000:
            return None, f"{label}须为1–999的整数"
        return int(text), None
    if kind == "identifier":
        problem = identifier_problem(text) if identifier_problem else None
        return (text, None) if not problem else (None, problem)
    raise ValueError(kind)


def value_label(target: str, name: str, value) -> str:
    """A stored new value as people read it (a vocabulary key as its Chinese label)."""
    kind = FIELDS[target][name][1]
    if kind in _VOCAB:
        return _VOCAB[kind].get(value, str(value))
    if kind == "money" and value not in (None, ""):
        return yuan_text(int(value), sep="")
    return "" if value is None else str(value)


def changes_problems(target: str, ground: str | None, changes: dict, today: dt.date,
                     identifier_problem=None) -> tuple[dict, dict[str, str]]:
    """(parsed {field: value}, errors): what a correction asks to change."""
    errors: dict[str, str] = {}
    if target not in TARGETS:
        return {}, {"target": "请选择修正对象（信用记录或林权）"}
    if ground not in GROUNDS:
        errors["ground"] = f"请选择修正情形（{credit_article('correction_ground')}）"
    parsed = {}
    if not changes and ground != "3":
        errors["changes"] = "请至少填写一个修正字段及其新值"
    for name, raw in (changes or {}).items():
        if name not in FIELDS[target]:
            errors["changes"] = f"字段“{name}”不能通过修正申请更改"
            continue
        value, problem = parse_value(target, name, raw, today, identifier_problem)
        if problem:
            errors["changes"] = problem
        else:
            parsed[name] = value
    if ground == "3":
        if target != "right":
            errors["ground"] = f"权利限制备注（{credit_article('correction_note')}）只适用于林权"
        elif set(parsed) - {"certificate_no"}:
            errors["changes"] = "权利限制备注不得改变林权权属数据，只能登记备注"
    return parsed, errors


def application_problems(description, evidence_count: int, target_ids: list, note) -> dict[str, str]:
    errors: dict[str, str] = {}
    put_text(errors, "description", description, "修正事由", 1000)
    if evidence_count < 1:
        errors["evidence"] = f"请上传证明材料（{credit_article('correction_evidence')}：附相关证明材料）"
    if not target_ids:
        errors["targets"] = "请选择要修正的记录"
    put_text(errors, "note", note, "备注", 500, required=False)
    return errors


def is_major(target: str, targets: int, fields) -> tuple[bool, str | None]:
    """Whether the correction goes to the provincial bureau (Art. X48 (三)) and why."""
    if targets > BATCH_THRESHOLD:
        return True, f"批量修正（{targets}条，超过{BATCH_THRESHOLD}条）"
    if target == "right" and set(fields) & OWNERSHIP_FIELDS:
        return True, "涉及林权权属变更"
    return False, None


def step_problems(step: str, status: str, major: bool, approve: bool, opinion, meeting_on=None, minutes_ref=None,
                  today: dt.date | None = None) -> dict[str, str]:
    """Why `step` (review | decide | bureau | execute) cannot be taken now."""
    need = {"review": "submitted", "decide": "reviewed", "bureau": "bureau", "execute": "approved"}[step]
    if status != need:
        return {"decision": f"该修正申请当前为“{STATES.get(status, status)}”，不能办理此步骤"}
    errors: dict[str, str] = {}
    if step != "execute":
        put_text(errors, "opinion", opinion, "意见" if approve else "不同意的理由", 1000)
    if step == "decide":
        if meeting_on is None:
            errors["meeting_on"] = "请填写会议日期"
        elif today is not None and meeting_on > today:
            errors["meeting_on"] = "会议日期不能晚于今天"
        put_text(errors, "minutes_ref", minutes_ref, "会议纪要编号", 100)
    return errors


def next_status(step: str, approve: bool, major: bool) -> str:
    if not approve:
        return "rejected"
    if step == "review":
        return "reviewed"
    if step == "decide":
        return "bureau" if major else "approved"
    if step == "bureau":
        return "approved"
    return "applied"
