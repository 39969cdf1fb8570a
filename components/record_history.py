"""A record's change history (data.history.history rows) as a compact table: when (Beijing time),
who, what, and each changed field from → to, with the field names in Chinese."""
from __future__ import annotations

import datetime as dt

from domain.approvals import history_verb
from domain.clock import CST

from dash import html


def history_table(rows: list[dict], labels: dict[str, str], *, limit: int = 50, formats: dict | None = None,
                  table: str = ""):
    """`labels`: field -> Chinese name; fields without one are not shown (ids, bookkeeping).
    `formats`: field -> function turning a stored text value into what a person reads. `table`:
    the records' table, whose steps (审批, 驳回, 撤回 …) the 操作 column names (domain.approvals)."""
    formats = formats or {}

    def value(field, text):
        if text is None or text == "":
            return "（空）"
        return formats[field](text) if field in formats else text

    body = []
    for row in rows[:limit]:
        changes = [(f, old, new) for f, (old, new) in (row.get("changes") or {}).items() if f in labels]
        if not changes:
            continue
        at = row["at"].astimezone(CST).strftime("%Y-%m-%d %H:%M") if isinstance(row["at"], dt.datetime) else row["at"]
        what = html.Ul([html.Li(f"{labels[f]}：{value(f, new)}" if row["action"] == "insert" else
                                f"{labels[f]}：{value(f, old)} → {value(f, new)}") for f, old, new in changes],
                       className="mb-0 ps-3")
        body.append(html.Tr([html.Td(at, className="text-nowrap"), html.Td(row.get("by") or "系统"),
                             html.Td(history_verb(table, row["action"], row.get("changes"))), html.Td(what)]))
    if not body:
        return html.Span("暂无修改记录（平台上线前导入的数据没有逐条记录）", className="text-muted small")
    return html.Table([html.Thead(html.Tr([html.Th("时间"), html.Th("操作人"), html.Th("操作"), html.Th("内容")])),
                       html.Tbody(body)], className="table table-sm small mb-0")
