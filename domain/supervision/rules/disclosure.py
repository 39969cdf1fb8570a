"""A periodic financial disclosure due and not published (阳光公开, Art. J19)."""
from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

import polars as pl

from domain.disclosure import period_bounds, previous_quarters

from .base import Finding, Frames, make_finding


def _months(quarter: str) -> list[str]:
    first, _ = period_bounds("quarter", quarter)
    return [f"{first.year}{first.month + i:02d}" for i in range(3)]


def disclosure_horizon(p: Mapping, today: dt.date) -> str:
    """The oldest quarter the rule still examines (older warnings are left alone)."""
    return previous_quarters(today, int(p["quarters"]))[-1]


def check_disclosure_overdue(f: Frames, p: Mapping, today: dt.date) -> list[Finding]:
    """Every organisation publishes each quarter's financial disclosure within `grace_days` of the
    quarter's end (a quarter is also covered by published monthly disclosures of its three
    months): for each of the last `quarters` quarters whose deadline has passed, one not published."""
    orgs = f["orgs"].select("org_id", "region_code")
    quarters = [q for q in previous_quarters(today, int(p["quarters"]))
                if period_bounds("quarter", q)[1] + dt.timedelta(days=int(p["grace_days"])) < today]
    if orgs.is_empty() or not quarters:
        return []
    pub = f["disclosures"].filter(pl.col("state") == "published")
    covered_q = pub.filter(pl.col("kind") == "quarter").select("org_id", pl.col("period").alias("quarter"))
    month_of = {m: q for q in quarters for m in _months(q)}
    covered_m = (pub.filter((pl.col("kind") == "month") & pl.col("period").is_in(list(month_of)))
                 .with_columns(pl.col("period").replace_strict(month_of, default=None).alias("quarter"))
                 .group_by("org_id", "quarter").agg(pl.col("period").n_unique().alias("n"))
                 .filter(pl.col("n") >= 3).select("org_id", "quarter"))
    covered = pl.concat([covered_q, covered_m]).unique()
    grid = (orgs.join(pl.DataFrame({"quarter": quarters}), how="cross")
            .join(covered, on=["org_id", "quarter"], how="anti"))
    drafts = (f["disclosures"].filter((pl.col("state") != "published") & (pl.col("kind") == "quarter"))
              .group_by("org_id", pl.col("period").alias("quarter")).agg(pl.col("state").first(), pl.col("id").first()))
    grid = grid.join(drafts, on=["org_id", "quarter"], how="left")
    out = []
    for r in grid.sort("region_code", "quarter").iter_rows(named=True):
        q = r["quarter"]
        due = period_bounds("quarter", q)[1] + dt.timedelta(days=int(p["grace_days"]))
        where = "尚未编制" if r["state"] is None else "已编制但尚未公开"
        out.append(make_finding("disclosure_overdue", r, "org", r["org_id"],
                                f"{q[:4]}年第{q[-1]}季度财务公开应于{due}前公开，{where}（已逾期{(today - due).days}天）",
                                {"quarter": q, "due_on": due.isoformat(), "disclosure_id": r["id"],
                                 "state": r["state"]}, q))
    return out
