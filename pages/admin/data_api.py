"""数据接口: the API keys the approved applications hold, their misuse flags, suspension, resumption
and revocation at once, and the log of every call (Art. J24–J25)."""
import dash
import dash_bootstrap_components as dbc
from dash import dcc, html

from components.citation import cited
from components.form import form_field
from components.grid import data_grid
from domain.citations import Cite
from domain.permissions import Action

dash.register_page(__name__, group="数据管理",
                   path="/admin/data-api", name="数据接口", order=85, permission=Action.DATA_KEY_MANAGE,
                   title="数据接口")

KEY_COLUMNS = [
    {"field": "prefix", "headerName": "密钥", "maxWidth": 140}, {"field": "request_id", "headerName": "申请号", "maxWidth": 90},
    {"field": "unit", "headerName": "使用单位", "minWidth": 160},
    {"field": "purpose", "headerName": "用途", "tooltipField": "purpose"},
    {"field": "state", "headerName": "状态", "maxWidth": 100}, {"field": "expires_on", "headerName": "有效期至"},
    {"field": "allowed_ips", "headerName": "允许IP", "tooltipField": "allowed_ips"},
    {"field": "rate", "headerName": "每分钟上限", "maxWidth": 110}, {"field": "calls", "headerName": "调用次数", "maxWidth": 100},
    {"field": "misuse_count", "headerName": "越权/超限", "maxWidth": 110,
     "cellClassRules": {"text-danger fw-bold": "params.value > 0"}},
    {"field": "flag", "headerName": "提示", "minWidth": 160},
    {"field": "reason", "headerName": "状态说明", "tooltipField": "reason"},
]
CALL_COLUMNS = [
    {"field": "at_text", "headerName": "时间", "minWidth": 150}, {"field": "key", "headerName": "密钥", "maxWidth": 140},
    {"field": "unit", "headerName": "使用单位"}, {"field": "purpose", "headerName": "用途", "tooltipField": "purpose"},
    {"field": "dataset", "headerName": "数据集"}, {"field": "params_text", "headerName": "参数", "tooltipField": "params_text"},
    {"field": "status", "headerName": "状态码", "maxWidth": 90}, {"field": "rows", "headerName": "返回行数", "maxWidth": 100},
    {"field": "ip", "headerName": "调用IP"}, {"field": "duration_ms", "headerName": "耗时（毫秒）", "maxWidth": 110},
    {"field": "error", "headerName": "拒绝原因", "tooltipField": "error"},
    {"field": "misuse", "headerName": "越权", "maxWidth": 80, "cellClassRules": {"text-danger fw-bold": "params.value"}},
]


def layout(**_):
    return html.Div([
        dcc.Store(id="dapi-refresh", data=0),
        dcc.Download(id="dapi-download"),
        html.Div(className="panel", children=[
            html.Div(className="d-flex justify-content-between align-items-center", children=[
                html.H2("接口密钥"),
                html.A("接口说明（OpenAPI）", href="/api/v1/openapi.json", target="_blank", className="small")]),
            html.P(cited("数据需求单位超范围使用数据的，终止对其提供数据", Cite.DATA_MISUSE) + "；"
                   + cited("接口调用不得妨碍平台正常运行", Cite.DATA_INTERFACE)
                   + "。越权（数据集、字段、区域、期间之外）、超限或非允许地址的调用均被拒绝并计入越权次数。",
                   className="text-muted small"),
            data_grid("dapi-keys", KEY_COLUMNS, selectable=True, height="300px"),
            html.Div(className="row g-2 align-items-end mt-2", children=[
                form_field("原因", dbc.Input(id="dapi-reason", maxLength=500, placeholder="暂停、恢复或吊销的原因"),
                           "dapi-reason", width="col-md-6", className="mb-0"),
                html.Div(className="col-md-6", children=[
                    dbc.Button("暂停", id="dapi-suspend", color="warning", size="sm", className="me-2"),
                    dbc.Button("恢复", id="dapi-resume", color="success", size="sm", className="me-2"),
                    dbc.Button("吊销（不可恢复）", id="dapi-revoke", color="danger", size="sm")]),
            ]),
            html.Div(id="dapi-result", className="mt-2"),
        ]),
        html.Div(className="panel mt-3", children=[
            html.Div(className="d-flex justify-content-between align-items-center", children=[
                html.H2("调用日志"),
                dbc.Button("导出Excel", id="dapi-export", color="secondary", size="sm", outline=True)]),
            html.P("每次调用（包括被拒绝的调用）均记录密钥、用途、数据集、参数、返回行数、状态、IP和耗时；选中密钥时只显示该密钥的调用。",
                   className="text-muted small"),
            data_grid("dapi-calls", CALL_COLUMNS, height="420px"),
        ]),
    ])
