"""The demo's meetings as the platform now keeps them: nobody more due than the roll holds (a
members' or representatives' meeting calls at most the organisation's members; attendance and
votes scaled down with it and kept at the quorum and the pass rule, since every demo resolution
passed), recorded by the demo village's secretary and confirmed by its supervisory chair, as the
generated payment requests are entered by its cashier. One meeting is planted recorded by the
cashier who then cites its resolution for a payment (the `same_person_decision` warning)."""
from __future__ import annotations

import datetime as dt

import polars as pl

from domain import meetings as rules

#: the kinds whose roll is the organisation's members
ON_MEMBER_ROLL = [k for k, v in rules.MEETING_KINDS.items() if v.roll == "members"]


def _lookup(pairs: pl.DataFrame, name: str, fn) -> pl.DataFrame:
    """The distinct rows of `pairs` with `name` = fn(*row) (a domain rule over a few values)."""
    rows = pairs.unique(maintain_order=True)
    return rows.with_columns(pl.Series(name, [fn(*r) for r in rows.iter_rows()], pl.Int64))


def fit_to_roll(frames: dict[str, pl.DataFrame]) -> None:
    """Cap `expected` at the member roll of each organisation (in place in `frames`)."""
    meetings, resolutions = frames["meetings"], frames["resolutions"]
    roll = frames["members"].group_by("org_id").agg(pl.len().cast(pl.Int64).alias("roll"))
    m = meetings.join(roll, on="org_id", how="left").with_columns(
        (pl.col("kind").is_in(ON_MEMBER_ROLL) & (pl.col("expected") > pl.col("roll").fill_null(0))).alias("fit"),
        pl.col("expected").alias("old_expected"), pl.col("attended").alias("old_attended"))
    m = m.with_columns(pl.when("fit").then(pl.col("roll")).otherwise(pl.col("expected")).alias("expected"))
    m = m.with_columns(pl.when("fit").then((pl.col("old_attended") * pl.col("expected") / pl.col("old_expected"))
                                           .round().cast(pl.Int64)).otherwise(pl.col("attended")).alias("attended"))
    quorum = _lookup(m.filter("fit").select("kind", "expected"), "quorum",
                     lambda k, e: rules.MEETING_KINDS[k].quorum.minimum(e))
    m = m.join(quorum, on=["kind", "expected"], how="left").with_columns(
        pl.when("fit").then(pl.min_horizontal(pl.max_horizontal("attended", "quorum"), "expected"))
        .otherwise(pl.col("attended")).alias("attended"))
    fitted = m.filter("fit").select(pl.col("id").alias("meeting_id"), "kind", "expected", "attended", "old_attended")
    needed = _lookup(fitted.select("kind", "expected", "attended"), "needed", rules.votes_needed)
    r = resolutions.join(fitted.join(needed, on=["kind", "expected", "attended"]), on="meeting_id", how="left")
    share = pl.col("attended") / pl.col("old_attended")
    vf = pl.min_horizontal(pl.max_horizontal((pl.col("votes_for") * share).round().cast(pl.Int64), "needed"), "attended")
    r = r.with_columns(pl.when(pl.col("needed").is_not_null()).then(vf).otherwise(pl.col("votes_for")).alias("vf"))
    left = pl.col("attended") - pl.col("vf")
    va = pl.min_horizontal((pl.col("votes_against") * share).round().cast(pl.Int64), left)
    r = r.with_columns(pl.when(pl.col("needed").is_not_null()).then(va).otherwise(pl.col("votes_against")).alias("va"))
    vab = pl.min_horizontal((pl.col("votes_abstain") * share).round().cast(pl.Int64), left - pl.col("va"))
    r = r.with_columns(pl.when(pl.col("needed").is_not_null()).then(vab).otherwise(pl.col("votes_abstain")).alias("vab"))
    frames["meetings"] = m.select(meetings.columns)
    frames["resolutions"] = r.with_columns(votes_for=pl.col("vf"), votes_against=pl.col("va"),
                                           votes_abstain=pl.col("vab")).select(resolutions.columns)


def plant_same_person(frames: dict[str, pl.DataFrame], requests: pl.DataFrame) -> list[int]:
    """Mark the meeting of the first resolution a payment request cites as recorded by the cashier
    (column `recorder`); returns the village index it is in (as the other planted faults)."""
    cited = requests.filter(pl.col("resolution_id").is_not_null()).sort("id")
    meetings = frames["meetings"].with_columns(pl.lit("secretary").alias("recorder"))
    if cited.is_empty():
        frames["meetings"] = meetings
        return []
    rid = int(cited["resolution_id"][0])
    mid = int(frames["resolutions"].filter(pl.col("id") == rid)["meeting_id"][0])
    frames["meetings"] = meetings.with_columns(
        pl.when(pl.col("id") == mid).then(pl.lit("cashier")).otherwise("recorder").alias("recorder"))
    return [int(frames["meetings"].filter(pl.col("id") == mid)["org_id"][0]) - 1]


def with_people(meetings: pl.DataFrame, users: dict[str, int], now: dt.datetime) -> pl.DataFrame:
    """Every meeting confirmed: recorded by `users[recorder]`, confirmed by `users["supervisor"]`
    three days after it was held (never after `now`)."""
    held = pl.col("held_on").cast(pl.Datetime("us", "UTC")) + pl.duration(days=3, hours=2)
    return meetings.with_columns(
        pl.lit("confirmed").alias("status"),
        pl.col("recorder").replace_strict(users, return_dtype=pl.Int64).alias("recorded_by_id"),
        pl.lit(users["supervisor"], pl.Int64).alias("confirmed_by_id"),
        pl.min_horizontal(held, pl.lit(now, pl.Datetime("us", "UTC"))).alias("confirmed_at"),
    ).drop("recorder")
