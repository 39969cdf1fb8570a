"""Regions, collective economic organisations, members, users, sessions and the audit log."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, BigInteger, Boolean, Date, ForeignKey, Index, Integer, LargeBinary, SmallInteger, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, Record, RegionCode, UTCDateTime, utcnow


class Region(Base):
    """The administrative-division tree (reference data, loaded from data/reference)."""

    __tablename__ = "regions"
    code: Mapped[int] = mapped_column(RegionCode, primary_key=True, autoincrement=False)
    name: Mapped[str] = mapped_column(String(100))
    level: Mapped[int] = mapped_column(SmallInteger)
    parent: Mapped[int | None] = mapped_column(RegionCode, index=True)
    #: Art. J14: after the trial period a region's level-1 base data is locked.
    base_data_locked: Mapped[bool] = mapped_column(Boolean, default=False)
    #: when and by whom the province ended the trial period (data.basedata.lock.end_trial)
    base_data_locked_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    base_data_locked_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class CollectiveOrg(Record, Base):
    """A village's collective economic organisation (村股份经济合作社)."""

    __tablename__ = "collective_orgs"
    region_code: Mapped[int] = mapped_column(RegionCode, index=True)
    name: Mapped[str] = mapped_column(String(200))
    uscc: Mapped[str | None] = mapped_column(String(18), unique=True)
    org_type: Mapped[str] = mapped_column(String(40), default="股份经济合作社")
    established_on: Mapped[dt.date | None] = mapped_column(Date)
    #: The amount above which a decision needs a meeting resolution (四议两公开), in fen.
    decision_threshold_fen: Mapped[int] = mapped_column(BigInteger, default=5_000_000)
    #: Cash on hand limit (库存现金限额), in fen.
    cash_limit_fen: Mapped[int] = mapped_column(BigInteger, default=500_000)


class Household(Record, Base):
    __tablename__ = "households"
    org_id: Mapped[int] = mapped_column(ForeignKey("collective_orgs.id"), index=True)
    head_name: Mapped[str] = mapped_column(String(50))
    head_id_number: Mapped[str | None] = mapped_column(String(18), index=True)
    size: Mapped[int] = mapped_column(Integer, default=1)
    group_name: Mapped[str | None] = mapped_column(String(50))


class Member(Record, Base):
    """A collective member (成员), who may query their own rights (Art. J19)."""

    __tablename__ = "members"
    org_id: Mapped[int] = mapped_column(ForeignKey("collective_orgs.id"), index=True)
    household_id: Mapped[int | None] = mapped_column(ForeignKey("households.id"), index=True)
    name: Mapped[str] = mapped_column(String(50))
    id_number: Mapped[str] = mapped_column(String(18), index=True)
    gender: Mapped[str | None] = mapped_column(String(2))
    birth_date: Mapped[dt.date | None] = mapped_column(Date)
    shares: Mapped[int] = mapped_column(Integer, default=0)
    is_official: Mapped[bool] = mapped_column(Boolean, default=False)
    official_title: Mapped[str | None] = mapped_column(String(40))


class User(Record, Base):
    __tablename__ = "users"
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(100))
    role: Mapped[str] = mapped_column(String(40))
    region_code: Mapped[int] = mapped_column(RegionCode, index=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    password_changed_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    failed_attempts: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    totp_secret: Mapped[str | None] = mapped_column(String(64))
    #: Oversight-department administrators need a provincial approval on record (Art. J9).
    approval_ref: Mapped[str | None] = mapped_column(String(100))
    institution: Mapped[str | None] = mapped_column(String(100))
    member_id: Mapped[int | None] = mapped_column(ForeignKey("members.id", use_alter=True))
    #: a credit subject's own account (Art. X30, X39): the subject it speaks for
    credit_subject_id: Mapped[int | None] = mapped_column(ForeignKey("credit_subjects.id", use_alter=True))
    phone: Mapped[str | None] = mapped_column(String(20))


class UserSession(Base):
    """Server-side sessions, so that sign-out and disabling a user end them (Art. J35)."""

    __tablename__ = "user_sessions"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_seen_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    revoked_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    ip: Mapped[str | None] = mapped_column(String(64))


class AuditLog(Base):
    """The security log (Art. J36, X56): append-only, each entry HMAC-chained to the previous."""

    __tablename__ = "audit_log"
    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    actor_id: Mapped[int | None] = mapped_column(BigInteger)
    actor: Mapped[str] = mapped_column(String(64))
    type: Mapped[str] = mapped_column(String(40), index=True)
    description: Mapped[str] = mapped_column(Text)
    result: Mapped[str] = mapped_column(String(20))
    region_code: Mapped[int | None] = mapped_column(RegionCode)
    ip: Mapped[str | None] = mapped_column(String(64))
    detail: Mapped[dict | None] = mapped_column(JSON)
    prev_mac: Mapped[str] = mapped_column(String(64))
    mac: Mapped[str] = mapped_column(String(64))


class Approval(Base):
    """A step in any approval workflow (payments, re-authorisation, sharing, corrections)."""

    __tablename__ = "approvals"
    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    subject_type: Mapped[str] = mapped_column(String(40))
    subject_id: Mapped[int] = mapped_column(BigInteger)
    step: Mapped[str] = mapped_column(String(40))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    decision: Mapped[str] = mapped_column(String(20))
    comment: Mapped[str | None] = mapped_column(Text)
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    __table_args__ = (Index("ix_approvals_subject", "subject_type", "subject_id"),)


class SharingApproval(Record, Base):
    """Cross-region data sharing needs a provincial approval on record (Art. J17)."""

    __tablename__ = "sharing_approvals"
    owner_region: Mapped[int] = mapped_column(RegionCode)
    grantee_region: Mapped[int] = mapped_column(RegionCode)
    purpose: Mapped[str] = mapped_column(Text)
    approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    valid_until: Mapped[dt.date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(20), default="submitted")
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decision_comment: Mapped[str | None] = mapped_column(String(500))  # the opinion; a rejection's reason


class Attachment(Base):
    """A file attached to any record, stored with its SHA-256."""

    __tablename__ = "attachments"
    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    owner_type: Mapped[str] = mapped_column(String(40))
    owner_id: Mapped[int] = mapped_column(BigInteger)
    filename: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str | None] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(BigInteger)
    sha256: Mapped[str] = mapped_column(String(64))
    content: Mapped[bytes] = mapped_column(LargeBinary)
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    uploaded_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    __table_args__ = (Index("ix_attachments_owner", "owner_type", "owner_id"),)


class Setting(Base):
    """Platform-wide switches kept in the database (maintenance notice, trial-period end…)."""

    __tablename__ = "platform_settings"
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[dict] = mapped_column(JSON)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)




class AccountRequest(Record, Base):
    """A request to create an account or change its role, region or institution (Art. J10):
    city/county users are authorised by the province, township/village users by the county.
    The requester never decides their own request."""

    __tablename__ = "account_requests"
    kind: Mapped[str] = mapped_column(String(20))  # create | change
    target_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    target_version: Mapped[int | None] = mapped_column(Integer)
    username: Mapped[str] = mapped_column(String(64))
    display_name: Mapped[str] = mapped_column(String(100))
    role: Mapped[str] = mapped_column(String(40))
    region_code: Mapped[int] = mapped_column(RegionCode, index=True)
    approval_ref: Mapped[str | None] = mapped_column(String(100))
    institution: Mapped[str | None] = mapped_column(String(100))
    password_hash: Mapped[str | None] = mapped_column(String(255))
    reason: Mapped[str | None] = mapped_column(Text)
    requested_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    #: region level whose administrators decide (1 province, 3 county)
    approver_level: Mapped[int] = mapped_column(SmallInteger)
    approver_region: Mapped[int] = mapped_column(RegionCode, index=True)
    status: Mapped[str] = mapped_column(String(20), default="pending", index=True)  # pending approved rejected
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    decision_comment: Mapped[str | None] = mapped_column(Text)


class AuditReview(Base):
    """The monthly review of the security log, signed off by an operator (Art. J36)."""

    __tablename__ = "audit_reviews"
    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    month: Mapped[int] = mapped_column(Integer)  # YYYYMM
    region_code: Mapped[int] = mapped_column(RegionCode)
    reviewed_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    entries: Mapped[int] = mapped_column(Integer)
    failures: Mapped[int] = mapped_column(Integer)
    chain_ok: Mapped[bool] = mapped_column(Boolean)
    note: Mapped[str | None] = mapped_column(Text)
    __table_args__ = (Index("uq_audit_reviews_month_region", "month", "region_code", unique=True),)


class RecordChange(Base):
    """The history of a business record: who changed which fields from what to what, and when."""

    __tablename__ = "record_changes"
    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    table_name: Mapped[str] = mapped_column(String(40))
    record_id: Mapped[int] = mapped_column(BigInteger)
    version: Mapped[int | None] = mapped_column(Integer)
    action: Mapped[str] = mapped_column(String(10))  # insert | update | delete
    by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    by_name: Mapped[str | None] = mapped_column(String(64))
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    region_code: Mapped[int | None] = mapped_column(RegionCode)
    changes: Mapped[dict] = mapped_column(JSON)  # field -> [old, new] (as strings)
    __table_args__ = (Index("ix_record_changes_record", "table_name", "record_id"),)
