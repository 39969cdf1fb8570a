"""Manual vouchers (记账凭证) entered by the township accountant, and an organisation's vouchers."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from data.db import reading, transaction
from data.errors import AccountError
from data.funds.closing import closed_problem
from data.funds.ledger import ORG, Line, conflict, log, primary_accounts, write_voucher
from data.models import BankAccount, CollectiveOrg, Voucher, VoucherLine
from data.scoped import load_for_write
from domain.funds import vouchers as rules
from domain.funds.books import SOURCE_LABELS
from domain.funds.chart import CHART, MONEY_ACCOUNTS
from domain.money import period_label, yuan, yuan_text
from domain.permissions import Action, Actor, ensure


def _money_account_problems(s, org: CollectiveOrg, lines: list[rules.LineValue]) -> tuple[list[int | None], dict]:
    """The cash or bank account of each line (None for other accounts), and the rows naming one
    that is not the organisation's."""
    primary = primary_accounts(s, org.id)
    banks, errors = [], {}
    for v in lines:
        bank_id = None
        if v.account in MONEY_ACCOUNTS:
            bank_id = v.bank_account_id or primary.get(v.account)
            bank = s.get(BankAccount, bank_id) if bank_id else None
            if bank is None or bank.org_id != org.id or bank.ledger_code != v.account:
                errors[f"line-{v.row}"] = f"第{v.row}行：请选择本组织的{CHART[v.account].name}账户"
        banks.append(bank_id)
    return banks, errors


def post_voucher(url: str, key: str, actor: Actor, org_id: int, draft: rules.VoucherDraft, today: dt.date) -> int:
    """The township accountant enters a manual voucher (记账凭证): 2–10 lines on the village chart
    whose debits equal their credits to the fen, dated in an open month and not in the future.
    Voucher and lines are one transaction. Returns the voucher id."""
    ensure(actor, Action.VOUCHER_POST)
    lines, errors = rules.voucher_problems(draft, today)
    with conflict({"_": "他人同时记账占用了该凭证号，请再提交一次"}), transaction(url, actor) as s:
        org = load_for_write(s, CollectiveOrg, org_id, actor, noun=ORG, action=Action.VOUCHER_POST)
        if draft.date is not None and "date" not in errors:
            problem = closed_problem(s, org.id, draft.date)
            if problem:
                errors["date"] = problem
        banks, bank_errors = _money_account_problems(s, org, lines)
        errors.update(bank_errors)
        if errors:
            raise AccountError(errors)
        voucher = write_voucher(s, org, draft.date, draft.summary.strip(), "manual",
                                [Line(v.account, v.debit_fen, v.credit_fen, v.summary, bank_id)
                                 for v, bank_id in zip(lines, banks)],
                                posted_by=actor.user_id, collected_by=actor.user_id, provided_by=actor.username,
                                responsible_by=actor.username)
        total = sum(v.debit_fen for v in lines)
        log(s, key, actor, org.region_code, f"录入记账凭证：{org.name} {period_label(voucher.period)}第{voucher.number}号，"
                                            f"{len(lines)}行，借贷各 {yuan_text(total)}",
            voucher_id=voucher.id, org_id=org.id)
        return voucher.id


def voucher_label(url: str, actor: Actor, voucher_id: int) -> str:
    """"西关社区股份经济合作社 2026年11月第12号" for a voucher in the actor's jurisdiction."""
    with reading(url) as s:
        v = load_for_write(s, Voucher, voucher_id, actor, noun="该凭证")
        return f"{s.get(CollectiveOrg, v.org_id).name} {period_label(v.period)}第{v.number}号"


def _line_text(ln: VoucherLine) -> str:
    side, fen = ("借", ln.debit_fen) if ln.debit_fen else ("贷", ln.credit_fen)
    return f"{side} {ln.account_code} {CHART[ln.account_code].name if ln.account_code in CHART else ''} {yuan(fen)}"


def vouchers(url: str, actor: Actor, org_id: int, limit: int = 300) -> list[dict]:
    """The organisation's vouchers, newest first, one row each with its lines spelled out."""
    with reading(url) as s:
        org = load_for_write(s, CollectiveOrg, org_id, actor, noun=ORG)
        vs = s.scalars(select(Voucher).where(Voucher.org_id == org.id, Voucher.region_code == org.region_code)
                       .order_by(Voucher.date.desc(), Voucher.id.desc()).limit(limit)).all()
        lines: dict[int, list[VoucherLine]] = {}
        if vs:
            for ln in s.scalars(select(VoucherLine).where(VoucherLine.voucher_id.in_([v.id for v in vs]))
                                .order_by(VoucherLine.line_no)):
                lines.setdefault(ln.voucher_id, []).append(ln)
        return [{"id": v.id, "date": v.date.isoformat(), "number": f"{period_label(v.period)}第{v.number}号",
                 "summary": v.summary, "source": SOURCE_LABELS.get(v.source, "历史凭证"),
                 "amount_fen": sum(ln.debit_fen for ln in lines.get(v.id, [])),
                 "lines": "；".join(_line_text(ln) for ln in lines.get(v.id, []))} for v in vs]
