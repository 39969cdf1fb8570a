"""Synthetic forest-rights sales and forest-management cost observations built from a KNOWN true
index, so the price and cost index models can be checked against the truth.

The sales follow a double-log hedonic law (DOMAIN.md, Chen et al. 2020: stock volume matters most,
then stand age; area does not):

    log(price per mu) = c + 0.55·log(volume per mu) + age + site + forest type + species
                        + right type + 0.20·log(term) + county + log(I_t / 100) + ε,   ε ~ N(0, σ²)

where I_t is the true quarterly index (2016Q1 = 100, about 7.8 % a year with a cycle and a dip).
The mix shifts over time the way Chinese forest-rights markets did: later years sell better sites
and older stands, so the median price per mu rises faster than the true index. The first quarters
are thin (few sales from few counties) so that suppression has something to do, and the energy
forests (能源林) are rare throughout.

Pure functions of a numpy Generator: no storage. `data.demo.prices` writes them to the database.
"""
from __future__ import annotations

import datetime as dt
import math

import numpy as np
import polars as pl

START_YEAR = 2016
END_YEAR = 2025  # inclusive: 40 quarters
SIGMA = 0.22  # the residual standard deviation on the log scale

AGE_KEYS = ("young", "middle", "near_mature", "mature", "over_mature")
AGE_EFFECT = {"young": -0.35, "middle": -0.12, "near_mature": 0.0, "mature": 0.10, "over_mature": 0.06}
AGE_VOLUME = {"young": 1.2, "middle": 3.8, "near_mature": 6.2, "mature": 8.6, "over_mature": 9.2}  # m³/mu, site 3
SITE_EFFECT = {1: 0.30, 2: 0.15, 3: 0.0, 4: -0.14, 5: -0.30}
SITE_VOLUME = {1: 1.35, 2: 1.18, 3: 1.0, 4: 0.84, 5: 0.68}
TYPE_EFFECT = {"timber": 0.0, "economic": 0.25, "protection": -0.45, "special": -0.60, "fuel": -0.30}
TYPE_SHARE = {"timber": 0.56, "economic": 0.22, "protection": 0.14, "special": 0.05, "fuel": 0.03}
RIGHT_EFFECT = {"management": 0.0, "use": 0.08, "contracting": -0.05}
RIGHT_SHARE = {"management": 0.5, "use": 0.3, "contracting": 0.2}
#: species by forest type and province (Jilin 22: northern conifers and broadleaves; Jiangxi 36: fir, pine, bamboo, tea oil)
SPECIES = {
    22: {"timber": {"落叶松": 0.12, "红松": 0.18, "杨树": -0.10}, "economic": {"红松": 0.05, "杨树": -0.20},
         "protection": {"白桦": 0.0, "阔叶混交": 0.02}, "special": {"红松": 0.0, "阔叶混交": 0.0},
         "fuel": {"杨树": 0.0, "白桦": -0.05}},
    36: {"timber": {"杉木": 0.10, "马尾松": -0.05, "湿地松": 0.0}, "economic": {"油茶": 0.08, "毛竹": 0.0, "柑橘": 0.05},
         "protection": {"阔叶混交": 0.0, "樟树": 0.06}, "special": {"樟树": 0.0, "阔叶混交": 0.0},
         "fuel": {"马尾松": 0.0, "阔叶混交": -0.05}},
}
CONSTANT = math.log(1400.0)  # yuan per mu at 1 m³/mu, near-mature, site 3, timber, 30-year term, in 2016Q1


def quarters(start_year: int = START_YEAR, end_year: int = END_YEAR) -> list[str]:
    return [f"{y}Q{q}" for y in range(start_year, end_year + 1) for q in range(1, 5)]


def true_log_index(t_years: np.ndarray) -> np.ndarray:
    """log(I/100) at `t_years` after 2016-01-01: 7.5 % a year, a 4.5-year cycle of ±6 %, a dip in 2020."""
    t = np.asarray(t_years, dtype=float)
    return 0.075 * t + 0.06 * np.sin(2 * np.pi * t / 4.5) - 0.08 * np.exp(-((t - 4.4) / 0.35) ** 2)


def true_index(period: str = "quarter", start_year: int = START_YEAR, end_year: int = END_YEAR) -> pl.DataFrame:
    """The true index by period (first period = 100): a quarter's value at its middle; a year's the
    geometric mean of its four quarters (the sales are spread evenly over the year)."""
    qs = quarters(start_year, end_year)
    mid = np.array([(int(q[:4]) - START_YEAR) + (int(q[-1]) - 0.5) / 4 for q in qs])
    log_i = true_log_index(mid)
    if period == "quarter":
        frame = pl.DataFrame({"period": qs, "log_index": log_i})
    elif period == "year":
        frame = (pl.DataFrame({"period": [q[:4] for q in qs], "log_index": log_i})
                 .group_by("period", maintain_order=True).agg(pl.col("log_index").mean()))
    else:
        raise ValueError(f"unknown period {period!r}")
    base = frame["log_index"][0]
    return frame.select("period", true_index=100 * (pl.col("log_index") - base).exp())


def realised_index(sales: pl.DataFrame, period: str = "quarter", base: str | None = None) -> pl.DataFrame:
    """The truth a time-dummy index of `sales` estimates: per period, exp of the mean true log index
    over that period's actual sale dates (= 100 at `base`, default the first period). For quarters it
    is close to `true_index`; for years it is not — sales rise through each year and 2016's first
    half is nearly empty, so the equal-weight mean of four quarters misses the base year by ~3.5 %."""
    if period not in ("quarter", "year"):
        raise ValueError(f"unknown period {period!r}")
    t = (sales["date"] - dt.date(START_YEAR, 1, 1)).dt.total_days().to_numpy() / 365.25
    label = (pl.col("date").dt.year().cast(pl.String) + "Q" + pl.col("date").dt.quarter().cast(pl.String)
             if period == "quarter" else pl.col("date").dt.year().cast(pl.String))
    g = sales.select(period=label, tl=pl.Series(true_log_index(t))).group_by("period").agg(pl.col("tl").mean()).sort("period")
    b = g["tl"][0] if base is None else g.filter(pl.col("period") == base)["tl"][0]
    return g.select("period", true_index=100 * (pl.col("tl") - b).exp())


def _pick(rng, table: dict, n: int, p=None) -> np.ndarray:
    keys = list(table)
    return np.asarray(keys)[rng.choice(len(keys), n, p=p if p is not None else list(table.values()))]


def synthesise_sales(rng: np.random.Generator, villages: list[int] | np.ndarray, n: int, province: int = 22,
                     start_year: int = START_YEAR, end_year: int = END_YEAR, thin_start: bool = True) -> pl.DataFrame:
    """`n` sales in `villages` (12-digit codes) between `start_year` and `end_year`, in the public
    input schema of `domain.prices.price_index` plus `kind` and `true_log_price_per_mu` (the
    noiseless log price per mu the law gives, for checking valuation intervals)."""
    villages = np.asarray(villages, dtype=np.int64)
    if len(villages) == 0 or n <= 0:
        raise ValueError("need villages and a positive number of sales")
    span = end_year - start_year + 1
    # dates: the market grows over time; the first two quarters are thin and from few counties
    t = span * np.sqrt(rng.random(n)) if span > 1 else rng.random(n)  # density rising linearly
    days = (dt.date(end_year, 12, 31) - dt.date(start_year, 1, 1)).days
    off = np.minimum((t / span * days).astype(np.int64), days)
    first_half = off < 181
    counties = villages // 1_000_000
    if thin_start:
        keep_thin = rng.random(n) < 0.12  # few sales survive in the first half-year …
        early = np.flatnonzero(first_half & ~keep_thin)
        off[early] = rng.integers(181, days + 1, len(early))  # … the rest move later
    v = villages[rng.integers(0, len(villages), n)]
    if thin_start:  # … and those few come from two counties only
        few = np.unique(counties)[:2]
        pool = villages[np.isin(counties, few)]
        idx = np.flatnonzero(off < 181)
        v[idx] = pool[rng.integers(0, len(pool), len(idx))]
    frac = off / max(days, 1)  # 0 … 1 over the span: the mix shift's clock
    # site class: later years sell better sites (probability of 1–2 from 25 % to 55 %)
    site_p = np.stack([np.full(n, 0.10), np.full(n, 0.15), np.full(n, 0.35), np.full(n, 0.25), np.full(n, 0.15)], 1)
    shift = np.array([0.14, 0.16, -0.05, -0.13, -0.12])
    site_p = site_p + frac[:, None] * shift[None, :]
    site_p /= site_p.sum(1, keepdims=True)
    site = 1 + (rng.random(n)[:, None] > np.cumsum(site_p, 1)).sum(1)
    # stand age: later years sell older stands
    age_p = np.stack([np.full(n, 0.22), np.full(n, 0.30), np.full(n, 0.22), np.full(n, 0.18), np.full(n, 0.08)], 1)
    age_shift = np.array([-0.14, -0.10, 0.04, 0.14, 0.06])
    age_p = age_p + frac[:, None] * age_shift[None, :]
    age_p /= age_p.sum(1, keepdims=True)
    age_i = np.minimum((rng.random(n)[:, None] > np.cumsum(age_p, 1)).sum(1), len(AGE_KEYS) - 1)
    age = np.asarray(AGE_KEYS)[age_i]
    ftype = _pick(rng, TYPE_SHARE, n)
    pools = SPECIES.get(province, SPECIES[22])
    species = np.empty(n, dtype=object)
    sp_eff = np.zeros(n)
    for ft, pool in pools.items():
        idx = np.flatnonzero(ftype == ft)
        names = list(pool)
        pick = rng.integers(0, len(names), len(idx))
        species[idx] = np.asarray(names, dtype=object)[pick]
        sp_eff[idx] = np.asarray([pool[s] for s in names])[pick]
    right = _pick(rng, RIGHT_SHARE, n)
    term = np.clip(np.round(rng.lognormal(math.log(30), 0.35, n)), 5, 70).astype(np.int64)
    volume = (np.vectorize(AGE_VOLUME.get)(age) * np.vectorize(SITE_VOLUME.get)(site)
              * rng.lognormal(0, 0.18, n))
    volume = np.round(np.maximum(volume, 0.1), 2)
    area = np.round(np.clip(rng.lognormal(math.log(45), 0.9, n), 1, 5000), 2)
    uc = np.unique(counties)
    county_eff = dict(zip(uc.tolist(), np.random.default_rng(int(uc.sum()) % 2**32).normal(0, 0.15, len(uc)).tolist()))
    c_eff = np.vectorize(county_eff.get)(v // 1_000_000)
    t_years = off / 365.25
    mu = (CONSTANT + 0.55 * np.log(volume) + np.vectorize(AGE_EFFECT.get)(age) + np.vectorize(SITE_EFFECT.get)(site)
          + np.vectorize(TYPE_EFFECT.get)(ftype) + sp_eff + np.vectorize(RIGHT_EFFECT.get)(right)
          + 0.20 * np.log(term / 30) + c_eff + true_log_index(t_years + (start_year - START_YEAR)))
    per_mu = np.exp(mu + rng.normal(0, SIGMA, n))
    price = np.maximum(np.round(per_mu * area), 1).astype(np.int64)
    kind = _pick(rng, {"transfer": 0.7, "lease": 0.2, "mortgage": 0.1}, n)
    start = np.datetime64(dt.date(start_year, 1, 1), "D")
    frame = pl.DataFrame({
        "date": (start + off.astype("timedelta64[D]")),
        "region_code": v, "area_mu": area, "price_yuan": price, "forest_type": ftype.astype(str),
        "species": species.astype(str), "age_class": age.astype(str), "volume_m3_per_mu": volume,
        "site_class": site.astype(np.int64), "term_years": term, "right_type": right.astype(str),
        "kind": kind.astype(str), "true_log_price_per_mu": mu,
    })
    return frame.with_columns(pl.col("date").cast(pl.Date)).sort("date")


# ---------------------------------------------------------------- costs

#: the items' 2016 unit costs (yuan per the item's unit, domain.prices.codes.COST_ITEMS) and yearly drift
COST_BASE = {"planting": 900.0, "tending": 260.0, "protection": 18.0, "harvesting": 95.0, "labour": 140.0,
             "materials": 320.0}
COST_DRIFT = {"planting": 0.045, "tending": 0.05, "protection": 0.03, "harvesting": 0.04, "labour": 0.085,
              "materials": 0.02}


def true_cost_relatives(start_year: int = START_YEAR, end_year: int = END_YEAR) -> pl.DataFrame:
    """Each item's true price relative to `start_year` (= 1) by year."""
    rows = [{"period": str(y), "item": k, "relative": math.exp(d * (y - start_year))}
            for y in range(start_year, end_year + 1) for k, d in COST_DRIFT.items()]
    return pl.DataFrame(rows)


def synthesise_costs(rng: np.random.Generator, counties: list[int] | np.ndarray, per_year: int = 4,
                     start_year: int = START_YEAR, end_year: int = END_YEAR) -> pl.DataFrame:
    """Unit-cost observations: `per_year` per county, item and year, at the item's drifting cost with
    a county level (±10 %) and noise (8 %). Columns: date, region_code, item, unit_cost_yuan."""
    counties = np.asarray(counties, dtype=np.int64)
    level = dict(zip(counties.tolist(), rng.normal(0, 0.10, len(counties)).tolist()))
    out = []
    for y in range(start_year, end_year + 1):
        for item, base in COST_BASE.items():
            c = np.repeat(counties, per_year)
            day = rng.integers(0, 365, len(c))
            cost = base * np.exp(COST_DRIFT[item] * (y - start_year) + np.vectorize(level.get)(c)
                                 + rng.normal(0, 0.08, len(c)))
            out.append(pl.DataFrame({"date": np.datetime64(dt.date(y, 1, 1), "D") + day.astype("timedelta64[D]"),
                                     "region_code": c, "item": item, "unit_cost_yuan": np.round(cost, 2)}))
    return pl.concat(out).with_columns(pl.col("date").cast(pl.Date)).sort("date")
