"""The one scoped path to records: every read of a region-bearing table and every load for a
write goes through here, so a caller can never see or change a row outside its jurisdiction.

- `in_scope(column, who)`: the WHERE clause keeping a region-code column inside the caller's
  subtrees (each a closed integer range, Art. J16–J17 shares included).
- `scoped(stmt, Model, who)`: a SELECT restricted to the caller's jurisdiction on `Model.region_code`.
- `scoped_frame(frame, who, column="region_code")`: the same for a polars frame already in memory.
- `load_for_write(session, Model, id, who, version, noun=...)`: the row, refused (in Chinese, with
  the record's own noun) when it is missing or out of scope, when another user changed it since the
  caller read it (optimistic locking), or — given `action` — when the one access decision says no.
  Reading one record for its detail view is the same load without a version.
- `org_for_write(session, org_id, who, action=None)`: the same for the collective organisation a
  new record is entered under ("该集体经济组织不在您的管辖范围内").
"""
from __future__ import annotations

import numpy as np
import polars as pl
from sqlalchemy import false, or_

from data.errors import StaleEdit
from data.models import CollectiveOrg
from domain.permissions import NOUNS, Action, OutOfScope, ensure, scope_of


def in_scope(column, who):
    """`column` (a region code) inside the caller's jurisdiction; never true for no scope."""
    ranges = scope_of(who).ranges
    return or_(*[column.between(lo, hi) for lo, hi in ranges]) if ranges else false()


def scoped(stmt, model, who, column=None):
    """`stmt` restricted to rows of `model` (by its `region_code`, or `column`) in the caller's scope."""
    return stmt.where(in_scope(column if column is not None else model.region_code, who))


def scoped_frame(frame: pl.DataFrame, who, column: str = "region_code") -> pl.DataFrame:
    """The rows of `frame` whose `column` (a region code) lies inside the caller's jurisdiction;
    `frame` itself when every row does (the usual case: a cheap check on a few hundred codes)."""
    codes = frame.get_column(column).to_numpy()
    inside = np.zeros(len(codes), dtype=bool)
    for lo, hi in scope_of(who).ranges:
        inside |= (codes >= lo) & (codes <= hi)
    return frame if inside.all() else frame.filter(pl.Series(inside))


def load_for_write(session, model, ident, who, version: int | None = None, *, noun: str = "该记录",
                   action: Action | None = None, stale: str | None = None, lock: bool = False):
    """The row `ident` of `model` for a write by `who`, or a refusal that changes nothing.

    `version`: the version the caller read (None: no check); `stale`: the message for a changed
    record (default "{noun}已被他人修改，请刷新后再操作"); `action`: also ensure the caller may take it on
    this row (roles, scope, separation of duty). An `ident` that is not a whole number (a form's
    empty or mangled value) is a missing row."""
    try:
        ident = int(ident)
    except (TypeError, ValueError):
        ident = None
    row = session.get(model, ident, with_for_update=lock) if ident is not None else None
    if row is None or not scope_of(who).contains(row.region_code):
        raise OutOfScope(f"{noun}不在您的管辖范围内", action)
    if action is not None:
        ensure(who, action, row, noun=noun)
    if version is not None and row.version != version:
        raise StaleEdit(stale or f"{noun}已被他人修改，请刷新后再操作")
    return row


def org_for_write(session, org_id, who, action: Action | None = None):
    """The collective organisation `org_id` in the caller's jurisdiction, to enter a record under."""
    return load_for_write(session, CollectiveOrg, org_id, who, noun=NOUNS["organisation"], action=action)
