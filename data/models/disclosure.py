"""Members' questions about a published disclosure (阳光公开) and the village's answers."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, Record, RegionCode, UTCDateTime


class DisclosureQuestion(Record, Base):
    """A member's question about a published disclosure; the village answers it once."""

    __tablename__ = "disclosure_questions"
    disclosure_id: Mapped[int] = mapped_column(ForeignKey("disclosures.id"), index=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("collective_orgs.id"))
    region_code: Mapped[int] = mapped_column(RegionCode, index=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"), index=True)
    asked_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    question: Mapped[str] = mapped_column(String(500))
    asked_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    answer: Mapped[str | None] = mapped_column(String(1000))
    answered_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    answered_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
