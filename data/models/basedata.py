"""Level-1 base data (Art. J11–J14): the village profile and the changes and corrections of it."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import JSON, Boolean, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from .base import Area, Base, Record, RegionCode, UTCDateTime


class VillageProfile(Record, Base):
    """Level-1 base data of a village (Art. J11–J13): changes only through a BaseDataChange.
    Collective land by type in mu, exact to 0.01 mu (`farmland_mu` is 耕地)."""

    __tablename__ = "village_profiles"
    org_id: Mapped[int] = mapped_column(ForeignKey("collective_orgs.id"), unique=True)
    population: Mapped[int] = mapped_column(Integer, default=0)
    households: Mapped[int] = mapped_column(Integer, default=0)
    labour_force: Mapped[int] = mapped_column(Integer, default=0)
    village_groups: Mapped[int] = mapped_column(Integer, default=0)
    farmland_mu: Mapped[Decimal] = mapped_column(Area(), default=Decimal("0"))
    garden_mu: Mapped[Decimal] = mapped_column(Area(), default=Decimal("0"), server_default="0")
    forest_mu: Mapped[Decimal] = mapped_column(Area(), default=Decimal("0"), server_default="0")
    grassland_mu: Mapped[Decimal] = mapped_column(Area(), default=Decimal("0"), server_default="0")
    water_mu: Mapped[Decimal] = mapped_column(Area(), default=Decimal("0"), server_default="0")
    wasteland_mu: Mapped[Decimal] = mapped_column(Area(), default=Decimal("0"), server_default="0")
    construction_mu: Mapped[Decimal] = mapped_column(Area(), default=Decimal("0"), server_default="0")


class BaseDataChange(Record, Base):
    """A change of level-1 base data: the village proposes with a reason and a document, the
    township approves and the system applies and files it (备案) with before/after (Art. J13).
    After the trial period (`is_correction`): the township applies with evidence, the county
    approves, it is filed with city and province, who may revoke it (Art. J14).

    `before` / `after`: field -> value as text (profile fields; a member's shares as
    "shares:<member id>"); `before` is what the values were when the change was applied."""

    __tablename__ = "base_data_changes"
    org_id: Mapped[int] = mapped_column(ForeignKey("collective_orgs.id"), index=True)
    region_code: Mapped[int] = mapped_column(RegionCode, index=True)
    is_correction: Mapped[bool] = mapped_column(Boolean, default=False)
    #: submitted | filed (applied and filed) | returned | revoked (a correction only)
    status: Mapped[str] = mapped_column(String(20), default="submitted", index=True)
    before: Mapped[dict] = mapped_column(JSON)
    after: Mapped[dict] = mapped_column(JSON)
    #: the profile's version the proposer read (a change of a stale form is refused)
    profile_version: Mapped[int] = mapped_column(Integer)
    reason: Mapped[str] = mapped_column(Text)
    #: a correction's evidence (its files are attachments of owner type "base_data_change")
    evidence: Mapped[str | None] = mapped_column(Text)
    proposed_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    opinion: Mapped[str | None] = mapped_column(String(500))
    #: who it is filed with (备案): 乡镇 for a change, 市级、省级 for a correction
    filed_with: Mapped[str | None] = mapped_column(String(40))
    filed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    revoked_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    revoked_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    revoke_reason: Mapped[str | None] = mapped_column(String(500))
