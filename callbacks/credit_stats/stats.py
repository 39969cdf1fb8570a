"""林业信用统计分析: the figures of the region in the URL fragment (#region=…, default the caller's
root) from data.query.credit, a drill-down by clicking a region's name, and the table's export.
The data functions check the action and the region's scope themselves."""
from __future__ import annotations

import polars as pl
from dash import Input, Output, State

from components.charts import NO_LOWER_LEVEL
from components.credit_stats import EXPORT_COLUMNS, GRADES, count_bars, grade_bars, kpi_cards
from components.export import send_table
from data.query import credit as stats
from domain import clock
from domain.credit.codes import RECORD_KINDS, SOURCES, SUBJECT_KINDS
from domain.permissions import Action
from domain.regions import LEVEL_NAMES, VILLAGE, level_of, parent_of
from server.callbacks import clientside, secure_callback
from server.context import log_export, query_layer, settings

from ..common import breadcrumb, current_actor, region_from_search


def _named(frame: pl.DataFrame) -> pl.DataFrame:
    tree = query_layer().tree
    return frame.with_columns(name=pl.Series([tree.name(c) for c in frame["code"].to_list()], dtype=pl.Utf8))


@secure_callback(Action.CREDIT_STATS_VIEW, Output("cst-breadcrumb", "children"), Output("cst-asof", "children"),
                 Output("cst-kpis", "children"), Output("cst-grade-region", "figure"), Output("cst-grade-kind", "figure"),
                 Output("cst-records", "figure"), Output("cst-dishonest", "figure"), Output("cst-table", "rowData"),
                 Output("cst-empty", "children"), Output("cst-up", "disabled"), Output("cst-up", "href"),
                 Input("url", "hash"))
def load(search):
    url, who = settings().database_url, current_actor()
    region = region_from_search(search, who.scope)
    tree = query_layer().tree
    k = stats.kpis(url, who, region)
    rows = _named(stats.grades_by_region(url, who, region))
    level = level_of(region)
    below = LEVEL_NAMES[level + 1] if level < VILLAGE else ""
    names = rows["name"].to_list()
    by_region = grade_bars(names, {g: rows[g].to_list() for g in GRADES}, below or "区域",
                           NO_LOWER_LEVEL if level >= VILLAGE else "本区域暂无信用主体")
    kinds = stats.grades_by_kind(url, who, region)
    labels = list(SUBJECT_KINDS.values())
    by_kind = grade_bars(labels, {g: [int(kinds.filter((pl.col("label") == lab) & (pl.col("grade") == g))["n"].sum())
                                      for lab in labels] for g in GRADES}, "主体类型", "本区域暂无信用主体")
    rec = stats.records_by(url, who, region)
    kind_labels = [v[1] for v in RECORD_KINDS.values()]
    short = [lab.split("（")[0][:8] for lab in kind_labels]
    records = count_bars(short, {SOURCES[s]: [int(rec.filter((pl.col("kind_label") == lab) & (pl.col("source") == s))["n"]
                                                  .sum()) for lab in kind_labels] for s in SOURCES},
                         "记录类别", "条", "本区域暂无信用记录")
    sev = stats.dishonest_by_severity(url, who, region)
    dishonest = count_bars(sev["label"].to_list(), {"公示期内": sev["in_publicity"].to_list(),
                                                    "公示期满": sev["ended"].to_list()}, "严重程度", "条",
                           "本区域暂无失信信息", colors=["#c0392b", "#9aa5b1"])
    up = parent_of(region) if region != who.scope.root and level > level_of(who.scope.root) else who.scope.root
    empty = "" if rows.height else ("本区域暂无信用主体" if level < VILLAGE else NO_LOWER_LEVEL)
    asof = f"统计口径：截至 {clock.today():%Y-%m-%d}，失信信息按公示期计"
    return (breadcrumb(tree, who.scope, region, "/credit/stats"), asof, kpi_cards(k), by_region, by_kind, records,
            dishonest, rows.to_dicts(), empty, region == who.scope.root, f"/credit/stats#region={up}")


# a click on a region's name drills down (the data functions refuse a region outside the scope)
clientside(
    """function(cell, hash) {
        if (!cell || cell.colId !== 'name' || !cell.rowId) { return window.dash_clientside.no_update; }
        const q = new URLSearchParams((hash || '').replace(/^#/, ''));
        q.set('region', String(cell.rowId));
        return '#' + q.toString();
    }""",
    Output("url", "hash", allow_duplicate=True), Input("cst-table", "cellClicked"), State("url", "hash"),
    prevent_initial_call=True)


@secure_callback(Action.CREDIT_STATS_VIEW, Output("cst-download", "data"), Input("cst-export", "n_clicks"),
                 State("url", "hash"), prevent_initial_call=True)
def export(_, search):
    url, who = settings().database_url, current_actor()
    region = region_from_search(search, who.scope)
    rows = _named(stats.grades_by_region(url, who, region))
    title = f"{query_layer().tree.name(region)}林业信用统计（截至{clock.today():%Y-%m-%d}）"
    data = send_table(rows, EXPORT_COLUMNS, title)
    log_export("林业信用统计表", rows.height, region)
    return data
