"""How ledger accounts roll up into the figures dashboards show.

Each measure is a set of accounts with a sign: balance measures accumulate month by month
(assets, liabilities, equity); flow measures are the month's movement (income, expense).
Movement of an account = debit - credit; a measure multiplies that by its sign so that its
normal side is positive. Kept as data so the 2004 chart can be mapped onto it.
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Measure:
    key: str
    label: str
    kind: str  # balance | flow
    accounts: dict[int, int]  # account code -> sign applied to (debit - credit)


def _debit(*codes: int) -> dict[int, int]:
    return dict.fromkeys(codes, 1)


def _credit(*codes: int) -> dict[int, int]:
    return dict.fromkeys(codes, -1)


MEASURES: tuple[Measure, ...] = (
    Measure("cash", "库存现金", "balance", _debit(101)),
    Measure("bank", "银行存款", "balance", _debit(102)),
    Measure("short_investment", "短期投资", "balance", _debit(111)),
    Measure("receivables", "应收款项", "balance", _debit(112, 113)),
    Measure("inventory", "库存物资及生产成本", "balance", _debit(121, 401)),
    Measure("biological", "生物资产", "balance", {131: 1, 132: 1, 133: 1, 134: 1}),
    Measure("long_investment", "长期投资", "balance", _debit(141)),
    Measure("fixed_assets", "固定资产（净额）", "balance", {151: 1, 152: 1, 153: 1, 154: 1}),
    Measure("intangible", "无形资产（净额）", "balance", {161: 1, 162: 1}),
    Measure("other_assets", "其他资产", "balance", _debit(171, 181)),
    Measure("liabilities", "负债", "balance", _credit(201, 211, 212, 213, 214, 221, 231, 241)),
    Measure("equity", "所有者权益", "balance", _credit(301, 311, 321, 322)),
    Measure("income_operating", "经营收入", "flow", _credit(501)),
    Measure("income_investment", "投资收益", "flow", _credit(502)),
    Measure("income_subsidy", "补助收入", "flow", _credit(503)),
    Measure("income_other", "其他收入", "flow", _credit(504)),
    Measure("expense_operating", "经营支出", "flow", _debit(511)),
    Measure("expense_tax", "税金及附加", "flow", _debit(512)),
    Measure("expense_admin", "管理费用", "flow", _debit(513)),
    Measure("expense_public", "公益支出", "flow", _debit(514)),
    Measure("expense_other", "其他支出", "flow", _debit(515)),
    Measure("expense_income_tax", "所得税费用", "flow", _debit(521)),
)
MEASURE_BY_KEY = {m.key: m for m in MEASURES}
BALANCE_KEYS = tuple(m.key for m in MEASURES if m.kind == "balance")
FLOW_KEYS = tuple(m.key for m in MEASURES if m.kind == "flow")
ASSET_KEYS = ("cash", "bank", "short_investment", "receivables", "inventory", "biological",
              "long_investment", "fixed_assets", "intangible", "other_assets")

#: Derived figures, each a signed sum of measures.
DERIVED: dict[str, tuple[str, dict[str, int]]] = {
    "total_assets": ("资产总额", dict.fromkeys(ASSET_KEYS, 1)),
    "funds": ("货币资金", {"cash": 1, "bank": 1}),
    # 经营收益 = 经营收入 + 投资收益 − 经营支出 − 税金及附加 − 管理费用
    "operating_profit": ("经营收益", {"income_operating": 1, "income_investment": 1, "expense_operating": -1,
                                      "expense_tax": -1, "expense_admin": -1}),
    # 本年收益 = 经营收益 + 补助收入 + 其他收入 − 公益支出 − 其他支出 − 所得税费用
    "net_profit": ("本年收益", {"income_operating": 1, "income_investment": 1, "expense_operating": -1,
                                "expense_tax": -1, "expense_admin": -1, "income_subsidy": 1, "income_other": 1,
                                "expense_public": -1, "expense_other": -1, "expense_income_tax": -1}),
    "total_income": ("总收入", {"income_operating": 1, "income_investment": 1, "income_subsidy": 1, "income_other": 1}),
    "total_expense": ("总支出", {"expense_operating": 1, "expense_tax": 1, "expense_admin": 1, "expense_public": 1,
                                 "expense_other": 1, "expense_income_tax": 1}),
}

#: 经营性收入 buckets used in the national income-distribution statistics (yuan).
INCOME_BUCKETS = ((0, "无经营收益"), (5_000_000, "5万元以下"), (10_000_000, "5–10万元"),
                  (50_000_000, "10–50万元"), (None, "50万元以上"))


def account_measure_table() -> list[tuple[int, str, int]]:
    """(account code, measure key, sign) rows: the mapping as a table for joins."""
    return [(code, m.key, sign) for m in MEASURES for code, sign in m.accounts.items()]


def label(key: str) -> str:
    if key in MEASURE_BY_KEY:
        return MEASURE_BY_KEY[key].label
    return DERIVED[key][0] if key in DERIVED else key
