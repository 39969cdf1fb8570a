"""What the funds modules share: the security-log entry of a change, writing a voucher with its
lines, and the ledger lines of an organisation or of one of its cash and bank accounts."""
from __future__ import annotations

import contextlib
import datetime as dt
from dataclasses import dataclass

from sqlalchemy import and_, func, or_, select
from sqlalchemy.exc import IntegrityError

from data.admin import audit_log
from data.errors import AccountError
from data.models import BankAccount, CollectiveOrg, Voucher, VoucherLine, utcnow
from data.scoped import load_for_write
from domain.money import period_of
from domain.permissions import Action, Actor

ORG = "该集体经济组织"
BANK = "该账户"


def log(s, key, actor: Actor, region: int, description: str, **detail) -> None:
    """The security-log entry of a change about a record of `region`, in the change's transaction."""
    audit_log.record(s, key, actor=actor.username, actor_id=actor.user_id, type="data_change", description=description,
                     result="success", region_code=region, ip=actor.ip, detail=detail or None)


@contextlib.contextmanager
def conflict(errors: dict[str, str]):
    """A unique constraint hit by a simultaneous write (the same voucher number, the same file)
    becomes a refusal in Chinese; the transaction has rolled back."""
    try:
        yield
    except IntegrityError as exc:
        raise AccountError(errors) from exc


def bank_and_org(s, actor: Actor, bank_account_id, action: Action | None = None) -> tuple[BankAccount, CollectiveOrg]:
    """A cash or bank account and its organisation, refused ("该账户不在您的管辖范围内") when either is
    missing or the organisation lies outside the caller's jurisdiction."""
    try:
        bank = s.get(BankAccount, int(bank_account_id)) if bank_account_id is not None else None
    except (TypeError, ValueError):
        bank = None
    org = load_for_write(s, CollectiveOrg, bank.org_id if bank else None, actor, noun=BANK, action=action)
    return bank, org


def org_lines(org: CollectiveOrg):
    """The ledger lines of one organisation (the region filter uses the lines' own index)."""
    return (select(VoucherLine).join(Voucher, Voucher.id == VoucherLine.voucher_id)
            .where(VoucherLine.region_code == org.region_code, Voucher.org_id == org.id))


def primary_accounts(s, org_id: int) -> dict[int, int]:
    """ledger code -> the organisation's first cash/bank account of that code: where ledger lines
    that name no account (history imported before accounts were kept per line) belong."""
    out: dict[int, int] = {}
    for b in s.scalars(select(BankAccount).where(BankAccount.org_id == org_id).order_by(BankAccount.id)):
        out.setdefault(b.ledger_code, b.id)
    return out


def account_lines(s, bank: BankAccount, org: CollectiveOrg):
    """The WHERE clause of the ledger lines of one cash or bank account (lines naming no account
    belong to the organisation's first account of their code)."""
    own = VoucherLine.bank_account_id == bank.id
    if primary_accounts(s, org.id).get(bank.ledger_code) == bank.id:
        own = or_(own, VoucherLine.bank_account_id.is_(None))
    return and_(VoucherLine.region_code == org.region_code, Voucher.org_id == org.id,
                VoucherLine.account_code == bank.ledger_code, own)


@dataclass(frozen=True)
class Line:
    account: int
    debit_fen: int
    credit_fen: int
    summary: str | None = None
    bank_account_id: int | None = None
    counterparty: str | None = None


def write_voucher(s, org: CollectiveOrg, day: dt.date, summary: str, source: str, lines: list[Line], *,
                  posted_by: int, collected_by: int | None, provided_by: str, responsible_by: str) -> Voucher:
    """A posted voucher with its lines, numbered next in the organisation's month (a simultaneous
    writer taking the same number fails on the unique constraint: see `conflict`)."""
    period = period_of(day)
    number = (s.scalar(select(func.max(Voucher.number)).where(Voucher.org_id == org.id, Voucher.period == period))
              or 0) + 1
    voucher = Voucher(org_id=org.id, region_code=org.region_code, date=day, period=period, number=number,
                      summary=summary, status="posted", source=source, posted_by_id=posted_by, posted_at=utcnow(),
                      collected_by_id=collected_by, provided_by=provided_by, responsible_by=responsible_by)
    s.add(voucher)
    s.flush()
    for i, ln in enumerate(lines, start=1):
        s.add(VoucherLine(voucher_id=voucher.id, region_code=org.region_code, period=period, line_no=i,
                          account_code=ln.account, debit_fen=ln.debit_fen, credit_fen=ln.credit_fen,
                          summary=ln.summary or summary, counterparty=ln.counterparty,
                          bank_account_id=ln.bank_account_id))
    return voucher
