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
- `token(url)`: a data-change token of both tables (highest id, row count and latest `updated_at`
  of each: an insert, a delete or an update anywhere changes it), plus a generation a writer may
  bump with `invalidate(url)` (a version token in the shared store, data/runtime/shared.py, so a
  bump in one worker is seen by every worker and machine at its next read). `current(url)` is
  the token the model reads' caches compare on every call: the highest ids are read every time
  (an index look-up), the counts and the latest `updated_at` — scans: COUNT(*) is one on
  PostgreSQL (~15 ms at 100,000 sales), and there is no index on `updated_at` (~50 ms at 300,000
  sales on SQLite) — at most every `UPDATE_CHECK_S` seconds per database, and at once after
  `invalidate(url)`. So a new row is seen by the next read; a deleted row or an update of a row in
  place within `UPDATE_CHECK_S` seconds, or at once when its writer calls `invalidate(url)` after
  the commit.

Every read ensures the action (default `PRICE_INDEX_VIEW`; the valuation helper reads with
`PRICE_VALUATE`) on the region, so a region outside the caller's scope is refused
(`OutOfScope`, reported to the security log) and nothing is read.
"""
from __future__ import annotations

import tempfile
import time

import polars as pl
from sqlalchemy import text

from data.db import engine_for
from data.query.reads import Reader
from domain.permissions import Action, ensure, scope_of
from domain.prices.codes import FOREST_TYPES
from domain.regions import subtree_bounds
from data import forksafe

SALES_COLUMNS = ("date", "region_code", "area_mu", "price_yuan", "forest_type", "species", "age_class",
                 "volume_m3_per_mu", "site_class", "term_years", "right_type")
SALES_SCHEMA = {"id": pl.Int64, "date": pl.Date, "region_code": pl.Int64, "area_mu": pl.Float64,
                "price_yuan": pl.Int64, "price_fen": pl.Int64, "forest_type": pl.String, "species": pl.String,
                "age_class": pl.String, "volume_m3_per_mu": pl.Float64, "site_class": pl.Int64,
                "term_years": pl.Int64, "right_type": pl.String, "kind": pl.String, "source": pl.String}
COST_SCHEMA = {"id": pl.Int64, "date": pl.Date, "region_code": pl.Int64, "item": pl.String,
               "unit_cost_fen": pl.Int64, "unit_cost_yuan": pl.Float64}
_TABLES = ("price_sales", "price_cost_observations")
#: how long the counts and latest `updated_at` (scans) are reused by `current` before they are read again
UPDATE_CHECK_S = 2.0
#: a read of more sales than this goes through the bulk reader (on SQLite: connectorx in a child process)
BULK_ROWS = 50_000
_GENERATION = {"n": 0}
_SLOW: dict[str, tuple[float, int, tuple]] = {}  # url -> (monotonic time read, generation, counts and updated_at)
_LOCK = forksafe.Lock()


def invalidate(url: str | None = None) -> None:
    """Change the token (the generation is global: every database's), so the next read refits;
    `current` re-reads the counts and latest `updated_at` (of `url`, or of every database) at once.
    With `url`, its shared version is bumped too: every process refits."""
    if url is not None:
        from data.runtime.shared import for_url

        for_url(url).bump("price-frames")
    with _LOCK:
        _GENERATION["n"] += 1
        if url is None:
            _SLOW.clear()
        else:
            _SLOW.pop(url, None)


def _scalar(v):
    return v if v is None or isinstance(v, int) else str(v)


def _one(url: str, parts: str) -> tuple:
    with engine_for(url).connect() as c:
        return tuple(_scalar(v) for v in c.execute(text(f"SELECT {parts}")).one())


def _ids(url: str) -> tuple:
    return _one(url, ", ".join(f"(SELECT MAX(id) FROM {t})" for t in _TABLES))


def _slow(url: str) -> tuple:
    return _one(url, ", ".join(f"(SELECT COUNT(*) FROM {t}), (SELECT MAX(updated_at) FROM {t})" for t in _TABLES))


def token(url: str) -> tuple:
    """(max id of the sales, of the cost observations; count and latest `updated_at` of the sales,
    of the cost observations; the generation) — every part read now."""
    return (*_ids(url), *_slow(url), _generation(url))


def _generation(url: str) -> tuple[int, int]:
    """This process's generation and the database's shared version (bumped by any process)."""
    from data.runtime.shared import for_url

    return _GENERATION["n"], for_url(url).version("price-frames")


def current(url: str) -> tuple:
    """The token the caches compare, shaped like `token` (see the module docstring: the counts and
    `updated_at` re-read at most every `UPDATE_CHECK_S` seconds, at once after `invalidate`)."""
    ids = _ids(url)
    gen = _generation(url)
    now = time.monotonic()
    got = _SLOW.get(url)
    if got is None or got[1] != gen or now - got[0] >= UPDATE_CHECK_S:
        got = (now, gen, _slow(url))
        with _LOCK:
            _SLOW[url] = got
    return (*ids, *got[2], gen)


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


def read_sql(url: str, sql: str, bulk: bool = False) -> pl.DataFrame:
    reader = Reader(url, tempfile.gettempdir())
    return reader.read_bulk(sql) if bulk else reader.read(sql)


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


def read_sales(url: str, spans: tuple[tuple[int, int], ...], forest_type: str | None = None, *,
               bulk: bool | None = None) -> pl.DataFrame:
    """The sales inside `spans` (already the caller's: see `ranges`) — the read behind `sales_frame`.
    `bulk`: through the bulk reader (Arrow-native, on SQLite in a child process); None: when more
    than BULK_ROWS sales lie inside `spans` (an index range count first)."""
    where = _where(spans)
    if forest_type is not None:
        where += f" AND forest_type = '{check_forest_type(forest_type)}'"  # a code from FOREST_TYPES: safe to inline
    if bulk is None:
        bulk = _one(url, f"(SELECT COUNT(*) FROM price_sales WHERE {where})")[0] > BULK_ROWS
    frame = read_sql(url, "SELECT id, deal_on AS date, region_code, area_mu, price_fen, forest_type, species, age_class, "
                          "volume_m3_per_mu, site_class, term_years, right_type, kind, source "
                          f"FROM price_sales WHERE {where} ORDER BY id", bulk)
    if frame.height:
        frame = frame.with_columns(price_yuan=(pl.col("price_fen").cast(pl.Int64) + 50) // 100)
    return _typed(frame, SALES_SCHEMA)


def read_costs(url: str, spans: tuple[tuple[int, int], ...]) -> pl.DataFrame:
    frame = read_sql(url, "SELECT id, observed_on AS date, region_code, item, unit_cost_fen FROM price_cost_observations "
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
