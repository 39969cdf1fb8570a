"""The forest-management cost index: Laspeyres with documented base-period weights, re-based when
the base changes.

Input: cost observations with columns ``date`` (Date), ``region_code`` (12-digit county or finer),
``item`` (a key of domain.prices.codes.COST_ITEMS) and ``unit_cost_yuan`` (> 0; float, integer or
Decimal). Each item's price in a period is the **median** unit cost of the period's observations
(robust to a county's odd quote).

**Weights** (BASE_WEIGHTS): each base year's shares of a typical forest-management budget per mu
over a rotation — planting and its materials up front, tending in the first years, protection
every year, harvesting at the end, and the labour in all of them. They are the platform's
documented assumptions (a survey replaces them when one is done); each set sums to 1. The 2021
set moves weight to labour (wages rose faster than materials) from planting.

**Formula**: within a weight base b (used from year b until the next base year), the index of
period t is  I_b(t) = Σ_i w_bi · p_it / p_i,b  ÷  Σ_i w_bi  × 100  over the items observed in t
and in the base's reference year (p_i,b: the item's median over the reference year, the base year
itself or, if the data start later, the segment's first year with observations); an item missing
in t drops out and the weights are renormalised over the others.

**Re-basing**: when the base changes (b → b′) the series is chained at the new base year so it is
continuous: level(t) = level(b′) · I_b′(t) / 100 for t in the new segment, level(b′) being the old
base's index for year b′. The result is finally re-referenced so that `base_year` (default: the
first published year) = 100. Column ``base_year`` says which weight base each period used.

Thin data: a period with fewer than MIN_SALES observations or from fewer than MIN_COUNTIES counties
is suppressed with a Chinese reason (COST_REASONS), like the price indexes.
"""
from __future__ import annotations

import polars as pl

from domain.prices.codes import COST_ITEMS, MIN_COUNTIES, MIN_SALES
from domain.prices.periods import period_range
from domain.prices.schema import period_column

__all__ = ["BASE_WEIGHTS", "COST_INDEX_SCHEMA", "COST_REASONS", "cost_index", "cost_items", "validate_costs"]

BASE_WEIGHTS: dict[int, dict[str, float]] = {
    2016: {"planting": 0.28, "tending": 0.16, "protection": 0.08, "harvesting": 0.14, "labour": 0.22, "materials": 0.12},
    2021: {"planting": 0.24, "tending": 0.15, "protection": 0.08, "harvesting": 0.14, "labour": 0.28, "materials": 0.11},
}
COST_REASONS = {
    "few_obs": f"本期仅 {{n}} 条成本观测（少于 {MIN_SALES} 条不发布）",
    "few_counties": f"仅 {{counties}} 个县有成本观测（少于 {MIN_COUNTIES} 个县不发布）",
    "no_obs": "本期无成本观测",
}
COST_INDEX_SCHEMA = {"period": pl.String, "index": pl.Float64, "n": pl.Int64, "suppressed": pl.Boolean,
                     "reason": pl.String, "base_year": pl.Int64}
_NUMERIC = (pl.Int8, pl.Int16, pl.Int32, pl.Int64, pl.UInt8, pl.UInt16, pl.UInt32, pl.UInt64, pl.Float32, pl.Float64)


def validate_costs(obs: pl.DataFrame) -> pl.DataFrame:
    """The normalised observations (+ county, period_q, period_y, year) or a ValueError."""
    if not isinstance(obs, pl.DataFrame):
        raise ValueError(f"cost observations must be a polars DataFrame (got {type(obs).__name__})")
    if obs.height == 0:
        raise ValueError("cost observations have no rows")
    missing = [c for c in ("date", "region_code", "item", "unit_cost_yuan") if c not in obs.columns]
    if missing:
        raise ValueError(f"cost observations lack the required column(s) {', '.join(missing)}")
    date = obs["date"]
    if isinstance(date.dtype, pl.Datetime):
        date = date.dt.date()
    elif date.dtype == pl.String:
        try:
            date = date.str.to_date(strict=True)
        except Exception as exc:
            raise ValueError("column 'date' has strings that are not ISO dates (YYYY-MM-DD)") from exc
    elif date.dtype != pl.Date:
        raise ValueError(f"column 'date' must be a Date (got {date.dtype})")
    if date.null_count():
        raise ValueError(f"column 'date' has {date.null_count()} missing values")
    cost = obs["unit_cost_yuan"]
    if not (isinstance(cost.dtype, pl.Decimal) or cost.dtype in _NUMERIC):
        raise ValueError(f"column 'unit_cost_yuan' must be numeric (got {cost.dtype})")
    cost = cost.cast(pl.Float64)
    if cost.null_count() or cost.is_nan().any() or (cost <= 0).any() or cost.is_infinite().any():
        raise ValueError("column 'unit_cost_yuan' must be positive and present in every row")
    item = obs["item"].cast(pl.String)
    unknown = sorted(set(item.drop_nulls().unique().to_list()) - set(COST_ITEMS))
    if item.null_count() or unknown:
        raise ValueError(f"column 'item' has unknown cost items {unknown or [None]}: use {', '.join(COST_ITEMS)}")
    region = obs["region_code"]
    if region.dtype not in _NUMERIC or region.null_count():
        raise ValueError("column 'region_code' must hold 12-digit region codes in every row")
    region = region.cast(pl.Int64)
    if ((region < 10**11) | (region >= 10**12)).any():
        raise ValueError("column 'region_code' must hold 12-digit region codes")
    return pl.DataFrame({"date": date, "region_code": region, "item": item, "unit_cost_yuan": cost}).with_columns(
        county=(pl.col("region_code") // 1_000_000) * 1_000_000,
        period_q=pl.col("date").dt.year().cast(pl.String) + "Q" + pl.col("date").dt.quarter().cast(pl.String),
        period_y=pl.col("date").dt.year().cast(pl.String),
        year=pl.col("date").dt.year().cast(pl.Int64),
    )


def _weight_base(year: int) -> int:
    bases = sorted(BASE_WEIGHTS)
    earlier = [b for b in bases if b <= year]
    return earlier[-1] if earlier else bases[0]


def _laspeyres(prices: dict[str, float], ref: dict[str, float], weights: dict[str, float]) -> float | None:
    items = [i for i in weights if i in prices and i in ref]
    total = sum(weights[i] for i in items)
    if not items or total <= 0:
        return None
    return 100 * sum(weights[i] * prices[i] / ref[i] for i in items) / total


def _reason(n: int, counties: int) -> str | None:
    if n == 0:
        return COST_REASONS["no_obs"]
    if n < MIN_SALES:
        return COST_REASONS["few_obs"].format(n=n)
    if counties < MIN_COUNTIES:
        return COST_REASONS["few_counties"].format(counties=counties)
    return None


def cost_index(obs: pl.DataFrame, period: str = "year", base_year: int | None = None) -> pl.DataFrame:
    """The chained Laspeyres cost index by `period` ("year" or "quarter"), `base_year` = 100
    (module docstring). Columns: period, index, n, suppressed, reason, base_year (the weight base)."""
    col = period_column(period)
    data = validate_costs(obs)
    labels = period_range(data[col].min(), data[col].max(), period)
    counts = {p: (n, c) for p, n, c in data.group_by(col).agg(pl.len(), pl.col("county").n_unique()).iter_rows()}
    medians: dict[str, dict[str, float]] = {}
    for p, item, m in data.group_by(col, "item").agg(pl.col("unit_cost_yuan").median()).iter_rows():
        medians.setdefault(p, {})[item] = m
    annual: dict[int, dict[str, float]] = {}
    for y, item, m in data.group_by("year", "item").agg(pl.col("unit_cost_yuan").median()).iter_rows():
        annual.setdefault(y, {})[item] = m
    years = sorted(annual)
    published = {p for p in labels if _reason(*counts.get(p, (0, 0))) is None}
    # segment references and chain links
    refs: dict[int, int] = {}
    for b in sorted({_weight_base(int(p[:4])) for p in labels}):
        later = [y for y in years if y >= b and _weight_base(y) == b]
        if later:
            refs[b] = b if b in annual else later[0]
    links: dict[int, float] = {}
    prev = None
    for b in sorted(refs):
        if prev is None:
            links[b] = 100.0
        else:
            old = _laspeyres(annual[refs[b]], annual[refs[prev]], BASE_WEIGHTS[prev])
            links[b] = links[prev] * (old if old is not None else 100.0) / 100
        prev = b
    level: dict[str, float] = {}
    for p in labels:
        b = _weight_base(int(p[:4]))
        if p not in published or b not in refs:
            continue
        value = _laspeyres(medians[p], annual[refs[b]], BASE_WEIGHTS[b])
        if value is not None:
            level[p] = links[b] * value / 100
    if base_year is not None:
        ref_periods = [p for p in level if p[:4] == str(int(base_year))]
        if not ref_periods:
            raise ValueError(f"base_year {base_year} has no published cost index (years with data: "
                             f"{', '.join(sorted({p[:4] for p in level})) or 'none'})")
    else:
        ref_periods = [p for p in labels if p in level][:1] if period == "year" else \
            [p for p in level if p[:4] == next(iter(level), "")[:4]]
    scale = sum(level[p] for p in ref_periods) / len(ref_periods) if ref_periods else 1.0
    rows = []
    for p in labels:
        n, c = counts.get(p, (0, 0))
        reason = _reason(n, c)
        if p in level:
            rows.append((p, 100 * level[p] / scale, n, False, None, _weight_base(int(p[:4]))))
        else:
            rows.append((p, None, n, True, reason or "本期成本项目与基期无可比观测", _weight_base(int(p[:4]))))
    return pl.DataFrame(rows, schema=COST_INDEX_SCHEMA, orient="row")


def cost_items(obs: pl.DataFrame, period: str = "year") -> pl.DataFrame:
    """Per item and period: label, unit, the median unit cost (yuan), observations and the relative
    to the item's first period (= 100) — the page's items table."""
    col = period_column(period)
    data = validate_costs(obs)
    frame = (data.group_by(col, "item").agg(unit_cost_yuan=pl.col("unit_cost_yuan").median(), n=pl.len().cast(pl.Int64))
             .rename({col: "period"}).sort("item", "period"))
    frame = frame.with_columns(relative=100 * pl.col("unit_cost_yuan") / pl.col("unit_cost_yuan").first().over("item"))
    return frame.with_columns(
        label=pl.col("item").replace_strict({k: v[0] for k, v in COST_ITEMS.items()}, return_dtype=pl.String),
        unit=pl.col("item").replace_strict({k: v[1] for k, v in COST_ITEMS.items()}, return_dtype=pl.String),
    ).select("period", "item", "label", "unit", "unit_cost_yuan", "n", "relative")
