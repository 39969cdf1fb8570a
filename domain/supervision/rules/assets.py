"""The yearly asset check not filed by 31 March."""
from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

import polars as pl

from .base import Finding, Frames, make_finding, iso_date


def check_annual_check_not_filed(f: Frames, p: Mapping, today: dt.date) -> list[Finding]:
    """Every organisation files the year's asset check by `due_month`/`due_day` of the next year:
    for every year from the first year on record whose deadline has passed, a check filed late
    or not at all."""
    checks = f["annual_checks"]
    orgs = f["orgs"].select("org_id", "region_code")
    last_year = today.year - 1 if today > dt.date(today.year, p["due_month"], p["due_day"]) else today.year - 2
    first_year = int(checks["year"].min()) if checks.height else last_year
    if p.get("first_year"):
        first_year = max(first_year, int(p["first_year"]))
    if last_year < first_year or orgs.is_empty():
        return []
    years = pl.DataFrame({"year": list(range(first_year, last_year + 1))}, schema={"year": pl.Int64})
    grid = (orgs.join(years, how="cross")
            .join(checks.select("org_id", pl.col("year").cast(pl.Int64), "filed_on", pl.col("id").alias("check_id")),
                  on=["org_id", "year"], how="left")
            .with_columns(pl.date(pl.col("year") + 1, p["due_month"], p["due_day"]).alias("due_on"))
            .filter(pl.col("filed_on").is_null() | (pl.col("filed_on") > pl.col("due_on"))))
    out = []
    for r in grid.iter_rows(named=True):
        state = "至今未报送" if r["filed_on"] is None else f"{r['filed_on']}才报送，逾期{(r['filed_on'] - r['due_on']).days}天"
        out.append(make_finding("annual_check_not_filed", r, "org", r["org_id"],
                                f"{r['year']}年度资产清查应于{r['due_on']}前报送，{state}",
                                {"year": r["year"], "due_on": iso_date(r["due_on"]), "filed_on": iso_date(r["filed_on"]),
                                 "annual_check_id": r["check_id"]}, r["year"]))
    return out
