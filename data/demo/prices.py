"""The price samples of the demo (issue 16): forest-rights sales from the generator with the known
true index (data/demo/price_truth.py) over the province's villages, the forest-management cost
observations, and a few of the demo credit population's transfer records linked to a forest right
so that they enter the sample the way the platform's own transfers do (data.prices.platform).

Scales (`PRICE_SCALES`): `test` ~4,000 sales over the test townships' county and at least 20 more
counties (the model needs ≥ 3 counties a period), `demo` ~30,000 over the whole province (a third
in the demo county), `province` ~300,000 (the benchmark). Ten years ending with the last full
year. Written with `data.bulk.ingest` (ADBC; COPY on PostgreSQL).
"""
from __future__ import annotations

import datetime as dt
import math
import time

import numpy as np
import polars as pl
from sqlalchemy import func, select

from data import bulk
from data.db import engine_for, transaction
from data.models import CreditRecord, ForestRight, PriceSale
from data.regions import load_region_tree

from . import price_truth as truth

#: sales, the demo county's share of them, linked transfer records, cost observations per county/item/year
PRICE_SCALES = {"test": (4_000, 0.25, 12, 2), "demo": (30_000, 0.33, 150, 4), "province": (300_000, 0.0, 600, 4)}
TEST_COUNTIES = 24  # besides the demo county


def _villages(tree, scale: str, demo_county: int | None, share: float, rng) -> np.ndarray:
    """The villages sales are drawn from, repeated so that the demo county gets `share` of them."""
    allv = tree.descendants(tree.root, level=5)["code"].sort().to_numpy()
    counties = allv // 1_000_000 * 1_000_000
    if scale == "test":  # every village of the demo county, a handful of villages of 24 other counties
        others = [c for c in np.unique(counties) if c != demo_county][:TEST_COUNTIES]
        picked = [allv[counties == c][:8] for c in others]
        allv = np.concatenate([allv[counties == demo_county], *picked]) if demo_county else np.concatenate(picked)
        counties = allv // 1_000_000 * 1_000_000
    if not share or demo_county is None or not (counties == demo_county).any():
        return allv
    local, rest = allv[counties == demo_county], allv[counties != demo_county]
    reps = max(1, round(share / (1 - share) * len(rest) / len(local)))
    return np.concatenate([rest, np.repeat(local, reps)])


def _window(today: dt.date) -> tuple[int, int]:
    end = min(truth.END_YEAR, today.year - 1) if today.year <= truth.END_YEAR else truth.END_YEAR
    return end - 9, end


def _link_transfers(url: str, n: int, start: int, end: int, seed: int) -> int:
    """Give `n` demo transfer records (in the window, of subjects holding a forest right) a right and
    a price in line with the market, and let the platform hook make their sales."""
    from data.prices.platform import sync_subjects

    rng = np.random.default_rng([seed, 16, 2])
    with transaction(url) as s:
        pairs = s.execute(
            select(CreditRecord.id, func.min(ForestRight.id))
            .join(ForestRight, ForestRight.subject_id == CreditRecord.subject_id)
            .where(CreditRecord.kind == "transfer", CreditRecord.status == "active",
                   CreditRecord.occurred_on.between(dt.date(start, 7, 1), dt.date(end, 12, 31)),
                   ForestRight.area_mu > 0)
            .group_by(CreditRecord.id).order_by(CreditRecord.id).limit(n)).all()
        subjects = set()
        for record_id, right_id in pairs:
            r, right = s.get(CreditRecord, record_id), s.get(ForestRight, right_id)
            t = (r.occurred_on - dt.date(truth.START_YEAR, 1, 1)).days / 365.25
            volume = float(right.stock_m3) / float(right.area_mu) if right.stock_m3 else 3.0
            log_mu = (truth.CONSTANT + 0.55 * math.log(max(volume, 0.1)) + truth.AGE_EFFECT.get(right.age_class, 0.0)
                      + truth.TYPE_EFFECT.get(right.forest_type, 0.0) + float(truth.true_log_index(np.array([t]))[0])
                      + rng.normal(0, truth.SIGMA))
            r.amount_fen = max(100, int(round(math.exp(log_mu) * float(right.area_mu))) * 100)
            r.detail = {**(r.detail or {}), "right_id": right.id}
            subjects.add(r.subject_id)
        s.flush()
        made = sync_subjects(s, subjects)
    return made["created"]


def generate_prices(url: str, province: int, scale: str, today: dt.date, seed: int, demo_county: int | None = None,
                    log=print) -> dict:
    """Adds the price samples of `scale` (the region tree, and for the links the credit population,
    in place). Returns counts and the seconds it took."""
    t0 = time.perf_counter()
    n, share, links, per_year = PRICE_SCALES[scale]
    engine = engine_for(url)
    with engine.connect() as c:
        if c.execute(select(func.count()).select_from(PriceSale)).scalar():
            raise RuntimeError("数据库已有林权成交样本")
    rng = np.random.default_rng([seed, 16])
    tree = load_region_tree(province)
    villages = _villages(tree, scale, demo_county, share, rng)
    start, end = _window(today)
    sales = truth.synthesise_sales(rng, villages, n, province=province, start_year=start, end_year=end)
    now = dt.datetime.combine(today, dt.time(8), dt.UTC)
    frame = sales.select(
        region_code=pl.col("region_code").cast(pl.Int64), deal_on="date", kind="kind",
        area_mu=pl.col("area_mu").round(2).cast(pl.Utf8), price_fen=pl.col("price_yuan") * 100,
        forest_type="forest_type", species="species", age_class="age_class", volume_m3_per_mu="volume_m3_per_mu",
        site_class="site_class", term_years="term_years", right_type="right_type", source=pl.lit("demo"),
        right_id=pl.lit(None, pl.Int64), record_id=pl.lit(None, pl.Int64), import_id=pl.lit(None, pl.Int64))
    bulk.ingest(engine, "price_sales", bulk.add_record_columns(frame, now, provided_by="演示数据生成器",
                                                               responsible_by="县级林业主管部门"))
    counties = np.unique(villages // 1_000_000 * 1_000_000)
    costs = truth.synthesise_costs(rng, counties, per_year=per_year, start_year=start, end_year=end)
    cost_frame = costs.select(
        region_code=pl.col("region_code").cast(pl.Int64), observed_on="date", item="item",
        unit_cost_fen=(pl.col("unit_cost_yuan") * 100).round(0).cast(pl.Int64), source=pl.lit("demo"),
        import_id=pl.lit(None, pl.Int64))
    bulk.ingest(engine, "price_cost_observations", bulk.add_record_columns(
        cost_frame, now, provided_by="演示数据生成器", responsible_by="县级林业主管部门"))
    linked = _link_transfers(url, links, start, end, seed)
    out = dict(sales=frame.height, counties=int(len(counties)), costs=cost_frame.height, platform=linked,
               years=f"{start}–{end}", seconds=round(time.perf_counter() - t0, 2))
    log(f"[prices] {out}")
    return out
