"""What each kind of import holds: its column template (Chinese headers, the aliases a spreadsheet
may use, whether a column must be there), how each cell is read, and the header mapping. Every
problem is one `RowError`: a row of the file (as a spreadsheet numbers it: the header is row 1),
the column's header and the reason, "第 12 行「金额」：不是有效金额"."""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from domain.assets import CATEGORY_LABELS
from domain.contracts import ID_TYPES, KIND_LABELS, RESOURCE_TYPES
from domain.imports import cells

MAX_ROWS = 200_000
MAX_BYTES = 10 * 1024 * 1024  # one upload (server.inputs.MAX_UPLOAD_CHARS)
#: errors listed in full; beyond, the preview says how many more there are
MAX_LISTED_ERRORS = 1000


@dataclass(frozen=True)
class RowError:
    row: int
    column: str
    message: str

    @property
    def text(self) -> str:
        where = f"第 {self.row} 行" + (f"「{self.column}」" if self.column else "")
        return f"{where}：{self.message}"


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    parse: Callable[[object, dt.date], cells.Parsed]
    required: bool = True
    aliases: tuple[str, ...] = ()
    example: str = ""


@dataclass(frozen=True)
class Kind:
    key: str
    label: str
    noun: str  # what one row is, for counts ("凭证行")
    columns: tuple[Column, ...]
    #: level-1 base data (Art. J11): refused in a locked region (Art. J14)
    base_data: bool = False
    chart: int | None = None  # ledgers: 2023 or 2004
    headers: dict[str, str] = field(default_factory=dict, compare=False)

    def column(self, key: str) -> Column:
        return next(c for c in self.columns if c.key == key)


def _t(n: int, required: bool = True):
    def parse(v, _today):
        if cells.blank(v):
            return (None, "不能为空") if required else (None, None)
        return cells.words(v, n)
    return parse


def _opt(parser):
    return lambda v, today: (None, None) if cells.blank(v) else parser(v, today)


_region = lambda v, _t: cells.region(v)
_date = lambda v, _t: cells.date(v)
_money = lambda v, _t: cells.money(v)
_int = lambda lo, hi: (lambda v, _t: cells.integer(v, lo, hi))
_choice = lambda labels: (lambda v, _t: cells.choice(v, labels))
_REGION = Column("region_code", "地区代码", _region, aliases=("村级区划代码", "区划代码", "行政区划代码"),
                 example="220102001001")

_LEDGER = (
    _REGION,
    Column("date", "日期", _date, aliases=("凭证日期", "记账日期"), example="2019-03-05"),
    Column("number", "凭证号", _int(1, 99999), aliases=("凭证编号",), example="12"),
    Column("summary", "摘要", _t(200), example="收到土地发包款"),
    Column("account", "科目代码", _int(100, 999), aliases=("科目编码", "会计科目代码"), example="102"),
    Column("debit_fen", "借方金额", _money, required=False, aliases=("借方",), example="5000.00"),
    Column("credit_fen", "贷方金额", _money, required=False, aliases=("贷方",), example=""),
    Column("counterparty", "往来单位", _t(100, False), required=False, aliases=("对方单位",), example=""),
)

KINDS: dict[str, Kind] = {k.key: k for k in [
    Kind("ledger", "历史账簿（2023年科目表）", "凭证行", _LEDGER, chart=2023),
    Kind("ledger2004", "历史账簿（2004年科目表）", "凭证行", _LEDGER, chart=2004),
    Kind("basedata", "村基本情况（一级基础数据）", "村", (
        _REGION,
        Column("population", "总人口", _int(0, 1_000_000), example="1860"),
        Column("households", "总户数", _int(0, 500_000), example="520"),
        Column("labour_force", "劳动力", _int(0, 1_000_000), example="980"),
        Column("village_groups", "村民小组数", _int(0, 1000), example="8"),
        Column("farmland_mu", "耕地面积（亩）", lambda v, _t: cells.area(v, 2), aliases=("耕地面积",), example="6200.50"),
    ), base_data=True),
    Kind("assets", "资产", "项资产", (
        _REGION,
        Column("code", "资产编号", _t(40), example="ZC-2019-001"),
        Column("name", "资产名称", _t(200), example="村部办公楼"),
        Column("category", "资产类别", _choice(CATEGORY_LABELS), example="房屋建筑物"),
        Column("operating", "经营性", lambda v, _t: cells.yes_no(v), example="否"),
        Column("original_value_fen", "原值", _money, aliases=("原值（元）",), example="860000.00"),
        Column("accumulated_depreciation_fen", "累计折旧", _money, required=False, example="120000.00"),
        Column("acquired_on", "取得日期", _date, aliases=("购置日期",), example="2015-06-30"),
        Column("useful_life_months", "使用年限（月）", _int(1, 1200), required=False, example="240"),
        Column("location", "存放地点", _t(200, False), required=False, example="村部"),
        Column("custodian", "保管人", _t(50, False), required=False, example=""),
    )),
    Kind("resources", "资源", "项资源", (
        _REGION,
        Column("name", "资源名称", _t(200), example="东岗耕地"),
        Column("type", "资源类型", _choice({t: t for t in RESOURCE_TYPES}), example="耕地"),
        Column("area_mu", "面积（亩）", lambda v, _t: cells.area(v, 4), aliases=("面积",), example="120.5"),
        Column("location", "坐落", _t(200, False), required=False, example="东岗"),
        Column("parcel_no", "宗地编号", _t(40, False), required=False, example=""),
    )),
    Kind("contracts", "合同", "份合同", (
        _REGION,
        Column("number", "合同编号", _t(40), example="HT-2019-007"),
        Column("title", "合同名称", _t(200), example="东岗耕地发包合同"),
        Column("kind", "合同类型", _choice(KIND_LABELS), example="发包"),
        Column("counterparty", "对方名称", _t(100), aliases=("承包方", "对方"), example="王德发"),
        Column("counterparty_id_type", "对方证件类型", _choice(ID_TYPES), example="居民身份证"),
        Column("counterparty_id", "对方证件号码", _t(40), example="220102198001010014"),
        Column("amount_fen", "合同金额", _money, aliases=("金额",), example="36000.00"),
        Column("direction", "收支方向", _choice({"income": "收入", "expense": "支出"}), example="收入"),
        Column("signed_on", "签订日期", _date, example="2019-01-10"),
        Column("start_on", "开始日期", _date, example="2019-01-01"),
        Column("end_on", "结束日期", _date, example="2023-12-31"),
    )),
    Kind("members", "集体经济组织成员", "名成员", (
        _REGION,
        Column("name", "姓名", _t(50), example="李桂兰"),
        Column("id_number", "身份证号", lambda v, today: cells.resident_id(v, today), aliases=("身份证号码",),
               example="220102198001010014"),
        Column("shares", "股份数", _int(0, 1_000_000), required=False, aliases=("持股数",), example="1"),
    ), base_data=True),
]}


def _norm(header) -> str:
    return str(header or "").strip().replace(" ", "").replace("\u3000", "").replace("*", "").replace("(", "（") \
        .replace(")", "）")


def is_header(kind: Kind):
    """Whether a row is the kind's header row: it names the region column."""
    names = {_norm(n) for n in (_REGION.header, *_REGION.aliases)}
    return lambda cells: any(_norm(c) in names for c in cells)


def map_header(kind: Kind, header: Iterable) -> tuple[dict[str, int], list[RowError]]:
    """The position of each of the kind's columns in the header row (row 1), and what is missing."""
    found: dict[str, int] = {}
    names = [_norm(h) for h in header]
    for col in kind.columns:
        for name in (col.header, *col.aliases):
            if _norm(name) in names:
                found[col.key] = names.index(_norm(name))
                break
    errors = [RowError(1, c.header, "缺少该列（请使用导入模板）") for c in kind.columns if c.required and c.key not in found]
    if kind.key.startswith("ledger") and "debit_fen" not in found and "credit_fen" not in found:
        errors.append(RowError(1, "借方金额", "缺少“借方金额”“贷方金额”列"))
    return found, errors


def parse_row(kind: Kind, row: int, values: tuple, at: dict[str, int], today: dt.date) -> tuple[dict, list[RowError]]:
    """One data row -> (typed values keyed by column, its errors)."""
    out: dict = {"_row": row}
    errors: list[RowError] = []
    for col in kind.columns:
        i = at.get(col.key)
        raw = values[i] if i is not None and i < len(values) else None
        if not col.required and cells.blank(raw) and col.parse is not _money:
            out[col.key] = None
            continue
        value, why = col.parse(raw, today)
        if why:
            errors.append(RowError(row, col.header, why))
        out[col.key] = value
    return out, errors


def template_rows(kind: Kind) -> tuple[list[str], list[str]]:
    """The template's header row and one example row."""
    return [c.header for c in kind.columns], [c.example for c in kind.columns]
