"""Helpers for pages whose buttons queue a job (data/jobs): wait until the queue has run it — the
app's in-process runner (settings.jobs_in_process, the tests' default) usually picks it up at
once; otherwise this process runs it (`Runner.run_once`)."""
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
