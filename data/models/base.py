"""Declarative base, column types and the mixins every record shares."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from domain import clock
from sqlalchemy import BigInteger, DateTime, ForeignKey, Integer, MetaData, Numeric, String, TypeDecorator
from sqlalchemy.orm import DeclarativeBase, Mapped, declared_attr, mapped_column

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

UTC = dt.UTC


def utcnow() -> dt.datetime:
    """Now, from the one clock (domain.clock), so tests can move it."""
    return clock.now()


class UTCDateTime(TypeDecorator):
    """Stores UTC (naive on SQLite, timestamptz on PostgreSQL); always returns aware UTC."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime refused: pass an aware datetime")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


#: Money is integer fen (1 yuan = 100 fen), never float.
Fen = BigInteger
#: Region codes: 12-digit integers whose prefixes are the ancestors.
RegionCode = BigInteger


def Area():
    """Areas in mu, exact to 0.01 mu."""
    return Numeric(14, 2, asdecimal=True)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map = {int: Integer, str: String(200), dt.datetime: UTCDateTime, Decimal: Numeric(14, 2)}


class Timestamps:
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class Versioned:
    """Optimistic locking: an UPDATE carries the version it read; a stale one fails."""

    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)

    @declared_attr.directive
    def __mapper_args__(cls):
        return {"version_id_col": cls.version}


class Provenance:
    """谁采集、谁提供、谁负责 (Art. J15, X13): every business record says who collected it,
    who provided it and who answers for it."""

    @declared_attr
    def collected_by_id(cls) -> Mapped[int | None]:
        return mapped_column(ForeignKey("users.id", use_alter=True), nullable=True)

    provided_by: Mapped[str | None] = mapped_column(String(100), nullable=True)
    responsible_by: Mapped[str | None] = mapped_column(String(100), nullable=True)


class Record(Timestamps, Versioned, Provenance):
    """A business record: timestamps, optimistic version and provenance."""

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
