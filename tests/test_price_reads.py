"""The price models' scoped, cached reads (data/prices/frames.py, index.py, valuation.py) on SQLite:
scope and refusals, the shapes the pages read, the cache (token, scope in the key, single flight,
bound), thin data, the valuation helper's input. The data is the test's own (an empty migrated
database filled from the generator with the known truth, tests/support/prices.py)."""
from __future__ import annotations

import datetime as dt
import threading
from decimal import Decimal

import numpy as np
import polars as pl
import pytest
from hypothesis import given, settings, strategies as st
from sqlalchemy import delete, func, select, update

from data.db import transaction
from data.demo.price_truth import synthesise_sales
from data.models.prices import PriceSale
from data.prices import frames, index as ix, valuation as va
from data.prices.cache import Memo
from domain.permissions import REFUSAL_SINKS, OutOfScope, PermissionDenied
from domain.prices.codes import FOREST_TYPES, MIN_COUNTIES, MIN_SALES
from tests.support.prices import actor, counties, empty_settings, sales, write_costs, write_sales

COUNTIES = counties(n=24)
HOME, OTHER = COUNTIES[0], COUNTIES[1]
LONE_TOWN = HOME + 998_000  # a township of HOME whose 400 sales are all its own (five villages)
PROVINCE_ROOT = 22 * 10**10


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    """4,000 sales over 24 counties, 600 more in HOME (enough for a county's own valuation model),
    and cost observations of 10 counties (read-only for the tests)."""
    s = empty_settings(tmp_path_factory.mktemp("price-reads"))
    lone = synthesise_sales(np.random.default_rng(19), [LONE_TOWN + k for k in range(1, 6)], 400, thin_start=False)
    frame = pl.concat([sales(16, COUNTIES, 4000), sales(18, [HOME], 600, thin_start=False), lone], how="diagonal_relaxed")
    write_sales(s, frame)
    write_costs(s, 17, COUNTIES[:10])
    ix.clear()
    va.clear()
    return s, frame


def _count(url, lo=None, hi=None, **where) -> int:
    q = select(func.count()).select_from(PriceSale)
    if lo is not None:
        q = q.where(PriceSale.region_code.between(lo, hi))
    for k, v in where.items():
        q = q.where(getattr(PriceSale, k) == v)
    with transaction(url) as s:
        return s.execute(q).scalar()


@pytest.fixture
def refusals():
    seen: list = []
    REFUSAL_SINKS.append(lambda scope, action, reason: seen.append((action, reason)) or True)
    yield seen
    REFUSAL_SINKS.pop()


# ---------------------------------------------------------------- frames and scope

def test_price_reads001_sales_frame_is_the_public_schema_inside_the_scope(world):
    s, truth = world
    url = s.database_url
    bank = actor("bank_user", PROVINCE_ROOT)
    everything = frames.sales_frame(url, bank)
    assert everything.height == truth.height == _count(url)
    assert list(everything.columns[:1]) == ["id"] and set(frames.SALES_COLUMNS) <= set(everything.columns)
    assert everything.schema["date"] == pl.Date and everything.schema["region_code"] == pl.Int64
    assert everything.schema["price_yuan"] == pl.Int64 and everything.schema["area_mu"] == pl.Float64
    assert (everything["price_yuan"] * 100 == everything["price_fen"]).all()
    assert sorted(everything["price_yuan"].to_list()) == sorted(truth["price_yuan"].to_list())
    local = actor("county_forestry", HOME)
    mine = frames.sales_frame(url, local)
    assert mine.height == _count(url, HOME, HOME + 10**6 - 1) > 0
    assert ((mine["region_code"] >= HOME) & (mine["region_code"] < HOME + 10**6)).all()
    fuel = frames.sales_frame(url, bank, forest_type="fuel")
    assert fuel.height == _count(url, forest_type="fuel") > 0 and set(fuel["forest_type"]) == {"fuel"}
    town = int(mine["region_code"][0]) // 1000 * 1000  # a township inside the county
    assert frames.sales_frame(url, local, region=town).height == _count(url, town, town + 999)


def test_price_reads016_the_bulk_read_gives_the_same_frame(world, monkeypatch):
    s, _ = world
    bank = actor("bank_user", PROVINCE_ROOT)
    small = frames.sales_frame(s.database_url, bank)
    monkeypatch.setattr(frames, "BULK_ROWS", 0)  # connectorx, on SQLite in a child process
    bulk = frames.sales_frame(s.database_url, bank)
    assert bulk.schema == small.schema and bulk.equals(small)


def test_price_reads002_another_countys_region_is_refused_and_nothing_is_read(world, refusals, monkeypatch):
    s, _ = world
    url = s.database_url
    local = actor("county_forestry", HOME)
    reads: list = []
    real = frames.read_sql
    monkeypatch.setattr(frames, "read_sql", lambda *a: reads.append(a) or real(*a))
    for call in (lambda: frames.sales_frame(url, local, region=OTHER),
                 lambda: frames.cost_frame(url, local, region=OTHER),
                 lambda: ix.index_view(url, local, region=OTHER),
                 lambda: ix.index_view(url, local, region=PROVINCE_ROOT, period="year"),
                 lambda: ix.cost_view(url, local, region=OTHER),
                 lambda: va.valuate(url, local, {"area_mu": "10", "forest_type": "timber"}, region=OTHER),
                 lambda: va.valuate(url, local, {"area_mu": "10", "forest_type": "timber", "region_code": OTHER + 1001})):
        with pytest.raises(OutOfScope):
            call()
    assert reads == []
    assert len(refusals) == 7 and all("不在您的管辖范围内" in r for _, r in refusals)
    # a role without the action: refused whatever the region
    for role, root in (("village_secretary", HOME + 1001), ("law_enforcement", HOME), ("member", HOME + 1001)):
        with pytest.raises(PermissionDenied):
            ix.index_view(url, actor(role, root))
    with pytest.raises(PermissionDenied):  # index viewers who are not valuers (statistics roles)
        va.valuate(url, actor("county_admin", HOME), {"area_mu": "10", "forest_type": "timber"})
    with pytest.raises(PermissionDenied):
        ix.regions(url, actor("township_head", HOME + 1000))
    assert reads == []


# ---------------------------------------------------------------- the index view

def test_price_reads003_index_view_has_the_agreed_shape(world):
    s, truth = world
    url = s.database_url
    v = ix.index_view(url, actor("forestry_bureau", PROVINCE_ROOT))
    assert {"table", "methods", "coefficients", "fit", "region", "forest_type", "period", "as_of"} <= set(v)
    assert v["region"] == PROVINCE_ROOT and v["region_name"] == "吉林省" and v["forest_type"] is None
    assert v["period"] == "quarter" and v["as_of"] == truth["date"].max() and v["note"] is None
    t = v["table"]
    assert t.columns[:11] == list(ix.INDEX_SCHEMA) and t.schema["n"] == pl.Int64 and t.schema["suppressed"] == pl.Boolean
    assert int(t["n"].sum()) == truth.height  # every sale counted in its period
    published = t.filter(~pl.col("suppressed"))
    assert published["index"][0] == pytest.approx(100.0)
    assert (published["lower"] <= published["index"]).all() and (published["index"] <= published["upper"]).all()
    thin = t.filter(pl.col("suppressed"))
    assert thin.height >= 1 and thin["index"].is_null().all() and thin["reason"].is_not_null().all()
    assert ((thin["n"] < MIN_SALES) | (thin["counties"] < MIN_COUNTIES)).all()
    m = v["methods"]
    assert m.columns == ["period", "hedonic", "median", "mix_adjusted", "n", "suppressed"]
    assert m["period"].to_list() == t["period"].to_list()
    assert {"r2", "adj_r2", "n", "cov_type", "suppressed", "min_sales", "min_counties"} <= set(v["fit"])
    assert v["fit"]["suppressed"] == thin.height and 0 < v["fit"]["r2"] < 1 and v["fit"]["n"] <= truth.height
    assert {"term", "label", "coef", "se", "t", "p"} <= set(v["coefficients"].columns) and v["coefficients"].height
    year = ix.index_view(url, actor("forestry_bureau", PROVINCE_ROOT), period="year", method="median")
    assert year["table"]["period"].to_list()[:2] == ["2016", "2017"] and year["method"] == "median"
    assert year["table"]["index"].to_list() == year["methods"]["median"].to_list()
    for bad in (dict(period="month"), dict(method="mean"), dict(forest_type="bamboo")):
        with pytest.raises(ValueError):
            ix.index_view(url, actor("forestry_bureau", PROVINCE_ROOT), **bad)


def test_price_reads004_a_county_and_a_forest_type_fit_their_own_sales(world):
    s, _ = world
    url = s.database_url
    local = ix.index_view(url, actor("county_forestry", HOME))
    assert local["region"] == HOME and local["fit"]["sales"] == _count(url, HOME, HOME + 10**6 - 1)
    # inside one county the thin-market rule counts townships (the level below the region)
    assert local["fit"]["area"] == "乡镇"
    sales = frames.sales_frame(url, actor("county_forestry", HOME), region=HOME).with_columns(
        period=pl.col("date").dt.year().cast(pl.String) + "Q" + pl.col("date").dt.quarter().cast(pl.String))
    want = sales.group_by("period").agg(n=pl.len(), towns=(pl.col("region_code") // 1000).n_unique())
    t = local["table"].join(want, on="period", how="left").with_columns(pl.col("n_right").fill_null(0),
                                                                        pl.col("towns").fill_null(0))
    assert (t["counties"] == t["towns"]).all() and (t["n"] == t["n_right"]).all()
    rule = (t["n"] < ix.MIN_SALES) | (t["towns"] < ix.MIN_COUNTIES)
    assert (t["suppressed"] == rule).all()
    assert t.filter(pl.col("suppressed"))["reason"].str.contains("个乡镇|宗成交|无成交").all()
    if t["suppressed"].all():  # nothing publishable: nothing fitted, said in Chinese, no exception
        assert local["fit"]["n"] == 0 and local["note"] == ix.ALL_SUPPRESSED
    city = HOME // 10**8 * 10**8
    mine = ix.index_view(url, actor("city_admin", city), period="year")  # a city's statistics role
    assert mine["region"] == city and mine["fit"]["sales"] == _count(url, city, city + 10**8 - 1)
    with pytest.raises(OutOfScope):
        ix.index_view(url, actor("city_admin", city), region=city + 10**8)
    timber = ix.index_view(url, actor("bank_user", PROVINCE_ROOT), forest_type="timber", period="year")
    assert int(timber["table"]["n"].sum()) == _count(url, forest_type="timber") and timber["forest_type"] == "timber"


def test_price_reads005_thin_and_empty_samples_never_raise(tmp_path):
    s = empty_settings(tmp_path)
    url = s.database_url
    bank = actor("bank_user", PROVINCE_ROOT)
    empty = ix.index_view(url, bank)
    assert empty["table"].height == 0 and empty["note"] == ix.NO_SALES and empty["as_of"] is None
    assert empty["methods"].height == 0 and empty["fit"]["n"] == 0
    assert va.valuate(url, bank, {"area_mu": "10", "forest_type": "timber"})["available"] is False
    assert ix.cost_view(url, bank)["note"] and ix.cost_view(url, bank)["table"].height == 0
    write_sales(s, sales(3, COUNTIES[:2], 30, thin_start=False))
    thin = ix.index_view(url, bank, period="year")
    assert thin["table"].height > 0 and thin["table"]["suppressed"].all() and thin["note"] == ix.ALL_SUPPRESSED
    assert thin["table"]["index"].is_null().all() and thin["table"]["reason"].is_not_null().all()


# ---------------------------------------------------------------- the cache

def test_price_reads006_cached_until_the_data_changes(tmp_path, monkeypatch):
    s = empty_settings(tmp_path)
    url = s.database_url
    write_sales(s, sales(5, COUNTIES, 1500))
    bank = actor("bank_user", PROVINCE_ROOT)
    before = frames.token(url)
    first = ix.index_view(url, bank)
    builds = ix._FITS.builds
    again = ix.index_view(url, bank)
    assert ix._FITS.builds == builds and again["table"].equals(first["table"])  # a hit: nothing refitted
    write_sales(s, sales(6, COUNTIES, 1))  # a new sale
    assert frames.token(url) != before
    third = ix.index_view(url, bank)
    assert ix._FITS.builds == builds + 1
    assert int(third["table"]["n"].sum()) == int(first["table"]["n"].sum()) + 1
    # an update of a price (no new row) changes the token too; the caches see it within
    # UPDATE_CHECK_S seconds (the latest updated_at is a scan), at once after the writer's invalidate
    monkeypatch.setattr(frames, "UPDATE_CHECK_S", 3600.0)
    ix.index_view(url, bank)
    tok = frames.token(url)
    with transaction(url) as session:
        sid = session.execute(select(func.max(PriceSale.id))).scalar()
        session.execute(update(PriceSale).where(PriceSale.id == sid).values(
            price_fen=PriceSale.price_fen * 2, updated_at=dt.datetime.now(dt.UTC) + dt.timedelta(seconds=1)))
    assert frames.token(url) != tok
    ix.index_view(url, bank)
    assert ix._FITS.builds == builds + 1  # not yet: the update time is reused for UPDATE_CHECK_S
    frames.invalidate(url)
    ix.index_view(url, bank)
    assert ix._FITS.builds == builds + 2
    monkeypatch.setattr(frames, "UPDATE_CHECK_S", 0.0)
    with transaction(url) as session:
        session.execute(update(PriceSale).where(PriceSale.id == sid).values(
            price_fen=PriceSale.price_fen + 100, updated_at=dt.datetime.now(dt.UTC) + dt.timedelta(seconds=2)))
    ix.index_view(url, bank)
    assert ix._FITS.builds == builds + 3  # the check is due: seen without an invalidate
    tok = frames.token(url)
    with transaction(url) as session:
        session.execute(delete(PriceSale).where(PriceSale.id == sid))
    assert frames.token(url) != tok
    assert int(ix.index_view(url, bank)["table"]["n"].sum()) == int(first["table"]["n"].sum())
    # the valuation model follows the same token
    v1 = va.valuate(url, bank, {"area_mu": "10", "forest_type": "timber"})
    write_sales(s, sales(7, COUNTIES, 1))
    assert va.valuate(url, bank, {"area_mu": "10", "forest_type": "timber"})["n"] == v1["n"] + 1


def test_price_reads007_cache_keys_include_the_scope(world):
    s, _ = world
    url = s.database_url
    bank, local = actor("bank_user", PROVINCE_ROOT), actor("county_forestry", HOME)
    a, b = ix.index_view(url, bank), ix.index_view(url, local)
    assert a["fit"]["sales"] > b["fit"]["sales"] and a["region"] != b["region"]
    keys = [k for k in ix._ANSWERS._values if k[0] == url]
    assert {bank.scope.cache_key(), local.scope.cache_key()} <= {k[1] for k in keys}
    # the bank asking for the county: the same rows, but its own answer entry (not the official's)
    c = ix.index_view(url, bank, region=HOME)
    assert c["fit"]["sales"] == b["fit"]["sales"]
    mine = [k for k in ix._ANSWERS._values if k[0] == url and k[2] == HOME]
    assert {k[1] for k in mine} == {bank.scope.cache_key(), local.scope.cache_key()}
    # a county official of another county asking for this one is refused, though an answer is cached
    with pytest.raises(OutOfScope):
        ix.index_view(url, actor("county_forestry", OTHER), region=HOME)


def test_price_reads008_one_fit_for_many_concurrent_callers(tmp_path):
    s = empty_settings(tmp_path)
    url = s.database_url
    write_sales(s, sales(8, COUNTIES, 1200))
    builds = ix._FITS.builds
    out, errors = [], []

    def call():
        try:
            out.append(ix.index_view(url, actor("forestry_bureau", PROVINCE_ROOT), period="year"))
        except Exception as e:
            errors.append(e)

    threads = [threading.Thread(target=call) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors and len(out) == 8 and ix._FITS.builds == builds + 1
    assert all(o["table"].equals(out[0]["table"]) for o in out)


def test_price_reads009_the_memo_is_bounded_and_a_failed_build_is_not_kept():
    m = Memo(3)
    for i in range(5):
        assert m.get(i, lambda i=i: i * i) == i * i
    assert len(m) == 3 and 0 not in m and 4 in m
    m.get(2, lambda: 99)  # a hit refreshes its place
    m.get(5, lambda: 25)
    assert 2 in m and 3 not in m
    with pytest.raises(ZeroDivisionError):
        m.get("x", lambda: 1 / 0)
    assert "x" not in m and m.get("x", lambda: 7) == 7


def test_price_reads010_warm_fits_the_province_default_view(tmp_path):
    s = empty_settings(tmp_path)
    url = s.database_url
    write_sales(s, sales(9, COUNTIES, 1000))
    ix.warm(url).join(60)
    builds, models = ix._FITS.builds, va._MODELS.builds
    ix.index_view(url, actor("province_leader", PROVINCE_ROOT))
    ix.index_view(url, actor("bank_user", PROVINCE_ROOT))
    assert ix._FITS.builds == builds  # both found the warmed fit
    assert va.valuate(url, actor("bank_user", PROVINCE_ROOT), {"area_mu": "5", "forest_type": "timber"})["available"]
    assert va._MODELS.builds == models  # and the warmed valuation model
    ix.index_view(url, actor("bank_user", PROVINCE_ROOT), period="year")
    assert ix._FITS.builds == builds + 1  # the year's fit: a new fit of the same (memoised) sample
    empty = empty_settings(tmp_path / "empty")
    ix.warm(empty.database_url).join(10)  # no sales: nothing to fit, no error


# ---------------------------------------------------------------- cost view, selectors

def test_price_reads011_cost_view(world):
    s, _ = world
    url = s.database_url
    v = ix.cost_view(url, actor("bank_user", PROVINCE_ROOT))
    assert {"table", "items", "weights", "base_year"} <= set(v)
    t = v["table"]
    assert {"period", "index", "n", "suppressed"} <= set(t.columns) and t["period"][0] == "2016"
    assert t.filter(~pl.col("suppressed"))["index"][0] == pytest.approx(100.0)
    assert all(abs(sum(w.values()) - 1) < 1e-9 for w in v["weights"].values())
    assert v["items"].height > 0 and v["base_year"] == 2016 and v["weight_base"] == 2016
    assert v["base_years"] == [int(p) for p in t.filter(~pl.col("suppressed"))["period"]]
    later = ix.cost_view(url, actor("bank_user", PROVINCE_ROOT), base_year=2022)
    assert later["base_year"] == 2022 and later["weight_base"] == 2021 and later["note"] is None
    assert later["table"].filter(pl.col("period") == "2022")["index"][0] == pytest.approx(100.0)
    none = ix.cost_view(url, actor("bank_user", PROVINCE_ROOT), base_year=1999)
    assert none["base_year"] == 2016 and "1999" in none["note"] and none["table"].equals(t)
    local = ix.cost_view(url, actor("county_forestry", HOME))
    assert local["region"] == HOME
    # one county's observations never make 3 counties: no year published, and no item figure either
    assert local["table"]["suppressed"].all() and local["items"].height > 0
    assert local["items"]["relative"].is_null().all() and local["items"]["unit_cost_yuan"].is_null().all()
    assert frames.cost_frame(url, actor("county_forestry", HOME)).height == 6 * 10 * 2  # 6 items, 10 years, 2 a year
    outside = actor("county_forestry", COUNTIES[20])  # no observations there
    assert ix.cost_view(url, outside)["note"] and frames.cost_frame(url, outside).height == 0
    with pytest.raises(ValueError):
        ix.cost_view(url, actor("bank_user", PROVINCE_ROOT), base_year="二〇一六")


def test_price_reads012_regions_and_forest_types(world):
    s, _ = world
    url = s.database_url
    province = ix.regions(url, actor("bank_user", PROVINCE_ROOT))
    assert province[0] == (PROVINCE_ROOT, "吉林省")
    codes = [c for c, _ in province]
    assert 220100000000 in codes and HOME in codes and all(c % 10**6 == 0 for c in codes)
    assert codes == sorted(codes) and len(codes) == len(set(codes))
    assert ix.regions(url, actor("county_forestry", HOME)) == [(HOME, province[codes.index(HOME)][1])]
    city = ix.regions(url, actor("city_admin", 220100000000))
    assert city[0] == (220100000000, "长春市") and all(220100000000 <= c < 220200000000 for c, _ in city)
    assert ix.forest_types(url, actor("bank_user", PROVINCE_ROOT)) == list(FOREST_TYPES.items())


# ---------------------------------------------------------------- the valuation helper

def test_price_reads013_valuate_gives_integer_yuan_with_an_interval(world):
    s, _ = world
    url = s.database_url
    bank = actor("bank_user", PROVINCE_ROOT)
    parcel = {"area_mu": "35.5", "forest_type": "timber", "species": "落叶松", "age_class": "mature", "volume": "8.2",
              "site_class": "2", "term": "30", "right_type": "management", "region_code": str(HOME + 1001)}
    v = va.valuate(url, bank, parcel)
    assert v["available"] is True and v["note"] is None and v["level"] == pytest.approx(0.90)
    for k in ("per_mu_yuan", "total_yuan", "lower_total_yuan", "upper_total_yuan", "lower_per_mu_yuan",
              "upper_per_mu_yuan"):
        assert isinstance(v[k], int) and v[k] > 0
    assert v["lower_total_yuan"] < v["total_yuan"] < v["upper_total_yuan"]
    assert v["lower_per_mu_yuan"] < v["per_mu_yuan"] < v["upper_per_mu_yuan"]
    assert abs(v["total_yuan"] - v["per_mu_yuan"] * 35.5) <= 35.5  # rounding of the per-mu figure only
    assert v["parcel"]["area_mu"] == Decimal("35.50") and v["parcel"]["volume_m3_per_mu"] == 8.2
    assert v["n"] > 0 and isinstance(v["warnings"], list) and v["region"] == PROVINCE_ROOT
    # the same parcel valued by the county official, on the county's own sales
    # the county official values on the county's own sales (its townships are the contributing areas)
    local = va.valuate(url, actor("county_forestry", HOME), va.ValuationInput.model_validate(parcel))
    assert local["region"] == HOME and local["available"] is True
    assert local["n"] <= _count(url, HOME, HOME + 10**6 - 1)
    narrow = va.valuate(url, bank, parcel, region=HOME)  # the same county's model for the bank: same figures
    assert narrow["available"] is True and narrow["total_yuan"] == local["total_yuan"]
    # a region whose sales come from one township: the bank gets no model (the thin-market rule holds);
    # the county official, who may see those very deals, gets one with a warning
    town = LONE_TOWN
    assert va.valuate(url, bank, parcel | {"region_code": None}, region=town)["note"] == va.NO_MODEL
    own = va.valuate(url, actor("county_forestry", HOME), parcel | {"region_code": None}, region=town)
    assert own["available"] is True and "仅来自 1 个乡镇" in own["warnings"][0]
    # an unknown level of an optional characteristic is not an error of the model
    assert va.valuate(url, bank, {"area_mu": "1", "forest_type": "fuel"})["available"] is True


@pytest.mark.parametrize(("field", "value", "says"), [
    ("area_mu", "", "请填写面积"), ("area_mu", "0", "0.01 至 100000 亩"), ("area_mu", "100000.01", "100000"),
    ("area_mu", "abc", "应为数字"), ("area_mu", "1.234", "两位小数"), ("area_mu", "nan", "之间"),
    ("forest_type", "", "请选择林种"), ("forest_type", "竹林", "林种不在可选范围内"),
    ("species", "橡树", "优势树种"), ("age_class", "old", "龄组"), ("right_type", "lease", "权利类型"),
    ("volume_m3_per_mu", "-1", "0 至 100"), ("volume_m3_per_mu", "100.5", "立方米/亩"),
    ("site_class", "0", "1 至 5"), ("site_class", "2.5", "整数"), ("term_years", "71", "1 至 70"),
    ("term_years", "true", "应为数字"), ("region_code", "2201", "12位"), ("region_code", "999999999999", "省"),
])
def test_price_reads014_bad_input_is_explained_in_chinese(field, value, says):
    good = {"area_mu": "12.5", "forest_type": "timber"}
    got, errors = va.parse({**good, field: value})
    assert got is None and set(errors) == {field} and says in errors[field], errors


def test_price_reads015_input_is_normalised_and_short_names_accepted(world):
    got, errors = va.parse({"area_mu": " 1,200.5 ", "forest_type": "用材林", "age_class": "成熟林", "volume": "6",
                            "term": "25", "site": "3", "region": str(HOME), "unknown": "ignored"})
    assert errors == {} and got.area_mu == Decimal("1200.50") and got.forest_type == "timber"
    assert got.age_class == "mature" and got.volume_m3_per_mu == 6.0 and got.term_years == 25
    assert got.site_class == 3 and got.region_code == HOME
    _, errors = va.parse({"area_mu": "1", "forest_type": "timber", "volume": "x", "term": "0"})
    assert set(errors) == {"volume_m3_per_mu", "term_years"}  # full names, whatever the input used
    assert {"area_mu", "forest_type", "volume_m3_per_mu", "site_class", "term_years"} <= set(va.FIELDS)
    s, _ = world
    with pytest.raises(va.ValidationError):
        va.valuate(s.database_url, actor("bank_user", PROVINCE_ROOT), {"area_mu": "-3", "forest_type": "timber"})


_text = st.one_of(st.none(), st.text(max_size=12), st.integers(-10**6, 10**13).map(str),
                  st.floats(allow_nan=True, allow_infinity=True).map(str), st.booleans(), st.integers(-5, 200))


_VALID = {"area_mu": st.decimals("0.01", "100000", places=2).map(str), "forest_type": st.sampled_from(list(FOREST_TYPES)),
          "species": st.sampled_from(list(va.SPECIES)), "age_class": st.sampled_from(list(va.AGE_CLASSES)),
          "volume_m3_per_mu": st.floats(0, 100).map(str), "site_class": st.integers(1, 5),
          "term_years": st.integers(1, 70).map(str), "right_type": st.sampled_from(list(va.RIGHT_TYPES)),
          "region_code": st.just(str(HOME + 1001))}


@settings(max_examples=300, deadline=None)
@given(st.fixed_dictionaries({k: st.one_of(v, v, _text) for k, v in _VALID.items()}))
def test_price_reads017_any_input_is_either_in_bounds_or_explained(data):
    got, errors = va.parse(data)
    if got is None:
        assert errors and all(isinstance(m, str) and m for m in errors.values())
        assert set(errors) <= set(va.FIELDS)
        return
    assert errors == {} and va.AREA[0] <= got.area_mu <= va.AREA[1] and got.forest_type in FOREST_TYPES
    assert got.volume_m3_per_mu is None or 0 <= got.volume_m3_per_mu <= 100
    assert got.site_class is None or 1 <= got.site_class <= 5
    assert got.term_years is None or 1 <= got.term_years <= 70
    assert got.region_code is None or 10**11 <= got.region_code < 10**12
