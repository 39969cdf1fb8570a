"""The trial period and its lock (Art. J14): once the province ends a region's trial, that
region's level-1 base data is read-only everywhere (pages, callbacks, imports, the API); only a
correction (township application, county approval, filed with city and province) changes it."""
from __future__ import annotations

from collections.abc import Iterable

from domain.permissions import PermissionDenied
from domain.regions import ancestors


class BaseDataLocked(PermissionDenied):
    """A write to base data of a region whose trial period has ended (reported to the security log)."""


def locking_region(region_code: int, locked: Iterable[int]) -> int | None:
    """The region (the code itself or an ancestor) whose lock covers `region_code`, or None."""
    locked = set(locked)
    for code in (*ancestors(int(region_code)), int(region_code)):
        if code in locked:
            return code
    return None


def locked_message(region_name: str, what: str = "基础数据") -> str:
    return f"{region_name}已结束试运行期，{what}已锁定：如需更正，请由乡镇提交更正申请并经县级审批"
