"""Forest-rights price and cost index models (issue 16): plain Python, no Dash, no storage.

The public entry point is `price_index` (README "Price index models"):

    price_index(transactions, period="quarter", method="hedonic") -> polars.DataFrame

Input columns: date (Date), region_code (Int64, 12-digit), area_mu (Float64), price_yuan (Int64,
the whole deal), forest_type, species, age_class (String), volume_m3_per_mu (Float64), site_class
(Int64, 1–5), term_years (Int64), right_type (String). Only date, region_code, area_mu and
price_yuan are required; missing optional characteristics are tolerated, extra columns ignored.
Bad input raises a ValueError saying what is wrong.

Output: period (String, "2024Q3" or "2024"), index (Float64, first unsuppressed period = 100),
lower, upper (95 % interval), n (Int64 sales), suppressed (Boolean; a suppressed period has null
index and interval).

The models behind it: domain.prices.hedonic.fit_hedonic (the hedonic time-dummy index, with
coefficients, fit statistics and the chained form), domain.prices.simple (median and
mix-adjusted indexes), domain.prices.valuation (the valuation helper) and domain.prices.cost
(the cost index).
"""
from __future__ import annotations

import polars as pl

from domain.prices.schema import normalised, period_column, validate

__all__ = ["METHODS", "OUTPUT_COLUMNS", "index_table", "methods_frame", "price_index"]

METHODS = ("hedonic", "median", "mix_adjusted")
OUTPUT_COLUMNS = ("period", "index", "lower", "upper", "n", "suppressed")


def index_table(data: pl.DataFrame, period: str = "quarter", method: str = "hedonic", **options) -> pl.DataFrame:
    """The full index frame (domain.prices.periods.INDEX_SCHEMA: with chained form, counties and the
    suppression reason) of `method` on already-validated or raw sales."""
    if method not in METHODS:
        raise ValueError(f"unknown method {method!r}: use one of {', '.join(METHODS)}")
    period_column(period)
    if method == "hedonic":
        from domain.prices.hedonic import fit_hedonic

        return fit_hedonic(data, period, **options).index
    from domain.prices.simple import median_index, mix_adjusted_index

    return (median_index if method == "median" else mix_adjusted_index)(data, period, **options)


def price_index(transactions: pl.DataFrame, period: str = "quarter", method: str = "hedonic") -> pl.DataFrame:
    """The price index of forest-rights `transactions` by `period` ("quarter" or "year") with
    `method` ("hedonic", "median" or "mix_adjusted"); see the module docstring."""
    if method not in METHODS:
        raise ValueError(f"unknown method {method!r}: use one of {', '.join(METHODS)}")
    period_column(period)
    data = validate(transactions)
    return index_table(data, period, method).select(OUTPUT_COLUMNS)


def methods_frame(data: pl.DataFrame, period: str = "quarter", *, hedonic: pl.DataFrame | None = None,
                  **options) -> pl.DataFrame:
    """The three methods side by side: period, hedonic, median, mix_adjusted (indexes, each = 100 at
    its first unsuppressed period — the same period for all three, the suppression rule being
    shared), n, suppressed. `hedonic` may pass an index frame already fitted (HedonicFit.index)."""
    data = normalised(data)
    frames = {"hedonic": hedonic if hedonic is not None else index_table(data, period, "hedonic", **options)}
    for method in ("median", "mix_adjusted"):
        frames[method] = index_table(data, period, method, **options)
    out = frames["hedonic"].select("period", hedonic="index", n="n", suppressed="suppressed")
    for method in ("median", "mix_adjusted"):
        out = out.join(frames[method].select("period", pl.col("index").alias(method)), on="period", how="left")
    return out.select("period", "hedonic", "median", "mix_adjusted", "n", "suppressed")
