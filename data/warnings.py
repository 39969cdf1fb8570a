"""Supervision warnings in the system of record: the scoped list, one warning's detail (rule,
cited article, evidence, the whole handling trail with its files), the lifecycle steps — each one
transaction with its WarningEvent, attachments and security-log entry, refused when stale — the
escalation of overdue warnings, and the aggregations behind the heatmap page.

Visibility follows the village a warning belongs to (`region_code`), never the region it is
assigned to: nobody outside the village's jurisdiction sees it, also after it escalated above them.
Warnings are few next to the ledger: the heatmap reads them per request (scoped) into a polars
frame, cached briefly under the caller's scope and the table's data version.
"""
from __future__ import annotations

import bisect
import datetime as dt
import threading
import time

import polars as pl
from sqlalchemy import func, or_, select

from data import attachments
from data.accounts import AccountError, Actor, StaleEdit
from data.db import engine_for, reading, transaction
from data.models import CollectiveOrg, User, Warning, WarningEvent, utcnow
from domain.regions import CITY, COUNTY, TOWNSHIP, VILLAGE, level_of, subtree_bounds
from data.regions import load_region_tree
from data import audit_log
from domain.supervision import rating as rating_rules
from domain.supervision import lifecycle as rules
from domain.clock import CST
from domain.permissions import Action, PermissionDenied, Scope, ensure, may
from domain.supervision.rules.base import SEVERITY_LABELS

LIMIT = 5000
#: the actor named in the security log for scheduled escalations
SYSTEM_ACTOR = "系统（逾期升级）"
#: region-code span of one unit at each level (a child's code is `code // span * span`)
SPAN = {CITY: 10**8, COUNTY: 10**6, TOWNSHIP: 10**3, VILLAGE: 1}
FRAME_SCHEMA = {"id": pl.Int64, "rule_id": pl.String, "region_code": pl.Int64, "severity": pl.Int64,
                "status": pl.String, "assigned_region": pl.Int64, "title": pl.String, "raised_on": pl.Date,
                "closed_on": pl.Date, "close_days": pl.Float64, "due_on": pl.Date, "escalations": pl.Int64}


def _require_read(scope: Scope) -> None:
    ensure(scope, Action.WARNING_READ)


def _in_scope(scope: Scope):
    return or_(*[Warning.region_code.between(lo, hi) for lo, hi in scope.ranges])


def _tree(scope: Scope):
    return load_region_tree(int(scope.root) // 10**10)


def _cst_date(at: dt.datetime | None) -> dt.date | None:
    return at.astimezone(CST).date() if at else None


def _state(s, w: Warning) -> rules.WarningState:
    handles = s.execute(select(WarningEvent.by_id, User.region_code).outerjoin(User, User.id == WarningEvent.by_id)
                        .where(WarningEvent.warning_id == w.id, WarningEvent.action == "handle")
                        .order_by(WarningEvent.id)).all()
    last_region = handles[-1][1] if handles else None
    return rules.WarningState(status=w.status, region_code=int(w.region_code), assigned_region=int(w.assigned_region),
                              severity=int(w.severity), due_on=w.due_on,
                              handled_by=frozenset(by for by, _ in handles if by is not None),
                              handler_region=int(last_region) if last_region is not None else None)


def _row(w: Warning, tree, today: dt.date) -> dict:
    info = rules.rule_info(w.rule_id)
    late = rules.overdue(w, today)
    return {"id": w.id, "rule_id": w.rule_id, "rule_name": info["name"], "severity": int(w.severity),
            "severity_label": SEVERITY_LABELS.get(int(w.severity), str(w.severity)),
            "region_code": int(w.region_code), "region_name": tree.name(w.region_code), "title": w.title,
            "status": w.status, "status_label": rules.STATUS_LABELS.get(w.status, w.status),
            "assigned_region": int(w.assigned_region), "assigned_name": tree.name(w.assigned_region),
            "raised_on": _cst_date(w.raised_at).isoformat() if w.raised_at else None,
            "due_on": w.due_on.isoformat() if w.due_on else None, "overdue": late,
            "overdue_label": "逾期" if late else "", "escalations": int(w.escalations or 0), "version": w.version}


def list_warnings(url: str, actor: Actor, today: dt.date, *, status: str = "open", rule_id: str | None = None,
                  region: int | None = None, limit: int = LIMIT) -> list[dict]:
    """Warnings of villages inside the actor's jurisdiction (optionally of one region's subtree),
    most severe and newest first. `status`: open | closed | all | any one status."""
    _require_read(actor.scope)
    q = select(Warning).where(_in_scope(actor.scope))
    if region is not None:
        lo, hi = subtree_bounds(actor.scope.require(region))
        q = q.where(Warning.region_code.between(lo, hi))
    if status == "open":
        q = q.where(Warning.status != "closed")
    elif status in rules.STATUS_LABELS:
        q = q.where(Warning.status == status)
    if rule_id:
        q = q.where(Warning.rule_id == rule_id)
    q = q.order_by(Warning.severity.desc(), Warning.raised_at.desc(), Warning.id.desc()).limit(limit)
    tree = _tree(actor.scope)
    with reading(url) as s:
        return [_row(w, tree, today) for w in s.scalars(q)]


def detail(url: str, actor: Actor, warning_id: int, today: dt.date) -> dict:
    """One warning with its rule, cited article, evidence, handling trail (each step's files) and
    the steps this actor may take now."""
    _require_read(actor.scope)
    tree = _tree(actor.scope)
    with reading(url) as s:
        w = s.get(Warning, warning_id)
        if w is None or not actor.scope.contains(w.region_code):
            raise PermissionDenied("该预警不存在或不在您的管辖范围内")
        out = _row(w, tree, today)
        state = _state(s, w)
        events = s.execute(select(WarningEvent, User.display_name, User.username)
                           .outerjoin(User, User.id == WarningEvent.by_id)
                           .where(WarningEvent.warning_id == w.id).order_by(WarningEvent.at, WarningEvent.id)).all()
        may_files = may(actor, Action.ATTACHMENT_READ)
        trail = []
        for ev, display, username in events:
            trail.append({"id": ev.id, "at": ev.at.astimezone(CST).strftime("%Y-%m-%d %H:%M") if ev.at else "",
                          "action": ev.action, "action_label": rules.ACTION_LABELS.get(ev.action, ev.action),
                          "from_label": rules.STATUS_LABELS.get(ev.from_status or "", ev.from_status or ""),
                          "to_label": rules.STATUS_LABELS.get(ev.to_status, ev.to_status),
                          "by": display or username or "系统", "note": ev.note or "",
                          "files": attachments.list_for(s, actor.scope, "warning_event", ev.id) if may_files else []})
        out.update(rule=rules.rule_info(w.rule_id), evidence=w.evidence or {}, trail=trail,
                   subject_type=w.subject_type, subject_id=w.subject_id,
                   resolved_in_data_on=_cst_date(w.resolved_in_data_at).isoformat() if w.resolved_in_data_at else None,
                   actions=rules.allowed_actions(actor.scope, actor.user_id, state))
        return out


def act(url: str, key: str, actor: Actor, warning_id: int, action: str, note: str | None,
        files: list[tuple[str, bytes]] | None, expected_version: int, today: dt.date,
        now: dt.datetime | None = None) -> str:
    """Take one lifecycle step: acknowledge, handle, verify, close or reopen. Returns the new status.

    Refused with PermissionDenied when this actor may not take the step on this warning, with
    StaleEdit when the warning changed since `expected_version`, and with AccountError naming every
    problem of the input (status, note, files) at once; nothing is written then."""
    _require_read(actor.scope)
    now = now or utcnow()
    files = [f for f in (files or []) if f is not None]
    with transaction(url, actor) as s:
        w = s.get(Warning, warning_id)
        if w is None or not actor.scope.contains(w.region_code):
            raise PermissionDenied("该预警不存在或不在您的管辖范围内")
        state = _state(s, w)
        if action in rules.TRANSITIONS:
            problem = rules.actor_problem(action, actor.scope, actor.user_id, state)
            if problem:
                raise PermissionDenied(problem)
        if w.version != expected_version:
            raise StaleEdit("该预警已被他人办理或修改，请刷新后再操作")
        errors = {}
        if problem := rules.status_problem(action, w.status):
            errors["action"] = problem
        if problem := rules.note_problem(action, note):
            errors["note"] = problem
        bad = [p for name, content in files if (p := attachments.file_problem(name, content))]
        if bad:
            errors["attachments"] = "；".join(bad)
        if errors:
            raise AccountError(errors)
        before, after = w.status, rules.next_status(action)
        w.status = after
        if action == "acknowledge":
            w.acknowledged_at = now
        elif action == "handle":
            w.handled_at = now
        elif action == "verify":
            w.verified_at = now
        elif action == "close":
            w.closed_at = now
        elif action == "reopen":
            w.handled_at = w.verified_at = None
            w.due_on = rules.due_date(today, w.severity)
        ev = WarningEvent(warning_id=w.id, at=now, by_id=actor.user_id, action=action, from_status=before,
                          to_status=after, note=(note or "").strip() or None)
        s.add(ev)
        s.flush()
        for name, content in files:
            attachments.add(s, actor, "warning_event", ev.id, name, content)
        label = rules.ACTION_LABELS[action]
        audit_log.record(s, key, actor=actor.username, actor_id=actor.user_id, type="data_change",
                     description=f"预警{label}：#{w.id} {w.title[:80]}（{rules.STATUS_LABELS[before]}→"
                                 f"{rules.STATUS_LABELS[after]}）", result="success", region_code=int(w.region_code),
                     ip=actor.ip, detail={"warning_id": w.id, "action": action, "event_id": ev.id, "files": len(files)})
        return after


def escalate_overdue(url: str, key: str, today: dt.date, now: dt.datetime | None = None) -> list[int]:
    """Move every overdue warning that nobody has handled one level up (village → township →
    county → city → province) with a new deadline and an "escalated" event; one transaction and one
    security-log entry. Returns the ids moved. Running it twice on a day moves nothing twice: the
    new deadline lies ahead."""
    now = now or utcnow()
    moved = []
    with transaction(url) as s:
        q = (select(Warning).where(Warning.status.in_(sorted(rules.AWAITING_HANDLING)), Warning.due_on < today)
             .order_by(Warning.id))
        for w in s.scalars(q):
            step = rules.escalation(_state(s, w), today)
            if step is None:
                continue
            region, due = step
            tree = load_region_tree(int(w.region_code) // 10**10)
            before = w.status
            w.assigned_region, w.due_on, w.status = region, due, "pushed"
            w.escalations = int(w.escalations or 0) + 1
            s.add(WarningEvent(warning_id=w.id, at=now, by_id=None, action="escalated", from_status=before,
                               to_status="pushed", note=f"逾期未办理，升级至{tree.name(region)}督办（第{w.escalations}次），"
                                                        f"办理期限{due.isoformat()}"))
            moved.append(w.id)
        if moved:
            audit_log.record(s, key, actor=SYSTEM_ACTOR, type="data_change",
                         description=f"逾期未办理的预警升级上一级督办：{len(moved)} 条", result="success",
                         detail={"warning_ids": moved[:500], "count": len(moved), "today": today.isoformat()})
    return moved


def start_escalation(url: str, key: str, interval_s: float, today_fn) -> threading.Thread:
    """A daemon thread escalating overdue warnings every `interval_s` seconds, the first time at
    once (a server that was down catches up); a failure is logged and retried next time."""
    import logging

    stop = threading.Event()

    def loop():
        while True:
            try:
                moved = escalate_overdue(url, key, today_fn())
                if moved:
                    logging.getLogger(__name__).info("escalated %d overdue warnings", len(moved))
            except Exception:
                logging.getLogger(__name__).exception("escalating overdue warnings failed")
            if stop.wait(interval_s):
                return

    thread = threading.Thread(target=loop, name="warning-escalation", daemon=True)
    thread.stop = stop  # type: ignore[attr-defined]
    thread.start()
    return thread


# ------------------------------------------------------------------ the heatmap's aggregations

_CACHE: dict[tuple, tuple] = {}
_CACHE_LOCK = threading.Lock()
CACHE_TTL_S = 60.0
CACHE_MAX = 64


def _data_version(conn) -> tuple:
    """Changes whenever a warning is inserted, deleted or updated (every update bumps `version`)."""
    return tuple(conn.execute(select(func.count(Warning.id), func.max(Warning.id),
                                     func.coalesce(func.sum(Warning.version), 0))).one())


def frame(url: str, scope: Scope) -> pl.DataFrame:
    """Every warning of the scope's villages as a polars frame (FRAME_SCHEMA), cached under the
    scope and the table's data version (and at most CACHE_TTL_S seconds)."""
    _require_read(scope)
    key = (url, scope.cache_key())
    with engine_for(url).connect() as conn:
        version = _data_version(conn)
        hit = _CACHE.get(key)
        if hit and hit[0] == version and time.monotonic() - hit[1] < CACHE_TTL_S:
            return hit[2]
        rows = conn.execute(select(Warning.id, Warning.rule_id, Warning.region_code, Warning.severity, Warning.status,
                                   Warning.assigned_region, Warning.title, Warning.raised_at, Warning.closed_at,
                                   Warning.due_on, Warning.escalations).where(_in_scope(scope))).all()
    data = [(i, rule, int(region), int(sev), status, int(assigned), title, _cst_date(raised),
             _cst_date(closed) if status == "closed" else None,
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
    _require_read(scope)
    key = (url, "orgs", scope.cache_key())
    hit = _CACHE.get(key)
    if hit and time.monotonic() - hit[1] < CACHE_TTL_S:
        return hit[2]
    with engine_for(url).connect() as conn:
        codes = frozenset(int(c) for c in conn.scalars(
            select(CollectiveOrg.region_code).where(or_(*[CollectiveOrg.region_code.between(lo, hi)
                                                          for lo, hi in scope.ranges])).distinct()))
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
            n = 1
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
