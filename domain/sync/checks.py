"""A village's yearly report figures from its ledger, and the checks a report must pass before it
is sent to the national platform (Art. J26). Plain integers in fen throughout: exact.

Input: account code -> (balance at year end, movement within the year), each as debit − credit.
The line items come from the measures the dashboards use (domain/accounting.py); the totals the
checks hold them against come from the chart's categories (domain/funds/chart.py), so an account
the chart does not know, or a line posted without its other side, shows up as a difference.

- 资产 = 负债 + 所有者权益: assets (asset and cost accounts) against liabilities plus owners'
  equity, the equity including the year's income and expense not yet closed into 本年收益.
- 本年收益 = 经营收益 + 补助收入 + 其他收入 − 其他支出: the year's result over every income and
  expense account (5xx, known or not) against its parts; under the 2023 chart 其他支出 of the
  report is 公益支出 + 其他支出 + 所得税费用, and 经营收益 = 经营收入 + 投资收益 − 经营支出 −
  税金及附加 − 管理费用.
- 科目: every account used must be in the chart.
"""
from __future__ import annotations

from domain.accounting import ASSET_KEYS, INCOME_BUCKETS, MEASURE_BY_KEY
from domain.funds.chart import CHART
from domain.money import yuan as _yuan

Balances = dict[int, tuple[int, int]]

CHECK_LABELS = {"balance": "资产 = 负债 + 所有者权益", "profit": "本年收益 = 经营收益 + 补助收入 + 其他收入 − 其他支出",
                "accounts": "科目均在会计科目表内", "schema": "数据格式符合接口规范"}


def _measure(bal: Balances, key: str, which: int) -> int:
    return sum(sign * bal.get(code, (0, 0))[which] for code, sign in MEASURE_BY_KEY[key].accounts.items())


def _category(bal: Balances, *categories: str, which: int = 0) -> int:
    return sum(v[which] for code, v in bal.items() if code in CHART and CHART[code].category in categories)


def income_band(operating_income_fen: int) -> str:
    """The national statistics' bucket of a village by its operating income (domain.accounting.INCOME_BUCKETS)."""
    if operating_income_fen <= 0:
        return INCOME_BUCKETS[0][1]
    for bound, label in INCOME_BUCKETS[1:]:
        if bound is None or operating_income_fen < bound:
            return label
    return INCOME_BUCKETS[-1][1]


def figures(bal: Balances) -> dict[str, int | str]:
    """The report's figures of one village (field names of domain.sync.schema's tables)."""
    b = {k: _measure(bal, k, 0) for k in ASSET_KEYS}
    flow = {k: _measure(bal, k, 1) for k in ("income_operating", "income_investment", "expense_operating",
                                              "expense_tax", "expense_admin", "income_subsidy", "income_other",
                                              "expense_public", "expense_other", "expense_income_tax")}
    operating = (flow["income_operating"] + flow["income_investment"] - flow["expense_operating"]
                 - flow["expense_tax"] - flow["expense_admin"])
    # equity: the equity accounts plus income and expense not yet closed into them (credit − debit)
    unclosed = -_category(bal, "income", "expense")
    liabilities, equity = -_category(bal, "liability"), -_category(bal, "equity") + unclosed
    out: dict[str, int | str] = {f"{k}_fen": v for k, v in b.items()}
    out.update({
        "total_assets_fen": _category(bal, "asset", "cost"), "liabilities_fen": liabilities, "equity_fen": equity,
        "total_liabilities_equity_fen": liabilities + equity,
        **{f"{k}_fen": v for k, v in flow.items()}, "operating_profit_fen": operating,
        # the year's result over every 5xx account, the chart's or not (credit − debit)
        "net_profit_fen": -sum(v[1] for code, v in bal.items() if 500 <= code < 600),
        "income_band": income_band(flow["income_operating"]),
        "total_fen": b["cash"] + b["bank"],
    })
    return out


def claims_debts(bal: Balances) -> dict[str, int]:
    """The claims and debts table of one village: each receivable and payable account at year end."""
    out = {}
    for name, code in (("receivables", 112), ("internal", 113), ("short_loans", 201), ("payables", 211),
                       ("wages", 212), ("labour", 213), ("taxes", 214), ("long_term", 221), ("one_matter", 231),
                       ("special", 241)):
        v = bal.get(code, (0, 0))[0]
        out[f"{name}_fen"] = v if code < 200 else -v
    out["claims_total_fen"] = out["receivables_fen"] + out["internal_fen"]
    out["debts_total_fen"] = -_category(bal, "liability")
    return out


def problems(bal: Balances, fig: dict) -> list[dict]:
    """The checks `fig` (from `figures(bal)`) fails: [{check, label, expected_fen, actual_fen, difference_fen, message}]."""
    out = []
    assets, right = fig["total_assets_fen"], fig["liabilities_fen"] + fig["equity_fen"]
    if assets != right:
        out.append(problem("balance", right, assets, f"资产总计 {_yuan(assets)} 元，负债和所有者权益合计 {_yuan(right)} 元，"
                                                      f"相差 {_yuan(assets - right)} 元"))
    parts = (fig["operating_profit_fen"] + fig["income_subsidy_fen"] + fig["income_other_fen"]
             - fig["expense_public_fen"] - fig["expense_other_fen"] - fig["expense_income_tax_fen"])
    if fig["net_profit_fen"] != parts:
        out.append(problem("profit", parts, fig["net_profit_fen"],
                            f"本年收益 {_yuan(fig['net_profit_fen'])} 元，按构成计算 {_yuan(parts)} 元，"
                            f"相差 {_yuan(fig['net_profit_fen'] - parts)} 元"))
    unknown = sorted(code for code, v in bal.items() if code not in CHART and (v[0] or v[1]))
    if unknown:
        out.append(problem("accounts", 0, 0, f"使用了会计科目表以外的科目：{'、'.join(map(str, unknown))}"))
    return out


def problem(check: str, expected: int, actual: int, message: str) -> dict:
    return {"check": check, "label": CHECK_LABELS[check], "expected_fen": expected, "actual_fen": actual,
            "difference_fen": actual - expected, "message": message}

