"""Funds: bank and cash accounts, payment requests, vouchers and their lines.

The ledger is append-only: a posted voucher is never edited or deleted, a mistake is
reversed by a red-ink voucher. That makes the analytic roll-ups incrementally exact.
"""
from __future__ import annotations

import datetime as dt

from sqlalchemy import BigInteger, CheckConstraint, Date, ForeignKey, Index, Integer, SmallInteger, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, Fen, Record, RegionCode, UTCDateTime


class BankAccount(Record, Base):
    """A bank or cash account of a collective organisation (ledger 102 / 101)."""

    __tablename__ = "bank_accounts"
    org_id: Mapped[int] = mapped_column(ForeignKey("collective_orgs.id"), index=True)
    kind: Mapped[str] = mapped_column(String(10))  # cash | bank
    name: Mapped[str] = mapped_column(String(100))
    bank_name: Mapped[str | None] = mapped_column(String(100))
    account_no: Mapped[str | None] = mapped_column(String(40))
    ledger_code: Mapped[int] = mapped_column(SmallInteger)


class Voucher(Record, Base):
    """记账凭证. `period` is yyyymm; lines must balance (debit total == credit total)."""

    __tablename__ = "vouchers"
    org_id: Mapped[int] = mapped_column(ForeignKey("collective_orgs.id"))
    region_code: Mapped[int] = mapped_column(RegionCode)
    date: Mapped[dt.date] = mapped_column(Date)
    period: Mapped[int] = mapped_column(Integer)
    number: Mapped[int] = mapped_column(Integer)
    summary: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(12), default="posted")  # posted | reversed
    source: Mapped[str] = mapped_column(String(20), default="manual")
    posted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    posted_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    reverses_id: Mapped[int | None] = mapped_column(ForeignKey("vouchers.id"))
    lines: Mapped[list[VoucherLine]] = relationship(back_populates="voucher", order_by="VoucherLine.line_no")
    __table_args__ = (
        UniqueConstraint("org_id", "period", "number", name="uq_vouchers_org_period_number"),
        Index("ix_vouchers_region_period", "region_code", "period"),
    )


class VoucherLine(Base):
    """One debit or credit line. Region and period are copied from the voucher (the ledger is
    immutable) so that the analytic layer reads one table, Arrow-native, without a join."""

    __tablename__ = "voucher_lines"
    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    voucher_id: Mapped[int] = mapped_column(ForeignKey("vouchers.id"), index=True)
    region_code: Mapped[int] = mapped_column(RegionCode)
    period: Mapped[int] = mapped_column(Integer)
    line_no: Mapped[int] = mapped_column(SmallInteger)
    account_code: Mapped[int] = mapped_column(SmallInteger)
    debit_fen: Mapped[int] = mapped_column(Fen, default=0)
    credit_fen: Mapped[int] = mapped_column(Fen, default=0)
    summary: Mapped[str | None] = mapped_column(String(200))
    counterparty: Mapped[str | None] = mapped_column(String(100))
    #: on 101/102: which cash or bank account (明细); NULL means the organisation's first account of that code
    bank_account_id: Mapped[int | None] = mapped_column(ForeignKey("bank_accounts.id"))
    voucher: Mapped[Voucher] = relationship(back_populates="lines")
    __table_args__ = (
        CheckConstraint("debit_fen >= 0 AND credit_fen >= 0", name="non_negative"),
        CheckConstraint("(debit_fen = 0) <> (credit_fen = 0)", name="one_side"),
        Index("ix_voucher_lines_region_period", "region_code", "period"),
    )


class PaymentRequest(Record, Base):
    """A payment or receipt entered by the village cashier (报账员), approved by the village
    secretary and the supervisory-board chair, posted by the township agent accountant."""

    __tablename__ = "payment_requests"
    org_id: Mapped[int] = mapped_column(ForeignKey("collective_orgs.id"), index=True)
    region_code: Mapped[int] = mapped_column(RegionCode, index=True)
    kind: Mapped[str] = mapped_column(String(10))  # payment | receipt
    amount_fen: Mapped[int] = mapped_column(Fen)
    purpose: Mapped[str] = mapped_column(String(200))
    expense_account: Mapped[int] = mapped_column(SmallInteger)
    bank_account_id: Mapped[int] = mapped_column(ForeignKey("bank_accounts.id"))
    counterparty_name: Mapped[str] = mapped_column(String(100))
    counterparty_id_type: Mapped[str] = mapped_column(String(10))  # resident | uscc | other
    counterparty_id: Mapped[str] = mapped_column(String(40))
    request_date: Mapped[dt.date] = mapped_column(Date)
    paid_on: Mapped[dt.date | None] = mapped_column(Date)
    approved_on: Mapped[dt.date | None] = mapped_column(Date)  # the supervisory chair's (final) approval
    status: Mapped[str] = mapped_column(String(20), default="submitted")
    requested_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    resolution_id: Mapped[int | None] = mapped_column(ForeignKey("resolutions.id"))
    voucher_id: Mapped[int | None] = mapped_column(ForeignKey("vouchers.id"))
    note: Mapped[str | None] = mapped_column(Text)
    #: the opinion (审批意见) of the latest step: approval, rejection, withdrawal (each step's is in the history)
    opinion: Mapped[str | None] = mapped_column(String(500))
    #: the request form's one-time token: a second submit with it returns this request (no second row)
    submission_token: Mapped[str | None] = mapped_column(String(64), unique=True)
    __table_args__ = (CheckConstraint("amount_fen > 0", name="positive_amount"),)


class BankStatementImport(Record, Base):
    """One imported bank statement file; the same file (SHA-256) is never imported twice into an account."""

    __tablename__ = "bank_statement_imports"
    bank_account_id: Mapped[int] = mapped_column(ForeignKey("bank_accounts.id"), index=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("collective_orgs.id"))
    region_code: Mapped[int] = mapped_column(RegionCode, index=True)
    filename: Mapped[str] = mapped_column(String(200))
    sha256: Mapped[str] = mapped_column(String(64))
    rows: Mapped[int] = mapped_column(Integer)
    first_date: Mapped[dt.date] = mapped_column(Date)
    last_date: Mapped[dt.date] = mapped_column(Date)
    closing_balance_fen: Mapped[int | None] = mapped_column(Fen)  # the bank's own 余额 on the last row, if given
    imported_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    __table_args__ = (UniqueConstraint("bank_account_id", "sha256", name="uq_bank_statement_imports_account_sha256"),)


class BankStatementLine(Base):
    """An imported bank statement line, matched against the ledger in reconciliation."""

    __tablename__ = "bank_statement_lines"
    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    bank_account_id: Mapped[int] = mapped_column(ForeignKey("bank_accounts.id"), index=True)
    import_id: Mapped[int | None] = mapped_column(ForeignKey("bank_statement_imports.id"), index=True)
    date: Mapped[dt.date] = mapped_column(Date)
    amount_fen: Mapped[int] = mapped_column(Fen)  # positive in, negative out
    description: Mapped[str | None] = mapped_column(Text)
    matched_line_id: Mapped[int | None] = mapped_column(ForeignKey("voucher_lines.id"))


class PeriodClose(Base):
    """结账: a closed accounting period of one organisation takes no more postings."""

    __tablename__ = "period_closes"
    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("collective_orgs.id"), index=True)
    region_code: Mapped[int] = mapped_column(RegionCode, index=True)
    period: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(10), default="closed")  # closed | reopened
    closed_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    closed_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    note: Mapped[str | None] = mapped_column(Text)
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)
    __mapper_args__ = {"version_id_col": version}
    __table_args__ = (UniqueConstraint("org_id", "period", name="uq_period_closes_org_period"),)
