"""The job queue (issue 17): long work runs out of the web process.

- `queue`: the `jobs` table — enqueue (with dedupe), claim (atomic), progress, finish, stale
  recovery; the web workers only enqueue and read.
- `lock`: `held(url, name, ttl_s)` — a lease in `job_locks` (plus a PostgreSQL advisory lock) so
  one job process at a time runs jobs, across machines.
- `kinds`: kind → function(settings, params, progress) -> dict (warning_run, warning_escalation,
  backup, national_sync, credit_reevaluate, columnar).
- `runner`: the loop (`python -m data.jobs` = `make jobs`; or a daemon thread in the web process
  when JOBS_IN_PROCESS=1): enqueues the scheduled jobs when due, claims, runs, heartbeats, records.
"""
