"""数据共享 callbacks."""
from __future__ import annotations

import datetime as dt

import polars as pl
from dash import Input, Output, State, ctx, no_update
from flask_login import current_user

from data.admin import sharing
from data.errors import AccountError
from domain import clock
from domain.regions import CITY, COUNTY
from data.regions import load_region_tree
from domain.permissions import Action, PermissionDenied
from server.callbacks import secure_callback
from server.context import settings

from callbacks.common import alert, current_actor

STATES = {"submitted": "待省级审批", "approved": "已批准", "rejected": "已驳回"}


@secure_callback(Action.ADMIN_VIEW, Output("share-grid", "rowData"), Output("share-grantee", "options"),
                 Input("share-refresh", "data"))
def load(_):
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
    return rows, options


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


@secure_callback(Action.ADMIN_VIEW, Output("share-decide-result", "children"),
                 Output("share-refresh", "data", allow_duplicate=True), Input("share-approve", "n_clicks"),
                 Input("share-reject", "n_clicks"), State("share-grid", "selectedRows"), State("share-refresh", "data"),
                 prevent_initial_call=True)
def decide(_a, _r, selected, refresh):
    if not selected:
        return alert("请先在表格中选择一条申请。", "warning"), no_update
    cfg = settings()
    try:
        status = sharing.decide_share(cfg.database_url, cfg.audit_key, current_actor(), int(selected[0]["id"]),
                                      ctx.triggered_id == "share-approve")
    except (AccountError, PermissionDenied) as exc:
        return alert(str(exc), "danger"), no_update
    return alert(f"共享申请 #{selected[0]['id']} {STATES[status]}。"), (refresh or 0) + 1
