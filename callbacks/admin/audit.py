"""安全日志 callbacks."""
from __future__ import annotations

import datetime as dt

from dash import Input, Output, State, html
from flask_login import current_user

from components.export import send_table
from data.admin import audit_log
from data.db import transaction
from domain import clock
from domain.permissions import Action
from server.auth import client_ip
from domain.money import period_label
from server.callbacks import secure_callback
from server.context import settings


def _filter(start, end, types, actor, result) -> audit_log.LogFilter:
    def day(v):
        return dt.date.fromisoformat(v[:10]) if v else None

    return audit_log.LogFilter(start=day(start), end=day(end), types=tuple(types or ()), actor=actor or None,
                               result=result or None)


@secure_callback(Action.AUDIT_VIEW, Output("log-grid", "rowData"), Output("log-count", "children"),
                 Input("log-search", "n_clicks"), State("log-dates", "start_date"), State("log-dates", "end_date"),
                 State("log-types", "value"), State("log-actor", "value"), State("log-result", "value"))
def search(_, start, end, types, actor, result):
    cfg = settings()
    frame = audit_log.entries(cfg.database_url, current_user.scope, _filter(start, end, types, actor, result))
    note = f"共 {frame.height:,} 条" + ("（仅显示最新的 20,000 条，请缩小范围）" if frame.height >= audit_log.MAX_ROWS else "")
    return frame.to_dicts(), note


@secure_callback(Action.AUDIT_VIEW, Output("log-download", "data"), Input("log-export", "n_clicks"),
                 State("log-dates", "start_date"), State("log-dates", "end_date"), State("log-types", "value"),
                 State("log-actor", "value"), State("log-result", "value"), prevent_initial_call=True)
def export(_, start, end, types, actor, result):
    cfg = settings()
    frame = audit_log.entries(cfg.database_url, current_user.scope, _filter(start, end, types, actor, result))
    data = send_table(frame, [(c, header, None) for c, header in audit_log.COLUMNS.items()], "安全日志", fmt="csv",
                      filename=f"安全日志-{clock.china_now().strftime('%Y%m%d-%H%M')}")
    audit_log.log_export(cfg.database_url, cfg.audit_key, current_user.scope, current_user.username, "安全日志",
                         frame.height, client_ip())
    return data


@secure_callback(Action.AUDIT_VIEW, Output("log-verify-result", "children"), Input("log-verify", "n_clicks"),
                 prevent_initial_call=True)
def verify(_):
    cfg = settings()
    with transaction(cfg.database_url) as s:
        result = audit_log.verify(s, cfg.audit_key)
    return html.Div(result.message(), className=f"alert alert-{'success' if result.ok else 'danger'} py-2 mb-0",
                    id="log-verify-message")


def _months(now: dt.datetime, n: int = 12) -> list[int]:
    local = now.astimezone(clock.CST)
    y, m = local.year, local.month
    out = []
    for _ in range(n):
        y, m = (y, m - 1) if m > 1 else (y - 1, 12)
        out.append(y * 100 + m)
    return out


@secure_callback(Action.AUDIT_VIEW, Output("review-month", "options"), Output("review-history", "children"),
                 Input("review-result", "children"))
def reviews(_):
    cfg = settings()
    done = audit_log.reviews(cfg.database_url, current_user.scope)
    reviewed = {r["month"] for r in done}
    options = [{"label": period_label(m) + ("（已审查）" if m in reviewed else ""), "value": m,
                "disabled": m in reviewed} for m in _months(clock.now())]
    rows = [html.Li(f"{period_label(r['month'])}：{r['by']} 于 {r['at']} 确认，{r['entries']} 条，"
                    f"非成功 {r['failures']} 条，链校验{'通过' if r['chain_ok'] else '失败'}") for r in done[:6]]
    return options, html.Ul(rows, className="small mb-0") if rows else html.P("尚无审查记录。", className="small text-muted")


@secure_callback(Action.AUDIT_REVIEW, Output("review-result", "children"), Input("review-sign", "n_clicks"),
                 State("review-month", "value"), State("review-note", "value"), prevent_initial_call=True)
def sign(_, month, note):
    if not month:
        return html.Div("请选择要审查的月份。", className="alert alert-warning py-2 mb-0")
    cfg = settings()
    try:
        r = audit_log.sign_off(cfg.database_url, cfg.audit_key, current_user.scope, current_user.username, int(month),
                               note, clock.now())
    except ValueError as exc:
        return html.Div(str(exc), className="alert alert-danger py-2 mb-0")
    return html.Div(f"已确认：{r['entries']} 条日志，非成功 {r['failures']} 条。{r['message']}",
                    className=f"alert alert-{'success' if r['chain_ok'] else 'danger'} py-2 mb-0")
