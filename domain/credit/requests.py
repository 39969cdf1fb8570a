"""Applications for conditional data (Jiangxi Art. X39, X40, X44): what may be asked, the state
machine, the reply deadline and the grant's scope. Plain Python.

- **open** (Art. X39): a credit subject asks for conditional-open data. What a subject may ask is
  defined here as *their own* credit records of the chosen kinds and period whose open class is
  conditional (unconditional ones they download directly, lane E's open data). Nothing about
  another subject is ever reachable through an application.
- **share** (Art. X40): a public body (its unit is the signed-in account's institution, never a
  form field) asks for conditional-shared data: record kinds, regions (subtrees), a period, the
  fields, its purpose and legal basis. Only records whose share class is conditional or
  unconditional are ever delivered.

The data unit replies within ten working days of receipt (`ANSWER_WORKING_DAYS`, counted on the
working-day calendar); a refusal states its reasons; a grant names its exact scope (a subset of
what was asked) and how long it stays valid. Access also needs the signed 数据使用保管承诺书
(Art. X44: a checkbox, the signer's name and the date).
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from domain.credit.codes import RECORD_KINDS
from domain.regions import is_in_subtree
from domain.text import put_text

ANSWER_WORKING_DAYS = 10
KINDS = {"open": "有条件开放数据申请（信用主体）", "share": "有条件共享数据申请（公共管理和服务机构）"}
STATES = {"submitted": "待答复", "granted": "已同意", "refused": "不予提供"}
OPEN_STATES = frozenset({"submitted"})
COMMITMENT = "《数据使用保管承诺书》"
#: the fields a share grant may deliver (credit_records columns); a subject sees all of their own
SHARE_FIELDS = {"subject_name": "主体名称", "identifier": "证照号码", "kind": "数据类别", "subtype": "细类", "title": "标题",
                "occurred_on": "发生日期", "severity": "失信程度", "amount_fen": "金额", "document_no": "文书号",
                "produced_by": "产生部门", "region_code": "区划代码"}
DEFAULT_FIELDS = ("subject_name", "kind", "title", "occurred_on", "produced_by")
MAX_VALID_DAYS, MAX_PERIOD_YEARS, MAX_REGIONS = 366, 10, 20


@dataclass
class Ask:
    """What is asked (or granted, or read): kinds, period, and for a share also regions and fields."""

    kinds: list = field(default_factory=list)
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    regions: list = field(default_factory=list)
    fields: list = field(default_factory=list)

    def as_json(self) -> dict:
        return {"kinds": list(self.kinds), "date_from": self.date_from.isoformat() if self.date_from else None,
                "date_to": self.date_to.isoformat() if self.date_to else None,
                "regions": [int(r) for r in self.regions], "fields": list(self.fields)}

    @classmethod
    def of(cls, data: dict | None) -> Ask:
        data = data or {}
        day = (lambda v: dt.date.fromisoformat(v) if isinstance(v, str) and v else v if isinstance(v, dt.date) else None)
        return cls(list(data.get("kinds") or []), day(data.get("date_from")), day(data.get("date_to")),
                   [int(r) for r in data.get("regions") or []], list(data.get("fields") or []))


def answer_due(received: dt.date, calendar) -> dt.date:
    """The last day to reply: ten working days after receipt on `calendar` (a WorkCalendar)."""
    return calendar.add_working_days(received, ANSWER_WORKING_DAYS)


def ask_problems(kind: str, ask: Ask, today: dt.date, region_exists=None) -> dict[str, str]:
    """Field -> Chinese message for what an application asks."""
    errors: dict[str, str] = {}
    if not ask.kinds:
        errors["kinds"] = "请选择申请的数据类别"
    elif any(k not in RECORD_KINDS for k in ask.kinds):
        errors["kinds"] = "数据类别不在目录中"
    if ask.date_from is None or ask.date_to is None:
        errors["period"] = "请填写数据的起止日期"
    elif ask.date_from > ask.date_to:
        errors["period"] = "起始日期不能晚于截止日期"
    elif ask.date_to > today:
        errors["period"] = "截止日期不能晚于今天"
    elif (ask.date_to - ask.date_from).days > MAX_PERIOD_YEARS * 366:
        errors["period"] = f"数据期间不超过{MAX_PERIOD_YEARS}年"
    if kind == "share":
        if not ask.regions:
            errors["regions"] = "请选择申请数据的区域"
        elif len(ask.regions) > MAX_REGIONS:
            errors["regions"] = f"区域不超过{MAX_REGIONS}个"
        elif region_exists is not None and not all(region_exists(r) for r in ask.regions):
            errors["regions"] = "区域不存在"
        if not ask.fields:
            errors["fields"] = "请选择需要的字段"
        elif any(f not in SHARE_FIELDS for f in ask.fields):
            errors["fields"] = "字段不在可共享字段目录中"
    return errors


def application_problems(kind: str, purpose, legal_basis, ask: Ask, today: dt.date, region_exists=None) -> dict:
    errors = ask_problems(kind, ask, today, region_exists)
    put_text(errors, "purpose", purpose, "数据用途", 500)
    put_text(errors, "legal_basis", legal_basis, "履职依据（法律法规或职责文件）", 300, required=kind == "share")
    return errors


def commitment_problems(signed, name, signed_on, today: dt.date) -> dict[str, str]:
    """The Art. X44 commitment: ticked, a signer's name, a date not in the future."""
    errors: dict[str, str] = {}
    if signed is not True:
        errors["commitment"] = f"请阅读并勾选签署{COMMITMENT}"
    put_text(errors, "commitment_name", name, "签署人姓名", 50)
    if signed_on is None:
        errors["commitment_on"] = "请填写签署日期"
    elif signed_on > today:
        errors["commitment_on"] = "签署日期不能晚于今天"
    return errors


def within(inner: Ask, outer: Ask, kind: str) -> str | None:
    """Why `inner` reaches outside `outer` (Chinese), or None when it lies inside."""
    if not set(inner.kinds) <= set(outer.kinds):
        return "申请的数据类别超出同意范围"
    if inner.date_from is None or inner.date_to is None or outer.date_from is None or outer.date_to is None:
        return "数据期间不明确"
    if inner.date_from < outer.date_from or inner.date_to > outer.date_to:
        return "数据期间超出同意范围"
    if kind == "share":
        if not all(any(is_in_subtree(r, o) for o in outer.regions) for r in inner.regions):
            return "区域超出同意范围"
        if not set(inner.fields) <= set(outer.fields):
            return "字段超出同意范围"
    return None


def decision_problems(status: str, grant: bool, reason, scope: Ask | None, asked: Ask, kind: str,
                      valid_until: dt.date | None, today: dt.date) -> dict[str, str]:
    """Why a reply cannot be recorded (field -> Chinese); a refusal needs reasons, a grant a scope
    inside what was asked and a validity of at most a year."""
    errors: dict[str, str] = {}
    if status not in OPEN_STATES:
        errors["decision"] = "该申请已答复"
        return errors
    put_text(errors, "reason", reason, "不予提供的理由" if not grant else "答复意见（提供方式、时间及有关要求）", 1000)
    if not grant:
        return errors
    if scope is None:
        errors["scope"] = "请确定同意提供的数据范围"
    else:
        own = ask_problems(kind, scope, today)
        problem = within(scope, asked, kind) or own.get("kinds") or own.get("period")
        if problem:
            errors["scope"] = problem
    if valid_until is None:
        errors["valid_until"] = "请填写使用有效期"
    elif valid_until < today:
        errors["valid_until"] = "有效期不能早于今天"
    elif (valid_until - today).days > MAX_VALID_DAYS:
        errors["valid_until"] = "有效期不超过一年"
    return errors


def access_problem(status: str, valid_until: dt.date | None, signed: bool, today: dt.date) -> str | None:
    """Why granted data cannot be read now (None: it can)."""
    if status != "granted":
        return "该申请未获同意，不能获取数据"
    if not signed:
        return f"须先签署{COMMITMENT}，才能获取数据"
    if valid_until is not None and today > valid_until:
        return "同意使用的有效期已过"
    return None


def due_badge(answer_due: dt.date | None, open_: bool, today: dt.date, working_days_between) -> str:
    """The text of a due badge: 剩N个工作日 / 已超期 / 已答复."""
    if not open_ or answer_due is None:
        return "已答复"
    if today > answer_due:
        return "已超期"
    return f"剩{working_days_between(today, answer_due)}个工作日"
