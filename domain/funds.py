"""Funds (资金管理) rules: what a payment or receipt request must contain, who approves it in
which order, and the balanced voucher that posting it writes. Plain Python; the storage layer
(`data/funds.py`) applies them inside one transaction.

Workflow (吉林 platform practice, SPEC §1): the village cashier (报账员) enters the request; the
village secretary (理事长) and then the supervisory-board chair (监事长) approve it; the township
agent accountant (代理会计) posts it as a voucher. A request above the organisation's decision
threshold must cite a meeting resolution (四议两公开). Nobody approves or posts their own request.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from data.identifiers import resident_id_problem, uscc_problem

#: status -> (the step that acts on it, the roles that may take it, the status after approval)
WORKFLOW: dict[str, tuple[str, tuple[str, ...], str]] = {
    "submitted": ("secretary", ("village_secretary",), "secretary_approved"),
    "secretary_approved": ("supervisor", ("village_supervisor",), "approved"),
}
POSTING_ROLES = ("township_accountant",)
ENTRY_ROLES = ("village_cashier",)
STATUS_LABELS = {"submitted": "待理事长审批", "secretary_approved": "待监事长审批", "approved": "待代理会计记账",
                 "posted": "已记账", "rejected": "已驳回"}
#: accounts a payment may be charged to, and a receipt credited to
PAYMENT_ACCOUNTS = {511: "经营支出", 512: "税金及附加", 513: "管理费用", 514: "公益支出", 515: "其他支出",
                    121: "库存物资", 151: "固定资产", 153: "在建工程", 211: "应付款", 212: "应付工资", 213: "应付劳务费"}
RECEIPT_ACCOUNTS = {501: "经营收入", 502: "投资收益", 503: "补助收入", 504: "其他收入", 112: "应收款", 201: "短期借款",
                    241: "专项应付款"}
MAX_AMOUNT_FEN = 10**13  # 1,000 亿元: anything above is a typing error


def parse_amount(text) -> tuple[int | None, str | None]:
    """Yuan as typed ("1,234.50") -> (fen, None), or (None, why) in Chinese. Exact: Decimal, never float."""
    raw = str(text if text is not None else "").strip().replace(",", "").replace("，", "")
    if not raw:
        return None, "请填写金额"
    try:
        value = Decimal(raw)
    except InvalidOperation:
        return None, "金额须为数字"
    if not value.is_finite():
        return None, "金额须为数字"
    if value <= 0:
        return None, "金额须大于0"
    if value != value.quantize(Decimal("0.01")):
        return None, "金额最多两位小数（精确到分）"
    fen = int(value * 100)
    if fen > MAX_AMOUNT_FEN:
        return None, "金额过大，请核对"
    return fen, None


@dataclass(frozen=True)
class RequestDraft:
    kind: str  # payment | receipt
    amount: str
    purpose: str
    account: int | None
    bank_account_id: int | None
    counterparty_name: str
    counterparty_id_type: str  # resident | uscc | other
    counterparty_id: str
    request_date: dt.date | None
    resolution_id: int | None = None


def draft_problems(d: RequestDraft, today: dt.date) -> tuple[int | None, dict[str, str]]:
    """(amount in fen, field -> what is wrong)."""
    errors: dict[str, str] = {}
    if d.kind not in ("payment", "receipt"):
        errors["kind"] = "请选择付款或收款"
    fen, why = parse_amount(d.amount)
    if why:
        errors["amount"] = why
    if not (d.purpose or "").strip():
        errors["purpose"] = "请填写用途"
    elif len(d.purpose) > 200:
        errors["purpose"] = "用途不超过200字"
    allowed = PAYMENT_ACCOUNTS if d.kind == "payment" else RECEIPT_ACCOUNTS
    if d.account not in allowed:
        errors["account"] = "请选择" + ("支出" if d.kind == "payment" else "收入") + "科目"
    if not d.bank_account_id:
        errors["bank_account_id"] = "请选择收付账户"
    if not (d.counterparty_name or "").strip():
        errors["counterparty_name"] = "请填写对方单位或个人"
    if d.counterparty_id_type == "resident":
        problem = resident_id_problem(d.counterparty_id, today)
        if problem:
            errors["counterparty_id"] = problem
    elif d.counterparty_id_type == "uscc":
        problem = uscc_problem(d.counterparty_id)
        if problem:
            errors["counterparty_id"] = problem
    elif d.counterparty_id_type != "other":
        errors["counterparty_id_type"] = "请选择证件类型"
    if d.request_date is None:
        errors["request_date"] = "请填写日期"
    elif d.request_date > today:
        errors["request_date"] = "日期不能晚于今天"
    elif d.request_date < today - dt.timedelta(days=366):
        errors["request_date"] = "日期早于一年前，请核对"
    return fen, errors


def needs_resolution(amount_fen: int, threshold_fen: int) -> bool:
    return amount_fen >= threshold_fen


def next_step(status: str) -> tuple[str, tuple[str, ...], str] | None:
    return WORKFLOW.get(status)


def voucher_lines(kind: str, amount_fen: int, account: int, money_account: int) -> list[tuple[int, int, int]]:
    """(account, debit fen, credit fen) of the voucher posting a request; always balanced."""
    if kind == "payment":
        lines = [(account, amount_fen, 0), (money_account, 0, amount_fen)]
    else:
        lines = [(money_account, amount_fen, 0), (account, 0, amount_fen)]
    assert_balanced(lines)
    return lines


class UnbalancedVoucher(ValueError):
    pass


def assert_balanced(lines: list[tuple[int, int, int]]) -> None:
    """Debits equal credits, every amount non-negative, each line on one side only."""
    if len(lines) < 2:
        raise UnbalancedVoucher("凭证至少需要两行")
    for account, debit, credit in lines:
        if debit < 0 or credit < 0 or (debit and credit) or not (debit or credit):
            raise UnbalancedVoucher(f"科目 {account} 的借贷金额无效")
    debit = sum(d for _, d, _ in lines)
    credit = sum(c for _, _, c in lines)
    if debit != credit:
        raise UnbalancedVoucher(f"借贷不平衡：借方 {Decimal(debit) / 100:,.2f} 元，贷方 {Decimal(credit) / 100:,.2f} 元")


def period_of(day: dt.date) -> int:
    return day.year * 100 + day.month
