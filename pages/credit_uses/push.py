"""双公示推送 (Art. X28): public credit data in the 行政许可 / 行政处罚 layout for 信用中国, validated."""
import dash
import dash_bootstrap_components as dbc
from dash import dcc, html

from components.grid import data_grid
from components.locale import date_picker
from domain import clock
from domain.permissions import Action
from domain.citations import credit_article

dash.register_page(__name__, group="林业信用", path="/credit/push", name="双公示推送", order=133,
                   permission=Action.CREDIT_PUSH_EXPORT, title="双公示数据推送（信用中国）")

REJECT_COLUMNS = [
    {"field": "table_label", "headerName": "表", "maxWidth": 110},
    {"field": "record_id", "headerName": "记录编号", "maxWidth": 110},
    {"field": "title", "headerName": "记录名称"},
    {"field": "reasons_text", "headerName": "未通过原因", "minWidth": 420, "tooltipField": "reasons_text"},
]
PUSH_COLUMNS = [
    {"field": "id", "headerName": "编号", "maxWidth": 90}, {"field": "period_text", "headerName": "期间"},
    {"field": "xk", "headerName": "行政许可（推送/退回）", "maxWidth": 180},
    {"field": "cf", "headerName": "行政处罚（推送/退回）", "maxWidth": 180},
    {"field": "package_name", "headerName": "数据包", "tooltipField": "package_name"},
    {"field": "package_sha256", "headerName": "SHA-256", "tooltipField": "package_sha256"},
    {"field": "by_name", "headerName": "操作人", "maxWidth": 130}, {"field": "at_text", "headerName": "时间"},
]


def layout(**_):
    return html.Div([
        dcc.Store(id="credit-push-refresh", data=0),
        html.Div(className="panel", children=[
            html.H2("双公示数据推送（信用中国）"),
            html.P(f"{credit_article('push', True)}：按“双公示”字段规范生成行政许可（XK_*）和行政处罚（CF_*）数据，"
                   "罚款金额以万元计。只推送开放属性为“无条件开放”、仍有效、在所选期间内作出决定的记录；逐行校验必填项、"
                   "日期格式、统一社会信用代码和金额，未通过的记录列在下表并退回，不会被推送。自然人证件号码脱敏。",
                   className="text-muted small"),
            html.Div("离线推送：本平台不连接外网。“推送”即把数据包（每表CSV与XLSX、校验报告、含SHA-256的清单）写入服务器"
                     "数据目录的发件箱，由数据管理单位报送信用中国（江西）。", className="alert alert-info py-2 small"),
            html.Div(className="d-flex gap-3 align-items-end flex-wrap", children=[
                html.Div([dbc.Label("决定日期自", html_for="credit-push-from"),
                          date_picker("credit-push-from", date=clock.today().replace(month=1, day=1).isoformat()),
                          html.Div(id="credit-push-from-error", className="invalid-feedback d-block")]),
                html.Div([dbc.Label("至", html_for="credit-push-to"),
                          date_picker("credit-push-to", date=clock.today().isoformat()),
                          html.Div(id="credit-push-to-error", className="invalid-feedback d-block")]),
                dbc.Button("校验", id="credit-push-validate", color="secondary", outline=True),
                dbc.Button("生成推送数据包", id="credit-push-generate", color="primary"),
            ]),
            dcc.Loading(html.Div(id="credit-push-result", className="mt-2"), type="dot"),
            data_grid("credit-push-rejects", REJECT_COLUMNS, height="260px", row_id="params.data.key"),
        ]),
        html.Div(className="panel", children=[
            html.H2("推送记录"),
            data_grid("credit-push-grid", PUSH_COLUMNS, selectable=True, height="260px"),
            html.Div(className="d-flex gap-2 mt-2", children=[
                dbc.Button("下载所选数据包", id="credit-push-download-btn", color="secondary", outline=True),
                dcc.Download(id="credit-push-download")]),
            html.Div(id="credit-push-download-result", className="mt-2"),
        ]),
    ])
