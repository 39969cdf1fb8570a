"""安全日志: the security log of the administrator's jurisdiction, with filters, export, chain
verification and the monthly review sign-off (Art. J36, X56)."""
import dash
import dash_bootstrap_components as dbc
from dash import dcc, html

from components.citation import cited
from components.grid import data_grid
from domain.citations import Cite
from domain.labels import AUDIT_EVENTS, AUDIT_RESULTS
from domain.permissions import Action

dash.register_page(__name__, group="平台管理", path="/admin/audit", name="安全日志", order=81, permission=Action.AUDIT_VIEW,
                   title="安全日志")

COLUMNS = [
    {"field": "id", "headerName": "序号", "maxWidth": 100}, {"field": "at", "headerName": "时间（北京时间）"},
    {"field": "actor", "headerName": "操作人"}, {"field": "type_label", "headerName": "类型"},
    {"field": "description", "headerName": "描述", "minWidth": 280}, {"field": "result_label", "headerName": "结果"},
    {"field": "region_code", "headerName": "区划代码"}, {"field": "ip", "headerName": "来源地址"},
]


def layout(**_):
    return html.Div([
        html.Div(className="panel", children=[
            html.H2("筛选"),
            html.Div(className="row g-2 align-items-end", children=[
                html.Div([dbc.Label("日期范围"), dcc.DatePickerRange(id="log-dates", display_format="YYYY-MM-DD",
                                                                   start_date_placeholder_text="开始日期",
                                                                   end_date_placeholder_text="结束日期", clearable=True)],
                         className="col-auto"),
                html.Div([dbc.Label("类型"), dcc.Dropdown(id="log-types", multi=True, placeholder="全部类型",
                                                        options=[{"label": v, "value": k} for k, v in AUDIT_EVENTS.items()])],
                         className="col-md-3"),
                html.Div([dbc.Label("操作人"), dbc.Input(id="log-actor", placeholder="用户名包含…")], className="col-md-2"),
                html.Div([dbc.Label("结果"), dcc.Dropdown(id="log-result", placeholder="全部", options=[
                    {"label": AUDIT_RESULTS[x], "value": x}
                    for x in ("success", "failure", "denied", "locked", "rate_limited")])],
                         className="col-md-2"),
                html.Div([dbc.Button("查询", id="log-search", color="primary", className="me-2"),
                          dbc.Button("导出CSV", id="log-export", color="secondary", outline=True)], className="col-auto"),
            ]),
            html.Div(id="log-count", className="text-muted small mt-2"),
        ]),
        html.Div(className="panel", children=[data_grid("log-grid", COLUMNS, page_size=50, height="560px")]),
        dcc.Download(id="log-download"),
        html.Div(className="row g-3", children=[
            html.Div(className="col-lg-6", children=html.Div(className="panel", children=[
                html.H2("完整性校验"),
                html.P("每条日志以密钥链式校验（HMAC），任何修改、插入或删除都会使校验失败并指出第一条异常记录。",
                       className="text-muted small"),
                dbc.Button("立即校验", id="log-verify", color="primary", outline=True),
                html.Div(id="log-verify-result", className="mt-2"),
            ])),
            html.Div(className="col-lg-6", children=html.Div(className="panel", children=[
                html.H2("月度审查"),
                html.P(cited("每月审查一次本辖区安全日志并签字确认", Cite.SECURITY_LOG) + "。", className="text-muted small"),
                html.Div(className="d-flex gap-2", children=[
                    dcc.Dropdown(id="review-month", placeholder="选择月份", style={"minWidth": "10rem"}),
                    dbc.Input(id="review-note", placeholder="审查意见"),
                    dbc.Button("签字确认", id="review-sign", color="success"),
                ]),
                html.Div(id="review-result", className="mt-2"),
                html.Div(id="review-history", className="mt-2"),
            ])),
        ]),
    ])
