"""驾驶舱 callbacks: thin — parse the URL, ask the query layer, shape the output."""
from __future__ import annotations

import plotly.graph_objects as go
from dash import Input, Output, html
from flask_login import current_user

from components.format import money_auto, mu, period_label, wan, wan_number
from components.kpi import kpi_card
from data.regions import LEVEL_NAMES, VILLAGE, level_of
from domain.permissions import Perm
from server.callbacks import secure_callback
from server.context import query_layer

from .common import breadcrumb, region_from_search

KPIS = [("total_assets", "资产总额"), ("funds", "货币资金"), ("bank", "银行存款"), ("receivables", "应收款项"),
        ("liabilities", "负债总额"), ("income_operating", "本年经营收入"), ("net_profit", "本年收益")]


def kpi_row(k: dict):
    cards = []
    for key, label in KPIS:
        value, unit = money_auto(k[key])
        cards.append(html.Div(kpi_card(f"kpi-{key}", label, value, unit), className="col-6 col-md-3 col-xl"))
    cards.append(html.Div(kpi_card("kpi-villages", "村集体经济组织", f"{k['orgs']:,}", "个",
                                   f"辖区行政村 {k['villages']:,} 个，经营收入超10万元 {k['villages_income_over_100k']:,} 个"),
                          className="col-6 col-md-3 col-xl"))
    cards.append(html.Div(kpi_card("kpi-resources", "资源面积", mu(k["resource_area_cmu"]), "亩",
                                   f"已发包 {mu(k['contracted_area_cmu'])} 亩"), className="col-6 col-md-3 col-xl"))
    cards.append(html.Div(kpi_card("kpi-contracts", "在执行合同", f"{k['contracts_active']:,}", "份",
                                   f"逾期未收 {wan(k['overdue_fen'])} 万元"), className="col-6 col-md-3 col-xl"))
    return cards


def trend_figure(monthly) -> go.Figure:
    x = [period_label(p) for p in monthly["period"]]
    fig = go.Figure()
    fig.add_bar(x=x, y=[wan_number(v) for v in monthly["total_income"]], name="总收入", marker_color="#1d8f6e",
                hovertemplate="%{x}<br>总收入 %{y:,.2f} 万元<extra></extra>")
    fig.add_bar(x=x, y=[wan_number(v) for v in monthly["total_expense"]], name="总支出", marker_color="#e67e22",
                hovertemplate="%{x}<br>总支出 %{y:,.2f} 万元<extra></extra>")
    fig.add_scatter(x=x, y=[wan_number(v) for v in monthly["total_assets"]], name="资产总额", yaxis="y2",
                    line={"color": "#0b4f8a", "width": 2}, hovertemplate="%{x}<br>资产总额 %{y:,.2f} 万元<extra></extra>")
    fig.update_layout(margin={"l": 60, "r": 60, "t": 10, "b": 40}, barmode="group", legend={"orientation": "h", "y": 1.12},
                      yaxis={"title": "收支（万元）", "tickformat": ",.0f"},
                      yaxis2={"title": "资产总额（万元）", "overlaying": "y", "side": "right", "showgrid": False,
                              "tickformat": ",.0f"},
                      plot_bgcolor="#fff", paper_bgcolor="#fff", font={"family": "Noto Sans CJK SC, sans-serif"})
    return fig


def children_table(frame, child_level: int):
    head = html.Thead(html.Tr([html.Th(LEVEL_NAMES[child_level]), html.Th("资产总额（万元）", className="num"),
                               html.Th("货币资金（万元）", className="num"), html.Th("本年经营收入（万元）", className="num"),
                               html.Th("负债（万元）", className="num"), html.Th("村数", className="num")]))
    rows = []
    for r in frame.sort("total_assets", descending=True).iter_rows(named=True):
        name = (html.A(r["name"], href=f"/cockpit?region={r['code']}", id=f"drill-{r['code']}")
                if child_level < VILLAGE else r["name"])
        rows.append(html.Tr([html.Td(name), html.Td(wan(r["total_assets"]), className="num"),
                             html.Td(wan(r["funds"]), className="num"), html.Td(wan(r["income_operating"]), className="num"),
                             html.Td(wan(r["liabilities"]), className="num"), html.Td(f"{r['villages']:,}", className="num")]))
    return html.Table([head, html.Tbody(rows)], className="table table-sm table-hover table-figures", id="children-table")


@secure_callback(Perm.STATISTICAL_ANALYSIS,
                 Output("cockpit-breadcrumb", "children"), Output("cockpit-kpis", "children"),
                 Output("cockpit-trend", "figure"), Output("cockpit-children", "children"),
                 Input("url", "search"))
def render(search):
    scope = current_user.scope
    ql = query_layer()
    region = region_from_search(search, scope)
    k = ql.kpis(scope, region)  # refuses a region outside the scope
    crumbs = breadcrumb(ql.tree, scope, region, "/cockpit")
    crumbs.append(html.Span(f"（截至{period_label(k['period'])}）", className="text-muted ms-2"))
    monthly = ql.monthly(scope, region)
    level = level_of(region)
    kids = (children_table(ql.children(scope, region), level + 1) if level < VILLAGE
            else html.P("村级为最末一级。", className="text-muted"))
    return crumbs, kpi_row(k), trend_figure(monthly), kids
