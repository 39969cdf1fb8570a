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


# -- real-estate unit code (不动产单元代码, GB/T 37346) ---------------------------------------------

#: the parcel feature code (宗地特征码): first letter the ownership, second the right type
UNIT_OWNERSHIP = {"G": "国家土地所有权", "J": "集体土地所有权", "Z": "土地所有权未确定或有争议"}
UNIT_RIGHT_TYPES = {"A": "集体土地所有权宗地", "B": "建设用地使用权宗地（地表）", "S": "建设用地使用权宗地（地上）",
                    "X": "建设用地使用权宗地（地下）", "C": "宅基地使用权宗地", "D": "土地承包经营权宗地（耕地）",
                    "E": "土地承包经营权宗地（林地）", "F": "土地承包经营权宗地（草地）", "L": "林地使用权宗地（承包经营以外的）",
                    "N": "农用地使用权宗地（承包经营以外的、非林地）", "H": "海域使用权宗海", "G": "无居民海岛使用权海岛",
                    "W": "使用权未确定或有争议的土地", "Y": "其他使用权宗地"}
#: the fixture code (定着物特征码)
UNIT_FIXTURES = {"F": "房屋等建筑物、构筑物", "L": "森林、林木", "Q": "其他", "W": "无定着物"}


def normalise_unit_code(s: str) -> str:
    """The code without the spaces of its grouped display (6/6/7/9), in capitals."""
    return "".join(s.split()).upper()


def unit_code_problem(s) -> str | None:
    """None if `s` is a valid 28-character real-estate unit code, else the reason in Chinese, naming
    the malformed part: 县级行政区划代码 (1–6), 地籍区 (7–9), 地籍子区 (10–12), 宗地特征码 (13–14),
    宗地顺序号 (15–19), 定着物特征码 (20), 定着物单元编号 (21–28). Spaces of the grouped display are ignored."""
    if not isinstance(s, str):
        return "不动产单元代码应为文本"
    s = normalise_unit_code(s)
    if len(s) != 28 or not s.isascii():
        return f"不动产单元代码应为28位（现为{len(s)}位）"
    county, zone, sub, feature, parcel, fixture, number = s[:6], s[6:9], s[9:12], s[12:14], s[14:19], s[19], s[20:]
    if not county.isdigit():
        return "不动产单元代码第1至6位（县级行政区划代码）应为数字"
    if int(county[:2]) not in PROVINCE_CODES or county[2:4] == "00" or county[4:] == "00":
        return f"不动产单元代码第1至6位（县级行政区划代码）{county}不是有效的县级代码"
    if not zone.isdigit():
        return "不动产单元代码第7至9位（地籍区）应为3位数字"
    if not sub.isdigit():
        return "不动产单元代码第10至12位（地籍子区）应为3位数字"
    if zone == "000" and sub != "000":
        return "不动产单元代码第10至12位（地籍子区）：地籍区为000（虚拟单元）时地籍子区也应为000"
    if feature[0] not in UNIT_OWNERSHIP:
        return f"不动产单元代码第13位（宗地特征码：所有权）{feature[0]}应为G、J或Z"
    if feature[1] not in UNIT_RIGHT_TYPES:
        return f"不动产单元代码第14位（宗地特征码：权利类型）{feature[1]}不存在"
    if not parcel.isdigit() or parcel == "00000":
        return f"不动产单元代码第15至19位（宗地顺序号）{parcel}应为00001至99999"
    if fixture not in UNIT_FIXTURES:
        return f"不动产单元代码第20位（定着物特征码）{fixture}应为F、L、Q或W"
    if not number.isdigit():
        return f"不动产单元代码第21至28位（定着物单元编号）{number}应为8位数字"
    if fixture == "W" and number != "00000000":
        return "不动产单元代码第21至28位（定着物单元编号）：无定着物（W）时应为00000000"
    return None


def is_valid_unit_code(s) -> bool:
    return unit_code_problem(s) is None


def is_provisional_unit(s: str) -> bool:
    """Zone and sub-zone 000000: a provisional (virtual) unit."""
    return normalise_unit_code(s)[6:12] == "000000"


def unit_code_display(s: str) -> str:
    """Grouped 6/6/7/9 with spaces, as printed on certificates."""
    s = normalise_unit_code(s)
    return f"{s[:6]} {s[6:12]} {s[12:19]} {s[19:]}"


# -- other valid identity documents (Art. X19) --------------------------------------------------

#: the other documents a subject without a resident ID or credit code may be matched by
OTHER_ID_TYPES = {"passport": "护照", "hk_macau": "港澳居民来往内地通行证", "taiwan": "台湾居民来往大陆通行证",
                  "foreign_permanent": "外国人永久居留身份证", "other": "其他有效身份证件"}


def other_id_problem(s, id_type: str = "other") -> str | None:
    """None if `s` looks like a valid document number of `id_type` (5–20 letters and digits), else why."""
    if id_type not in OTHER_ID_TYPES:
        return "证件类型不存在"
    if not isinstance(s, str) or not s.strip():
        return f"{OTHER_ID_TYPES[id_type]}号码不能为空"
    s = s.strip().upper()
    if not (5 <= len(s) <= 20) or not s.isascii() or not s.isalnum():
        return f"{OTHER_ID_TYPES[id_type]}号码应为5至20位字母或数字"
    return None
