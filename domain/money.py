"""Money and period texts, in one place.

Money is integer fen end to end. Every text here is exact: integer `divmod` (or `Decimal`) of the
absolute value with the sign put in front, so −1 fen reads "-0.01" (floor division of the signed
value, `-1 // 100` and `-1 % 100`, would read "-1.99"), and a value that rounds to zero has no sign.
Only `wan_number` returns a float: chart axes need numbers; it is never stored or summed.

A period is a month as the integer yyyymm (202611).
"""
from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

FEN_PER_YUAN = 100
WAN = 1_000_000  # fen per 万元
YI = 10_000_000_000  # fen per 亿元


def _signed(negative: bool, magnitude: str) -> str:
    return f"-{magnitude}" if negative else magnitude


def fen_to_yuan(fen: int) -> Decimal:
    """12345 -> Decimal('123.45') (exact, always two places)."""
    return Decimal(int(fen)).scaleb(-2)


def yuan(fen: int) -> str:
    """1234567 -> '12,345.67'; -1 -> '-0.01'."""
    fen = int(fen)
    whole, cents = divmod(abs(fen), FEN_PER_YUAN)
    return _signed(fen < 0, f"{whole:,}.{cents:02d}")


def yuan_text(fen: int, sep: str = " ") -> str:
    """1234567 -> '12,345.67 元' (the supervision rules' texts use sep="": '12,345.67元')."""
    return f"{yuan(fen)}{sep}元"


def yuan_short(fen: int) -> str:
    """Whole yuan without cents: 5000000 -> '50,000'; with cents as `yuan`: 5000050 -> '50,000.50'."""
    fen = int(fen)
    whole, cents = divmod(abs(fen), FEN_PER_YUAN)
    return yuan(fen) if cents else _signed(fen < 0, f"{whole:,}")


def _scaled(fen: int, unit: int, places: int) -> str:
    fen = int(fen)
    value = (Decimal(abs(fen)) / unit).quantize(Decimal(1).scaleb(-places), ROUND_HALF_UP)
    return _signed(fen < 0 and bool(value), f"{value:,}")


def wan(fen: int, places: int = 2) -> str:
    """Amount in 万元 with thousands separators, rounded half away from zero: 12345678 -> '12.35'."""
    return _scaled(fen, WAN, places)


def money_auto(fen: int) -> tuple[str, str]:
    """(value, unit) choosing 亿元 / 万元 / 元 for a headline figure."""
    fen = int(fen)
    if abs(fen) >= YI:
        return _scaled(fen, YI, 2), "亿元"
    if abs(fen) >= WAN:
        return _scaled(fen, WAN, 2), "万元"
    return yuan(fen), "元"


def wan_number(fen: int) -> float:
    """For chart axes only (plotly needs numbers); never used for stored or summed money."""
    return float(Decimal(int(fen)) / WAN)


def period_of(day: dt.date) -> int:
    """date(2026, 11, 22) -> 202611"""
    return day.year * 100 + day.month


def period_label(period: int) -> str:
    """202611 -> '2026年11月'"""
    year, month = divmod(int(period), 100)
    return f"{year}年{month}月"
