"""The books of the organisations in a jurisdiction: the organisations, their cash and bank
accounts with balances derived from the ledger (never typed in), the level-2 base data (Art. J11),
the chart as voucher-line choices, and opening an account (开户登记)."""
from __future__ import annotations

from sqlalchemy import func, select

from data.db import reading, transaction
from data.errors import AccountError
from data.funds.ledger import ORG, log, org_lines, primary_accounts
from data.models import BankAccount, CollectiveOrg, VoucherLine
from data.scoped import load_for_write, scoped
from domain.funds import books as rules
from domain.funds.chart import CHART, MONEY_ACCOUNTS
from domain.permissions import Action, Actor, ensure


def orgs(url: str, actor: Actor, limit: int = 500) -> list[dict]:
    """Collective organisations of the actor's jurisdiction."""
    with reading(url) as s:
        q = scoped(select(CollectiveOrg), CollectiveOrg, actor).order_by(CollectiveOrg.region_code,
                                                                          CollectiveOrg.id).limit(limit)
        return [{"id": o.id, "name": o.name, "region_code": int(o.region_code)} for o in s.scalars(q)]


def _banks(s, org_id: int) -> list[BankAccount]:
    return s.scalars(select(BankAccount).where(BankAccount.org_id == org_id).order_by(BankAccount.id)).all()


def account_balances(url: str, actor: Actor, org_id: int) -> list[dict]:
    """The organisation's cash and bank accounts, each with its balance derived from the ledger
    (account 101 / 102 lines of that account); never typed in."""
    with reading(url) as s:
        org = load_for_write(s, CollectiveOrg, org_id, actor, noun=ORG)
        primary = primary_accounts(s, org.id)
        sub = org_lines(org).where(VoucherLine.account_code.in_(MONEY_ACCOUNTS)).subquery()
        sums = s.execute(select(sub.c.account_code, sub.c.bank_account_id,
                                func.sum(sub.c.debit_fen - sub.c.credit_fen))
                         .group_by(sub.c.account_code, sub.c.bank_account_id)).all()
        by_account: dict[int, int] = {}
        for code, bank_id, amount in sums:
            target = bank_id if bank_id is not None else primary.get(int(code))
            if target is not None:
                by_account[target] = by_account.get(target, 0) + int(amount or 0)
        return [{"id": b.id, "kind": rules.ACCOUNT_KINDS[b.kind][0] if b.kind in rules.ACCOUNT_KINDS else b.kind,
                 "name": b.name, "bank_name": b.bank_name or "", "account_no": b.account_no or "",
                 "ledger_code": b.ledger_code, "ledger": f"{b.ledger_code} {CHART[b.ledger_code].name}",
                 "balance_fen": by_account.get(b.id, 0)} for b in _banks(s, org.id)]


def account_totals(url: str, actor: Actor, org_id: int, period: int | None = None) -> dict[int, int]:
    """account code -> balance (debit − credit) of the organisation's books, to the end of `period`."""
    with reading(url) as s:
        org = load_for_write(s, CollectiveOrg, org_id, actor, noun=ORG)
        q = org_lines(org)
        if period:
            q = q.where(VoucherLine.period <= period)
        sub = q.subquery()
        return {int(c): int(v or 0) for c, v in s.execute(
            select(sub.c.account_code, func.sum(sub.c.debit_fen - sub.c.credit_fen)).group_by(sub.c.account_code))}


def level2(url: str, actor: Actor, org_id: int, period: int | None = None) -> dict:
    """二级基础数据 (Art. J11) of one organisation: deposits, claims, debts, total assets, derived
    from its books (to the end of `period`, default: everything posted)."""
    figures = rules.level2_figures(account_totals(url, actor, org_id, period))
    return {**figures, "period": period}


def account_options(url: str, actor: Actor, org_id: int) -> list[dict]:
    """The chart as voucher-line choices; 101/102 once per cash or bank account ("102:7")."""
    with reading(url) as s:
        org = load_for_write(s, CollectiveOrg, org_id, actor, noun=ORG)
        banks = _banks(s, org.id)
    out = []
    for code, acct in CHART.items():
        if code in MONEY_ACCOUNTS:
            out += [{"label": f"{acct.label} · {b.name}", "value": f"{code}:{b.id}"} for b in banks
                    if b.ledger_code == code]
        else:
            out.append({"label": acct.label, "value": str(code)})
    return out


def open_account(url: str, key: str, actor: Actor, org_id: int, kind: str, name: str | None, bank_name: str | None,
                 account_no: str | None) -> int:
    """开户登记: the township accountant records a cash or bank account of an organisation. Its
    balance starts at nothing and only ever comes from the ledger. Returns the account id."""
    ensure(actor, Action.BANK_ACCOUNT_OPEN)
    digits, errors = rules.account_problems(kind, name, bank_name, account_no)
    with transaction(url, actor) as s:
        org = load_for_write(s, CollectiveOrg, org_id, actor, noun=ORG, action=Action.BANK_ACCOUNT_OPEN)
        existing = _banks(s, org.id)
        if kind == "cash" and any(b.kind == "cash" for b in existing):
            errors["kind"] = "本组织已有库存现金账户"
        if kind == "bank" and digits and any(b.account_no == digits for b in existing):
            errors["account_no"] = "本组织已登记该银行账号"
        if errors:
            raise AccountError(errors)
        label, code = rules.ACCOUNT_KINDS[kind]
        acct = BankAccount(org_id=org.id, kind=kind, name=name.strip(), ledger_code=code,
                           bank_name=(bank_name or "").strip() or None if kind == "bank" else None,
                           account_no=digits if kind == "bank" else None, collected_by_id=actor.user_id,
                           provided_by=actor.username, responsible_by=org.name)
        s.add(acct)
        s.flush()
        log(s, key, actor, org.region_code,
            f"登记{label}账户：{org.name} {acct.name}" + (f"（{acct.bank_name} {digits}）" if digits else ""),
            bank_account_id=acct.id, org_id=org.id)
        return acct.id
