"""GB 11643 resident IDs, GB 32100 credit codes and 12-digit region codes."""
from __future__ import annotations

import datetime as dt
from collections import Counter

import pytest

from data.regions import load_region_tree
from domain.identifiers import (is_valid_region_code, is_valid_resident_id, is_valid_uscc, mask_resident_id,
                                org_code_check_char, region_code_problem, resident_id_check_char, resident_id_problem,
                                uscc_check_char, uscc_problem)
from domain.regions import TOWNSHIP_KINDS, VILLAGE_KINDS, segment_kind

# The standard's worked example and a real-format Jilin number built with the check character.
GOOD_IDS = ["11010519491231002X", "440524188001010014", "220122199003071234"[:17] + resident_id_check_char("22012219900307123")]


@pytest.mark.parametrize("s", GOOD_IDS)
def test_identifiers001_good_resident_ids(s):
    assert is_valid_resident_id(s)
    assert is_valid_resident_id(s.lower())  # a lower-case x is the same number


@pytest.mark.parametrize("s, why", [
    ("110105194912310021", "校验位"),          # wrong check digit
    ("110105194902300023", "出生日期"),        # 30 February
    ("11010519491231002", "18位"),             # too short
    ("1101051949123100XX", "前17位"),
    ("990105194912310021", "地址码"),          # no province 99
    ("110105290012310021", "出生日期"),        # born in the future
    (None, "文本"),
])
def test_identifiers002_bad_resident_ids_say_why(s, why):
    assert not is_valid_resident_id(s)
    assert why in resident_id_problem(s)


def test_identifiers003_uscc_check_character_and_alphabet():
    assert is_valid_uscc("91350100M000100Y43")  # the standard's example
    body = "N2220122" + "MA123456" + org_code_check_char("MA123456")
    code = body + uscc_check_char(body)
    assert is_valid_uscc(code)  # a village collective economic organisation (N2)
    wrong = code[:-1] + ("0" if code[-1] != "0" else "1")
    assert not is_valid_uscc(wrong) and "校验位" in uscc_problem(wrong)
    for letter in "IOZSV":
        bad = code[:12] + letter + code[13:]
        assert not is_valid_uscc(bad) and letter in uscc_problem(bad)
    assert not is_valid_uscc("91350100M000100Y4")
    assert not is_valid_uscc("91ABCDEFM000100Y43")


@pytest.mark.parametrize("n, ok", [
    (220000000000, True), (220122000000, True), (220122100201, True), ("220122100201", True),
    (360121000000, True),
    (22012210020, False),          # 11 digits
    (990000000000, False),         # no province 99
    (220000001000, False),         # a township under no county
    (220100000001, False),
    (True, False), (2.2e11, False), ("22012210020x", False),
])
def test_identifiers004_region_code_structure(n, ok):
    assert is_valid_region_code(n) is ok


def test_identifiers005_masking_keeps_only_the_ends():
    assert mask_resident_id("11010519491231002X") == "110105********002X"


# ------------------------------------------------------------------ every rule of each standard

def _resident(body17: str) -> str:
    return body17 + resident_id_check_char(body17)


def _uscc(first8: str, org8: str, org_check: str | None = None) -> str:
    """A code with both check characters right (unless `org_check` forces the organisation code's)."""
    body = first8 + org8 + (org_check or org_code_check_char(org8))
    return body + uscc_check_char(body)


@pytest.mark.parametrize("segment, ok", [(1, True), (99, True), (100, True), (199, True), (200, True),
                                         (399, True), (400, True), (599, True), (600, False), (700, False),
                                         (999, False)])
def test_identifiers101_township_segment_boundaries(segment, ok):
    """Digits 7–9: 001–099 街道, 100–199 镇, 200–399 乡, 400–599 类似乡级单位; 600–999 unassigned."""
    code = 220122_000_000 + segment * 1000
    assert is_valid_region_code(code) is ok and is_valid_region_code(f"{code:012d}") is ok
    assert is_valid_region_code(code + 201) is ok  # a village below it stands or falls with it
    assert is_valid_region_code(220122_000_000) and not is_valid_region_code(220122_000_201)  # 000: no township
    if not ok:
        assert "第7至9位" in region_code_problem(code) and f"{segment:03d}" in region_code_problem(code)


@pytest.mark.parametrize("segment, kind", [(99, "街道"), (100, "镇"), (199, "镇"), (200, "乡"), (399, "乡"),
                                           (400, "类似乡级"), (599, "类似乡级"), (600, None)])
def test_identifiers102_township_segment_kind(segment, kind):
    got = segment_kind(segment, TOWNSHIP_KINDS)
    assert (got is None) if kind is None else got.startswith(kind)


@pytest.mark.parametrize("segment, ok", [(1, True), (199, True), (200, True), (399, True), (400, True), (599, True),
                                         (600, True), (799, True), (800, False), (999, False)])
def test_identifiers103_village_segment_boundaries(segment, ok):
    """Digits 10–12: 001–199 居委会, 200–399 村委会, 400–599 类似居委会, 600–799 类似村委会."""
    code = 220122_100_000 + segment
    assert is_valid_region_code(code) is ok
    if not ok:
        assert "第10至12位" in region_code_problem(code)


def test_identifiers104_every_real_code_passes_and_uses_the_allowed_ranges():
    counts = Counter()
    for province in (22, 36):
        tree = load_region_tree(province)
        for code, level in tree.frame.select("code", "level").iter_rows():
            assert region_code_problem(code) is None, code
            if level == 4:
                counts["乡级", segment_kind(code // 1000 % 1000, TOWNSHIP_KINDS)] += 1
            if level == 5:
                counts["村级", segment_kind(code % 1000, VILLAGE_KINDS)] += 1
    # the shipped division of Jilin and Jiangxi, by kind (README, "Reference data")
    assert counts == {("乡级", "街道"): 552, ("乡级", "镇"): 1264, ("乡级", "乡"): 741,
                      ("乡级", "类似乡级单位（开发区、农林场等）"): 285, ("村级", "居民委员会"): 6879,
                      ("村级", "村民委员会"): 26205, ("村级", "类似居民委员会"): 856}


@pytest.mark.parametrize("n, why", [
    (220000001000, "层级"), (220100001000, "层级"), (220022000000, "层级"), (220122000201, "层级"),
    (990122100201, "省级"), (441900003000, None), (441900003201, None),  # 东莞: towns directly below the city
])
def test_identifiers105_region_code_hierarchy(n, why):
    problem = region_code_problem(n)
    assert (problem is None) if why is None else why in problem


@pytest.mark.parametrize("body17, why", [
    ("99010519491231002", "省级"),           # no province 99
    ("72010519491231002", "省级"),           # no province 72
    ("22001219900307123", "地址码结构"),     # a county below no prefecture
    ("22012219010229123", "出生日期不存在"),  # 29 February 1901: not a leap year
    ("22012219000229123", "出生日期不存在"),  # 1900 is no leap year either
    ("22012217991231123", "合理范围"),       # before 1800
    ("22012219900307000", "顺序码"),         # sequence 000 is never given
])
def test_identifiers106_resident_id_bad_parts(body17, why):
    s = _resident(body17)  # the check digit is right: the part named is what is wrong
    assert why in resident_id_problem(s, dt.date(2026, 5, 1))


def test_identifiers107_resident_id_birth_dates():
    assert resident_id_problem(_resident("22012220000229123"), dt.date(2026, 5, 1)) is None  # 2000 is a leap year
    today = dt.date(2026, 5, 1)
    assert resident_id_problem(_resident("22012220260501123"), today) is None  # born today
    assert "合理范围" in resident_id_problem(_resident("22012220260502123"), today)  # tomorrow
    assert "合理范围" in resident_id_problem(_resident("22012230000101123"))  # the far future, by the clock


@pytest.mark.parametrize("first8, org8, org_check, why", [
    ("B1220122", "MA123456", None, "第1位"),         # no registration authority B
    ("94220122", "MA123456", None, "第2位"),         # 工商 has kinds 1–3 only
    ("N4220122", "MA123456", None, "第2位"),         # 农业: N1, N2, N3, N9
    ("Y2220122", "MA123456", None, "第2位"),         # 其他: Y1 only
    ("91990122", "MA123456", None, "第3至8位"),      # no province 99
    ("91220022", "MA123456", None, "第3至8位"),      # a county below no prefecture
    ("912201AB", "MA123456", None, "第3至8位"),      # letters in the region code
    ("91220122", "MA123456", "0", "组织机构代码"),   # the GB 11714 check character is 9
])
def test_identifiers108_uscc_bad_parts(first8, org8, org_check, why):
    code = _uscc(first8, org8, org_check)  # the final check character is right
    assert not is_valid_uscc(code) and why in uscc_problem(code)


@pytest.mark.parametrize("first8", ["11220122", "12220122", "13220122", "19220122", "31220122", "51220122",
                                    "52220122", "53220122", "59220122", "71220122", "81220122", "91220122",
                                    "92220122", "93220122", "A1220122", "N1220122", "N2220122", "N3220122",
                                    "N9220122", "Y1220122", "51100000"])
def test_identifiers109_uscc_every_allowed_authority_and_kind(first8):
    assert uscc_problem(_uscc(first8, "MA123456")) is None
    assert uscc_problem(_uscc(first8, "MA12345X")) is None  # letters in the organisation code too


def test_identifiers110_organisation_code_check_character():
    assert org_code_check_char("M000100Y") == "4"  # GB 32100's example 91350100M000100Y43
    assert org_code_check_char("D2143569") == "X"  # GB 11714's example D2143569-X
    assert [org_code_check_char(f"0000000{d}") for d in "0123"] == ["0", "9", "7", "5"]
