"""Axis ticks whose labels never repeat.

A chart axis with a fixed `tickformat` such as ",.0f" over a small range (total assets between
22.6 and 24.1 万元) lets plotly place ticks every 0.5 and then rounds them to the same label: 24, 23,
23, 23, 22. `nice_axis` instead chooses the range, a step of 1, 2 or 5 × 10ⁿ and as many decimals
as the step has, so every label is a different number; `labels` writes them.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import Decimal

STEPS = (1, 2, 5, 10)
MAX_DECIMALS = 12


@dataclass(frozen=True)
class Axis:
    """Ticks at `start`, `start + step`, … up to `stop` (both multiples of `step`), written with
    `decimals` places."""
    start: Decimal
    stop: Decimal
    step: Decimal
    decimals: int

    def values(self) -> list[Decimal]:
        n = int((self.stop - self.start) / self.step)
        return [self.start + i * self.step for i in range(n + 1)]

    def labels(self) -> list[str]:
        return [label(v, self.decimals) for v in self.values()]

    def plotly(self) -> dict:
        """The axis properties that place these ticks in a plotly figure."""
        return {"range": [float(self.start), float(self.stop)], "tick0": float(self.start), "dtick": float(self.step),
                "tickmode": "linear", "tickformat": f",.{self.decimals}f", "autorange": False}


def label(value: Decimal | float, decimals: int) -> str:
    """A tick label: thousands separators, `decimals` places, no sign on zero."""
    text = f"{Decimal(value):,.{decimals}f}"
    return text[1:] if text.startswith("-") and not any(ch in "123456789" for ch in text) else text


def nice_step(span: float, target: int = 5) -> Decimal:
    """The step of 1, 2 or 5 × 10ⁿ that cuts `span` into at most `target` (≥ 1) intervals."""
    rough = span / max(target, 1)
    exponent = math.floor(math.log10(rough))
    base = rough / 10**exponent
    factor = next(s for s in STEPS if s >= base * (1 - 1e-9))
    return Decimal(factor).scaleb(exponent)


def _next_step(step: Decimal) -> Decimal:
    """The nice step after `step` (1 → 2 → 5 → 10 × 10ⁿ)."""
    _sign, digits, exponent = step.normalize().as_tuple()
    lead = int("".join(map(str, digits)))
    return Decimal(STEPS[STEPS.index(lead) + 1]).scaleb(exponent)


def nice_axis(values, *, include_zero: bool = False, target: int = 5) -> Axis | None:
    """A range that holds every finite number in `values` (and 0 with `include_zero`, for bars), cut
    into at most `target` + 1 intervals of a nice step; None when there is no number at all. A flat
    series gets a range around its value."""
    nums = [float(v) for v in values if v is not None and math.isfinite(float(v))]
    if not nums:
        return None
    lo, hi = min(nums), max(nums)
    if include_zero:
        lo, hi = min(lo, 0.0), max(hi, 0.0)
    if hi - lo <= max(abs(lo), abs(hi)) * 1e-12:  # flat: a range around the value (0 … 1 for zeros)
        half = abs(hi) * 0.1
        lo, hi = (lo - half, hi + half) if half else (0.0 if include_zero else -1.0, 1.0)
    step = nice_step(hi - lo, target)
    while True:  # rounding both ends out may add an interval at each: then the next nice step
        start = (Decimal(repr(lo)) / step).to_integral_value(rounding="ROUND_FLOOR") * step
        stop = (Decimal(repr(hi)) / step).to_integral_value(rounding="ROUND_CEILING") * step
        if (stop - start) / step <= target + 1:
            break
        step = _next_step(step)
    decimals = max(0, -step.normalize().as_tuple().exponent)
    return Axis(start, stop, step, decimals)


def distinct_labels(values, decimals: int = 0) -> list[str]:
    """`values` written with at least `decimals` places and as many more as it takes (up to
    MAX_DECIMALS) for different numbers to read differently (a colour legend's low, middle, high)."""
    nums = [Decimal(repr(float(v))) for v in values]
    for places in range(decimals, MAX_DECIMALS + 1):
        texts = [label(v, places) for v in nums]
        if len(set(texts)) == len(set(nums)):
            return texts
    return [label(v, MAX_DECIMALS) for v in nums]
