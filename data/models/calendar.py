"""The working-day calendar's schedules as a platform administrator entered them (append-only:
every save is a new revision of its year; the highest revision is the one in force)."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, BigInteger, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, UTCDateTime, utcnow


class WorkCalendarSchedule(Base):
    """One revision of a year's State Council holiday schedule (domain.calendar.schedule.Schedule)."""

    __tablename__ = "work_calendar_schedules"
    __table_args__ = (UniqueConstraint("year", "revision", name="uq_work_calendar_schedules_year_revision"),)
    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    year: Mapped[int] = mapped_column(Integer)
    revision: Mapped[int] = mapped_column(Integer)
    holidays: Mapped[list] = mapped_column(JSON)  # [{"name", "start", "end"}] ISO dates
    makeup_days: Mapped[list] = mapped_column(JSON)  # ISO dates
    note: Mapped[str | None] = mapped_column(String(200))
    entered_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    entered_by: Mapped[str | None] = mapped_column(String(100))
    entered_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
