"""预警热力图: where the supervision rules find problems — region × rule heatmap at any level
(click a cell for its warnings), a map of open warnings per village, raised vs closed by month,
time to close by region and the village ratings; worst regions first. Drill down by region
like the cockpit (#region=… in the URL)."""
from domain.permissions import Action
import dash
import dash_bootstrap_components as dbc
from dash import dcc, html

from components.charts import graph_config
from components.grid import data_grid
from domain.supervision.rating import legend

dash.register_page(__name__, group="监督预警", path="/warning-map", name="预警热力图", order=5, title="监督预警热力图",
                   permission=Action.WARNING_MAP_VIEW)

CELL_COLUMNS = [
    {"field": "id", "headerName": "编号", "maxWidth": 90, "filter": "agNumberColumnFilter"},
    {"field": "rule_name", "headerName": "规则", "minWidth": 170},
    {"field": "severity_label", "headerName": "级别", "maxWidth": 80,
     "cellClassRules": {"sev-high": "params.data.severity == 3", "sev-mid": "params.data.severity == 2"}},
    {"field": "status_label", "headerName": "状态", "maxWidth": 110}, {"field": "region_name", "headerName": "村（社区）"},
    {"field": "title", "headerName": "预警内容", "minWidth": 280, "tooltipField": "title"},
    {"field": "raised_on", "headerName": "发现日期", "maxWidth": 120},
    {"field": "assigned_name", "headerName": "责任单位"},
    {"field": "overdue_label", "headerName": "逾期", "maxWidth": 80, "cellClassRules": {"sev-high": "params.value"}},
    {"field": "link", "headerName": "处置", "cellRenderer": "markdown", "maxWidth": 100, "sortable": False,
     "filter": False},
]
RATING_COLUMNS = [
    {"field": "rating_label", "headerName": "评级", "maxWidth": 90,
     "cellClassRules": {"rating-red": "params.data.rating == 'red'", "rating-amber": "params.data.rating == 'amber'",
                        "rating-green": "params.data.rating == 'green'"}},
    {"field": "name", "headerName": "村（社区）", "minWidth": 120},
    {"field": "township", "headerName": "乡（镇）", "minWidth": 110},
    {"field": "open", "headerName": "未关闭", "maxWidth": 95, "type": "rightAligned", "filter": "agNumberColumnFilter"},
    {"field": "high", "headerName": "高级别", "maxWidth": 95, "type": "rightAligned", "filter": "agNumberColumnFilter"},
    {"field": "overdue", "headerName": "逾期", "maxWidth": 85, "type": "rightAligned", "filter": "agNumberColumnFilter"},
    {"field": "reasons", "headerName": "评级理由", "minWidth": 240, "tooltipField": "reasons"},
]


def _panel(title, *children, cls="col-xl-6", title_id=None):
    head = html.H2(title, id=title_id) if title_id else html.H2(title)
    return html.Div(className=cls, children=html.Div(className="panel", children=[head, *children]))


def layout(**_):
    return html.Div([
        dcc.Store(id="wmap-codes"),
        dcc.Store(id="wmap-cell"),
        dcc.Download(id="wmap-download"),
        html.Div(className="d-flex justify-content-between align-items-center flex-wrap", children=[
            html.Div(id="wmap-breadcrumb", className="breadcrumb-bar"),
            dcc.RadioItems(id="wmap-status", value="open", inline=True, inputClassName="me-1", labelClassName="me-3",
                           options=[{"label": "未关闭的预警", "value": "open"}, {"label": "全部预警", "value": "all"}]),
        ]),
        html.Div(id="wmap-kpis", className="row g-2 mb-3"),
        html.Div(className="row g-3", children=[
            _panel("区域 × 规则 预警热力图（条；预警最多的区域在上，点击格子查看预警）",
                   dcc.Graph(id="wmap-heatmap", config=graph_config("预警热力图"), style={"minHeight": "260px"}),
                   cls="col-12"),
        ]),
        html.Div(className="panel", children=[
            html.Div(className="d-flex justify-content-between align-items-center", children=[
                html.H2(id="wmap-cell-title", children="预警明细（点击热力图中的格子）"),
                dbc.Button("导出Excel", id="wmap-export-cell", size="sm", color="secondary", outline=True),
            ]),
            data_grid("wmap-cell-grid", CELL_COLUMNS, page_size=20, height="420px"),
        ]),
        html.Div(className="row g-3", children=[
            _panel("每村平均未关闭预警（条/村，点击区域下钻）",
                   dcc.Graph(id="wmap-map", config=graph_config("预警分布图"), style={"height": "420px"})),
            _panel("每月新发现与已关闭的预警（条）",
                   dcc.Graph(id="wmap-trend", config=graph_config("预警趋势"), style={"height": "420px"})),
        ]),
        html.Div(className="row g-3", children=[
            _panel("预警平均办结时长（自然日，按区域，最慢的在上）",
                   dcc.Graph(id="wmap-close-time", config=graph_config("办结时长"), style={"height": "420px"})),
            _panel("村级评级（红、黄、绿；最差的在上）", html.Div(className="d-flex justify-content-between mb-1", children=[
                html.Span(legend(), className="small text-muted"),
                dbc.Button("导出Excel", id="wmap-export-ratings", size="sm", color="secondary", outline=True)]),
                data_grid("wmap-ratings", RATING_COLUMNS, page_size=20, height="380px", row_id="params.data.code")),
        ]),
    ])
