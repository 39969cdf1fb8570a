"""驾驶舱 callbacks: thin — parse the URL, ask the query layer, shape the output."""
from __future__ import annotations

from urllib.parse import parse_qs, urlencode

import dash
from dash import Input, Output, State, html, no_update
from flask_login import current_user

from components.charts import NO_LOWER_LEVEL, empty_figure
from components.dashboards.cockpit import (
    assets_map_or_bars,
    children_rows,
    kpi_row,
    top_bottom,
    trend_figure,
    warnings_table,
)
from components.export import send_table
from domain.regions import LEVEL_NAMES, VILLAGE, level_of
from domain.permissions import Action
from domain.money import period_label
from server.callbacks import clientside, secure_callback
from server.context import log_export, query_layer, settings
from server.guard import may_open

from .common import breadcrumb, child_geojson, region_from_search, register_html_slot

TREND_MONTHS = 36  # the cockpit shows three years; 保值增值 has the whole history


def period_from_search(search: str | None) -> int | None:
    values = parse_qs((search or "").lstrip("?#")).get("period")
    try:
        return int(values[0]) if values else None
    except ValueError:
        return None


def href(region: int, period: int | None, base: str = "/cockpit") -> str:
    """Where a region lives on a page. The drill-down state is in the URL's fragment (#region=…):
    it can be bookmarked and shared, and changing it does not re-run the page router."""
    q = {"region": region, **({"period": period} if period else {})}
    return f"{base}#{urlencode(q)}"


RECORDS_OF = {"total_assets": ("ledger", "total_assets"), "funds": ("ledger", "funds"),
              "receivables": ("ledger", "receivables"), "liabilities": ("ledger", "liabilities"),
              "income_operating": ("ledger", "income_operating"), "net_profit": ("ledger", "net_profit"),
              "villages": ("ledger", None), "resources": ("resources", None), "contracts": ("contracts", None),
              "trades": ("trades", None), "warnings": ("warnings", None), "asset-net": ("assets", None)}


def records_href(region: int, key: str) -> str:
    kind, figure = RECORDS_OF[key]
    return "/records#" + urlencode({"region": region, "kind": kind, **({"figure": figure} if figure else {})})


def records_link(region: int):
    """At village level every KPI card links to the records behind its figure; above, none do."""
    return (lambda key: records_href(region, key)) if level_of(region) == VILLAGE else None


def may_open_path(path: str, scope) -> bool:
    """Whether the user may open the page at `path` (a link to a page they may not open is not drawn)."""
    page = next((p for p in dash.page_registry.values() if p["path"] == path), None)
    return may_open(page, scope)


def shown_period(period: int | None, periods: list[int]) -> int | None:
    """The month the page shows: one of the data's months, or a real month before they start (the
    page then says 暂无数据); anything else (none, later, not a month) is the latest (None)."""
    if period in periods:
        return period
    if periods and period is not None and 190001 <= period < periods[0] and 1 <= period % 100 <= 12:
        return period
    return None


def _where(search):
    """(scope, query layer, region, period) from the URL fragment; the region is checked by the
    query layer, which refuses one outside the scope."""
    scope = current_user.scope
    ql = query_layer()
    region = region_from_search(search, scope)
    return scope, ql, region, shown_period(period_from_search(search), ql.periods())


@secure_callback(Action.DASHBOARD_VIEW,
                 Output("cockpit-breadcrumb", "children"), Output("cockpit-kpis-html", "data"),
                 Output("children-table", "rowData"), Output("cockpit-children-title", "children"),
                 Output("cockpit-children-note", "children"), Output("cockpit-warnings-html", "data"),
                 Input("url", "hash"))
def render(search):
    """The numbers: breadcrumb, KPI cards, the children table, the newest warnings. The charts
    come from `charts` in a parallel request, so the numbers are not held up by chart drawing."""
    scope, ql, region, period = _where(search)
    k = ql.kpis(scope, region, period)  # refuses a region outside the scope
    crumbs = breadcrumb(ql.tree, scope, region, "/cockpit")
    crumbs.append(html.Span(f"（截至{period_label(k['period'])}）", className="text-muted ms-2", id="cockpit-period"))
    level = level_of(region)
    if level < VILLAGE:
        rows, title, note = children_rows(ql.children(scope, region, k["period"])), f"下级区域：{LEVEL_NAMES[level + 1]}", ""
        if not rows:
            note = f"截至{period_label(k['period'])}，下级区域暂无数据。"
    else:
        rows, title, note = [], "下级区域", "村级为最末一级。"
    newest = warnings_table(ql.warnings(scope, region), ql.tree, may_open_path("/warnings", scope))
    return crumbs, kpi_row(k, records_link(k["region"])), rows, title, note, newest


@secure_callback(Action.DASHBOARD_VIEW,
                 Output("cockpit-trend", "figure"), Output("cockpit-map", "figure"), Output("cockpit-map-codes", "data"),
                 Output("cockpit-topbottom", "figure"), Input("url", "hash"))
def charts(search):
    """The trend, the map (or bars) of the next level down and the top and bottom villages; a region
    without books up to the month gets the empty chart (暂无数据) for each, a village for the two
    that show a next level down."""
    scope, ql, region, period = _where(search)
    at = period or ql.latest_period()
    if not ql.kpis(scope, region, at)["has_books"]:  # refuses a region outside the scope
        return empty_figure(), empty_figure(), [], empty_figure()
    periods = ql.periods()
    monthly = ql.monthly(scope, region, start=periods[-TREND_MONTHS] if len(periods) > TREND_MONTHS else None)
    if level_of(region) < VILLAGE:
        fig_map, codes = assets_map_or_bars(ql.children(scope, region, at), child_geojson(region, settings().province))
        tb = top_bottom(ql.villages(scope, region, at))
    else:
        fig_map, codes, tb = empty_figure(NO_LOWER_LEVEL), [], empty_figure(NO_LOWER_LEVEL)
    return trend_figure(monthly, period), fig_map, codes, tb


register_html_slot("cockpit-kpis")
register_html_slot("cockpit-warnings")


# A click on the map, a bar, a month or a name in the grid changes the URL fragment in the browser,
# without a round trip; `render` and `charts` then ask the server, which refuses any region outside
# the user's jurisdiction (the codes clicked on all came from scoped answers in the first place).
clientside(
    """function(mapClick, trendClick, rankClick, cell, hash, codes) {
        const ctx = window.dash_clientside.callback_context;
        if (!ctx.triggered.length) { return window.dash_clientside.no_update; }
        const source = ctx.triggered[0].prop_id.split('.')[0];
        const params = new URLSearchParams((hash || '').replace(/^#/, ''));
        let region = params.get('region'), period = params.get('period');
        const point = (v) => (v && v.points && v.points[0]) || {};
        if (source === 'cockpit-trend') {
            const p = point(trendClick); if (p.customdata) { period = String(p.customdata); }
        } else if (source === 'cockpit-map') {
            const p = point(mapClick);
            if (codes && codes.length && p.curveNumber != null && p.curveNumber < codes.length) {
                region = String(codes[p.curveNumber]);
            } else if (p.customdata) { region = String(p.customdata); }
        } else if (source === 'cockpit-topbottom') {
            const p = point(rankClick); if (p.customdata) { region = String(p.customdata); }
        } else if (source === 'children-table') {
            if (!cell || cell.colId !== 'name' || !cell.rowId) { return window.dash_clientside.no_update; }
            region = String(cell.rowId);
        }
        const q = new URLSearchParams();
        if (region) { q.set('region', region); }
        if (period) { q.set('period', period); }
        const next = '#' + q.toString();
        return next === hash ? window.dash_clientside.no_update : next;
    }""",
    Output("url", "hash", allow_duplicate=True),
    Input("cockpit-map", "clickData"), Input("cockpit-trend", "clickData"), Input("cockpit-topbottom", "clickData"),
    Input("children-table", "cellClicked"), State("url", "hash"), State("cockpit-map-codes", "data"),
    prevent_initial_call=True,
)


@secure_callback(Action.DASHBOARD_VIEW, Output("cockpit-download", "data"), Input("cockpit-export", "n_clicks"),
                 State("url", "hash"), prevent_initial_call=True)
def export(_, search):
    scope = current_user.scope
    ql = query_layer()
    region = region_from_search(search, scope)
    period = shown_period(period_from_search(search), ql.periods())
    if level_of(region) >= VILLAGE:
        return no_update
    kids = ql.children(scope, region, period)
    columns = [("name", LEVEL_NAMES[level_of(region) + 1], None), ("code", "区划代码", None),
               ("total_assets", "资产总额（元）", "fen"), ("funds", "货币资金（元）", "fen"),
               ("income_operating", "本年经营收入（元）", "fen"), ("net_profit", "本年收益（元）", "fen"),
               ("liabilities", "负债（元）", "fen"), ("villages", "村数", None)]
    title = f"{ql.tree.name(region)}下级区域（截至{period_label(period or ql.latest_period())}）"
    data = send_table(kids, columns, title)
    log_export("驾驶舱下级区域表", kids.height, region)
    return data
