"""Periods and the thin-market rule shared by every index method.

Every index frame lists each period from the first to the last sale's period, gaps included (a
period with no sale is suppressed with the reason "本期无成交"). A period is published only with at
least `min_sales` sales from at least `min_counties` contributing areas (domain.prices.codes); otherwise
it is suppressed with its Chinese reason, and the models leave its sales out.

The contributing areas are the level below the indexed region, as NCREIF counts contributors: the
counties of a province's or a city's sample, the townships of a sample that lies in one county (a
county's own index is published when its sales come from at least three of its townships). The
frame's `counties` column holds that count.
"""
from __future__ import annotations

import polars as pl

from domain.prices.codes import AREA_WORDS, MIN_COUNTIES, MIN_SALES, suppression_reason
from domain.prices.schema import period_column

__all__ = ["AREA_WORDS", "INDEX_COLUMNS", "INDEX_SCHEMA", "area_key", "area_unit", "period_range", "support"]

INDEX_SCHEMA = {"period": pl.String, "index": pl.Float64, "lower": pl.Float64, "upper": pl.Float64,
                "chained": pl.Float64, "chained_lower": pl.Float64, "chained_upper": pl.Float64,
                "n": pl.Int64, "counties": pl.Int64, "suppressed": pl.Boolean, "reason": pl.String}
INDEX_COLUMNS = tuple(INDEX_SCHEMA)


def area_unit(df: pl.DataFrame) -> str:
    """"county" for a sample of several counties, "township" for a sample inside one county."""
    return "county" if df["county"].n_unique() != 1 else "township"


def area_key(unit: str) -> pl.Expr:
    """The contributing area of each sale (its county, or its township) for `unit`."""
    return pl.col("county") if unit == "county" else pl.col("region_code") // 1000


def period_range(first: str, last: str, period: str) -> list[str]:
    """Every period label from `first` to `last` inclusive ("2016Q3" … or "2016" …)."""
    if period == "year":
        return [str(y) for y in range(int(first), int(last) + 1)]
    fy, fq, ly, lq = int(first[:4]), int(first[-1]), int(last[:4]), int(last[-1])
    return [f"{y}Q{q}" for y in range(fy, ly + 1) for q in range(1, 5) if (y, q) >= (fy, fq) and (y, q) <= (ly, lq)]


def _reason(n: int, counties: int, min_sales: int, min_counties: int, unit: str = "county") -> str | None:
    key = "no_sales" if n == 0 else "few_sales" if n < min_sales else "few_counties" if counties < min_counties else None
    if key is None:
        return None
    return suppression_reason(key, n, counties, min_sales=min_sales, min_counties=min_counties, unit=unit)


def support(df: pl.DataFrame, period: str, min_sales: int = MIN_SALES, min_counties: int = MIN_COUNTIES) -> pl.DataFrame:
    """period, n, counties, suppressed, reason for every period of the normalised frame `df`."""
    col = period_column(period)
    unit = area_unit(df)
    counts = df.group_by(col).agg(n=pl.len(), counties=area_key(unit).n_unique()).rename({col: "period"})
    labels = period_range(df[col].min(), df[col].max(), period)
    frame = pl.DataFrame({"period": labels}).join(counts, on="period", how="left").with_columns(
        pl.col("n").fill_null(0).cast(pl.Int64), pl.col("counties").fill_null(0).cast(pl.Int64))
    reasons = [_reason(n, c, min_sales, min_counties, unit) for n, c in zip(frame["n"].to_list(), frame["counties"].to_list())]
    return frame.with_columns(reason=pl.Series(reasons, dtype=pl.String)).with_columns(
        suppressed=pl.col("reason").is_not_null())
