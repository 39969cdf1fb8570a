"""The price and cost index pages' reads (Action.PRICE_INDEX_VIEW): the models of `domain.prices`
fitted on the sales inside the caller's jurisdiction, cached.

- `index_view(url, actor, *, region=None, forest_type=None, period="quarter", method="hedonic")`:
  the index of `region` (default the caller's root) and `forest_type` (None: all) by `period`
  (quarter | year) with the three methods side by side. Keys:
  `table` the chosen method's index frame (period, index, lower, upper, chained, chained_lower,
  chained_upper, n, counties, suppressed, reason); `methods` (period, hedonic, median, mix_adjusted,
  n, suppressed: the hedonic sample's n and suppression); `coefficients` (term, label, coef, se, t,
  p); `fit` (r2, adj_r2, n = the sales in the hedonic fit (suppressed periods' sales are left out),
  sales = every sale read, cov_type (Chinese label of the standard errors), suppressed = number of
  suppressed periods, periods, base_period, sigma (residual sd, log scale), min_sales,
  min_counties); `region`, `region_name`, `forest_type`, `period`, `method`; `as_of` (the
  latest deal date in the sample, None without sales); `note` (Chinese: why nothing or little is
  published — no sales, every period suppressed, the model could not be fitted — else None).
  Thin data never raises: every period comes back suppressed with its reason.
- `cost_view(url, actor, *, region=None, base_year=None)`: the forest-management cost index
  (table: period, index, n, suppressed, reason, base_year = the weight base each year used), the
  items' medians and relatives (`items`: period, item, label, unit, unit_cost_yuan, n, relative),
  the documented weights by weight base (`weights`: {2016: {...}, 2021: {...}}), `base_year` (the
  reference year = 100 actually used: the one asked for if it is published, else the first
  published year, with a `note`), `base_years` (the published years one may choose),
  `weight_base` (the weight base in force in the base year), `labels`, `region`, `region_name`.
- `regions(url, actor)`: the region selector's choices: the caller's root (and shared roots), their
  cities and counties, (code, name) in tree order; `forest_types(url, actor)`: (code, label).
- `warm(url, province=None)`: fits the province's default view in a background thread (at start).

Caching. The rows read are normalised once (`sample`, `_SAMPLES`: the quarterly and yearly fits
and the valuation model of the same rows share one read). A fit is a pure function of the rows
read, so the fitted models are memoised (`_FITS`,
bounded LRU, single flight: see data/prices/cache.py) by the database, the code ranges actually
read — the region's subtree intersected with the caller's scope (`frames.ranges`) —, the forest
type and period, and the data-change token (`frames.token`: any insert, update or delete in the
sales or cost tables misses the cache and the next read refits). The answers handed to callers are
memoised per caller scope (`_ANSWERS`, keyed by `Scope.cache_key()`, region, forest type, period
and token): two callers of different scopes never get the same cached answer object, while the
expensive fit behind them is shared only when they read exactly the same rows. Across processes
the fits and cost indexes are published in the shared store (data/prices/cache.py: JSON + Arrow
IPC, never a pickle) under the ranges read and the data token (without this process's generation;
`_shared_fit`, `_shared_cost`); `publish_defaults` (the `columnar` job) publishes the defaults.
"""
from __future__ import annotations

import logging
import threading
from dataclasses import dataclass

import numpy as np
import polars as pl

from data.prices import frames
from data.prices.cache import Memo, cost_pack, cost_unpack, index_pack, index_unpack, shared_key, shared_or, shared_token
from data.regions import load_region_tree
from domain.permissions import Action, ensure, scope_of
from domain.prices.codes import COST_ITEMS, FOREST_TYPES, MIN_COUNTIES, MIN_SALES, PERIODS
from domain.prices.cost import BASE_WEIGHTS, COST_INDEX_SCHEMA, cost_index, cost_items
from domain.prices.hedonic import COEF_SCHEMA, fit_hedonic
from domain.prices.periods import AREA_WORDS, INDEX_SCHEMA, area_unit, support
from domain.prices.schema import validate
from domain.prices.simple import median_index, mix_adjusted_index
from domain.regions import CITY, COUNTY, level_of, province_of, province_root, subtree_bounds

log = logging.getLogger(__name__)

METHODS = {"hedonic": "特征价格法（时间虚拟变量）", "median": "中位数法", "mix_adjusted": "分层加权法（拉氏）"}
ITEMS_SCHEMA = {"period": pl.String, "item": pl.String, "label": pl.String, "unit": pl.String,
                "unit_cost_yuan": pl.Float64, "n": pl.Int64, "relative": pl.Float64}
NO_SALES = "所选范围内暂无成交样本，无法编制指数"
ALL_SUPPRESSED = (f"各期成交均不足发布条件（每期至少 {MIN_SALES} 宗、来自至少 {MIN_COUNTIES} 个县，"
                  f"县内为 {MIN_COUNTIES} 个乡镇），指数不予发布")
NOT_FITTED = "样本不足以拟合特征价格模型，指数不予发布"
#: failures of a fit on thin or degenerate data (shown as suppression, never raised to the page)
FIT_ERRORS = (ValueError, ArithmeticError, np.linalg.LinAlgError)

# Small per-worker memos: the answers come from the shared store; a sample (~33 MB at 300,000 sales) is let go after a fit
_SAMPLES, _FITS, _ANSWERS, _COSTS = Memo(1), Memo(8), Memo(64), Memo(16)
#: how many fits / cost indexes this process computed because no published answer was there (tests)
SHARED_MISSES = {"index": 0, "cost": 0}


@dataclass(frozen=True)
class Fitted:
    """The three indexes of one sample (one cache entry)."""

    tables: dict  # method -> index frame (INDEX_SCHEMA columns first)
    coefficients: pl.DataFrame
    fit: dict
    as_of: object
    note: str | None


def clear() -> None:
    """Forget every cached fit and answer (tests; a writer calls frames.invalidate instead)."""
    for memo in (_SAMPLES, _FITS, _ANSWERS, _COSTS):
        memo.clear()


# ---------------------------------------------------------------- fitting

def model_input(sales: pl.DataFrame) -> pl.DataFrame:
    """The models' normalised frame (domain.prices.schema.validate) of a sales frame, priced at the
    exact stored fen (price_yuan = price_fen / 100: no rounding to the yuan, never zero)."""
    return validate(sales.with_columns(price_yuan=pl.col("price_fen").cast(pl.Float64) / 100))


def _suppressed(data: pl.DataFrame, period: str, reason: str | None) -> pl.DataFrame:
    """Every period suppressed: the thin-market rule's reason, else `reason` (no model could be fitted)."""
    sup = support(data, period)
    rows = sup.with_columns(suppressed=pl.lit(True), reason=pl.coalesce("reason", pl.lit(reason)))
    return _shape(rows)


def _shape(table: pl.DataFrame) -> pl.DataFrame:
    """The agreed index columns (missing ones null) first, in order, then any extra the model gave."""
    cols = []
    for name, dtype in INDEX_SCHEMA.items():
        cols.append(pl.col(name).cast(dtype) if name in table.columns else pl.lit(None, dtype).alias(name))
    extra = [c for c in table.columns if c not in INDEX_SCHEMA]
    return table.select(*cols, *extra)


@dataclass(frozen=True)
class Sample:
    """The sales of one read, normalised for the models (None: no sales, or rows the models refuse)."""

    data: pl.DataFrame | None
    as_of: object  # the latest deal date
    sales: int  # rows read


def _sample(sales: pl.DataFrame) -> Sample:
    if sales.height == 0:
        return Sample(None, None, 0)
    try:
        data = model_input(sales)
    except ValueError as e:  # a stored row the models refuse (the import checks should prevent it)
        log.warning("price sales refused by the models' schema (%d rows): %s", sales.height, e)
        data = None
    return Sample(data, sales["date"].max(), sales.height)


def sample(url: str, spans: tuple, forest_type: str | None, tok: tuple) -> Sample:
    """The memoised sample of the sales inside `spans` (read once for the quarterly and the yearly
    fits and the valuation model of the same rows)."""
    _SAMPLES.drop(lambda k: k[0] == url and k[-1] != tok)
    return _SAMPLES.get((url, spans, forest_type, tok), lambda: _sample(frames.read_sales(url, spans, forest_type)))


def _fit_all(smp: Sample, period: str) -> Fitted:
    """The hedonic, median and mix-adjusted indexes of the sample (never raises on thin data)."""
    fit = dict(r2=None, adj_r2=None, n=0, cov_type=None, suppressed=0, periods=0, min_sales=MIN_SALES,
               min_counties=MIN_COUNTIES, base_period=None, sigma=None, sales=smp.sales, area="县")
    empty_coef = pl.DataFrame(schema=COEF_SCHEMA)
    if smp.data is None:
        empty = pl.DataFrame(schema=INDEX_SCHEMA)
        return Fitted(dict.fromkeys(METHODS, empty), empty_coef, fit, smp.as_of, NOT_FITTED if smp.sales else NO_SALES)
    as_of, data = smp.as_of, smp.data
    fit["area"] = AREA_WORDS[area_unit(data)]  # the contributing areas the thin-market rule counts
    tables: dict[str, pl.DataFrame] = {}
    coefficients = empty_coef
    note = None
    try:
        h = fit_hedonic(data, period)
        tables["hedonic"] = _shape(h.index)
        coefficients = h.coefficients
        fit.update(r2=_num(h.r2), adj_r2=_num(h.adj_r2), n=int(h.n), cov_type=h.cov_type, base_period=h.base_period,
                   sigma=_num(h.sigma))
    except FIT_ERRORS as e:
        log.info("hedonic fit refused (%d sales, %s): %s", smp.sales, period, e)
        note = NOT_FITTED
    for name, fn in (("median", median_index), ("mix_adjusted", mix_adjusted_index)):
        try:
            tables[name] = _shape(fn(data, period))
        except FIT_ERRORS as e:
            log.info("%s index refused (%d sales, %s): %s", name, smp.sales, period, e)
    for name in METHODS:
        if name not in tables:
            tables[name] = _suppressed(data, period, NOT_FITTED)
    hedonic = tables["hedonic"]
    fit.update(suppressed=int(hedonic["suppressed"].sum()), periods=hedonic.height)
    if hedonic.height and bool(hedonic["suppressed"].all()):
        rule = support(data, period)
        note = ALL_SUPPRESSED if bool(rule["suppressed"].all()) else (note or NOT_FITTED)
    return Fitted(tables, coefficients, fit, as_of, note)


def _num(v):
    return None if v is None or not np.isfinite(v) else float(v)


def _methods(tables: dict) -> pl.DataFrame:
    h = tables["hedonic"]
    out = h.select("period", pl.col("index").alias("hedonic"), "n", "suppressed")
    for name in ("median", "mix_adjusted"):
        out = out.join(tables[name].select("period", pl.col("index").alias(name)), on="period", how="full",
                       coalesce=True)
    return out.select("period", "hedonic", "median", "mix_adjusted", "n", "suppressed").sort("period")


def _check(period: str, method: str) -> None:
    if period not in PERIODS:
        raise ValueError(f"未知的指数周期：{period}（可选：{'、'.join(PERIODS.values())}）")
    if method not in METHODS:
        raise ValueError(f"未知的编制方法：{method}（可选：{'、'.join(METHODS.values())}）")


def fitted(url: str, spans: tuple, forest_type: str | None, period: str, tok: tuple | None = None) -> Fitted:
    """The memoised fit of the sales inside `spans` (the caller's ranges: see `frames.ranges`)."""
    tok = tok if tok is not None else frames.current(url)
    key = ("index", url, spans, forest_type, period, tok)
    _FITS.drop(lambda k: k[0] == "index" and k[1] == url and k[-1] != tok)
    return _FITS.get(key, lambda: _fit_all(sample(url, spans, forest_type, tok), period))


def _index_key(url: str, spans: tuple, forest_type: str | None, period: str, tok: tuple) -> str:
    return shared_key("price-index", url, spans, forest_type, period, shared_token(tok))


def _fitted_from(got) -> Fitted | None:
    fields = index_unpack(got, METHODS, INDEX_SCHEMA)
    return None if fields is None else Fitted(**fields)


def _shared_fit(url: str, spans: tuple, forest_type: str | None, period: str, tok: tuple) -> Fitted:
    """The fit published in the shared store for exactly these rows (the ranges read: the region's
    subtree within the caller's scope) and token, else fitted here, published, and the sample let go."""
    f = shared_or(url, _index_key(url, spans, forest_type, period, tok), _fitted_from, index_pack,
                  lambda: fitted(url, spans, forest_type, period, tok), SHARED_MISSES, "index")
    _SAMPLES.drop(lambda k: k[1] == spans and k[2] == forest_type)  # published: the rows are let go
    return f


def _shared_cost(url: str, spans: tuple, base_year: int | None, tok: tuple) -> dict:
    key = shared_key("price-cost", url, spans, base_year, shared_token(tok))
    return shared_or(url, key, lambda got: cost_unpack(got, COST_INDEX_SCHEMA), cost_pack,
                     lambda: _cost_all(frames.read_costs(url, spans), base_year), SHARED_MISSES, "cost")


def index_view(url: str, actor, *, region: int | None = None, forest_type: str | None = None,
               period: str = "quarter", method: str = "hedonic") -> dict:
    """The price index page's data (see the module docstring for the keys)."""
    _check(period, method)
    forest_type = frames.check_forest_type(forest_type)
    region = frames.resolve(actor, Action.PRICE_INDEX_VIEW, region)
    tok = frames.current(url)
    spans = frames.ranges(actor, region)
    key = (url, scope_of(actor).cache_key(), region, forest_type, period, tok)
    _ANSWERS.drop(lambda k: k[0] == url and k[-1] != tok)
    f = _ANSWERS.get(key, lambda: _shared_fit(url, spans, forest_type, period, tok))
    return dict(table=f.tables[method], methods=_methods(f.tables), coefficients=f.coefficients, fit=dict(f.fit),
                region=region, region_name=region_name(region), forest_type=forest_type, period=period, method=method,
                as_of=f.as_of, note=f.note)


# ---------------------------------------------------------------- cost index

def _cost_all(obs: pl.DataFrame, base_year: int | None) -> dict:
    out = dict(table=pl.DataFrame(schema=COST_INDEX_SCHEMA), items=pl.DataFrame(schema=ITEMS_SCHEMA),
               weights={b: dict(w) for b, w in BASE_WEIGHTS.items()}, base_year=base_year, base_years=[], note=None,
               weight_base=None,
               labels={k: {"label": v[0], "unit": v[1]} for k, v in COST_ITEMS.items()})
    if obs.height == 0:
        out["note"] = "所选范围内暂无营林成本观测，无法编制成本指数"
        return out
    try:
        default = cost_index(obs, period="year")
        years = [int(p) for p in default.filter(~pl.col("suppressed"))["period"].to_list()]
        chosen = base_year if base_year in years else (years[0] if years else None)
        table = default if chosen is None or chosen == years[0] else cost_index(obs, period="year", base_year=chosen)
        # the items' costs and relatives only in the years whose index is published (the thin-market rule
        # holds for the items too: a suppressed year shows no figure of its few observations)
        items = cost_items(obs, period="year").with_columns(
            [pl.when(pl.col("period").is_in([str(y) for y in years])).then(pl.col(c)).otherwise(None).alias(c)
             for c in ("unit_cost_yuan", "relative")])
        out.update(table=table, base_year=chosen, base_years=years, items=items,
                   weight_base=None if chosen is None else weight_base(chosen))
        if not years:
            out["note"] = "各年成本观测均不足发布条件，成本指数不予发布"
        elif base_year is not None and base_year != chosen:
            out["note"] = f"{base_year} 年无可发布的成本指数，不能作为基期；已按 {chosen} 年为基期显示"
    except FIT_ERRORS as e:
        log.info("cost index refused (%d observations): %s", obs.height, e)
        out["note"] = "成本观测不足以编制成本指数"
    return out


def weight_base(year: int) -> int:
    """The weight base (a key of BASE_WEIGHTS) in force in `year` (the latest base not after it)."""
    earlier = [b for b in sorted(BASE_WEIGHTS) if b <= year]
    return earlier[-1] if earlier else min(BASE_WEIGHTS)


def cost_view(url: str, actor, *, region: int | None = None, base_year: int | None = None) -> dict:
    """The cost index of `region` (default the caller's root) at `base_year` (None: the default base)."""
    if base_year not in (None, ""):
        try:
            base_year = int(base_year)
        except (TypeError, ValueError):
            raise ValueError(f"基期年份无效：{base_year}") from None
    else:
        base_year = None
    region = frames.resolve(actor, Action.PRICE_INDEX_VIEW, region)
    tok = frames.current(url)
    spans = frames.ranges(actor, region)
    key = ("cost", url, scope_of(actor).cache_key(), spans, base_year, tok)
    _COSTS.drop(lambda k: k[1] == url and k[-1] != tok)
    got = _COSTS.get(key, lambda: _shared_cost(url, spans, base_year, tok))
    return {**got, "region": region, "region_name": region_name(region)}


# ---------------------------------------------------------------- selectors

def region_name(code: int) -> str:
    try:
        return load_region_tree(province_of(code)).name(code)
    except ValueError:
        return str(code)


def regions(url: str, actor, *, action: Action = Action.PRICE_INDEX_VIEW) -> list[tuple[int, str]]:
    """(code, name) of the caller's root(s), their cities and counties, in tree order."""
    ensure(actor, action)
    out: list[tuple[int, str]] = []
    for root in scope_of(actor).roots:
        try:
            tree = load_region_tree(province_of(root))
        except ValueError:
            out.append((int(root), str(root)))
            continue
        out.append((int(root), tree.name(root)))
        if level_of(root) < COUNTY:
            below = tree.descendants(root).filter(pl.col("level").is_in([CITY, COUNTY]))
            out.extend((int(c), n) for c, n in zip(below["code"].to_list(), below["name"].to_list()))
    return out


def forest_types(url: str, actor, *, action: Action = Action.PRICE_INDEX_VIEW) -> list[tuple[str, str]]:
    """(code, label) of the forest types the selector offers (all of domain.prices.codes.FOREST_TYPES)."""
    ensure(actor, action)
    return list(FOREST_TYPES.items())


# ---------------------------------------------------------------- warm-up

def _province_spans(url: str, province: int | None) -> tuple | None:
    """The ranges of the province's subtree (`province`, else that of the first sale; None: no sales)."""
    if province is None:
        first = frames.read_sql(url, "SELECT MIN(region_code) AS code FROM price_sales")
        if not first.height or first["code"][0] is None:
            return None
        province = province_of(int(first["code"][0]))
    root = province_root(province)
    return frames.ranges(_Everywhere(root), root)


def publish_defaults(url: str, province: int | None = None) -> dict:
    """The province's default views (all types, by quarter and by year; the cost index at its
    default base) computed and published in the shared store unless already there for the current
    token — the job process's `columnar` job runs it after data changes, so no web worker fits them."""
    if (spans := _province_spans(url, province)) is None:
        return {"prices": "no sales"}
    tok, before = frames.current(url), dict(SHARED_MISSES)
    for period in ("quarter", "year"):
        shared_or(url, _index_key(url, spans, None, period, tok), _fitted_from, index_pack,
                  lambda p=period: _fit_all(sample(url, spans, None, tok), p), SHARED_MISSES, "index")
    _shared_cost(url, spans, None, tok)
    _SAMPLES.clear()  # the job process keeps no sample either
    return {"prices": {k: SHARED_MISSES[k] - before[k] for k in SHARED_MISSES}}


def warm(url: str, province: int | None = None) -> threading.Thread:
    """Fits (or reads, when published) the province's default view (all types, by quarter) and the
    valuation model of the province's sales in a background thread, so the first page a
    province-level viewer opens need not wait (at 300,000 sales about 10–15 s of one core)."""
    def run():
        try:
            if (spans := _province_spans(url, province)) is None:
                return
            tok = frames.current(url)
            _shared_fit(url, spans, None, "quarter", tok)  # published: other processes read it
            from data.prices.valuation import model  # the valuation helper's model of the same rows

            model(url, spans, tok)
        except Exception:  # a warm-up failing must not stop the start; the page fits on demand
            log.exception("price index warm-up failed")

    t = threading.Thread(target=run, name="price-index-warm", daemon=True)
    t.start()
    return t


@dataclass(frozen=True)
class _Everywhere:
    """The warm-up's reach (a province subtree): only its ranges are read, never handed to anyone."""

    root: int

    @property
    def ranges(self):
        return (subtree_bounds(self.root),)
