"""The public input schema of the price index models, validated and normalised once for every method.

Required columns: ``date`` (Date; a Datetime or an ISO string is accepted), ``region_code``
(integer, 12 digits), ``area_mu`` (> 0), ``price_yuan`` (the whole deal, > 0; integer, float or
Decimal). Optional characteristics: ``forest_type``, ``species``, ``age_class``, ``right_type``
(strings), ``site_class`` (integer 1–5), ``volume_m3_per_mu`` (≥ 0), ``term_years`` (> 0). A missing
optional column is tolerated (the models drop that regressor); nulls inside a present column are
tolerated too (the models give them an "unknown" level or a missing indicator). Extra columns are
ignored. Anything else raises a ValueError that says what is wrong.

`validate` returns the characteristics present plus ``county`` (region_code // 10⁶ · 10⁶),
``period_q`` ("2024Q3"), ``period_y`` ("2024"), ``price_per_mu`` and ``log_ppm`` (its natural log).
"""
from __future__ import annotations

import polars as pl

__all__ = ["CATEGORICAL", "CONTINUOUS", "NORMALISED", "OPTIONAL", "REQUIRED", "is_normalised", "normalised", "period_column",
           "validate"]

REQUIRED = ("date", "region_code", "area_mu", "price_yuan")
CATEGORICAL = ("forest_type", "species", "age_class", "right_type", "site_class")
CONTINUOUS = ("volume_m3_per_mu", "term_years")
OPTIONAL = ("forest_type", "species", "age_class", "volume_m3_per_mu", "site_class", "term_years", "right_type")
_NUMERIC = (pl.Int8, pl.Int16, pl.Int32, pl.Int64, pl.UInt8, pl.UInt16, pl.UInt32, pl.UInt64, pl.Float32, pl.Float64)


NORMALISED = ("county", "period_q", "period_y", "price_per_mu", "log_ppm")


def is_normalised(df: pl.DataFrame) -> bool:
    """True for a frame `validate` returned (its derived columns present with their types)."""
    schema = df.schema
    return (all(c in schema for c in (*REQUIRED, *NORMALISED)) and schema["log_ppm"] == pl.Float64
            and schema["period_q"] == pl.String and schema["date"] == pl.Date and schema["county"] == pl.Int64)


def normalised(df: pl.DataFrame) -> pl.DataFrame:
    """`df` itself when already validated, else `validate(df)`."""
    return df if isinstance(df, pl.DataFrame) and is_normalised(df) else validate(df)


def period_column(period: str) -> str:
    """The normalised frame's column for `period` ("quarter" → period_q, "year" → period_y)."""
    if period == "quarter":
        return "period_q"
    if period == "year":
        return "period_y"
    raise ValueError(f"unknown period {period!r}: use 'quarter' or 'year'")


def _numeric(df: pl.DataFrame, name: str) -> pl.Series:
    s = df[name]
    if isinstance(s.dtype, pl.Decimal) or s.dtype in _NUMERIC or s.dtype == pl.Null:
        return s.cast(pl.Float64)
    if s.dtype == pl.Boolean:
        raise ValueError(f"column {name!r} must be numeric, not Boolean")
    try:
        return s.cast(pl.Float64, strict=True)
    except Exception as exc:
        raise ValueError(f"column {name!r} must be numeric (got {s.dtype})") from exc


def _date(df: pl.DataFrame) -> pl.Series:
    s = df["date"]
    if s.dtype == pl.Date:
        out = s
    elif s.dtype == pl.Null:
        raise ValueError(f"column 'date' has {s.len()} missing values")
    elif isinstance(s.dtype, pl.Datetime):
        out = s.dt.date()
    elif s.dtype == pl.String:
        try:
            out = s.str.to_date(strict=True)
        except Exception as exc:
            raise ValueError("column 'date' has strings that are not ISO dates (YYYY-MM-DD)") from exc
    else:
        raise ValueError(f"column 'date' must be a Date (got {s.dtype})")
    if out.null_count():
        raise ValueError(f"column 'date' has {out.null_count()} missing values")
    return out


def validate(df: pl.DataFrame) -> pl.DataFrame:
    """The normalised sales frame (see the module docstring), or a ValueError naming the problem."""
    if not isinstance(df, pl.DataFrame):
        raise ValueError(f"transactions must be a polars DataFrame (got {type(df).__name__})")
    if df.height == 0:
        raise ValueError("transactions has no rows")
    missing = [c for c in REQUIRED if c not in df.columns]
    if missing:
        raise ValueError(f"transactions lacks the required column(s) {', '.join(missing)}")
    date = _date(df)
    region = _numeric(df, "region_code")
    if region.null_count():
        raise ValueError(f"column 'region_code' has {region.null_count()} missing values")
    bad = region.filter((region < 1e11) | (region >= 1e12) | (region != region.round(0)))
    if bad.len():
        raise ValueError(f"column 'region_code' must hold 12-digit region codes ({bad.len()} do not, e.g. {bad[0]:.0f})")
    cols: dict[str, pl.Series] = {"date": date, "region_code": region.cast(pl.Int64)}
    for name in ("area_mu", "price_yuan"):
        s = _numeric(df, name)
        if s.null_count():
            raise ValueError(f"column {name!r} has {s.null_count()} missing values")
        if s.is_nan().any() or s.is_infinite().any():
            raise ValueError(f"column {name!r} has values that are not finite")
        if (s <= 0).any():
            raise ValueError(f"column {name!r} must be positive ({int((s <= 0).sum())} rows are zero or negative)")
        cols[name] = s
    for name in ("forest_type", "species", "age_class", "right_type"):
        if name in df.columns:
            s = df[name]
            if s.dtype not in (pl.String, pl.Categorical, pl.Enum, pl.Null):
                raise ValueError(f"column {name!r} must be a string code (got {s.dtype})")
            cols[name] = s.cast(pl.String)
    if "site_class" in df.columns:
        s = _numeric(df, "site_class")
        bad = s.drop_nulls()
        bad = bad.filter((bad < 1) | (bad > 5) | (bad != bad.round(0)))
        if bad.len():
            raise ValueError(f"column 'site_class' must be an integer 1–5 ({bad.len()} rows are not)")
        cols["site_class"] = s.cast(pl.Int64)
    if "volume_m3_per_mu" in df.columns:
        s = _numeric(df, "volume_m3_per_mu")
        if (s.drop_nulls() < 0).any() or s.is_infinite().any():
            raise ValueError("column 'volume_m3_per_mu' must be zero or positive")
        cols["volume_m3_per_mu"] = s.fill_nan(None)
    if "term_years" in df.columns:
        s = _numeric(df, "term_years")
        if (s.drop_nulls() <= 0).any() or s.is_infinite().any():
            raise ValueError("column 'term_years' must be positive")
        cols["term_years"] = s.fill_nan(None)
    out = pl.DataFrame(cols)
    return out.with_columns(
        county=(pl.col("region_code") // 1_000_000) * 1_000_000,
        period_q=pl.col("date").dt.year().cast(pl.String) + "Q" + pl.col("date").dt.quarter().cast(pl.String),
        period_y=pl.col("date").dt.year().cast(pl.String),
        price_per_mu=pl.col("price_yuan") / pl.col("area_mu"),
    ).with_columns(log_ppm=pl.col("price_per_mu").log())
