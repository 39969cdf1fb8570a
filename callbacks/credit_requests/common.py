"""Helpers of the credit request callbacks: a form's error lines, dates from inputs, the selected
row, a table's export (formulas neutralised by components.export), a form section's visibility."""
from __future__ import annotations

import datetime as dt

import polars as pl
from dash import Output

from components.export import send_table
from domain import clock
from domain.permissions import may

from callbacks.common import readonly_note


def error_outputs(fields: dict[str, str]) -> list[Output]:
    return [Output(f"{cid}-error", "children") for cid in fields.values()]


def messages(fields: dict[str, str], errors: dict | None) -> list:
    errors = errors or {}
    return [errors.get(name) for name in fields]


def day(value) -> dt.date | None:
    try:
        return dt.date.fromisoformat(str(value)[:10]) if value else None
    except ValueError:
        return None


def selected(rows) -> dict | None:
    return (rows or [None])[0] or None


def export(rows: list[dict], columns: list[dict], title: str) -> dict:
    cols = [(c["field"], c["headerName"], None) for c in columns]
    frame = pl.DataFrame([{k: ("" if r.get(k) is None else str(r.get(k))) for k, _, _ in cols} for r in rows],
                         schema={k: pl.String for k, _, _ in cols})
    return send_table(frame, cols, title, filename=f"{title}-{clock.china_now():%Y%m%d}")


def headline(exc, fields: dict[str, str], default: str) -> str:
    """The outcome line of a refused form: `default`, plus any refusal that has no field of its own
    (a stale version, a record out of reach)."""
    loose = [v for k, v in exc.errors.items() if k not in fields]
    return "；".join(loose) if loose else default


def refused(exc, fields: dict[str, str], default: str) -> list:
    """The outcome line and each field's error line of a refused form."""
    from callbacks.common import alert

    return [alert(headline(exc, fields, default), "danger"), *messages(fields, exc.errors)]


def section_state(who, actions, quiet: bool = False) -> tuple[bool, str]:
    """(hidden, note) of a form section the caller may use if they may take any of `actions`;
    `quiet`: hidden without a note (the data unit never applies)."""
    ok = any(may(who, a) for a in actions)
    return (False, "") if ok else (True, "" if quiet else readonly_note(who, actions[0]))
