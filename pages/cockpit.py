"""驾驶舱: headline figures of the user's jurisdiction, a map of the next level down, monthly
trends, top and bottom villages and the newest warnings; drill down by region (URL ?region=…,
month ?period=…)."""
import dash
import dash_bootstrap_components as dbc
from dash import dcc, html

from components.charts import graph_config
from components.grid import data_grid
from components.html_slot import html_slot
from components.region_table import children_columns
from domain.permissions import Action

dash.register_page(__name__, group="驾驶舱", path="/cockpit", name="驾驶舱", order=1, permission=Action.DASHBOARD_VIEW,
                   title="驾驶舱")


def layout(**_):
    return html.Div([
        dcc.Store(id="cockpit-map-codes"),
        dcc.Download(id="cockpit-download"),
        html.Div(className="d-flex justify-content-between align-items-center", children=[
            html.Div(id="cockpit-breadcrumb", className="breadcrumb-bar"),
            html.A("大屏模式", href="/screen", className="btn btn-sm btn-outline-primary", id="cockpit-screen-link"),
        ]),
        *html_slot("cockpit-kpis", className="row g-2 mb-3", role="region"),
        html.Div(className="row g-3", children=[
            html.Div(className="col-xl-5", children=html.Div(className="panel", children=[
                html.H2("下级区域分布（点击区域下钻）"),
                dcc.Graph(id="cockpit-map", config=graph_config("区域分布图"), style={"height": "420px"}),
            ])),
            html.Div(className="col-xl-7", children=html.Div(className="panel", children=[
                html.H2("近三年月度收支与资产总额趋势（点击月份切换全页数据）"),
                dcc.Graph(id="cockpit-trend", config=graph_config("月度趋势"), style={"height": "420px"}),
            ])),
        ]),
        html.Div(className="row g-3", children=[
            html.Div(className="col-xl-6", children=html.Div(className="panel", children=[
                html.H2("本年收益前五名与后五名村（万元）"),
                dcc.Graph(id="cockpit-topbottom", config=graph_config("村收益排名"), style={"height": "360px"}),
            ])),
            html.Div(className="col-xl-6", children=html.Div(className="panel", children=[
                html.H2("最新预警"), *html_slot("cockpit-warnings", role="region"),
            ])),
        ]),
        html.Div(className="panel", children=[
            html.Div(className="d-flex justify-content-between align-items-center", children=[
                html.H2("下级区域", id="cockpit-children-title"),
                dbc.Button("导出Excel", id="cockpit-export", size="sm", color="secondary", outline=True),
            ]),
            html.Div(id="cockpit-children-note", className="text-muted"),
            data_grid("children-table", children_columns(), page_size=50, height="440px", row_id="params.data.code"),
        ]),
    ])
