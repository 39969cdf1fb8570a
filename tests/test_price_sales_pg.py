"""The price samples on PostgreSQL: the demo's sales and costs as generated there (ADBC COPY,
numeric areas), the scoped sample list read through connectorx, the import's preview, and the
transfer-record hook inside a transaction that is rolled back (the session's database is shared,
so nothing is kept)."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from data.db import session_factory
from data.models import CostObservation, CreditRecord, CreditSubject, ForestRight, PriceSale
from data.prices import imports, platform
from data.prices.sales import sales_page
from domain.regions import subtree_bounds
from tests.support.business import actor

pytestmark = pytest.mark.postgres
TODAY = dt.date(2026, 11, 22)


def test_price_sales_pg001_demo_list_preview_and_hook(pg_settings):
    url = pg_settings.database_url
    county = pg_settings.demo_county
    who = actor(pg_settings, "demo-county-forestry")
    page = sales_page(url, who, sort="price_fen", descending=False, limit=50)
    lo, hi = subtree_bounds(county)
    assert page["total"] > 100 and all(lo <= r["region_code"] <= hi for r in page["rows"])
    prices = [r["price_fen"] for r in page["rows"]]
    assert prices == sorted(prices) and isinstance(page["rows"][0]["area_mu"], Decimal)
    village = county + 1001
    header = "地区代码,成交日期,面积（亩）,成交价格（元）,林种"
    p = imports.preview(url, who, "price_sales", "pg.csv", f"{header}\r\n{village},2024-01-02,3.5,9000,防护林\r\n"
                        .encode(), TODAY)
    assert (p["valid_rows"], p["error_count"]) == (1, 0)
    with session_factory(url)() as s, s.begin():
        assert s.scalar(select(func.count()).select_from(CostObservation).where(CostObservation.source == "demo"))
        subject = s.scalar(select(CreditSubject).where(CreditSubject.region_code.between(lo, hi)).limit(1))
        right = ForestRight(subject_id=subject.id, region_code=subject.region_code, unit_code="2" * 28,
                            right_type="use", area_mu=Decimal("12.00"), forest_type="timber", species="落叶松",
                            age_class="middle", stock_m3=Decimal("48.00"), valid_until=dt.date(2044, 1, 1))
        s.add(right)
        s.flush()
        rec = CreditRecord(subject_id=subject.id, region_code=subject.region_code, category="market", kind="transfer",
                           title="流转", occurred_on=dt.date(2024, 1, 2), amount_fen=3_600_000, source="platform",
                           produced_by="县林业局", detail={"right_id": right.id})
        s.add(rec)
        s.flush()
        made = platform.sync_subjects(s, [subject.id])
        assert made["created"] == 1
        sale = s.scalar(select(PriceSale).where(PriceSale.record_id == rec.id))
        assert (sale.volume_m3_per_mu, sale.term_years, sale.price_fen) == (4.0, 20, 3_600_000)
        s.rollback()
