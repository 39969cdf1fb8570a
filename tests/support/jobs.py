"""Helpers for pages whose buttons queue a job (data/jobs): wait until the queue has run it — the
app's in-process runner (settings.jobs_in_process: the browser tests' served apps) picks it up;
otherwise (the tests' default) this process runs it (`Runner.run_once`)."""
from __future__ import annotations

import time


def settle(settings, job_id: int, timeout_s: float = 120.0) -> dict:
    """The job once it has ended (done, failed or cancelled); fails after `timeout_s`."""
    from data.jobs import queue
    from data.jobs.runner import Runner

    runner = Runner(settings)
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        job = queue.get(settings.database_url, job_id)
        if job["status"] not in ("queued", "running"):
            return job
        if job["status"] == "queued":
            runner.run_once()
        time.sleep(0.02)
    raise AssertionError(f"job {job_id} did not end within {timeout_s} s: {queue.get(settings.database_url, job_id)}")


def via_page(app, client, start_fn, start_inputs: list[dict], start_state: list[dict], job_store: str, poll_fn,
             poll_id: str):
    """Click a button that queues a job, let the queue run it, poll once as the page does; returns
    the poll's answer (or the click's, when the click was refused or queued nothing)."""
    from tests.support.http import call

    resp = call(app, client, start_fn, start_inputs, start_state)
    if resp.status_code != 200:
        return resp
    job_id = resp.get_json()["response"].get(job_store, {}).get("data")
    if not job_id:
        return resp
    settle(app.server.config["PLATFORM_SETTINGS"], job_id)
    return call(app, client, poll_fn, [{"id": poll_id, "property": "n_intervals", "value": 1}],
                [{"id": job_store, "property": "data", "value": job_id},
                 {"id": "ops-refresh", "property": "data", "value": 0}])


def backup_now(app, client):
    """立即备份 on the ops page, to its outcome."""
    from callbacks.ops import backups

    return via_page(app, client, backups.backup_now, [{"id": "ops-backup-now", "property": "n_clicks", "value": 1}],
                    [], "ops-backup-job", backups.backup_status, "ops-backup-poll")


def export_now(app, client, year):
    """导出并写入发件箱 on the ops page for `year`, to its outcome."""
    from callbacks.ops import sync

    return via_page(app, client, sync.run_export, [{"id": "ops-export", "property": "n_clicks", "value": 1}],
                    [{"id": "ops-year", "property": "value", "value": year}], "ops-sync-job", sync.export_status,
                    "ops-sync-poll")
