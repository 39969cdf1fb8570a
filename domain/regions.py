"""Region-code arithmetic on the 12-digit NBS statistical codes held as integers.

2 province + 2 prefecture + 2 county + 3 township + 3 village digits. A code's ancestors are its
prefixes, so the subtree of a region is the closed integer range ``subtree_bounds(code)`` and a
level is a division: ``code // 10**6 * 10**6`` is the county of any code below it. Plain Python;
the reference tree itself is loaded by ``data.regions``.
"""
from __future__ import annotations

PROVINCE, CITY, COUNTY, TOWNSHIP, VILLAGE = 1, 2, 3, 4, 5
LEVEL_NAMES = {PROVINCE: "省", CITY: "市（州）", COUNTY: "县（市、区）", TOWNSHIP: "乡（镇、街道）", VILLAGE: "村（社区）"}
#: Digits below each level: the span of a level-L subtree is 10**_TAIL[L].
_TAIL = {PROVINCE: 10, CITY: 8, COUNTY: 6, TOWNSHIP: 3, VILLAGE: 0}
#: Provinces whose divisions are shipped, with their names.
SUPPORTED_PROVINCES = {22: "吉林省", 36: "江西省"}

_MIN, _MAX = 11 * 10**10, 10**12 - 1


def level_of(code: int) -> int:
    """Level implied by the code's structure (1 province … 5 village)."""
    code = int(code)
    if not _MIN <= code <= _MAX:
        raise ValueError(f"不是12位统计用区划代码：{code}")
    for level in (PROVINCE, CITY, COUNTY, TOWNSHIP):
        if code % 10 ** _TAIL[level] == 0:
            return level
    return VILLAGE


def truncate(code: int, level: int) -> int:
    """The ancestor of `code` at `level` (itself if it is at that level)."""
    span = 10 ** _TAIL[level]
    return int(code) // span * span


def parent_of(code: int) -> int | None:
    level = level_of(code)
    return None if level == PROVINCE else truncate(code, level - 1)


def ancestors(code: int) -> list[int]:
    """Ancestors from the province down, excluding the code itself."""
    level = level_of(code)
    return [truncate(code, lv) for lv in range(PROVINCE, level)]


def subtree_bounds(code: int) -> tuple[int, int]:
    """Closed range [lo, hi] of every code in the subtree rooted at `code`."""
    span = 10 ** _TAIL[level_of(code)]
    return int(code), int(code) + span - 1


def is_in_subtree(code: int, root: int) -> bool:
    lo, hi = subtree_bounds(root)
    return lo <= int(code) <= hi


def province_root(province: int) -> int:
    return int(province) * 10**10
