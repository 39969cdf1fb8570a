"""Level-1 base data (Art. J11–J14) as plain rules: its fields, reading a proposed value, what a
change or correction needs, its states, and when a correction may be revoked.

A change (变更) starts at the village with a reason and a document; the township approves or
returns it; approved, the system applies it and files it (备案) with before/after (Art. J13).
After the trial period the region is locked: only a correction (更正) changes it — the township
applies with evidence, the county approves or returns it, it is applied and filed with city and
province, who may revoke an unfounded one, restoring the values it replaced (Art. J14).
Values travel as text (counts as digits, areas with two decimals), compared exactly.
"""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from domain.numbers import decimal_text, integer_text
from domain.text import put_text


@dataclass(frozen=True)
class BaseField:
    key: str
    label: str
    unit: str
    area: bool = False  # an area in mu (two decimals) rather than a count

    @property
    def title(self) -> str:
        return f"{self.label}（{self.unit}）"


#: the profile's level-1 fields in the order the page shows them
FIELDS: tuple[BaseField, ...] = (
    BaseField("population", "人口", "人"), BaseField("households", "户数", "户"),
    BaseField("labour_force", "劳动力", "人"), BaseField("village_groups", "村民小组", "个"),
    BaseField("farmland_mu", "耕地", "亩", True), BaseField("garden_mu", "园地", "亩", True),
    BaseField("forest_mu", "林地", "亩", True), BaseField("grassland_mu", "草地", "亩", True),
    BaseField("water_mu", "养殖水面", "亩", True), BaseField("wasteland_mu", "四荒地", "亩", True),
    BaseField("construction_mu", "集体建设用地", "亩", True),
)
BY_KEY = {f.key: f for f in FIELDS}
LAND_KEYS = tuple(f.key for f in FIELDS if f.area)
#: a member's shares in before/after: "shares:<member id>"
SHARES = "shares:"
MAX_COUNT = 10_000_000
MAX_AREA = Decimal("100000000")
REASON_MAX = 500
EVIDENCE_MAX = 1000
REVOKE_MAX = 500

STATUS = {"submitted": "待审核", "filed": "已实施并备案", "returned": "已退回", "revoked": "已撤销"}
CORRECTION_STATUS = {"submitted": "待县级审批", "filed": "已更正（报市、省备案）", "returned": "县级不同意", "revoked": "已撤销"}
#: who a change and a correction are filed with (备案)
FILED_CHANGE, FILED_CORRECTION = "乡镇（系统自动备案）", "市级、省级"


def status_label(status: str, is_correction: bool) -> str:
    return (CORRECTION_STATUS if is_correction else STATUS).get(status, status)


def kind_label(is_correction: bool) -> str:
    return "更正" if is_correction else "变更"


def as_text(key: str, value) -> str:
    """A stored value as before/after keeps it: a count as digits, an area with two decimals."""
    f = BY_KEY.get(key)
    if f is not None and f.area:
        return format(Decimal(value).quantize(Decimal("0.01")), "f")
    return str(int(value))


def as_value(key: str, text: str):
    """The value to store back from its before/after text (exactly: Decimal or int)."""
    f = BY_KEY.get(key)
    return Decimal(text) if f is not None and f.area else int(text)


def field_label(key: str, member_names: dict[int, str] | None = None) -> str:
    if key.startswith(SHARES):
        mid = int(key[len(SHARES):])
        name = (member_names or {}).get(mid)
        return f"成员股份（{name}）" if name else f"成员股份（成员 #{mid}）"
    return BY_KEY[key].title if key in BY_KEY else key


def read_value(errors: dict[str, str], key: str, raw, *, area: bool) -> str | None:
    """The text of a typed value (None: left blank, no change), or a message under `key`."""
    if raw is None or str(raw).strip() == "":
        return None
    if area:
        value = decimal_text(raw, grouping=False)
        if value is None:
            errors[key] = "请填写数字（单位：亩）"
        elif value < 0:
            errors[key] = "面积不能为负数"
        elif value.as_tuple().exponent < -2:
            errors[key] = "面积最多保留两位小数"
        elif value > MAX_AREA:
            errors[key] = "面积超出合理范围"
        else:
            return format(value.quantize(Decimal("0.01")), "f")
        return None
    number = integer_text(raw)
    if number is None:
        errors[key] = "请填写整数"
    elif number < 0:
        errors[key] = "不能为负数"
    elif number > MAX_COUNT:
        errors[key] = "数值超出合理范围"
    else:
        return str(number)
    return None


def proposal(current: dict[str, str], typed: dict[str, object], shares: dict[int, tuple[str, object]] | None = None,
             ) -> tuple[dict[str, str], dict[str, str], dict[str, str]]:
    """(before, after, errors) of a proposed change: `current` field -> text as stored now,
    `typed` field -> what the form holds (blank: unchanged), `shares` member id -> (current
    shares text, typed). Only fields whose value differs are kept."""
    errors: dict[str, str] = {}
    before, after = {}, {}
    for f in FIELDS:
        text = read_value(errors, f.key, typed.get(f.key), area=f.area)
        if text is not None and text != current[f.key]:
            before[f.key], after[f.key] = current[f.key], text
    for mid, (now, raw) in (shares or {}).items():
        key = f"{SHARES}{mid}"
        text = read_value(errors, "shares", raw, area=False)
        if text is not None and text != now:
            before[key], after[key] = now, text
    return before, after, errors


def request_problems(errors: dict[str, str], before: dict, reason, files: int, *, correction: bool,
                     evidence=None) -> tuple[str, str | None]:
    """(reason, evidence) trimmed; records what a change or correction lacks: a value that changes,
    a reason, a document (a correction: its evidence text and at least one evidence file)."""
    if not before and not errors:
        errors["_"] = "没有需要变更的数据：请填写与当前值不同的新值"
    text = put_text(errors, "reason", reason, "更正原因" if correction else "变更原因（凭据或理由）", REASON_MAX)
    proof = None
    if correction:
        proof = put_text(errors, "evidence", evidence, "更正依据", EVIDENCE_MAX)
        if files < 1:
            errors["document"] = "请上传更正依据（证明材料）文件"
    elif files < 1:
        errors["document"] = "请上传变更凭据文件"
    return text, proof


def revoke_problem(status: str, is_correction: bool, after: dict[str, str], current: dict[str, str]) -> str | None:
    """Why a correction cannot be revoked (None: it can): only a filed correction, and only while
    the values it set are still in force (a later change of the same fields is revoked first)."""
    if not is_correction:
        return "只有锁定后的更正可以撤销"
    if status != "filed":
        return "只有已实施并备案的更正可以撤销"
    if any(current.get(k) != v for k, v in after.items()):
        return "该更正涉及的数据此后已再次变更，不能直接撤销，请先撤销之后的更正"
    return None


def stale_problem(before: dict[str, str], current: dict[str, str]) -> str | None:
    """Why applying a change now would overwrite someone else's (None: the values are as proposed from)."""
    if any(current.get(k) != v for k, v in before.items()):
        return "基础数据已被他人修改，该申请所依据的数据已过期，请退回后重新发起"
    return None
