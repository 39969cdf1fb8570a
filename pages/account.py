"""我的账号: who I am, password change and (for administrators) the optional TOTP second factor."""
import dash
import dash_bootstrap_components as dbc
from dash import dcc, html

from domain.permissions import Action

dash.register_page(__name__, path="/account", name="我的账号", order=90, permission=Action.ACCOUNT_SELF, title="我的账号")


def layout(**_):
    return html.Div(className="row g-3", children=[
        html.Div(className="col-lg-6", children=html.Div(className="panel", children=[
            html.H2("账号信息"), html.Div(id="account-info"),
            html.A("修改密码", href="/password", className="btn btn-outline-primary btn-sm mt-2", id="account-password"),
        ])),
        # hidden until the info callback shows it to whoever may use it: a non-administrator never
        # sees live-looking TOTP buttons, not even while the page's first answers are on their way
        html.Div(className="col-lg-6", children=html.Div(className="panel", id="totp-panel", hidden=True, children=[
            html.H2("动态验证码（双因素登录）"),
            html.P("管理员可启用基于时间的动态验证码（TOTP）：用手机验证器应用添加下方密钥后，登录时需额外输入6位验证码。",
                   className="text-muted small"),
            html.Div(id="totp-state"),
            dbc.Button("生成新密钥", id="totp-new", color="secondary", outline=True, size="sm", className="mt-2"),
            html.Div(id="totp-secret-view", className="mt-2"),
            dcc.Store(id="totp-secret"),
            html.Div(className="d-flex gap-2 mt-2", children=[
                dbc.Input(id="totp-code", placeholder="6位验证码", maxLength=6, style={"maxWidth": "10rem"}),
                dbc.Button("启用", id="totp-enable", color="primary", size="sm"),
                dbc.Button("停用", id="totp-disable", color="danger", outline=True, size="sm"),
            ]),
            html.Div(id="totp-result", className="mt-2"),
        ])),
    ])
