"""保值增值 callbacks."""
from __future__ import annotations

from urllib.parse import urlencode

import polars as pl
from dash import Input, Output, State, html, no_update
from flask_login import current_user

from components.charts import EMPTY_TEXT, NO_LOWER_LEVEL, empty_figure
from components.dashboards.asset_growth import (
    lorenz_figure,
    ranking_figure,
    stack_figure,
    yoy_figure,
)
from components.export import send_table
from components.format import pct, share
from components.kpi import kpi_card
from domain.regions import LEVEL_NAMES, VILLAGE, level_of
from domain.permissions import Action
from domain.money import money_auto, period_label
from server.callbacks import secure_callback
from server.context import log_export, query_layer

from .common import breadcrumb, region_from_search


@secure_callback(Action.DASHBOARD_VIEW, Output("growth-breadcrumb", "children"), Output("growth-kpis", "children"),
                 Output("growth-stack", "figure"), Output("growth-yoy", "figure"), Output("growth-ranking", "figure"),
                 Output("growth-concentration", "children"), Output("growth-lorenz", "figure"), Input("url", "hash"))
def render(search):
    scope = current_user.scope
    ql = query_layer()
    region = region_from_search(search, scope)
    av = ql.asset_value(scope, region)
    crumbs = breadcrumb(ql.tree, scope, region, "/asset-growth")
    if not ql.kpis(scope, region)["has_books"]:
        empty = empty_figure()
        return (crumbs, [html.Div(kpi_card("growth-total", "资产总额", None), className="col-6 col-md-3")],
                empty, empty, empty, html.Span(f"{EMPTY_TEXT}。", id="growth-concentration-text"), empty)
    last = av.row(-1, named=True) if av.height else None
    col = "col-6 col-md-3"
    cards = []
    if last:
        cards.append(html.Div(kpi_card("growth-total", "资产总额", *money_auto(last["total_assets"]),
                                       f"截至{period_label(last['period'])}"), className=col))
        cards.append(html.Div(kpi_card("growth-yoy-value", "同比增长", pct(last["yoy_growth"]), ""), className=col))
    conc = ql.concentration(scope, region)
    text = html.Span(f"无村级数据，{EMPTY_TEXT}。", id="growth-concentration-text")
    if conc["villages"]:
        text = html.Span(f"{conc['villages']:,} 个村中，资产最多的14%的村拥有 {share(conc['top14_share'])} 的资产，"
                         f"最多的10%拥有 {share(conc['top10_share'])}；基尼系数 {conc['gini']:.3f}。",
                         id="growth-concentration-text")
        cards.append(html.Div(kpi_card("growth-top14", "前14%村资产占比", share(conc["top14_share"]), ""), className=col))
        cards.append(html.Div(kpi_card("growth-gini", "资产基尼系数", f"{conc['gini']:.3f}", ""), className=col))
    ranking = ranking_figure(ql.growth(scope, region)) if level_of(region) < VILLAGE else empty_figure(NO_LOWER_LEVEL)
    lorenz = lorenz_figure(conc) if conc["villages"] else empty_figure()
    return crumbs, cards, stack_figure(av), yoy_figure(av), ranking, text, lorenz


@secure_callback(Action.DASHBOARD_VIEW, Output("url", "hash", allow_duplicate=True),
                 Input("growth-ranking", "clickData"), prevent_initial_call=True)
def drill(click):
    code = ((click or {}).get("points") or [{}])[0].get("customdata")
    if not isinstance(code, int) or not current_user.scope.contains(code):
        return no_update
    return "#" + urlencode({"region": code})


@secure_callback(Action.DASHBOARD_VIEW, Output("growth-download", "data"), Input("growth-export", "n_clicks"),
                 State("url", "hash"), prevent_initial_call=True)
def export(_, search):
    scope = current_user.scope
    ql = query_layer()
    region = region_from_search(search, scope)
    if level_of(region) >= VILLAGE:
        return no_update
    g = ql.growth(scope, region).with_columns((pl.col("growth") * 100).round(2).alias("growth_pct"))
    columns = [("name", LEVEL_NAMES[level_of(region) + 1], None), ("code", "区划代码", None),
               ("total_assets", "资产总额（元）", "fen"), ("total_assets_prev", "上年同期资产总额（元）", "fen"),
               ("growth_pct", "同比增长率（%）", None), ("villages", "村数", None)]
    title = f"{ql.tree.name(region)}资产保值增值排名"
    log_export("资产保值增值排名", g.height, region)
    return send_table(g, columns, title)
