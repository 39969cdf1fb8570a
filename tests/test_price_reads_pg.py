"""The price models' reads on PostgreSQL (connectorx reads, the token's timestamps, numeric areas):
the same scope, shapes, cache and refusals as on SQLite (tests/test_price_reads.py has the full set).
The sales are the test's own (a database of its own on the session's server); the session's demo
database (`pg_settings`) is only read."""
from __future__ import annotations

from decimal import Decimal

import polars as pl
import pytest
from sqlalchemy import func, select, text

from data.db import engine_for, transaction
from data.models.prices import PriceSale
from data.prices import frames, index as ix, valuation as va
from domain.permissions import OutOfScope
from tests.support.prices import actor, counties, empty_settings, sales, write_costs, write_sales

pytestmark = pytest.mark.postgres

COUNTIES = counties(n=20)
HOME, OTHER = COUNTIES[0], COUNTIES[1]
ROOT = 22 * 10**10


@pytest.fixture(scope="module")
def pg(postgres_server, tmp_path_factory):
    s = empty_settings(tmp_path_factory.mktemp("pg-prices"), postgres_server.create_database("price_reads"))
    frame = sales(21, COUNTIES, 3000)
    write_sales(s, frame)
    write_costs(s, 22, COUNTIES[:8])
    return s, frame


def test_price_reads_pg001_frames_scope_and_types(pg):
    s, truth = pg
    url = s.database_url
    everything = frames.sales_frame(url, actor("bank_user", ROOT))
    assert everything.height == truth.height
    assert everything.schema["date"] == pl.Date and everything.schema["area_mu"] == pl.Float64
    assert everything.schema["price_yuan"] == pl.Int64 and everything.schema["site_class"] == pl.Int64
    assert sorted(everything["area_mu"].to_list()) == sorted(truth["area_mu"].to_list())
    assert everything["date"].max() == truth["date"].max()
    local = actor("county_forestry", HOME)
    mine = frames.sales_frame(url, local)
    with transaction(url) as session:
        n = session.execute(select(func.count()).select_from(PriceSale)
                            .where(PriceSale.region_code.between(HOME, HOME + 10**6 - 1))).scalar()
    assert mine.height == n > 0
    with pytest.raises(OutOfScope):
        frames.sales_frame(url, local, region=OTHER)
    costs = frames.cost_frame(url, local)
    assert costs.height == 6 * 10 * 2 and costs.schema["unit_cost_fen"] == pl.Int64


def test_price_reads_pg002_index_view_cached_until_a_new_sale(pg):
    s, truth = pg
    url = s.database_url
    bank = actor("bank_user", ROOT)
    v = ix.index_view(url, bank)
    assert int(v["table"]["n"].sum()) == truth.height and v["note"] is None
    assert v["table"].filter(~pl.col("suppressed"))["index"][0] == pytest.approx(100.0)
    builds = ix._FITS.builds
    assert ix.index_view(url, bank)["table"].equals(v["table"]) and ix._FITS.builds == builds
    tok = frames.token(url)
    write_sales(s, sales(23, COUNTIES, 1))
    assert frames.token(url) != tok
    assert int(ix.index_view(url, bank)["table"]["n"].sum()) == truth.height + 1 and ix._FITS.builds == builds + 1
    with pytest.raises(OutOfScope):
        ix.index_view(url, actor("county_forestry", HOME), region=OTHER)
    c = ix.cost_view(url, bank)
    assert c["table"].height and c["table"]["period"][0] == "2016"


def test_price_reads_pg003_valuate(pg):
    s, _ = pg
    v = va.valuate(s.database_url, actor("bank_user", ROOT),
                   {"area_mu": "20", "forest_type": "timber", "volume": "5.5", "region_code": str(HOME + 1001)})
    assert v["available"] and v["lower_total_yuan"] < v["total_yuan"] < v["upper_total_yuan"]
    assert v["parcel"]["area_mu"] == Decimal("20.00")


def test_price_reads_pg004_the_session_demo_database_reads(pg_settings):
    """Whatever sales the demo wrote, the scoped read agrees with a direct count and the view answers."""
    url = pg_settings.database_url
    county = pg_settings.demo_county
    with engine_for(url).connect() as c:
        n = c.execute(text("SELECT COUNT(*) FROM price_sales WHERE region_code BETWEEN :lo AND :hi"),
                      {"lo": county, "hi": county + 10**6 - 1}).scalar()
    local = actor("county_forestry", county)
    assert frames.sales_frame(url, local).height == n
    v = ix.index_view(url, local, period="year")
    assert int(v["table"]["n"].sum()) == n and (v["note"] is not None or not v["table"]["suppressed"].all())
