"""Forestry credit (Jiangxi's rules, Art. X3–X62): credit subjects, their records (public and
market credit data, each with its source, department, open and share class), loans' repayments,
forest rights by parcel unit with their encumbrances, the batches imported on an authoritative
document, score history, authorisations for financial institutions and the log of portrait views.

Every table carries `region_code` (the subject's county or village), so every read goes through
the one scoped path (data.scoped) like the collective economy's."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import JSON, BigInteger, Boolean, CheckConstraint, Date, Float, ForeignKey, Index, Integer, Numeric, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, Fen, Record, RegionCode, UTCDateTime, utcnow

ID = BigInteger().with_variant(Integer, "sqlite")


class CreditSubject(Record, Base):
    """A credit subject (信用主体, Art. X5): one per identifier (Art. X19)."""

    __tablename__ = "credit_subjects"
    region_code: Mapped[int] = mapped_column(RegionCode, index=True)
    kind: Mapped[str] = mapped_column(String(20))  # domain.credit.codes.SUBJECT_KINDS
    id_type: Mapped[str] = mapped_column(String(10))  # resident | uscc | other
    other_id_type: Mapped[str | None] = mapped_column(String(20))  # domain.identifiers.OTHER_ID_TYPES
    identifier: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    legal_rep: Mapped[str | None] = mapped_column(String(50))  # 法定代表人 (organisations)
    phone: Mapped[str | None] = mapped_column(String(20))
    address: Mapped[str | None] = mapped_column(String(200))
    registered_on: Mapped[dt.date | None] = mapped_column(Date)
    #: the subject's own statement (本人声明), shown on the portrait
    statement: Mapped[str | None] = mapped_column(Text)
    statement_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    #: the current evaluation (the history is credit_scores); grade None with `unrated` for a new subject
    score: Mapped[int | None] = mapped_column(Integer)
    grade: Mapped[str | None] = mapped_column(String(4), index=True)
    unrated: Mapped[bool] = mapped_column(Boolean, default=True)
    evaluated_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)


class CreditImportBatch(Record, Base):
    """A batch of credit data entered on an authoritative document (Art. X18): without the
    document nothing enters; the document (an attachment) stays linked to every record."""

    __tablename__ = "credit_import_batches"
    region_code: Mapped[int] = mapped_column(RegionCode, index=True)
    kind: Mapped[str] = mapped_column(String(20))  # what it brought in (subsidy, list, forest_right, …)
    document_title: Mapped[str] = mapped_column(String(200))
    document_no: Mapped[str] = mapped_column(String(100))
    issued_by: Mapped[str] = mapped_column(String(100))  # 有权机关
    issued_on: Mapped[dt.date] = mapped_column(Date)
    attachment_id: Mapped[int] = mapped_column(ForeignKey("attachments.id"))
    filename: Mapped[str] = mapped_column(String(200))
    sha256: Mapped[str] = mapped_column(String(64))
    rows: Mapped[int] = mapped_column(Integer, default=0)
    imported_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))


class CreditRecord(Record, Base):
    """One credit record (Art. X10): public (basic, good, dishonest) or market credit data."""

    __tablename__ = "credit_records"
    subject_id: Mapped[int] = mapped_column(ForeignKey("credit_subjects.id"), index=True)
    region_code: Mapped[int] = mapped_column(RegionCode, index=True)
    category: Mapped[str] = mapped_column(String(10))  # public | market
    kind: Mapped[str] = mapped_column(String(20), index=True)  # domain.credit.codes.RECORD_KINDS
    subtype: Mapped[str | None] = mapped_column(String(30))  # GOOD_TYPES / DISHONEST_TYPES / LIST_TYPES
    title: Mapped[str] = mapped_column(String(200))
    content: Mapped[str | None] = mapped_column(Text)
    severity: Mapped[str | None] = mapped_column(String(10))  # minor | ordinary | serious (dishonest)
    occurred_on: Mapped[dt.date] = mapped_column(Date, index=True)  # decision / event date
    publicity_until: Mapped[dt.date | None] = mapped_column(Date)  # dishonest: the end of its period
    amount_fen: Mapped[int | None] = mapped_column(Fen)  # fine, loan principal, claim, price, subsidy
    document_no: Mapped[str | None] = mapped_column(String(100))  # 文书号 (decision, judgment, contract)
    counterparty: Mapped[str | None] = mapped_column(String(100))  # lender, insurer, buyer…
    # Art. X13 谁产生、谁采集、谁提供、谁负责 (with Provenance's collected_by_id, provided_by, responsible_by)
    source: Mapped[str] = mapped_column(String(10))  # platform | external | import
    source_system: Mapped[str | None] = mapped_column(String(100))
    produced_by: Mapped[str] = mapped_column(String(100))  # the department that produced it
    open_class: Mapped[str] = mapped_column(String(16), default="none")  # "unconditional" is 13 characters
    share_class: Mapped[str] = mapped_column(String(16), default="none")
    #: when masked or consented data moved to a more open class: the ground and who decided (Art. X11)
    reclass_rule: Mapped[str | None] = mapped_column(String(200))
    masked: Mapped[bool] = mapped_column(Boolean, default=False)
    batch_id: Mapped[int | None] = mapped_column(ForeignKey("credit_import_batches.id"), index=True)
    status: Mapped[str] = mapped_column(String(12), default="active")  # active repaired corrected withdrawn
    ended_on: Mapped[dt.date | None] = mapped_column(Date)  # repair / withdrawal: its effect ended
    detail: Mapped[dict | None] = mapped_column(JSON)  # kind-specific fields (loan term, XK_/CF_ fields…)
    __table_args__ = (Index("ix_credit_records_subject_kind", "subject_id", "kind"),)


class CreditRepayment(Base):
    """A loan's scheduled repayment and what was paid (market credit data: 融资贷款)."""

    __tablename__ = "credit_repayments"
    id: Mapped[int] = mapped_column(ID, primary_key=True)
    record_id: Mapped[int] = mapped_column(ForeignKey("credit_records.id"), index=True)
    region_code: Mapped[int] = mapped_column(RegionCode)
    due_on: Mapped[dt.date] = mapped_column(Date)
    due_fen: Mapped[int] = mapped_column(Fen)
    paid_on: Mapped[dt.date | None] = mapped_column(Date)
    paid_fen: Mapped[int] = mapped_column(Fen, default=0)


class ForestRight(Record, Base):
    """A forest right by parcel unit (Art. X29): the holder and the 28-character unit code."""

    __tablename__ = "forest_rights"
    subject_id: Mapped[int] = mapped_column(ForeignKey("credit_subjects.id"), index=True)
    region_code: Mapped[int] = mapped_column(RegionCode, index=True)
    unit_code: Mapped[str] = mapped_column(String(28), unique=True)
    certificate_no: Mapped[str | None] = mapped_column(String(60))
    right_type: Mapped[str] = mapped_column(String(12))  # domain.credit.codes.RIGHT_TYPES
    area_mu: Mapped[Decimal] = mapped_column(Numeric(14, 2, asdecimal=True))
    forest_type: Mapped[str] = mapped_column(String(12))
    species: Mapped[str] = mapped_column(String(20))
    age_class: Mapped[str] = mapped_column(String(12))
    stand_age: Mapped[int | None] = mapped_column(Integer)
    stock_m3: Mapped[Decimal | None] = mapped_column(Numeric(14, 2, asdecimal=True))
    lon: Mapped[float | None] = mapped_column(Float)
    lat: Mapped[float | None] = mapped_column(Float)
    polygon: Mapped[list | None] = mapped_column(JSON)  # [[lon, lat], …] simplified, closed
    valid_from: Mapped[dt.date | None] = mapped_column(Date)
    valid_until: Mapped[dt.date | None] = mapped_column(Date)
    #: the collective resource it came from when a village contracted it out (资源管理 → the household)
    resource_id: Mapped[int | None] = mapped_column(ForeignKey("resources.id"), index=True)
    batch_id: Mapped[int | None] = mapped_column(ForeignKey("credit_import_batches.id"))
    __table_args__ = (CheckConstraint("area_mu > 0", name="positive_area"),)


class ForestEncumbrance(Base):
    """A mortgage or a restriction note (Art. X47(3)) on a forest right: never changes its ownership data."""

    __tablename__ = "forest_encumbrances"
    id: Mapped[int] = mapped_column(ID, primary_key=True)
    right_id: Mapped[int] = mapped_column(ForeignKey("forest_rights.id"), index=True)
    region_code: Mapped[int] = mapped_column(RegionCode)
    kind: Mapped[str] = mapped_column(String(12))  # mortgage | restriction
    holder: Mapped[str | None] = mapped_column(String(100))  # the mortgagee
    amount_fen: Mapped[int | None] = mapped_column(Fen)
    registered_on: Mapped[dt.date] = mapped_column(Date)
    until: Mapped[dt.date | None] = mapped_column(Date)
    released_on: Mapped[dt.date | None] = mapped_column(Date)
    note: Mapped[str | None] = mapped_column(Text)
    loan_record_id: Mapped[int | None] = mapped_column(ForeignKey("credit_records.id"))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class CreditScore(Base):
    """One evaluation of a subject: the score, grade and the factors that add up to it."""

    __tablename__ = "credit_scores"
    id: Mapped[int] = mapped_column(ID, primary_key=True)
    subject_id: Mapped[int] = mapped_column(ForeignKey("credit_subjects.id"), index=True)
    region_code: Mapped[int] = mapped_column(RegionCode)
    evaluated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    as_of: Mapped[dt.date] = mapped_column(Date)
    score: Mapped[int | None] = mapped_column(Integer)
    grade: Mapped[str | None] = mapped_column(String(4))
    unrated: Mapped[bool] = mapped_column(Boolean, default=False)
    model_version: Mapped[str] = mapped_column(String(20))
    factors: Mapped[list] = mapped_column(JSON)  # [{factor, label, points, record_ids}]
    reason: Mapped[str] = mapped_column(String(40))  # record_changed | batch | repair | scheduled


class CreditAuthorisation(Base):
    """A holder's authorisation for a named institution to see their portrait (Art. X30)."""

    __tablename__ = "credit_authorisations"
    id: Mapped[int] = mapped_column(ID, primary_key=True)
    subject_id: Mapped[int] = mapped_column(ForeignKey("credit_subjects.id"), index=True)
    region_code: Mapped[int] = mapped_column(RegionCode)
    institution: Mapped[str] = mapped_column(String(100), index=True)
    purpose: Mapped[str] = mapped_column(String(20))  # domain.credit.codes.PURPOSES
    valid_from: Mapped[dt.date] = mapped_column(Date)
    valid_until: Mapped[dt.date] = mapped_column(Date)
    granted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    granted_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    revoked_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    revoked_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class CreditPortraitView(Base):
    """Every view of a portrait (查询记录): who, for which institution, when, for which purpose."""

    __tablename__ = "credit_portrait_views"
    id: Mapped[int] = mapped_column(ID, primary_key=True)
    subject_id: Mapped[int] = mapped_column(ForeignKey("credit_subjects.id"), index=True)
    region_code: Mapped[int] = mapped_column(RegionCode)
    viewer_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    institution: Mapped[str | None] = mapped_column(String(100))
    purpose: Mapped[str] = mapped_column(String(20))  # a PURPOSES key, or "supervision" / "self"
    authorisation_id: Mapped[int | None] = mapped_column(ForeignKey("credit_authorisations.id"))
    viewed_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    kind: Mapped[str] = mapped_column(String(10), default="screen")  # screen | print
