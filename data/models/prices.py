"""Forest-rights sales and forest-management cost observations: the samples of the price and cost
index models (Art. X32; DOMAIN.md "Forest-rights price indexes").

A sale is one deal on a forest right — a transfer (流转), a lease (出租) or a mortgage valuation (抵押评估)
— with the parcel's characteristics at the deal date. It comes from the platform's own transfer
records (`record_id`, the market credit record of kind ``transfer``), from an import (`import_id`)
or from the demo. Prices are integer fen (the whole deal); the model reads yuan per mu.
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import CheckConstraint, Date, Float, ForeignKey, Index, Integer, Numeric, String
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, Fen, Record, RegionCode


class PriceSale(Record, Base):
    """One forest-rights deal with the characteristics the hedonic model reads."""

    __tablename__ = "price_sales"
    region_code: Mapped[int] = mapped_column(RegionCode, index=True)  # the village (or county) of the parcel
    deal_on: Mapped[dt.date] = mapped_column(Date, index=True)
    kind: Mapped[str] = mapped_column(String(12))  # domain.prices.codes.SALE_KINDS: transfer | lease | mortgage
    area_mu: Mapped[Decimal] = mapped_column(Numeric(14, 2, asdecimal=True))
    price_fen: Mapped[int] = mapped_column(Fen)  # the whole deal
    forest_type: Mapped[str] = mapped_column(String(12))  # domain.credit.codes.FOREST_TYPES
    species: Mapped[str | None] = mapped_column(String(20))  # domain.credit.codes.SPECIES
    age_class: Mapped[str | None] = mapped_column(String(12))  # domain.credit.codes.AGE_CLASSES
    volume_m3_per_mu: Mapped[float | None] = mapped_column(Float)
    site_class: Mapped[int | None] = mapped_column(Integer)  # 1 (best) … 5
    term_years: Mapped[int | None] = mapped_column(Integer)
    right_type: Mapped[str | None] = mapped_column(String(12))  # domain.credit.codes.RIGHT_TYPES
    source: Mapped[str] = mapped_column(String(10))  # platform | import | demo
    right_id: Mapped[int | None] = mapped_column(ForeignKey("forest_rights.id"), index=True)
    record_id: Mapped[int | None] = mapped_column(ForeignKey("credit_records.id"), unique=True)
    import_id: Mapped[int | None] = mapped_column(ForeignKey("data_imports.id"), index=True)
    __table_args__ = (
        CheckConstraint("area_mu > 0", name="positive_area"),
        CheckConstraint("price_fen > 0", name="positive_price"),
        CheckConstraint("site_class IS NULL OR site_class BETWEEN 1 AND 5", name="site_class_range"),
        Index("ix_price_sales_region_deal", "region_code", "deal_on"),
    )


class CostObservation(Record, Base):
    """One observed unit cost of forest management (planting, tending, protection, harvesting,
    labour, materials) in a county on a date: the cost index's sample."""

    __tablename__ = "price_cost_observations"
    region_code: Mapped[int] = mapped_column(RegionCode, index=True)
    observed_on: Mapped[dt.date] = mapped_column(Date, index=True)
    item: Mapped[str] = mapped_column(String(12))  # domain.prices.codes.COST_ITEMS
    unit_cost_fen: Mapped[int] = mapped_column(Fen)  # per the item's unit (元/亩, 元/工日, 元/吨…)
    source: Mapped[str] = mapped_column(String(10))  # import | demo
    import_id: Mapped[int | None] = mapped_column(ForeignKey("data_imports.id"), index=True)
    __table_args__ = (CheckConstraint("unit_cost_fen > 0", name="positive_cost"),)
