"""保值增值 callbacks."""
from __future__ import annotations

from urllib.parse import urlencode

import plotly.graph_objects as go
import polars as pl
from dash import Input, Output, State, dcc, html, no_update
from flask_login import current_user

from components.charts import FONT
from components.export import excel_bytes
from components.format import money_auto, pct, period_label, share, wan_number
from components.kpi import kpi_card
from domain.regions import LEVEL_NAMES, VILLAGE, level_of
from domain.accounting import ASSET_KEYS, label
from domain.permissions import Action
from server.callbacks import secure_callback
from server.context import log_export, query_layer

from .common import breadcrumb, region_from_search

PALETTE = ["#0b4f8a", "#1d8f6e", "#e67e22", "#8e44ad", "#16a085", "#c0392b", "#2c3e50", "#d4ac0d", "#7f8c8d", "#5dade2"]


def _layout(fig: go.Figure, **kw) -> go.Figure:
    fig.update_layout(margin={"l": 60, "r": 20, "t": 40, "b": 40}, plot_bgcolor="rgba(0,0,0,0)",
                      paper_bgcolor="rgba(0,0,0,0)", font=FONT,
                      legend={"orientation": "h", "y": 1.02, "yanchor": "bottom", "x": 0}, **kw)
    fig.update_xaxes(ticklabeloverflow="allow")  # see components.charts.quick_ticks
    fig.update_yaxes(ticklabeloverflow="allow")
    return fig


def stack_figure(av) -> go.Figure:
    x = [period_label(p) for p in av["period"]]
    fig = go.Figure()
    for key, color in zip(ASSET_KEYS, PALETTE):
        values = [wan_number(v) for v in av[key]]
        if not any(values):
            continue
        fig.add_scatter(x=x, y=values, name=label(key), stackgroup="assets", line={"width": 0.5, "color": color},
                        hovertemplate="%{x}<br>" + label(key) + " %{y:,.2f} 万元<extra></extra>")
    return _layout(fig, yaxis={"title": "万元", "tickformat": ",.0f"}, xaxis={"nticks": 12}, hovermode="x unified")


def yoy_figure(av) -> go.Figure:
    rows = av.filter(pl.col("yoy_growth").is_not_null())
    x = [period_label(p) for p in rows["period"]]
    y = [g * 100 for g in rows["yoy_growth"]]
    fig = go.Figure(go.Scatter(x=x, y=y, mode="lines+markers", name="同比增长率", line={"color": "#1d8f6e"},
                               hovertemplate="%{x}<br>同比 %{y:.2f}%<extra></extra>"))
    fig.add_hline(y=0, line={"color": "#8796a5", "width": 1})
    return _layout(fig, yaxis={"title": "%", "ticksuffix": "%"}, xaxis={"nticks": 12}, showlegend=False)


def ranking_figure(growth) -> go.Figure:
    g = growth.filter(pl.col("growth").is_not_null()).sort("growth", descending=True)
    if g.height > 30:
        g = g.head(15).vstack(g.tail(15))
    y = [v * 100 for v in g["growth"]]
    fig = go.Figure(go.Bar(x=y, y=g["name"].to_list(), orientation="h", customdata=g["code"].to_list(),
                           marker_color=["#1d8f6e" if v >= 0 else "#c0392b" for v in y], name="同比增长率",
                           hovertemplate="%{y}<br>同比 %{x:.2f}%<extra></extra>"))
    return _layout(fig, xaxis={"title": "资产总额同比增长率（%）", "ticksuffix": "%"},
                   yaxis={"autorange": "reversed", "automargin": True}, showlegend=False)


def lorenz_figure(conc) -> go.Figure:
    xs, ys = conc["lorenz"]
    fig = go.Figure()
    fig.add_scatter(x=[0, 100], y=[0, 100], mode="lines", name="完全均等", line={"dash": "dot", "color": "#8796a5"})
    fig.add_scatter(x=[x * 100 for x in xs], y=[y * 100 for y in ys], mode="lines", name="实际分布",
                    line={"color": "#0b4f8a"}, hovertemplate="最穷的 %{x:.1f}% 的村<br>拥有 %{y:.1f}% 的资产<extra></extra>")
    return _layout(fig, xaxis={"title": "村数累计占比（%，按资产从少到多）", "ticksuffix": "%"},
                   yaxis={"title": "资产累计占比（%）", "ticksuffix": "%"})


@secure_callback(Action.DASHBOARD_VIEW, Output("growth-breadcrumb", "children"), Output("growth-kpis", "children"),
                 Output("growth-stack", "figure"), Output("growth-yoy", "figure"), Output("growth-ranking", "figure"),
                 Output("growth-concentration", "children"), Output("growth-lorenz", "figure"), Input("url", "hash"))
def render(search):
    scope = current_user.scope
    ql = query_layer()
    region = region_from_search(search, scope)
    av = ql.asset_value(scope, region)
    crumbs = breadcrumb(ql.tree, scope, region, "/asset-growth")
    last = av.row(-1, named=True) if av.height else None
    col = "col-6 col-md-3"
    cards = []
    if last:
        cards.append(html.Div(kpi_card("growth-total", "资产总额", *money_auto(last["total_assets"]),
                                       f"截至{period_label(last['period'])}"), className=col))
        cards.append(html.Div(kpi_card("growth-yoy-value", "同比增长", pct(last["yoy_growth"]), ""), className=col))
    conc = ql.concentration(scope, region)
    text = html.Span("无村级数据。")
    if conc["villages"]:
        text = html.Span(f"{conc['villages']:,} 个村中，资产最多的14%的村拥有 {share(conc['top14_share'])} 的资产，"
                         f"最多的10%拥有 {share(conc['top10_share'])}；基尼系数 {conc['gini']:.3f}。",
                         id="growth-concentration-text")
        cards.append(html.Div(kpi_card("growth-top14", "前14%村资产占比", share(conc["top14_share"]), ""), className=col))
        cards.append(html.Div(kpi_card("growth-gini", "资产基尼系数", f"{conc['gini']:.3f}", ""), className=col))
    ranking = ranking_figure(ql.growth(scope, region)) if level_of(region) < VILLAGE else go.Figure()
    return crumbs, cards, stack_figure(av), yoy_figure(av), ranking, text, lorenz_figure(conc)


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
    return dcc.send_bytes(excel_bytes(g, columns, title), f"{title}.xlsx")
