"""我的信用: the signed-in subject's own portrait (data.credit.portrait with the account's own
subject id: nothing the browser sends names the subject), their authorisations (grant, revoke),
the access record and their statement (data.credit.authorisations)."""
from __future__ import annotations

from dash import Input, Output, State, no_update

from components.credit_portrait import access_table, authorisation_rows
from data.credit import authorisations, portrait as portraits
from data.db import reading
from data.errors import AccountError
from domain.permissions import Action, PermissionDenied
from server.callbacks import clientside, secure_callback
from server.context import settings

from callbacks.common import alert, as_int, current_actor
from callbacks.credit_portrait.portrait import PRINT_JS, draw

GRANT_FIELDS = ("institution", "purpose", "valid_from", "valid_until")


def _own_id(url, who) -> int:
    with reading(url) as s:
        return authorisations.own_subject(s, who).id


@secure_callback(Action.CREDIT_SELF_VIEW, Output("credit-me-body", "children"), Output("credit-auth-grid", "rowData"),
                 Output("credit-access-body", "children"), Output("credit-statement-text", "value"),
                 Output("credit-me-version", "data"), Output("credit-grant-institution", "options"),
                 Input("credit-me-refresh", "data"))
def load(_):
    cfg, who = settings(), current_actor()
    try:
        sid = _own_id(cfg.database_url, who)
        p = portraits.portrait(cfg.database_url, who, sid, key=cfg.audit_key)
    except PermissionDenied as exc:
        return alert(str(exc), "warning"), [], "", no_update, no_update, []
    with reading(cfg.database_url) as s:
        version = authorisations.own_subject(s, who).version
        options = [{"label": i, "value": i} for i in authorisations.institutions(s)]
    return (draw(p), authorisation_rows(p["authorisations"]), access_table(p["access"]), p["statement"]["text"], version,
            options)


@secure_callback(Action.CREDIT_AUTHORISE, Output("credit-grant-result", "children"),
                 *[Output(f"credit-grant-{k}-error", "children") for k in ("institution", "purpose", "from", "until")],
                 Output("credit-me-refresh", "data", allow_duplicate=True),
                 Input("credit-grant", "n_clicks"), State("credit-grant-institution", "value"),
                 State("credit-grant-purpose", "value"), State("credit-grant-from", "date"),
                 State("credit-grant-until", "date"), State("credit-me-refresh", "data"), prevent_initial_call=True)
def grant(_, institution, purpose, valid_from, valid_until, refresh):
    cfg = settings()
    try:
        aid = authorisations.grant(cfg.database_url, cfg.audit_key, current_actor(), institution, purpose, valid_from,
                                   valid_until)
    except AccountError as exc:
        return (alert("授权未保存。", "danger"), *[exc.errors.get(k, "") for k in GRANT_FIELDS], no_update)
    except PermissionDenied as exc:
        return alert(str(exc), "danger"), "", "", "", "", no_update
    return alert(f"已授权（第 {aid} 号）。"), "", "", "", "", (refresh or 0) + 1


@secure_callback(Action.CREDIT_AUTHORISE, Output("credit-grant-result", "children", allow_duplicate=True),
                 Output("credit-me-refresh", "data", allow_duplicate=True), Input("credit-revoke", "n_clicks"),
                 State("credit-auth-grid", "selectedRows"), State("credit-me-refresh", "data"), prevent_initial_call=True)
def revoke(_, selected, refresh):
    aid = as_int((selected or [{}])[0].get("id")) if selected else None
    if aid is None:
        return alert("请先在表中选择要撤销的授权。", "warning"), no_update
    cfg = settings()
    try:
        authorisations.revoke(cfg.database_url, cfg.audit_key, current_actor(), aid)
    except AccountError as exc:
        return alert(str(exc), "danger"), no_update
    except PermissionDenied as exc:
        return alert(str(exc), "danger"), no_update
    return alert(f"已撤销第 {aid} 号授权，被授权机构即时不能再查询。"), (refresh or 0) + 1


@secure_callback(Action.CREDIT_AUTHORISE, Output("credit-statement-result", "children"),
                 Output("credit-statement-text-error", "children"), Output("credit-me-refresh", "data", allow_duplicate=True),
                 Input("credit-statement-save", "n_clicks"), State("credit-statement-text", "value"),
                 State("credit-me-version", "data"), State("credit-me-refresh", "data"), prevent_initial_call=True)
def save_statement(_, text, version, refresh):
    cfg = settings()
    try:
        authorisations.save_statement(cfg.database_url, cfg.audit_key, current_actor(), text, as_int(version))
    except AccountError as exc:
        return alert("声明未保存。", "danger"), exc.errors.get("statement", str(exc)), no_update
    except PermissionDenied as exc:
        return alert(str(exc), "danger"), "", no_update
    return alert("本人声明已保存。"), "", (refresh or 0) + 1


@secure_callback(Action.CREDIT_SELF_VIEW, Output("credit-me-print-go", "data"), Output("credit-me-print-result", "children"),
                 Input("credit-me-print", "n_clicks"), prevent_initial_call=True)
def print_view(_):
    cfg, who = settings(), current_actor()
    try:
        v = portraits.log_print(cfg.database_url, who, _own_id(cfg.database_url, who), key=cfg.audit_key)
    except PermissionDenied as exc:
        return no_update, str(exc)
    return v, f"已记录打印（{v['at']}）"


clientside(PRINT_JS, Output("credit-me-print-result", "title"), Input("credit-me-print-go", "data"), prevent_initial_call=True)
