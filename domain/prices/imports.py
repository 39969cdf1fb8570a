"""The two import templates of the price samples, declared once (as domain.imports.kinds declares the
collective economy's): forest-rights sales (成交样本) and forest-management cost observations
(营林成本观测). Each column: its Chinese header, the aliases a spreadsheet may use, whether it must
be there, how a cell is read (domain.imports.cells: text in, never a float), an example for the
template. Problems are `RowError`s ("第 12 行「成交价格（元）」：金额不能为负数")."""
from __future__ import annotations

from decimal import Decimal

from domain.imports import cells
from domain.imports.kinds import Column, Kind

from .codes import AGE_CLASSES, COST_ITEMS, FOREST_TYPES, RIGHT_TYPES, SALE_KINDS, SPECIES

#: where a sale came from (price_sales.source)
SALE_SOURCES = {"platform": "平台流转记录", "import": "导入", "demo": "演示数据"}
#: the bounds of a sale a file may carry (the same as the valuation helper's)
MAX_AREA_MU = Decimal("100000")
MAX_VOLUME = Decimal("100")
MAX_TERM = 70


def _required(parser):
    return lambda v, today: (None, "不能为空") if cells.blank(v) else parser(v, today)


def _optional(parser):
    return lambda v, today: (None, None) if cells.blank(v) else parser(v, today)


def _positive_money(v, _today):
    fen, why = cells.money(v)
    if why is None and fen <= 0:
        return None, "金额须大于 0"
    return fen, why


def _area(v, _today):
    value, why = cells.area(v, 2)
    if why is None and not Decimal("0") < value <= MAX_AREA_MU:
        return None, f"面积应大于 0 且不超过 {MAX_AREA_MU} 亩"
    return value, why


def _volume(v, _today):
    value, why = cells.area(v, 2)
    if why == "面积不能为负数":
        return None, "蓄积量不能为负数"
    if why is not None:
        return None, "不是有效数字（最多两位小数）"
    if value > MAX_VOLUME:
        return None, f"每亩蓄积量不超过 {MAX_VOLUME} 立方米"
    return float(value), None


def _choice(labels: dict[str, str]):
    return lambda v, _today: cells.choice(v, labels)


def _species(v, _today):
    raw = str(v or "").strip()
    return (raw, None) if raw in SPECIES else (None, "应为：" + "、".join(SPECIES))


_REGION = Column("region_code", "地区代码", _required(lambda v, _t: cells.region(v)),
                 aliases=("区划代码", "行政区划代码", "村级区划代码"), example="220102001001")

SALES = Kind("price_sales", "林权成交样本", "宗成交", (
    _REGION,
    Column("deal_on", "成交日期", _required(lambda v, _t: cells.date(v)), aliases=("日期", "交易日期"),
           example="2024-05-18"),
    Column("kind", "成交类型", _optional(_choice(SALE_KINDS)), required=False, aliases=("类型",), example="流转"),
    Column("area_mu", "面积（亩）", _required(_area), aliases=("面积",), example="45.50"),
    Column("price_fen", "成交价格（元）", _required(_positive_money), aliases=("成交价格", "价格", "成交金额"),
           example="182000.00"),
    Column("forest_type", "林种", _required(_choice(FOREST_TYPES)), example="用材林"),
    Column("species", "优势树种", _optional(_species), required=False, aliases=("树种",), example="落叶松"),
    Column("age_class", "龄组", _optional(_choice(AGE_CLASSES)), required=False, example="中龄林"),
    Column("volume_m3_per_mu", "每亩蓄积量（立方米）", _optional(_volume), required=False,
           aliases=("每亩蓄积量", "每亩蓄积"), example="4.20"),
    Column("site_class", "立地等级", _optional(lambda v, _t: cells.integer(v, 1, 5)), required=False,
           aliases=("地位级",), example="3"),
    Column("term_years", "经营期限（年）", _optional(lambda v, _t: cells.integer(v, 1, MAX_TERM)), required=False,
           aliases=("期限", "流转期限"), example="30"),
    Column("right_type", "权利类型", _optional(_choice(RIGHT_TYPES)), required=False, example="林木经营权"),
))

COSTS = Kind("price_costs", "营林成本观测", "条观测", (
    _REGION,
    Column("observed_on", "观测日期", _required(lambda v, _t: cells.date(v)), aliases=("日期",), example="2024-06-30"),
    Column("item", "成本项目", _required(_choice({k: label for k, (label, _u) in COST_ITEMS.items()})),
           aliases=("项目",), example="造林"),
    Column("unit_cost_fen", "单位成本（元）", _required(_positive_money), aliases=("单位成本", "成本"),
           example="960.00"),
))

PRICE_KINDS: dict[str, Kind] = {k.key: k for k in (SALES, COSTS)}
