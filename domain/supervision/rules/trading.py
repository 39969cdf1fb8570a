"""Trading rules: deals far below the reserve price or the region's going rate."""
from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

import polars as pl

from .base import Finding, Frames, make_finding, yuan


def check_price_below_reserve(f: Frames, p: Mapping, today: dt.date) -> list[Finding]:
    """An awarded deal below `percent`% of the listing's reserve price (exact integer test)."""
    pct = int(p["percent"])
    rows = f["listings"].filter((pl.col("status") == "awarded") & pl.col("deal_price_fen").is_not_null()
                                & (pl.col("deal_price_fen") * 100 < pl.col("reserve_price_fen") * pct))
    return [make_finding("price_below_reserve", r, "listing", r["id"],
                         f"“{r['title']}”成交价{yuan(r['deal_price_fen'])}，仅为底价{yuan(r['reserve_price_fen'])}的"
                         f"{r['deal_price_fen'] * 100 // r['reserve_price_fen']}%",
                         {"listing_id": r["id"], "deal_price_fen": r["deal_price_fen"],
                          "reserve_price_fen": r["reserve_price_fen"], "percent": pct})
            for r in rows.iter_rows(named=True)]


def lease_rates(leases: pl.DataFrame) -> pl.DataFrame:
    """Yearly rent per mu (fen, integer) of lease contracts on resources, with the county's lower
    median for the same resource type and the number of such leases in the county."""
    rows = (leases.filter(pl.col("kind").is_in(["lease", "contracting"]) & (pl.col("direction") == "income")
                          & (pl.col("status") != "terminated") & (pl.col("area_cmu") > 0))
            .with_columns(((pl.col("end_on") - pl.col("start_on")).dt.total_days() + 1).alias("days"))
            .filter(pl.col("days") > 0)
            .with_columns((pl.col("amount_fen") * 365 // pl.col("days")).alias("yearly_fen"),
                          (pl.col("region_code") // 1_000_000 * 1_000_000).alias("county"))
            .with_columns((pl.col("yearly_fen") * 100 // pl.col("area_cmu")).alias("per_mu_fen")))
    peers = rows.group_by("county", "resource_type").agg(
        pl.col("per_mu_fen").quantile(0.5, "lower").cast(pl.Int64).alias("median_fen"), pl.len().alias("peers"))
    return rows.join(peers, on=["county", "resource_type"])


def check_price_below_going_rate(f: Frames, p: Mapping, today: dt.date) -> list[Finding]:
    """A lease whose yearly rent per mu is below `percent`% of the county's median for the same
    resource type (at least `min_peers` leases to compare with)."""
    pct = int(p["percent"])
    rows = lease_rates(f["leases"]).filter((pl.col("peers") >= p["min_peers"])
                                           & (pl.col("per_mu_fen") * 100 < pl.col("median_fen") * pct))
    return [make_finding("price_below_going_rate", r, "contract", r["id"],
                         f"合同{r['number']}{r['resource_type']}年租金每亩{yuan(r['per_mu_fen'])}，"
                         f"低于本县同类中位数{yuan(r['median_fen'])}的{pct}%",
                         {"contract_id": r["id"], "per_mu_fen": r["per_mu_fen"], "median_fen": r["median_fen"],
                          "peers": r["peers"], "resource_type": r["resource_type"], "area_cmu": r["area_cmu"],
                          "yearly_fen": r["yearly_fen"], "percent": pct})
            for r in rows.iter_rows(named=True)]
