"""数据导入: historical ledgers, base data, assets, resources, contracts and members from Excel or
CSV (Art. J18): upload, a preview with every error by row and column, then an all-or-nothing
import that runs in the background with a progress bar and a cancel button."""
import dash
import dash_bootstrap_components as dbc
from dash import dcc, html

from components.citation import cited
from components.grid import data_grid
from domain.citations import Cite
from domain.imports.kinds import KINDS, MAX_BYTES
from domain.permissions import Action

dash.register_page(__name__, group="数据管理",
                   path="/imports", name="数据导入", order=78, permission=Action.DATA_IMPORT, title="数据导入")

ERROR_COLUMNS = [{"field": "row", "headerName": "行号", "maxWidth": 90}, {"field": "column", "headerName": "列", "maxWidth": 160},
                 {"field": "message", "headerName": "问题", "minWidth": 300, "tooltipField": "message"}]
HISTORY_COLUMNS = [
    {"field": "id", "headerName": "编号", "maxWidth": 90}, {"field": "at", "headerName": "时间"},
    {"field": "by", "headerName": "导入人"}, {"field": "kind", "headerName": "类型"},
    {"field": "filename", "headerName": "文件"}, {"field": "sha256", "headerName": "SHA-256"},
    {"field": "rows", "headerName": "行数", "maxWidth": 100}, {"field": "result", "headerName": "结果"},
    {"field": "message", "headerName": "说明", "minWidth": 240, "tooltipField": "message"},
]


def layout(**_):
    return html.Div([
        dcc.Store(id="imp-refresh", data=0),
        dcc.Download(id="imp-template-download"),
        html.Div(className="row g-3", children=[
            html.Div(className="col-xl-4", children=html.Div(className="panel", children=[
                html.H2("导入文件"),
                html.P(cited("历史数据导入后留存导入人、文件及其 SHA-256，同一文件不能重复导入", Cite.IMPORTS)
                       + "。整份文件要么全部导入，要么一行也不导入。", className="text-muted small"),
                dbc.Label("导入内容", html_for="imp-kind"),
                dcc.Dropdown(id="imp-kind", options=[{"label": k.label, "value": k.key} for k in KINDS.values()],
                             value="ledger", clearable=False),
                html.Div(id="imp-kind-error", className="invalid-feedback d-block"),
                html.Div(className="mt-2", children=[
                    html.Span("下载模板：", className="small text-muted me-1"),
                    dbc.Button("Excel 模板", id="imp-template-xlsx", size="sm", color="link", className="p-0 me-2"),
                    dbc.Button("CSV 模板", id="imp-template-csv", size="sm", color="link", className="p-0"),
                ]),
                dbc.Label("文件（.xlsx、.xls 或 .csv，CSV 可为 UTF-8 或 GBK 编码）", html_for="imp-file", className="mt-3"),
                dcc.Upload(id="imp-file", multiple=False, max_size=MAX_BYTES, className="upload-box",
                           style={"border": "1px dashed #adb5bd", "borderRadius": "6px", "padding": "0.9rem",
                                  "textAlign": "center", "cursor": "pointer"},
                           children=html.Div(["拖放文件到这里，或", html.A("选择文件", href="#")])),
                html.Div(id="imp-file-error", className="invalid-feedback d-block"),
                html.Div(className="mt-3 d-flex gap-2", children=[
                    dbc.Button("确认导入", id="imp-commit", color="primary", disabled=True),
                    dbc.Button("取消导入", id="imp-cancel", color="secondary", outline=True, disabled=True),
                ]),
                html.Div(id="imp-progress-box", style={"display": "none"}, className="mt-3", children=[
                    html.Div("正在导入…", className="small text-muted"),
                    dbc.Progress(id="imp-progress", value=0, label="", striped=True, animated=True,
                                 style={"height": "1.4rem"}),
                ]),
                html.Div(id="imp-commit-result", className="mt-2"),
            ])),
            html.Div(className="col-xl-8", children=html.Div(className="panel", children=[
                html.H2("预览"),
                html.Div(id="imp-summary", className="mb-2", children=html.Div("请选择导入内容并上传文件。",
                                                                               className="text-muted")),
                html.H3("错误（按行、列）", className="h6 mt-2"),
                data_grid("imp-errors", ERROR_COLUMNS, height="260px", row_id="params.data.key"),
                html.H3("前 20 行", className="h6 mt-3"),
                data_grid("imp-preview", [], height="300px", row_id="params.data.行号"),
            ])),
        ]),
        html.Div(className="panel mt-3", children=[
            html.H2("导入记录"),
            data_grid("imp-history", HISTORY_COLUMNS, height="360px"),
        ]),
    ])
