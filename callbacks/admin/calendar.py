"""工作日历 callbacks: the years and where their schedule comes from, a year's schedule into the
form, the save (data.calendar.store, validated by domain.calendar.entry) and the deadline trial."""
from __future__ import annotations

import datetime as dt
from typing import Annotated

from dash import Input, Output, State, html, no_update
from pydantic import Field, StrictInt

from components.readonly import guard_outputs
from data.calendar import store
from data.errors import AccountError
from domain import clock
from domain.calendar.entry import day_text, holidays_text, makeup_text
from domain.labels import time_text
from domain.permissions import Action, PermissionDenied
from server.callbacks import secure_callback
from server.context import settings
from server.inputs import declare

from callbacks.common import alert, current_actor, sections

declare("cal-revision", "data", Annotated[StrictInt, Field(ge=0, le=10**6)] | None)


@secure_callback(Action.ADMIN_VIEW, Output("cal-grid", "rowData"), *guard_outputs("cal-form"),
                 Input("cal-refresh", "data"))
def load(_):
    rows = store.years(settings().database_url, clock.today())
    for r in rows:
        r["entered_at"] = time_text(r["entered_at"]) if r["entered_at"] else ""
    return rows, *sections(current_actor(), Action.CALENDAR_EDIT)


@secure_callback(Action.ADMIN_VIEW, Output("cal-detail", "children"), Output("cal-year", "value"),
                 Output("cal-holidays", "value"), Output("cal-makeup", "value"), Output("cal-revision", "data"),
                 Input("cal-grid", "selectedRows"), prevent_initial_call=True)
def pick(selected):
    """A year's entered schedule into the form (a revision starts from it) and its versions."""
    row = (selected or [None])[0]
    if not row:
        return "", no_update, no_update, no_update, no_update
    year = int(row.get("id") or row.get("year") or 0)
    versions = store.history(settings().database_url, year)
    if not versions:
        note = "内置日历已含该年放假安排；在此录入后以录入的为准。" if row.get("published") else \
            f"{year} 年放假安排尚未发布（未录入）：期限按周一至周五计算并标注暂定。"
        return html.Div(note, className="text-muted small"), year, "", "", 0
    latest = versions[0]
    s = latest["schedule"]
    lines = [html.Li(f"{h.name}：{h.start.isoformat()} 至 {h.end.isoformat()}") for h in s.holidays]
    lines += [html.Li(f"调休上班：{day_text(d)}") for d in s.makeup_days]
    trail = "；".join(f"第 {v['revision']} 版 {v['entered_by']} {time_text(v['entered_at'])}" for v in versions)
    return html.Div([html.Ul(lines, className="small mb-1"), html.Div(f"版本：{trail}", className="small text-muted")]), \
        year, holidays_text(s), makeup_text(s), int(latest["revision"])


@secure_callback(Action.CALENDAR_EDIT, Output("cal-save-result", "children"), Output("cal-year-error", "children"),
                 Output("cal-holidays-error", "children"), Output("cal-makeup-error", "children"),
                 Output("cal-refresh", "data", allow_duplicate=True), Input("cal-save", "n_clicks"),
                 State("cal-year", "value"), State("cal-holidays", "value"), State("cal-makeup", "value"),
                 State("cal-revision", "data"), State("cal-refresh", "data"), prevent_initial_call=True)
def save(_, year, holidays, makeup, revision, refresh):
    cfg = settings()
    actor = current_actor()
    try:
        rev = store.save_schedule(cfg.database_url, cfg.audit_key, actor, year, holidays, makeup, revision)
    except AccountError as exc:
        store.refuse(cfg.database_url, cfg.audit_key, actor, year, str(exc))
        e = exc.errors
        lines = {k: html.Ul([html.Li(x) for x in v.split("\n")], className="mb-0 ps-3") if "\n" in v else v
                 for k, v in e.items()}
        return alert(e.get("_", "放假安排未保存，请按提示修改。"), "danger"), lines.get("year", ""), \
            lines.get("holidays", ""), lines.get("makeup_days", ""), no_update
    except PermissionDenied as exc:
        return alert(str(exc), "danger"), "", "", "", no_update
    return alert(f"已保存 {int(year)} 年放假安排（第 {rev} 版），期限即按此计算。"), "", "", "", (refresh or 0) + 1


@secure_callback(Action.ADMIN_VIEW, Output("cal-trial-result", "children"), Input("cal-trial", "n_clicks"),
                 State("cal-trial-start", "date"), State("cal-trial-days", "value"), prevent_initial_call=True)
def trial(_, start, days):
    """The deadline `days` working days after `start`, marked provisional where it must be."""
    try:
        start_day = dt.date.fromisoformat(str(start)[:10])
        n = int(days)
    except (TypeError, ValueError):
        return alert("请填写起算日期和工作日数。", "warning")
    if not 0 <= n <= 365:
        return alert("工作日数应在 0 到 365 之间。", "warning")
    due = store.current(settings().database_url).deadline(start_day, n)
    return html.Div([html.Span(f"{start_day.isoformat()} 起 {n} 个工作日：", className="me-1"),
                     html.Span(day_text(due.day), className="fw-semibold", id="cal-trial-day"),
                     html.Span(due.note, className="text-warning ms-1", id="cal-trial-note")])
