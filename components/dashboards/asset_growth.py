"""保值增值 factories: assets by category over time, year-on-year growth, the ranking of regions
that grew and shrank, and the Lorenz curve of assets over villages (plotly figures)."""
from __future__ import annotations

import plotly.graph_objects as go
import polars as pl

from components.charts import FONT, empty_figure, value_axis
from domain.accounting import ASSET_KEYS, label
from domain.money import period_label, wan_number

PALETTE = ["#0b4f8a", "#1d8f6e", "#e67e22", "#8e44ad", "#16a085", "#c0392b", "#2c3e50", "#d4ac0d", "#7f8c8d", "#5dade2"]


def _layout(fig: go.Figure, **kw) -> go.Figure:
    fig.update_layout(margin={"l": 60, "r": 20, "t": 40, "b": 40}, plot_bgcolor="rgba(0,0,0,0)",
                      paper_bgcolor="rgba(0,0,0,0)", font=FONT,
                      legend={"orientation": "h", "y": 1.02, "yanchor": "bottom", "x": 0}, **kw)
    fig.update_xaxes(ticklabeloverflow="allow")  # see components.charts.quick_ticks
    fig.update_yaxes(ticklabeloverflow="allow")
    return fig


def stack_figure(av) -> go.Figure:
    """Assets by category per month, stacked (`av`: the query layer's asset_value frame); no assets:
    the empty chart."""
    x = [period_label(p) for p in av["period"]]
    fig = go.Figure()
    totals = [0.0] * len(x)
    for key, color in zip(ASSET_KEYS, PALETTE):
        values = [wan_number(v) for v in av[key]]
        if not any(values):
            continue
        totals = [t + v for t, v in zip(totals, values)]
        fig.add_scatter(x=x, y=values, name=label(key), stackgroup="assets", line={"width": 0.5, "color": color},
                        hovertemplate="%{x}<br>" + label(key) + " %{y:,.2f} 万元<extra></extra>")
    if not fig.data:
        return go.Figure(empty_figure())
    return _layout(fig, yaxis={"title": "万元", **value_axis(totals, include_zero=True)}, xaxis={"nticks": 12},
                   hovermode="x unified")


def yoy_figure(av) -> go.Figure:
    """Year-on-year growth of total assets per month."""
    rows = av.filter(pl.col("yoy_growth").is_not_null())
    if rows.is_empty():
        return go.Figure(empty_figure())
    x = [period_label(p) for p in rows["period"]]
    y = [g * 100 for g in rows["yoy_growth"]]
    fig = go.Figure(go.Scatter(x=x, y=y, mode="lines+markers", name="同比增长率", line={"color": "#1d8f6e"},
                               hovertemplate="%{x}<br>同比 %{y:.2f}%<extra></extra>"))
    fig.add_hline(y=0, line={"color": "#8796a5", "width": 1})
    return _layout(fig, yaxis={"title": "%", "ticksuffix": "%"}, xaxis={"nticks": 12}, showlegend=False)


def ranking_figure(growth) -> go.Figure:
    """The children ranked by growth (the 15 best and 15 worst when there are more than 30); a click drills down."""
    g = growth.filter(pl.col("growth").is_not_null()).sort("growth", descending=True)
    if g.is_empty():
        return go.Figure(empty_figure())
    if g.height > 30:
        g = g.head(15).vstack(g.tail(15))
    y = [v * 100 for v in g["growth"]]
    fig = go.Figure(go.Bar(x=y, y=g["name"].to_list(), orientation="h", customdata=g["code"].to_list(),
                           marker_color=["#1d8f6e" if v >= 0 else "#c0392b" for v in y], name="同比增长率",
                           hovertemplate="%{y}<br>同比 %{x:.2f}%<extra></extra>"))
    return _layout(fig, xaxis={"title": "资产总额同比增长率（%）", "ticksuffix": "%"},
                   yaxis={"autorange": "reversed", "automargin": True}, showlegend=False)


def lorenz_figure(conc) -> go.Figure:
    """The Lorenz curve of assets over villages against the line of equal shares."""
    xs, ys = conc["lorenz"]
    fig = go.Figure()
    fig.add_scatter(x=[0, 100], y=[0, 100], mode="lines", name="完全均等", line={"dash": "dot", "color": "#8796a5"})
    fig.add_scatter(x=[x * 100 for x in xs], y=[y * 100 for y in ys], mode="lines", name="实际分布",
                    line={"color": "#0b4f8a"}, hovertemplate="最穷的 %{x:.1f}% 的村<br>拥有 %{y:.1f}% 的资产<extra></extra>")
    return _layout(fig, xaxis={"title": "村数累计占比（%，按资产从少到多）", "ticksuffix": "%"},
                   yaxis={"title": "资产累计占比（%）", "ticksuffix": "%"})
