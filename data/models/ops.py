"""Operations: syncs to the national platform (Art. J26), database backups and restore drills
(Art. J37, X20–X21). The three tables are the platform's catalogue of its own copies: a restore
carries them over (data/backup/restore.py), so restoring an old backup never forgets a later sync,
backup or drill."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, BigInteger, ForeignKey, Integer, SmallInteger, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, Record, RegionCode, UTCDateTime


class NationalSync(Record, Base):
    """One export to the national platform: who, when, which year and region, the files with their
    SHA-256, the validation result and what became of it (sent to the outbox, or blocked)."""

    __tablename__ = "national_syncs"
    year: Mapped[int] = mapped_column(SmallInteger)
    scope_region: Mapped[int] = mapped_column(RegionCode)
    format_version: Mapped[str] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(20))  # sent | blocked | failed
    villages_total: Mapped[int] = mapped_column(Integer, default=0)
    villages_passed: Mapped[int] = mapped_column(Integer, default=0)
    villages_failed: Mapped[int] = mapped_column(Integer, default=0)
    files: Mapped[list] = mapped_column(JSON, default=list)  # [{name, rows, bytes, sha256}]
    package_name: Mapped[str | None] = mapped_column(String(200))
    package_sha256: Mapped[str | None] = mapped_column(String(64))
    report: Mapped[dict] = mapped_column(JSON, default=dict)  # the validation report (failures capped)
    by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    by_name: Mapped[str] = mapped_column(String(64))
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime)


class Backup(Record, Base):
    """One backup file of the database under DATA_DIR/backups, with its checksum manifest."""

    __tablename__ = "backups"
    kind: Mapped[str] = mapped_column(String(20))  # scheduled | manual | pre_restore
    engine: Mapped[str] = mapped_column(String(20))  # sqlite | postgresql
    filename: Mapped[str] = mapped_column(String(200))
    size_bytes: Mapped[int] = mapped_column(BigInteger, default=0)
    sha256: Mapped[str | None] = mapped_column(String(64))
    #: ok | failed | expired (the file removed after the keep period) | archived (moved off this machine)
    status: Mapped[str] = mapped_column(String(20))
    check_result: Mapped[str | None] = mapped_column(Text)  # integrity_check / pg_restore --list + scratch restore
    manifest: Mapped[dict] = mapped_column(JSON, default=dict)  # table row counts, security-log head, …
    started_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    finished_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    by_name: Mapped[str] = mapped_column(String(64))


class RestoreDrill(Record, Base):
    """One restore (drill): the backup restored, the backup taken of the state before it, every
    check with its outcome, and the result (restored, refused before touching anything, or rolled back)."""

    __tablename__ = "restore_drills"
    backup_id: Mapped[int | None] = mapped_column(ForeignKey("backups.id"))
    pre_backup_id: Mapped[int | None] = mapped_column(ForeignKey("backups.id"))
    result: Mapped[str] = mapped_column(String(20))  # restored | refused | rolled_back | failed
    checks: Mapped[list] = mapped_column(JSON, default=list)  # [{check, ok, detail}]
    message: Mapped[str] = mapped_column(Text)
    started_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    finished_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    by_name: Mapped[str] = mapped_column(String(64))
