"""数据备份 callbacks: the backups and drills, backing up now, and a restore drill behind a confirmation."""
from __future__ import annotations

from dash import Input, Output, State, html, no_update
from flask import current_app

from components.readonly import guard_outputs
from data.backup import engines, restore, store
from data.jobs import queue
from data.jobs.kinds import request_job
from data.backup.schedule import parse
from domain.labels import time_text
from domain.permissions import Action, PermissionDenied
from server.callbacks import clientside, secure_callback
from server.context import settings

from callbacks.common import alert, current_actor, sections
from callbacks.ops.jobs import ACTIVE, failed_line, waiting_line

clientside("function(n) { return false; }", Output("ops-restore-modal", "is_open", allow_duplicate=True),
           Input("ops-restore-cancel", "n_clicks"), prevent_initial_call=True)


def _size(n: int) -> str:
    return f"{n / 1024 / 1024:,.1f} MB" if n >= 1024 * 1024 else f"{n / 1024:,.1f} KB" if n else "—"


@secure_callback(Action.OPS_VIEW, Output("ops-backup-grid", "rowData"), Output("ops-drill-grid", "rowData"),
                 Output("ops-schedule-note", "children"), *guard_outputs("ops-backup-tools", "ops-restore-tools"),
                 Input("ops-refresh", "data"))
def load(_):
    cfg = settings()
    actor = current_actor()
    backups = store.list_backups(cfg.database_url, actor)
    for b in backups:
        b["at_text"], b["size_text"] = time_text(b["started_at"]), _size(b["size_bytes"])
    drills = store.list_drills(cfg.database_url, actor)
    for d in drills:
        d["at_text"] = time_text(d["started_at"])
    at = parse(cfg.backup_schedule)
    note = (f"定时备份：每天 {at:%H:%M}（北京时间）；备份文件保留 {cfg.backup_keep_days} 天，过期文件自动清理，记录保留。"
            if at else "未设置定时备份（BACKUP_SCHEDULE 为空），仅手动备份。")
    return backups, drills, note, *sections(actor, Action.BACKUP_RUN, Action.BACKUP_RESTORE)


@secure_callback(Action.BACKUP_RUN, Output("ops-backup-result", "children"),
                 Output("ops-backup-job", "data"), Output("ops-backup-poll", "disabled"),
                 Input("ops-backup-now", "n_clicks"), prevent_initial_call=True)
def backup_now(_):
    """立即备份 queues a backup for the job process (a second click while one waits is refused)."""
    try:
        job, fresh = request_job(settings(), "backup", current_actor())
    except PermissionDenied as exc:
        return alert(str(exc), "danger"), no_update, no_update
    return waiting_line(job, "备份", fresh), job["id"], False


@secure_callback(Action.BACKUP_RUN, Output("ops-backup-result", "children", allow_duplicate=True),
                 Output("ops-backup-poll", "disabled", allow_duplicate=True),
                 Output("ops-refresh", "data", allow_duplicate=True), Input("ops-backup-poll", "n_intervals"),
                 State("ops-backup-job", "data"), State("ops-refresh", "data"), prevent_initial_call=True)
def backup_status(_, job_id, refresh):
    """The queued backup's status, then its outcome (the list refreshed)."""
    job = queue.get(settings().database_url, int(job_id)) if job_id else None
    if job is None or job["kind"] != "backup":
        return no_update, True, no_update
    if job["status"] in ACTIVE:
        return waiting_line(job, "备份", True), False, no_update
    if job["status"] != "done":
        return failed_line(job, "备份"), True, (refresh or 0) + 1
    row = job["result"] or {}
    if row.get("status") != "ok":
        return alert(f"备份 #{row.get('id')} 失败：{row.get('check_result')}", "danger"), True, (refresh or 0) + 1
    return alert(f"已备份 #{row['id']}：{row['filename']}（{_size(row['size_bytes'] or 0)}，SHA-256 {row['sha256'][:16]}…）。"
                 f"{row['check_result']}"), True, (refresh or 0) + 1


@secure_callback(Action.BACKUP_RESTORE, Output("ops-restore-modal", "is_open"), Output("ops-restore-summary", "children"),
                 Output("ops-restore-pending", "data"), Output("ops-backup-result", "children", allow_duplicate=True),
                 Input("ops-restore", "n_clicks"), State("ops-backup-grid", "selectedRows"), prevent_initial_call=True)
def ask(_, selected):
    """恢复演练… asks first, naming the backup."""
    if not selected:
        return no_update, no_update, no_update, alert("请先在备份列表中选择一个备份。", "warning")
    row = selected[0]
    summary = html.Div([html.Div(f"备份 #{row.get('id')}：{row.get('kind_label', '')} · {row.get('at_text', '')}",
                                 className="fw-semibold"),
                        html.Div(f"{row.get('filename', '')}（{row.get('status_label', '')}）", className="small text-muted")])
    return True, summary, {"id": row.get("id")}, ""


@secure_callback(Action.BACKUP_RESTORE, Output("ops-backup-result", "children", allow_duplicate=True),
                 Output("ops-restore-modal", "is_open", allow_duplicate=True),
                 Output("ops-refresh", "data", allow_duplicate=True), Input("ops-restore-confirm", "n_clicks"),
                 State("ops-restore-pending", "data"), State("ops-refresh", "data"), prevent_initial_call=True,
                 running=[(Output("ops-restore-confirm", "disabled"), True, False),
                          (Output("ops-restore-cancel", "disabled"), True, False)])
def confirm(_, pending, refresh):
    """确认恢复: the drill (checks, pre-restore backup, restore, verification, rollback if needed)."""
    try:
        backup_id = int((pending or {}).get("id"))
    except (TypeError, ValueError):
        return alert("请先在备份列表中选择一个备份。", "warning"), False, no_update
    cfg = settings()
    try:
        row = restore.restore(cfg, current_actor(), backup_id)
    except engines.BackupError as exc:
        return alert(str(exc), "warning"), False, no_update
    if row["result"] in ("restored", "rolled_back", "failed"):  # the database changed under the dashboards
        ql = current_app.extensions.get("platform.query")
        if ql is not None:
            ql.load()
    color = {"restored": "success", "refused": "warning", "rolled_back": "warning"}.get(row["result"], "danger")
    failed = [c for c in row["checks"] if not c["ok"]]
    detail = "；".join(f"{c['check']}：{c['detail']}" for c in failed[:3])
    return alert(f"恢复演练 #{row['id']}：{row['message']}" + (f"（{detail}）" if detail else ""), color), False, \
        (refresh or 0) + 1
