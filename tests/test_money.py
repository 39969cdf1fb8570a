"""domain.money: every money and period text, exact from integer fen, the sign in front."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.money import (
    fen_to_yuan,
    money_auto,
    period_label,
    period_of,
    wan,
    wan_number,
    yuan,
    yuan_short,
    yuan_text,
)

FEN = st.integers(min_value=-(10**15), max_value=10**15)


@pytest.mark.parametrize("fen, text", [(-1, "-0.01"), (-99, "-0.99"), (-100, "-1.00"), (-199, "-1.99"),
                                       (-123_456_789, "-1,234,567.89")])
def test_money001_negative_fen(fen, text):
    """Floor division of a negative (-1 // 100, -1 % 100) read -1 fen as "-1.99"; the sign goes in front."""
    assert yuan(fen) == text
    assert yuan_text(fen) == f"{text} 元"


def test_money002_zero():
    assert yuan(0) == "0.00" and yuan_text(0) == "0.00 元" and yuan_short(0) == "0"
    assert wan(0) == "0.00" and money_auto(0) == ("0.00", "元") and wan_number(0) == 0.0
    assert fen_to_yuan(0) == Decimal("0.00")


@pytest.mark.parametrize("fen, text", [(1, "0.01"), (99, "0.99"), (100, "1.00"), (123_456, "1,234.56"),
                                       (10**13, "100,000,000,000.00"), (10**20 + 7, "1,000,000,000,000,000,000.07")])
def test_money003_positive_and_large_values(fen, text):
    assert yuan(fen) == text


def test_money004_texts_with_unit_and_whole_yuan():
    assert yuan_text(123_456) == "1,234.56 元"
    assert yuan_text(123_456, sep="") == "1,234.56元"  # the supervision rules' texts
    assert yuan_short(5_000_000) == "50,000" and yuan_short(5_000_050) == "50,000.50"
    assert yuan_short(-5_000_000) == "-50,000" and yuan_short(-1) == "-0.01"


@pytest.mark.parametrize("fen, places, text", [(12_345_678, 2, "12.35"), (12_344_999, 2, "12.34"),
                                               (5_000, 2, "0.01"), (4_999, 2, "0.00"), (-5_000, 2, "-0.01"),
                                               (-4_999, 2, "0.00"), (-12_345_678, 2, "-12.35"),
                                               (1_234_567_890_000, 2, "1,234,567.89"), (15_000_000, 0, "15"),
                                               (14_999_999, 0, "15"), (14_499_999, 0, "14"), (12_345_678, 4, "12.3457")])
def test_money005_wan_rounds_half_away_from_zero(fen, places, text):
    """万元 to `places` places, half away from zero either side; what rounds to zero has no sign."""
    assert wan(fen, places) == text


@pytest.mark.parametrize("fen, value, unit", [(999_999, "9,999.99", "元"), (1_000_000, "1.00", "万元"),
                                              (-1_000_000, "-1.00", "万元"), (-999_999, "-9,999.99", "元"),
                                              (9_999_999_999, "10,000.00", "万元"), (10_000_000_000, "1.00", "亿元"),
                                              (-12_345_678_901_234, "-1,234.57", "亿元")])
def test_money006_money_auto_picks_the_unit(fen, value, unit):
    assert money_auto(fen) == (value, unit)


def test_money007_wan_number_is_for_axes():
    assert wan_number(12_345_678) == pytest.approx(12.345678) and wan_number(-1_000_000) == -1.0


@pytest.mark.parametrize("day, period, label", [(dt.date(2026, 11, 22), 202611, "2026年11月"),
                                                (dt.date(2026, 1, 1), 202601, "2026年1月"),
                                                (dt.date(1999, 12, 31), 199912, "1999年12月")])
def test_money008_period_round_trip(day, period, label):
    assert period_of(day) == period and period_label(period) == label


@given(st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2999, 12, 31)))
def test_money009_period_label_reads_back_to_the_period(day):
    period = period_of(day)
    year, rest = period_label(period).split("年")
    assert int(year) == day.year and rest == f"{day.month}月"
    assert int(year) * 100 + int(rest[:-1]) == period


@given(FEN)
def test_money010_yuan_parses_back_to_exactly_fen(fen):
    text = yuan(fen)
    assert Decimal(text.replace(",", "")) * 100 == fen
    assert fen_to_yuan(fen) == Decimal(text.replace(",", ""))
    assert yuan_text(fen) == text + " 元" and (text.startswith("-") == (fen < 0))
    whole, _, cents = text.lstrip("-").partition(".")
    assert len(cents) == 2 and whole == f"{int(whole.replace(',', '')):,}"


@given(FEN)
def test_money011_wan_is_the_exact_quotient_rounded(fen):
    exact = Decimal(fen) / 1_000_000
    shown = Decimal(wan(fen).replace(",", ""))
    assert abs(shown - exact) <= Decimal("0.005")
    assert not wan(fen).startswith("-") or shown < 0
    value, unit = money_auto(fen)
    figure = Decimal(value.replace(",", ""))
    if unit == "元":
        assert figure * 100 == fen and abs(fen) < 1_000_000
    else:
        size = {"万元": 1_000_000, "亿元": 10_000_000_000}[unit]
        assert abs(figure * size - fen) <= Decimal(size) / 200 and abs(fen) >= 1_000_000


@given(FEN)
def test_money012_yuan_short_is_yuan_without_zero_cents(fen):
    assert yuan_short(fen) == (yuan(fen)[:-3] if fen % 100 == 0 else yuan(fen))
