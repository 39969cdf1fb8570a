"""The 28-character real-estate unit code (不动产单元代码, GB/T 37346): valid codes accepted
(provisional 000000 zones and the spaced display form too), each malformed part named in the
Chinese error, and — over every code built from valid parts — acceptance and a display round trip."""
from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.identifiers import (UNIT_FIXTURES, UNIT_OWNERSHIP, UNIT_RIGHT_TYPES, is_provisional_unit,
                                is_valid_unit_code, normalise_unit_code, unit_code_display, unit_code_problem)

GOOD = "360124001002JE00001L00000001"


@pytest.mark.parametrize("code", [GOOD, "360124000000JE00001L00000001", "220112003004GB12345F00000007",
                                  "360124001002JE00001W00000000", "360124 001002 JE00001 L00000001",
                                  "360124001002je00001l00000001"])
def test_valid_codes_accepted(code):
    assert unit_code_problem(code) is None and is_valid_unit_code(code)


def test_provisional_zone():
    assert is_provisional_unit("360124000000JE00001L00000001") and not is_provisional_unit(GOOD)


def _with(pos: int, text: str) -> str:
    return GOOD[:pos] + text + GOOD[pos + len(text):]


@pytest.mark.parametrize("code, part", [
    (GOOD[:-1], "28位"),
    (GOOD + "1", "28位"),
    (_with(0, "36A1"), "第1至6位（县级行政区划代码）"),
    (_with(0, "990124"), "第1至6位（县级行政区划代码）"),
    (_with(0, "360024"), "第1至6位（县级行政区划代码）"),
    (_with(6, "0A1"), "第7至9位（地籍区）"),
    (_with(9, "00X"), "第10至12位（地籍子区）"),
    ("360124000002JE00001L00000001", "第10至12位（地籍子区）"),
    (_with(12, "Q"), "第13位（宗地特征码：所有权）"),
    (_with(13, "Z"), "第14位（宗地特征码：权利类型）"),
    (_with(14, "00000"), "第15至19位（宗地顺序号）"),
    (_with(14, "12A45"), "第15至19位（宗地顺序号）"),
    (_with(19, "K"), "第20位（定着物特征码）"),
    (_with(20, "0000000X"), "第21至28位（定着物单元编号）"),
    (_with(19, "W"), "第21至28位（定着物单元编号）：无定着物"),
])
def test_each_malformed_part_named(code, part):
    why = unit_code_problem(code)
    assert why is not None and part in why, why
    assert not is_valid_unit_code(code)


def test_not_text():
    assert unit_code_problem(None) == "不动产单元代码应为文本"


_digits = lambda n: st.text("0123456789", min_size=n, max_size=n)


@st.composite
def codes(draw):
    county = draw(st.sampled_from(["360124", "360702", "220112", "110105", "440305"]))
    zone = draw(st.one_of(st.just("000000"), st.tuples(_digits(3).filter(lambda z: z != "000"), _digits(3))
                          .map("".join)))
    feature = draw(st.sampled_from(sorted(UNIT_OWNERSHIP))) + draw(st.sampled_from(sorted(UNIT_RIGHT_TYPES)))
    parcel = f"{draw(st.integers(1, 99999)):05d}"
    fixture = draw(st.sampled_from(sorted(UNIT_FIXTURES)))
    number = "00000000" if fixture == "W" else draw(_digits(8))
    return county + zone + feature + parcel + fixture + number


@given(codes())
def test_every_code_of_valid_parts_accepted(code):
    assert unit_code_problem(code) is None
    shown = unit_code_display(code)
    assert len(shown) == 31 and shown.count(" ") == 3
    assert normalise_unit_code(shown) == code and unit_code_problem(shown) is None
