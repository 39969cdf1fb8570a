"""账号管理: accounts within the administrator's remit, requests to create or re-authorise
accounts and their decision (Art. J8–J10), disabling."""
import dash
import dash_bootstrap_components as dbc
from dash import dcc, html

from components.citation import cited
from components.dialogs import ACCOUNT_DECISION
from components.form import form_field
from components.grid import data_grid
from domain.citations import Cite
from domain.permissions import Action, ROLES

dash.register_page(__name__, group="平台管理", path="/admin/users", name="账号管理", order=80, permission=Action.ACCOUNT_REQUEST,
                   title="账号管理")

USER_COLUMNS = [
    {"field": "username", "headerName": "用户名"}, {"field": "display_name", "headerName": "姓名"},
    {"field": "role_label", "headerName": "角色"}, {"field": "region_name", "headerName": "管辖区域"},
    {"field": "region_code", "headerName": "区划代码"}, {"field": "status", "headerName": "状态"},
    {"field": "password_changed", "headerName": "密码修改日期"},
]
REQUEST_COLUMNS = [
    {"field": "id", "headerName": "申请号", "maxWidth": 100}, {"field": "kind_label", "headerName": "类型"},
    {"field": "username", "headerName": "用户名"}, {"field": "display_name", "headerName": "姓名"},
    {"field": "role_label", "headerName": "角色"}, {"field": "region_name", "headerName": "区域"},
    {"field": "state", "headerName": "状态"}, {"field": "approver", "headerName": "审批人"},
    {"field": "opinion", "headerName": "审批意见", "tooltipField": "opinion"},
]


def layout(**_):
    roles = [{"label": r.label, "value": key} for key, r in ROLES.items()]
    form = html.Div([
        html.H2("申请新建账号"),
        html.P(cited("新建账号须经审批：市、县级账号由省级批准，乡镇、村级账号由县级批准", Cite.PERMISSIONS)
               + "。本人不能审批本人的申请：县级管理员申请的乡镇、村级账号由市级管理员审批。", className="text-muted small"),
        form_field("用户名", dbc.Input(id="acct-username", maxLength=32, placeholder="小写字母开头，如 zhang.wei"),
                   "acct-username"),
        form_field("姓名", dbc.Input(id="acct-display-name", maxLength=100), "acct-display-name"),
        form_field("角色", dcc.Dropdown(id="acct-role", options=roles, clearable=False, placeholder="选择角色"), "acct-role"),
        form_field("管辖区域", dcc.Dropdown(id="acct-region", placeholder="先选择角色，再选择区域"), "acct-region"),
        form_field("省级审批文号（监督部门必填）", dbc.Input(id="acct-approval-ref", maxLength=100), "acct-approval-ref"),
        form_field("所属金融机构（金融机构用户必填）", dbc.Input(id="acct-institution", maxLength=100), "acct-institution"),
        form_field("初始密码（首次登录须修改）", dbc.Input(id="acct-password", type="password", maxLength=1024), "acct-password"),
        dbc.Button("提交申请", id="acct-submit", color="primary", className="mt-1"),
        html.Div(id="acct-submit-result", className="mt-2"),
    ], className="panel")
    return html.Div([
        dcc.Store(id="acct-refresh", data=0),
        html.Div(className="row g-3", children=[
            html.Div(className="col-xl-8", children=[
                html.Div(className="panel", children=[
                    html.Div(className="d-flex justify-content-between align-items-center", children=[
                        html.H2("辖区账号"),
                        html.Div([dbc.Button("停用所选账号", id="acct-disable", color="danger", outline=True, size="sm",
                                             className="me-2"),
                                  dbc.Button("启用所选账号", id="acct-enable", color="secondary", outline=True, size="sm")]),
                    ]),
                    data_grid("acct-users", USER_COLUMNS, selectable=True, height="420px"),
                    html.Div(id="acct-user-result", className="mt-2"),
                ]),
                html.Div(className="panel", children=[
                    html.Div(className="d-flex justify-content-between align-items-center", children=[
                        html.H2("账号申请"),
                        html.Div([dbc.Button("批准…", id="acct-approve", color="success", size="sm", className="me-2"),
                                  dbc.Button("驳回…", id="acct-reject", color="warning", size="sm")]),
                    ]),
                    data_grid("acct-requests", REQUEST_COLUMNS, selectable=True, height="300px", page_size=20),
                    html.Div(id="acct-decide-result", className="mt-2"),
                    *ACCOUNT_DECISION.draw(),
                ]),
            ]),
            html.Div(form, className="col-xl-4"),
        ]),
    ])
