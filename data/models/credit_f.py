"""Forestry credit requests (Jiangxi Art. X39–X48): applications for conditional-open and
conditional-shared data, corrections and data transfers. Each is a Record (versioned, with
provenance) with `region_code` for scoped reads, and a reply due ten working days after receipt."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, Boolean, Date, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, Record, RegionCode, UTCDateTime


class CreditApplication(Record, Base):
    """An application for conditional data (Art. X39 open / X40 share) and its reply."""

    __tablename__ = "credit_applications"
    region_code: Mapped[int] = mapped_column(RegionCode, index=True)
    kind: Mapped[str] = mapped_column(String(8))  # open | share
    subject_id: Mapped[int | None] = mapped_column(ForeignKey("credit_subjects.id"), index=True)  # open
    applicant_unit: Mapped[str | None] = mapped_column(String(100), index=True)  # share: the account's institution
    applied_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    purpose: Mapped[str] = mapped_column(Text)
    legal_basis: Mapped[str | None] = mapped_column(String(300))
    asked: Mapped[dict] = mapped_column(JSON)  # domain.credit.requests.Ask
    received_on: Mapped[dt.date] = mapped_column(Date)
    answer_due: Mapped[dt.date] = mapped_column(Date, index=True)
    status: Mapped[str] = mapped_column(String(12), default="submitted", index=True)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    reason: Mapped[str | None] = mapped_column(Text)  # refusal reasons, or the grant's method, time, requirements
    granted: Mapped[dict | None] = mapped_column(JSON)  # the exact scope granted
    valid_until: Mapped[dt.date | None] = mapped_column(Date)
    # Art. X44 数据使用保管承诺书
    commitment_signed: Mapped[bool] = mapped_column(Boolean, default=False)
    commitment_name: Mapped[str | None] = mapped_column(String(50))
    commitment_on: Mapped[dt.date | None] = mapped_column(Date)


class CreditCorrection(Record, Base):
    """A correction application (Art. X45–X48) and its chain: review, meeting, bureau, county."""

    __tablename__ = "credit_corrections"
    region_code: Mapped[int] = mapped_column(RegionCode, index=True)
    target_type: Mapped[str] = mapped_column(String(8))  # record | right
    target_ids: Mapped[list] = mapped_column(JSON)
    target_versions: Mapped[dict] = mapped_column(JSON)  # {id: version read when applying}
    subject_id: Mapped[int | None] = mapped_column(ForeignKey("credit_subjects.id"), index=True)
    applicant_kind: Mapped[str] = mapped_column(String(8))  # county | subject
    applied_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    ground: Mapped[str] = mapped_column(String(2))  # domain.credit.corrections.GROUNDS
    changes: Mapped[dict] = mapped_column(JSON)  # {field: new value as text}
    description: Mapped[str] = mapped_column(Text)
    note: Mapped[str | None] = mapped_column(Text)  # a restriction note's text (X47(3))
    major: Mapped[bool] = mapped_column(Boolean, default=False)
    major_reason: Mapped[str | None] = mapped_column(String(100))
    received_on: Mapped[dt.date] = mapped_column(Date)
    answer_due: Mapped[dt.date] = mapped_column(Date, index=True)
    status: Mapped[str] = mapped_column(String(12), default="submitted", index=True)
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    reviewed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    review_opinion: Mapped[str | None] = mapped_column(Text)
    review_agrees: Mapped[bool | None] = mapped_column(Boolean)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    meeting_on: Mapped[dt.date | None] = mapped_column(Date)
    minutes_ref: Mapped[str | None] = mapped_column(String(100))
    decision_opinion: Mapped[str | None] = mapped_column(Text)
    bureau_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    bureau_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    bureau_opinion: Mapped[str | None] = mapped_column(Text)
    executed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    executed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    before: Mapped[dict | None] = mapped_column(JSON)  # {id: {field: old}}
    after: Mapped[dict | None] = mapped_column(JSON)  # {id: {field: new}}


class CreditTransfer(Record, Base):
    """A data transfer (数据申报审批表, Art. X43) and its three signatures."""

    __tablename__ = "credit_transfers"
    region_code: Mapped[int] = mapped_column(RegionCode, index=True)
    applied_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    unit: Mapped[str] = mapped_column(String(100))
    data_range: Mapped[str] = mapped_column(Text)
    use_range: Mapped[str] = mapped_column(Text)
    confidentiality: Mapped[str] = mapped_column(Text)
    method: Mapped[str] = mapped_column(String(10))  # device | interface | other
    internet: Mapped[bool] = mapped_column(Boolean, default=False)
    justification: Mapped[str | None] = mapped_column(Text)
    desensitised: Mapped[bool] = mapped_column(Boolean, default=False)
    encrypted: Mapped[bool] = mapped_column(Boolean, default=False)
    device_model: Mapped[str | None] = mapped_column(String(60))
    device_entry_id: Mapped[int | None] = mapped_column(ForeignKey("register_entries.id"))
    persons: Mapped[list] = mapped_column(JSON)
    commitment_signed: Mapped[bool] = mapped_column(Boolean, default=False)
    commitment_name: Mapped[str | None] = mapped_column(String(50))
    commitment_on: Mapped[dt.date | None] = mapped_column(Date)
    received_on: Mapped[dt.date] = mapped_column(Date)
    answer_due: Mapped[dt.date] = mapped_column(Date, index=True)
    status: Mapped[str] = mapped_column(String(12), default="submitted", index=True)
    prelim_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    prelim_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    prelim_opinion: Mapped[str | None] = mapped_column(Text)
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    reviewed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    review_opinion: Mapped[str | None] = mapped_column(Text)
    approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    approved_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    approve_opinion: Mapped[str | None] = mapped_column(Text)
    refused_at_step: Mapped[str | None] = mapped_column(String(10))
    cleared_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    cleared_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    cleared_note: Mapped[str | None] = mapped_column(String(300))
    __table_args__ = (Index("ix_credit_transfers_status_due", "status", "answer_due"),)
