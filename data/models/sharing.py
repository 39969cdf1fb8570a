"""Data-sharing applications, the API keys their approvals issue and the log of every API call
(Art. J23–J25; Jiangxi Art. X39–X44). A key is stored only as its SHA-256."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, BigInteger, Boolean, Date, ForeignKey, Index, Integer, SmallInteger, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, Record, RegionCode, UTCDateTime, utcnow


class DataRequest(Record, Base):
    """An application for data (数据使用申请): who, for what, which datasets and fields, regions,
    period; its risk assessment; the province's decision."""

    __tablename__ = "data_requests"
    #: the applicant's region: the province for an external unit, the city or county applying for itself
    region_code: Mapped[int] = mapped_column(RegionCode, index=True)
    applicant_kind: Mapped[str] = mapped_column(String(10))  # external | region
    unit: Mapped[str] = mapped_column(String(100))
    contact: Mapped[str] = mapped_column(String(100))
    purpose: Mapped[str] = mapped_column(Text)
    scope: Mapped[dict] = mapped_column(JSON)  # {dataset: [field, ...]}
    regions: Mapped[list] = mapped_column(JSON)  # subtree roots
    data_from: Mapped[dt.date] = mapped_column(Date)
    data_to: Mapped[dt.date] = mapped_column(Date)
    valid_until: Mapped[dt.date] = mapped_column(Date)
    personal: Mapped[bool] = mapped_column(Boolean, default=False)  # personal data asked in clear
    allowed_ips: Mapped[list] = mapped_column(JSON)  # CIDRs the key may be called from
    rate_per_minute: Mapped[int] = mapped_column(Integer, default=60)
    received_on: Mapped[dt.date] = mapped_column(Date)
    answer_due: Mapped[dt.date] = mapped_column(Date)  # Art. X39–X40: ten working days
    status: Mapped[str] = mapped_column(String(20), default="submitted")  # submitted assessed approved rejected
    registered_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    risk_level: Mapped[str | None] = mapped_column(String(10))  # low medium high
    risk_notes: Mapped[str | None] = mapped_column(Text)
    assessed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    assessed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    decision_comment: Mapped[str | None] = mapped_column(String(500))


class DataApiKey(Record, Base):
    """The credential an approval issues: limited to exactly that approval."""

    __tablename__ = "data_api_keys"
    request_id: Mapped[int] = mapped_column(ForeignKey("data_requests.id"), unique=True)
    token_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    token_prefix: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(12), default="active")  # active suspended revoked
    expires_on: Mapped[dt.date] = mapped_column(Date)
    allowed_ips: Mapped[list] = mapped_column(JSON)
    rate_per_minute: Mapped[int] = mapped_column(Integer, default=60)
    misuse_count: Mapped[int] = mapped_column(Integer, default=0)
    last_misuse_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    issued_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    status_changed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    status_reason: Mapped[str | None] = mapped_column(String(500))


class DataApiCall(Base):
    """One call of the data API, refused ones included (append-only)."""

    __tablename__ = "data_api_calls"
    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    key_id: Mapped[int | None] = mapped_column(ForeignKey("data_api_keys.id"))
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    method: Mapped[str] = mapped_column(String(8))
    path: Mapped[str] = mapped_column(String(200))
    dataset: Mapped[str | None] = mapped_column(String(40))
    params: Mapped[dict] = mapped_column(JSON)
    status: Mapped[int] = mapped_column(SmallInteger)
    rows: Mapped[int] = mapped_column(Integer, default=0)
    ip: Mapped[str | None] = mapped_column(String(64))
    duration_ms: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str | None] = mapped_column(String(200))
    misuse: Mapped[bool] = mapped_column(Boolean, default=False)
    __table_args__ = (Index("ix_data_api_calls_key_at", "key_id", "at"),)
