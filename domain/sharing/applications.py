"""Data-sharing applications (Art. J23–J24; Jiangxi Art. X39–X44): a data-requesting unit (an
external unit, registered on its behalf by a provincial platform administrator, or a city or county
for itself) applies with a purpose, the datasets and fields it needs, the regions and a period;
another provincial administrator records the risk assessment; the signed confidentiality
commitment is attached; the province approves or refuses with reasons within 10 working days.

Separation of duty: whoever registered an application neither assesses nor decides it (the
action table's `not_by`); a decision needs the assessment and the commitment on record first.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from domain.regions import is_in_subtree
from domain.sharing.catalogue import scope_problems
from domain.text import put_text

#: Art. X39–X40: a request is answered within ten working days of its receipt
ANSWER_WORKING_DAYS = 10
RISK_LEVELS = {"low": "低", "medium": "中", "high": "高"}
STATES = {"submitted": "待风险评估", "assessed": "待审批", "approved": "已批准", "rejected": "已驳回"}
COMMITMENT = "《外部单位数据共享与服务保密责任书》"
MAX_REGIONS, MAX_VALID_DAYS, MAX_PERIOD_YEARS = 20, 366, 10
RATE_MIN, RATE_MAX, RATE_DEFAULT = 1, 6000, 60


@dataclass
class Draft:
    """An application as the form gives it."""

    unit: str = ""
    contact: str = ""
    purpose: str = ""
    scope: dict = field(default_factory=dict)  # {dataset: [field, ...]}
    regions: list = field(default_factory=list)  # region codes (each a subtree)
    data_from: dt.date | None = None
    data_to: dt.date | None = None
    valid_until: dt.date | None = None
    personal: bool = False  # asks for personal data in clear


def resource(region_code: int, registered_by_id: int | None) -> dict:
    """An application as the access decision sees it (the province decides every one)."""
    return {"region_code": int(region_code), "registered_by_id": registered_by_id}


def draft_problems(d: Draft, today: dt.date, region_exists, province: int) -> dict[str, str]:
    """Field -> Chinese message; empty when the application may be registered."""
    errors: dict[str, str] = {}
    put_text(errors, "unit", d.unit, "申请单位", 100)
    put_text(errors, "contact", d.contact, "联系人及联系方式", 100)
    put_text(errors, "purpose", d.purpose, "数据用途", 500)
    problem = scope_problems(d.scope)
    if problem:
        errors["scope"] = problem
    regions = list(dict.fromkeys(d.regions or []))
    if not regions:
        errors["regions"] = "请选择申请数据的区域"
    elif len(regions) > MAX_REGIONS:
        errors["regions"] = f"区域最多{MAX_REGIONS}个"
    elif any(not isinstance(c, int) or not region_exists(c) or not is_in_subtree(c, province) for c in regions):
        errors["regions"] = "区域不存在"
    elif any(a != b and is_in_subtree(b, a) for a in regions for b in regions):
        errors["regions"] = "所选区域互相包含，请只保留上级区域"
    if d.data_from is None or d.data_to is None:
        errors["period"] = "请填写数据起止日期"
    elif d.data_from > d.data_to:
        errors["period"] = "起始日期不能晚于截止日期"
    elif d.data_to > today:
        errors["period"] = "截止日期不能晚于今天"
    elif (d.data_to - d.data_from).days > MAX_PERIOD_YEARS * 366:
        errors["period"] = f"数据期间最长{MAX_PERIOD_YEARS}年"
    if d.valid_until is None:
        errors["valid_until"] = "请填写使用有效期"
    elif d.valid_until <= today:
        errors["valid_until"] = "有效期须晚于今天"
    elif d.valid_until > today + dt.timedelta(days=MAX_VALID_DAYS):
        errors["valid_until"] = "有效期最长一年"
    return errors


def assessment_problems(level: str | None, notes) -> dict[str, str]:
    errors: dict[str, str] = {}
    if level not in RISK_LEVELS:
        errors["risk_level"] = "请选择风险等级"
    put_text(errors, "risk_notes", notes, "评估意见", 1000)
    return errors


def decision_problems(status: str, has_commitment: bool, approve: bool) -> str | None:
    """Why the application cannot be decided now (None: it can)."""
    if status not in ("submitted", "assessed"):
        return "该申请已处理"
    if approve and status != "assessed":
        return "须先完成风险评估，才能批准"
    if approve and not has_commitment:
        return f"须先上传申请单位签署的{COMMITMENT}，才能批准"
    return None


def answer_due(received: dt.date, add_working_days) -> dt.date:
    """The last day to answer (Art. X39–X40: ten working days from receipt)."""
    return add_working_days(received, ANSWER_WORKING_DAYS)
