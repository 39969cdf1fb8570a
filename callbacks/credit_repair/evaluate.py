"""全量重新评价: the data unit's button queues a `credit_reevaluate` job (data/jobs) for the job
process, which runs data.credit.evaluate.evaluate_population (the permission checked again there,
with the person who asked); the page polls the job (cr-eval-poll, once a second while it is
queued or running) for its status and progress: 排队中 / 运行中 / 已完成 / 失败. 取消 withdraws a job
that has not started yet; a second click while one waits is refused, not queued twice."""
from __future__ import annotations

from dash import Input, Output, State, no_update

from data.jobs import queue
from data.jobs.kinds import request_job
from domain.permissions import Action, PermissionDenied
from server.callbacks import secure_callback
from server.context import settings

from callbacks.common import alert, current_actor

SHOWN, HIDDEN = {"display": "block"}, {"display": "none"}


def _waiting(job: dict, fresh: bool = True):
    label = queue.STATUS_LABELS.get(job["status"], job["status"])
    if fresh:
        return alert(f"重新评价任务 #{job['id']}：{label}", "info")
    return alert(f"已有重新评价任务 #{job['id']}{label}，请等待其完成，未重复提交。", "warning")


@secure_callback(Action.CREDIT_EVALUATE, Output("cr-eval-result", "children"), Output("cr-eval-job", "data"),
                 Output("cr-eval-poll", "disabled"), Output("cr-eval-progress-box", "style"),
                 Output("cr-eval-run", "disabled"), Output("cr-eval-cancel", "disabled"),
                 Input("cr-eval-run", "n_clicks"), prevent_initial_call=True)
def run(_n):
    """Queue the re-evaluation of every subject."""
    try:
        job, fresh = request_job(settings(), "credit_reevaluate", current_actor())
    except PermissionDenied as exc:
        return alert(str(exc), "danger"), no_update, no_update, no_update, no_update, no_update
    return _waiting(job, fresh), job["id"], False, SHOWN, True, job["status"] != "queued"


@secure_callback(Action.CREDIT_EVALUATE, Output("cr-eval-result", "children", allow_duplicate=True),
                 Output("cr-eval-progress", "value"), Output("cr-eval-progress", "label"),
                 Output("cr-eval-progress-box", "style", allow_duplicate=True),
                 Output("cr-eval-poll", "disabled", allow_duplicate=True),
                 Output("cr-eval-run", "disabled", allow_duplicate=True),
                 Output("cr-eval-cancel", "disabled", allow_duplicate=True),
                 Output("cr-refresh", "data", allow_duplicate=True),
                 Input("cr-eval-poll", "n_intervals"), State("cr-eval-job", "data"), State("cr-refresh", "data"),
                 prevent_initial_call=True)
def status(_n, job_id, refresh):
    """The job's status and progress bar, then its outcome."""
    job = queue.get(settings().database_url, int(job_id)) if job_id else None
    if job is None or job["kind"] != "credit_reevaluate":
        return no_update, no_update, no_update, HIDDEN, True, False, True, no_update
    pct = int(job["progress"] or 0)
    if job["status"] in ("queued", "running"):
        return (_waiting(job), pct, f"{pct}% {queue.STATUS_LABELS[job['status']]}", SHOWN, False, True,
                job["status"] != "queued", no_update)
    if job["status"] == "cancelled":
        return alert(f"重新评价任务 #{job['id']}：已取消。", "secondary"), 0, "", HIDDEN, True, False, True, no_update
    if job["status"] == "failed":
        first = (job.get("error") or "").splitlines()[0] if job.get("error") else ""
        return alert(f"重新评价任务 #{job['id']}：失败 — {first}", "danger"), pct, "", HIDDEN, True, False, True, \
            (refresh or 0) + 1
    out = job["result"] or {}
    grades = "，".join(f"{'未评级' if g == 'unrated' else g + ' 级'} {n:,}" for g, n in (out.get("grades") or {}).items())
    return (alert(f"已重新评价 {out.get('count', 0):,} 个信用主体（评价结果变化 {out.get('changed', 0):,} 个），"
                  f"用时 {out.get('seconds')} 秒；{grades}。"), 100, "100%", HIDDEN, True, False, True, (refresh or 0) + 1)


@secure_callback(Action.CREDIT_EVALUATE, Output("cr-eval-result", "children", allow_duplicate=True),
                 Input("cr-eval-cancel", "n_clicks"), State("cr-eval-job", "data"), prevent_initial_call=True)
def cancel(_n, job_id):
    """取消: withdraw the job while it waits (a running re-evaluation finishes: it is one transaction)."""
    url = settings().database_url
    job = queue.get(url, int(job_id)) if job_id else None
    if job is None or job["kind"] != "credit_reevaluate":  # this button withdraws re-evaluations only
        return no_update
    if queue.cancel(url, job["id"]):
        return alert(f"重新评价任务 #{job_id}：已取消。", "secondary")
    return alert(f"重新评价任务 #{job_id} 已开始运行，无法取消；请等待其完成。", "warning")
