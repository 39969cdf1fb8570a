"""The figures of a slice of roll-up rows or facts, computed with numpy.

A slice is a few hundred rows × 44 measures, where the planning overhead of a polars group-by with
~70 expressions would dominate. Rows are sorted by (code, period), so the rows of one code are a
run and per-code totals are `np.add.reduceat` over the runs' starts."""
from __future__ import annotations

import numpy as np
import polars as pl

from domain.accounting import BALANCE_KEYS, DERIVED, FLOW_KEYS

from .facts import FACT_COLUMNS
from .rollups import LEVEL_DIVISOR


def _starts(codes: np.ndarray) -> np.ndarray:
    """Where each run of equal codes begins."""
    return np.flatnonzero(np.r_[True, codes[1:] != codes[:-1]]) if len(codes) else np.zeros(0, np.int64)


def figures(rows: pl.DataFrame, period: int, by_code: bool = False) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """Balances at the end of `period`, year-to-date and month flows, derived figures: one
    value per measure, or one per code when `by_code` (the rows are sorted by code, period).
    Returns (codes, {measure: int64 array})."""
    ystart = period // 100 * 100 + 1
    per = rows.get_column("period").to_numpy()
    upto = per <= period
    ytd = upto & (per >= ystart)
    month = per == period
    codes = rows.get_column("code").to_numpy()
    if by_code:
        starts = _starts(codes)
        codes = codes[starts]

        def total(values: np.ndarray, mask: np.ndarray) -> np.ndarray:
            if not len(starts):
                return np.zeros(0, np.int64)
            return np.add.reduceat(np.where(mask, values, 0), starts)
    else:
        codes = np.zeros(1, np.int64)

        def total(values: np.ndarray, mask: np.ndarray) -> np.ndarray:
            return np.array([np.where(mask, values, 0).sum()], dtype=np.int64)
    out: dict[str, np.ndarray] = {}
    for k in BALANCE_KEYS:
        out[k] = total(rows.get_column(k).to_numpy(), upto)
    for k in FLOW_KEYS:
        v = rows.get_column(k).to_numpy()
        out[k] = total(v, ytd)
        out[f"{k}_month"] = total(v, month)
    for key, (_, parts) in DERIVED.items():
        out[key] = sum(out[k] * sign for k, sign in parts.items())
    return codes, out


def facts_sum(facts: pl.DataFrame, by_level: int | None = None) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """Per-village facts (a slice sorted by code) summed, or per unit of `by_level`."""
    codes = facts.get_column("code").to_numpy()
    if by_level is None:
        out = {c: np.array([facts.get_column(c).sum()], dtype=np.int64) for c in FACT_COLUMNS}
        out["villages"] = np.array([facts.height], dtype=np.int64)
        return np.zeros(1, np.int64), out
    div = LEVEL_DIVISOR[by_level]
    groups = codes // div * div
    starts = _starts(groups)
    if not len(starts):
        return np.zeros(0, np.int64), {c: np.zeros(0, np.int64) for c in (*FACT_COLUMNS, "villages")}
    out = {c: np.add.reduceat(facts.get_column(c).to_numpy(), starts) for c in FACT_COLUMNS}
    out["villages"] = np.diff(np.r_[starts, len(groups)]).astype(np.int64)
    return groups[starts], out


def village_ytd_income(rows: pl.DataFrame, period: int) -> tuple[np.ndarray, np.ndarray]:
    """(village codes, year-to-date operating income at `period`) from the village roll-up."""
    ystart = period // 100 * 100 + 1
    codes = rows.get_column("code").to_numpy()
    per = rows.get_column("period").to_numpy()
    vals = np.where((per >= ystart) & (per <= period), rows.get_column("income_operating").to_numpy(), 0)
    starts = _starts(codes)
    return codes[starts], np.add.reduceat(vals, starts) if len(starts) else np.zeros(0, np.int64)


def aligned(keys: np.ndarray, *parts: tuple[np.ndarray, dict[str, np.ndarray]]) -> dict[str, np.ndarray]:
    """Put each part's per-code values on the rows of `keys` (sorted); codes without values get 0."""
    out: dict[str, np.ndarray] = {}
    for codes, values in parts:
        idx = np.searchsorted(keys, codes)
        ok = (idx < len(keys)) & (keys[np.minimum(idx, len(keys) - 1)] == codes) if len(keys) else idx < 0
        for name, v in values.items():
            col = np.zeros(len(keys), np.int64)
            col[idx[ok]] = v[ok]
            out[name] = col
    return out
