"""Supervision rules (监督预警, Art. J31, J41) as data: each rule has an id, a Chinese name, the
article or practice it enforces, a severity, its parameters (per-province overrides in
`PROVINCE_PARAMS`) and a plain check function.

A check takes the frames the engine read (polars DataFrames named and shaped as in
`FRAME_COLUMNS`), the rule's parameters and today's date, and returns a list of `Finding`s: the
village, the offending record, a one-line Chinese title with the figures, the evidence (ids, dates,
amounts in fen and the threshold used) and a stable fingerprint (rule + subject + period) so that
a re-run raises nothing twice. Checks are vectorised polars over whole frames (a province has
~12k villages and tens of millions of ledger lines): Python only builds the findings.

The ledger-derived frames (`cash`, `voucher_mix`, `payment_lines`, `spending`, `arap`,
`borrowings`) are built once per run from the raw ledger by `ledger_frames`.

Plain Python, no Dash and no database: `data/supervision/engine.py` reads the frames and stores the
warnings.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from types import MappingProxyType
from collections.abc import Callable, Mapping

from domain.citations import (CREDIT_REPLY, JIANGXI_RULES, NATIONAL_ACCOUNTING, NATIONAL_FINANCE, Article, Cite,
                              credit_article)
from domain.money import period_of

from .base import Check, months_back
from .funds import (
    check_cash_not_deposited, check_cash_over_limit, check_cash_payment_to_org, check_cash_sitting_payment,
    check_duplicate_payment, check_official_counterparty,
)
from .decisions import check_no_resolution, check_paid_before_approval, check_same_person_decision
from .contracts import (
    check_contract_expired_active, check_contract_expiring, check_contract_signed_after_start,
    check_instalment_overdue, check_supplier_registered_after_contract,
)
from .receivables import check_aged
from .trading import check_price_below_going_rate, check_price_below_reserve
from .assets import check_annual_check_not_filed
from .disclosure import check_disclosure_overdue, disclosure_horizon
from .credit import check_credit_blacklisted_counterparty
from .statistics import check_benford, check_spending_jump
from .credit_replies import check_credit_reply_overdue

# the whole rule vocabulary, one namespace (engine, pages, tests)
from .base import *  # noqa: F403
from .ledger import *  # noqa: F403
from .funds import *  # noqa: F403
from .decisions import *  # noqa: F403
from .contracts import *  # noqa: F403
from .receivables import *  # noqa: F403
from .trading import *  # noqa: F403
from .assets import *  # noqa: F403
from .disclosure import *  # noqa: F403
from .credit import *  # noqa: F403
from .statistics import *  # noqa: F403
from .credit_replies import *  # noqa: F403


@dataclass(frozen=True)
class Rule:
    id: str
    name: str
    article: Article | str  # the cited text per province: `article_text(rule, province)`
    severity: int  # 1 低 / 2 中 / 3 高
    area: str
    params: Mapping = field(default_factory=dict)
    check: Check = None  # type: ignore[assignment]
    #: the frames the check reads (the engine reads only what the selected rules need)
    needs: tuple[str, ...] = ()
    description: str = ""
    #: for rules that look at a recent window only: (params, today) -> the earliest period key
    #: (the fingerprint's last part) the check still examines; older warnings are left alone
    horizon: Callable[[Mapping, dt.date], str] | None = None

    def __post_init__(self):
        object.__setattr__(self, "params", MappingProxyType(dict(self.params)))


#: what each group of rules enforces: the national rules (every province) and the province's own
#: articles (`domain.citations`: Jilin's for 22, none for a province without its own text)
CASH_ART = Article(f"{NATIONAL_FINANCE}{NATIONAL_ACCOUNTING}现金管理", (Cite.WARNING_HANDLING, Cite.WARNING_OVERSIGHT))
DECISION_ART = Article(f"四议两公开（村级重大事项民主决策）；{NATIONAL_FINANCE}", (Cite.FUNCTIONS,))
CONTRACT_ART = Article("农村集体经济合同管理规定", (Cite.FUNCTIONS, Cite.WARNING_OVERSIGHT))
ARAP_ART = Article(f"{NATIONAL_ACCOUNTING}应收款、应付款核算；清产核资（往来款项清理）")
SEPARATION_ART = Article("四议两公开（决议须经会议表决并由登记人以外的人员确认）；不相容岗位相分离（内部控制）",
                         (Cite.FUNCTIONS,))
ASSET_CHECK_ART = Article("农村集体资产年度清查制度（12月31日盘点、次年3月31日前上报）", (Cite.NATIONAL_PLATFORM,))
TRADE_ART = Article("农村产权交易管理办法（底价制度）", (Cite.FUNCTIONS,))
CREDIT_REPLY_ART = f"{JIANGXI_RULES}{CREDIT_REPLY}"
CREDIT_ART = Article(f"{credit_article('punishment', True)}（联合惩戒应用）：公示期内的失信主体")
DISCLOSURE_ART = Article("《农村集体经济组织财务公开规定》（农经发〔2011〕13号）：至少每季度公开一次", (Cite.DISCLOSURE,))

_RULES: list[Rule] = [
    Rule("cash_over_limit", "库存现金超过限额", CASH_ART, 2, "funds", {"limit_fen": 500_000},
         check_cash_over_limit, ("orgs", "cash"),
         "最近一日库存现金余额超过本组织核定的现金限额（未核定时按默认限额5000元），超出部分应及时存入银行。"),
    Rule("cash_payment_to_org", "现金支付单位款项1000元以上", CASH_ART, 2, "funds", {"min_fen": 100_000},
         check_cash_payment_to_org, ("payments",),
         "以现金账户向单位（统一社会信用代码）支付1000元及以上款项；应通过银行转账。"),
    Rule("cash_not_deposited", "现金收入未及时存入银行", CASH_ART, 2, "funds", {"days": 3, "min_fen": 100_000},
         check_cash_not_deposited, ("cash",),
         "一日收取现金1000元及以上，收款当日起3日内存入银行的合计不足收款金额。"),
    Rule("cash_sitting_payment", "坐支现金（以收抵支）", CASH_ART, 3, "funds", {"min_fen": 1},
         check_cash_sitting_payment, ("voucher_mix",),
         "一张凭证直接以收入抵顶支出，收入未经现金或银行账户入账即被支出（坐支）。"),
    Rule("no_resolution", "重大事项未经民主决策（四议两公开）", DECISION_ART, 3, "meetings",
         {"default_threshold_fen": 5_000_000, "borrowing_window_days": 365},
         check_no_resolution, ("orgs", "payments", "resolutions", "asset_acts", "contracts", "borrowings"),
         "达到本组织决策限额的付款、出租（发包）、转让合同和借款，以及每一项资产处置、出租、抵押，没有引用此前通过的同类会议决议。"),
    Rule("same_person_decision", "同一人登记、确认或引用会议决议", SEPARATION_ART, 3, "meetings", {},
         check_same_person_decision, ("resolutions", "citations", "users"),
         "会议记录的登记人与确认人为同一人，或登记人、确认人又以该会议的决议为依据录入付款申请、资产处置（出租、抵押）、合同或交易挂牌。"),
    Rule("contract_expired_active", "合同已到期仍在履行或仍有欠款", CONTRACT_ART, 2, "contracts", {},
         check_contract_expired_active, ("contracts", "instalments", "receipts"),
         "合同到期后仍标记为履行中、到期后仍在收款，或到期时仍有未收清的款项。"),
    Rule("instalment_overdue", "合同款项逾期未收", CONTRACT_ART, 2, "contracts", {"grace_days": 0},
         check_instalment_overdue, ("contracts", "instalments"),
         "合同约定的应收款项已过期限仍未收齐。"),
    Rule("contract_expiring", "合同即将到期（90日内）", CONTRACT_ART, 1, "contracts", {"days": 90},
         check_contract_expiring, ("contracts",),
         "履行中的合同将在90日内到期，应提前做好续签或重新发包（经民主决策）。"),
    Rule("receivable_aged_3y", "往来款项挂账3年以上", ARAP_ART, 2, "funds", {"years": 3, "until_years": 5, "min_fen": 100},
         check_aged("receivable_aged_3y", "3年以上"), ("arap",),
         "应收款（112）或应付款（211）中3年以上、不满5年仍未结清的部分（按往来单位先进先出核算账龄）。"),
    Rule("receivable_aged_5y", "往来款项挂账5年以上", ARAP_ART, 3, "funds", {"years": 5, "until_years": None, "min_fen": 100},
         check_aged("receivable_aged_5y", "5年以上"), ("arap",),
         "应收款（112）或应付款（211）中5年以上仍未结清的部分（按往来单位先进先出核算账龄）。"),
    Rule("contract_signed_after_start", "合同签订晚于履行开始", CONTRACT_ART, 2, "contracts", {},
         check_contract_signed_after_start, ("contracts",),
         "合同签订日期晚于租赁（履行）开始日期：先履行后签约。"),
    Rule("paid_before_approval", "先支付后审批", DECISION_ART, 3, "funds", {},
         check_paid_before_approval, ("payments", "resolutions"),
         "付款日期早于申请日期、审批通过日期，或早于所引用决议的会议日期。"),
    Rule("supplier_registered_after_contract", "相对方登记成立晚于合同签订", CONTRACT_ART, 2, "contracts", {},
         check_supplier_registered_after_contract, ("contracts",),
         "合同相对方（单位）的登记成立日期晚于合同签订日期。"),
    Rule("duplicate_payment", "疑似重复支付", "《农村集体经济组织财务制度》资金支付审核", 2, "funds", {"window_days": 30},
         check_duplicate_payment, ("payments",),
         "同一收款人、同一金额、同一用途的付款在30日内出现多次。"),
    Rule("official_counterparty", "本村干部为收款人或合同相对方", "村干部回避及关联交易监督；四议两公开", 3, "funds", {},
         check_official_counterparty, ("officials", "payments", "contracts"),
         "收付款对方或合同相对方的身份证号与本集体经济组织的村干部相同。"),
    Rule("price_below_reserve", "成交价远低于挂牌底价", TRADE_ART, 3,
         "trading", {"percent": 80},
         check_price_below_reserve, ("listings",),
         "产权交易成交价低于挂牌底价的80%。"),
    Rule("price_below_going_rate", "租金远低于本地同类水平", "农村产权交易管理办法；集体资源发包", 2, "resources",
         {"percent": 50, "min_peers": 5},
         check_price_below_going_rate, ("leases",),
         "资源出租每亩年租金低于本县同类资源出租中位数的50%（同类至少5宗）。"),
    Rule("annual_check_not_filed", "年度资产清查未按期报送", ASSET_CHECK_ART, 2, "assets", {"due_month": 3, "due_day": 31},
         check_annual_check_not_filed, ("orgs", "annual_checks"),
         "上年度资产清查结果未在次年3月31日前报送（逾期报送或至今未报）。"),
    Rule("disclosure_overdue", "财务公开逾期未公开", DISCLOSURE_ART, 2, "disclosure", {"grace_days": 15, "quarters": 4},
         check_disclosure_overdue, ("orgs", "disclosures"),
         "最近4个季度中，季度终了15日后仍未公开该季度财务收支（已公开的三个月度公开视同季度公开）。",
         horizon=disclosure_horizon),
    Rule("credit_blacklisted_counterparty", "合同相对方或收款人在联合惩戒名单上", CREDIT_ART, 3, "credit", {},
         check_credit_blacklisted_counterparty, ("credit_punished", "contracts", "payments"),
         "履行中（或在失信决定之后签订）的合同相对方、失信决定之后的收付款对方，其身份证号或统一社会信用代码"
         "是林业信用联合惩戒名单上的主体（失信信息有效且在公示期内，含公示期最后一日）。"),
    Rule("spending_jump", "支出异常波动", "统计分析：与本村历史支出比较", 1, "statistics",
         {"recent_months": 3, "history_months": 36, "min_history_months": 12, "ratio_percent": 400, "z": 6.0,
          "min_fen": 2_000_000},
         check_spending_jump, ("spending",),
         "近3个月中某月支出达到本村此前各月中位数的4倍以上，且超出中位数6个稳健标准差（1.4826×MAD）。",
         horizon=lambda p, today: str(months_back(period_of(today), int(p["recent_months"]) - 1))),
    Rule("benford", "支付金额首位数字分布异常（本福特定律）", "统计分析：本福特定律首位数字检验（Nigrini）", 1, "statistics",
         {"months": 36, "min_count": 100, "min_amount_fen": 1_000, "p_value": 0.001, "mad": 0.015},
         check_benford, ("payment_lines",),
         "本村近36个月10元以上支付金额（至少100笔）的首位数字分布与本福特定律显著不符：卡方检验p<0.001且平均绝对偏差超过0.015（Nigrini不符合区间）。",
         horizon=lambda p, today: str(today.year)),
    Rule("credit_reply_overdue", "林业信用数据申请逾期未答复", CREDIT_REPLY_ART, 2, "credit", {},
         check_credit_reply_overdue, ("credit_replies",),
         "开放、共享数据申请、数据修正申请和数据传输申请自收到之日起10个工作日内未答复（办结），预警推送至数据管理单位（省级）。"),
]

RULES: dict[str, Rule] = {r.id: r for r in _RULES}


def article_text(rule: Rule, province: int | None) -> str:
    """What `rule` cites in the deployment of `province`."""
    return rule.article.text_for(province) if isinstance(rule.article, Article) else rule.article

#: Per-province overrides of rule parameters: {province: {rule_id: {param: value}}}. The
#: defaults above follow common practice; a province's own figures go here.
PROVINCE_PARAMS: dict[int, dict[str, dict]] = {22: {}, 36: {}}


def params_for(rule: Rule | str, province: int | None = None) -> dict:
    """The rule's parameters with the province's overrides applied."""
    rule = RULES[rule] if isinstance(rule, str) else rule
    out = dict(rule.params)
    out.update(PROVINCE_PARAMS.get(province or 0, {}).get(rule.id, {}))
    return out


def needed_frames(rules) -> set[str]:
    out: set[str] = set()
    for r in rules:
        out.update(r.needs)
    return out
