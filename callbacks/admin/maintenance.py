"""停机公告 callbacks."""
from __future__ import annotations

import datetime as dt

from dash import Input, Output, State, ctx, html, no_update
from flask_login import current_user

from data.admin import platform_settings
from domain import clock
from domain.admin.maintenance import CST, Closure, may_announce, validate
from domain.permissions import Action
from server.auth import current_closure
from server.callbacks import secure_callback
from server.context import settings


def _local(value: str | None) -> dt.datetime | None:
    if not value:
        return None
    try:
        return dt.datetime.fromisoformat(value).replace(tzinfo=CST)
    except ValueError:
        return None


@secure_callback(Action.ADMIN_VIEW, Output("mnt-current", "children"), Output("mnt-publish", "disabled"),
                 Output("mnt-withdraw", "disabled"), Input("mnt-version", "data"))
def current(_):
    closure = current_closure()
    text = closure.banner(clock.now()) if closure else None
    allowed = may_announce(current_user.scope)
    box = html.Div(text or "当前没有停机公告。", className=f"alert alert-{'warning' if text else 'light'} py-2 mb-0")
    if not allowed:
        box = html.Div([box, html.P("停机公告由省级平台管理员发布。", className="small text-muted mt-2 mb-0")])
    return box, not allowed, not (allowed and closure)


@secure_callback(Action.MAINTENANCE_ANNOUNCE, Output("mnt-result", "children"), Output("mnt-start-error", "children"),
                 Output("mnt-end-error", "children"), Output("mnt-message-error", "children"),
                 Output("mnt-version", "data"), Input("mnt-publish", "n_clicks"), Input("mnt-withdraw", "n_clicks"),
                 State("mnt-start", "value"), State("mnt-end", "value"), State("mnt-message", "value"),
                 State("mnt-version", "data"), prevent_initial_call=True)
def publish(_p, _w, start, end, message, version):
    scope = current_user.scope
    if not may_announce(scope):
        raise PermissionError("停机公告由省级平台管理员发布")
    cfg = settings()
    if ctx.triggered_id == "mnt-withdraw":
        platform_settings.announce_closure(cfg.database_url, cfg.audit_key, current_user.username,
                                           current_user.user_id, scope.root, None)
        return html.Div("已撤销停机公告。", className="alert alert-success py-2 mb-0"), "", "", "", (version or 0) + 1
    starts, ends = _local(start), _local(end)
    errors = validate(starts, ends, message or "", clock.now())
    if errors:
        return (html.Div("公告未发布，请按提示修改。", className="alert alert-danger py-2 mb-0"),
                errors.get("starts_at", ""), errors.get("ends_at", ""), errors.get("message", ""), no_update)
    closure = Closure(starts_at=starts, ends_at=ends, message=message.strip(), announced_by=current_user.username)
    platform_settings.announce_closure(cfg.database_url, cfg.audit_key, current_user.username, current_user.user_id,
                                       scope.root, closure)
    return html.Div("公告已发布，所有用户将看到停机提示。", className="alert alert-success py-2 mb-0"), "", "", "", \
        (version or 0) + 1
