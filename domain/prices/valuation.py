"""The valuation helper: a parcel's price per mu and in total from its characteristics, with a
prediction interval (what a bank wants for a mortgage).

The model is the hedonic double-log regression of domain.prices.hedonic with county fixed effects
(where the county is known) and quarter dummies over the publishable quarters, fitted by OLS with
the classical covariance (the prediction interval needs the residual variance anyway, and the
parameters' share of it is small). "Today"'s level is the latest unsuppressed quarter; `estimate`
may be asked for another fitted period.

For a parcel with characteristics x the log price per mu is predicted as ŷ = x'β with variance

    v = x'Vx + σ² + Σ (unknown or missing characteristics' spread)

and the level-`level` interval is exp(ŷ ∓ t·√v) per mu (t the Student quantile on the residual
degrees of freedom); the point estimate is exp(ŷ), the median price (the interval's centre on the
log scale). Totals are per mu × area. A characteristic the parcel does not give (None), or a level
the sample has never seen (a new species, a county without sales), does not crash: the model uses
the sample-share-weighted average of that characteristic's effects, adds the effects' spread
around that average to v (so the interval widens honestly), and says so in `warnings` (Chinese).
A missing volume or term uses the sample's mean log and adds β²·var(log) likewise.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from decimal import Decimal

import numpy as np
import polars as pl
from scipy import stats

from domain.prices.codes import AGE_CLASSES, FOREST_TYPES, MIN_COUNTIES, MIN_SALES, RIGHT_TYPES
from domain.prices.design import UNKNOWN, VOLUME_FLOOR, Design, make_design
from domain.prices.ols import ols
from domain.prices.periods import support
from domain.prices.schema import normalised, period_column

__all__ = ["FEW_TYPE_SALES", "Estimate", "Parcel", "ValuationModel", "fit_valuation"]

#: a forest type with fewer sales than this in the sample gets the warning "该林种样本不足"
FEW_TYPE_SALES = 30
_TITLES = {"forest_type": "林种", "species": "树种", "age_class": "龄组", "site_class": "立地等级",
           "right_type": "权利类型", "county": "所在县", "volume_m3_per_mu": "每亩蓄积量", "term_years": "流转年限"}
_TABLES = {"forest_type": FOREST_TYPES, "age_class": AGE_CLASSES, "right_type": RIGHT_TYPES}


@lru_cache(maxsize=64)
def _quantile(level: float, df: float) -> float:
    return float(stats.t.ppf(0.5 + level / 2, df))


@dataclass(frozen=True)
class Parcel:
    area_mu: Decimal | float
    forest_type: str | None = None
    species: str | None = None
    age_class: str | None = None
    volume_m3_per_mu: float | None = None
    site_class: int | None = None
    term_years: int | None = None
    right_type: str | None = None
    region_code: int | None = None


@dataclass(frozen=True)
class Estimate:
    per_mu_yuan: int
    total_yuan: int
    lower_total_yuan: int
    upper_total_yuan: int
    lower_per_mu_yuan: int
    upper_per_mu_yuan: int
    level: float
    period: str
    n: int
    r2: float
    warnings: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class ValuationModel:
    design: Design
    params: np.ndarray
    vcov: np.ndarray  # classical covariance of the parameters
    sigma2: float  # residual variance (log scale)
    df_resid: float
    n: int
    r2: float
    period: str  # "today": the latest unsuppressed quarter
    periods: tuple[str, ...]  # the fitted quarters

    def estimate(self, parcel: Parcel, level: float = 0.90, *, period: str | None = None) -> Estimate:
        """The parcel's estimate with its `level` prediction interval at `period` (default today)."""
        if not 0 < level < 1:
            raise ValueError(f"level must be between 0 and 1 (got {level})")
        area = float(parcel.area_mu)
        if not area > 0 or not math.isfinite(area):
            raise ValueError(f"area_mu must be positive (got {parcel.area_mu})")
        at = period or self.period
        if at not in self.periods:
            raise ValueError(f"period {at!r} is not among the fitted periods {self.periods[0]}…{self.periods[-1]}")
        x, extra, warnings = self._row(parcel, area, at)
        y = float(x @ self.params)
        v = float(x @ self.vcov @ x) + self.sigma2 + extra
        q = _quantile(level, self.df_resid) * math.sqrt(v)
        per_mu, lo, hi = math.exp(y), math.exp(y - q), math.exp(y + q)
        return Estimate(round(per_mu), round(per_mu * area), round(lo * area), round(hi * area), round(lo), round(hi),
                        level, at, self.n, self.r2, warnings)

    @cached_property
    def _positions(self) -> dict[str, int]:
        return {name: i for i, name in enumerate(self.design.names)}

    def _row(self, parcel: Parcel, area: float, at: str) -> tuple[np.ndarray, float, list[str]]:
        d, pos = self.design, self._positions
        county = None if parcel.region_code is None else int(parcel.region_code) // 1_000_000 * 1_000_000
        values = {"forest_type": parcel.forest_type, "species": parcel.species, "age_class": parcel.age_class,
                  "site_class": None if parcel.site_class is None else str(int(parcel.site_class)),
                  "right_type": parcel.right_type, "county": None if county is None else str(county)}
        x = np.zeros(len(d.names))
        x[pos["const"]] = 1.0
        if f"period[{at}]" in pos:
            x[pos[f"period[{at}]"]] = 1.0
        extra, warnings = 0.0, []
        for num in d.numerics:
            i = pos.get(f"ln_{num.column}")
            given = area if num.column == "area_mu" else getattr(parcel, num.column)
            if given is not None:
                v = float(given)
                value = math.log(max(v, VOLUME_FLOOR) if num.column == "volume_m3_per_mu" else v) if v > 0 else num.fill
                if i is not None:
                    x[i] = value
                continue
            if i is not None:
                x[i] = num.fill
                extra += float(self.params[i]) ** 2 * num.spread
            warnings.append(f"未提供{_TITLES[num.column]}，按样本平均水平估计，区间相应放宽")
        for fac in d.factors:
            value = values.get(fac.column)
            where = {lv: pos.get(f"{fac.column}[{lv}]") for lv in fac.levels}
            effects = {fac.reference: 0.0} | {lv: 0.0 if i is None else float(self.params[i]) for lv, i in where.items()}
            if value is not None and value in effects and value != UNKNOWN:
                if where.get(value) is not None:
                    x[where[value]] = 1.0
                if fac.column == "forest_type" and fac.counts.get(value, 0) < FEW_TYPE_SALES:
                    warnings.append("该林种样本不足，估价仅供参考")
                continue
            shares = {lv: s for lv, s in fac.shares.items() if lv != UNKNOWN} or dict(fac.shares)
            total = sum(shares.values())
            mean = sum(s / total * effects.get(lv, 0.0) for lv, s in shares.items())
            extra += sum(s / total * (effects.get(lv, 0.0) - mean) ** 2 for lv, s in shares.items())
            for lv, s in shares.items():
                if where.get(lv) is not None:
                    x[where[lv]] = s / total
            title = _TITLES[fac.column]
            if value is None:
                warnings.append(f"未提供{title}，按样本平均水平估计，区间相应放宽")
            else:
                shown = _TABLES.get(fac.column, {}).get(value, value)
                warnings.append(f"{title}「{shown}」不在成交样本中，按样本平均水平估计，区间相应放宽")
        return x, extra, warnings


def fit_valuation(df: pl.DataFrame, *, min_sales: int = MIN_SALES, min_counties: int = MIN_COUNTIES) -> ValuationModel:
    """Fit the valuation model on the sales `df` (public input schema, or normalised); a ValueError
    when no quarter is publishable (the helper has no level for "today")."""
    data = normalised(df)
    col = period_column("quarter")
    sup = support(data, "quarter", min_sales, min_counties)
    published = sup.filter(~pl.col("suppressed"))["period"].to_list()
    if not published:
        raise ValueError("no quarter has enough sales to value a parcel "
                         f"(at least {min_sales} sales from {min_counties} counties)")
    data = data.filter(pl.col(col).is_in(published))
    design, x, gram = make_design(data, period_col=col, periods=published, county=True)
    res = ols(data["log_ppm"].to_numpy(), x, gram=gram)
    fitted = [published[0], *[p for p in published[1:] if f"period[{p}]" in design.names]]
    return ValuationModel(design, np.asarray(res.params), np.asarray(res.cov_params()), float(res.scale),
                          float(res.df_resid), int(res.nobs), float(res.rsquared), fitted[-1], tuple(fitted))
