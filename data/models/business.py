"""Assets, resources, contracts, property-rights trading, meetings, disclosures, warnings."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import (JSON, BigInteger, Boolean, CheckConstraint, Date, ForeignKey, Index, Integer, Numeric, SmallInteger,
                        String, Text)
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, Fen, Record, RegionCode, UTCDateTime, utcnow


class Asset(Record, Base):
    """An asset card (资产卡片). Net value = original value - accumulated depreciation."""

    __tablename__ = "assets"
    org_id: Mapped[int] = mapped_column(ForeignKey("collective_orgs.id"), index=True)
    region_code: Mapped[int] = mapped_column(RegionCode, index=True)
    code: Mapped[str] = mapped_column(String(40))
    name: Mapped[str] = mapped_column(String(200))
    category: Mapped[str] = mapped_column(String(20))  # land building equipment facility investment biological other
    operating: Mapped[bool] = mapped_column(Boolean, default=True)
    original_value_fen: Mapped[int] = mapped_column(Fen)
    accumulated_depreciation_fen: Mapped[int] = mapped_column(Fen, default=0)
    acquired_on: Mapped[dt.date] = mapped_column(Date)
    useful_life_months: Mapped[int] = mapped_column(Integer, default=240)
    residual_rate_bp: Mapped[int] = mapped_column(Integer, default=500)  # basis points: 500 = 5%
    location: Mapped[str | None] = mapped_column(String(200))
    custodian: Mapped[str | None] = mapped_column(String(50))
    status: Mapped[str] = mapped_column(String(20), default="in_use")  # in_use idle leased pledged disposed
    disposed_on: Mapped[dt.date | None] = mapped_column(Date)
    resolution_id: Mapped[int | None] = mapped_column(ForeignKey("resolutions.id"))
    __table_args__ = (CheckConstraint("original_value_fen >= 0", name="non_negative_value"),)

    @property
    def net_value_fen(self) -> int:
        return self.original_value_fen - self.accumulated_depreciation_fen


class AssetEvent(Base):
    """Valuation history of an asset: acquisition, depreciation, revaluation, lease, pledge, disposal."""

    __tablename__ = "asset_events"
    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    asset_id: Mapped[int] = mapped_column(ForeignKey("assets.id"), index=True)
    region_code: Mapped[int] = mapped_column(RegionCode, index=True)
    date: Mapped[dt.date] = mapped_column(Date)
    kind: Mapped[str] = mapped_column(String(20))
    original_value_fen: Mapped[int] = mapped_column(Fen)
    net_value_fen: Mapped[int] = mapped_column(Fen)
    amount_fen: Mapped[int | None] = mapped_column(Fen)
    resolution_id: Mapped[int | None] = mapped_column(ForeignKey("resolutions.id"))
    note: Mapped[str | None] = mapped_column(Text)
    by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class Resource(Record, Base):
    """A resource: 耕地, 林地, 草地, 园地, 滩涂, 水面, 四荒地, 集体建设用地…"""

    __tablename__ = "resources"
    org_id: Mapped[int] = mapped_column(ForeignKey("collective_orgs.id"), index=True)
    region_code: Mapped[int] = mapped_column(RegionCode, index=True)
    name: Mapped[str] = mapped_column(String(200))
    type: Mapped[str] = mapped_column(String(20))
    area_mu: Mapped[Decimal] = mapped_column(Numeric(16, 4, asdecimal=True))  # mu, exact to 0.0001 (0005_contracts)
    location: Mapped[str | None] = mapped_column(String(200))
    parcel_no: Mapped[str | None] = mapped_column(String(40))  # 宗地单元号
    contracted: Mapped[bool] = mapped_column(Boolean, default=False)
    contractor: Mapped[str | None] = mapped_column(String(100))
    contract_id: Mapped[int | None] = mapped_column(ForeignKey("contracts.id"))
    contracted_until: Mapped[dt.date | None] = mapped_column(Date)
    __table_args__ = (CheckConstraint("area_mu > 0", name="positive_area"),)


class Contract(Record, Base):
    __tablename__ = "contracts"
    org_id: Mapped[int] = mapped_column(ForeignKey("collective_orgs.id"), index=True)
    region_code: Mapped[int] = mapped_column(RegionCode, index=True)
    number: Mapped[str] = mapped_column(String(40))
    title: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(20), default="lease")  # lease contracting transfer service purchase construction
    counterparty: Mapped[str] = mapped_column(String(100))
    counterparty_id_type: Mapped[str] = mapped_column(String(10), default="resident")
    counterparty_id: Mapped[str | None] = mapped_column(String(40))
    counterparty_registered_on: Mapped[dt.date | None] = mapped_column(Date)
    subject_type: Mapped[str | None] = mapped_column(String(20))  # asset | resource
    subject_id: Mapped[int | None] = mapped_column(BigInteger)
    amount_fen: Mapped[int] = mapped_column(Fen)
    direction: Mapped[str] = mapped_column(String(10), default="income")  # income (we receive) | expense
    signed_on: Mapped[dt.date] = mapped_column(Date)
    start_on: Mapped[dt.date] = mapped_column(Date)
    end_on: Mapped[dt.date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(20), default="active")  # active terminated expired renewed
    resolution_id: Mapped[int | None] = mapped_column(ForeignKey("resolutions.id"))
    listing_id: Mapped[int | None] = mapped_column(ForeignKey("trade_listings.id"))
    renewed_from_id: Mapped[int | None] = mapped_column(ForeignKey("contracts.id"))
    terminated_on: Mapped[dt.date | None] = mapped_column(Date)
    termination_reason: Mapped[str | None] = mapped_column(String(500))
    __table_args__ = (CheckConstraint("amount_fen >= 0", name="non_negative_amount"),)


class ContractInstalment(Base):
    """The payment schedule of a contract."""

    __tablename__ = "contract_instalments"
    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    contract_id: Mapped[int] = mapped_column(ForeignKey("contracts.id"), index=True)
    region_code: Mapped[int] = mapped_column(RegionCode, index=True)
    seq: Mapped[int] = mapped_column(SmallInteger)
    due_on: Mapped[dt.date] = mapped_column(Date, index=True)
    amount_fen: Mapped[int] = mapped_column(Fen)
    received_fen: Mapped[int] = mapped_column(Fen, default=0)


class ContractReceipt(Base):
    __tablename__ = "contract_receipts"
    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    contract_id: Mapped[int] = mapped_column(ForeignKey("contracts.id"), index=True)
    instalment_id: Mapped[int | None] = mapped_column(ForeignKey("contract_instalments.id"))
    received_on: Mapped[dt.date] = mapped_column(Date)
    amount_fen: Mapped[int] = mapped_column(Fen)
    voucher_id: Mapped[int | None] = mapped_column(ForeignKey("vouchers.id"))
    by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class TradeListing(Record, Base):
    """产权交易: an asset or resource listed for lease or transfer."""

    __tablename__ = "trade_listings"
    org_id: Mapped[int] = mapped_column(ForeignKey("collective_orgs.id"), index=True)
    region_code: Mapped[int] = mapped_column(RegionCode, index=True)
    title: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(10))  # lease | transfer
    subject_type: Mapped[str] = mapped_column(String(20))
    subject_id: Mapped[int] = mapped_column(BigInteger)
    reserve_price_fen: Mapped[int] = mapped_column(Fen)
    term_months: Mapped[int | None] = mapped_column(Integer)
    resolution_id: Mapped[int | None] = mapped_column(ForeignKey("resolutions.id"))
    opens_on: Mapped[dt.date] = mapped_column(Date)
    closes_on: Mapped[dt.date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(12), default="open")  # open awarded failed withdrawn
    awarded_bid_id: Mapped[int | None] = mapped_column(BigInteger)
    deal_price_fen: Mapped[int | None] = mapped_column(Fen)


class Bid(Base):
    __tablename__ = "bids"
    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    listing_id: Mapped[int] = mapped_column(ForeignKey("trade_listings.id"), index=True)
    bidder: Mapped[str] = mapped_column(String(100))
    bidder_id_type: Mapped[str] = mapped_column(String(10))
    bidder_id: Mapped[str] = mapped_column(String(40))
    amount_fen: Mapped[int] = mapped_column(Fen)
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    __table_args__ = (CheckConstraint("amount_fen > 0", name="positive_bid"),)


class Meeting(Record, Base):
    """A democratic-decision meeting: 成员大会, 成员代表会议, 两委会, 党员大会…"""

    __tablename__ = "meetings"
    org_id: Mapped[int] = mapped_column(ForeignKey("collective_orgs.id"), index=True)
    region_code: Mapped[int] = mapped_column(RegionCode, index=True)
    kind: Mapped[str] = mapped_column(String(30))
    title: Mapped[str] = mapped_column(String(200))
    held_on: Mapped[dt.date] = mapped_column(Date)
    expected: Mapped[int] = mapped_column(Integer)
    attended: Mapped[int] = mapped_column(Integer)
    agenda: Mapped[str | None] = mapped_column(Text)
    #: recorded -> confirmed (by someone other than who recorded or changed it) | returned (to correct)
    status: Mapped[str] = mapped_column(String(12), default="recorded", server_default="recorded")
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    confirmed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    confirmed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    return_note: Mapped[str | None] = mapped_column(Text)
    __table_args__ = (CheckConstraint("attended >= 0 AND attended <= expected", name="attendance"),
                      CheckConstraint("status IN ('recorded', 'confirmed', 'returned')", name="status"))


class Resolution(Record, Base):
    """A resolution voted by a meeting; a decision may cite only a resolution that voted it."""

    __tablename__ = "resolutions"
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id"), index=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("collective_orgs.id"), index=True)
    number: Mapped[str] = mapped_column(String(40))
    subject: Mapped[str] = mapped_column(String(200))
    decision_type: Mapped[str] = mapped_column(String(30))  # payment disposal lease pledge borrowing plan ...
    subject_type: Mapped[str | None] = mapped_column(String(20))
    subject_id: Mapped[int | None] = mapped_column(BigInteger)
    amount_limit_fen: Mapped[int | None] = mapped_column(Fen)
    votes_for: Mapped[int] = mapped_column(Integer)
    votes_against: Mapped[int] = mapped_column(Integer, default=0)
    votes_abstain: Mapped[int] = mapped_column(Integer, default=0)
    passed: Mapped[bool] = mapped_column(Boolean)


class Disclosure(Record, Base):
    """A periodic financial disclosure to members (阳光公开)."""

    __tablename__ = "disclosures"
    org_id: Mapped[int] = mapped_column(ForeignKey("collective_orgs.id"), index=True)
    region_code: Mapped[int] = mapped_column(RegionCode, index=True)
    period: Mapped[str] = mapped_column(String(10))  # 2026Q3 / 202609
    category: Mapped[str] = mapped_column(String(20))
    title: Mapped[str] = mapped_column(String(200))
    content: Mapped[dict] = mapped_column(JSON)
    reviewed_by_group: Mapped[bool] = mapped_column(Boolean, default=False)
    published_on: Mapped[dt.date | None] = mapped_column(Date)
    # the workflow (domain/disclosure): draft → reviewed → approved → published, or returned
    kind: Mapped[str] = mapped_column(String(10), default="quarter", server_default="quarter")  # quarter month major
    state: Mapped[str] = mapped_column(String(20), default="draft", server_default="published")
    notes: Mapped[str | None] = mapped_column(Text)
    prepared_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    reviewers: Mapped[str | None] = mapped_column(String(200))  # the oversight group's members who reviewed
    review_opinion: Mapped[str | None] = mapped_column(String(500))
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    reviewed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decision_opinion: Mapped[str | None] = mapped_column(String(500))
    decided_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    published_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    published_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    #: a correction names the published disclosure it corrects (both stay visible)
    corrects_id: Mapped[int | None] = mapped_column(ForeignKey("disclosures.id"), index=True)


class AnnualCheck(Record, Base):
    """The yearly asset check (资产清查): counted at 12-31, reported by 03-31 next year."""

    __tablename__ = "annual_checks"
    org_id: Mapped[int] = mapped_column(ForeignKey("collective_orgs.id"), index=True)
    region_code: Mapped[int] = mapped_column(RegionCode, index=True)
    year: Mapped[int] = mapped_column(Integer)
    filed_on: Mapped[dt.date | None] = mapped_column(Date)
    book_assets_fen: Mapped[int] = mapped_column(Fen, default=0)
    verified_assets_fen: Mapped[int] = mapped_column(Fen, default=0)


class Warning(Base):
    """A supervision warning raised by a rule, pushed to the responsible region."""

    __tablename__ = "warnings"
    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    rule_id: Mapped[str] = mapped_column(String(40), index=True)
    region_code: Mapped[int] = mapped_column(RegionCode, index=True)
    org_id: Mapped[int | None] = mapped_column(ForeignKey("collective_orgs.id"))
    severity: Mapped[int] = mapped_column(SmallInteger)  # 1 low 2 medium 3 high
    status: Mapped[str] = mapped_column(String(20), default="raised")
    assigned_region: Mapped[int] = mapped_column(RegionCode, index=True)
    subject_type: Mapped[str | None] = mapped_column(String(30))
    subject_id: Mapped[int | None] = mapped_column(BigInteger)
    fingerprint: Mapped[str] = mapped_column(String(128), unique=True)
    title: Mapped[str] = mapped_column(String(300))
    evidence: Mapped[dict] = mapped_column(JSON)
    raised_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    due_on: Mapped[dt.date | None] = mapped_column(Date)
    closed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    #: lifecycle stamps (raised → pushed → acknowledged → handled → verified → closed / reopened)
    acknowledged_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    handled_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    verified_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    #: how many times an overdue warning went one level up (assigned_region moves with it)
    escalations: Mapped[int] = mapped_column(SmallInteger, default=0, server_default="0")
    #: the data no longer shows the fault (set by the engine; a person still closes the warning)
    resolved_in_data_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)
    __mapper_args__ = {"version_id_col": version}
    __table_args__ = (Index("ix_warnings_status_region", "status", "region_code"),)


class WarningEvent(Base):
    """The handling trail of a warning."""

    __tablename__ = "warning_events"
    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    warning_id: Mapped[int] = mapped_column(ForeignKey("warnings.id"), index=True)
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    action: Mapped[str] = mapped_column(String(20))
    from_status: Mapped[str | None] = mapped_column(String(20))
    to_status: Mapped[str] = mapped_column(String(20))
    note: Mapped[str | None] = mapped_column(Text)


class WarningRun(Base):
    """One run of the warning engine: full (scheduled) or incremental (after a write)."""

    __tablename__ = "warning_runs"
    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    kind: Mapped[str] = mapped_column(String(12))  # full | incremental
    scope_root: Mapped[int | None] = mapped_column(RegionCode)
    started_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    finished_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    status: Mapped[str] = mapped_column(String(12), default="running")  # running done failed
    rules: Mapped[int] = mapped_column(Integer, default=0)
    findings: Mapped[int] = mapped_column(Integer, default=0)
    raised: Mapped[int] = mapped_column(Integer, default=0)
    resolved: Mapped[int] = mapped_column(Integer, default=0)
    duration_ms: Mapped[int | None] = mapped_column(Integer)
    detail: Mapped[dict | None] = mapped_column(JSON)
