"""Whether a region's base data is locked (Art. J14), asked by every writer of base data: the
base-data forms, the corrections workflow, the imports and the API."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from data.models import Region
from domain.basedata.lock import BaseDataLocked, locked_message, locking_region
from domain.regions import ancestors


def locked_by(session: Session, region_code: int) -> int | None:
    """The locked region (itself or an ancestor) covering `region_code`, or None."""
    codes = [*ancestors(int(region_code)), int(region_code)]
    locked = session.scalars(select(Region.code).where(Region.code.in_(codes), Region.base_data_locked.is_(True)))
    return locking_region(region_code, [int(c) for c in locked])


def ensure_unlocked(session: Session, region_code: int, what: str = "基础数据") -> None:
    """Raise `BaseDataLocked` (reported to the security log) if `region_code`'s base data is locked."""
    code = locked_by(session, region_code)
    if code is not None:
        name = session.scalar(select(Region.name).where(Region.code == code)) or str(code)
        raise BaseDataLocked(locked_message(name, what))
