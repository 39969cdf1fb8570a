"""数据共享: a city or county shares its data with another only with provincial approval (Art. J17)."""
import dash
import dash_bootstrap_components as dbc
from dash import dcc, html

from components.citation import cited
from components.dialogs import SHARE_DECISION as DECISION
from components.grid import data_grid
from components.locale import date_picker
from components.readonly import guarded
from domain.citations import Cite
from domain.permissions import Action

dash.register_page(__name__, group="数据管理", path="/admin/sharing", name="数据共享", order=83, permission=Action.ADMIN_VIEW,
                   title="数据共享")

COLUMNS = [
    {"field": "id", "headerName": "申请号", "maxWidth": 100}, {"field": "owner", "headerName": "数据所属"},
    {"field": "grantee", "headerName": "共享给"}, {"field": "purpose", "headerName": "用途", "minWidth": 220},
    {"field": "valid_until", "headerName": "有效期至"}, {"field": "state", "headerName": "状态"},
    {"field": "opinion", "headerName": "审批意见", "tooltipField": "opinion"},
]


def layout(**_):
    return html.Div([
        dcc.Store(id="share-refresh", data=0),
        html.Div(className="row g-3", children=[
            html.Div(className="col-xl-8", children=html.Div(className="panel", children=[
                html.Div(className="d-flex justify-content-between align-items-center", children=[
                    html.H2("共享申请"),
                    guarded("share-decide-tools", [
                        dbc.Button("批准…", id="share-approve", color="success", size="sm", className="me-2"),
                        dbc.Button("驳回…", id="share-reject", color="warning", size="sm")]),
                ]),
                data_grid("share-grid", COLUMNS, selectable=True, height="420px"),
                html.Div(id="share-decide-result", className="mt-2"),
                *DECISION.draw(),
            ])),
            html.Div(className="col-xl-4", children=html.Div(className="panel", children=[
                html.H2("申请共享本辖区数据"),
                html.P(cited("市、县之间共享数据须经省级平台管理员批准", Cite.SHARING)
                       + "，有效期最长一年；上级单位本已可查看下级数据，无需共享。", className="text-muted small"),
                guarded("share-form", [
                    dbc.Label("共享给（市或县）", html_for="share-grantee"),
                    dcc.Dropdown(id="share-grantee", placeholder="选择市或县"),
                    html.Div(id="share-grantee-error", className="invalid-feedback d-block"),
                    dbc.Label("用途", html_for="share-purpose", className="mt-2"),
                    dbc.Textarea(id="share-purpose", maxLength=500),
                    html.Div(id="share-purpose-error", className="invalid-feedback d-block"),
                    dbc.Label("有效期至", html_for="share-until", className="mt-2"), date_picker("share-until"),
                    html.Div(id="share-until-error", className="invalid-feedback d-block"),
                    dbc.Button("提交申请", id="share-submit", color="primary", className="mt-3"),
                    html.Div(id="share-submit-result", className="mt-2"),
                ]),
            ])),
        ]),
    ])
