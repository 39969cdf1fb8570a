"""Imports of historical data (Art. J18): who imported which file (its SHA-256), of which kind,
how many rows, and with which result."""
from __future__ import annotations

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, Record, RegionCode


class DataImport(Record, Base):
    """One attempt to commit an import file. `result`: committed (its rows are in the books, in the
    same transaction as this record), rejected (a bad row: nothing committed) or refused (out of
    scope, a locked region, the same file again: nothing committed). The same file (SHA-256) is
    committed at most once per kind."""

    __tablename__ = "data_imports"
    kind: Mapped[str] = mapped_column(String(20))
    filename: Mapped[str] = mapped_column(String(200))
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    size: Mapped[int] = mapped_column(Integer)
    rows: Mapped[int] = mapped_column(Integer)
    result: Mapped[str] = mapped_column(String(12))
    message: Mapped[str | None] = mapped_column(Text)
    #: the importer's own region (the root of their jurisdiction)
    region_code: Mapped[int] = mapped_column(RegionCode, index=True)
    imported_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    detail: Mapped[dict | None] = mapped_column(JSON)
    __table_args__ = (
        Index("uq_data_imports_committed_file", "kind", "sha256", unique=True,
              sqlite_where=text("result = 'committed'"), postgresql_where=text("result = 'committed'")),
    )
