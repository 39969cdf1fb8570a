"""What the job process can run: kind → function(settings, params, progress) -> dict (the job's
result, JSON). `progress(pct)` reports 0–100 (and heartbeats).

A job asked for by a person carries `params["actor"]` (who, their scope and address, as plain
data: `actor_params`): the data function checks the permission again in the job process with
that actor, exactly as it did in the request, and the security log names the person.
"""
from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable

from domain import clock
from domain.permissions import Action, Actor, ensure
from domain.scope import Perm, Scope
from settings import Settings

log = logging.getLogger(__name__)

Progress = Callable[[int], None]


def actor_params(actor: Actor) -> dict:
    sc = actor.scope
    return {"user_id": actor.user_id, "username": actor.username, "ip": actor.ip, "root": sc.root,
            "perms": sorted(str(p) for p in sc.perms), "shared": list(sc.shared), "role": sc.role}


def actor_from(params: dict) -> Actor | None:
    data = params.get("actor")
    if not isinstance(data, dict):
        return None
    scope = Scope(root=int(data["root"]), perms=frozenset(Perm(p) for p in data["perms"]),
                  shared=tuple(int(x) for x in data["shared"]), user_id=int(data["user_id"]), role=data["role"])
    return Actor(user_id=scope.user_id, username=data["username"], scope=scope, ip=data.get("ip"))


def _day(params: dict) -> dt.date:
    return dt.date.fromisoformat(params["today"]) if params.get("today") else clock.today()


def warning_run(settings: Settings, params: dict, progress: Progress) -> dict:
    from data.supervision import engine

    out = engine.run(settings.database_url, settings.audit_key, today=_day(params), kind="full",
                     data_dir=settings.data_dir, progress=progress)
    return {k: out[k] for k in ("run_id", "findings", "raised", "resolved", "reappeared", "duration_ms", "timings")}


def warning_escalation(settings: Settings, params: dict, progress: Progress) -> dict:
    from data.supervision.handling import escalate_overdue

    moved = escalate_overdue(settings.database_url, settings.audit_key, _day(params))
    return {"escalated": len(moved)}


def backup(settings: Settings, params: dict, progress: Progress) -> dict:
    from data.backup.store import run_backup

    actor = actor_from(params)
    progress(10)
    row = run_backup(settings, actor, "manual" if actor is not None else "scheduled")
    return {k: row.get(k) for k in ("id", "status", "filename", "size_bytes", "sha256", "check_result")}


def national_sync(settings: Settings, params: dict, progress: Progress) -> dict:
    from data.sync import export

    actor = actor_from(params)
    if actor is None:
        raise ValueError("国家平台同步须由有权限的用户发起")
    progress(10)
    row = export.export(settings, actor, params.get("year"))
    return {k: row.get(k) for k in ("id", "status", "package_name", "package_sha256", "villages_passed",
                                    "villages_failed")}


def credit_reevaluate(settings: Settings, params: dict, progress: Progress) -> dict:
    from data.credit.evaluate import evaluate_population, reevaluate_all_isolated

    actor = actor_from(params)
    steps: dict = {}

    def note(pct: int, text: str) -> None:
        steps["text"] = text
        progress(pct)

    if actor is None:  # the schedule (none today) or the command line: no person, no permission step
        return reevaluate_all_isolated(settings.database_url, _day(params), note)
    return evaluate_population(settings.database_url, settings.audit_key, actor, _day(params), note)


def columnar(settings: Settings, params: dict, progress: Progress) -> dict:
    """Lane B's columnar copy (data.query.columnar.publish), when that module exists."""
    try:
        from data.query import columnar as copy  # type: ignore[attr-defined]
    except ImportError:
        log.info("columnar job skipped: data.query.columnar is not installed in this build")
        return {"skipped": "data.query.columnar 不存在"}
    return dict(copy.publish(settings) or {})


def warm(settings: Settings, params: dict, progress: Progress) -> dict:
    """The province's default credit statistics cubes and price/cost index views, computed once
    for the deployment and published in the shared store (a no-op when already there for the
    current data token), so that no web worker builds them; queued every COLUMNAR_EVERY_S (data/jobs/runner.py), run once
    for the deployment by whichever runner holds the lease. A failure is logged and reported."""
    out = {}
    try:
        from data.query import credit

        before = credit.BUILDS["n"]
        credit.cubes(settings.database_url)
        out["credit"] = "built" if credit.BUILDS["n"] > before else "current"
    except Exception as e:  # a failing warm-up only costs the first page a build
        log.exception("credit cubes warm-up failed")
        out["credit"] = f"failed: {e}"
    try:
        from data.prices import index

        out.update(index.publish_defaults(settings.database_url, settings.province))
    except Exception as e:
        log.exception("price index warm-up failed")
        out["prices"] = f"failed: {e}"
    return out


KINDS: dict[str, Callable[[Settings, dict, Progress], dict]] = {
    "warning_run": warning_run,
    "warning_escalation": warning_escalation,
    "backup": backup,
    "national_sync": national_sync,
    "credit_reevaluate": credit_reevaluate,
    "columnar": columnar,
    "warm": warm,
}
KIND_LABELS = {"warning_run": "预警规则全量运行", "warning_escalation": "逾期预警升级", "backup": "数据备份",
               "national_sync": "国家平台同步", "credit_reevaluate": "全量重新评价", "columnar": "列式副本发布",
               "warm": "统计缓存预热"}


def _sync_params(params: dict) -> dict:
    """The year, checked now (a bad one refused in Chinese under the field, nothing queued), as the export checks it."""
    from data.errors import AccountError

    try:
        year = int(params.get("year"))
    except (TypeError, ValueError):
        raise AccountError({"year": "请选择年度"}) from None
    if not 2000 <= year <= 2100:
        raise AccountError({"year": "年度无效"})
    return {"year": year}


#: the action a person needs to ask for a kind (the same the page's button needs), and the check
#: of the params before anything is queued
REQUESTABLE = {"backup": (Action.BACKUP_RUN, lambda p: {}), "national_sync": (Action.SYNC_EXPORT, _sync_params),
               "credit_reevaluate": (Action.CREDIT_EVALUATE, lambda p: {})}


def request_job(settings: Settings, kind: str, actor: Actor, params: dict | None = None) -> tuple[dict, bool]:
    """A person asks for a job: the permission is checked (and again when it runs), the params
    checked; returns (the job, True), or (the one already queued or running, False) — a
    duplicate is refused, not queued twice."""
    from data.jobs import queue

    action, check = REQUESTABLE[kind]
    ensure(actor, action)
    clean = {"trigger": "manual", **check(dict(params or {}))}
    existing = queue.active(settings.database_url, kind, clean)
    if existing is not None:
        return existing, False
    job_id = queue.enqueue(settings.database_url, kind, {**clean, "actor": actor_params(actor)},
                           requested_by=actor.username)
    return queue.get(settings.database_url, job_id), True
