"""预警热力图 callbacks: thin — parse the URL, ask data/warnings.py for the scoped aggregations,
shape the figures and grids. Drill-down state is the URL fragment (#region=…), as on the cockpit."""
from __future__ import annotations

import math

import polars as pl
from dash import Input, Output, State, ctx, dcc, html

from components.charts import FONT, count_heatmap, monthly_lines, ranked_bars, region_map
from components.export import excel_bytes
from components.kpi import kpi_card
from data import warnings
from data.maps import codes_with_geometry, load_geojson
from domain.permissions import Action, may
from domain import clock
from domain.regions import CITY, COUNTY, VILLAGE, level_of
from data.regions import load_region_tree
from domain.warning_lifecycle import rule_info
from server.callbacks import clientside, secure_callback
from server.context import log_export, settings

from .common import breadcrumb, current_actor, region_from_search

TREND_MONTHS = 24
RATING_ROWS = 2000



def _where(hash_):
    """(actor, tree, region) from the URL fragment; a region outside the scope is refused."""
    actor = current_actor()
    region = actor.scope.require(region_from_search(hash_, actor.scope))
    return actor, load_region_tree(settings().province), region


def _frame(actor):
    return warnings.frame(settings().database_url, actor.scope)


def empty_figure(text: str) -> dict:
    return {"data": [], "layout": {
        "xaxis": {"visible": False}, "yaxis": {"visible": False}, "font": FONT,
        "plot_bgcolor": "rgba(0,0,0,0)", "paper_bgcolor": "rgba(0,0,0,0)",
        "annotations": [{"text": text, "showarrow": False, "xref": "paper", "yref": "paper", "x": 0.5, "y": 0.5,
                         "font": {"size": 14, "color": "#8796a5"}}]}}


def whole_step(top: int, ticks: int = 6) -> int:
    """A tick step that keeps a count axis on whole numbers."""
    return max(1, math.ceil(top / ticks))


def heatmap_figure(hm: dict, status: str) -> dict:
    """The region × rule heatmap, as tall as its rows need; a note names the regions left out."""
    what = "未关闭的预警" if status == "open" else "预警"
    if not hm["col_ids"]:
        fig = empty_figure(f"辖区内暂无{what}")
        fig["layout"]["height"] = 260
        return fig
    fig = count_heatmap(hm["row_names"], hm["col_names"], hm["z"], row_codes=hm["row_codes"], col_ids=hm["col_ids"],
                        unit="条", label="未关闭预警" if status == "open" else "预警")
    top = max((v for row in hm["z"] for v in row), default=1)
    fig["data"][0]["colorbar"]["dtick"] = whole_step(top, 5)
    fig["layout"]["xaxis"]["dtick"] = 1  # every rule named, however many
    fig["layout"]["height"] = 200 + 32 * max(len(hm["row_codes"]), 4)
    if hm["quiet"]:
        fig["layout"]["annotations"] = [{
            "text": f"另有{hm['quiet']}个下级区域无{what}，未列出", "xref": "paper", "yref": "paper", "x": 0,
            "y": 1.0, "yanchor": "bottom", "xanchor": "left", "showarrow": False,
            "font": {"size": 11, "color": "#8796a5"}}]
        fig["layout"]["margin"] = {**fig["layout"]["margin"], "t": 26}
    return fig


def kpi_row(k: dict):
    col = "col-6 col-md-3 col-xl"
    mean = f"平均办结 {k['mean_close_days']:,.1f} 天" if k["mean_close_days"] is not None else "暂无已关闭的预警"
    cards = [
        kpi_card("wkpi-open", "未关闭预警", f"{k['open']:,}", "条", f"其中高级别 {k['high']:,} 条"),
        kpi_card("wkpi-overdue", "逾期未办理", f"{k['overdue']:,}", "条", f"升级督办中 {k['escalated']:,} 条"),
        kpi_card("wkpi-closed", "已关闭预警", f"{k['closed']:,}", "条", mean),
        kpi_card("wkpi-red", "红色村", f"{k['red']:,}", "个", "有高级别预警或预警较多"),
        kpi_card("wkpi-amber", "黄色村", f"{k['amber']:,}", "个", "有未关闭的预警"),
        kpi_card("wkpi-green", "绿色村", f"{k['green']:,}", "个", "无未关闭的预警"),
    ]
    return [html.Div(c, className=col) for c in cards]


@secure_callback(Action.WARNING_MAP_VIEW, Output("wmap-breadcrumb", "children"), Output("wmap-kpis", "children"),
                 Output("wmap-ratings", "rowData"), Input("url", "hash"), Input("wmap-status", "value"))
def render(hash_, _status):
    actor, tree, region = _where(hash_)
    f = _frame(actor)
    today = clock.today()
    villages = warnings.supervised_villages(settings().database_url, actor.scope)
    rated = warnings.ratings(f, tree, region, today, villages)
    crumbs = breadcrumb(tree, actor.scope, region, "/warning-map")
    # the grid carries the worst villages (a province has ~12k; the export has them all)
    return crumbs, kpi_row(warnings.kpis(f, region, today, rated)), rated.head(RATING_ROWS).to_dicts()


def map_or_bars(per: pl.DataFrame, region: int, province: int):
    """Open warnings per village of each child: on the map where boundaries exist (province →
    cities, city → counties), below that as ranked bars; both drill down on a click."""
    child_level = level_of(region) + 1
    values = {c: v for c, v in zip(per["code"].to_list(), per["per_village"].to_list()) if v is not None}
    names = dict(zip(per["code"].to_list(), per["name"].to_list()))
    if child_level in (CITY, COUNTY) and set(names) & codes_with_geometry(province, child_level):
        fig, codes = region_map(load_geojson(province, child_level), values, names, unit="条/村",
                                label="每村平均未关闭预警", floor=0.0, tickformat=",.1f")
        return fig, codes
    top = per.filter(pl.col("per_village").is_not_null()).head(30)
    if top.is_empty():
        return empty_figure("暂无数据"), []
    fig = ranked_bars(top["name"].to_list(), top["per_village"].to_list(), unit="条/村", label="每村平均未关闭预警",
                      codes=top["code"].to_list(), color="#c0392b")
    fig["layout"]["xaxis"]["tickformat"] = ",.1f"
    return fig, []


@secure_callback(Action.WARNING_MAP_VIEW, Output("wmap-heatmap", "figure"), Output("wmap-map", "figure"),
                 Output("wmap-codes", "data"), Output("wmap-trend", "figure"), Output("wmap-close-time", "figure"),
                 Input("url", "hash"), Input("wmap-status", "value"))
def charts(hash_, status):
    actor, tree, region = _where(hash_)
    f = _frame(actor)
    status = "all" if status == "all" else "open"
    hm = warnings.heatmap(f, tree, region, status)
    heat = heatmap_figure(hm, status)
    if level_of(region) < VILLAGE:
        fig_map, codes = map_or_bars(warnings.per_village(
            f, tree, region, warnings.supervised_villages(settings().database_url, actor.scope)), region,
            settings().province)
    else:
        fig_map, codes = empty_figure("村级为最末一级"), []
    t = warnings.trend(f, region, clock.today(), TREND_MONTHS)
    labels = [f"{p[:4]}年{int(p[5:])}月" for p in t["periods"]]
    trend = monthly_lines(labels, {"新发现": t["raised"], "已关闭": t["closed"]}, unit="条",
                          colors={"新发现": "#c0392b", "已关闭": "#1d8f6e"})
    trend["layout"]["xaxis"] = {**trend["layout"].get("xaxis", {}), "type": "category", "nticks": 12}
    trend["layout"]["yaxis"]["dtick"] = whole_step(max(t["raised"] + t["closed"], default=0))
    ct = warnings.close_time(f, tree, region)
    if ct.is_empty():
        close = empty_figure("暂无已关闭的预警")
    else:
        close = ranked_bars(ct["name"].to_list(), [round(d, 1) for d in ct["days"].to_list()], unit="天",
                            label="平均办结时长", codes=ct["code"].to_list(), color="#e67e22")
        close["data"][0]["text"] = [f"{n:,} 条" for n in ct["closed"].to_list()]
        close["data"][0]["hovertemplate"] = "%{y}<br>平均办结时长 %{x:,.1f} 天<br>已关闭 %{text}<extra></extra>"
        close["data"][0]["textposition"] = "none"
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
        picked = cell_from_click(click, warnings.heatmap(_frame(actor), tree, region, status))
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
    frame = warnings.cell_rows(_frame(actor), tree, code, rule, status, clock.today())
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
        villages = warnings.supervised_villages(settings().database_url, actor.scope)
        frame = warnings.ratings(f, tree, region, today, villages)
        title = f"{tree.name(region)}村级预警评级（截至{today.isoformat()}）"
        log_export("村级预警评级", frame.height, region)
        return dcc.send_bytes(excel_bytes(frame, RATING_EXPORT, title), f"{title}.xlsx")
    picked = picked or {}
    code = actor.scope.require(int(picked.get("region") or region))
    rule = picked.get("rule")
    status = "all" if picked.get("status") == "all" else "open"
    frame = warnings.cell_rows(f, tree, code, rule, status, today).with_columns(
        pl.col("raised_on").cast(pl.String), pl.col("due_on").cast(pl.String))
    title = f"{tree.name(code)}预警明细（截至{today.isoformat()}）"
    log_export("预警明细", frame.height, code)
    return dcc.send_bytes(excel_bytes(frame, CELL_EXPORT, title), f"{title}.xlsx")


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
