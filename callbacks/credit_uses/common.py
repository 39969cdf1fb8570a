"""Helpers of the credit-use callbacks: the date chosen, region names, a table download (logged)."""
from __future__ import annotations

import datetime as dt

import polars as pl

from components.export import send_table
from data.regions import load_region_tree
from domain import clock
from server.context import log_export, settings


def day_of(value) -> dt.date:
    """The date picked (yyyy-mm-dd), or today in China when none or a bad one."""
    try:
        return dt.date.fromisoformat(str(value)[:10])
    except (TypeError, ValueError):
        return clock.today()


def with_region_names(rows: list[dict]) -> list[dict]:
    tree = load_region_tree(settings().province)
    for r in rows:
        r["region_name"] = tree.name(r["region_code"])
    return rows


def iso_dates(rows: list[dict]) -> list[dict]:
    """Dates as yyyy-mm-dd text for the grid (and for its filters)."""
    return [{k: v.isoformat() if isinstance(v, dt.date) else v for k, v in r.items()} for r in rows]


def download(rows: list[dict], columns, title: str, fmt: str, region: int | None = None) -> dict:
    """The table as a file through the one export writer, the export written to the security log."""
    names = [c for c, _, _ in columns]
    frame = pl.DataFrame([{c: r.get(c) for c in names} for r in rows], infer_schema_length=None) if rows else \
        pl.DataFrame(schema=dict.fromkeys(names, pl.String))
    log_export(title, len(rows), region)
    return send_table(frame, columns, title, fmt=fmt)
