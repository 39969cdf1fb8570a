"""The warning engine: runs the supervision rules (domain/supervision/rules/) over the records and
stores what they find as warnings pushed to the village concerned.

- Reads what the selected rules need as polars frames (data/supervision/reads.py): in bulk
  through the query layer's reads (`data.query.Reader.read_bulk`: connectorx, Arrow-native; on
  SQLite in a child process) for a full run, the raw ledger from the engine's own copy plus what
  was posted since (data/supervision/ledger_cache.py); or the small in-process read
  (`Reader.read`) for an incremental run limited to one region subtree (`region_root`, used
  after a write).
- Writes in ONE transaction: new warnings (status "pushed", region and assigned region = the
  village, due in 5/10/15 working days by severity) each with a "raise" and a "push" event by the
  system; `resolved_in_data_at` on open warnings whose fault the data no longer shows (never
  closed: a person closes) and cleared again if the fault comes back; a `WarningRun` row; and a
  security-log entry of type "warning_run".
- A fingerprint (rule + subject + period) identifies a fault, so a re-run raises nothing twice.
  A rule that only looks at a recent window (`Rule.horizon`) leaves older warnings alone.

`after_write` is the hook the write paths call after their transaction commits (an engine failure
never undoes or fails the user's write). The scheduled full run every WARNING_SCHEDULE_S is a
job (data/jobs: kind `warning_run`, run by the job process).
"""
from __future__ import annotations

import datetime as dt
import logging
import threading
import time
from pathlib import Path

import polars as pl
from sqlalchemy import insert, select, text, update
from sqlalchemy.exc import IntegrityError

from domain import clock
from data.calendar.store import current as work_calendar
from data.db import reading, transaction
from data.supervision.reads import frame_sql, load_frames  # noqa: F401 - frame_sql: the engine's API too
from data.models import Warning, WarningEvent, WarningRun, utcnow
from domain.regions import subtree_bounds
from data.admin import audit_log
from domain.supervision.rules import (DUE_WORKING_DAYS, RULES, Finding,
                                      Rule, fingerprint_period, needed_frames, params_for)

from data import forksafe

log = logging.getLogger(__name__)

_RUN_LOCK = forksafe.Lock()
SYSTEM_ACTOR = "system"
def evaluate(frames: dict[str, pl.DataFrame], rules: list[Rule], today: dt.date, province: int,
             region_root: int | None = None, timings: dict | None = None) -> dict[str, list[Finding]]:
    """Every rule's findings (only those inside `region_root`'s subtree)."""
    lo, hi = subtree_bounds(region_root) if region_root is not None else (0, 10**13)
    out = {}
    for rule in rules:
        t = time.perf_counter()
        found = rule.check(frames, params_for(rule, province), today)
        out[rule.id] = [f for f in found if lo <= f.region_code <= hi]
        if timings is not None:
            timings.setdefault("rules_ms", {})[rule.id] = round((time.perf_counter() - t) * 1000, 1)
    return out


def _province(frames: dict[str, pl.DataFrame], region_root: int | None) -> int:
    if region_root is not None:
        return int(region_root) // 10**10
    orgs = frames.get("orgs")
    return int(orgs["region_code"][0]) // 10**10 if orgs is not None and orgs.height else 0


def run(url: str, key: str, *, today: dt.date, kind: str = "full", region_root: int | None = None,
        rules=None, data_dir: Path | None = None, ledger_copy: bool = True, progress=None) -> dict:
    """Run the rules (all, or the given ids/Rules) and store the result. Returns a summary:
    run id, findings, raised, resolved, reappeared, per-rule counts and timings. `ledger_copy`:
    see `load_frames`; `progress(pct)`, when given, hears how far the run is (the job's bar)."""
    if kind not in ("full", "incremental"):
        raise ValueError(kind)
    selected = [RULES[r] if isinstance(r, str) else r for r in (rules or RULES)]
    with _RUN_LOCK:
        started, t0 = utcnow(), time.perf_counter()
        timings: dict = {}
        try:
            tell = progress or (lambda pct: None)
            tell(5)
            frames = load_frames(url, needed_frames(selected), region_root, data_dir, timings, ledger_copy)
            tell(60)
            province = _province(frames, region_root)
            t = time.perf_counter()
            findings = evaluate(frames, selected, today, province, region_root, timings)
            timings["rules_s"] = round(time.perf_counter() - t, 3)
            del frames
            tell(85)
            for attempt in range(2):  # another process may have stored the same fault meanwhile
                try:
                    return _store(url, key, today, kind, region_root, selected, findings, started, t0, timings,
                                  province)
                except IntegrityError:
                    if attempt:
                        raise
        except Exception as exc:
            _store_failure(url, key, kind, region_root, started, t0, exc)
            raise


def _store(url, key, today, kind, region_root, selected, findings, started, t0, timings, province) -> dict:
    t = time.perf_counter()
    now = utcnow()
    found: dict[str, Finding] = {}
    for rule_findings in findings.values():
        for f in rule_findings:
            found.setdefault(f.fingerprint, f)
    horizon = {r.id: r.horizon(params_for(r, province), today) for r in selected if r.horizon}
    calendar = work_calendar(url)  # the schedules an administrator entered, reloaded when they changed
    due = {sev: calendar.add_working_days(today, n) for sev, n in DUE_WORKING_DAYS.items()}
    rule_ids = [r.id for r in selected]
    with transaction(url) as s:
        q = select(Warning.id, Warning.fingerprint, Warning.rule_id, Warning.status, Warning.resolved_in_data_at,
                   Warning.version).where(Warning.rule_id.in_(rule_ids))
        if region_root is not None:
            lo, hi = subtree_bounds(region_root)
            q = q.where(Warning.region_code.between(lo, hi))
        existing = {row.fingerprint: row for row in s.execute(q)}
        # fingerprints are unique across the table: a fault stored under another rule set or
        # region (it cannot happen with the rule ids in the fingerprint) is looked up too
        new = [f for fp, f in found.items() if fp not in existing]
        if new:
            clash = set()
            for i in range(0, len(new), 500):
                chunk = [f.fingerprint for f in new[i:i + 500]]
                clash |= set(s.scalars(select(Warning.fingerprint).where(Warning.fingerprint.in_(chunk))))
            new = [f for f in new if f.fingerprint not in clash]
        rule_of = {f.fingerprint: rid for rid, fs in findings.items() for f in fs}
        rows = [dict(rule_id=rule_of[f.fingerprint], region_code=f.region_code, org_id=f.org_id,
                     severity=RULES[rule_of[f.fingerprint]].severity if rule_of[f.fingerprint] in RULES else 2,
                     status="pushed", assigned_region=f.region_code, subject_type=f.subject_type,
                     subject_id=f.subject_id, fingerprint=f.fingerprint, title=f.title[:300], evidence=f.evidence,
                     raised_at=now, due_on=due[RULES[rule_of[f.fingerprint]].severity], escalations=0, version=1)
                for f in new]
        ids: list[int] = []
        for i in range(0, len(rows), 2000):
            ids += list(s.scalars(insert(Warning).returning(Warning.id, sort_by_parameter_order=True), rows[i:i + 2000]))
        events = []
        for wid in ids:
            events.append(dict(warning_id=wid, at=now, by_id=None, action="raise", from_status=None,
                               to_status="raised", note="规则引擎发现"))
            events.append(dict(warning_id=wid, at=now, by_id=None, action="push", from_status="raised",
                               to_status="pushed", note="推送至责任村"))
        # open warnings whose fault is gone (windowed rules: only inside their window)
        gone = [row for fp, row in existing.items() if fp not in found and row.status != "closed"
                and row.resolved_in_data_at is None
                and (row.rule_id not in horizon or fingerprint_period(fp) >= horizon[row.rule_id])]
        back = [row for fp, row in existing.items() if fp in found and row.status != "closed"
                and row.resolved_in_data_at is not None]
        for rows_, value, action, note in ((gone, now, "resolved", "数据中已不再出现该问题，待核实后关闭"),
                                           (back, None, "raise", "问题在数据中再次出现")):
            ids_ = [r.id for r in rows_]
            for i in range(0, len(ids_), 500):
                s.execute(update(Warning).where(Warning.id.in_(ids_[i:i + 500]))
                          .values(resolved_in_data_at=value, version=Warning.version + 1)
                          .execution_options(synchronize_session=False))
            events += [dict(warning_id=r.id, at=now, by_id=None, action=action, from_status=r.status,
                            to_status=r.status, note=note) for r in rows_]
        for i in range(0, len(events), 5000):
            s.execute(insert(WarningEvent), events[i:i + 5000])
        raised_fps = {f.fingerprint for f in new}
        per_rule = {rid: {"found": len(fs), "raised": sum(f.fingerprint in raised_fps for f in fs)}
                    for rid, fs in findings.items()}
        timings["write_s"] = round(time.perf_counter() - t, 3)
        duration_ms = int((time.perf_counter() - t0) * 1000)
        summary = {"kind": kind, "region_root": region_root, "rules": len(selected), "findings": len(found),
                   "raised": len(ids), "resolved": len(gone), "reappeared": len(back), "per_rule": per_rule,
                   "timings": timings, "duration_ms": duration_ms}
        run_row = WarningRun(kind=kind, scope_root=region_root, started_at=started, finished_at=utcnow(),
                             status="done", rules=len(selected), findings=len(found), raised=len(ids),
                             resolved=len(gone), duration_ms=duration_ms,
                             detail={"per_rule": per_rule, "timings": timings, "reappeared": len(back),
                                     "today": today.isoformat()})
        s.add(run_row)
        s.flush()
        summary["run_id"] = run_row.id
        scope = "全省" if region_root is None else f"区域{region_root}"
        audit_log.record(s, key, actor=SYSTEM_ACTOR, type="warning_run",
                         description=f"预警规则{'全量' if kind == 'full' else '增量'}运行（{scope}）：发现{len(found)}条，"
                                     f"新增预警{len(ids)}条，数据已消除{len(gone)}条",
                         result="success", region_code=region_root or (province * 10**10 if province else None),
                         detail={"run_id": run_row.id, "kind": kind, "findings": len(found), "raised": len(ids),
                                 "resolved": len(gone), "duration_ms": duration_ms})
    return summary


def _store_failure(url, key, kind, region_root, started, t0, exc) -> None:
    try:
        with transaction(url) as s:
            run_row = WarningRun(kind=kind, scope_root=region_root, started_at=started, finished_at=utcnow(),
                                 status="failed", duration_ms=int((time.perf_counter() - t0) * 1000),
                                 detail={"error": f"{type(exc).__name__}: {exc}"[:500]})
            s.add(run_row)
            s.flush()
            audit_log.record(s, key, actor=SYSTEM_ACTOR, type="warning_run", description="预警规则运行失败",
                             result="failure", region_code=region_root, detail={"run_id": run_row.id,
                                                                               "error": type(exc).__name__})
    except Exception:  # pragma: no cover - the original error matters more
        log.exception("could not record the failed warning run")


def after_write(url: str, key: str, region_code: int, today: dt.date, data_dir: Path | None = None) -> dict | None:
    """Incremental run for the village of `region_code`, after a write that matters has committed.
    Never raises: the user's write is done whatever happens here. While another run holds the
    engine (a scheduled full run takes half a minute at province scale) the user does not wait:
    the incremental run follows in the background."""
    def go():
        try:
            return run(url, key, today=today, kind="incremental", region_root=int(region_code), data_dir=data_dir)
        except Exception:
            log.exception("incremental warning run after a write failed (region %s)", region_code)
            return None

    if _RUN_LOCK.locked():
        threading.Thread(target=go, name="warning-after-write", daemon=True).start()
        return None
    return go()


#: the write paths' hooks can be switched off (e.g. a bulk import that runs a full run afterwards)
HOOKS_ENABLED = True


def runs_after_write(table: str, id_arg: str):
    """Decorator for a write function `f(url, key, actor, <id_arg>, ..., today=...)`: once it has
    returned (its transaction committed), run the rules incrementally over the village of the
    record `<table>.id == <id_arg>`, dated by the call's `today` (else today in Beijing)."""
    import functools
    import inspect

    def deco(fn):
        sig = inspect.signature(fn)

        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            result = fn(*args, **kwargs)
            if HOOKS_ENABLED:
                try:
                    a = sig.bind(*args, **kwargs).arguments
                    day = a.get("today") or clock.today()
                    region = _region_of(a["url"], table, int(a[id_arg]))
                    if region is not None:
                        after_write(a["url"], a["key"], region, day)
                except Exception:
                    log.exception("warning hook after %s failed", fn.__name__)
            return result
        return wrapper
    return deco


def _region_of(url: str, table: str, record_id: int) -> int | None:
    if table not in ("payment_requests", "assets", "trade_listings"):
        raise ValueError(table)
    with reading(url) as s:
        value = s.execute(text(f"SELECT region_code FROM {table} WHERE id = :i"), {"i": record_id}).scalar()
    return int(value) if value is not None else None
