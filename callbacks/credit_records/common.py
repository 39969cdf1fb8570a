"""Helpers of the credit pages: a refusal's errors under their fields, dates and ids from forms."""
from __future__ import annotations

import datetime as dt

from dash import html

from callbacks.common import alert
from callbacks.funds.common import refused  # noqa: F401 - re-exported for the credit callbacks
from data.errors import AccountError


def iso(text) -> dt.date | None:
    try:
        return dt.date.fromisoformat(str(text)) if text else None
    except ValueError:
        return None


def subject_id(value) -> int | None:
    try:
        return int(value[0] if isinstance(value, list) else value)
    except (TypeError, ValueError, IndexError):
        return None


def field_errors(exc: AccountError, fields: dict[str, str], ids: list[str]) -> tuple:
    """(the alert, each error line in `ids` order) for a refused write: `fields` maps the data
    layer's field names to the form's ids; anything without a field goes into the alert."""
    by_id = {fields[f]: m for f, m in exc.errors.items() if f in fields}
    rest = [m for f, m in exc.errors.items() if f not in fields]
    head = "未保存：" + ("；".join(rest) if rest else "请按提示修改。")
    return alert(head, "danger"), *[by_id.get(i, "") for i in ids]


def link(text: str, href: str) -> str:
    """A markdown link for a grid cell."""
    return f"[{text}]({href})" if href else text


def kv(items) -> html.Dl:
    """A definition list of (label, value) pairs."""
    out = []
    for label, value in items:
        out += [html.Dt(label, className="col-sm-4"), html.Dd(value if value not in (None, "") else "—",
                                                             className="col-sm-8")]
    return html.Dl(out, className="row mb-0")
