"""Per-village facts of the business records (organisations, resources, assets, contracts,
overdue instalments, trading, open warnings) as one frame sorted by village code."""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import polars as pl

from domain.regions import VILLAGE
from domain.supervision.lifecycle import UNHANDLED_SQL

FACT_COLUMNS = ("orgs", "resource_count", "resource_area_cmu", "contracted_area_cmu", "asset_count",
                "asset_original_fen", "asset_net_fen", "contracts_active", "contract_amount_fen",
                "instalments_overdue", "overdue_fen", "expiring_90d", "listings", "deals", "deal_fen", "warnings_open")


def fact_queries(today: dt.date) -> dict[str, str]:
    """The SQL of each group of facts, per village (`code`), as of `today`."""
    day = today.isoformat()
    soon = (today + dt.timedelta(days=90)).isoformat()
    return {
        "orgs": "SELECT region_code AS code, COUNT(*) AS orgs FROM collective_orgs GROUP BY region_code",
        "res": "SELECT region_code AS code, COUNT(*) AS resource_count, "
               "CAST(ROUND(SUM(area_mu) * 100) AS BIGINT) AS resource_area_cmu, "
               "CAST(ROUND(SUM(CASE WHEN contracted THEN area_mu ELSE 0 END) * 100) AS BIGINT) AS contracted_area_cmu "
               "FROM resources GROUP BY region_code",
        "assets": "SELECT region_code AS code, COUNT(*) AS asset_count, SUM(original_value_fen) AS asset_original_fen, "
                  "SUM(original_value_fen - accumulated_depreciation_fen) AS asset_net_fen FROM assets "
                  "WHERE status <> 'disposed' GROUP BY region_code",
        "contracts": "SELECT region_code AS code, COUNT(*) AS contracts_active, SUM(amount_fen) AS contract_amount_fen, "
                     f"SUM(CASE WHEN end_on >= '{day}' AND end_on <= '{soon}' THEN 1 ELSE 0 END) AS expiring_90d "
                     "FROM contracts WHERE status = 'active' GROUP BY region_code",
        "overdue": "SELECT region_code AS code, COUNT(*) AS instalments_overdue, "
                   "SUM(amount_fen - received_fen) AS overdue_fen FROM contract_instalments "
                   f"WHERE due_on < '{day}' AND received_fen < amount_fen GROUP BY region_code",
        "trades": "SELECT region_code AS code, COUNT(*) AS listings, "
                  "SUM(CASE WHEN status = 'awarded' THEN 1 ELSE 0 END) AS deals, "
                  "SUM(COALESCE(deal_price_fen, 0)) AS deal_fen FROM trade_listings GROUP BY region_code",
        "warnings": "SELECT region_code AS code, COUNT(*) AS warnings_open FROM warnings "
                    f"WHERE status IN {UNHANDLED_SQL} GROUP BY region_code",
    }


def _columns_of(sql: str) -> list[str]:
    head = sql.split(" FROM ")[0]
    return [c for c in FACT_COLUMNS if f"AS {c}" in head]


def load_facts(read: Callable[[str], pl.DataFrame], tree, today: dt.date) -> pl.DataFrame:
    """Every village of `tree` with its facts (0 where it has none), read with `read`."""
    frame = tree.frame.filter(pl.col("level") == VILLAGE).select("code")
    for sql in fact_queries(today).values():
        part = read(sql)
        if part.height:
            part = part.with_columns(pl.all().cast(pl.Int64))
            frame = frame.join(part, on="code", how="left")
        else:
            frame = frame.with_columns(pl.lit(0, pl.Int64).alias(c) for c in _columns_of(sql))
    return frame.with_columns(pl.col(c).fill_null(0).cast(pl.Int64) for c in FACT_COLUMNS).sort("code")
