"""Uses of forestry credit data (issue 15, lane E): law-enforcement inspection plans drawn at random
by grade (Art. X33) with their recorded seed, and the pushes of public credit data in the 双公示
layout (Art. X28). Both are catalogues of what was done: written once, never edited."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, BigInteger, Date, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, RegionCode, UTCDateTime, utcnow

ID = BigInteger().with_variant(Integer, "sqlite")


class InspectionPlan(Base):
    """A random inspection plan (双随机) of a region for a period: the seed, the rates by grade
    and the population counted at drawing, so that the same draw can be repeated and checked."""

    __tablename__ = "inspection_plans"
    id: Mapped[int] = mapped_column(ID, primary_key=True)
    region_code: Mapped[int] = mapped_column(RegionCode, index=True)
    period: Mapped[str] = mapped_column(String(20))  # 2026 | 2026Q4 | 202611
    seed: Mapped[str] = mapped_column(String(64))
    rates: Mapped[dict] = mapped_column(JSON)  # {grade: percent as text}
    population: Mapped[dict] = mapped_column(JSON)  # {grade: subjects in the region at drawing}
    sizes: Mapped[dict] = mapped_column(JSON)  # {grade: drawn}
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class InspectionPlanItem(Base):
    """One subject drawn for a plan, with its grade at drawing."""

    __tablename__ = "inspection_plan_items"
    id: Mapped[int] = mapped_column(ID, primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("inspection_plans.id"), index=True)
    subject_id: Mapped[int] = mapped_column(ForeignKey("credit_subjects.id"))
    region_code: Mapped[int] = mapped_column(RegionCode)
    grade: Mapped[str] = mapped_column(String(8))  # A B C D or unrated


class CreditPush(Base):
    """One generated push of public credit data to 信用中国 (双公示): the period, what was pushed
    and rejected, the validation report and the package's SHA-256."""

    __tablename__ = "credit_pushes"
    id: Mapped[int] = mapped_column(ID, primary_key=True)
    region_code: Mapped[int] = mapped_column(RegionCode)
    period_from: Mapped[dt.date] = mapped_column(Date)
    period_to: Mapped[dt.date] = mapped_column(Date)
    counts: Mapped[dict] = mapped_column(JSON)  # {"XK": {"pushed": n, "rejected": m}, "CF": {...}}
    report: Mapped[dict] = mapped_column(JSON)  # {"rejected": [{table, record_id, reasons}], ...}
    package_name: Mapped[str] = mapped_column(String(200))
    package_sha256: Mapped[str] = mapped_column(String(64))
    by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    by_name: Mapped[str] = mapped_column(String(64))
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
