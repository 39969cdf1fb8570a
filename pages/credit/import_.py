"""批量导入 (Art. X18): credit data from an Excel or CSV file together with the authoritative
document it rests on — without the document nothing enters; a file with any bad row enters not
at all (every problem by row and column); a batch that enters keeps its document on every record."""
import dash
import dash_bootstrap_components as dbc
from dash import dcc, html

from components.form import form_field
from components.grid import data_grid
from components.locale import date_picker
from domain.credit.batch import KINDS
from domain.imports.kinds import MAX_BYTES
from domain.permissions import Action

dash.register_page(__name__, group="林业信用",
                   path="/credit/import", name="信用数据批量导入", order=203, title="信用数据批量导入",
                   permission=Action.CREDIT_RECORD_IMPORT)

ERRORS = [{"field": "row", "headerName": "行号", "maxWidth": 90}, {"field": "column", "headerName": "列", "maxWidth": 170},
          {"field": "message", "headerName": "问题", "minWidth": 320, "tooltipField": "message"}]
PREVIEW = [{"field": "行号", "maxWidth": 90}, {"field": "名称"}, {"field": "证件号码"}, {"field": "内容", "minWidth": 220}]
BATCHES = [
    {"field": "id", "headerName": "批次", "maxWidth": 90}, {"field": "at", "headerName": "时间"},
    {"field": "by", "headerName": "导入人"}, {"field": "kind", "headerName": "内容"},
    {"field": "title", "headerName": "依据文件", "minWidth": 200}, {"field": "number", "headerName": "文号"},
    {"field": "issued_by", "headerName": "发文机关"}, {"field": "rows", "headerName": "行数", "maxWidth": 90},
    {"field": "link", "headerName": "文件", "cellRenderer": "markdown"},
]
_BOX = {"border": "1px dashed #adb5bd", "borderRadius": "6px", "padding": "0.7rem", "textAlign": "center",
        "cursor": "pointer"}


def layout(**_):
    return html.Div([
        dcc.Store(id="ci-refresh", data=0),
        dcc.Download(id="ci-template-download"),
        html.Div(className="row g-3", children=[
            html.Div(className="col-xl-4", children=html.Div(className="panel", children=[
                html.H2("导入文件与依据文件"),
                html.P("依有效文件批量导入的信用数据须附有权机关的依据文件；没有依据文件的，整批不予导入。"
                       "文件有任何一行错误的，整批不导入。", className="text-muted small"),
                form_field("导入内容", dcc.Dropdown(id="ci-kind", options=[{"label": k.label, "value": k.key}
                                                                        for k in KINDS.values()],
                                                 value="subsidy", clearable=False), "ci-kind"),
                html.Div(className="mb-2", children=[
                    html.Span("下载模板：", className="small text-muted me-1"),
                    dbc.Button("Excel 模板", id="ci-template-xlsx", size="sm", color="link", className="p-0 me-2"),
                    dbc.Button("CSV 模板", id="ci-template-csv", size="sm", color="link", className="p-0"),
                ]),
                form_field("数据文件（.xlsx、.xls 或 .csv）",
                           dcc.Upload(id="ci-file", multiple=False, max_size=MAX_BYTES, style=_BOX,
                                      children=html.Div(["拖放文件到这里，或", html.A("选择文件", href="#")])), "ci-file"),
                html.H3("依据文件", className="h6 mt-3"),
                form_field("文件（PDF、OFD 或图片）",
                           dcc.Upload(id="ci-doc", multiple=False, max_size=MAX_BYTES, style=_BOX,
                                      children=html.Div(["拖放依据文件到这里，或", html.A("选择文件", href="#")])), "ci-doc"),
                html.Div(id="ci-doc-name", className="small text-muted"),
                form_field("文件名称", dbc.Input(id="ci-doc-title", maxLength=200), "ci-doc-title"),
                form_field("文号", dbc.Input(id="ci-doc-number", maxLength=100, placeholder="例如 赣林发〔2026〕12号"),
                           "ci-doc-number"),
                form_field("发文机关", dbc.Input(id="ci-doc-issuer", maxLength=100), "ci-doc-issuer"),
                form_field("发文日期", date_picker("ci-doc-date"), "ci-doc-date"),
                dbc.Button("确认导入", id="ci-commit", color="primary", className="mt-2"),
                html.Div(id="ci-result", className="mt-2"),
            ])),
            html.Div(className="col-xl-8", children=html.Div(className="panel", children=[
                html.H2("检查结果"),
                html.Div(id="ci-summary", className="mb-2", children=html.Div("请选择导入内容并上传文件。",
                                                                              className="text-muted")),
                html.H3("错误（按行、列）", className="h6"),
                data_grid("ci-errors", ERRORS, height="260px", row_id="params.data.key"),
                html.H3("前 20 行", className="h6 mt-3"),
                data_grid("ci-preview", PREVIEW, height="260px", row_id="params.data.行号"),
            ])),
        ]),
        html.Div(className="panel mt-3", children=[html.H2("导入批次"), data_grid("ci-batches", BATCHES, height="320px")]),
    ])
