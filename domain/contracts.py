"""Resource and contract rules (资源管理, 合同管理; issue 5 items 3 and 4). Plain Python: the
storage layer (data/resources.py, data/contracts.py) applies them inside one transaction.

- A resource (耕地, 林地 …) has a name, a type and an area in mu (Decimal, > 0, at most four
  decimals); whether it is contracted, to whom and until when follows from its contract.
- A contract has a counterparty with a valid resident ID or unified social credit code, an amount
  for the whole term in exact fen, signed ≤ start < end, and a payment schedule (yearly,
  half-yearly, quarterly or one-off, due at the start of each period) whose instalments add up
  exactly to the amount: the remainder of the division goes to the last instalment.
- Leasing or contracting out a collective resource or asset needs a passed resolution of the same
  organisation that voted it (四议两公开), held no later than the signing
  (domain.meetings.citation_problem).
- A receipt never exceeds what is still due on its instalment; a terminated contract takes none.
- A renewal is a new contract starting the day after the old one ends; the old one is marked
  renewed. A termination needs a date within the term and a reason; instalments due after it are
  cancelled down to what was received.
- Lists: contracts ending within 90 days (or already past their end and still active), and
  instalments overdue as of a date with the days overdue.
"""
from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from domain.numbers import decimal_text, iso_date
from domain.text import put_text
from domain.identifiers import resident_id_problem, uscc_problem
from domain.funds.parsing import parse_amount
from domain.meetings import citation_problem
from domain.money import yuan_text

RESOURCE_TYPES = ("耕地", "林地", "草地", "园地", "滩涂", "水面", "四荒地", "集体建设用地", "其他")
AREA_DECIMALS = 4
MAX_AREA_MU = Decimal("100000000")  # 1亿亩: anything above is a typing error

#: contract kinds a village signs on this page (all need a resolution that voted 集体资源发包租赁)
KINDS = {"lease": "出租", "contracting": "发包"}
#: every kind a stored contract may carry (transfers come from 产权交易)
KIND_LABELS = {**KINDS, "transfer": "转让", "service": "服务", "purchase": "采购", "construction": "工程"}
#: the decision a resolution must have voted for a contract of each kind (domain.meetings.DECISION_TYPES)
RESOLUTION_DECISION = {"lease": "lease", "contracting": "lease"}
#: schedule -> months per instalment (None: one payment at the start)
SCHEDULES: dict[str, int | None] = {"yearly": 12, "half_yearly": 6, "quarterly": 3, "one_off": None}
SCHEDULE_LABELS = {"yearly": "按年", "half_yearly": "按半年", "quarterly": "按季", "one_off": "一次性"}
STATUS_LABELS = {"active": "履行中", "expired": "已到期", "renewed": "已续签", "terminated": "已终止"}
ID_TYPES = {"resident": "居民身份证", "uscc": "统一社会信用代码"}
#: the longest term by kind, in years: a lease at most 20 (民法典 第七百零五条), contracting out
#: collective land at most 30 (农村土地承包法, second-round contracting term)
MAX_TERM_YEARS = {"lease": 20, "contracting": 30}
EXPIRING_DAYS = 90


# ------------------------------------------------------------------ dates

def add_months(day: dt.date, months: int) -> dt.date:
    """The same day `months` later, clamped to the month's last day (01-31 + 1 month = 02-28/29)."""
    y, m = divmod(day.month - 1 + months, 12)
    year, month = day.year + y, m + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def parse_date(value) -> dt.date | None:
    """A date, or "YYYY-MM-DD" exactly (`domain.numbers.iso_date`), else None."""
    return iso_date(value)


# ------------------------------------------------------------------ resources

def parse_area(text) -> tuple[Decimal | None, str | None]:
    """Mu as typed ("12.5", "1,200.0625") -> (Decimal, None), or (None, why) in Chinese."""
    if not str(text if text is not None else "").strip():
        return None, "请填写面积"
    value = decimal_text(text)
    if value is None:
        return None, "面积须为数字"
    if value <= 0:
        return None, "面积须大于0"
    if value != value.quantize(Decimal(1).scaleb(-AREA_DECIMALS)):
        return None, f"面积最多{AREA_DECIMALS}位小数"
    if value > MAX_AREA_MU:
        return None, "面积过大，请核对"
    return value, None


@dataclass(frozen=True)
class ResourceDraft:
    name: str
    type: str
    area: str
    location: str = ""
    parcel_no: str = ""


def resource_problems(d: ResourceDraft) -> tuple[Decimal | None, dict[str, str]]:
    """(area in mu, field -> what is wrong), every problem at once."""
    errors: dict[str, str] = {}
    put_text(errors, "name", d.name, "资源名称", 200)
    if d.type not in RESOURCE_TYPES:
        errors["type"] = "请选择资源类型"
    area, why = parse_area(d.area)
    if why:
        errors["area"] = why
    if len((d.location or "").strip()) > 200:
        errors["location"] = "坐落不超过200字"
    if len((d.parcel_no or "").strip()) > 40:
        errors["parcel_no"] = "宗地（地块）编号不超过40位"
    return area, errors


# ------------------------------------------------------------------ contracts

def schedule(start: dt.date, end: dt.date, amount_fen: int, frequency: str) -> list[tuple[dt.date, int]]:
    """Instalments (due date, fen), due at the start of each period from `start` while the period
    begins on or before `end`. They add up exactly to `amount_fen`: each is the amount divided by
    their number, rounded down to the fen, and the last one takes the remainder."""
    step = SCHEDULES[frequency]
    if step is None:
        dues = [start]
    else:
        dues = []
        k = 0
        while (due := add_months(start, k * step)) <= end:
            dues.append(due)
            k += 1
    n = len(dues)
    base = amount_fen // n
    return [(due, base if i < n - 1 else amount_fen - base * (n - 1)) for i, due in enumerate(dues)]


def frequency_of(dues: list[dt.date]) -> str:
    """The schedule a stored list of due dates follows (one due date: one-off)."""
    if len(dues) < 2:
        return "one_off"
    months = (dues[1].year - dues[0].year) * 12 + dues[1].month - dues[0].month
    return {12: "yearly", 6: "half_yearly", 3: "quarterly"}.get(months, "yearly")


def term_label(start: dt.date, end: dt.date) -> str:
    """"5年", "1年6个月", "3个月" (whole months from the start to the day after the end)."""
    after = end + dt.timedelta(days=1)
    months = (after.year - start.year) * 12 + after.month - start.month - (1 if after.day < start.day else 0)
    years, rest = divmod(max(months, 0), 12)
    return (f"{years}年" if years else "") + (f"{rest}个月" if rest or not years else "")


def counterparty_problem(id_type: str, id_number: str, today: dt.date) -> str | None:
    if id_type == "resident":
        return resident_id_problem(id_number, today)
    if id_type == "uscc":
        return uscc_problem(id_number)
    return "请选择证件类型"


def date_problems(signed_on: dt.date | None, start_on: dt.date | None, end_on: dt.date | None, today: dt.date,
                  kind: str | None = None) -> dict[str, str]:
    """Signed ≤ start < end, signed no later than today, the term within the kind's limit."""
    errors: dict[str, str] = {}
    if signed_on is None:
        errors["signed_on"] = "请填写签订日期"
    elif signed_on > today:
        errors["signed_on"] = "签订日期不能晚于今天"
    if start_on is None:
        errors["start_on"] = "请填写起始日期"
    if end_on is None:
        errors["end_on"] = "请填写终止日期"
    if start_on and signed_on and start_on < signed_on:
        errors["start_on"] = "日期顺序不对：起始日期不能早于签订日期"
    if start_on and end_on:
        if end_on <= start_on:
            errors["end_on"] = "日期顺序不对：终止日期须晚于起始日期"
        elif kind in MAX_TERM_YEARS and end_on >= add_months(start_on, 12 * MAX_TERM_YEARS[kind]):
            errors["end_on"] = f"{KIND_LABELS[kind]}期限不能超过{MAX_TERM_YEARS[kind]}年"
    return errors


@dataclass(frozen=True)
class ContractDraft:
    kind: str  # lease | contracting
    title: str
    counterparty: str
    counterparty_id_type: str  # resident | uscc
    counterparty_id: str
    amount: str  # yuan for the whole term, as typed
    frequency: str  # yearly | half_yearly | quarterly | one_off
    signed_on: dt.date | None
    start_on: dt.date | None
    end_on: dt.date | None


def contract_problems(d: ContractDraft, today: dt.date) -> tuple[int | None, dict[str, str]]:
    """(amount in fen, field -> what is wrong), every problem at once."""
    errors: dict[str, str] = {}
    if d.kind not in KINDS:
        errors["kind"] = "请选择出租或发包"
    put_text(errors, "title", d.title, "合同名称", 200, required=False)
    put_text(errors, "counterparty", d.counterparty, "承租（承包）方名称", 100, blank="承租（承包）方")
    problem = counterparty_problem(d.counterparty_id_type, (d.counterparty_id or "").strip().upper(), today)
    if problem:
        errors["counterparty_id"] = problem
    fen, why = parse_amount(d.amount)
    if why:
        errors["amount"] = why
    if d.frequency not in SCHEDULES:
        errors["frequency"] = "请选择收款方式"
    errors.update(date_problems(d.signed_on, d.start_on, d.end_on, today, d.kind if d.kind in KINDS else None))
    if fen is not None and d.frequency in SCHEDULES and "start_on" not in errors and "end_on" not in errors:
        n = len(schedule(d.start_on, d.end_on, fen, d.frequency))
        if fen < n:
            errors["amount"] = f"金额过小，不能分{n}期收取"
    return fen, errors


def resolution_problem(resolution: dict | None, *, org_id: int, subject_type: str, subject_id: int, kind: str,
                       on_date: dt.date) -> str | None:
    """Why `resolution` (data.meetings.resolution_facts) cannot authorise leasing or contracting out
    this resource or asset, or None: the general rule of domain.meetings.citation_problem (same
    organisation, passed at a deciding meeting, voted 出租/发包 of this subject, held first)."""
    return citation_problem(resolution, decision_type=RESOLUTION_DECISION.get(kind, "lease"), org_id=org_id,
                            on_date=on_date, subject_type=subject_type, subject_id=subject_id,
                            what=f"{KIND_LABELS.get(kind, '出租')}集体资源、资产")


def receipt_problems(status: str, due_fen: int, received_fen: int, amount_fen: int | None, on_date: dt.date | None,
                     signed_on: dt.date, today: dt.date) -> dict[str, str]:
    """A receipt against one instalment: never more than is still due, never on a terminated contract."""
    errors: dict[str, str] = {}
    if status == "terminated":
        errors["_"] = "该合同已终止，不能再登记收款"
    outstanding = due_fen - received_fen
    if amount_fen is not None and amount_fen > outstanding:
        errors["amount"] = ("该期款项已收清" if outstanding <= 0 else
                            f"收款金额超过该期尚欠的 {yuan_text(outstanding)}")
    if on_date is None:
        errors["received_on"] = "请填写收款日期"
    elif on_date > today:
        errors["received_on"] = "收款日期不能晚于今天"
    elif on_date < signed_on:
        errors["received_on"] = "收款日期不能早于合同签订日期"
    return errors


def renewal_start(old_end: dt.date) -> dt.date:
    return old_end + dt.timedelta(days=1)


def renewal_problems(status: str, kind: str) -> dict[str, str]:
    if status == "renewed":
        return {"_": "该合同已续签，不能重复续签"}
    if status == "terminated":
        return {"_": "该合同已终止，不能续签"}
    if kind not in KINDS:
        return {"_": f"{KIND_LABELS.get(kind, kind)}合同不能在此续签"}
    return {}


def termination_problems(status: str, start_on: dt.date, end_on: dt.date, on_date: dt.date | None, reason: str,
                         today: dt.date) -> dict[str, str]:
    errors: dict[str, str] = {}
    if status in ("terminated", "renewed"):
        errors["_"] = f"该合同{STATUS_LABELS[status]}，不能终止"
    if on_date is None:
        errors["terminated_on"] = "请填写终止日期"
    elif not start_on <= on_date <= end_on:
        errors["terminated_on"] = f"终止日期须在合同期内（{start_on} 至 {end_on}）"
    elif on_date > today:
        errors["terminated_on"] = "终止日期不能晚于今天"
    put_text(errors, "reason", reason, "终止原因", 500)
    return errors


def after_termination(instalments: list[tuple[dt.date, int, int]], on_date: dt.date) -> list[int]:
    """New amounts of (due, amount, received) instalments when a contract ends on `on_date`: those
    due later keep only what was received; earlier ones (arrears) stay as they were."""
    return [received if due > on_date else amount for due, amount, received in instalments]


# ------------------------------------------------------------------ lists

def expiring(contracts: list[dict], today: dt.date, days: int = EXPIRING_DAYS) -> list[dict]:
    """Active contracts ending within `days` (and those past their end still carried as active),
    soonest first, each with `days_left` (negative: already past its end)."""
    out = []
    for c in contracts:
        if c["status"] != "active" or c["end_on"] > today + dt.timedelta(days=days):
            continue
        left = (c["end_on"] - today).days
        out.append({**c, "days_left": left, "note": "已过期未续签或终止" if left < 0 else f"{left}天后到期"})
    return sorted(out, key=lambda c: (c["end_on"], c.get("id", 0)))


def overdue(instalments: list[dict], today: dt.date) -> list[dict]:
    """Instalments due before `today` and not fully received, longest overdue first, each with
    `outstanding_fen` and `days_overdue`."""
    out = [{**i, "outstanding_fen": i["amount_fen"] - i["received_fen"], "days_overdue": (today - i["due_on"]).days}
           for i in instalments if i["due_on"] < today and i["received_fen"] < i["amount_fen"]]
    return sorted(out, key=lambda i: (-i["days_overdue"], i.get("id", 0)))
