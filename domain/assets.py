"""Asset rules (资产管理, Art. J3 and 四议两公开): a disposal, lease or pledge needs a passed
meeting resolution of the same organisation that voted that very kind of decision (and that
asset, when the resolution names one), held no later than the act."""
from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

from domain.numbers import decimal_text, integer_text
from domain.text import put_text
from domain.funds.parsing import parse_amount
from domain.meetings import citation_problem
from domain.money import period_of

#: action -> (the decision type a resolution must carry, the asset's status afterwards, label)
ACTIONS: dict[str, tuple[str, str, str]] = {
    "dispose": ("disposal", "disposed", "处置"),
    "lease": ("lease", "leased", "出租"),
    "pledge": ("pledge", "pledged", "抵押"),
}
EVENT_LABELS = {"acquire": "购置入账", "depreciation": "计提折旧", "revaluation": "重估", "disposal": "处置",
                "lease": "出租", "pledge": "抵押", "correction": "更正"}
STATUS_LABELS = {"in_use": "在用", "idle": "闲置", "leased": "出租", "pledged": "抵押", "disposed": "已处置"}
CATEGORY_LABELS = {"land": "土地", "building": "房屋建筑物", "equipment": "机器设备", "facility": "基础设施",
                   "investment": "对外投资", "biological": "生物资产", "other": "其他"}


def action_problems(action: str, status: str, on_date: dt.date | None, today: dt.date) -> dict[str, str]:
    errors = {}
    if action not in ACTIONS:
        errors["action"] = "请选择处置、出租或抵押"
    if status == "disposed":
        errors["action"] = "该资产已处置，不能再处置、出租或抵押"
    elif action == "lease" and status == "leased":
        errors["action"] = "该资产已出租"
    elif action == "pledge" and status == "pledged":
        errors["action"] = "该资产已抵押"
    if on_date is None:
        errors["date"] = "请填写日期"
    elif on_date > today:
        errors["date"] = "日期不能晚于今天"
    return errors


def resolution_problem(resolution: dict | None, *, org_id: int, asset_id: int, action: str,
                       on_date: dt.date) -> str | None:
    """Why `resolution` (decision_type, org_id, passed, subject_type, subject_id, held_on, and
    optionally meeting_kind, amount_limit_fen) cannot authorise `action` on the asset, or None.
    The rule is the general one of domain.meetings.citation_problem."""
    decision, _, label = ACTIONS[action]
    return citation_problem(resolution, decision_type=decision, org_id=org_id, on_date=on_date, subject_type="asset",
                            subject_id=asset_id, what=f"{label}集体资产")


# ---------------------------------------------------------------- asset cards (资产卡片)

#: categories that are not fixed assets: no 500-yuan floor and never depreciated (biological
#: assets follow their own rules: no floor, depreciated like equipment when productive)
NOT_FIXED = frozenset({"land", "investment", "biological"})
NOT_DEPRECIATED = frozenset({"land", "investment"})
FIXED_ASSET_FLOOR_FEN = 50_000  # a fixed asset's unit value is at least 500 yuan (DOMAIN.md)
MAX_LIFE_MONTHS = 600
MAX_RESIDUAL_BP = 2000  # 20 %
EARLIEST = dt.date(1950, 1, 1)


@dataclass(frozen=True)
class CardDraft:
    """An asset card as typed into the form (strings as typed; parsed and checked by card_problems)."""

    org_id: int | None
    code: str | None
    name: str | None
    category: str | None
    operating: bool
    original_value: str | None
    acquired_on: dt.date | None
    useful_life_months: str | int | None = 240
    residual_rate: str | None = "5"  # per cent
    location: str | None = None
    custodian: str | None = None


def _text(value) -> str:
    return str(value if value is not None else "").strip()


def parse_life(value) -> tuple[int | None, str | None]:
    raw = _text(value)
    if not raw:
        return None, "请填写使用年限（月）"
    months = integer_text(raw)
    if months is None:
        return None, "使用年限须为整数（月）"
    if not 1 <= months <= MAX_LIFE_MONTHS:
        return None, f"使用年限须在1至{MAX_LIFE_MONTHS}个月之间"
    return months, None


def parse_residual(value) -> tuple[int | None, str | None]:
    """Residual rate in per cent as typed ("5", "4.5") -> basis points."""
    raw = _text(value).rstrip("%").rstrip("％").strip()
    if not raw:
        return 500, None  # 5 % by default
    rate = decimal_text(raw, grouping=False)
    if rate is None:
        return None, "残值率须为数字（%）"
    if rate < 0 or rate * 100 > MAX_RESIDUAL_BP:
        return None, f"残值率须在0%至{MAX_RESIDUAL_BP // 100}%之间"
    if rate != rate.quantize(Decimal("0.01")):
        return None, "残值率最多两位小数"
    return int(rate * 100), None


def card_problems(d: CardDraft, today: dt.date) -> tuple[dict, dict[str, str]]:
    """(parsed values, field -> what is wrong in Chinese), every problem at once. Fields: org_id
    code name category original_value acquired_on useful_life_months residual_rate location custodian."""
    errors: dict[str, str] = {}
    if d.org_id is None:
        errors["org_id"] = "请选择集体经济组织"
    code = put_text(errors, "code", d.code, "资产编号", 40, unit="个字符")
    name = put_text(errors, "name", d.name, "资产名称", 200)
    if d.category not in CATEGORY_LABELS:
        errors["category"] = "请选择资产类别"
    fen, why = parse_amount(d.original_value)
    if why:
        errors["original_value"] = f"原值：{why}"
    elif d.category in CATEGORY_LABELS and d.category not in NOT_FIXED and fen < FIXED_ASSET_FLOOR_FEN:
        errors["original_value"] = ("固定资产单位价值须在500元以上（不足500元的物品作为库存物资或费用处理，"
                                    "土地、对外投资和生物资产除外）")
    if d.acquired_on is None:
        errors["acquired_on"] = "请填写取得日期"
    elif d.acquired_on > today:
        errors["acquired_on"] = "取得日期不能晚于今天"
    elif d.acquired_on < EARLIEST:
        errors["acquired_on"] = "取得日期有误，请核对"
    life, why = parse_life(d.useful_life_months)
    if why:
        errors["useful_life_months"] = why
    bp, why = parse_residual(d.residual_rate)
    if why:
        errors["residual_rate"] = why
    location, custodian = _text(d.location), _text(d.custodian)
    if len(location) > 200:
        errors["location"] = "存放地点不超过200字"
    if len(custodian) > 50:
        errors["custodian"] = "保管人不超过50字"
    values = {"org_id": d.org_id, "code": code, "name": name, "category": d.category, "operating": bool(d.operating),
              "original_value_fen": fen, "acquired_on": d.acquired_on, "useful_life_months": life,
              "residual_rate_bp": bp, "location": location or None, "custodian": custodian or None}
    return values, errors


# ---------------------------------------------------------------- depreciation (折旧)

def _get(asset, field):
    return asset[field] if isinstance(asset, Mapping) else getattr(asset, field)


def _month_index(period: int) -> int:
    return (period // 100) * 12 + period % 100 - 1


def residual_fen(asset) -> int:
    return (_get(asset, "original_value_fen") * _get(asset, "residual_rate_bp") + 5000) // 10000


def depreciable_fen(asset) -> int:
    """What may be depreciated over the asset's life: original value − residual value."""
    return max(_get(asset, "original_value_fen") - residual_fen(asset), 0)


def monthly_fen(asset) -> int:
    """Straight-line monthly depreciation, rounded half up to the fen."""
    life = max(int(_get(asset, "useful_life_months") or 0), 1)
    return (2 * depreciable_fen(asset) + life) // (2 * life)


def months_charged(asset, period: int) -> int:
    """How many months of depreciation fall in the asset's life through `period` (yyyymm):
    from the month after acquisition, through the month of disposal (charged in the month it
    leaves, not after)."""
    if _get(asset, "category") in NOT_DEPRECIATED:
        return 0
    end = _month_index(period)
    disposed_on = _get(asset, "disposed_on")
    if disposed_on is not None:
        end = min(end, _month_index(period_of(disposed_on)))
    return max(end - _month_index(period_of(_get(asset, "acquired_on"))), 0)


def depreciation_through(asset, period: int) -> int:
    """Accumulated straight-line depreciation (fen) at the end of `period`: the monthly amount
    from the month after acquisition, never past original − residual; none for land and
    investments; none after the month of disposal."""
    return min(monthly_fen(asset) * months_charged(asset, period), depreciable_fen(asset))


def charge_for(asset, period: int) -> int:
    """This month's charge for the asset as it stands (its accumulated depreciation so far): the
    monthly amount while the month is in its depreciable life, capped at what remains to
    original − residual; none for land and investments, idle assets other than buildings (idle
    buildings are still depreciated), disposed assets after the disposal month."""
    if _get(asset, "category") in NOT_DEPRECIATED:
        return 0
    if _get(asset, "status") == "idle" and _get(asset, "category") != "building":
        return 0
    month = _month_index(period)
    disposed_on = _get(asset, "disposed_on")
    if month <= _month_index(period_of(_get(asset, "acquired_on"))) or \
            (disposed_on is not None and month > _month_index(period_of(disposed_on))):
        return 0  # not in the asset's depreciable life this month
    remaining = depreciable_fen(asset) - int(_get(asset, "accumulated_depreciation_fen") or 0)
    return max(min(monthly_fen(asset), remaining), 0)


def expense_account(asset) -> int:
    """Where the charge goes: 401 生产（劳务）成本 for operating assets, 513 管理费用 otherwise."""
    return 401 if _get(asset, "operating") else 513


def depreciation_lines(charges: list[tuple[int, int]]) -> list[tuple[int, int, int]]:
    """[(expense account, fen)] -> balanced voucher lines (account, debit, credit): one debit per
    expense account and ONE credit to 152 累计折旧 for the total."""
    by_account: dict[int, int] = {}
    for account, fen in charges:
        if fen:
            by_account[account] = by_account.get(account, 0) + fen
    lines = [(account, fen, 0) for account, fen in sorted(by_account.items())]
    total = sum(by_account.values())
    if total:
        lines.append((152, 0, total))
    return lines


# ---------------------------------------------------------------- revaluation (重估)

REVALUATION_DECISION = "other"  # domain.meetings.DECISION_TYPES: a revaluation is voted as 其他 on that asset


def revaluation_needs_resolution(old_net_fen: int, new_net_fen: int, threshold_fen: int) -> bool:
    """A write-down always needs the members' resolution; a write-up only from the organisation's
    decision threshold (the same threshold as a large payment)."""
    return new_net_fen < old_net_fen or new_net_fen - old_net_fen >= threshold_fen


def revaluation_problems(new_value: str | None, reason: str | None, on_date: dt.date | None, status: str,
                         today: dt.date) -> tuple[int | None, dict[str, str]]:
    errors: dict[str, str] = {}
    fen, why = parse_amount(new_value)
    if why:
        errors["new_value"] = f"重估价值：{why}"
    put_text(errors, "reason", reason, "重估原因", 500, blank="重估原因（评估报告、依据）")
    if on_date is None:
        errors["date"] = "请填写重估日期"
    elif on_date > today:
        errors["date"] = "重估日期不能晚于今天"
    if status == "disposed":
        errors["new_value"] = "该资产已处置，不能重估"
    return fen, errors


def revaluation_resolution_problem(resolution: dict | None, *, org_id: int, asset_id: int,
                                   on_date: dt.date) -> str | None:
    return citation_problem(resolution, decision_type=REVALUATION_DECISION, org_id=org_id, on_date=on_date,
                            subject_type="asset", subject_id=asset_id, what="资产重估（减值或大额增值）")
