"""资产管理 callbacks."""
from __future__ import annotations

import datetime as dt

from dash import Input, Output, State, no_update

from data import assets
from data.accounts import AccountError
from domain.audit import CST
from domain.permissions import Perm, PermissionDenied
from server.auth import _now
from server.callbacks import secure_callback
from server.context import settings

from .common import alert, current_actor

ANY = (Perm.BUSINESS_HANDLING, Perm.REVIEW_APPROVAL)


@secure_callback(ANY, Output("assets-grid", "rowData"), Input("assets-refresh", "data"))
def load(_):
    return assets.list_assets(settings().database_url, current_actor())


@secure_callback(Perm.BUSINESS_HANDLING, Output("assets-selected", "children"), Output("assets-resolution", "options"),
                 Input("assets-grid", "selectedRows"))
def selected(rows):
    row = rows[0] if rows else {}
    try:
        org_id = int(row["org_id"])
    except (KeyError, TypeError, ValueError):
        return "请先在左侧选择一项资产", []
    options = assets.resolutions_for(settings().database_url, current_actor(), org_id)
    return f"{row['code']} {row['name']}（{row['status_label']}）", [{"label": o["label"], "value": o["id"]}
                                                                     for o in options]


@secure_callback(Perm.BUSINESS_HANDLING, Output("assets-result", "children"), Output("assets-action-error", "children"),
                 Output("assets-resolution-error", "children"), Output("assets-date-error", "children"),
                 Output("assets-refresh", "data"), Input("assets-submit", "n_clicks"),
                 State("assets-grid", "selectedRows"), State("assets-action", "value"),
                 State("assets-resolution", "value"), State("assets-date", "value"), State("assets-refresh", "data"),
                 prevent_initial_call=True)
def submit(_, rows, action, resolution, date, refresh):
    if not rows:
        return alert("请先选择一项资产。", "warning"), "", "", "", no_update
    try:
        day = dt.date.fromisoformat(date) if date else None
    except ValueError:
        day = None
    cfg = settings()
    row = rows[0]
    try:
        status = assets.act(cfg.database_url, cfg.audit_key, current_actor(), int(row["id"]), action,
                            int(resolution) if resolution else None, day, int(row["version"]),
                            _now().astimezone(CST).date())
    except AccountError as exc:
        e = exc.errors
        return (alert(e.get("_", "未办理，请按提示修改。"), "danger"), e.get("action", ""), e.get("resolution", ""),
                e.get("date", ""), (refresh or 0) + 1)
    except PermissionDenied as exc:
        return alert(str(exc), "danger"), "", "", "", no_update
    return alert(f"已办理：{row['code']} 现为“{ {'disposed': '已处置', 'leased': '出租', 'pledged': '抵押'}[status] }”。"), \
        "", "", "", (refresh or 0) + 1
