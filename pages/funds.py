"""资金管理: payment and receipt requests — the cashier enters, the secretary and the supervisory
chair approve, the township accountant posts them as vouchers."""
import dash
import dash_bootstrap_components as dbc
from dash import dcc, html

from components.grid import data_grid
from domain.funds import PAYMENT_ACCOUNTS, RECEIPT_ACCOUNTS
from domain.permissions import Perm

dash.register_page(__name__, path="/funds", name="资金管理", order=10, title="资金管理",
                   permission=(Perm.BUSINESS_HANDLING, Perm.REVIEW_APPROVAL))

COLUMNS = [
    {"field": "id", "headerName": "单号", "maxWidth": 90}, {"field": "date", "headerName": "日期"},
    {"field": "org", "headerName": "集体经济组织"}, {"field": "kind", "headerName": "类型", "maxWidth": 90},
    {"field": "amount_fen", "headerName": "金额（元）", "type": "rightAligned",
     "valueFormatter": {"function": "d3.format(',.2f')(params.value / 100)"}},
    {"field": "purpose", "headerName": "用途"}, {"field": "counterparty", "headerName": "对方"},
    {"field": "status_label", "headerName": "状态"},
]


def _field(label, component, fid):
    return html.Div([dbc.Label(label, html_for=fid), component,
                     html.Div(id=f"{fid}-error", className="invalid-feedback d-block")], className="mb-2")


def layout(**_):
    accounts = {**{k: f"{k} {v}（付款）" for k, v in PAYMENT_ACCOUNTS.items()},
                **{k: f"{k} {v}（收款）" for k, v in RECEIPT_ACCOUNTS.items()}}
    form = html.Div(className="panel", id="funds-form-panel", children=[
        html.H2("录入收付款申请（村报账员）"),
        _field("类型", dbc.RadioItems(id="funds-kind", value="payment", inline=True,
                                    options=[{"label": "付款", "value": "payment"}, {"label": "收款", "value": "receipt"}]),
               "funds-kind"),
        _field("收付账户", dcc.Dropdown(id="funds-bank", placeholder="选择账户"), "funds-bank"),
        _field("金额（元）", dbc.Input(id="funds-amount", placeholder="例如 1,234.50", inputMode="decimal"), "funds-amount"),
        _field("科目", dcc.Dropdown(id="funds-account", options=[{"label": v, "value": k} for k, v in accounts.items()]),
               "funds-account"),
        _field("用途", dbc.Input(id="funds-purpose", maxLength=200), "funds-purpose"),
        _field("对方单位或个人", dbc.Input(id="funds-counterparty", maxLength=100), "funds-counterparty"),
        _field("证件类型", dcc.Dropdown(id="funds-id-type", value="resident", clearable=False, options=[
            {"label": "居民身份证", "value": "resident"}, {"label": "统一社会信用代码", "value": "uscc"},
            {"label": "其他", "value": "other"}]), "funds-id-type"),
        _field("证件号码", dbc.Input(id="funds-id", maxLength=40), "funds-id"),
        _field("日期", dbc.Input(id="funds-date", type="date"), "funds-date"),
        dbc.Button("提交申请", id="funds-submit", color="primary"),
        html.Div(id="funds-submit-result", className="mt-2"),
    ])
    return html.Div([
        dcc.Store(id="funds-refresh", data=0),
        html.Div(className="row g-3", children=[
            html.Div(className="col-xl-8", children=html.Div(className="panel", children=[
                html.Div(className="d-flex justify-content-between align-items-center", children=[
                    html.H2("收付款申请"),
                    html.Div([dbc.Button("同意", id="funds-approve", color="success", size="sm", className="me-2"),
                              dbc.Button("驳回", id="funds-reject", color="warning", size="sm", className="me-2"),
                              dbc.Button("记账", id="funds-post", color="primary", size="sm")]),
                ]),
                data_grid("funds-grid", COLUMNS, selectable=True, height="520px"),
                html.Div(id="funds-action-result", className="mt-2"),
            ])),
            html.Div(form, className="col-xl-4"),
        ]),
    ])
