"""The aggregations behind the heatmap page (预警热力图): the scope's warnings as a polars frame,
then region × rule counts, the warnings behind one cell, open warnings per village, raised and
closed per month, time to close and the village ratings.

Warnings are few next to the ledger: the page reads them per request (scoped) into a frame,
cached briefly under the caller's scope and the table's data version.
"""
from __future__ import annotations

import bisect
import datetime as dt
import time

import polars as pl
from sqlalchemy import func, select

from data.db import reading
from data.models import CollectiveOrg, Warning
from data.scoped import in_scope, scoped
from domain.clock import china_date
from domain.permissions import Action, Scope, ensure
from domain.regions import CITY, COUNTY, TOWNSHIP, VILLAGE, level_of, subtree_bounds
from domain.supervision import lifecycle as rules
from domain.supervision import rating as rating_rules
from domain.supervision.rules.base import SEVERITY_LABELS

from .store import LIMIT
from data import forksafe

#: region-code span of one unit at each level (a child's code is `code // span * span`)
SPAN = {CITY: 10**8, COUNTY: 10**6, TOWNSHIP: 10**3, VILLAGE: 1}
FRAME_SCHEMA = {"id": pl.Int64, "rule_id": pl.String, "region_code": pl.Int64, "severity": pl.Int64,
                "status": pl.String, "assigned_region": pl.Int64, "title": pl.String, "raised_on": pl.Date,
                "closed_on": pl.Date, "close_days": pl.Float64, "due_on": pl.Date, "escalations": pl.Int64}

_CACHE: dict[tuple, tuple] = {}
_CACHE_LOCK = forksafe.Lock()
CACHE_TTL_S = 60.0
CACHE_MAX = 64


def _data_version(s) -> tuple:
    """Changes whenever a warning is inserted, deleted or updated (every update bumps `version`)."""
    return tuple(s.execute(select(func.count(Warning.id), func.max(Warning.id),
                                  func.coalesce(func.sum(Warning.version), 0))).one())


def frame(url: str, scope: Scope) -> pl.DataFrame:
    """Every warning of the scope's villages as a polars frame (FRAME_SCHEMA), cached under the
    scope and the table's data version (and at most CACHE_TTL_S seconds)."""
    ensure(scope, Action.WARNING_READ)
    key = (url, scope.cache_key())
    with reading(url) as s:
        version = _data_version(s)
        hit = _CACHE.get(key)
        if hit and hit[0] == version and time.monotonic() - hit[1] < CACHE_TTL_S:
            return hit[2]
        rows = s.execute(select(Warning.id, Warning.rule_id, Warning.region_code, Warning.severity, Warning.status,
                                Warning.assigned_region, Warning.title, Warning.raised_at, Warning.closed_at,
                                Warning.due_on, Warning.escalations).where(in_scope(Warning.region_code, scope))).all()
    data = [(i, rule, int(region), int(sev), status, int(assigned), title, china_date(raised),
             china_date(closed) if status == "closed" else None,
             (closed - raised).total_seconds() / 86400 if status == "closed" and closed and raised else None,
             due, int(esc or 0))
            for i, rule, region, sev, status, assigned, title, raised, closed, due, esc in rows]
    out = pl.DataFrame(data, schema=FRAME_SCHEMA, orient="row")
    with _CACHE_LOCK:
        if len(_CACHE) >= CACHE_MAX:
            _CACHE.pop(next(iter(_CACHE)))
        _CACHE[key] = (version, time.monotonic(), out)
    return out


def supervised_villages(url: str, scope: Scope) -> frozenset[int]:
    """The villages in the scope that have a collective economic organisation on the platform
    (the ones a rating is about), cached like `frame`."""
    ensure(scope, Action.WARNING_READ)
    key = (url, "orgs", scope.cache_key())
    hit = _CACHE.get(key)
    if hit and time.monotonic() - hit[1] < CACHE_TTL_S:
        return hit[2]
    with reading(url) as s:
        codes = frozenset(int(c) for c in s.scalars(
            scoped(select(CollectiveOrg.region_code), CollectiveOrg, scope).distinct()))
    with _CACHE_LOCK:
        _CACHE[key] = (None, time.monotonic(), codes)
    return codes


def _subtree(f: pl.DataFrame, region: int) -> pl.DataFrame:
    lo, hi = subtree_bounds(region)
    return f.filter(pl.col("region_code").is_between(lo, hi))


def _status(f: pl.DataFrame, status: str) -> pl.DataFrame:
    return f.filter(pl.col("status") != "closed") if status == "open" else f


def _with_child(f: pl.DataFrame, region: int) -> pl.DataFrame:
    """Adds `child`: the unit one level below `region` that each warning falls in (the village
    itself at village level)."""
    level = level_of(region)
    span = SPAN[min(level + 1, VILLAGE)] if level < VILLAGE else 1
    return f.with_columns(child=(pl.col("region_code") // span) * span)


def _children(tree, region: int) -> list[tuple[int, str]]:
    if level_of(region) >= VILLAGE:
        return [(int(region), tree.name(region))]
    kids = tree.children(region)
    return list(zip(kids["code"].to_list(), kids["name"].to_list()))


def _overdue_expr(today: dt.date) -> pl.Expr:
    return pl.col("status").is_in(sorted(rules.AWAITING_HANDLING)) & (pl.col("due_on") < today)


def heatmap(f: pl.DataFrame, tree, region: int, status: str = "open") -> dict:
    """Children of `region` × rules: counts of warnings. Rows worst first (most warnings, then most
    high-severity ones), columns the rules with most warnings first; only the rules and regions
    with warnings appear (`quiet`: how many children have none)."""
    sub = _with_child(_status(_subtree(f, region), status), region)
    counts = sub.group_by("child", "rule_id").len()
    per_rule = sub.group_by("rule_id").len().sort(["len", "rule_id"], descending=[True, False])
    cols = per_rule["rule_id"].to_list()
    totals = dict(sub.group_by("child").len().iter_rows())
    severe = dict(sub.filter(pl.col("severity") >= 3).group_by("child").len().iter_rows())
    every = _children(tree, region)
    kids = sorted((k for k in every if totals.get(k[0])), key=lambda k: (-totals[k[0]], -severe.get(k[0], 0), k[0]))
    cell = {(c, r): n for c, r, n in counts.iter_rows()}
    seen = [n for _, n in kids]
    # a click reports the row's label, so two units of the same name get their code's tail
    names = [n if seen.count(n) == 1 else f"{n}（{c % 1000:03d}）" for c, n in kids]
    return {"row_codes": [c for c, _ in kids], "row_names": names, "col_ids": cols,
            "col_names": [rules.rule_info(r)["name"] for r in cols],
            "z": [[cell.get((c, r), 0) for r in cols] for c, _ in kids],
            "totals": [totals.get(c, 0) for c, _ in kids], "quiet": len(every) - len(kids)}


def cell_rows(f: pl.DataFrame, tree, region: int, rule_id: str | None, status: str, today: dt.date,
              limit: int = LIMIT) -> pl.DataFrame:
    """The warnings behind one heatmap cell (`region`'s subtree × `rule_id`), most severe first."""
    sub = _status(_subtree(f, region), status)
    if rule_id:
        sub = sub.filter(pl.col("rule_id") == rule_id)
    sub = sub.sort(["severity", "raised_on", "id"], descending=True).head(limit)
    return sub.with_columns(
        rule_name=pl.col("rule_id").replace_strict({r: rules.rule_info(r)["name"] for r in sub["rule_id"].unique()},
                                                   default=pl.col("rule_id"), return_dtype=pl.String),
        severity_label=pl.col("severity").replace_strict(SEVERITY_LABELS, default="", return_dtype=pl.String),
        status_label=pl.col("status").replace_strict(rules.STATUS_LABELS, default=pl.col("status"),
                                                     return_dtype=pl.String),
        region_name=pl.col("region_code").replace_strict({c: tree.name(c) for c in sub["region_code"].unique()},
                                                         default="", return_dtype=pl.String),
        assigned_name=pl.col("assigned_region").replace_strict(
            {c: tree.name(c) for c in sub["assigned_region"].unique()}, default="", return_dtype=pl.String),
        overdue_label=pl.when(_overdue_expr(today)).then(pl.lit("逾期")).otherwise(pl.lit("")),
    )


def per_village(f: pl.DataFrame, tree, region: int, villages: frozenset[int] | None = None) -> pl.DataFrame:
    """Open warnings per village of each child of `region` (code, name, open, villages,
    per_village), worst first; villages counted among `villages` (those on the platform) when given."""
    sub = _with_child(_status(_subtree(f, region), "open"), region)
    opened = dict(sub.group_by("child").len().iter_rows())
    known = sorted(villages) if villages is not None else None
    rows = []
    for code, name in _children(tree, region):
        if level_of(code) >= VILLAGE:
            n = 1 if villages is None or code in villages else 0
        elif known is not None:
            lo, hi = subtree_bounds(code)
            n = bisect.bisect_right(known, hi) - bisect.bisect_left(known, lo)
        else:
            n = tree.descendants(code, level=VILLAGE).height
        count = opened.get(code, 0)
        rows.append((code, name, count, n, count / n if n else None))
    out = pl.DataFrame(rows, schema={"code": pl.Int64, "name": pl.String, "open": pl.Int64, "villages": pl.Int64,
                                     "per_village": pl.Float64}, orient="row")
    return out.sort(["per_village", "open", "code"], descending=[True, True, False], nulls_last=True)


def months_back(today: dt.date, months: int) -> list[str]:
    y, m = today.year, today.month
    out = []
    for _ in range(months):
        out.append(f"{y:04d}-{m:02d}")
        y, m = (y - 1, 12) if m == 1 else (y, m - 1)
    return out[::-1]


def trend(f: pl.DataFrame, region: int, today: dt.date, months: int = 24) -> dict:
    """Warnings raised and closed per month over the last `months` months."""
    sub = _subtree(f, region)
    periods = months_back(today, months)
    raised = dict(sub.group_by(pl.col("raised_on").dt.strftime("%Y-%m").alias("p")).len().iter_rows())
    closed = dict(sub.filter(pl.col("closed_on").is_not_null())
                  .group_by(pl.col("closed_on").dt.strftime("%Y-%m").alias("p")).len().iter_rows())
    return {"periods": periods, "raised": [raised.get(p, 0) for p in periods],
            "closed": [closed.get(p, 0) for p in periods]}


def close_time(f: pl.DataFrame, tree, region: int) -> pl.DataFrame:
    """Mean days from raising to closing per child of `region` (closed warnings only), slowest first."""
    sub = _with_child(_subtree(f, region).filter(pl.col("status") == "closed"), region)
    agg = sub.group_by("child").agg(days=pl.col("close_days").mean(), closed=pl.len())
    names = dict(_children(tree, region))
    agg = agg.filter(pl.col("child").is_in(list(names)))
    return (agg.with_columns(name=pl.col("child").replace_strict(names, return_dtype=pl.String))
            .rename({"child": "code"}).sort(["days", "code"], descending=[True, False]))


def ratings(f: pl.DataFrame, tree, region: int, today: dt.date, villages: frozenset[int] | None = None,
            thresholds: rating_rules.Thresholds = rating_rules.DEFAULT) -> pl.DataFrame:
    """Every village under `region` (of `villages` when given: those on the platform) rated green /
    amber / red from its open warnings, with the reasons; worst first."""
    sub = _status(_subtree(f, region), "open")
    agg = sub.group_by("region_code").agg(
        open=pl.len(), severe=(pl.col("severity") >= thresholds.red_severity).sum(),
        overdue=_overdue_expr(today).sum())
    stats = {r[0]: r[1:] for r in agg.iter_rows()}
    codes = tree.villages(region)["code"].to_list() if level_of(region) < VILLAGE else [int(region)]
    if villages is not None:
        codes = [c for c in codes if c in villages or c in stats]
    rows = []
    for code in codes:
        n, severe, late = stats.get(code, (0, 0, 0))
        rating, reasons = rating_rules.rate(n, severe, late, thresholds)
        rows.append((code, tree.name(code), tree.name(code // 1000 * 1000), rating,
                     rating_rules.RATING_LABELS[rating], rating_rules.RATING_ORDER[rating], n, severe, late, reasons))
    out = pl.DataFrame(rows, orient="row", schema={
        "code": pl.Int64, "name": pl.String, "township": pl.String, "rating": pl.String, "rating_label": pl.String,
        "order": pl.Int64, "open": pl.Int64, "high": pl.Int64, "overdue": pl.Int64, "reasons": pl.String})
    return out.sort(["order", "open", "high", "code"], descending=[False, True, True, False]).drop("order")


def kpis(f: pl.DataFrame, region: int, today: dt.date, rated: pl.DataFrame) -> dict:
    sub = _subtree(f, region)
    open_ = sub.filter(pl.col("status") != "closed")
    closed = sub.filter(pl.col("status") == "closed")
    counts = dict(rated.group_by("rating").len().iter_rows()) if rated.height else {}
    return {"open": open_.height, "high": open_.filter(pl.col("severity") >= 3).height,
            "overdue": open_.filter(_overdue_expr(today)).height,
            "escalated": open_.filter(pl.col("escalations") > 0).height, "closed": closed.height,
            "mean_close_days": closed["close_days"].mean() if closed.height else None,
            "red": counts.get("red", 0), "amber": counts.get("amber", 0), "green": counts.get("green", 0)}
