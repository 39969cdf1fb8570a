"""Checks for the identifiers the platform stores: resident identity numbers (GB 11643),
unified social credit codes (GB 32100) and 12-digit statistical region codes.

The ``is_valid_*`` names are a public contract: other projects and tests call them. The
``*_problem`` functions say in Chinese what is wrong, for forms; ``mask_*`` hide personal data
for display (Art. X55).
"""
from __future__ import annotations

import datetime as dt

from domain import clock
from domain.regions import PROVINCE_CODES, structure_problem

_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"
#: GB 32100 code alphabet: digits and capitals without I, O, Z, S, V.
USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_USCC_VALUE = {ch: i for i, ch in enumerate(USCC_ALPHABET)}
_USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
#: GB 32100 table 1: registration-authority code (position 1) → the organisation-kind codes
#: (position 2) it may be followed by.
USCC_AUTHORITIES = {
    "1": "1239",    # 机构编制：机关、事业单位、中央编办直接管理机构编制的群众团体、其他
    "2": "19",      # 外交：外国常驻新闻机构、其他
    "3": "123459",  # 司法行政：律师执业机构、公证处、基层法律服务所、司法鉴定机构、仲裁委员会、其他
    "4": "19",      # 文化：外国在华文化中心、其他
    "5": "1239",    # 民政：社会团体、民办非企业单位、基金会、其他
    "6": "129",     # 旅游：外国（港澳台地区）旅游部门常驻代表机构、其他
    "7": "129",     # 宗教：宗教活动场所、宗教院校、其他
    "8": "19",      # 工会：基层工会、其他
    "9": "123",     # 工商：企业、个体工商户、农民专业合作社
    "A": "19",      # 中央军委改革和编制办公室：军队事业单位、其他
    "N": "1239",    # 农业：组级、村级、乡镇级集体经济组织、其他
    "Y": "1",       # 其他
}
#: GB 11714 organisation code (USCC positions 9–17): weights of its 8-character body.
_ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)
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
    if body[2:4] == "00" and body[4:6] != "00":
        return "身份证号码的地址码结构不正确"
    try:
        birth = dt.date(int(body[6:10]), int(body[10:12]), int(body[12:14]))
    except ValueError:
        return "身份证号码中的出生日期不存在"
    if not _EARLIEST_BIRTH <= birth <= (today or clock.today()):
        return "身份证号码中的出生日期不在合理范围内"
    if body[14:17] == "000":
        return "身份证号码的顺序码不能为000"
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


def org_code_check_char(body8: str) -> str:
    """GB 11714 check character over an organisation code's first 8 characters (digits, and
    capitals counting A=10 … Z=35): 11 − (weighted sum mod 11), 10 written X and 11 written 0."""
    c = 11 - sum((int(ch) if ch.isdigit() else ord(ch) - 55) * w for ch, w in zip(body8, _ORG_WEIGHTS)) % 11
    return "X" if c == 10 else "0" if c == 11 else str(c)


def uscc_problem(s) -> str | None:
    """None if `s` is a valid unified social credit code, else the reason in Chinese.

    Position 1 is the registering authority and position 2 the organisation kind, together one of
    ``USCC_AUTHORITIES`` (collective economic organisations registered by the agriculture
    departments start with ``N``: N1 group, N2 village, N3 township level); 3–8 the registering
    authority's region (GB/T 2260; 100000 for national bodies); 9–17 the GB 11714 organisation code
    with its own check character; 18 the check character over 1–17.
    """
    if not isinstance(s, str):
        return "统一社会信用代码应为文本"
    s = s.strip().upper()
    if len(s) != 18:
        return "统一社会信用代码应为18位"
    bad = sorted({c for c in s if c not in _USCC_VALUE})
    if bad:
        return f"统一社会信用代码含有不允许的字符：{''.join(bad)}（不使用 I、O、Z、S、V）"
    kinds = USCC_AUTHORITIES.get(s[0])
    if kinds is None:
        return f"统一社会信用代码第1位（登记管理部门代码）{s[0]}不存在"
    if s[1] not in kinds:
        return f"统一社会信用代码第2位（机构类别代码）{s[1]}与登记管理部门代码{s[0]}不相符"
    region = s[2:8]
    if not region.isdigit():
        return "统一社会信用代码第3至8位应为登记管理机关行政区划码（数字）"
    if region != "100000" and (int(region[:2]) not in PROVINCE_CODES or (region[2:4] == "00" and region[4:] != "00")):
        return "统一社会信用代码第3至8位不是有效的登记管理机关行政区划码"
    if org_code_check_char(s[8:16]) != s[16]:
        return "统一社会信用代码第9至17位（组织机构代码）的校验码不正确"
    if uscc_check_char(s[:17]) != s[17]:
        return "统一社会信用代码校验位不正确"
    return None


def is_valid_uscc(s) -> bool:
    return uscc_problem(s) is None


# -- 12-digit statistical region code --------------------------------------------------------

def region_code_problem(n) -> str | None:
    """None if `n` has the structure of a 12-digit statistical code (2+2+2+3+3 digits, a known
    province, no non-zero segment below a zero one, township and village segments in the ranges
    the coding rules allow: ``domain.regions.structure_problem``), else the reason in Chinese."""
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
    return structure_problem(int(s))


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
