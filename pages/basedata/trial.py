"""试运行与锁定: which counties have ended the trial period, and the province ending it for one
county at a time (Art. J14)."""
import dash
import dash_bootstrap_components as dbc
from dash import dcc, html

from components.basedata import LOCK
from components.citation import cited
from components.grid import data_grid
from components.readonly import guarded
from domain.citations import Cite
from domain.permissions import Action

dash.register_page(__name__, group="数据管理",
                   path="/basedata/trial", name="试运行与锁定", order=32, permission=Action.BASEDATA_VIEW,
                   title="试运行与锁定")

COLUMNS = [{"field": "city", "headerName": "市（州）"}, {"field": "name", "headerName": "县（市、区）"},
           {"field": "code", "headerName": "区划代码"}, {"field": "state", "headerName": "状态"},
           {"field": "locked_at", "headerName": "锁定时间"}, {"field": "locked_by", "headerName": "操作人"}]


def layout(**_):
    return html.Div([
        dcc.Store(id="bd-trial-refresh", data=0),
        html.Div(className="row g-3", children=[
            html.Div(className="col-xl-8", children=html.Div(className="panel", children=[
                html.H2("各县试运行状态"), html.Div(id="bd-trial-summary", className="mb-2"),
                data_grid("bd-counties", COLUMNS, height="520px", row_id="params.data.code"),
            ])),
            html.Div(className="col-xl-4", children=html.Div(className="panel", children=[
                html.H2("结束试运行"),
                html.P(cited("平台试运行结束后，基础数据将被锁定；此后修正须向乡镇申请、经县级同意并报省市备案",
                             Cite.BASE_DATA_LOCK) + "。每次结束一个县，结束后不可恢复。", className="text-muted small"),
                guarded("bd-lock-form", [
                    dbc.Label("县（市、区）", html_for="bd-lock-county"),
                    dcc.Dropdown(id="bd-lock-county", placeholder="选择仍在试运行的县"),
                    html.Div(id="bd-lock-county-error", className="invalid-feedback d-block"),
                    dbc.Button("结束试运行…", id="bd-lock-open", color="danger", className="mt-3"),
                    html.Div(id="bd-lock-result", className="mt-2"),
                ]),
                *LOCK.draw(),
            ])),
        ]),
    ])
