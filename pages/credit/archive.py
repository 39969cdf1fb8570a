"""信用档案 (Art. X35): a subject's records with their source, producing department, open and share
classes, batch and authoritative document, its forest rights and the batches behind them; export."""
import dash
import dash_bootstrap_components as dbc
from dash import dcc, html

from components.grid import data_grid
from domain.permissions import Action

dash.register_page(__name__, group="林业信用", path="/credit/archive", name="信用档案", order=204, title="信用档案",
                   permission=Action.CREDIT_ARCHIVE_VIEW)

RECORDS = [
    {"field": "occurred_on", "headerName": "日期", "maxWidth": 120}, {"field": "kind_label", "headerName": "类别"},
    {"field": "title", "headerName": "记录", "minWidth": 200, "tooltipField": "title"},
    {"field": "source", "headerName": "来源"}, {"field": "produced_by", "headerName": "产生部门"},
    {"field": "open_label", "headerName": "开放属性"}, {"field": "share_label", "headerName": "共享属性"},
    {"field": "batch_id", "headerName": "批次", "maxWidth": 90},
    {"field": "document_link", "headerName": "依据文件", "cellRenderer": "markdown", "minWidth": 180},
]
BATCHES = [
    {"field": "id", "headerName": "批次", "maxWidth": 90}, {"field": "kind", "headerName": "内容"},
    {"field": "title", "headerName": "依据文件", "minWidth": 200}, {"field": "number", "headerName": "文号"},
    {"field": "issued_by", "headerName": "发文机关"}, {"field": "issued_on", "headerName": "发文日期", "maxWidth": 120},
    {"field": "rows", "headerName": "行数", "maxWidth": 90},
    {"field": "link", "headerName": "文件", "cellRenderer": "markdown"},
]


def layout(id=None, **_):
    return html.Div([
        dcc.Store(id="ca-subject-id", data=id),
        dcc.Download(id="ca-download"),
        html.Div(className="panel", children=[
            html.H2("信用档案"),
            html.Div(className="row g-2 mb-2", children=[
                html.Div(dcc.Dropdown(id="ca-subject", placeholder="选择信用主体"), className="col-md-6"),
                html.Div(dbc.Button("导出档案 Excel", id="ca-export", color="light", size="sm"), className="col-md-3"),
            ]),
            html.Div(id="ca-identity", className="mb-2"),
            html.H3("信用记录及其依据", className="h6"),
            data_grid("ca-records", RECORDS, height="360px"),
            html.H3("林权", className="h6 mt-3"),
            html.Div(id="ca-rights"),
            html.H3("导入批次及依据文件", className="h6 mt-3"),
            data_grid("ca-batches", BATCHES, height="240px"),
        ]),
    ])
