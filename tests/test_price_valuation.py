"""The valuation helper (domain.prices.valuation): its 90 % prediction interval covers the price of
held-out sales of the generator in 85–95 % of cases; the estimate's fields; unknown or missing
characteristics fall back with a Chinese warning and a wider interval, never a crash; bad input
raises a ValueError."""
from __future__ import annotations

from decimal import Decimal

import numpy as np
import polars as pl
import pytest

from domain.prices.valuation import FEW_TYPE_SALES, Estimate, Parcel, fit_valuation
from tests.support.price_models import sales


def _parcel(row: dict) -> Parcel:
    return Parcel(area_mu=row["area_mu"], forest_type=row["forest_type"], species=row["species"],
                  age_class=row["age_class"], volume_m3_per_mu=row["volume_m3_per_mu"], site_class=row["site_class"],
                  term_years=row["term_years"], right_type=row["right_type"], region_code=row["region_code"])


@pytest.fixture(scope="module")
def split() -> tuple[pl.DataFrame, pl.DataFrame]:
    df = sales(21, n=14_000, counties=29)
    held = pl.Series(np.random.default_rng(5).random(df.height) < 0.12)
    return df.filter(~held), df.filter(held)


@pytest.fixture(scope="module")
def model(split):
    return fit_valuation(split[0])


TODAY = Parcel(area_mu=50, forest_type="timber", species="红松", age_class="mature", volume_m3_per_mu=8.0, site_class=2,
               term_years=30, right_type="management", region_code=220101001001)


def test_held_out_90_percent_interval_covers_85_to_95_percent(model, split):
    held = split[1].with_columns(
        q=pl.col("date").dt.year().cast(pl.String) + "Q" + pl.col("date").dt.quarter().cast(pl.String)
    ).filter(pl.col("q").is_in(list(model.periods)))
    assert held.height >= 1000
    hits = half = 0
    errors = []
    for row in held.iter_rows(named=True):
        e = model.estimate(_parcel(row), period=row["q"])
        errors.append(np.log(e.per_mu_yuan) - row["true_log_price_per_mu"])
        hits += e.lower_total_yuan <= row["price_yuan"] <= e.upper_total_yuan
        h = model.estimate(_parcel(row), level=0.5, period=row["q"])
        half += h.lower_total_yuan <= row["price_yuan"] <= h.upper_total_yuan
    assert 0.85 <= hits / held.height <= 0.95, hits / held.height
    assert 0.40 <= half / held.height <= 0.60, half / held.height  # the interval's width follows its level
    # the point estimate is the median price: unbiased on the log scale against the generator's noiseless law
    assert abs(np.mean(errors)) < 0.02 and np.std(errors) < 0.1


def test_today_is_the_latest_unsuppressed_quarter_and_the_fields_add_up(model, split):
    e = model.estimate(TODAY)
    assert isinstance(e, Estimate) and e.period == "2025Q4" == model.period and e.level == 0.90
    assert e.n == model.n and split[0].height - 20 < model.n < split[0].height  # the thin first quarters left out
    assert 0.85 < e.r2 < 0.95
    for name in ("per_mu_yuan", "total_yuan", "lower_total_yuan", "upper_total_yuan", "lower_per_mu_yuan",
                 "upper_per_mu_yuan"):
        assert isinstance(getattr(e, name), int)
    assert e.lower_per_mu_yuan < e.per_mu_yuan < e.upper_per_mu_yuan
    assert e.lower_total_yuan < e.total_yuan < e.upper_total_yuan
    assert abs(e.total_yuan - e.per_mu_yuan * 50) <= 50
    assert e.warnings == []
    wider = model.estimate(TODAY, level=0.99)
    assert wider.lower_per_mu_yuan < e.lower_per_mu_yuan and wider.upper_per_mu_yuan > e.upper_per_mu_yuan
    assert wider.per_mu_yuan == e.per_mu_yuan


def test_characteristics_move_the_estimate_the_right_way(model):
    base = model.estimate(TODAY).per_mu_yuan
    assert model.estimate(Parcel(**{**TODAY.__dict__, "volume_m3_per_mu": 2.0})).per_mu_yuan < base
    assert model.estimate(Parcel(**{**TODAY.__dict__, "age_class": "young"})).per_mu_yuan < base
    assert model.estimate(Parcel(**{**TODAY.__dict__, "site_class": 5})).per_mu_yuan < base
    earlier = model.estimate(TODAY, period="2018Q1")
    assert earlier.period == "2018Q1" and earlier.per_mu_yuan < base  # prices rose since
    decimal = model.estimate(Parcel(**{**TODAY.__dict__, "area_mu": Decimal("50.00")}))
    assert decimal == model.estimate(TODAY)


def test_unknown_levels_and_missing_characteristics_fall_back_with_warnings(model):
    known = model.estimate(TODAY)
    new_species = model.estimate(Parcel(**{**TODAY.__dict__, "species": "银杏"}))
    assert new_species.warnings == ["树种「银杏」不在成交样本中，按样本平均水平估计，区间相应放宽"]
    assert new_species.upper_per_mu_yuan / new_species.lower_per_mu_yuan > known.upper_per_mu_yuan / known.lower_per_mu_yuan
    elsewhere = model.estimate(Parcel(**{**TODAY.__dict__, "region_code": 360101001001}))
    assert elsewhere.warnings == ["所在县「360101000000」不在成交样本中，按样本平均水平估计，区间相应放宽"]
    bare = model.estimate(Parcel(area_mu=12.5))
    assert len(bare.warnings) == 8 and all("未提供" in w for w in bare.warnings)
    assert "未提供每亩蓄积量，按样本平均水平估计，区间相应放宽" in bare.warnings
    assert bare.upper_per_mu_yuan / bare.lower_per_mu_yuan > new_species.upper_per_mu_yuan / new_species.lower_per_mu_yuan
    odd = model.estimate(Parcel(area_mu=3, forest_type="bamboo", age_class="ancient", site_class=4, right_type="x"))
    assert any("林种「bamboo」" in w for w in odd.warnings) and any("龄组「ancient」" in w for w in odd.warnings)
    assert odd.lower_total_yuan < odd.total_yuan < odd.upper_total_yuan


def test_rare_forest_type_warns(split):
    train = split[0]
    fuel = train.filter(pl.col("forest_type") == "fuel").head(FEW_TYPE_SALES - 5)
    m = fit_valuation(pl.concat([train.filter(pl.col("forest_type") != "fuel"), fuel]))
    e = m.estimate(Parcel(**{**TODAY.__dict__, "forest_type": "fuel", "species": "杨树"}))
    assert "该林种样本不足，估价仅供参考" in e.warnings
    assert "该林种样本不足，估价仅供参考" not in m.estimate(TODAY).warnings


def test_bad_input(model):
    with pytest.raises(ValueError, match="level must be between 0 and 1"):
        model.estimate(TODAY, level=1.2)
    with pytest.raises(ValueError, match="area_mu must be positive"):
        model.estimate(Parcel(area_mu=0))
    with pytest.raises(ValueError, match="area_mu must be positive"):
        model.estimate(Parcel(area_mu=-3))
    with pytest.raises(ValueError, match="period '1999Q1' is not among the fitted periods"):
        model.estimate(TODAY, period="1999Q1")
    with pytest.raises(ValueError, match="no quarter has enough sales"):
        fit_valuation(sales(1, n=200, counties=2))
    with pytest.raises(ValueError, match="no rows"):
        fit_valuation(sales(1, n=200).head(0))
