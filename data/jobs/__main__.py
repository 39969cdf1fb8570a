"""`python -m data.jobs` (`make jobs`): the job process. Lower CPU priority (JOBS_NICE, default
19, the lowest; as the leader of its own session also the session's: data/jobs/priority.py) and one
polars thread (POLARS_MAX_THREADS, unless set), both set before polars is imported;
SIGTERM finishes the current job and exits (see data/jobs/runner.py).

    python -m data.jobs                      # the loop (make jobs)
    python -m data.jobs --once               # one round, then exit
    python -m data.jobs enqueue warning_run  # queue a job (params as JSON after the kind), print its id
"""
from __future__ import annotations

import os
import signal
import sys


def main(argv: list[str]) -> int:
    os.environ.setdefault("POLARS_MAX_THREADS", "1")
    from data.jobs import priority  # before polars is imported: its threads inherit the priority

    lowered = priority.lower()
    import logging

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    from data.db import upgrade
    from data.jobs.runner import Runner
    from settings import Settings

    settings = Settings.from_env()
    upgrade(settings.database_url)
    from data.db import configure_replica  # the runs' bulk reads may use the replica, as the web's do

    configure_replica(settings.database_url, settings.database_replica_url, settings.replica_max_lag_s,
                      settings.read_own_writes_s)
    if argv[:1] == ["enqueue"]:
        import json

        from data.jobs import queue

        params = json.loads(argv[2]) if len(argv) > 2 else {"trigger": "cli"}
        print(queue.enqueue(settings.database_url, argv[1], params, requested_by="cli"), flush=True)
        return 0
    runner = Runner(settings)

    def stop(signum, _frame):
        if runner.stop.is_set():  # the second one: leave now (the job's heartbeat stops; it is re-queued)
            raise SystemExit(128 + signum)
        logging.getLogger("data.jobs").info("signal %s: finishing the current job, then exiting", signum)
        runner.stop.set()
        runner.wake.set()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    if "--once" in argv:
        print(runner.run_once(), flush=True)
        return 0
    logging.getLogger("data.jobs").info("job process %s on %s (priority: %s)", runner.worker,
                                        settings.database_url.split("@")[-1], lowered)
    runner.loop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
