"""The price models' samples as polars frames, read inside the caller's jurisdiction.

- `sales_frame(url, actor, region=None, forest_type=None)`: the forest-rights sales of `region`
  (default the caller's root) in the public input schema of `domain.prices.price_index` (date,
  region_code, area_mu, price_yuan, forest_type, species, age_class, volume_m3_per_mu, site_class,
  term_years, right_type) plus id, kind, source and price_fen (the stored whole-deal price; the
  model's price_yuan is it rounded to the yuan). One SQL read restricted to the region's subtree
  and the caller's scope (the same ranges as `data.scoped.in_scope`), through the query layer's
  reader (`data.query.reads.Reader.read`: in-process on SQLite, connectorx on PostgreSQL).
- `cost_frame(url, actor, region=None)`: the cost observations the same way (date, region_code,
  item, unit_cost_fen, unit_cost_yuan, id).
- `token(url)`: a cheap data-change token of both tables (highest id, row count and latest
  `updated_at` of each: an insert, a delete or an update anywhere changes it), plus a generation
  a writer may bump with `invalidate(url)`. The model reads' caches compare it on every call.

Every read ensures the action (default `PRICE_INDEX_VIEW`; the valuation helper reads with
`PRICE_VALUATE`) on the region, so a region outside the caller's scope is refused
(`OutOfScope`, reported to the security log) and nothing is read.
"""
from __future__ import annotations

import tempfile
import threading

import polars as pl
from sqlalchemy import text

from data.db import engine_for
from data.query.reads import Reader
from domain.permissions import Action, ensure, scope_of
from domain.prices.codes import FOREST_TYPES
from domain.regions import subtree_bounds

SALES_COLUMNS = ("date", "region_code", "area_mu", "price_yuan", "forest_type", "species", "age_class",
                 "volume_m3_per_mu", "site_class", "term_years", "right_type")
SALES_SCHEMA = {"id": pl.Int64, "date": pl.Date, "region_code": pl.Int64, "area_mu": pl.Float64,
                "price_yuan": pl.Int64, "price_fen": pl.Int64, "forest_type": pl.String, "species": pl.String,
                "age_class": pl.String, "volume_m3_per_mu": pl.Float64, "site_class": pl.Int64,
                "term_years": pl.Int64, "right_type": pl.String, "kind": pl.String, "source": pl.String}
COST_SCHEMA = {"id": pl.Int64, "date": pl.Date, "region_code": pl.Int64, "item": pl.String,
               "unit_cost_fen": pl.Int64, "unit_cost_yuan": pl.Float64}
_TABLES = ("price_sales", "price_cost_observations")
_GENERATION = {"n": 0}
_LOCK = threading.Lock()


def invalidate(url: str | None = None) -> None:
    """Change the token (of every database: the generation is global), so the next read refits."""
    with _LOCK:
        _GENERATION["n"] += 1


def token(url: str) -> tuple:
    """(max id, count, max updated_at) of the sales and of the cost observations, and the generation."""
    parts = ", ".join(f"(SELECT MAX(id) FROM {t}), (SELECT COUNT(*) FROM {t}), (SELECT MAX(updated_at) FROM {t})"
                      for t in _TABLES)
    with engine_for(url).connect() as c:
        row = c.execute(text(f"SELECT {parts}")).one()
    return (*(str(v) if v is not None and not isinstance(v, int) else v for v in row), _GENERATION["n"])


def ranges(who, region: int) -> tuple[tuple[int, int], ...]:
    """The region's subtree intersected with the caller's jurisdiction (closed code ranges, sorted)."""
    lo, hi = subtree_bounds(int(region))
    out = {(max(lo, a), min(hi, b)) for a, b in scope_of(who).ranges if max(lo, a) <= min(hi, b)}
    return tuple(sorted(out))


def resolve(who, action: Action, region: int | None) -> int:
    """The region a read covers (default the caller's root), after `ensure(who, action, region)`."""
    if region is not None:
        try:
            region = int(region)
        except (TypeError, ValueError):
            raise ValueError(f"区域代码无效：{region}") from None
    region = int(region if region is not None else scope_of(who).root)
    ensure(who, action, {"region_code": region}, noun=f"区域 {region}")
    return region


def check_forest_type(forest_type: str | None) -> str | None:
    if forest_type in (None, ""):
        return None
    if forest_type not in FOREST_TYPES:
        raise ValueError(f"未知的林种：{forest_type}（可选：{'、'.join(FOREST_TYPES.values())}）")
    return forest_type


def _where(spans: tuple[tuple[int, int], ...]) -> str:
    """The WHERE clause of the ranges (integers only: safe to inline)."""
    if not spans:
        return "1 = 0"
    return "(" + " OR ".join(f"region_code BETWEEN {int(a)} AND {int(b)}" for a, b in spans) + ")"


def _read(url: str, sql: str) -> pl.DataFrame:
    return Reader(url, tempfile.gettempdir()).read(sql)


def _typed(frame: pl.DataFrame, schema: dict) -> pl.DataFrame:
    if frame.height == 0:
        return pl.DataFrame(schema=schema)
    casts = []
    for name, dtype in schema.items():
        col = pl.col(name)
        if dtype == pl.Date and frame.schema[name] == pl.String:
            col = col.str.slice(0, 10).str.to_date("%Y-%m-%d")
        casts.append(col.cast(dtype).alias(name))
    return frame.select(casts)


def read_sales(url: str, spans: tuple[tuple[int, int], ...], forest_type: str | None = None) -> pl.DataFrame:
    """The sales inside `spans` (already the caller's: see `ranges`) — the read behind `sales_frame`."""
    where = _where(spans)
    if forest_type is not None:
        where += f" AND forest_type = '{check_forest_type(forest_type)}'"  # a code from FOREST_TYPES: safe to inline
    frame = _read(url, "SELECT id, deal_on AS date, region_code, area_mu, price_fen, forest_type, species, age_class, "
                       "volume_m3_per_mu, site_class, term_years, right_type, kind, source "
                       f"FROM price_sales WHERE {where} ORDER BY id")
    if frame.height:
        frame = frame.with_columns(price_yuan=(pl.col("price_fen").cast(pl.Int64) + 50) // 100)
    return _typed(frame, SALES_SCHEMA)


def read_costs(url: str, spans: tuple[tuple[int, int], ...]) -> pl.DataFrame:
    frame = _read(url, "SELECT id, observed_on AS date, region_code, item, unit_cost_fen FROM price_cost_observations "
                       f"WHERE {_where(spans)} ORDER BY id")
    if frame.height:
        frame = frame.with_columns(unit_cost_yuan=pl.col("unit_cost_fen").cast(pl.Float64) / 100)
    return _typed(frame, COST_SCHEMA)


def sales_frame(url: str, actor, region: int | None = None, forest_type: str | None = None, *,
                action: Action = Action.PRICE_INDEX_VIEW) -> pl.DataFrame:
    """The sales of `region` (default the caller's root) of `forest_type` (None: every type), scoped."""
    forest_type = check_forest_type(forest_type)
    region = resolve(actor, action, region)
    return read_sales(url, ranges(actor, region), forest_type)


def cost_frame(url: str, actor, region: int | None = None, *, action: Action = Action.PRICE_INDEX_VIEW) -> pl.DataFrame:
    """The cost observations of `region` (default the caller's root), scoped."""
    region = resolve(actor, action, region)
    return read_costs(url, ranges(actor, region))
