"""Credit repair (信用修复, 《信用修复管理办法》 2026-04-01): after the minimum publicity period a
subject (or a county forestry bureau for them) applies with evidence, the data management unit
decides, and an approval ends the record's effect. The evidence files are attachments owned by
the application (`attachments.owner_type = "credit_repair"`, `owner_id` = its id)."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, Record, RegionCode, UTCDateTime


class CreditRepair(Record, Base):
    """One application to repair a dishonest record: submitted, then approved or rejected."""

    __tablename__ = "credit_repairs"
    record_id: Mapped[int] = mapped_column(ForeignKey("credit_records.id"), index=True)
    subject_id: Mapped[int] = mapped_column(ForeignKey("credit_subjects.id"), index=True)
    region_code: Mapped[int] = mapped_column(RegionCode, index=True)
    applied_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    applied_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    reason: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(12), default="submitted")  # submitted | approved | rejected
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    decision_comment: Mapped[str | None] = mapped_column(String(500))
    #: one open application per record
    __table_args__ = (Index("uq_credit_repairs_open", "record_id", unique=True, sqlite_where=text("status = 'submitted'"),
                            postgresql_where=text("status = 'submitted'")),)
