"""我的账号 callbacks."""
from __future__ import annotations

import pyotp
from dash import Input, Output, State, ctx, html
from flask_login import current_user

from data.admin import accounts
from data.regions import load_region_tree
from domain.permissions import Action, PERM_LABELS, Perm, may
from server.auth import client_ip
from server.callbacks import secure_callback
from server.context import settings


def _is_admin() -> bool:
    return may(current_user.scope, Action.ACCOUNT_TOTP)


@secure_callback(Action.ACCOUNT_SELF, Output("account-info", "children"), Output("totp-state", "children"),
                 Output("totp-panel", "hidden"), Input("totp-result", "children"))
def info(_):
    cfg = settings()
    tree = load_region_tree(cfg.province)
    scope = current_user.scope
    perms = "、".join(PERM_LABELS[p] for p in sorted(scope.perms) if p != Perm.SIGNED_IN)
    rows = [("用户名", current_user.username), ("姓名", current_user.display_name), ("角色", current_user.role_label),
            ("管辖范围", " / ".join(n for _, n in tree.path(scope.root))), ("权限", perms or "—")]
    table = html.Table([html.Tbody([html.Tr([html.Th(k, className="pe-3"), html.Td(v)]) for k, v in rows])],
                       className="table table-sm mb-0")
    enabled = accounts.totp_enabled(cfg.database_url, current_user.user_id)
    state = html.Div("已启用" if enabled else "未启用", className=f"badge bg-{'success' if enabled else 'secondary'}",
                     id="totp-status")
    return table, state, not _is_admin()


@secure_callback(Action.ACCOUNT_TOTP, Output("totp-secret", "data"), Output("totp-secret-view", "children"),
                 Input("totp-new", "n_clicks"), prevent_initial_call=True)
def new_secret(_):
    secret = pyotp.random_base32()
    uri = pyotp.TOTP(secret).provisioning_uri(name=current_user.username, issuer_name="吉农经管")
    return secret, html.Div([html.Div("密钥（手动添加到验证器）："), html.Code(secret, id="totp-secret-text"),
                             html.Div(html.Small(uri, className="text-muted"))], className="small")


@secure_callback(Action.ACCOUNT_TOTP, Output("totp-result", "children"), Input("totp-enable", "n_clicks"),
                 Input("totp-disable", "n_clicks"), State("totp-secret", "data"), State("totp-code", "value"),
                 prevent_initial_call=True)
def toggle(_e, _d, secret, code):
    cfg = settings()
    enable = ctx.triggered_id == "totp-enable"
    if enable and not secret:
        return html.Div("请先生成密钥。", className="alert alert-warning py-2 mb-0")
    try:
        accounts.set_totp(cfg.database_url, cfg.audit_key, current_user.user_id, secret if enable else None, code,
                          ip=client_ip())
    except accounts.AccountError as exc:
        return html.Div(str(exc), className="alert alert-danger py-2 mb-0")
    return html.Div("已启用动态验证码，下次登录时需要输入。" if enable else "已停用动态验证码。",
                    className="alert alert-success py-2 mb-0")
