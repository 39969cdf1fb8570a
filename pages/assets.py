"""资产管理: the asset register of the user's jurisdiction; disposal, lease or pledge of an asset
only with a meeting resolution that voted it."""
import dash
import dash_bootstrap_components as dbc
from dash import dcc, html

from components.grid import data_grid
from domain.assets import ACTIONS
from domain.permissions import Perm

dash.register_page(__name__, path="/assets", name="资产管理", order=11, title="资产管理",
                   permission=(Perm.BUSINESS_HANDLING, Perm.REVIEW_APPROVAL))

MONEY = {"function": "d3.format(',.2f')(params.value / 100)"}
COLUMNS = [
    {"field": "code", "headerName": "资产编号"}, {"field": "name", "headerName": "名称"},
    {"field": "category", "headerName": "类别"},
    {"field": "original_value_fen", "headerName": "原值（元）", "type": "rightAligned", "valueFormatter": MONEY},
    {"field": "net_value_fen", "headerName": "净值（元）", "type": "rightAligned", "valueFormatter": MONEY},
    {"field": "status_label", "headerName": "状态"}, {"field": "region_code", "headerName": "区划代码"},
]


def layout(**_):
    return html.Div([
        dcc.Store(id="assets-refresh", data=0),
        html.Div(className="row g-3", children=[
            html.Div(className="col-xl-8", children=html.Div(className="panel", children=[
                html.H2("资产台账（选择一项资产后办理）"),
                data_grid("assets-grid", COLUMNS, selectable=True, height="560px"),
            ])),
            html.Div(className="col-xl-4", children=html.Div(className="panel", children=[
                html.H2("处置、出租或抵押"),
                html.P("须引用成员（代表）会议通过的、表决该事项的决议（四议两公开）。", className="text-muted small"),
                html.Div(id="assets-selected", className="mb-2 fw-semibold"),
                dbc.Label("事项", html_for="assets-action"),
                dcc.Dropdown(id="assets-action", value="dispose", clearable=False,
                             options=[{"label": v[2], "value": k} for k, v in ACTIONS.items()]),
                html.Div(id="assets-action-error", className="invalid-feedback d-block"),
                dbc.Label("引用决议", html_for="assets-resolution", className="mt-2"),
                dcc.Dropdown(id="assets-resolution", placeholder="选择会议决议"),
                html.Div(id="assets-resolution-error", className="invalid-feedback d-block"),
                dbc.Label("日期", html_for="assets-date", className="mt-2"), dbc.Input(id="assets-date", type="date"),
                html.Div(id="assets-date-error", className="invalid-feedback d-block"),
                dbc.Button("办理", id="assets-submit", color="primary", className="mt-3"),
                html.Div(id="assets-result", className="mt-2"),
            ])),
        ]),
    ])
