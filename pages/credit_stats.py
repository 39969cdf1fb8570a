"""林业信用统计分析 (Art. X36): subjects and grades by region (drill-down) and by type, records by
kind and by source, dishonest records in publicity by severity, loans outstanding and overdue."""
import dash
import dash_bootstrap_components as dbc
from dash import dcc, html

from components.charts import graph_config
from components.credit_stats import REGION_COLUMNS
from components.grid import data_grid
from domain.permissions import Action

dash.register_page(__name__, path="/credit/stats", name="信用统计", order=60, title="林业信用统计分析",
                   permission=Action.CREDIT_STATS_VIEW, group="林业信用", landing=20)


def layout(**_):
    def chart(graph_id: str, title: str, col: str = "col-xl-6"):
        return html.Div(className=col, children=[html.Div(className="panel", children=[
            html.H2(title), dcc.Loading(dcc.Graph(id=graph_id, config=graph_config(graph_id), style={"height": "340px"}))])])

    return html.Div([
        html.Div(className="d-flex justify-content-between align-items-center mb-2", children=[
            html.Div(id="cst-breadcrumb", className="small"),
            html.Div(id="cst-asof", className="muted-note"),
        ]),
        html.Div(id="cst-kpis", className="row g-2 mb-3"),
        html.Div(className="row g-3", children=[
            chart("cst-grade-region", "下级区域信用等级分布", "col-xl-8"),
            chart("cst-grade-kind", "按主体类型的信用等级", "col-xl-4"),
            chart("cst-records", "信用记录（按类别与来源）"),
            chart("cst-dishonest", "失信信息（按严重程度）"),
        ]),
        html.Div(className="panel mt-3", children=[
            html.Div(className="d-flex justify-content-between align-items-center", children=[
                html.H2("下级区域统计表"),
                html.Div([dbc.Button("上一级", id="cst-up", color="light", size="sm", className="me-2",
                                     href="/credit/stats"),
                          dbc.Button("导出 Excel", id="cst-export", color="secondary", size="sm")]),
            ]),
            html.P("点击区域名称查看其下级区域。", className="text-muted small mb-1"),
            html.Div(id="cst-empty"),
            data_grid("cst-table", REGION_COLUMNS, height="460px", row_id="params.data.code"),
            dcc.Download(id="cst-download"),
        ]),
    ])
