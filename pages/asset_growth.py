"""保值增值: collective assets over time by category, year-on-year growth, the ranking of regions
that grew and shrank, and how concentrated assets are in the richest villages."""
import dash
import dash_bootstrap_components as dbc
from dash import dcc, html

from components.charts import graph_config
from domain.permissions import Action

dash.register_page(__name__, group="驾驶舱", path="/asset-growth", name="保值增值", order=2, permission=Action.DASHBOARD_VIEW,
                   title="资产保值增值")


def layout(**_):
    return html.Div([
        dcc.Download(id="growth-download"),
        html.Div(id="growth-breadcrumb", className="breadcrumb-bar"),
        html.Div(id="growth-kpis", className="row g-2 mb-3"),
        html.Div(className="row g-3", children=[
            html.Div(className="col-xl-7", children=html.Div(className="panel", children=[
                html.H2("集体资产总额及构成（月末，万元）"),
                dcc.Graph(id="growth-stack", config=graph_config("资产构成"), style={"height": "380px"}),
            ])),
            html.Div(className="col-xl-5", children=html.Div(className="panel", children=[
                html.H2("资产总额同比增长率（%）"),
                dcc.Graph(id="growth-yoy", config=graph_config("同比增长率"), style={"height": "380px"}),
            ])),
        ]),
        html.Div(className="row g-3", children=[
            html.Div(className="col-xl-7", children=html.Div(className="panel", children=[
                html.Div(className="d-flex justify-content-between align-items-center", children=[
                    html.H2("下级区域资产增长排名（同比，点击下钻）"),
                    dbc.Button("导出Excel", id="growth-export", size="sm", color="secondary", outline=True),
                ]),
                dcc.Graph(id="growth-ranking", config=graph_config("增长排名"), style={"height": "420px"}),
            ])),
            html.Div(className="col-xl-5", children=html.Div(className="panel", children=[
                html.H2("资产集中度（洛伦兹曲线）"),
                html.Div(id="growth-concentration", className="small mb-2"),
                dcc.Graph(id="growth-lorenz", config=graph_config("资产集中度"), style={"height": "360px"}),
            ])),
        ]),
    ])
