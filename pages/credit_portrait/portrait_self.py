"""我的信用 (a credit subject's own page): their portrait, their authorisations of financial
institutions (grant, revoke), the access record (查询记录) and their own statement."""
import dash
import dash_bootstrap_components as dbc
from dash import dcc, html

from components.form import form_field
from components.grid import data_grid
from components.locale import date_picker
from domain.credit.codes import PURPOSES
from domain.permissions import Action

dash.register_page(__name__, group="林业信用",
                   path="/credit/me", name="我的信用", order=1, title="我的信用（信用画像与授权）",
                   permission=Action.CREDIT_SELF_VIEW)

AUTH_COLUMNS = [
    {"field": "institution", "headerName": "被授权机构"}, {"field": "purpose", "headerName": "用途"},
    {"field": "valid_from", "headerName": "起始"}, {"field": "valid_until", "headerName": "截止"},
    {"field": "state", "headerName": "状态", "maxWidth": 100}, {"field": "granted_at", "headerName": "授权时间"},
    {"field": "revoked_at", "headerName": "撤销时间"},
]


def _card(title, body, cid):
    return html.Section(className="panel mb-3 credit-self", id=cid, children=[html.H2(title, className="h6"), body])


def layout(**_):
    return html.Div([
        dcc.Store(id="credit-me-refresh", data=0), dcc.Store(id="credit-me-version"), dcc.Store(id="credit-me-print-go"),
        _card("授权金融机构查询我的信用画像", html.Div([
            html.P("授权后，被授权机构可在授权期限内按所选用途查询您的信用画像（个人信息按用途脱敏）；您可随时撤销。",
                   className="small text-muted"),
            html.Div(className="row g-2", children=[
                html.Div(form_field("金融机构", dcc.Dropdown(id="credit-grant-institution", placeholder="选择金融机构"),
                                    "credit-grant-institution"), className="col-12 col-md-4"),
                html.Div(form_field("用途", dcc.Dropdown(id="credit-grant-purpose", searchable=False,
                                                       options=[{"label": v, "value": k} for k, v in PURPOSES.items()]),
                                    "credit-grant-purpose"), className="col-12 col-md-3"),
                html.Div(form_field("起始日期", date_picker("credit-grant-from"), "credit-grant-from"),
                         className="col-6 col-md-2"),
                html.Div(form_field("截止日期", date_picker("credit-grant-until"), "credit-grant-until"),
                         className="col-6 col-md-2"),
            ]),
            dbc.Button("授权", id="credit-grant", color="primary", className="me-2"),
            dbc.Button("撤销所选授权", id="credit-revoke", color="outline-danger"),
            html.Div(id="credit-grant-result", className="mt-2"),
            data_grid("credit-auth-grid", AUTH_COLUMNS, selectable=True, height="260px"),
        ]), "credit-auth-card"),
        _card("查询记录（谁在何时为何用途查询了我的信用画像）", html.Div(id="credit-access-body"), "credit-access-card"),
        _card("本人声明", html.Div([
            form_field("声明内容", dbc.Textarea(id="credit-statement-text", maxLength=500, rows=3,
                                            placeholder="不超过500字，将显示在您的信用画像上"), "credit-statement-text"),
            dbc.Button("保存声明", id="credit-statement-save", color="primary"),
            html.Div(id="credit-statement-result", className="mt-2"),
        ]), "credit-statement-card"),
        html.Div(className="credit-actions d-flex gap-2 mb-2", children=[
            dbc.Button("打印我的信用画像", id="credit-me-print", color="secondary", size="sm"),
            html.Span(id="credit-me-print-result", className="small text-muted align-self-center")]),
        html.Div(id="credit-me-body", children=html.P("加载中…", className="text-muted")),
    ])
