"""数据共享 callbacks."""
from __future__ import annotations

import datetime as dt

import polars as pl
from dash import Input, Output, State, ctx, html, no_update
from flask_login import current_user

from components.dialogs import SHARE_DECISION as DECISION
from components.readonly import guard_outputs
from data.admin import sharing
from data.errors import AccountError
from domain import clock
from domain.regions import CITY, COUNTY
from data.regions import load_region_tree
from domain.permissions import Action, PermissionDenied
from server.callbacks import secure_callback
from server.context import settings

from callbacks.common import alert, current_actor, dialog_step, register_dialog, sections

STATES = {"submitted": "待省级审批", "approved": "已批准", "rejected": "已驳回"}
register_dialog(DECISION)


@secure_callback(Action.ADMIN_VIEW, Output("share-grid", "rowData"), Output("share-grantee", "options"),
                 *guard_outputs("share-decide-tools", "share-form"), Input("share-refresh", "data"))
def load(_):
    """The requests, the units one may share with, and the sections this role may act in."""
    cfg = settings()
    tree = load_region_tree(cfg.province)
    rows = sharing.list_shares(cfg.database_url, current_actor())
    for r in rows:
        r["owner"], r["grantee"] = tree.name(r["owner_region"]), tree.name(r["grantee_region"])
        r["state"] = "待我审批" if r["decidable"] else STATES.get(r["status"], r["status"])
    units = tree.frame.filter(pl.col("level").is_in([CITY, COUNTY])).select("code", "name", "level")
    root = current_user.scope.root
    options = [{"label": ("" if lv == CITY else "　") + f"{name}", "value": code}
               for code, name, lv in units.iter_rows() if code != root]
    return rows, options, *sections(current_actor(), Action.SHARING_APPROVE, Action.SHARING_REQUEST)


@secure_callback(Action.SHARING_REQUEST, Output("share-submit-result", "children"),
                 Output("share-grantee-error", "children"), Output("share-purpose-error", "children"),
                 Output("share-until-error", "children"), Output("share-refresh", "data", allow_duplicate=True),
                 Input("share-submit", "n_clicks"), State("share-grantee", "value"), State("share-purpose", "value"),
                 State("share-until", "date"), State("share-refresh", "data"), prevent_initial_call=True)
def submit(_, grantee, purpose, until, refresh):
    cfg = settings()
    try:
        valid = dt.date.fromisoformat(until) if until else None
    except ValueError:
        valid = None
    today = clock.today()
    try:
        sid = sharing.request_share(cfg.database_url, cfg.audit_key, cfg.province, current_actor(),
                                    int(grantee) if grantee else None, purpose or "", valid, today)
    except AccountError as exc:
        e = exc.errors
        return alert("申请未提交，请按提示修改。", "danger"), e.get("grantee", ""), e.get("purpose", ""), \
            e.get("valid_until", ""), no_update
    except PermissionDenied as exc:
        return alert(str(exc), "danger"), "", "", "", no_update
    return alert(f"已提交共享申请 #{sid}，等待省级审批。"), "", "", "", (refresh or 0) + 1


@secure_callback(Action.SHARING_APPROVE, *DECISION.open_outputs(),
                 Output("share-decide-result", "children", allow_duplicate=True), Input("share-approve", "n_clicks"),
                 Input("share-reject", "n_clicks"), State("share-grid", "selectedRows"), prevent_initial_call=True)
def ask(_a, _r, selected):
    """批准 / 驳回 ask first: the dialog names the request and takes the opinion."""
    if not selected:
        return *DECISION.unchanged(), alert("请先在表格中选择一条申请。", "warning")
    row = selected[0]
    decision = "approve" if ctx.triggered_id == "share-approve" else "reject"
    summary = html.Div([html.Div(f"共享申请 #{row.get('id')}：{row.get('owner', '')} → {row.get('grantee', '')}",
                                 className="fw-semibold"),
                        html.Div(f"{row.get('purpose', '')}（有效期至 {row.get('valid_until', '')}）",
                                 className="small text-muted")])
    return *DECISION.opened(decision, summary, {"id": row.get("id"), "version": 0}), ""


@secure_callback(Action.SHARING_APPROVE, Output("share-decide-result", "children", allow_duplicate=True),
                 *DECISION.result_outputs(), Output("share-refresh", "data", allow_duplicate=True),
                 DECISION.confirm_input(), *DECISION.states(), State("share-refresh", "data"),
                 prevent_initial_call=True, running=DECISION.running())
def decide(_, pending, opinion, refresh):
    """The confirmed 批准 / 驳回 (a refusal is logged by data.admin.sharing)."""
    def act(decision, sid, _version):
        cfg = settings()
        status = sharing.decide_share(cfg.database_url, cfg.audit_key, current_actor(), sid, decision == "approve",
                                      opinion)
        return f"共享申请 #{sid} {STATES[status]}。"
    return dialog_step(DECISION, pending, ("approve", "reject"), refresh, act)
