"""The sample of forest-rights deals (成交样本): one page of the sales inside the caller's scope,
filtered, sorted and paged, and the same rows for an export.

The scope's sales (of the chosen region) are read once into a polars frame (one SQL read through
the price reads' reader, data.prices.frames) and kept in a small LRU memo keyed by the database,
the region's ranges within the caller's jurisdiction (the scope is part of the key) and the
price tables' data-change token (`data.prices.frames.current`: an import, a platform transfer,
a withdrawal changes it); every page is then a filter, a sort and a slice of that frame
(milliseconds at 300,000 sales, where the same query in SQLite sorts the table on every page).

`sales_page(url, actor, region=…, kind=…, forest_type=…, source=…, date_from=…, date_to=…, sort=…,
descending=…, offset=…, limit=…)` → {"rows", "total", "offset", "limit", "region"}; a region outside
the scope is refused (OutOfScope, in the security log) and nothing is read. Money leaves as integer
fen (`price_fen`), the area as a Decimal (to the 0.01 mu stored) and the yuan per mu as a Decimal
rounded to the fen.
"""
from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

import polars as pl
from sqlalchemy import text

from data.db import engine_for
from data.prices import frames
from data.prices.cache import Memo
from domain.permissions import Action, ensure, scope_of
from domain.prices.codes import SALE_KINDS
from domain.prices.imports import SALE_SOURCES as SOURCES

#: the columns the list may be sorted by
SORTS = ("deal_on", "price_fen", "area_mu", "region_code", "volume_m3_per_mu", "id")
MAX_LIMIT = 1000
#: an export holds at most this many rows (the file a spreadsheet opens comfortably)
EXPORT_MAX = 200_000
_SQL = ("SELECT id, region_code, deal_on, kind, area_mu, price_fen, forest_type, species, age_class, volume_m3_per_mu, "
        "site_class, term_years, right_type, source, record_id, import_id FROM price_sales WHERE {where} ORDER BY id")
_SCHEMA = {"id": pl.Int64, "region_code": pl.Int64, "deal_on": pl.Date, "kind": pl.String, "area_mu": pl.Float64,
           "price_fen": pl.Int64, "forest_type": pl.String, "species": pl.String, "age_class": pl.String,
           "volume_m3_per_mu": pl.Float64, "site_class": pl.Int64, "term_years": pl.Int64, "right_type": pl.String,
           "source": pl.String, "record_id": pl.Int64, "import_id": pl.Int64}
_FEN = Decimal("0.01")
_FRAMES = Memo(8)


def _frame(url: str, spans: tuple[tuple[int, int], ...]) -> pl.DataFrame:
    """The sales inside `spans` (already the caller's), read once per data-change token."""
    tok = frames.current(url)

    def read() -> pl.DataFrame:
        where = "(" + (" OR ".join(f"region_code BETWEEN {int(a)} AND {int(b)}" for a, b in spans) or "1 = 0") + ")"
        with engine_for(url).connect() as c:  # an index range count: the bulk reader for many rows
            n = int(c.execute(text(f"SELECT COUNT(*) FROM price_sales WHERE {where}")).scalar() or 0)
        raw = frames.read_sql(url, _SQL.format(where=where), n > frames.BULK_ROWS)
        if raw.height == 0:
            return pl.DataFrame(schema=_SCHEMA)
        if raw.schema["deal_on"] == pl.String:
            raw = raw.with_columns(pl.col("deal_on").str.slice(0, 10).str.to_date("%Y-%m-%d"))
        return raw.select([pl.col(k).cast(v) for k, v in _SCHEMA.items()])

    _FRAMES.drop(lambda k: k[0] == url and k[1] == spans and k[2] != tok)
    return _FRAMES.get((url, spans, tok), read)


def clear() -> None:
    """Forget the cached frames (tests)."""
    _FRAMES.drop(lambda _k: True)


def _region(actor, region: int | None) -> int:
    """The region to list (default the scope's root); one outside the scope is refused and logged."""
    scope = scope_of(actor)
    if region is None:
        return scope.root
    ensure(actor, Action.PRICE_SALES_VIEW, {"region_code": int(region)}, noun="所选地区")
    return int(region)


def _filtered(url: str, actor, region: int, *, kind=None, forest_type=None, source=None, date_from=None,
              date_to=None) -> pl.DataFrame:
    df = _frame(url, frames.ranges(actor, region))
    cond = pl.lit(True)
    if kind:
        cond &= pl.col("kind") == kind
    if forest_type:
        cond &= pl.col("forest_type") == forest_type
    if source:
        cond &= pl.col("source") == source
    if date_from:
        cond &= pl.col("deal_on") >= date_from
    if date_to:
        cond &= pl.col("deal_on") <= date_to
    return df.filter(cond)


def _sorted(df: pl.DataFrame, sort: str, descending: bool) -> pl.DataFrame:
    col = sort if sort in SORTS else "deal_on"
    return df.sort([col, "id"], descending=[descending, descending], nulls_last=True)


def per_mu_yuan(price_fen: int, area_mu) -> Decimal:
    """Yuan per mu, exact to the fen (from integer fen and a Decimal area)."""
    return (Decimal(price_fen) / 100 / Decimal(area_mu)).quantize(_FEN, ROUND_HALF_UP)


def _row(r: dict) -> dict:
    area = Decimal(repr(r["area_mu"])).quantize(_FEN, ROUND_HALF_UP)
    return {**r, "area_mu": area, "price_per_mu": per_mu_yuan(r["price_fen"], area)}


def _checked(kind, forest_type, source) -> None:
    if kind and kind not in SALE_KINDS:
        raise ValueError(f"未知的成交类型：{kind}")
    if source and source not in SOURCES:
        raise ValueError(f"未知的来源：{source}")
    if forest_type and len(str(forest_type)) > 12:
        raise ValueError("林种代码过长")


def sales_page(url: str, actor, *, region: int | None = None, kind: str | None = None, forest_type: str | None = None,
               source: str | None = None, date_from: dt.date | None = None, date_to: dt.date | None = None,
               sort: str = "deal_on", descending: bool = True, offset: int = 0, limit: int = 100) -> dict:
    """One page of the scope's sales, newest first by default, with the total matching the filters."""
    ensure(actor, Action.PRICE_SALES_VIEW)
    _checked(kind, forest_type, source)
    region = _region(actor, region)
    limit = max(1, min(int(limit), MAX_LIMIT))
    offset = max(0, int(offset))
    df = _filtered(url, actor, region, kind=kind, forest_type=forest_type, source=source, date_from=date_from,
                   date_to=date_to)
    col = sort if sort in SORTS else "deal_on"
    order = df.select(pl.arg_sort_by([col, "id"], descending=[descending, descending], nulls_last=True))
    page = df[order.to_series().slice(offset, limit)]  # the order only, then the page's rows
    return {"rows": [_row(r) for r in page.iter_rows(named=True)], "total": df.height, "offset": offset,
            "limit": limit, "region": region}


def export_rows(url: str, actor, **filters) -> list[dict]:
    """Every sale the filters select (up to EXPORT_MAX), in the list's order, for an export."""
    filters.pop("offset", None)
    filters.pop("limit", None)
    ensure(actor, Action.PRICE_SALES_VIEW)
    _checked(filters.get("kind"), filters.get("forest_type"), filters.get("source"))
    region = _region(actor, filters.pop("region", None))
    sort, descending = filters.pop("sort", "deal_on"), filters.pop("descending", True)
    df = _sorted(_filtered(url, actor, region, **filters), sort, descending).head(EXPORT_MAX)
    return [_row(r) for r in df.iter_rows(named=True)]
