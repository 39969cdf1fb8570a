"""Manual vouchers (记账凭证): 2–10 lines on the village chart whose debits equal their credits to
the fen, and the balance check every voucher passes before it is written."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from domain.text import put_text
from domain.funds.chart import account as chart_account
from domain.funds.parsing import parse_amount
from domain.money import yuan

MIN_LINES, MAX_LINES = 2, 10


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
        raise UnbalancedVoucher(f"借贷不平衡：借方 {yuan(debit)} 元，贷方 {yuan(credit)} 元")


@dataclass(frozen=True)
class LineDraft:
    """One row of the voucher form: the account ("513", or "102:7" = account 102, bank account #7)
    and the amount typed on the debit or on the credit side."""

    account: str | int | None
    debit: str | None = None
    credit: str | None = None
    summary: str | None = None


@dataclass(frozen=True)
class VoucherDraft:
    date: dt.date | None
    summary: str
    lines: tuple[LineDraft, ...]


@dataclass(frozen=True)
class LineValue:
    row: int  # the form row (1-based), for messages
    account: int
    bank_account_id: int | None
    debit_fen: int
    credit_fen: int
    summary: str | None


def parse_account_choice(value) -> tuple[int | None, int | None]:
    """"102:7" -> (102, 7); "513" / 513 -> (513, None); anything else -> (None, None)."""
    raw = str(value if value is not None else "").strip()
    code, _, sub = raw.partition(":")
    try:
        return int(code), (int(sub) if sub else None)
    except ValueError:
        return None, None


def _blank(text) -> bool:
    return not str(text if text is not None else "").strip()


def _line(row: int, ln: LineDraft) -> tuple[LineValue | None, list[str]]:
    """One filled row of the form: its value, or what is wrong with it."""
    problems = []
    code, bank_id = parse_account_choice(ln.account)
    if _blank(ln.account):
        problems.append("请选择科目")
    elif code is None or chart_account(code) is None:
        problems.append(f"科目“{ln.account}”不在村集体经济组织会计科目表中")
    debit = credit = 0
    if _blank(ln.debit) == _blank(ln.credit):
        problems.append("借方、贷方金额须填且只填一个")
    else:
        fen, why = parse_amount(ln.credit if _blank(ln.debit) else ln.debit)
        if why:
            problems.append(why)
        elif _blank(ln.debit):
            credit = fen
        else:
            debit = fen
    if problems or code is None:
        return None, problems
    summary = (ln.summary or "").strip() or None
    return LineValue(row, code, bank_id, debit, credit, summary[:200] if summary else None), []


def voucher_problems(d: VoucherDraft, today: dt.date) -> tuple[list[LineValue], dict[str, str]]:
    """The lines of a manual voucher and every problem with it: field -> Chinese. Fields are "date",
    "summary", "lines" (count and balance) and "line-N" (row N of the form). Blank rows are skipped."""
    errors: dict[str, str] = {}
    if d.date is None:
        errors["date"] = "请填写凭证日期"
    elif d.date > today:
        errors["date"] = "凭证日期不能晚于今天"
    put_text(errors, "summary", d.summary, "摘要", 200)
    lines: list[LineValue] = []
    filled = 0
    for row, ln in enumerate(d.lines, start=1):
        if _blank(ln.account) and _blank(ln.debit) and _blank(ln.credit):
            continue
        filled += 1
        value, problems = _line(row, ln)
        if problems:
            errors[f"line-{row}"] = f"第{row}行：" + "；".join(problems)
        elif value is not None:
            lines.append(value)
    if filled < MIN_LINES:
        errors["lines"] = f"凭证至少需要{MIN_LINES}行分录"
    elif filled > MAX_LINES:
        errors["lines"] = f"凭证最多{MAX_LINES}行分录"
    elif not any(k.startswith("line-") for k in errors):
        debit_total = sum(v.debit_fen for v in lines)
        credit_total = sum(v.credit_fen for v in lines)
        if debit_total != credit_total:
            errors["lines"] = f"借贷不平衡：借方合计 {yuan(debit_total)} 元，贷方合计 {yuan(credit_total)} 元"
    if not errors:
        assert_balanced([(v.account, v.debit_fen, v.credit_fen) for v in lines])
    return lines, errors
