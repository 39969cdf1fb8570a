"""The price index models (domain.prices): the hedonic index recovers the generator's known true
index within its 95 % intervals while the median index is biased by the mix shift; thin periods
are suppressed with their reason; the base is the first unsuppressed period; the chained form
multiplies up to the fixed-base one; the public function's contract (columns, tolerated input,
every ValueError); invariance to the price unit and to the row order (hypothesis); the fast OLS
path equals statsmodels' own fit."""
from __future__ import annotations

import datetime as dt
import math
from decimal import Decimal

import numpy as np
import polars as pl
import pytest
import statsmodels.api as sm
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from domain.prices import METHODS, OUTPUT_COLUMNS, index_table, methods_frame, price_index
from domain.prices.codes import SUPPRESSION_REASONS
from domain.prices.design import make_design
from domain.prices.hedonic import CLUSTER_MIN_COUNTIES, NOT_FITTED, fit_hedonic
from domain.prices.ols import ols
from domain.prices.schema import validate
from domain.prices.simple import median_index, mix_adjusted_index
from tests.support.price_models import covered, generator_truth, sales, sales_truth

SEEDS = (0, 1, 2, 3, 4)


@pytest.fixture(scope="module")
def samples() -> dict[int, pl.DataFrame]:
    return {seed: sales(seed) for seed in SEEDS}


@pytest.fixture(scope="module")
def fits(samples):
    """fits(seed, period): the hedonic fit of a sample, fitted once per module."""
    cache = {}

    def get(seed: int, period: str):
        if (seed, period) not in cache:
            cache[seed, period] = fit_hedonic(samples[seed], period)
        return cache[seed, period]
    return get


@pytest.fixture(scope="module")
def small() -> pl.DataFrame:
    return sales(7, n=3000, counties=12)


# ---------------------------------------------------------------- recovery of the known truth

@pytest.mark.parametrize("period", ["quarter", "year"])
def test_hedonic_interval_covers_the_truth_in_90_percent_of_periods(samples, fits, period):
    hits = total = 0
    for seed, df in samples.items():
        fit = fits(seed, period)
        h, t = covered(fit.index, sales_truth(df, period, fit.base_period))
        hits, total = hits + h, total + t
    assert total >= (150 if period == "quarter" else 45)
    assert hits / total >= 0.90, f"{hits}/{total}"


def test_hedonic_quarters_against_the_generators_own_true_index(samples, fits):
    hits = total = 0
    for seed in samples:
        fit = fits(seed, "quarter")
        h, t = covered(fit.index, generator_truth("quarter", fit.base_period))
        hits, total = hits + h, total + t
    assert hits / total >= 0.90, f"{hits}/{total}"


def _log_ratio_slope(index: pl.DataFrame, truth: pl.DataFrame) -> tuple[float, float]:
    """(slope per year of ln(index/truth), the last period's ratio)."""
    j = index.filter(~pl.col("suppressed")).join(truth, on="period").sort("period")
    years = np.array([int(p[:4]) + (int(p[-1]) - 0.5) / 4 if "Q" in p else int(p) + 0.5 for p in j["period"]])
    r = np.log(j["index"].to_numpy() / j["true"].to_numpy())
    return float(np.polyfit(years, r, 1)[0]), float(math.exp(r[-1]))


def test_median_index_is_biased_by_the_mix_shift_and_the_hedonic_is_not(samples, fits):
    for seed, df in samples.items():
        fit = fits(seed, "year")
        truth = sales_truth(df, "year", fit.base_period)
        med_slope, med_last = _log_ratio_slope(median_index(df, "year"), truth)
        hed_slope, hed_last = _log_ratio_slope(fit.index, truth)
        mix_slope, mix_last = _log_ratio_slope(mix_adjusted_index(df, "year"), truth)
        assert med_last > 1.25 and med_slope > 0.03  # the median overstates the rise: 25 %+ by the last year
        assert abs(hed_last - 1) < 0.05 and abs(hed_slope) < 0.01
        assert abs(mix_last - 1) < med_last - 1  # stratifying removes part of the bias


def test_characteristics_recovered(fits):
    fit = fits(0, "quarter")
    coefs = {r["term"]: r for r in fit.coefficients.iter_rows(named=True)}
    volume = coefs["ln_volume_m3_per_mu"]
    assert volume["label"] == "ln(每亩蓄积量)"
    assert abs(volume["coef"] - 0.55) < 4 * volume["se"] + 0.02
    mature, young = coefs["age_class[mature]"], coefs["age_class[young]"]  # against near-mature (the reference)
    assert mature["label"] == "龄组：成熟林" and young["label"] == "龄组：幼龄林"
    assert abs(mature["coef"] - 0.10) < 4 * mature["se"] + 0.02 and abs(young["coef"] + 0.35) < 4 * young["se"] + 0.02
    assert coefs["site_class[1]"]["label"] == "立地等级：1" and coefs["forest_type[economic]"]["label"] == "林种：经济林"
    assert abs(coefs["ln_term_years"]["coef"] - 0.20) < 4 * coefs["ln_term_years"]["se"] + 0.02
    assert abs(coefs["ln_area_mu"]["coef"]) < 4 * coefs["ln_area_mu"]["se"] + 0.01  # area does not matter
    assert 0.85 < fit.r2 < 0.95 and fit.adj_r2 <= fit.r2
    assert fit.n == int(fit.index.filter(~pl.col("suppressed"))["n"].sum())
    assert fit.sigma == pytest.approx(0.22, rel=0.05)
    assert fit.coefficients.columns == ["term", "label", "coef", "se", "t", "p"]


# ---------------------------------------------------------------- suppression, base, chained form

def test_thin_periods_suppressed_with_their_reason(fits):
    idx = fits(0, "quarter").index
    first = idx.head(2).to_dicts()
    for row in first:  # the generator's first two quarters are thin
        assert row["suppressed"] and row["index"] is None and row["lower"] is None and row["chained"] is None
        expected = (SUPPRESSION_REASONS["few_sales"].format(n=row["n"], min_sales=10) if row["n"] < 10
                    else SUPPRESSION_REASONS["few_counties"].format(counties=row["counties"], min_counties=3, area="县"))
        assert row["reason"] == expected
    assert idx["period"][2] == "2016Q3"
    base = idx.row(2, named=True)
    assert base["index"] == base["lower"] == base["upper"] == 100.0 and not base["suppressed"]
    assert base["chained"] is None
    assert idx.filter(~pl.col("suppressed"))["reason"].null_count() == idx.filter(~pl.col("suppressed")).height


def test_few_counties_and_empty_periods_are_suppressed(small):
    # 2020Q2: 30 sales from two counties; 2020Q3: no sale at all
    df = small.filter(~pl.col("date").is_between(dt.date(2020, 4, 1), dt.date(2020, 9, 30)))
    two = [220101001001, 220102001001]  # villages of two counties
    extra = small.filter(pl.col("date").is_between(dt.date(2019, 4, 1), dt.date(2019, 6, 30))).head(30).with_columns(
        date=pl.col("date").dt.offset_by("1y"), region_code=pl.Series([two[i % 2] for i in range(30)]))
    df = pl.concat([df, extra])
    for method in METHODS:
        idx = index_table(df, "quarter", method)
        q2, q3 = (idx.filter(pl.col("period") == p).row(0, named=True) for p in ("2020Q2", "2020Q3"))
        assert q2["suppressed"] and q2["n"] == 30 and q2["counties"] == 2
        assert q2["reason"] == "仅 2 个县有成交（少于 3 个县不发布）"
        assert q3["suppressed"] and q3["n"] == 0 and q3["reason"] == "本期无成交"
        q4 = idx.filter(pl.col("period") == "2020Q4").row(0, named=True)
        q1 = idx.filter(pl.col("period") == "2020Q1").row(0, named=True)
        assert q4["chained"] == pytest.approx(100 * q4["index"] / q1["index"])  # the link spans the gap


@pytest.mark.parametrize("period", ["quarter", "year"])
def test_chained_form_multiplies_up_to_the_fixed_base(fits, period):
    idx = fits(1, period).index.filter(~pl.col("suppressed"))
    links = idx["chained"].fill_null(100.0).to_numpy() / 100
    assert np.allclose(np.cumprod(links) * 100, idx["index"].to_numpy(), rtol=1e-9)
    inner = idx.slice(1)
    assert (inner["chained_lower"] < inner["chained"]).all() and (inner["chained"] < inner["chained_upper"]).all()


def test_base_is_the_first_unsuppressed_period_for_every_method(samples):
    for method in METHODS:
        for period in ("quarter", "year"):
            out = price_index(samples[2], period, method)
            first = out.filter(~pl.col("suppressed")).row(0, named=True)
            assert first["index"] == 100.0 and first["lower"] == first["upper"] == 100.0
            later = out.filter(~pl.col("suppressed")).slice(1)
            assert (later["lower"] <= later["index"]).all() and (later["index"] <= later["upper"]).all()


def test_all_suppressed_sample_gives_an_all_suppressed_table():
    df = sales(3, n=400, counties=2)  # only two counties: nothing publishable
    fit = fit_hedonic(df, "quarter")
    assert fit.index["suppressed"].all() and fit.index["index"].null_count() == fit.index.height
    assert fit.coefficients.height == 0 and fit.r2 is None and fit.n == 0 and fit.cov_type == NOT_FITTED
    for method in METHODS:
        out = price_index(df, "year", method)
        assert out["suppressed"].all() and out["index"].null_count() == out.height


def test_cluster_errors_fall_back_to_hc1_with_few_counties(small, samples, fits):
    assert fit_hedonic(small, "year").cov_type == "异方差稳健标准误（HC1）"  # 12 counties
    assert fits(0, "year").cov_type == "按县聚类稳健标准误（29 个县）"
    assert CLUSTER_MIN_COUNTIES == 20
    assert fit_hedonic(samples[0], "year", cov="nonrobust").cov_type == "普通最小二乘标准误"
    with pytest.raises(ValueError, match="unknown cov"):
        fit_hedonic(small, "year", cov="HC9")


def test_collinear_characteristics_are_dropped_not_fatal():
    # Jiangxi's economic forests have species of their own: species and forest type dummies are collinear
    df = sales(5, n=6000, counties=24, province=36)
    fit = fit_hedonic(df, "year")
    assert not fit.index["suppressed"].any()
    assert fit.index["index"].null_count() == 0
    assert all(f"period[{p}]" in fit.coefficients["term"].to_list() for p in fit.periods[1:])


# ---------------------------------------------------------------- the public function's contract

def test_public_output_schema(samples):
    out = price_index(samples[0])
    assert tuple(out.columns) == OUTPUT_COLUMNS
    assert out.schema == pl.Schema({"period": pl.String, "index": pl.Float64, "lower": pl.Float64, "upper": pl.Float64,
                                    "n": pl.Int64, "suppressed": pl.Boolean})
    assert out["period"][0] == "2016Q1" and out["period"][-1] == "2025Q4" and out.height == 40
    year = price_index(samples[0], period="year", method="median")
    assert year["period"].to_list() == [str(y) for y in range(2016, 2026)]
    assert int(out["n"].sum()) == samples[0].height == int(year["n"].sum())


def test_methods_side_by_side(small):
    both = methods_frame(small, "year")
    assert both.columns == ["period", "hedonic", "median", "mix_adjusted", "n", "suppressed"]
    for method in METHODS:
        assert np.allclose(both[method].to_numpy(), price_index(small, "year", method)["index"].to_numpy(), rtol=1e-12)
    fit = fit_hedonic(small, "year")
    again = methods_frame(small, "year", hedonic=fit.index)
    assert again.select("period", "n", "suppressed").equals(both.select("period", "n", "suppressed"))
    for method in METHODS:  # float sums in another order (BLAS, polars' parallel group-by) aside
        assert np.allclose(again[method].to_numpy(), both[method].to_numpy(), rtol=1e-12)


def test_extra_columns_ignored_and_optional_characteristics_tolerated(small):
    base = price_index(small, "year")
    noisy = small.with_columns(anything=pl.lit("x"), kind=pl.lit("lease"), log_ppm=pl.lit(1.0), county=pl.lit(7))
    _same(price_index(noisy, "year"), base, 1e-12)
    _same(fit_hedonic(noisy, "year").index.select(OUTPUT_COLUMNS), base, 1e-12)  # junk columns of derived names
    assert validate(validate(small)).equals(validate(small))
    required_only = small.select("date", "region_code", "area_mu", "price_yuan")
    for method in METHODS:
        out = price_index(required_only, "year", method)
        assert out.filter(~pl.col("suppressed"))["index"].null_count() == 0
    some = small.drop("species", "term_years")
    assert price_index(some, "year")["index"].null_count() == 0
    # nulls inside present columns: an "unknown" level / a missing indicator
    rng = np.random.default_rng(1)
    holes = small.with_columns(
        pl.when(pl.Series(rng.random(small.height) < 0.2)).then(None).otherwise(pl.col(c)).alias(c)
        for c in ("forest_type", "age_class", "volume_m3_per_mu", "site_class", "term_years"))
    fit = fit_hedonic(holes, "year")
    assert fit.index["index"].null_count() == 0
    terms = fit.coefficients["term"].to_list()
    assert "volume_m3_per_mu_missing" in terms and "age_class[unknown]" in terms
    assert price_index(holes, "year", "mix_adjusted")["index"].null_count() == 0


def test_input_types_accepted(small):
    base = price_index(small, "year", "median")
    as_text = small.with_columns(pl.col("date").cast(pl.String))
    assert price_index(as_text, "year", "median").equals(base)
    as_datetime = small.with_columns(pl.col("date").cast(pl.Datetime))
    assert price_index(as_datetime, "year", "median").equals(base)
    as_decimal = small.with_columns(pl.col("area_mu").cast(pl.Decimal(12, 2)))
    assert np.allclose(price_index(as_decimal, "year", "median")["index"].to_numpy(), base["index"].to_numpy())
    assert validate(small.head(3).with_columns(price_yuan=pl.lit(Decimal("1234.50"))))["price_yuan"][0] == 1234.5


def _bad(df: pl.DataFrame, **cols) -> pl.DataFrame:
    return df.with_columns(**{k: (pl.lit(v) if not isinstance(v, pl.Expr) else v) for k, v in cols.items()})


@pytest.mark.parametrize(("change", "message"), [
    (lambda d: d.head(0), "no rows"),
    (lambda d: d.drop("price_yuan"), "required column.*price_yuan"),
    (lambda d: d.drop("date", "area_mu"), "required column.*date, area_mu"),
    (lambda d: _bad(d, price_yuan=pl.when(pl.int_range(pl.len()) == 3).then(0).otherwise(pl.col("price_yuan"))),
     "'price_yuan' must be positive"),
    (lambda d: _bad(d, price_yuan=pl.when(pl.int_range(pl.len()) == 3).then(-5).otherwise(pl.col("price_yuan"))),
     "'price_yuan' must be positive"),
    (lambda d: _bad(d, price_yuan=pl.when(pl.int_range(pl.len()) == 3).then(None).otherwise(pl.col("price_yuan"))),
     "'price_yuan' has 1 missing"),
    (lambda d: _bad(d, area_mu=0.0), "'area_mu' must be positive"),
    (lambda d: _bad(d, area_mu=-1.5), "'area_mu' must be positive"),
    (lambda d: _bad(d, area_mu=float("nan")), "'area_mu' has values that are not finite"),
    (lambda d: _bad(d, price_yuan=pl.col("price_yuan").cast(pl.String) + "元"), "'price_yuan' must be numeric"),
    (lambda d: _bad(d, region_code=220100), "12-digit"),
    (lambda d: _bad(d, region_code=None), "'region_code' has"),
    (lambda d: _bad(d, date=None), "'date' has"),
    (lambda d: _bad(d, date=pl.lit("2024-13-45")), "not ISO dates"),
    (lambda d: _bad(d, date=pl.lit(5)), "'date' must be a Date"),
    (lambda d: _bad(d, site_class=6), "'site_class' must be an integer 1–5"),
    (lambda d: _bad(d, site_class=2.5), "'site_class' must be an integer 1–5"),
    (lambda d: _bad(d, volume_m3_per_mu=-1.0), "'volume_m3_per_mu' must be zero or positive"),
    (lambda d: _bad(d, term_years=0), "'term_years' must be positive"),
    (lambda d: _bad(d, forest_type=3), "'forest_type' must be a string code"),
])
def test_bad_input_raises_a_value_error_that_says_what_is_wrong(small, change, message):
    bad = change(small)
    with pytest.raises(ValueError, match=message):
        price_index(bad)
    with pytest.raises(ValueError, match=message):
        fit_hedonic(bad, "year")


def test_bad_method_period_and_frame():
    df = sales(1, n=300, counties=5)
    with pytest.raises(ValueError, match="unknown method 'ols'"):
        price_index(df, method="ols")
    with pytest.raises(ValueError, match="unknown period 'month'"):
        price_index(df, period="month")
    for fn in (fit_hedonic, median_index, mix_adjusted_index):
        with pytest.raises(ValueError, match="unknown period"):
            fn(df, "week")
    with pytest.raises(ValueError, match="must be a polars DataFrame"):
        price_index(df.to_pandas())
    with pytest.raises(ValueError, match="must be a polars DataFrame"):
        price_index(None)


# ---------------------------------------------------------------- invariances (hypothesis)

@pytest.fixture(scope="module")
def tiny() -> pl.DataFrame:
    return sales(11, n=1500, counties=8)


_VALUES = ("index", "lower", "upper")


def _same(a: pl.DataFrame, b: pl.DataFrame, rel: float) -> None:
    assert a.select(pl.exclude(*_VALUES)).equals(b.select(pl.exclude(*_VALUES)))
    for c in _VALUES:
        x, y = a[c].to_numpy().astype(float), b[c].to_numpy().astype(float)
        assert np.array_equal(np.isnan(x), np.isnan(y))
        assert np.allclose(x[~np.isnan(x)], y[~np.isnan(y)], rtol=rel, atol=0)


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(c=st.floats(min_value=0.001, max_value=1000.0, allow_nan=False, allow_infinity=False),
       method=st.sampled_from(METHODS), period=st.sampled_from(["quarter", "year"]))
def test_scaling_every_price_leaves_every_index_unchanged(tiny, c, method, period):
    scaled = tiny.with_columns(price_yuan=pl.col("price_yuan") * c)
    _same(price_index(tiny, period, method), price_index(scaled, period, method), 1e-7)


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(seed=st.integers(0, 2**32 - 1), method=st.sampled_from(METHODS), period=st.sampled_from(["quarter", "year"]))
def test_shuffling_rows_changes_nothing(tiny, seed, method, period):
    shuffled = tiny.sample(fraction=1.0, shuffle=True, seed=seed)
    _same(price_index(tiny, period, method), price_index(shuffled, period, method), 1e-8)


# ---------------------------------------------------------------- the fast OLS path

@pytest.mark.parametrize("cov", ["nonrobust", "HC1", "cluster"])
def test_fast_ols_equals_statsmodels_fit(cov):
    data = validate(sales(2, n=2500, counties=22))
    periods = sorted(data["period_y"].unique().to_list())
    design, x, gram = make_design(data, period_col="period_y", periods=periods, county=True)
    y, groups = data["log_ppm"].to_numpy(), data["county"].to_numpy()
    kw = {"cov_kwds": {"groups": groups}} if cov == "cluster" else {}
    ref = sm.OLS(y, x).fit(cov_type=cov, **kw)
    fast = ols(y, x, cov_type=cov, groups=groups if cov == "cluster" else None, gram=gram)
    assert np.allclose(fast.params, ref.params, rtol=1e-8, atol=1e-10)
    assert np.allclose(fast.bse, ref.bse, rtol=1e-6)
    assert fast.rsquared == pytest.approx(ref.rsquared) and fast.rsquared_adj == pytest.approx(ref.rsquared_adj)
    assert fast.df_resid == ref.df_resid and fast.scale == pytest.approx(ref.scale)
    assert np.allclose(fast.pvalues, ref.pvalues, rtol=1e-5, atol=1e-12)
    assert len(design.names) == x.shape[1]
