"""停机公告: the province announces a closure for maintenance with a date (Art. J43)."""
import dash
import dash_bootstrap_components as dbc
from dash import dcc, html

from domain.permissions import Action

dash.register_page(__name__, group="平台管理", path="/admin/maintenance", name="停机公告", order=82,
                   permission=Action.ADMIN_VIEW, title="停机公告")


def layout(**_):
    return html.Div(className="panel", style={"maxWidth": "44rem"}, children=[
        html.H2("停机维护公告"),
        html.P("省级平台管理员可提前公告停机时间；公告后所有用户都会看到提示条，停机期间仅平台维护人员可以登录。",
               className="text-muted small"),
        html.Div(id="mnt-current", className="mb-3"),
        html.Div(className="row g-2", children=[
            html.Div([dbc.Label("停机开始（北京时间）", html_for="mnt-start"),
                      dbc.Input(id="mnt-start", placeholder="yyyy-mm-dd hh:mm", maxLength=16),
                      html.Div(id="mnt-start-error", className="invalid-feedback d-block")], className="col-md-6"),
            html.Div([dbc.Label("预计恢复（可选）", html_for="mnt-end"),
                      dbc.Input(id="mnt-end", placeholder="yyyy-mm-dd hh:mm", maxLength=16),
                      html.Div(id="mnt-end-error", className="invalid-feedback d-block")], className="col-md-6"),
        ]),
        html.Div([dbc.Label("公告内容", html_for="mnt-message"), dbc.Textarea(id="mnt-message", maxLength=500),
                  html.Div(id="mnt-message-error", className="invalid-feedback d-block")], className="mt-2"),
        html.Div([dbc.Button("发布公告", id="mnt-publish", color="primary", className="me-2"),
                  dbc.Button("撤销公告", id="mnt-withdraw", color="secondary", outline=True)], className="mt-3"),
        html.Div(id="mnt-result", className="mt-2"),
        dcc.Store(id="mnt-version", data=0),
    ])
