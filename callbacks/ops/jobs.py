"""The ops page's jobs (立即备份, 导出并写入发件箱): the buttons queue a job (data/jobs) and the page
polls it (ops-job-poll, once a second while one is queued or running): 排队中 / 运行中 (with its
progress) / 已完成 (the outcome, as the button used to show it) / 失败 (the error)."""
from __future__ import annotations

from dash import html

from data.jobs.queue import STATUS_LABELS
from domain.labels import time_text

from callbacks.common import alert

ACTIVE = ("queued", "running")


def waiting_line(job: dict, what: str, fresh: bool):
    """The line under the button while the job waits or runs."""
    label = STATUS_LABELS.get(job["status"], job["status"])
    pct = f"（{job['progress']}%）" if job["status"] == "running" else ""
    head = (f"{what}任务 #{job['id']}：{label}{pct}" if fresh
            else f"已有{what}任务 #{job['id']}{label}{pct}，请等待其完成，未重复提交。")
    since = f" · 提交于 {time_text(job['requested_at'])}" if job.get("requested_at") else ""
    return alert(html.Span([head, html.Span(since, className="text-muted small")], className="job-status",
                           **{"data-status": job["status"]}), "info" if fresh else "warning")


def failed_line(job: dict, what: str):
    return alert(f"{what}任务 #{job['id']}：失败 — {(job.get('error') or '').splitlines()[0] if job.get('error') else ''}",
                 "danger")
