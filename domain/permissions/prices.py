"""The price-index part of the one table (Art. X32: cost and price index models for forest rights).

The indexes are statistics: the forestry officials who analyse credit data, the province's leaders
and administrators, and financial institutions (who value mortgaged forest rights) read them, each
over the sales inside their scope. The sample of individual deals is for the forestry officials;
county forestry bureaus and the provincial bureau import deals and cost observations (谁采集、谁负责).
"""
from __future__ import annotations

from domain.actions import Action
from domain.scope import Perm

from .roles import BANKS, CREDIT_ANALYSTS, CREDIT_COLLECTORS, CREDIT_OFFICIALS, at_levels, holders
from .rules import Rule

_AREA = "价格指数"
#: the province's, cities' and counties' analysts of the collective side (leaders, administrators, oversight)
_STATISTICS = at_levels(holders(Perm.STATISTICAL_ANALYSIS), 1, 2, 3)

PRICE_ACTIONS: dict[Action, Rule] = {
    Action.PRICE_INDEX_VIEW: Rule(_AREA, "查看林权价格指数、营林成本指数并导出", CREDIT_ANALYSTS | BANKS | _STATISTICS,
                                  refusal="只有林业主管部门、数据管理单位、金融机构和统计分析人员可以查看价格指数"),
    Action.PRICE_VALUATE: Rule(_AREA, "按宗地特征估算林权价格（估价助手）", CREDIT_ANALYSTS | CREDIT_COLLECTORS | BANKS,
                               refusal="只有林业主管部门、数据管理单位和金融机构可以使用估价助手"),
    Action.PRICE_SALES_VIEW: Rule(_AREA, "查看本辖区林权成交样本", CREDIT_OFFICIALS, "price_sale",
                                  refusal="只有林业主管部门和数据管理单位可以查看成交样本"),
    Action.PRICE_DATA_IMPORT: Rule(_AREA, "导入林权成交样本和营林成本观测", CREDIT_COLLECTORS,
                                   refusal="只有林业主管部门可以导入成交样本和成本观测"),
}
