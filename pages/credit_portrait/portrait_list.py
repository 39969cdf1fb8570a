"""信用画像查询: a bank's list of the subjects who authorised its institution (purpose, period),
an official's search of the subjects in their jurisdiction; each opens /credit/portrait."""
import dash
import dash_bootstrap_components as dbc
from dash import dcc, html

from components.grid import data_grid
from domain.permissions import Action

dash.register_page(__name__, group="林业信用",
                   path="/credit/portraits", name="信用画像查询", order=1, title="信用画像查询",
                   permission=(Action.CREDIT_PORTRAIT_AUTHORISED, Action.CREDIT_PORTRAIT_VIEW))

COLUMNS = [
    {"field": "name", "headerName": "名称/姓名"}, {"field": "identifier", "headerName": "证件号码"},
    {"field": "kind", "headerName": "主体类型"}, {"field": "grade", "headerName": "信用等级", "maxWidth": 110},
    {"field": "purpose_label", "headerName": "授权用途"}, {"field": "valid_from", "headerName": "授权起始"},
    {"field": "valid_until", "headerName": "授权截止"},
    {"field": "link", "headerName": "画像", "cellRenderer": "markdown", "maxWidth": 110, "sortable": False, "filter": False},
]


def layout(**_):
    return html.Div([
        dcc.Store(id="credit-list-refresh", data=0),
        html.Div(className="panel mb-3", children=[
            html.H2("信用画像查询", className="h6"),
            html.P(id="credit-list-note", className="small text-muted"),
            dbc.InputGroup([dbc.Input(id="credit-list-q", placeholder="姓名/名称片段，或完整证件号码", maxLength=40),
                            dbc.Button("查询", id="credit-list-search", color="primary")], className="mb-2"),
            html.Div(id="credit-list-result"),
            data_grid("credit-list-grid", COLUMNS, height="480px"),
        ]),
    ])
