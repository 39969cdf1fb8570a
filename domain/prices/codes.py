"""The codes of the price and cost index models: kinds of sale, cost items with their units, and the
thin-market rule (DOMAIN.md "Forest-rights price indexes").

The forest types, species, age classes and right types are the credit side's
(domain.credit.codes); they are re-exported here so the models read one vocabulary.
"""
from __future__ import annotations

from domain.credit.codes import AGE_CLASSES, FOREST_TYPES, RIGHT_TYPES, SPECIES

__all__ = ["AGE_CLASSES", "AREA_WORDS", "COST_ITEMS", "FOREST_TYPES", "MIN_COUNTIES", "MIN_SALES", "PERIODS",
           "RIGHT_TYPES", "SALE_KINDS", "SPECIES", "SUPPRESSION_REASONS", "suppression_reason"]

#: kinds of deal a sale records
SALE_KINDS = {"transfer": "流转", "lease": "出租", "mortgage": "抵押评估"}

#: cost items: label and unit (the unit cost is fen per this unit)
COST_ITEMS = {
    "planting": ("造林", "元/亩"),
    "tending": ("抚育", "元/亩"),
    "protection": ("管护", "元/亩·年"),
    "harvesting": ("采伐", "元/立方米"),
    "labour": ("劳务", "元/工日"),
    "materials": ("苗木农资", "元/亩"),
}

#: index periods the models accept
PERIODS = {"quarter": "季度", "year": "年度"}

#: Thin markets (DOMAIN.md): a period or cell is published only with at least MIN_SALES sales from
#: at least MIN_COUNTIES counties (Forestry and Land Scotland gives no unit price below 3 parcels,
#: NCREIF reports a region only with at least 3 contributors); otherwise it is suppressed and says why.
MIN_SALES = 10
MIN_COUNTIES = 3
#: the reasons' templates: {n} sales, {counties} contributing areas, the rule's {min_sales} and
#: {min_counties}, and the {area} the rule counts (县, or 乡镇 inside one county: domain.prices.periods)
SUPPRESSION_REASONS = {
    "few_sales": "本期仅 {n} 宗成交（少于 {min_sales} 宗不发布）",
    "few_counties": "仅 {counties} 个{area}有成交（少于 {min_counties} 个{area}不发布）",
    "no_sales": "本期无成交",
}
#: what the contributing areas are called, by unit
AREA_WORDS = {"county": "县", "township": "乡镇"}


def suppression_reason(key: str, n: int = 0, counties: int = 0, *, min_sales: int = MIN_SALES,
                       min_counties: int = MIN_COUNTIES, unit: str = "county") -> str:
    """The Chinese reason `key` of SUPPRESSION_REASONS, filled in."""
    return SUPPRESSION_REASONS[key].format(n=n, counties=counties, min_sales=min_sales, min_counties=min_counties,
                                           area=AREA_WORDS[unit])
