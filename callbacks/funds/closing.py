"""结账 and 反结账 of the organisation chosen at the top of the page."""
from __future__ import annotations

from dash import Input, Output, State, no_update

from components.funds_forms import CLOSE, REOPEN
from data.errors import AccountError
from data.funds.closing import close_period, reopen_period
from domain import clock
from domain.funds.parsing import parse_period
from domain.money import period_label
from domain.permissions import Action
from server.callbacks import secure_callback
from server.context import settings

from ..common import alert, as_int, current_actor
from .common import bump, refused


@secure_callback(Action.BUSINESS_VIEW, Output("funds-close-result", "children"), *CLOSE.error_outputs(),
                 Output("funds-books-refresh", "data", allow_duplicate=True),
                 Input("funds-close-submit", "n_clicks"), State("funds-org", "value"), *CLOSE.states(),
                 State("funds-books-refresh", "data"), prevent_initial_call=True)
def close(_, org_id, period, refresh):
    if as_int(org_id) is None:
        return alert("未结账。", "danger"), *CLOSE.messages({"_": "请先选择集体经济组织"}), no_update
    p = parse_period(period)
    cfg = settings()
    try:
        close_period(cfg.database_url, cfg.audit_key, current_actor(), as_int(org_id), p, clock.today())
    except AccountError as exc:
        return alert("未结账。", "danger"), *CLOSE.messages(exc.errors), no_update
    except PermissionError as exc:
        return refused(exc), *CLOSE.cleared(), no_update
    return alert(f"{period_label(p)}已结账。"), *CLOSE.cleared(), bump(refresh)


@secure_callback(Action.BUSINESS_VIEW, Output(REOPEN["period"].id, "children"), Input("funds-close-grid", "selectedRows"))
def reopen_month(selected):
    """The month the reopening would act on: the one selected in the table."""
    row = (selected or [None])[0]
    return f"{row.get('period_label', '')}（{row.get('status_label', '')}）" if row else "（未选择：请在右表选择）"


@secure_callback(Action.BUSINESS_VIEW, Output("funds-reopen-result", "children"), *REOPEN.error_outputs(),
                 Output("funds-books-refresh", "data", allow_duplicate=True),
                 Input("funds-reopen-submit", "n_clicks"), State("funds-close-grid", "selectedRows"), *REOPEN.states(),
                 State("funds-books-refresh", "data"), prevent_initial_call=True)
def reopen(_, selected, reason, refresh):
    row = (selected or [None])[0]
    if not row or as_int(row.get("id")) is None:
        return alert("未反结账。", "danger"), *REOPEN.messages({"period": "请先在结账记录中选择一个月份"}), no_update
    cfg = settings()
    try:
        reopen_period(cfg.database_url, cfg.audit_key, current_actor(), as_int(row["id"]),
                      as_int(row.get("version")) or 0, reason)
    except AccountError as exc:
        return alert("未反结账。", "danger"), *REOPEN.messages(exc.errors), no_update
    except PermissionError as exc:
        return refused(exc), *REOPEN.cleared(), no_update
    return alert(f"{row.get('period_label', '')}已反结账，已记入安全日志。"), *REOPEN.cleared(), bump(refresh)
