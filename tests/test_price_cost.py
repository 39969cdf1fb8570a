"""The forest-management cost index (domain.prices.cost): Laspeyres with the documented base weights
recovers the generator's true cost relatives; the re-basing at 2021 chains the series so it is
continuous; the reference year is 100; thin years are suppressed with a Chinese reason; the items
table; bad input raises a ValueError; invariance to the currency unit and the row order."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import numpy as np
import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from data.demo.price_truth import synthesise_costs, true_cost_relatives
from domain.prices import cost
from domain.prices.codes import COST_ITEMS
from domain.prices.cost import BASE_WEIGHTS, cost_index, cost_items

COUNTIES = [220100000000 + c * 1_000_000 for c in range(1, 30)]


@pytest.fixture(scope="module")
def obs() -> pl.DataFrame:
    return synthesise_costs(np.random.default_rng(3), COUNTIES)


def _expected() -> dict[str, float]:
    """The Laspeyres index of the true relatives, chained at 2021 (2016 = 100)."""
    rel = {(p, i): r for p, i, r in true_cost_relatives().iter_rows()}
    out = {}
    for y in range(2016, 2026):
        p = str(y)
        if y < 2021:
            out[p] = 100 * sum(w * rel[(p, i)] for i, w in BASE_WEIGHTS[2016].items())
        else:
            link = sum(w * rel[("2021", i)] for i, w in BASE_WEIGHTS[2016].items())
            out[p] = 100 * link * sum(w * rel[(p, i)] / rel[("2021", i)] for i, w in BASE_WEIGHTS[2021].items())
    return out


def test_base_weights_are_documented_shares():
    assert set(BASE_WEIGHTS) == {2016, 2021}
    for weights in BASE_WEIGHTS.values():
        assert set(weights) == set(COST_ITEMS) and sum(weights.values()) == pytest.approx(1.0)
        assert all(w > 0 for w in weights.values())


def test_recovers_the_true_chained_laspeyres_index(obs):
    out = cost_index(obs)
    assert out.columns == ["period", "index", "n", "suppressed", "reason", "base_year"]
    assert out.schema["index"] == pl.Float64 and out.schema["n"] == pl.Int64 and out.schema["base_year"] == pl.Int64
    expected = _expected()
    assert out["period"].to_list() == list(expected)
    for row in out.iter_rows(named=True):
        assert not row["suppressed"] and row["reason"] is None
        assert row["index"] == pytest.approx(expected[row["period"]], rel=0.03), row
        assert row["base_year"] == (2016 if int(row["period"]) < 2021 else 2021)
        assert row["n"] == len(COUNTIES) * 4 * len(COST_ITEMS)
    assert out["index"][0] == 100.0
    assert 150 < out["index"][-1] < 170  # labour's 8.5 % a year pulls the index up


def test_rebasing_chains_the_series_at_the_new_base_year(obs, monkeypatch):
    before = cost_index(obs)
    # the 2021 weights act only from 2021 on, and not on the 2021 level itself (the chain link)
    monkeypatch.setitem(cost.BASE_WEIGHTS, 2021, {**BASE_WEIGHTS[2021], "labour": 0.60, "planting": 0.0,
                                                  "tending": 0.0, "materials": 0.05, "harvesting": 0.27})
    after = cost_index(obs)
    early = pl.col("period") <= "2021"
    assert np.allclose(before.filter(early)["index"].to_numpy(), after.filter(early)["index"].to_numpy())
    late_b, late_a = before.filter(~early)["index"].to_numpy(), after.filter(~early)["index"].to_numpy()
    assert (late_a > late_b).all()  # more labour weight: a steeper rise after the link
    # with a single weight set no chaining happens: the plain Laspeyres over 2016
    monkeypatch.delitem(cost.BASE_WEIGHTS, 2021)
    plain = cost_index(obs)
    assert (plain["base_year"] == 2016).all()
    assert plain["index"][-1] != pytest.approx(before["index"][-1], rel=1e-6)


def test_reference_year_is_100_and_ratios_do_not_depend_on_it(obs):
    default = cost_index(obs)
    for year in (2016, 2019, 2021, 2025):
        out = cost_index(obs, base_year=year)
        assert out.filter(pl.col("period") == str(year))["index"][0] == pytest.approx(100.0)
        assert np.allclose(out["index"].to_numpy() / out["index"][0], default["index"].to_numpy() / 100)
    quarterly = cost_index(obs, "quarter", base_year=2021)
    assert quarterly.height == 40 and quarterly["period"][0] == "2016Q1"
    assert quarterly.filter(pl.col("period").str.starts_with("2021"))["index"].mean() == pytest.approx(100.0)
    with pytest.raises(ValueError, match="base_year 2030 has no published cost index"):
        cost_index(obs, base_year=2030)


def test_thin_years_are_suppressed_with_a_reason(obs):
    few = obs.filter(pl.col("date").dt.year() != 2019).vstack(obs.filter(pl.col("date").dt.year() == 2019).head(6))
    two = [COUNTIES[0], COUNTIES[1]]
    narrow = few.filter(pl.col("date").dt.year() != 2020).vstack(
        obs.filter((pl.col("date").dt.year() == 2020) & pl.col("region_code").is_in(two)))
    gap = narrow.filter(pl.col("date").dt.year() != 2022)
    out = {r["period"]: r for r in cost_index(gap).iter_rows(named=True)}
    assert out["2019"]["suppressed"] and out["2019"]["index"] is None
    assert out["2019"]["reason"] == "本期仅 6 条成本观测（少于 10 条不发布）"
    assert out["2020"]["reason"] == "仅 2 个县有成本观测（少于 3 个县不发布）"
    assert out["2022"]["reason"] == "本期无成本观测" and out["2022"]["n"] == 0
    assert not out["2021"]["suppressed"] and not out["2023"]["suppressed"]
    # an item missing in a year drops out and the others' weights are renormalised
    no_labour = obs.filter(~((pl.col("item") == "labour") & (pl.col("date").dt.year() == 2024)))
    row = cost_index(no_labour).filter(pl.col("period") == "2024").row(0, named=True)
    assert not row["suppressed"] and row["index"] < cost_index(obs).filter(pl.col("period") == "2024")["index"][0]


def test_items_table(obs):
    items = cost_items(obs)
    assert items.columns == ["period", "item", "label", "unit", "unit_cost_yuan", "n", "relative"]
    assert items.height == 10 * len(COST_ITEMS)
    labour = items.filter(pl.col("item") == "labour").sort("period")
    assert labour["label"][0] == "劳务" and labour["unit"][0] == "元/工日" and labour["relative"][0] == 100.0
    truth = true_cost_relatives().filter(pl.col("item") == "labour").sort("period")["relative"].to_numpy()
    assert np.allclose(labour["relative"].to_numpy() / 100, truth, rtol=0.04)
    assert cost_items(obs, "quarter").height == 40 * len(COST_ITEMS)


def test_input_types(obs):
    as_decimal = obs.with_columns(pl.col("unit_cost_yuan").cast(pl.Decimal(12, 2)))
    assert np.allclose(cost_index(as_decimal)["index"].to_numpy(), cost_index(obs)["index"].to_numpy())
    as_text = obs.with_columns(pl.col("date").cast(pl.String))
    assert cost_index(as_text).equals(cost_index(obs))
    assert cost_index(obs.with_columns(extra=pl.lit(1))).equals(cost_index(obs))


@pytest.mark.parametrize(("change", "message"), [
    (lambda d: d.head(0), "no rows"),
    (lambda d: d.drop("item"), "required column.*item"),
    (lambda d: d.with_columns(item=pl.lit("fertiliser")), "unknown cost items \\['fertiliser'\\]"),
    (lambda d: d.with_columns(unit_cost_yuan=pl.lit(0.0)), "'unit_cost_yuan' must be positive"),
    (lambda d: d.with_columns(unit_cost_yuan=pl.lit("12")), "'unit_cost_yuan' must be numeric"),
    (lambda d: d.with_columns(region_code=pl.lit(2201)), "12-digit"),
    (lambda d: d.with_columns(date=pl.lit("yesterday")), "not ISO dates"),
    (lambda d: d.with_columns(date=pl.lit(None, dtype=pl.Date)), "'date' has"),
])
def test_bad_input(obs, change, message):
    with pytest.raises(ValueError, match=message):
        cost_index(change(obs))
    with pytest.raises(ValueError, match=message):
        cost_items(change(obs))


def test_bad_period_and_frame(obs):
    with pytest.raises(ValueError, match="unknown period 'month'"):
        cost_index(obs, "month")
    with pytest.raises(ValueError, match="must be a polars DataFrame"):
        cost_index([{"date": dt.date(2020, 1, 1)}])


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(c=st.floats(min_value=0.01, max_value=100.0), item=st.sampled_from(sorted(COST_ITEMS)),
       seed=st.integers(0, 2**32 - 1))
def test_units_and_row_order_do_not_matter(obs, c, item, seed):
    base = cost_index(obs)
    # a relative is unit-free: rescaling one item (a new unit) or every cost (a new currency) changes nothing
    one = obs.with_columns(pl.when(pl.col("item") == item).then(pl.col("unit_cost_yuan") * c)
                           .otherwise(pl.col("unit_cost_yuan")).alias("unit_cost_yuan"))
    assert np.allclose(cost_index(one)["index"].to_numpy(), base["index"].to_numpy(), rtol=1e-9)
    shuffled = obs.with_columns(pl.col("unit_cost_yuan") * c).sample(fraction=1.0, shuffle=True, seed=seed)
    assert np.allclose(cost_index(shuffled)["index"].to_numpy(), base["index"].to_numpy(), rtol=1e-9)


def test_decimal_costs_from_the_database_shape():
    rows = [{"date": dt.date(2020 + y, 6, 1), "region_code": COUNTIES[k], "item": item,
             "unit_cost_yuan": Decimal("100.00") * (1 + y) if item == "labour" else Decimal("50.00")}
            for y in range(2) for k in range(3) for item in COST_ITEMS for _ in range(1)]
    out = cost_index(pl.DataFrame(rows))
    assert out["index"].to_list()[0] == 100.0
    assert out["index"][1] == pytest.approx(100 * (1 + BASE_WEIGHTS[2016]["labour"]))  # labour doubled
