"""资源管理: the register of collective resources (耕地, 林地, 草地 …) of the user's jurisdiction —
area in mu, location, whether contracted, to whom and until when; registering a resource and
correcting one, with its change history."""
import dash
import dash_bootstrap_components as dbc
from dash import dcc, html

from components.form import form_field
from components.grid import data_grid
from domain.contracts import RESOURCE_TYPES
from domain.permissions import Action

dash.register_page(__name__, group="三资业务", path="/resources", name="资源管理", order=12, title="资源管理",
                   permission=Action.BUSINESS_VIEW)

COLUMNS = [
    {"field": "name", "headerName": "名称", "minWidth": 160}, {"field": "type", "headerName": "类型", "minWidth": 90},
    {"field": "area_mu", "headerName": "面积（亩）", "type": "rightAligned", "filter": "agNumberColumnFilter",
     "valueGetter": {"function": "Number(params.data.area_mu)"}, "minWidth": 120},
    {"field": "location", "headerName": "坐落", "minWidth": 110}, {"field": "parcel_no", "headerName": "宗地编号",
                                                                   "minWidth": 120},
    {"field": "contracted", "headerName": "已发包", "minWidth": 90},
    {"field": "contractor", "headerName": "承包（承租）方", "minWidth": 150},
    {"field": "contracted_until", "headerName": "承包到期", "minWidth": 120},
    {"field": "org", "headerName": "集体经济组织", "minWidth": 190},
]


def layout(**_):
    form = html.Div(className="panel", id="res-form-panel", hidden=True, children=[
        html.H2("登记或修改资源"),
        html.P("选择左侧一项资源可修改它；是否发包、承包方和到期日由合同自动记录。", className="text-muted small"),
        html.Div(id="res-selected", className="mb-2 fw-semibold"),
        form_field("集体经济组织", dcc.Dropdown(id="res-org", placeholder="选择集体经济组织"), "res-org"),
        form_field("资源名称", dbc.Input(id="res-name", maxLength=200, placeholder="例如 3组东大地"), "res-name"),
        form_field("资源类型", dcc.Dropdown(id="res-type", options=[{"label": t, "value": t} for t in RESOURCE_TYPES],
                                      placeholder="选择类型"), "res-type"),
        form_field("面积（亩）", dbc.Input(id="res-area", inputMode="decimal", placeholder="例如 125.5，最多4位小数"),
                   "res-area"),
        form_field("坐落", dbc.Input(id="res-location", maxLength=200), "res-location"),
        form_field("宗地（地块）编号", dbc.Input(id="res-parcel", maxLength=40), "res-parcel"),
        html.Div([dbc.Button("新增资源", id="res-create", color="primary", className="me-2"),
                  dbc.Button("保存修改", id="res-save", color="secondary")]),
        html.Div(id="res-result", className="mt-2"),
    ])
    return html.Div([
        dcc.Store(id="res-refresh", data=0),
        dcc.Store(id="res-editing"),
        html.Div(className="row g-3", children=[
            html.Div(className="col-xl-8", children=[
                html.Div(className="panel", children=[
                    html.Div(className="d-flex justify-content-between align-items-center", children=[
                        html.H2("资源台账"),
                        dbc.Button("刷新", id="res-reload", color="light", size="sm"),
                    ]),
                    html.Div(id="res-summary", className="muted-note mb-1"),
                    data_grid("res-grid", COLUMNS, selectable=True, height="520px"),
                ]),
                html.Div(className="panel", children=[html.H2("修改记录"), html.Div(id="res-history")]),
            ]),
            html.Div(form, className="col-xl-4"),
        ]),
    ])
