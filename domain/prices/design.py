"""The double-log hedonic design matrix, built with numpy (no patsy formulas: at 300,000 sales × 40
quarters a formula parser costs more than the regression).

Columns, in this order (the order matters only for dropping collinear columns: a later column that
is a linear combination of earlier ones is dropped, so the period dummies always survive):

1. the constant;
2. period dummies (one per period except the base period, the first unsuppressed one);
3. ln(area), ln(volume per mu) (volume floored at 0.1 m³/mu: young stands may have none),
   ln(term) — each only when its column is present with some spread; nulls inside a column are
   filled with the mean of the observed logs and flagged by a 0/1 "missing" column;
4. dummies of the categorical characteristics age class, site class, forest type, species, right
   type (and county): nulls are the level "unknown"; the reference level is REFERENCE's (near-mature,
   site class 3, timber, management right — the generator's and the coefficient table's baseline)
   when the sample has it, else the most frequent level (ties: the first in sort order); a
   characteristic with one level is dropped.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import polars as pl

from domain.prices.codes import AGE_CLASSES, FOREST_TYPES, RIGHT_TYPES

__all__ = ["Design", "Factor", "Numeric", "build", "make_design"]

VOLUME_FLOOR = 0.1
UNKNOWN = "unknown"
NUMERIC_LABELS = {"area_mu": "ln(面积)", "volume_m3_per_mu": "ln(每亩蓄积量)", "term_years": "ln(流转年限)"}
MISSING_LABELS = {"volume_m3_per_mu": "每亩蓄积量缺失", "term_years": "流转年限缺失", "area_mu": "面积缺失"}
FACTOR_LABELS = {"age_class": ("龄组", AGE_CLASSES), "site_class": ("立地等级", {}), "forest_type": ("林种", FOREST_TYPES),
                 "species": ("树种", {}), "right_type": ("权利类型", RIGHT_TYPES), "county": ("县", {})}
REFERENCE = {"age_class": "near_mature", "site_class": "3", "forest_type": "timber", "right_type": "management"}
FACTORS = ("age_class", "site_class", "forest_type", "species", "right_type")
NUMERICS = ("area_mu", "volume_m3_per_mu", "term_years")


@dataclass(frozen=True)
class Numeric:
    column: str
    fill: float  # mean of the observed logs (used for nulls)
    spread: float  # variance of the observed logs
    flag: bool  # a "missing" indicator column follows


@dataclass(frozen=True)
class Factor:
    column: str
    levels: tuple[str, ...]  # dummy levels (the reference excluded)
    reference: str
    shares: dict[str, float] = field(default_factory=dict)  # every level's share of the sample
    counts: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class Design:
    periods: tuple[str, ...]  # dummy periods (the base excluded)
    base_period: str | None
    period_col: str | None
    numerics: tuple[Numeric, ...]
    factors: tuple[Factor, ...]
    names: tuple[str, ...]  # term names of the kept columns
    labels: tuple[str, ...]
    keep: tuple[int, ...]  # positions of the kept columns in the full matrix


def _log(column: str, s: pl.Series) -> np.ndarray:
    x = s.cast(pl.Float64).to_numpy()
    if column == "volume_m3_per_mu":
        x = np.maximum(x, VOLUME_FLOOR)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.log(x)


def _strings(df: pl.DataFrame, column: str) -> pl.Series:
    return df[column].cast(pl.String).fill_null(UNKNOWN)


def _full_names(periods, numerics, factors) -> tuple[list[str], list[str]]:
    names, labels = ["const"], ["常数项"]
    for p in periods:
        names.append(f"period[{p}]")
        labels.append(f"时期：{p}")
    for num in numerics:
        names.append(f"ln_{num.column}")
        labels.append(NUMERIC_LABELS[num.column])
        if num.flag:
            names.append(f"{num.column}_missing")
            labels.append(MISSING_LABELS[num.column])
    for fac in factors:
        title, table = FACTOR_LABELS[fac.column]
        for level in fac.levels:
            names.append(f"{fac.column}[{level}]")
            labels.append(f"{title}：{'未知' if level == UNKNOWN else table.get(level, level)}")
    return names, labels


def _fill(df: pl.DataFrame, periods, period_col, numerics, factors) -> np.ndarray:
    n = df.height
    names, _ = _full_names(periods, numerics, factors)
    x = np.zeros((n, len(names)))
    x[:, 0] = 1.0
    j = 1
    if periods:
        pos = {p: i for i, p in enumerate(periods)}
        codes = df[period_col].replace_strict(pos, default=-1, return_dtype=pl.Int64).to_numpy()
        rows = np.flatnonzero(codes >= 0)
        x[rows, j + codes[rows]] = 1.0
        j += len(periods)
    for num in numerics:
        v = _log(num.column, df[num.column]) if num.column in df.columns else np.full(n, np.nan)
        miss = ~np.isfinite(v)
        x[:, j] = np.where(miss, num.fill, v)
        j += 1
        if num.flag:
            x[:, j] = miss
            j += 1
    for fac in factors:
        if fac.levels:
            pos = {lv: i for i, lv in enumerate(fac.levels)}
            s = _strings(df, fac.column) if fac.column in df.columns else pl.Series([UNKNOWN] * n)
            codes = s.replace_strict(pos, default=-1, return_dtype=pl.Int64).to_numpy()
            rows = np.flatnonzero(codes >= 0)
            x[rows, j + codes[rows]] = 1.0
            j += len(fac.levels)
    return x


def _independent(g: np.ndarray, tol: float = 1e-9) -> list[int]:
    """Columns (in order) of the matrix whose cross-product is `g` that are not linear combinations
    of the earlier kept ones."""
    keep: list[int] = []
    for j in range(g.shape[0]):
        d = g[j, j]
        if d <= 0:
            continue
        if keep:
            sub = g[np.ix_(keep, keep)]
            b = g[keep, j]
            try:
                r = d - b @ np.linalg.solve(sub, b)
            except np.linalg.LinAlgError:
                continue
        else:
            r = d
        if r > tol * d:
            keep.append(j)
    return keep


def make_design(df: pl.DataFrame, *, period_col: str | None, periods: list[str] | None,
                factors: tuple[str, ...] = FACTORS, county: bool = False) -> tuple[Design, np.ndarray, np.ndarray]:
    """The design for the normalised sales `df` (schema.validate), its matrix and the matrix's
    cross-product. `periods` lists the fitted periods in order; the first is the base (no dummy)."""
    periods = list(periods or [])
    dummies = tuple(periods[1:])
    nums = []
    for col in NUMERICS:
        if col not in df.columns:
            continue
        v = _log(col, df[col])
        ok = np.isfinite(v)
        if ok.sum() < 2 or np.var(v[ok]) <= 1e-12:
            continue
        nums.append(Numeric(col, float(v[ok].mean()), float(np.var(v[ok])), bool((~ok).any())))
    facs = []
    for col in (*factors, *(("county",) if county else ())):
        if col not in df.columns:
            continue
        counts = _strings(df, col).value_counts()
        if counts.height < 2:
            continue
        pairs = sorted(zip(counts[col].to_list(), counts["count"].to_list()), key=lambda p: (-p[1], p[0]))
        total = sum(c for _, c in pairs)
        present = {lv for lv, _ in pairs}
        ref = REFERENCE[col] if REFERENCE.get(col) in present else pairs[0][0]
        facs.append(Factor(col, tuple(sorted(lv for lv, _ in pairs if lv != ref)), ref,
                           {lv: c / total for lv, c in pairs}, dict(pairs)))
    x = _fill(df, dummies, period_col, nums, facs)
    gram = x.T @ x
    keep = _independent(gram)
    names, labels = _full_names(dummies, nums, facs)
    design = Design(dummies, periods[0] if periods else None, period_col, tuple(nums), tuple(facs),
                    tuple(names[k] for k in keep), tuple(labels[k] for k in keep), tuple(keep))
    if len(keep) == x.shape[1]:
        return design, x, gram
    return design, x[:, keep], gram[np.ix_(keep, keep)]


def build(df: pl.DataFrame, design: Design) -> np.ndarray:
    """The matrix of new rows `df` (normalised columns) under a fitted `design`."""
    x = _fill(df, design.periods, design.period_col, design.numerics, design.factors)
    return x[:, list(design.keep)]
