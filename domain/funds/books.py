"""The books of an organisation: its cash and bank accounts, and the level-2 base data (Art. J11)
derived from its ledger, never typed in."""
from __future__ import annotations

import re

from domain.text import put_text
from domain.accounting import ASSET_KEYS, MEASURE_BY_KEY

ACCOUNT_KINDS = {"bank": ("银行存款", 102), "cash": ("库存现金", 101)}
#: where a voucher came from
SOURCE_LABELS = {"manual": "手工凭证", "payment_request": "收付款申请", "opening": "期初余额",
                 "generated": "历史凭证", "import": "导入凭证"}
CLOSE_STATUS_LABELS = {"closed": "已结账", "reopened": "已反结账"}
LEVEL2_LABELS = {"deposits": "货币资金（存款）", "cash": "库存现金", "bank": "银行存款", "claims": "债权（应收款项）",
                 "debts": "债务（负债合计）", "total_assets": "资产总额"}


def level2_figures(balances: dict[int, int]) -> dict[str, int]:
    """Deposits, claims, debts and total assets from account balances (account -> debit − credit),
    through the same measures the dashboards use (domain/accounting.py). Never typed in."""

    def measure(key: str) -> int:
        return sum(sign * balances.get(code, 0) for code, sign in MEASURE_BY_KEY[key].accounts.items())

    cash, bank = measure("cash"), measure("bank")
    return {"deposits": cash + bank, "cash": cash, "bank": bank, "claims": measure("receivables"),
            "debts": measure("liabilities"), "total_assets": sum(measure(k) for k in ASSET_KEYS)}


def account_problems(kind: str, name: str | None, bank_name: str | None, account_no: str | None) -> tuple[str, dict]:
    """(the account number as digits, field -> what is wrong) for a new cash or bank account."""
    errors: dict[str, str] = {}
    digits = re.sub(r"[\s-]", "", account_no or "")
    if kind not in ACCOUNT_KINDS:
        errors["kind"] = "请选择银行存款或库存现金"
    put_text(errors, "name", name, "账户名称", 100)
    if kind == "bank":
        if not (bank_name or "").strip():
            errors["bank_name"] = "请填写开户行"
        if not re.fullmatch(r"\d{8,32}", digits):
            errors["account_no"] = "银行账号应为8至32位数字"
    return digits, errors
