"""The sample of forest-rights deals (成交样本): one page of the sales inside the caller's scope,
filtered and sorted in the database (a province holds hundreds of thousands of sales, so the page
never loads them all), and the same rows for an export.

`sales_page(url, actor, region=…, kind=…, forest_type=…, source=…, date_from=…, date_to=…, sort=…,
descending=…, offset=…, limit=…)` → {"rows", "total", "offset", "limit", "region"}; a region outside
the scope is refused (OutOfScope, in the security log) and nothing is read. Money leaves as integer
fen (`price_fen`) with the derived yuan per mu as a Decimal rounded to the fen.
"""
from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import func, select

from data.db import reading
from data.models import PriceSale
from data.scoped import in_scope
from domain.permissions import Action, ensure, scope_of
from domain.prices.codes import SALE_KINDS
from domain.prices.imports import SALE_SOURCES as SOURCES
from domain.regions import subtree_bounds

#: the columns the list may be sorted by
SORTS = {"deal_on": PriceSale.deal_on, "price_fen": PriceSale.price_fen, "area_mu": PriceSale.area_mu,
         "region_code": PriceSale.region_code, "volume_m3_per_mu": PriceSale.volume_m3_per_mu, "id": PriceSale.id}
MAX_LIMIT = 1000
#: an export holds at most this many rows (the file a spreadsheet opens comfortably)
EXPORT_MAX = 200_000
_COLUMNS = (PriceSale.id, PriceSale.region_code, PriceSale.deal_on, PriceSale.kind, PriceSale.area_mu,
            PriceSale.price_fen, PriceSale.forest_type, PriceSale.species, PriceSale.age_class,
            PriceSale.volume_m3_per_mu, PriceSale.site_class, PriceSale.term_years, PriceSale.right_type,
            PriceSale.source, PriceSale.record_id, PriceSale.import_id)
_FEN = Decimal("0.01")


def _region(actor, region: int | None) -> int:
    """The region to list (default the scope's root); one outside the scope is refused and logged."""
    scope = scope_of(actor)
    if region is None:
        return scope.root
    ensure(actor, Action.PRICE_SALES_VIEW, {"region_code": int(region)}, noun="所选地区")
    return int(region)


def _where(stmt, actor, region: int, *, kind=None, forest_type=None, source=None, date_from=None, date_to=None):
    lo, hi = subtree_bounds(region)
    stmt = stmt.where(in_scope(PriceSale.region_code, actor), PriceSale.region_code.between(lo, hi))
    if kind:
        stmt = stmt.where(PriceSale.kind == kind)
    if forest_type:
        stmt = stmt.where(PriceSale.forest_type == forest_type)
    if source:
        stmt = stmt.where(PriceSale.source == source)
    if date_from:
        stmt = stmt.where(PriceSale.deal_on >= date_from)
    if date_to:
        stmt = stmt.where(PriceSale.deal_on <= date_to)
    return stmt


def per_mu_yuan(price_fen: int, area_mu) -> Decimal:
    """Yuan per mu, exact to the fen (from integer fen and a Decimal area)."""
    return (Decimal(price_fen) / 100 / Decimal(area_mu)).quantize(_FEN, ROUND_HALF_UP)


def _row(r) -> dict:
    out = dict(r._mapping)
    out["price_per_mu"] = per_mu_yuan(out["price_fen"], out["area_mu"])
    return out


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
    col = SORTS.get(sort, PriceSale.deal_on)
    order = [col.desc() if descending else col.asc(), PriceSale.id.desc() if descending else PriceSale.id.asc()]
    filters = dict(kind=kind, forest_type=forest_type, source=source, date_from=date_from, date_to=date_to)
    with reading(url) as s:
        total = s.scalar(_where(select(func.count()).select_from(PriceSale), actor, region, **filters))
        rows = s.execute(_where(select(*_COLUMNS), actor, region, **filters).order_by(*order)
                         .offset(offset).limit(limit)).all()
    return {"rows": [_row(r) for r in rows], "total": int(total or 0), "offset": offset, "limit": limit,
            "region": region}


def export_rows(url: str, actor, **filters) -> list[dict]:
    """Every sale the filters select (up to EXPORT_MAX), in the list's order, for an export."""
    filters.pop("offset", None)
    filters.pop("limit", None)
    ensure(actor, Action.PRICE_SALES_VIEW)
    kind, forest_type, source = filters.get("kind"), filters.get("forest_type"), filters.get("source")
    _checked(kind, forest_type, source)
    region = _region(actor, filters.pop("region", None))
    sort, descending = filters.pop("sort", "deal_on"), filters.pop("descending", True)
    col = SORTS.get(sort, PriceSale.deal_on)
    with reading(url) as s:
        rows = s.execute(_where(select(*_COLUMNS), actor, region, **filters)
                         .order_by(col.desc() if descending else col.asc(), PriceSale.id)
                         .limit(EXPORT_MAX)).all()
    return [_row(r) for r in rows]
