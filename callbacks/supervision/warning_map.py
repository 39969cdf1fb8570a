"""预警热力图 callbacks: thin — parse the URL, ask data/supervision/analysis.py for the scoped aggregations,
shape the figures and grids. Drill-down state is the URL fragment (#region=…), as on the cockpit."""
from __future__ import annotations

import polars as pl
from dash import Input, Output, State, ctx

from components.charts import NO_LOWER_LEVEL, empty_figure
from components.dashboards.warning_map import (
    close_time_figure,
    heatmap_figure,
    kpi_row,
    trend_figure,
    warnings_map_or_bars,
)
from components.export import send_table
from data.supervision import analysis
from domain.permissions import Action, may
from domain import clock
from domain.regions import VILLAGE, level_of, subtree_bounds
from data.regions import load_region_tree
from domain.supervision.lifecycle import rule_info
from server.callbacks import clientside, secure_callback
from server.context import log_export, settings

from ..common import breadcrumb, child_geojson, current_actor, region_from_search

TREND_MONTHS = 24
RATING_ROWS = 2000



def _where(hash_):
    """(actor, tree, region) from the URL fragment; a region outside the scope is refused."""
    actor = current_actor()
    region = actor.scope.require(region_from_search(hash_, actor.scope))
    return actor, load_region_tree(settings().province), region


def _frame(actor):
    return analysis.frame(settings().database_url, actor.scope)


@secure_callback(Action.WARNING_MAP_VIEW, Output("wmap-breadcrumb", "children"), Output("wmap-kpis", "children"),
                 Output("wmap-ratings", "rowData"), Input("url", "hash"), Input("wmap-status", "value"))
def render(hash_, _status):
    actor, tree, region = _where(hash_)
    f = _frame(actor)
    today = clock.today()
    villages = analysis.supervised_villages(settings().database_url, actor.scope)
    rated = analysis.ratings(f, tree, region, today, villages)
    crumbs = breadcrumb(tree, actor.scope, region, "/warning-map")
    # the grid carries the worst villages (a province has ~12k; the export has them all)
    return (crumbs, kpi_row(analysis.kpis(f, region, today, rated), has_villages(villages, region)),
            rated.head(RATING_ROWS).to_dicts())


def has_villages(villages: frozenset[int], region: int) -> bool:
    """Whether any village of the region's subtree is on the platform (else the page says 暂无数据)."""
    lo, hi = subtree_bounds(region)
    return any(lo <= v <= hi for v in villages)


@secure_callback(Action.WARNING_MAP_VIEW, Output("wmap-heatmap", "figure"), Output("wmap-map", "figure"),
                 Output("wmap-codes", "data"), Output("wmap-trend", "figure"), Output("wmap-close-time", "figure"),
                 Input("url", "hash"), Input("wmap-status", "value"))
def charts(hash_, status):
    actor, tree, region = _where(hash_)
    f = _frame(actor)
    status = "all" if status == "all" else "open"
    villages = analysis.supervised_villages(settings().database_url, actor.scope)
    if not has_villages(villages, region):
        return empty_figure(height=260), empty_figure(), [], empty_figure(), empty_figure()
    hm = analysis.heatmap(f, tree, region, status)
    heat = heatmap_figure(hm, status)
    if level_of(region) < VILLAGE:
        fig_map, codes = warnings_map_or_bars(analysis.per_village(f, tree, region, villages),
                                              child_geojson(region, settings().province))
    else:
        fig_map, codes = empty_figure(NO_LOWER_LEVEL), []
    trend = trend_figure(analysis.trend(f, region, clock.today(), TREND_MONTHS))
    close = close_time_figure(analysis.close_time(f, tree, region))
    return heat, fig_map, codes, trend, close


def cell_from_click(click, hm: dict) -> tuple[int, str] | None:
    """(region code, rule id) of the clicked heatmap cell. Dash reports a heatmap point's labels
    (x: the rule's name, y: the region's name), not its customdata: map them back through the same
    heatmap the user sees."""
    try:
        point = click["points"][0]
        x, y = point["x"], point["y"]
    except (KeyError, IndexError, TypeError):
        return None
    code = dict(zip(hm["row_names"], hm["row_codes"])).get(y)
    rule = dict(zip(hm["col_names"], hm["col_ids"])).get(x)
    return (int(code), rule) if code is not None and rule else None


@secure_callback(Action.WARNING_MAP_VIEW, Output("wmap-cell-title", "children"), Output("wmap-cell-grid", "rowData"),
                 Output("wmap-cell", "data"), Input("wmap-heatmap", "clickData"), Input("url", "hash"),
                 Input("wmap-status", "value"))
def cell(click, hash_, status):
    """The warnings behind the clicked cell; before any click (or after the region changed), all
    warnings of the region."""
    actor, tree, region = _where(hash_)
    status = "all" if status == "all" else "open"
    picked = None
    if ctx.triggered_id == "wmap-heatmap" and click:
        picked = cell_from_click(click, analysis.heatmap(_frame(actor), tree, region, status))
    code, rule = picked if picked else (region, None)
    actor.scope.require(code)
    rows = _cell_rows(actor, tree, code, rule, status)
    what = "未关闭的预警" if status == "open" else "预警"
    if rule:
        title = f"预警明细：{tree.name(code)} · {rule_info(rule)['name']}（{what} {len(rows):,} 条）"
    else:
        title = f"预警明细：{tree.name(code)}全部{what}（{len(rows):,} 条；点击热力图中的格子筛选）"
    return title, rows, {"region": code, "rule": rule, "status": status}


def _cell_rows(actor, tree, code: int, rule: str | None, status: str) -> list[dict]:
    frame = analysis.cell_rows(_frame(actor), tree, code, rule, status, clock.today())
    rows = frame.with_columns(pl.col("raised_on").cast(pl.String)).select(
        "id", "rule_name", "severity", "severity_label", "status_label", "region_name", "title", "raised_on",
        "assigned_name", "overdue_label").to_dicts()
    if may(actor, Action.WARNING_WORK):
        for r in rows:
            r["link"] = f"[处置](/warnings#warning={r['id']})"
    return rows


CELL_EXPORT = [("id", "编号", None), ("rule_name", "规则", None), ("severity_label", "级别", None),
               ("status_label", "状态", None), ("region_name", "村（社区）", None), ("region_code", "区划代码", None),
               ("title", "预警内容", None), ("raised_on", "发现日期", None), ("due_on", "办理期限", None),
               ("assigned_name", "责任单位", None), ("overdue_label", "逾期", None)]
RATING_EXPORT = [("rating_label", "评级", None), ("name", "村（社区）", None), ("code", "区划代码", None),
                 ("township", "乡（镇）", None), ("open", "未关闭预警（条）", None), ("high", "高级别（条）", None),
                 ("overdue", "逾期（条）", None), ("reasons", "评级理由", None)]


@secure_callback(Action.WARNING_MAP_VIEW, Output("wmap-download", "data"), Input("wmap-export-cell", "n_clicks"),
                 Input("wmap-export-ratings", "n_clicks"), State("wmap-cell", "data"), State("url", "hash"),
                 prevent_initial_call=True)
def export(_cell_clicks, _rating_clicks, picked, hash_):
    actor, tree, region = _where(hash_)
    today = clock.today()
    f = _frame(actor)
    if ctx.triggered_id == "wmap-export-ratings":
        villages = analysis.supervised_villages(settings().database_url, actor.scope)
        frame = analysis.ratings(f, tree, region, today, villages)
        title = f"{tree.name(region)}村级预警评级（截至{today.isoformat()}）"
        log_export("村级预警评级", frame.height, region)
        return send_table(frame, RATING_EXPORT, title)
    picked = picked or {}
    code = actor.scope.require(int(picked.get("region") or region))
    rule = picked.get("rule")
    status = "all" if picked.get("status") == "all" else "open"
    frame = analysis.cell_rows(f, tree, code, rule, status, today).with_columns(
        pl.col("raised_on").cast(pl.String), pl.col("due_on").cast(pl.String))
    title = f"{tree.name(code)}预警明细（截至{today.isoformat()}）"
    log_export("预警明细", frame.height, code)
    return send_table(frame, CELL_EXPORT, title)


# A click on the map or a bar changes the URL fragment in the browser; the callbacks above then ask
# the server, which refuses any region outside the user's jurisdiction.
clientside(
    """function(mapClick, hash, codes) {
        const p = (mapClick && mapClick.points && mapClick.points[0]) || {};
        let region = null;
        if (codes && codes.length && p.curveNumber != null && p.curveNumber < codes.length) {
            region = String(codes[p.curveNumber]);
        } else if (p.customdata) { region = String(p.customdata); }
        if (!region) { return window.dash_clientside.no_update; }
        const next = '#region=' + region;
        return next === hash ? window.dash_clientside.no_update : next;
    }""",
    Output("url", "hash", allow_duplicate=True),
    Input("wmap-map", "clickData"), State("url", "hash"), State("wmap-codes", "data"),
    prevent_initial_call=True,
)
