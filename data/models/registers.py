"""The registers the security rules require (Art. J39–J40, X22, X52, X53, X57): one record table
for the four kinds (data-security incidents, data destruction, maintenance access, connected
devices; `kind`), their current values in `fields`, and the append-only trail of every step."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, BigInteger, ForeignKey, Index, Integer, SmallInteger, String
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, Record, RegionCode, UTCDateTime, utcnow


class RegisterEntry(Record, Base):
    """One entry of a register (domain.registers: the kind's fields and the order of its states)."""

    __tablename__ = "register_entries"
    __table_args__ = (Index("ix_register_entries_kind_region", "kind", "region_code"),)
    kind: Mapped[str] = mapped_column(String(20))
    region_code: Mapped[int] = mapped_column(RegionCode)
    state: Mapped[str] = mapped_column(String(20))
    title: Mapped[str] = mapped_column(String(200))
    level: Mapped[int | None] = mapped_column(SmallInteger)  # an incident: the region level it has reached
    fields: Mapped[dict] = mapped_column(JSON)
    pending_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))  # who asked the awaited approval


class RegisterStep(Base):
    """One step of an entry's trail, as it was taken (append-only)."""

    __tablename__ = "register_steps"
    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("register_entries.id"), index=True)
    step: Mapped[str] = mapped_column(String(30))
    from_state: Mapped[str | None] = mapped_column(String(20))
    to_state: Mapped[str] = mapped_column(String(20))
    values: Mapped[dict] = mapped_column(JSON)
    by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    by_name: Mapped[str | None] = mapped_column(String(100))
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
