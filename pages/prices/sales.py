"""成交样本: the forest-rights deals the price index models read (Art. X32), inside the viewer's
jurisdiction — filtered, sorted and paged in the database, exported to Excel or CSV — and, for the
forestry bureaus that collect them, the import of sales and cost observations from a file: upload,
a preview with every error by row and column, then an all-or-nothing import."""
import dash
import dash_bootstrap_components as dbc
from dash import dcc, html

from components.credit_uses import export_bar
from components.grid import data_grid
from components.locale import date_picker
from components.readonly import guarded
from domain.imports.kinds import MAX_BYTES
from domain.permissions import Action
from domain.prices.codes import FOREST_TYPES, SALE_KINDS
from domain.prices.imports import PRICE_KINDS, SALE_SOURCES

dash.register_page(__name__, group="价格指数", path="/prices/sales", name="成交样本", order=142,
                   permission=Action.PRICE_SALES_VIEW, title="林权成交样本")

SORTS = {"deal_on": "成交日期", "price_fen": "成交价格", "area_mu": "面积", "volume_m3_per_mu": "每亩蓄积量",
         "region_code": "地区代码"}
PAGE_SIZE = 100

SALE_COLUMNS = [
    {"field": "id", "headerName": "编号", "minWidth": 90, "maxWidth": 100},
    {"field": "deal_on", "headerName": "成交日期", "minWidth": 125},
    {"field": "region_name", "headerName": "地区", "minWidth": 140, "tooltipField": "region_name"},
    {"field": "kind_label", "headerName": "类型", "minWidth": 100},
    {"field": "area", "headerName": "面积（亩）", "type": "rightAligned", "minWidth": 115},
    {"field": "price", "headerName": "成交价格（元）", "type": "rightAligned", "minWidth": 145},
    {"field": "per_mu", "headerName": "每亩价格（元）", "type": "rightAligned", "minWidth": 140},
    {"field": "forest_type_label", "headerName": "林种", "minWidth": 100},
    {"field": "species", "headerName": "优势树种", "minWidth": 110},
    {"field": "age_class_label", "headerName": "龄组", "minWidth": 100},
    {"field": "volume", "headerName": "每亩蓄积（m³）", "type": "rightAligned", "minWidth": 145},
    {"field": "site_class", "headerName": "立地等级", "minWidth": 110},
    {"field": "term_years", "headerName": "期限（年）", "minWidth": 115},
    {"field": "right_type_label", "headerName": "权利类型", "minWidth": 150, "tooltipField": "right_type_label"},
    {"field": "source_label", "headerName": "来源", "minWidth": 130},
]
ERROR_COLUMNS = [{"field": "row", "headerName": "行号", "maxWidth": 90}, {"field": "column", "headerName": "列", "maxWidth": 180},
                 {"field": "message", "headerName": "问题", "minWidth": 300, "tooltipField": "message"}]


def _select(cid: str, label: str, options: dict, *, width: str = "9rem", value=None, clearable=True):
    return html.Div([html.Label(label, htmlFor=cid, className="form-label mb-0 d-block small"),
                     dcc.Dropdown(id=cid, options=[{"label": v, "value": k} for k, v in options.items()], value=value,
                                  clearable=clearable, placeholder="全部", style={"minWidth": width})])


def _filters():
    return html.Div(className="d-flex gap-2 align-items-end flex-wrap mb-2", children=[
        html.Div([html.Label("地区", htmlFor="ps-region", className="form-label mb-0 d-block small"),
                  dcc.Dropdown(id="ps-region", options=[], clearable=False, style={"minWidth": "13rem"})]),
        _select("ps-kind", "成交类型", SALE_KINDS),
        _select("ps-type", "林种", FOREST_TYPES),
        _select("ps-source", "来源", SALE_SOURCES),
        html.Div([html.Label("成交日期自", htmlFor="ps-from", className="form-label mb-0 d-block small"),
                  date_picker("ps-from")]),
        html.Div([html.Label("至", htmlFor="ps-to", className="form-label mb-0 d-block small"), date_picker("ps-to")]),
        _select("ps-sort", "排序", SORTS, value="deal_on", clearable=False),
        _select("ps-order", "顺序", {"desc": "降序", "asc": "升序"}, width="6rem", value="desc", clearable=False),
        export_bar("ps-export"),
    ])


def _sample_grid():
    """The grid of one page of the sample: it sorts and filters the page; the database pages (the
    pager below), so the grid's own pagination is off."""
    grid = data_grid("ps-grid", SALE_COLUMNS, page_size=PAGE_SIZE, height="560px")
    grid.dashGridOptions = {**grid.dashGridOptions, "pagination": False}
    return grid


def _pager():
    return html.Div(className="d-flex gap-2 align-items-center justify-content-end mt-2", children=[
        html.Span(f"每页 {PAGE_SIZE} 宗", className="small text-muted me-2"),
        dbc.Button("上一页", id="ps-prev", size="sm", color="secondary", outline=True),
        html.Span(id="ps-page", className="small"),
        dbc.Button("下一页", id="ps-next", size="sm", color="secondary", outline=True),
    ])


def _upload():
    return html.Div(className="row g-3", children=[
        html.Div(className="col-xl-4", children=[
            html.P("成交样本与营林成本观测可从 Excel 或 CSV 文件导入：先预览检查，整份文件要么全部导入，要么一行也不导入；"
                   "同一文件不能重复导入，只能导入本辖区的数据。", className="text-muted small"),
            dbc.Label("导入内容", html_for="ps-imp-kind"),
            dcc.Dropdown(id="ps-imp-kind", options=[{"label": k.label, "value": k.key} for k in PRICE_KINDS.values()],
                         value="price_sales", clearable=False),
            html.Div(className="mt-2", children=[
                html.Span("下载模板：", className="small text-muted me-1"),
                dbc.Button("Excel 模板", id="ps-template-xlsx", size="sm", color="link", className="p-0 me-2"),
                dbc.Button("CSV 模板", id="ps-template-csv", size="sm", color="link", className="p-0"),
                dcc.Download(id="ps-template-download"),
            ]),
            dbc.Label("文件（.xlsx、.xls 或 .csv）", html_for="ps-file", className="mt-3"),
            dcc.Upload(id="ps-file", multiple=False, max_size=MAX_BYTES, className="upload-box",
                       style={"border": "1px dashed #adb5bd", "borderRadius": "6px", "padding": "0.9rem",
                              "textAlign": "center", "cursor": "pointer"},
                       children=html.Div(["拖放文件到这里，或", html.A("选择文件", href="#")])),
            html.Div(id="ps-file-error", className="invalid-feedback d-block"),
            dbc.Button("确认导入", id="ps-commit", color="primary", disabled=True, className="mt-3"),
            html.Div(id="ps-commit-result", className="mt-2"),
        ]),
        html.Div(className="col-xl-8", children=[
            html.Div(id="ps-summary", className="mb-2", children=html.Div("请选择导入内容并上传文件。",
                                                                          className="text-muted")),
            html.H3("错误（按行、列）", className="h6 mt-2"),
            data_grid("ps-errors", ERROR_COLUMNS, height="220px", row_id="params.data.key"),
            html.H3("前 20 行", className="h6 mt-3"),
            data_grid("ps-preview", [], height="260px", row_id="params.data.行号"),
        ]),
    ])


def layout(**_):
    return html.Div([
        dcc.Store(id="ps-offset", data=0),
        dcc.Store(id="ps-refresh", data=0),
        dcc.Store(id="ps-list-refresh", data=0),
        html.Div(className="panel", children=[
            html.H2("林权成交样本"),
            html.P("价格指数模型所用的林权流转、出租和抵押评估成交记录（本辖区）：来自平台的流转信用记录、文件导入或演示数据。"
                   "每亩价格 = 成交价格 ÷ 面积。", className="text-muted small"),
            _filters(),
            html.Div(id="ps-summary-line", className="small mb-2"),
            dcc.Loading(_sample_grid(), type="dot"),
            _pager(),
        ]),
        html.Div(className="panel mt-3", children=[
            html.H2("导入成交样本和营林成本"),
            guarded("ps-import", _upload()),
        ]),
    ])
