"""Helpers for the price model tests: villages in made-up counties, generated sales, and the known
truth of the generator (data/demo/price_truth.py) as the estimand of a time-dummy index.

A time-dummy index estimates, for each period, exp of the mean true log level over the period's
sales. For quarters that is the generator's `true_index` (its mid-quarter value) up to a rounding
the tests tolerate; for years it is not: `true_index("year")` is the equal-weight mean of the four
quarters, while the generator's first year has almost no sales in its first half (the thin start)
and the market grows within every year, so the sales sit later in the year than the equal-weight
mean assumes (about 3.5 % on the 2016 base, which shifts every later year). `sales_truth` computes
the estimand from the sales' own dates with the generator's `true_log_index`.
"""
from __future__ import annotations


import numpy as np
import polars as pl

from data.demo.price_truth import realised_index, synthesise_sales, true_index


def villages(counties: int, province: int = 22, per_county: int = 12) -> list[int]:
    """12-digit village codes: `per_county` villages in each of `counties` counties of `province`."""
    out = []
    for c in range(counties):
        city, county = c // 9 + 1, c % 9 + 1
        for v in range(per_county):
            out.append(province * 10**10 + city * 10**8 + county * 10**6 + (v // 4 + 1) * 1000 + v % 4 + 1)
    return out


def sales(seed: int = 0, n: int = 20_000, counties: int = 29, **kw) -> pl.DataFrame:
    return synthesise_sales(np.random.default_rng(seed), villages(counties, kw.pop("province", 22)), n, **kw)


def sales_truth(df: pl.DataFrame, period: str, base: str) -> pl.DataFrame:
    """period, true (= 100 at `base`): exp of the mean true log index over each period's sales
    (data.demo.price_truth.realised_index)."""
    return realised_index(df, period, base).rename({"true_index": "true"})


def generator_truth(period: str, base: str) -> pl.DataFrame:
    """The generator's own `true_index`, rebased to `base` = 100."""
    t = true_index(period)
    b = t.filter(pl.col("period") == base)["true_index"][0]
    return t.select("period", true=100 * pl.col("true_index") / b)


def covered(index: pl.DataFrame, truth: pl.DataFrame) -> tuple[int, int]:
    """(periods whose interval covers the truth, published periods)."""
    j = index.filter(~pl.col("suppressed")).join(truth, on="period")
    return int(((j["lower"] <= j["true"]) & (j["true"] <= j["upper"])).sum()), j.height
