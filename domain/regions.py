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

#: Province-level codes of GB/T 2260 (the first two digits of every region code).
PROVINCE_CODES = frozenset((11, 12, 13, 14, 15, 21, 22, 23, 31, 32, 33, 34, 35, 36, 37, 41, 42, 43, 44, 45, 46,
                            50, 51, 52, 53, 54, 61, 62, 63, 64, 65, 71, 81, 82))
#: The ranges a township segment (digits 7–9) and a village segment (digits 10–12) may take, by
#: 国家统计局《统计用区划代码和城乡划分代码编制规则》 (the township segment after GB/T 10114: its first
#: digit 0 街道, 1 镇, 2–3 乡, 4–5 政企合一等类似乡级单位); 000 means "no unit at this level".
TOWNSHIP_KINDS = ((1, 99, "街道"), (100, 199, "镇"), (200, 399, "乡"), (400, 599, "类似乡级单位（开发区、农林场等）"))
VILLAGE_KINDS = ((1, 199, "居民委员会"), (200, 399, "村民委员会"), (400, 599, "类似居民委员会"),
                 (600, 799, "类似村民委员会"))

#: The prefecture-level cities without counties (不设区的地级市: 东莞, 中山, 儋州, 嘉峪关), whose
#: townships sit directly below them with county digits 00.
NO_COUNTY_CITIES = frozenset((441900, 442000, 460400, 620200))

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


def segment_kind(segment: int, kinds) -> str | None:
    """The kind of unit a 3-digit township or village segment names (`kinds`: TOWNSHIP_KINDS or
    VILLAGE_KINDS), or None if the coding rules do not allow it (000 included)."""
    return next((name for lo, hi, name in kinds if lo <= segment <= hi), None)


def structure_problem(code: int) -> str | None:
    """None if the integer `code` is built the way a 12-digit statistical code is (a known province;
    no non-zero segment below a zero one; township and village segments in the ranges the coding
    rules allow), else the reason in Chinese. ``level_of`` does arithmetic only and does not check this."""
    if not _MIN <= code <= _MAX:
        return "区划代码应为12位数字"
    if code // 10**10 not in PROVINCE_CODES:
        return "区划代码前两位不是有效的省级代码"
    parts = (code // 10**8 % 100, code // 10**6 % 100, code // 1000 % 1000, code % 1000)
    for i, (upper, lower) in enumerate(zip(parts, parts[1:])):
        if upper == 0 and lower != 0 and not (i == 1 and code // 10**6 in NO_COUNTY_CITIES):
            return "区划代码的层级结构不正确（上级段为0时下级段须为0）"
    township, village = parts[2], parts[3]
    if township and segment_kind(township, TOWNSHIP_KINDS) is None:
        return (f"区划代码第7至9位（乡级）{township:03d}不在编码规则允许的范围内"
                "（001–099街道、100–199镇、200–399乡、400–599类似乡级单位）")
    if village and segment_kind(village, VILLAGE_KINDS) is None:
        return (f"区划代码第10至12位（村级）{village:03d}不在编码规则允许的范围内"
                "（001–199居委会、200–399村委会、400–799类似居委会、村委会的单位）")
    return None


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


def province_of(code: int) -> int:
    """The two-digit province of a region code (220122000000 -> 22)."""
    return int(code) // 10**10
