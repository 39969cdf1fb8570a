"""基础数据审核: the changes and corrections of the jurisdiction — the township approves or returns
a change, the county a correction; city and province see the filings and may revoke an unfounded
correction (Art. J13–J14)."""
import dash
import dash_bootstrap_components as dbc
from dash import dcc, html

from components.basedata import DECISION, REVOKE
from components.citation import cited
from components.grid import data_grid
from components.readonly import guarded
from domain.citations import Cite
from domain.permissions import Action

dash.register_page(__name__, group="数据管理",
                   path="/basedata/review", name="基础数据审核", order=31, permission=Action.BASEDATA_VIEW,
                   title="基础数据审核")

COLUMNS = [
    {"field": "id", "headerName": "编号", "maxWidth": 90}, {"field": "kind", "headerName": "类型", "maxWidth": 90},
    {"field": "org", "headerName": "村集体经济组织", "minWidth": 200}, {"field": "state", "headerName": "状态"},
    {"field": "summary", "headerName": "变更内容（原值→新值）", "minWidth": 260, "tooltipField": "summary"},
    {"field": "reason", "headerName": "原因", "tooltipField": "reason"},
    {"field": "proposed_by", "headerName": "发起人"}, {"field": "proposed_at", "headerName": "发起时间"},
    {"field": "decided_by", "headerName": "审核人"}, {"field": "opinion", "headerName": "审核意见", "tooltipField": "opinion"},
    {"field": "filed_with", "headerName": "备案"}, {"field": "revoke_reason", "headerName": "撤销理由"},
]


def layout(**_):
    return html.Div([
        dcc.Store(id="bd-review-refresh", data=0),
        html.Div(className="panel", children=[
            html.Div(className="d-flex justify-content-between align-items-center flex-wrap gap-2", children=[
                html.H2("基础数据变更与更正", className="mb-0"),
                html.Div(className="d-flex gap-2", children=[
                    guarded("bd-decide-tools", [
                        dbc.Button("同意…", id="bd-approve", color="success", size="sm", className="me-2"),
                        dbc.Button("退回…", id="bd-return", color="warning", size="sm")]),
                    guarded("bd-revoke-tools", [dbc.Button("撤销更正…", id="bd-revoke-open", color="danger", size="sm")]),
                ]),
            ]),
            html.P(cited("乡镇审核村级发起的变更", Cite.BASE_DATA_UPDATE) + "；"
                   + cited("县级审批锁定后的更正，市、省对依据不充分的更正予以撤销（撤销即恢复原值）", Cite.BASE_DATA_LOCK)
                   + "。待您处理的排在最前。", className="text-muted small"),
            data_grid("bd-queue", COLUMNS, selectable=True, height="460px"),
            html.Div(id="bd-review-result", className="mt-2"),
            *DECISION.draw(), *REVOKE.draw(),
        ]),
    ])
