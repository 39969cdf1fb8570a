"""The credit model of `domain.credit.scoring`, vectorised over a whole population with polars.

The same tables (weights, caps, decay, bands), the same integer arithmetic: `evaluate_frame`
gives, subject for subject, the score, grade, unrated flag and factors that `scoring.evaluate`
gives one subject (tests/test_credit_scoring.py compares them on a generated population).

Inputs: `subjects` (subject_id), `records` (id, subject_id, kind, subtype, severity, occurred_on,
publicity_until, status, ended_on) and `repayments` (record_id, due_on, due_fen, paid_on,
paid_fen), dates as polars Date. Output: subject_id, score, grade, unrated, factors (the JSON
text of the factor list, as `Evaluation.factors_json` would be encoded).
"""
from __future__ import annotations

import datetime as dt

import polars as pl

from domain.credit import scoring as m

_CAPS = {p.key: p.cap for p in m.POSITIVE} | {"repay_on_time": m.REPAYMENT_POINTS["on_time_cap"]}
_LONG = {"subject_id": pl.Int64, "key": pl.Utf8, "points": pl.Int64, "record_id": pl.Int64}


def _dates(frame: pl.DataFrame, *names: str) -> pl.DataFrame:
    """Date columns as polars Date (SQLite hands ISO text through some readers)."""
    fixes = [pl.col(n).str.to_date("%Y-%m-%d", strict=False) if frame.schema[n] == pl.Utf8 else pl.col(n).cast(pl.Date)
             for n in names]
    return frame.with_columns(fixes)


def _long(frame: pl.LazyFrame, key, points) -> pl.LazyFrame:
    return frame.select(pl.col("subject_id").cast(pl.Int64), key.alias("key"), points.cast(pl.Int64).alias("points"),
                        pl.col("record_id").cast(pl.Int64))


def _contributions(records: pl.LazyFrame, repayments: pl.LazyFrame, as_of: dt.date) -> pl.LazyFrame:
    """One row per (subject, factor, record) contribution, before caps."""
    live = records.filter((pl.col("status") == "active") & (pl.col("occurred_on") <= as_of)
                          & (pl.col("ended_on").is_null() | (pl.col("ended_on") > as_of))).rename({"id": "record_id"})
    parts = []
    for p in m.POSITIVE:
        rows = live.filter(pl.col("kind").is_in(list(p.kinds)))
        pts = (pl.col("subtype").replace_strict(dict(p.points), default=p.default, return_dtype=pl.Int64)
               .fill_null(p.default) if p.points else pl.lit(p.default))
        parts.append(_long(rows, pl.lit(p.key), pts))
    d = live.filter((pl.col("kind") == "dishonest") & pl.col("publicity_until").is_not_null()
                    & (pl.col("publicity_until") >= as_of))
    sev = pl.when(pl.col("severity").is_in(list(m.SEVERITY_POINTS))).then(pl.col("severity")).otherwise(
        pl.lit(m.DEFAULT_SEVERITY))
    d = d.with_columns(sev.alias("sev")).with_columns(
        pl.col("sev").replace_strict(m.SEVERITY_POINTS, return_dtype=pl.Int64).alias("w"),
        (pl.col("publicity_until") - pl.col("occurred_on")).dt.total_days().clip(lower_bound=1).cast(pl.Int64).alias("span"),
        (pl.lit(as_of) - pl.col("occurred_on")).dt.total_days().cast(pl.Int64).alias("elapsed"))
    num = pl.col("w") * (100 * pl.col("span") - (100 - m.DECAY_FLOOR_PCT) * pl.col("elapsed"))
    den = 100 * pl.col("span")
    parts.append(_long(d, pl.lit("dishonest_") + pl.col("sev"), -((2 * num + den) // (2 * den))))
    loans = live.filter(pl.col("kind") == "loan").select("record_id", "subject_id")
    r = repayments.join(loans, on="record_id", how="inner")
    full = (pl.col("paid_on").is_not_null() & (pl.col("paid_on") <= as_of)
            & (pl.col("paid_fen").fill_null(0) >= pl.col("due_fen")))
    status = (pl.when(full & (pl.col("paid_on") <= pl.col("due_on"))).then(pl.lit("on_time"))
              .when(pl.col("due_on") >= as_of).then(pl.lit("pending"))
              .when(full).then(pl.lit("late")).otherwise(pl.lit("open")))
    r = r.with_columns(status.alias("st"))
    pts = m.REPAYMENT_POINTS
    parts.append(_long(r.filter(pl.col("st") == "on_time"), pl.lit("repay_on_time"), pl.lit(pts["on_time"])))
    parts.append(_long(r.filter(pl.col("st").is_in(["late", "open"])), pl.lit("repay_late"), pl.lit(pts["late"])))
    open_loans = r.filter(pl.col("st") == "open").select("subject_id", "record_id").unique()
    parts.append(_long(open_loans, pl.lit("loan_overdue"), pl.lit(pts["open_loan"])))
    return pl.concat([p.cast(_LONG) for p in parts])


def _history(records: pl.LazyFrame, as_of: dt.date) -> pl.LazyFrame:
    return records.filter(pl.col("kind").is_in(list(m.HISTORY_KINDS)) & (pl.col("occurred_on") <= as_of)
                          & ~pl.col("status").is_in(list(m.NOT_HISTORY_STATUSES))).select(
        pl.col("subject_id").cast(pl.Int64)).unique()


def _grade(score: pl.Expr) -> pl.Expr:
    expr = None
    for grade, lowest in m.GRADES:
        cond = score >= lowest
        expr = pl.when(cond).then(pl.lit(grade)) if expr is None else expr.when(cond).then(pl.lit(grade))
    return expr.otherwise(pl.lit(m.GRADES[-1][0]))


def evaluate_frame(subjects: pl.DataFrame, records: pl.DataFrame, repayments: pl.DataFrame,
                   as_of: dt.date) -> pl.DataFrame:
    """The evaluation of every subject in `subjects` on `as_of` (see the module's docstring)."""
    records = _dates(records.with_columns(pl.col("status").fill_null("active")),
                     "occurred_on", "publicity_until", "ended_on")
    repayments = _dates(repayments, "due_on", "paid_on").lazy()
    records = records.lazy()
    ids = subjects.lazy().select(pl.col("subject_id").cast(pl.Int64)).unique()
    rated = _history(records, as_of).join(ids, on="subject_id", how="semi")
    factors = (_contributions(records, repayments, as_of).join(rated, on="subject_id", how="semi")
               .group_by("subject_id", "key").agg(pl.col("points").sum(), pl.col("record_id").unique().sort()))
    cap = pl.col("key").replace_strict(_CAPS, default=None, return_dtype=pl.Int64)
    factors = factors.with_columns(pl.when(cap.is_null()).then(pl.col("points"))
                                   .otherwise(pl.min_horizontal(pl.col("points"), cap)).alias("points"))
    base = rated.with_columns(pl.lit("base").alias("key"), pl.lit(m.BASE, pl.Int64).alias("points"),
                              pl.lit([], pl.List(pl.Int64)).alias("record_id"))
    columns = ["subject_id", "key", "points", "record_id"]
    factors = pl.concat([base, factors.select(columns)])
    raw = factors.group_by("subject_id").agg(pl.col("points").sum().alias("raw"))
    raw = raw.with_columns(pl.col("raw").clip(m.MIN_SCORE, m.MAX_SCORE).alias("score"))
    clamp = raw.filter(pl.col("score") != pl.col("raw")).select(
        "subject_id", pl.lit("clamp").alias("key"), (pl.col("score") - pl.col("raw")).alias("points"),
        pl.lit([], pl.List(pl.Int64)).alias("record_id"))
    factors = pl.concat([factors, clamp.select(columns)]).with_columns(
        pl.col("key").replace_strict(m.ORDER, return_dtype=pl.Int32).alias("order"),
        pl.col("key").replace_strict(m.LABELS, return_dtype=pl.Utf8).alias("label"))
    encoded = (factors.sort("subject_id", "order").select(
        "subject_id", pl.struct(pl.col("key").alias("factor"), "label", "points", pl.col("record_id").alias("record_ids"))
        .struct.json_encode().alias("j"))
        .group_by("subject_id", maintain_order=True).agg(pl.col("j").str.join(",")))
    out = ids.join(raw.select("subject_id", "score"), on="subject_id", how="left").join(encoded, on="subject_id", how="left")
    return out.select(
        "subject_id", pl.col("score").cast(pl.Int64), _grade(pl.col("score")).alias("grade"),
        pl.col("score").is_null().alias("unrated"),
        pl.when(pl.col("j").is_null()).then(pl.lit("[]")).otherwise(pl.lit("[") + pl.col("j") + pl.lit("]")).alias("factors"),
    ).with_columns(pl.when(pl.col("unrated")).then(None).otherwise(pl.col("grade")).alias("grade")).sort("subject_id").collect()
