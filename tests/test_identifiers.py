"""GB 11643 resident IDs, GB 32100 credit codes and 12-digit region codes."""
from __future__ import annotations

import pytest

from domain.identifiers import (is_valid_region_code, is_valid_resident_id, is_valid_uscc, mask_resident_id,
                              resident_id_check_char, resident_id_problem, uscc_check_char, uscc_problem)

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
    body = "N2220122MA" + "1234567"
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
