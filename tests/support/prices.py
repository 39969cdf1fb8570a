"""Price-index fixtures for tests, written straight through the models (no workflow): an empty
migrated database of the test's own, synthetic sales from the generator with the known truth
(data/demo/price_truth.py) and cost observations, inserted in bulk."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import numpy as np
import polars as pl
from sqlalchemy import insert

from data.db import transaction, upgrade
from data.demo.price_truth import synthesise_costs, synthesise_sales
from data.models.prices import CostObservation, PriceSale
from data.regions import load_region_tree
from domain.permissions import Actor, Scope, role_perms
from tests.support.app import make_settings

PROVINCE = 22


def actor(role: str, root: int, user_id: int | None = None) -> Actor:
    """An actor of `role` sitting at `root` (no user row needed by the price reads)."""
    return Actor(user_id=user_id, username=role, scope=Scope(root=root, perms=role_perms(role), role=role,
                                                            user_id=user_id))


def empty_settings(tmp: Path, url: str | None = None, province: int = PROVINCE):
    """Settings on a database of the test's own: migrated, no rows (the region tree is the shipped file)."""
    settings = make_settings(tmp, url=url or f"sqlite:///{tmp / 'prices.sqlite'}", province=province)
    upgrade(settings.database_url)
    return settings


def counties(province: int = PROVINCE, n: int | None = None) -> list[int]:
    """The province's counties that have villages, in code order (the first `n`)."""
    tree = load_region_tree(province)
    villages = tree.villages()["code"]
    codes = sorted({int(c) // 10**6 * 10**6 for c in villages})
    return codes[:n] if n else codes


def villages(county_codes: list[int], province: int = PROVINCE) -> list[int]:
    tree = load_region_tree(province)
    return [int(c) for county in county_codes for c in tree.villages(county)["code"]]


def sales(seed: int, county_codes: list[int], n: int, province: int = PROVINCE, **kw) -> pl.DataFrame:
    """`n` synthetic sales over the villages of `county_codes` (public input schema + kind, truth)."""
    return synthesise_sales(np.random.default_rng(seed), villages(county_codes, province), n, province=province, **kw)


def write_sales(settings, frame: pl.DataFrame, source: str = "demo") -> int:
    """Insert the generator's rows as PriceSale rows (price in fen, area exact to 0.01 mu); returns the count."""
    rows = [dict(region_code=int(r["region_code"]), deal_on=r["date"], kind=r.get("kind") or "transfer",
                 area_mu=Decimal(str(round(r["area_mu"], 2))), price_fen=int(r["price_yuan"]) * 100,
                 forest_type=r["forest_type"], species=r.get("species"), age_class=r.get("age_class"),
                 volume_m3_per_mu=r.get("volume_m3_per_mu"), site_class=r.get("site_class"),
                 term_years=r.get("term_years"), right_type=r.get("right_type"), source=source, version=1)
            for r in frame.iter_rows(named=True)]
    now = dt.datetime.now(dt.UTC)
    for r in rows:
        r["created_at"] = r["updated_at"] = now
    with transaction(settings.database_url) as s:
        for i in range(0, len(rows), 20_000):
            s.execute(insert(PriceSale), rows[i:i + 20_000])
    return len(rows)


def write_costs(settings, seed: int, county_codes: list[int], per_year: int = 2) -> int:
    frame = synthesise_costs(np.random.default_rng(seed), county_codes, per_year=per_year)
    now = dt.datetime.now(dt.UTC)
    rows = [dict(region_code=int(r["region_code"]), observed_on=r["date"], item=r["item"],
                 unit_cost_fen=int(round(r["unit_cost_yuan"] * 100)), source="demo", version=1, created_at=now,
                 updated_at=now) for r in frame.iter_rows(named=True)]
    with transaction(settings.database_url) as s:
        s.execute(insert(CostObservation), rows)
    return len(rows)
