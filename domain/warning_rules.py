"""Supervision rules (监督预警, Art. J31, J41) as data: each rule has an id, a Chinese name, the
article or practice it enforces, a severity, its parameters (per-province overrides in
`PROVINCE_PARAMS`) and a plain check function.

A check takes the bulk frames the engine read (`Frames`: polars DataFrames, see FRAME_COLUMNS),
the rule's parameters and today's date, and returns a list of `Finding`s: the village, the
offending record, a one-line Chinese title with the figures, the evidence (ids, dates, amounts in
fen and the threshold used) and a stable fingerprint (rule + subject + period) so that a re-run
raises nothing twice. Checks are vectorised polars over whole frames (the province has ~12k
villages and tens of millions of ledger lines): no per-row Python except building the findings.

Plain Python, no Dash and no database: `data/warning_engine.py` reads the frames and stores the
warnings.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Callable, Mapping

import polars as pl

SEVERITY_LABELS = {1: "低", 2: "中", 3: "高"}
AREA_LABELS = {"funds": "资金", "assets": "资产", "resources": "资源", "contracts": "合同", "trading": "产权交易",
               "meetings": "会议决策", "statistics": "统计分析"}
#: working days a village has to handle a warning, by severity (kept as data)
DUE_WORKING_DAYS = {3: 5, 2: 10, 1: 15}


@dataclass(frozen=True)
class Finding:
    region_code: int  # the village
    org_id: int | None
    subject_type: str
    subject_id: int | None
    title: str
    evidence: dict
    fingerprint: str


Frames = Mapping[str, pl.DataFrame]
Check = Callable[[Frames, Mapping, dt.date], list[Finding]]


def _stub(frames: Frames, params: Mapping, today: dt.date) -> list[Finding]:
    return []


@dataclass(frozen=True)
class Rule:
    id: str
    name: str
    article: str
    severity: int  # 1 低 / 2 中 / 3 高
    area: str
    params: Mapping = field(default_factory=dict)
    check: Check = _stub
    #: the frames the check reads (the engine reads only what the selected rules need)
    needs: tuple[str, ...] = ()
    description: str = ""

    def __post_init__(self):
        object.__setattr__(self, "params", MappingProxyType(dict(self.params)))


CASH_ART = "《农村集体经济组织财务制度》《农村集体经济组织会计制度》现金管理；吉林规则第三十一条、第四十一条"
DECISION_ART = "四议两公开（村级重大事项民主决策）；《农村集体经济组织财务制度》；吉林规则第三条"
CONTRACT_ART = "农村集体经济合同管理规定；吉林规则第三条（合同管理）、第四十一条"
ASSET_CHECK_ART = "农村集体资产年度清查制度（12月31日盘点、次年3月31日前上报）；吉林规则第二十六条"

_RULES: list[Rule] = [
    Rule("cash_over_limit", "库存现金超过限额", CASH_ART, 2, "funds", {"limit_fen": 500_000},
         needs=("orgs", "cash_days"),
         description="日终库存现金余额超过本组织核定的现金限额（未核定时按默认限额），超出部分应及时存入银行。"),
    Rule("cash_payment_to_org", "现金支付单位款项1000元以上", CASH_ART, 2, "funds", {"min_fen": 100_000},
         needs=("payments",),
         description="向单位（统一社会信用代码）支付1000元及以上款项应通过银行转账，不得使用现金。"),
    Rule("cash_not_deposited", "现金收入未及时存入银行", CASH_ART, 2, "funds", {"days": 3, "min_fen": 100_000},
         needs=("cash_days",),
         description="收到的现金收入在规定天数内未存入银行（期间存入银行合计不足收入金额）。"),
    Rule("cash_sitting_payment", "坐支现金（以收抵支）", CASH_ART, 3, "funds", {"min_fen": 0},
         needs=("voucher_mix",),
         description="一张凭证直接以收入抵顶支出，收入未经现金或银行账户入账即被支出（坐支）。"),
    Rule("no_resolution", "重大事项未经民主决策（四议两公开）", DECISION_ART, 3, "meetings",
         {"default_threshold_fen": 5_000_000},
         needs=("orgs", "payments", "resolutions", "assets", "contracts", "borrowings"),
         description="超过本组织决策限额的支付、资产处置、出租、抵押或借款，没有引用此前通过的同类会议决议。"),
    Rule("contract_expired_active", "合同已到期仍在履行或仍有欠款", CONTRACT_ART, 2, "contracts", {},
         needs=("contracts", "instalments", "receipts"),
         description="合同到期后仍标记为履行中、到期后仍在收付款，或到期时仍有未收清的款项。"),
    Rule("instalment_overdue", "合同款项逾期未收", CONTRACT_ART, 2, "contracts", {"grace_days": 0},
         needs=("contracts", "instalments"),
         description="合同约定的应收款项已过期限仍未收齐。"),
    Rule("contract_expiring", "合同即将到期（90日内）", CONTRACT_ART, 1, "contracts", {"days": 90},
         needs=("contracts",),
         description="履行中的合同将在规定天数内到期，应提前做好续签或重新发包（经民主决策）。"),
    Rule("receivable_aged_3y", "往来款项挂账3年以上", "《农村集体经济组织会计制度》应收款、应付款核算；清产核资", 2, "funds",
         {"years": 3, "until_years": 5, "min_fen": 100},
         needs=("arap",),
         description="应收款（112）或应付款（211）中3年以上（不满5年）仍未结清的部分（按先进先出核算账龄）。"),
    Rule("receivable_aged_5y", "往来款项挂账5年以上", "《农村集体经济组织会计制度》应收款、应付款核算；清产核资", 3, "funds",
         {"years": 5, "until_years": None, "min_fen": 100},
         needs=("arap",),
         description="应收款（112）或应付款（211）中5年以上仍未结清的部分（按先进先出核算账龄）。"),
    Rule("contract_signed_after_start", "合同签订晚于履行开始", CONTRACT_ART, 2, "contracts", {},
         needs=("contracts",),
         description="合同签订日期晚于租赁（履行）开始日期：先履行后签约。"),
    Rule("paid_before_approval", "先支付后审批", DECISION_ART, 3, "funds", {},
         needs=("payments", "resolutions"),
         description="付款日期早于申请日期，或早于所引用决议的会议日期。"),
    Rule("supplier_registered_after_contract", "相对方登记成立晚于合同签订", CONTRACT_ART, 2, "contracts", {},
         needs=("contracts",),
         description="合同相对方（单位）的登记成立日期晚于合同签订日期。"),
    Rule("duplicate_payment", "疑似重复支付", "《农村集体经济组织财务制度》资金支付审核", 2, "funds", {"window_days": 30},
         needs=("payments",),
         description="同一收款人、同一金额、同一用途的付款在规定天数内出现多次。"),
    Rule("official_counterparty", "本村干部为收款人或合同相对方", "村干部近亲属回避及关联交易监督；四议两公开", 3, "funds", {},
         needs=("officials", "payments", "contracts"),
         description="付款收款人或合同相对方的身份证号与本村集体经济组织的村干部相同。"),
    Rule("price_below_reserve", "成交价远低于挂牌底价", "农村产权交易管理办法（底价制度）；吉林规则第三条（产权交易）", 3, "trading",
         {"ratio": 0.9},
         needs=("listings",),
         description="产权交易成交价低于挂牌底价的规定比例。"),
    Rule("price_below_going_rate", "租金远低于本地同类水平", "农村产权交易管理办法；集体资源发包", 2, "resources",
         {"ratio": 0.5, "min_peers": 5},
         needs=("leases",),
         description="资源出租每亩年租金低于本县同类资源中位数的规定比例。"),
    Rule("annual_check_not_filed", "年度资产清查未按期报送", ASSET_CHECK_ART, 2, "assets", {"due_month": 3, "due_day": 31},
         needs=("orgs", "annual_checks"),
         description="上年度资产清查结果未在次年3月31日前报送（逾期报送或至今未报）。"),
    Rule("spending_jump", "支出异常波动", "统计分析：与本村历史支出比较", 1, "statistics",
         {"min_history_months": 12, "ratio": 3.0, "z": 5.0, "min_fen": 1_000_000, "recent_months": 3},
         needs=("spending",),
         description="本月支出远超本村过去各月支出水平（超过中位数的规定倍数且稳健Z值超过阈值）。"),
    Rule("benford", "支付金额首位数字分布异常（本福特定律）", "统计分析：本福特定律首位数字检验（Nigrini）", 1, "statistics",
         {"min_count": 100, "min_amount_fen": 1_000, "p_value": 0.001, "mad": 0.015, "years": 1},
         needs=("payment_lines",),
         description="本村一年内支付金额的首位数字分布与本福特定律显著不符（卡方检验p值与平均绝对偏差）。"),
]

RULES: dict[str, Rule] = {r.id: r for r in _RULES}

#: Per-province overrides of rule parameters: {province: {rule_id: {param: value}}}. The
#: defaults above follow common practice; a province's own figures go here.
PROVINCE_PARAMS: dict[int, dict[str, dict]] = {22: {}, 36: {}}


def params_for(rule: Rule | str, province: int | None = None) -> dict:
    """The rule's parameters with the province's overrides applied."""
    rule = RULES[rule] if isinstance(rule, str) else rule
    out = dict(rule.params)
    out.update(PROVINCE_PARAMS.get(province or 0, {}).get(rule.id, {}))
    return out


def fingerprint(rule_id: str, subject_type: str, subject_id, period: str | int = "") -> str:
    """Stable identity of a fault: the same fault found again maps to the same warning."""
    return f"{rule_id}:{subject_type}:{subject_id}:{period}"
