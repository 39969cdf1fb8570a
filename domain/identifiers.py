"""Checks for the identifiers the platform stores: resident identity numbers (GB 11643),
unified social credit codes (GB 32100) and 12-digit statistical region codes.

The ``is_valid_*`` names are a public contract: other projects and tests call them. The
``*_problem`` functions say in Chinese what is wrong, for forms; ``mask_*`` hide personal data
for display (Art. X55).
"""
from __future__ import annotations

import datetime as dt

from domain import clock

_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"
#: GB 32100 code alphabet: digits and capitals without I, O, Z, S, V.
USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_USCC_VALUE = {ch: i for i, ch in enumerate(USCC_ALPHABET)}
_USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
#: Province-level codes of GB/T 2260 (first two digits of every region code).
PROVINCE_CODES = frozenset((11, 12, 13, 14, 15, 21, 22, 23, 31, 32, 33, 34, 35, 36, 37, 41, 42, 43, 44, 45, 46,
                            50, 51, 52, 53, 54, 61, 62, 63, 64, 65, 71, 81, 82))
_EARLIEST_BIRTH = dt.date(1800, 1, 1)


# -- resident identity number (GB 11643-1999) -----------------------------------------------

def resident_id_check_char(body17: str) -> str:
    """ISO 7064 MOD 11-2 check character over the first 17 digits."""
    return _ID_CHECK[sum(int(c) * w for c, w in zip(body17, _ID_WEIGHTS)) % 11]


def resident_id_problem(s, today: dt.date | None = None) -> str | None:
    """None if `s` is a valid 18-character resident ID, else the reason in Chinese."""
    if not isinstance(s, str):
        return "身份证号码应为文本"
    s = s.strip().upper()
    if len(s) != 18:
        return "身份证号码应为18位"
    body, check = s[:17], s[17]
    if not body.isascii() or not body.isdigit() or not (check.isdigit() or check == "X"):
        return "身份证号码前17位应为数字，末位为数字或X"
    if int(body[:2]) not in PROVINCE_CODES:
        return "身份证号码的地址码不是有效的省级代码"
    try:
        birth = dt.date(int(body[6:10]), int(body[10:12]), int(body[12:14]))
    except ValueError:
        return "身份证号码中的出生日期不存在"
    if not _EARLIEST_BIRTH <= birth <= (today or clock.today()):
        return "身份证号码中的出生日期不在合理范围内"
    if resident_id_check_char(body) != check:
        return "身份证号码校验位不正确"
    return None


def is_valid_resident_id(s) -> bool:
    return resident_id_problem(s) is None


def birth_date_of(resident_id: str) -> dt.date:
    s = resident_id.strip()
    return dt.date(int(s[6:10]), int(s[10:12]), int(s[12:14]))


def sex_of(resident_id: str) -> str:
    """'男' or '女' from the sequence digit (odd is male)."""
    return "男" if int(resident_id.strip()[16]) % 2 else "女"


# -- unified social credit code (GB 32100-2015) ---------------------------------------------

def uscc_check_char(body17: str) -> str:
    s = sum(_USCC_VALUE[c] * w for c, w in zip(body17, _USCC_WEIGHTS))
    return USCC_ALPHABET[(31 - s % 31) % 31]


def uscc_problem(s) -> str | None:
    """None if `s` is a valid unified social credit code, else the reason in Chinese.

    Position 1 is the registering authority (collective economic organisations registered by the
    agriculture departments start with ``N``: N1 group, N2 village, N3 township level), position 2
    the organisation kind, 3–8 the registering region, 9–17 the organisation code, 18 the check.
    """
    if not isinstance(s, str):
        return "统一社会信用代码应为文本"
    s = s.strip().upper()
    if len(s) != 18:
        return "统一社会信用代码应为18位"
    bad = sorted({c for c in s if c not in _USCC_VALUE})
    if bad:
        return f"统一社会信用代码含有不允许的字符：{''.join(bad)}（不使用 I、O、Z、S、V）"
    if not s[2:8].isdigit():
        return "统一社会信用代码第3至8位应为登记管理机关行政区划码（数字）"
    if uscc_check_char(s[:17]) != s[17]:
        return "统一社会信用代码校验位不正确"
    return None


def is_valid_uscc(s) -> bool:
    return uscc_problem(s) is None


# -- 12-digit statistical region code --------------------------------------------------------

_SEGMENTS = ((0, 2), (2, 4), (4, 6), (6, 9), (9, 12))


def region_code_problem(n) -> str | None:
    """None if `n` has the structure of a 12-digit statistical code (2+2+2+3+3 digits, a known
    province, and no non-zero segment below a zero one), else the reason in Chinese."""
    if isinstance(n, bool):
        return "区划代码应为12位数字"
    if isinstance(n, int):
        s = f"{n:012d}" if n >= 0 else "-"
    elif isinstance(n, str):
        s = n.strip()
    else:
        return "区划代码应为12位数字"
    if len(s) != 12 or not s.isascii() or not s.isdigit():
        return "区划代码应为12位数字"
    if int(s[:2]) not in PROVINCE_CODES:
        return "区划代码前两位不是有效的省级代码"
    parts = [int(s[a:b]) for a, b in _SEGMENTS]
    for upper, lower in zip(parts, parts[1:]):
        if upper == 0 and lower != 0:
            return "区划代码的层级结构不正确（上级段为0时下级段须为0）"
    return None


def is_valid_region_code(n) -> bool:
    return region_code_problem(n) is None


# -- masking for display ----------------------------------------------------------------------

def mask_resident_id(s: str | None) -> str:
    if not s:
        return ""
    s = s.strip()
    return s[:6] + "*" * (len(s) - 10) + s[-4:] if len(s) > 10 else "*" * len(s)


def mask_name(s: str | None) -> str:
    if not s:
        return ""
    return s[0] + "*" * (len(s) - 1) if len(s) <= 2 else s[0] + "*" * (len(s) - 2) + s[-1]


def mask_phone(s: str | None) -> str:
    if not s:
        return ""
    s = s.strip()
    return s[:3] + "****" + s[-4:] if len(s) == 11 else "*" * len(s)


def mask_account(s: str | None) -> str:
    if not s:
        return ""
    s = s.strip()
    return "**** " + s[-4:] if len(s) > 4 else "*" * len(s)
