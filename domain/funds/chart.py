"""The chart of accounts of village collective economic organisations (《农村集体经济组织会计制度》,
财会〔2023〕14号, in force 2024-01-01): 42 accounts, held as data (the codes come from one public
transcription, see shared/DOMAIN.md, so they are a table here, not logic).

Each account: code, name, category (asset, liability, equity, cost, income, expense) and its normal
side (debit or credit; the accumulated depreciation and amortisation accounts are credit-side
assets).
"""
from __future__ import annotations

from dataclasses import dataclass

CATEGORY_LABELS = {"asset": "资产类", "liability": "负债类", "equity": "所有者权益类", "cost": "成本类",
                   "income": "损益类（收入）", "expense": "损益类（费用）"}

_CHART_2023 = """
101 库存现金 asset debit
102 银行存款 asset debit
111 短期投资 asset debit
112 应收款 asset debit
113 内部往来 asset debit
121 库存物资 asset debit
131 消耗性生物资产 asset debit
132 生产性生物资产 asset debit
133 生产性生物资产累计折旧 asset credit
134 公益性生物资产 asset debit
141 长期投资 asset debit
151 固定资产 asset debit
152 累计折旧 asset credit
153 在建工程 asset debit
154 固定资产清理 asset debit
161 无形资产 asset debit
162 累计摊销 asset credit
171 长期待摊费用 asset debit
181 待处理财产损溢 asset debit
201 短期借款 liability credit
211 应付款 liability credit
212 应付工资 liability credit
213 应付劳务费 liability credit
214 应交税费 liability credit
221 长期借款及应付款 liability credit
231 一事一议资金 liability credit
241 专项应付款 liability credit
301 资本 equity credit
311 公积公益金 equity credit
321 本年收益 equity credit
322 收益分配 equity credit
401 生产（劳务）成本 cost debit
501 经营收入 income credit
502 投资收益 income credit
503 补助收入 income credit
504 其他收入 income credit
511 经营支出 expense debit
512 税金及附加 expense debit
513 管理费用 expense debit
514 公益支出 expense debit
515 其他支出 expense debit
521 所得税费用 expense debit
"""


@dataclass(frozen=True)
class Account:
    code: int
    name: str
    category: str
    normal: str  # debit | credit

    @property
    def label(self) -> str:
        return f"{self.code} {self.name}"


def _parse(table: str) -> dict[int, Account]:
    out = {}
    for line in table.strip().splitlines():
        code, name, category, normal = line.split()
        assert category in CATEGORY_LABELS and normal in ("debit", "credit"), line
        out[int(code)] = Account(int(code), name, category, normal)
    return out


#: code -> Account, in code order
CHART: dict[int, Account] = _parse(_CHART_2023)
CASH, BANK = 101, 102
MONEY_ACCOUNTS = (CASH, BANK)


def account(code) -> Account | None:
    try:
        return CHART.get(int(code))
    except (TypeError, ValueError):
        return None


def name(code: int) -> str:
    a = account(code)
    return a.name if a else str(code)
