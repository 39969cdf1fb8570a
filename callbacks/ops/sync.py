"""国家平台同步 callbacks: validate a year, export it to the outbox, list and download the packages."""
from __future__ import annotations

from dash import Input, Output, State, no_update

from components.export import send_package
from components.readonly import guard_outputs
from data.errors import AccountError
from data.jobs import queue
from data.jobs.kinds import request_job
from data.regions import load_region_tree
from data.sync import export
from domain import clock
from domain.labels import time_text
from domain.money import yuan
from domain.permissions import Action, PermissionDenied
from server.callbacks import secure_callback
from server.context import query_layer, settings

from callbacks.common import alert, current_actor, sections
from callbacks.ops.jobs import ACTIVE, failed_line, waiting_line


def _years() -> list[int]:
    return sorted({p // 100 for p in query_layer().periods()}, reverse=True)


@secure_callback(Action.OPS_VIEW, Output("ops-year", "options"), Output("ops-year", "value"),
                 Output("ops-sync-grid", "rowData"), *guard_outputs("ops-sync-tools"), Input("ops-refresh", "data"),
                 State("ops-year", "value"))
def load(_, chosen):
    """The years with books (the last complete one chosen), the sync records, the tools this role may use."""
    years = _years()
    complete = [y for y in years if y < clock.today().year]
    default = chosen if chosen in years else (complete[0] if complete else (years[0] if years else None))
    cfg = settings()
    tree = load_region_tree(cfg.province)
    rows = export.list_syncs(cfg.database_url, current_actor())
    for r in rows:
        r["at_text"], r["scope"] = time_text(r["at"]), tree.name(r["scope_region"])
        r["files_text"] = "；".join(f"{f['name']}（{f.get('rows', 0)}）" for f in r["files"]) or "—"
    return ([{"label": f"{y}年度", "value": y} for y in years], default, rows,
            *sections(current_actor(), Action.SYNC_EXPORT))


def _report_rows(report: dict) -> list[dict]:
    return [{**p, "key": f"{p['region_code']}-{i}", "difference": yuan(p["difference_fen"]) if p["difference_fen"] else ""}
            for i, p in enumerate(report["problems"])]


def _summary(report: dict) -> str:
    head = (f"{report['year']}年度：共 {report['villages_total']} 个村，通过 {report['villages_passed']} 个，"
            f"未通过 {report['villages_failed']} 个")
    more = report["problems_total"] - len(report["problems"])
    return head + (f"（另有 {more} 条问题未列出）" if more > 0 else "") + "。"


@secure_callback(Action.OPS_VIEW, Output("ops-validate-result", "children"), Output("ops-report-grid", "rowData"),
                 Output("ops-year-error", "children"), Input("ops-validate", "n_clicks"), State("ops-year", "value"),
                 prevent_initial_call=True)
def validate(_, year):
    """校验: the report before anything is sent (nothing is written)."""
    try:
        report, _data = export.validate(settings(), current_actor(), year)
    except AccountError as exc:
        return no_update, no_update, exc.errors.get("year", str(exc))
    color = "success" if report["ok"] else "warning"
    text = _summary(report) + ("全部通过，可以导出。" if report["ok"] else "未通过的村列在下表，导出时将被排除。")
    return alert(text, color), _report_rows(report), ""


@secure_callback(Action.SYNC_EXPORT, Output("ops-sync-result", "children"),
                 Output("ops-year-error", "children", allow_duplicate=True), Output("ops-sync-job", "data"),
                 Output("ops-sync-poll", "disabled"), Input("ops-export", "n_clicks"), State("ops-year", "value"),
                 prevent_initial_call=True)
def run_export(_, year):
    """导出并写入发件箱 queues the export for the job process (validated again there, the passing
    villages' package written, the sync recorded); a bad year is refused at once."""
    try:
        job, fresh = request_job(settings(), "national_sync", current_actor(), {"year": year})
    except AccountError as exc:
        return no_update, exc.errors.get("year", str(exc)), no_update, no_update
    except PermissionDenied as exc:
        return alert(str(exc), "danger"), "", no_update, no_update
    return waiting_line(job, "同步", fresh), "", job["id"], False


@secure_callback(Action.SYNC_EXPORT, Output("ops-sync-result", "children", allow_duplicate=True),
                 Output("ops-report-grid", "rowData", allow_duplicate=True),
                 Output("ops-sync-poll", "disabled", allow_duplicate=True),
                 Output("ops-refresh", "data", allow_duplicate=True), Input("ops-sync-poll", "n_intervals"),
                 State("ops-sync-job", "data"), State("ops-refresh", "data"), prevent_initial_call=True)
def export_status(_, job_id, refresh):
    """The queued export's status, then its outcome and report."""
    cfg = settings()
    job = queue.get(cfg.database_url, int(job_id)) if job_id else None
    if job is None or job["kind"] != "national_sync":
        return no_update, no_update, True, no_update
    if job["status"] in ACTIVE:
        return waiting_line(job, "同步", True), no_update, False, no_update
    if job["status"] != "done":
        return failed_line(job, "同步"), no_update, True, (refresh or 0) + 1
    row = job["result"] or {}
    report = row_report(cfg, row["id"])
    if row["status"] == "sent":
        text = (f"同步 #{row['id']}：已写入发件箱 {row['package_name']}（SHA-256 {row['package_sha256'][:16]}…），"
                f"导出 {row['villages_passed']} 个村" + (f"，{row['villages_failed']} 个村未通过校验已排除。"
                                                        if row["villages_failed"] else "。"))
        return alert(text, "success" if not row["villages_failed"] else "warning"), report, True, (refresh or 0) + 1
    return (alert(f"同步 #{row['id']}：没有村通过校验，未生成数据包（已拦截并记录）。", "danger"), report, True,
            (refresh or 0) + 1)


def row_report(cfg, sync_id: int) -> list[dict]:
    from data.db import reading
    from data.models import NationalSync

    with reading(cfg.database_url) as s:
        r = s.get(NationalSync, sync_id)
        return _report_rows(r.report) if r is not None and r.report else []


@secure_callback(Action.SYNC_EXPORT, Output("ops-download", "data"),
                 Output("ops-sync-result", "children", allow_duplicate=True), Input("ops-download-btn", "n_clicks"),
                 State("ops-sync-grid", "selectedRows"), prevent_initial_call=True)
def download(_, selected):
    """下载所选数据包: the package from the outbox, its checksum checked, the download logged."""
    if not selected:
        return no_update, alert("请先在同步记录中选择一条。", "warning")
    cfg = settings()
    try:
        name, blob = export.package_file(cfg, current_actor(), int(selected[0]["id"]))
    except AccountError as exc:
        return no_update, alert(str(exc), "warning")
    return send_package(blob, name), alert(f"已下载 {name}。")
