"""Display formatting. Money arrives as integer fen and is formatted through Decimal, never float."""
from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

WAN = Decimal(1_000_000)  # fen per 万元
YI = Decimal(10_000_000_000)  # fen per 亿元


def fen_to_yuan(fen: int) -> Decimal:
    return (Decimal(int(fen)) / 100).quantize(Decimal("0.01"))


def yuan(fen: int) -> str:
    """1234567 fen -> '12,345.67'"""
    return f"{fen_to_yuan(fen):,.2f}"


def wan(fen: int, places: int = 2) -> str:
    """Amount in 万元 with thousands separators."""
    q = Decimal(1).scaleb(-places)
    return f"{(Decimal(int(fen)) / WAN).quantize(q, ROUND_HALF_UP):,}"


def money_auto(fen: int) -> tuple[str, str]:
    """(value, unit) choosing 亿元 / 万元 / 元 for a headline figure."""
    d = Decimal(int(fen))
    if abs(d) >= YI:
        return f"{(d / YI).quantize(Decimal('0.01'), ROUND_HALF_UP):,}", "亿元"
    if abs(d) >= WAN:
        return f"{(d / WAN).quantize(Decimal('0.01'), ROUND_HALF_UP):,}", "万元"
    return yuan(int(d)), "元"


def wan_number(fen: int) -> float:
    """For chart axes only (plotly needs numbers); never used for stored or summed money."""
    return float(Decimal(int(fen)) / WAN)


def mu(cmu: int) -> str:
    """Area kept as hundredths of a mu -> '1,234.56'"""
    return f"{Decimal(int(cmu)) / 100:,.2f}"


def period_label(period: int) -> str:
    return f"{period // 100}年{period % 100}月"


def pct(x: float | None) -> str:
    return "—" if x is None else f"{x * 100:+.1f}%"


def share(x: float | None) -> str:
    """A proportion as a percentage without sign (pct() is for changes)."""
    return "—" if x is None else f"{x * 100:.1f}%"
