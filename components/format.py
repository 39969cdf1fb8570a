"""Display formatting of areas and proportions. Money and periods are formatted in `domain.money`
(exact, from integer fen)."""
from __future__ import annotations

import math
from decimal import Decimal


def mu(cmu: int) -> str:
    """Area kept as hundredths of a mu -> '1,234.56'"""
    return f"{Decimal(int(cmu)) / 100:,.2f}"


def pct(x: float | None) -> str:
    """A change as a signed percentage; — when there is none (None, or NaN from 0 / 0)."""
    return "—" if x is None or math.isnan(x) else f"{x * 100:+.1f}%"


def share(x: float | None) -> str:
    """A proportion as a percentage without sign (pct() is for changes)."""
    return "—" if x is None or math.isnan(x) else f"{x * 100:.1f}%"
