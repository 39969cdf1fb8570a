"""The comparison indexes beside the hedonic one: the median price per mu, and a mix-adjusted
(stratified, Laspeyres area-weighted) index. Same frame as the hedonic index (periods.INDEX_SCHEMA),
the same thin-market suppression, base = the first unsuppressed period (= 100).

**Median index**: 100 · m_t / m_0, m the median price per mu of the period's sales. Its 95 %
interval is analytic: the distribution-free order-statistic interval of each median (ranks
n/2 ∓ 1.96·√n/2) gives a standard error of ln m (the interval's log width / 3.92); the ratio's
log variance is the sum of the two periods' (independent samples) and the interval is
100·exp(ln ratio ∓ 1.96·se). The median ignores what was sold: when later years sell better
sites and older stands it overstates the price rise (the mix shift).

**Mix-adjusted index**: strata forest type × age class × site band (good 1–2, middle 3, poor 4–5;
a missing characteristic is its own "unknown" stratum level). In each stratum s the relative
R_st = exp(mean ln ppm_st − mean ln ppm_s0) (geometric means: robust to a stratum's few big deals);
the index is 100 · Σ_s w_s R_st with w_s the base period's area shares of the strata, renormalised
over the strata that have sales in both periods (a stratum empty in either period drops out of
that period's comparison). 95 % interval analytic: var ln R_st = s²(1/n_st + 1/n_s0) with s² the
pooled within-stratum-and-period variance of ln ppm, var I = Σ w_s² R_st² var ln R_st (delta
method), interval I ± 1.96·√var. Chained forms: the ratio of consecutive published levels
(no interval of their own: null).
"""
from __future__ import annotations

import math

import numpy as np
import polars as pl

from domain.prices.codes import MIN_COUNTIES, MIN_SALES
from domain.prices.hedonic import Z95
from domain.prices.periods import INDEX_SCHEMA, support
from domain.prices.schema import normalised, period_column

__all__ = ["NO_OVERLAP", "median_index", "mix_adjusted_index"]

NO_OVERLAP = "本期成交与基期无相同层（林种×龄组×立地），无法比较"


def _frame(sup: pl.DataFrame, levels: dict[str, tuple[float, float, float]]) -> pl.DataFrame:
    rows, prev = [], None
    for p, n, c, s, reason in sup.select("period", "n", "counties", "suppressed", "reason").iter_rows():
        if s or p not in levels:
            rows.append((p, None, None, None, None, None, None, n, c, True, reason if s else NO_OVERLAP))
            continue
        idx, lo, hi = levels[p]
        chained = None if prev is None else 100 * idx / prev
        rows.append((p, idx, lo, hi, chained, None, None, n, c, False, None))
        prev = idx
    return pl.DataFrame(rows, schema=INDEX_SCHEMA, orient="row")


def _median_log_se(sorted_values: np.ndarray) -> float:
    n = len(sorted_values)
    half = Z95 * math.sqrt(n) / 2
    lo = max(int(math.floor(n / 2 - half)), 0)
    hi = min(int(math.ceil(n / 2 + half)), n - 1)
    return float(np.log(sorted_values[hi]) - np.log(sorted_values[lo])) / (2 * Z95)


def median_index(df: pl.DataFrame, period: str = "quarter", *, min_sales: int = MIN_SALES,
                 min_counties: int = MIN_COUNTIES) -> pl.DataFrame:
    """The median price-per-mu index (module docstring)."""
    col = period_column(period)
    data = normalised(df)
    sup = support(data, period, min_sales, min_counties)
    published = sup.filter(~pl.col("suppressed"))["period"].to_list()
    if not published:
        return _frame(sup, {})
    groups = (data.filter(pl.col(col).is_in(published)).group_by(col)
              .agg(pl.col("price_per_mu").sort()).rename({col: "period"}))
    stats = {}
    for p, values in groups.iter_rows():
        v = np.asarray(values, dtype=float)
        stats[p] = (float(np.median(v)), _median_log_se(v))
    m0, se0 = stats[published[0]]
    levels = {}
    for p in published:
        m, se = stats[p]
        if p == published[0]:
            levels[p] = (100.0, 100.0, 100.0)
            continue
        lr, s = math.log(m / m0), math.sqrt(se * se + se0 * se0)
        levels[p] = (100 * math.exp(lr), 100 * math.exp(lr - Z95 * s), 100 * math.exp(lr + Z95 * s))
    return _frame(sup, levels)


def _strata(data: pl.DataFrame) -> pl.Expr:
    parts = []
    for name in ("forest_type", "age_class"):
        parts.append(pl.col(name).cast(pl.String).fill_null("unknown") if name in data.columns else pl.lit("all"))
    if "site_class" in data.columns:
        site = pl.col("site_class")
        parts.append(pl.when(site <= 2).then(pl.lit("good")).when(site == 3).then(pl.lit("middle"))
                     .when(site >= 4).then(pl.lit("poor")).otherwise(pl.lit("unknown")))
    else:
        parts.append(pl.lit("all"))
    return pl.concat_str(parts, separator="|")


def mix_adjusted_index(df: pl.DataFrame, period: str = "quarter", *, min_sales: int = MIN_SALES,
                       min_counties: int = MIN_COUNTIES) -> pl.DataFrame:
    """The stratified, base-area-weighted (Laspeyres) index (module docstring)."""
    col = period_column(period)
    data = normalised(df)
    sup = support(data, period, min_sales, min_counties)
    published = sup.filter(~pl.col("suppressed"))["period"].to_list()
    if not published:
        return _frame(sup, {})
    cells = (data.filter(pl.col(col).is_in(published)).with_columns(stratum=_strata(data))
             .group_by(col, "stratum")
             .agg(mean=pl.col("log_ppm").mean(), ss=((pl.col("log_ppm") - pl.col("log_ppm").mean()) ** 2).sum(),
                  k=pl.len(), area=pl.col("area_mu").sum())
             .rename({col: "period"}))
    dof = int(cells["k"].sum()) - cells.height
    s2 = float(cells["ss"].sum()) / dof if dof > 0 else 0.0
    base = cells.filter(pl.col("period") == published[0]).select("stratum", m0="mean", k0="k", w="area")
    levels = {published[0]: (100.0, 100.0, 100.0)}
    joined = cells.join(base, on="stratum", how="inner")
    for p in published[1:]:
        part = joined.filter(pl.col("period") == p)
        if part.height == 0:
            continue
        w = part["w"].to_numpy() / part["w"].sum()
        rel = np.exp(part["mean"].to_numpy() - part["m0"].to_numpy())
        var_log = s2 * (1 / part["k"].to_numpy() + 1 / part["k0"].to_numpy())
        idx = 100 * float(w @ rel)
        se = 100 * float(np.sqrt(np.sum(w * w * rel * rel * var_log)))
        levels[p] = (idx, idx - Z95 * se, idx + Z95 * se)
    return _frame(sup, levels)
