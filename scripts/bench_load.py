"""Load test at province scale (`make bench`; never part of the tests).

1. Copies the province database (DATA_DIR of the benchmark, default var/bench) into a scratch
   directory (`--work-dir`; the load test writes: payment requests, portrait query records,
   sessions, the security log) unless the copy is already there (`--reuse-copy`).
2. Starts the production server on the copy: gunicorn with server/gunicorn_conf.py and
   server.wsgi:application (`make serve`), `--workers` workers (4), JOBS_IN_PROCESS=0, on loopback.
3. Records in headless Chromium the requests each action of the mix makes (scripts/load_record.py).
4. Runs locust headless on loopback, bounded: `--users 50 --spawn-rate 10 --run-time 60s` and at
   most `--max-requests` requests, the mix of scripts/locustfile.py; p50/p95/p99 per action, errors.
5. The county officials' drill-down alone (`--drill-users`, 15) twice for the same time: with the
   machine otherwise idle, and while a full warning run goes on in the job process (`python -m
   data.jobs` with a queued `warning_run` when lane C's queue is there, else the engine in a separate
   `nice` process): idle p95 vs during-run p95.
Writes var/bench/load.json (or `--out`) and prints one JSON line per action and phase.
"""
from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import hashlib
import json
import math
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))
PY = sys.executable
LOCUST = str(Path(PY).with_name("locust"))
GUNICORN = str(Path(PY).with_name("gunicorn"))


def percentiles(values: list[float]) -> dict:
    if not values:
        return {"n": 0}
    v = sorted(values)

    def q(p):  # nearest rank
        return round(v[min(len(v) - 1, max(0, math.ceil(p / 100 * len(v)) - 1))], 1)
    return {"n": len(v), "p50": q(50), "p95": q(95), "p99": q(99), "max": round(v[-1], 1),
            "mean": round(statistics.fmean(v), 1)}


def sqlite_url(data_dir: Path, province: int) -> str:
    return f"sqlite:///{data_dir / f'platform-{province}.sqlite'}"


def copy_database(src: Path, dst: Path, province: int) -> None:
    """The database, its keys, the roll-up snapshot and the security log's head, renamed for the
    copy's URL (both are keyed by a hash of the database URL)."""
    dst.mkdir(parents=True, exist_ok=True)
    name = f"platform-{province}.sqlite"
    if (src / f"{name}-wal").exists() and (src / f"{name}-wal").stat().st_size:
        raise SystemExit(f"{src / name} has a write-ahead log in use: wait until its generator is done")
    subprocess.run(["cp", "--reflink=auto", str(src / name), str(dst / name)], check=True)
    for f in (".secret_key", ".audit_key", "prices.json"):
        if (src / f).exists():
            shutil.copy2(src / f, dst / f)
    old = hashlib.sha256(sqlite_url(src, province).encode()).hexdigest()[:12]
    new = hashlib.sha256(sqlite_url(dst, province).encode()).hexdigest()[:12]
    if (src / "snapshots" / old).is_dir():
        shutil.copytree(src / "snapshots" / old, dst / "snapshots" / new, dirs_exist_ok=True)
    if (src / f"audit-head-{old}.json").exists():
        shutil.copy2(src / f"audit-head-{old}.json", dst / f"audit-head-{new}.json")


def server_env(data_dir: Path, province: int, port: int, workers: int) -> dict:
    env = dict(os.environ, DATA_DIR=str(data_dir), PROVINCE=str(province), HOST="127.0.0.1", PORT=str(port),
               WEB_WORKERS=str(workers),
               JOBS_IN_PROCESS="0", WARNING_SCHEDULE_S="0", BACKUP_SCHEDULE="", PYTHONPATH=str(ROOT))
    env.pop("DATABASE_URL", None)
    return env


def wait_http(url: str, timeout_s: float, proc=None) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise SystemExit(f"the server exited with {proc.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=5) as r:
                if r.status == 200:
                    return
        except OSError:
            pass
        time.sleep(1)
    raise SystemExit(f"{url} did not answer within {timeout_s:.0f} s")


def wait_quiet(proc, timeout_s: float = 600, per_worker_pct: float = 10.0) -> float:
    """Waits until the server's workers are done warming up (the credit statistics' cubes and the
    price index are built in background threads at start): their CPU use below `per_worker_pct`
    each over 3 s. Returns the seconds waited."""
    import psutil

    t0 = time.monotonic()
    master = psutil.Process(proc.pid)
    while time.monotonic() - t0 < timeout_s:
        workers = master.children(recursive=True)
        for w in workers:
            w.cpu_percent(None)
        time.sleep(3)
        busy = sum(w.cpu_percent(None) for w in workers if w.is_running())
        if workers and busy < per_worker_pct * len(workers):
            break
    return round(time.monotonic() - t0, 1)


@contextlib.contextmanager
def gunicorn(data_dir: Path, province: int, port: int, workers: int, log: Path):
    """The production server (`make serve`'s gunicorn) on `data_dir`. BENCH_WSGI=module:attr (with
    the module on PYTHONPATH) stands in for server.wsgi while that is missing."""
    env = server_env(data_dir, province, port, workers)
    from data.db import upgrade

    upgrade(sqlite_url(data_dir, province))  # once, before several workers start
    conf = ROOT / "server" / "gunicorn_conf.py"
    if os.environ.get("BENCH_WSGI") or not conf.exists():
        target = os.environ.get("BENCH_WSGI", "server.wsgi:application")
        env["PYTHONPATH"] = os.pathsep.join([str(ROOT), os.environ.get("BENCH_WSGI_PATH", "")])
        env.setdefault("POLARS_MAX_THREADS", str(max(1, (os.cpu_count() or 1) // workers)))
        cmd = [GUNICORN, "-w", str(workers), "-b", f"127.0.0.1:{port}", "--timeout", "300", target]
    else:
        cmd = [GUNICORN, "-c", str(conf), "server.wsgi:application"]
    with open(log, "w") as out:
        proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        t0 = time.monotonic()
        wait_http(f"http://127.0.0.1:{port}/health", 600, proc)
        proc.health_s = round(time.monotonic() - t0, 1)
        proc.quiet_s = wait_quiet(proc)
        yield proc
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(60)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)


def run_locust(base: str, recording: Path, out: Path, users: int, spawn_rate: int, run_time_s: int,
               max_requests: int, classes: list[str] | None = None, stop_when=None) -> dict:
    """One bounded headless locust run; returns the locustfile's JSON (times per action, errors)."""
    # the run_time_s window is timed from the moment the last user signed in (scripts/locustfile.py
    # LOAD_WINDOW_S); locust's own --run-time is only the cap, with room for the sign-ins
    env = dict(os.environ, LOAD_RECORDING=str(recording), LOAD_OUT=str(out), LOAD_MAX_REQUESTS=str(max_requests),
               LOAD_WINDOW_S=str(run_time_s))
    cmd = [LOCUST, "-f", str(ROOT / "scripts" / "locustfile.py"), "--headless", "--host", base,
           "--users", str(users), "--spawn-rate", str(spawn_rate), "--run-time", f"{run_time_s + 60}s",
           "--stop-timeout", "20", "--only-summary", "--loglevel", "WARNING", *(classes or [])]
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    if stop_when is not None:
        while proc.poll() is None:
            if stop_when():
                proc.send_signal(signal.SIGTERM)
                break
            time.sleep(0.5)
    text, _ = proc.communicate(timeout=run_time_s + 180)
    if not out.exists():
        raise SystemExit(f"locust wrote no results (exit {proc.returncode}):\n{text[-3000:]}")
    return json.loads(out.read_text())


def summarise(raw: dict) -> dict:
    return {"actions": {a: dict(percentiles(t), errors=len(raw["errors"].get(a, []))) for a, t in raw["times_ms"].items()},
            "errors": sum(len(v) for v in raw["errors"].values()),
            "error_samples": {a: v[:3] for a, v in raw["errors"].items() if v},
            "requests": raw["requests"], "wall_s": raw["wall_s"], "warmup_s": raw.get("warmup_s"),
            "window_s": raw.get("window_s")}


def load_average() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


@contextlib.contextmanager
def warning_run(data_dir: Path, province: int, log: Path):
    """A full warning run in the job process, at its lower CPU priority; yields a function telling
    whether it has finished and a dict filled with its facts."""
    env = server_env(data_dir, province, 0, 1)
    facts: dict = {}
    try:
        import data.jobs.queue as queue  # lane C's job queue

        url = sqlite_url(data_dir, province)
        job_id = queue.enqueue(url, "warning_run", {}, requested_by="bench", dedupe=False)
        # the job process's loop (other queued jobs, e.g. the columnar copy's, may come first); stopped
        # with SIGTERM once the warning run has finished
        cmd = [PY, "-m", "data.jobs"]
        facts.update(how="the job process (python -m data.jobs, niced) running a queued warning_run", job=job_id)

        def finished() -> bool:
            return (queue.get(url, job_id) or {}).get("status") in ("done", "failed", "cancelled")

        def result():
            job = queue.get(url, job_id) or {}
            keep = ("status", "started_at", "finished_at", "error", "result")
            return json.loads(json.dumps({k: job.get(k) for k in keep if job.get(k) is not None}, default=str))
    except ImportError:
        code = ("import datetime as dt, json, time; from settings import Settings; from data.demo import has_data; "
                "from data.supervision import engine; s = Settings.from_env(); meta = has_data(s); "
                "today = dt.date.fromisoformat(meta['today']) if meta and meta.get('today') else dt.date.today(); "
                "t = time.perf_counter(); r = engine.run(s.database_url, s.audit_key, today=today, kind='full', "
                "data_dir=s.data_dir); print(json.dumps({'seconds': round(time.perf_counter() - t, 2), "
                "'findings': r['findings'], 'timings': r['timings']}, default=str))")
        cmd = ["nice", "-n", os.environ.get("JOBS_NICE", "19"), PY, "-c", code]
        facts.update(how="data.supervision.engine.run in a separate nice -n 10 process (lane C's job process absent)")

        def finished() -> bool:
            return False

        def result():
            return {}
    with open(log, "w") as out:
        proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    t0 = time.perf_counter()

    def done() -> bool:
        return proc.poll() is not None or finished()
    try:
        yield done, facts
    finally:
        while not done() and time.perf_counter() - t0 < 300:
            time.sleep(0.5)
        facts["seconds"] = round(time.perf_counter() - t0, 1)
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(60)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
        facts.update(result(), exit=proc.returncode)
        facts["log_tail"] = log.read_text()[-600:]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--province", type=int, default=22)
    ap.add_argument("--source", type=Path, help="the province data directory (default var/bench, var/bench36)")
    ap.add_argument("--work-dir", type=Path, help="where the copy goes (default a temp dir under var/)")
    ap.add_argument("--reuse-copy", action="store_true", help="use the copy already in --work-dir")
    ap.add_argument("--workers", type=int, default=4)
    ap.add_argument("--users", type=int, default=50)
    ap.add_argument("--spawn-rate", type=int, default=10)
    ap.add_argument("--run-time", type=int, default=60)
    ap.add_argument("--max-requests", type=int, default=30_000)
    ap.add_argument("--drill-users", type=int, default=15)
    ap.add_argument("--skip-warning", action="store_true")
    ap.add_argument("--skip-mix", action="store_true", help="only the drill-down idle vs during a warning run")
    ap.add_argument("--port", type=int, default=18_650)
    ap.add_argument("--out", type=Path)
    args = ap.parse_args()
    default_src = ROOT / "var" / ("bench" if args.province == 22 else f"bench{args.province}")
    src = args.source or Path(os.environ.get("DATA_DIR") or default_src)
    out = args.out or (default_src / "load.json")
    work = args.work_dir or Path(tempfile.mkdtemp(prefix="load-", dir=ROOT / "var"))
    t_all = time.perf_counter()
    if not args.reuse_copy:
        print(f"[bench-load] copying {src} to {work} …", file=sys.stderr, flush=True)
        copy_database(src, work, args.province)
    os.environ["DATA_DIR"], os.environ["PROVINCE"] = str(work), str(args.province)
    import load_record
    from settings import Settings

    settings = Settings.from_env()
    base = f"http://127.0.0.1:{args.port}"
    report: dict = {"province": args.province, "database": "SQLite (a copy of the benchmark database)",
                    "workers": args.workers, "users": args.users, "run_time_s": args.run_time,
                    "started_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
                    "cores": os.cpu_count()}
    with tempfile.TemporaryDirectory() as tmp, gunicorn(work, args.province, args.port, args.workers,
                                                        work / "gunicorn.log") as server:
        tmp = Path(tmp)
        report["server_start"] = {"health_s": server.health_s, "warm_s": server.quiet_s}
        t = time.perf_counter()
        print("[bench-load] recording the browser's requests …", file=sys.stderr, flush=True)
        recording = load_record.record(base, settings.demo_password)
        load_record.save(recording, work / "load-recording.json")
        report["recording"] = {a: {"user": r["user"], "requests": len(r["requests"]),
                                   "waves": len({i["wave"] for i in r["requests"]}),
                                   "browser_ms": r["requests"][-1]["end"] if r["requests"] else 0}
                               for a, r in recording.items()}
        report["record_s"] = round(time.perf_counter() - t, 1)
        report["load_before"] = load_average()
        if not args.skip_mix:
            print(f"[bench-load] mix: {args.users} users for {args.run_time} s …", file=sys.stderr, flush=True)
            report["mix"] = summarise(run_locust(base, work / "load-recording.json", tmp / "mix.json", args.users,
                                                 args.spawn_rate, args.run_time, args.max_requests))
            report["load_after"] = load_average()
            for action, row in report["mix"]["actions"].items():
                print(json.dumps({"phase": "mix", "action": action, **row}, ensure_ascii=False), flush=True)
        if not args.skip_warning:
            drill_s = 45
            print(f"[bench-load] drill-down alone, idle: {args.drill_users} users for {drill_s} s …", file=sys.stderr, flush=True)
            idle = summarise(run_locust(base, work / "load-recording.json", tmp / "idle.json", args.drill_users,
                                        args.spawn_rate, drill_s, args.max_requests, ["CountyOfficial"]))
            idle["load"] = load_average()
            print("[bench-load] drill-down alone during a full warning run …", file=sys.stderr, flush=True)
            with warning_run(work, args.province, work / "warning-run.log") as (done, facts):
                during = summarise(run_locust(base, work / "load-recording.json", tmp / "during.json", args.drill_users,
                                              args.spawn_rate, 240, args.max_requests, ["CountyOfficial"], stop_when=done))
                during["load"] = load_average()
            during["warning_run"] = facts
            # idle again right after: the machine is shared, so the idle figure is the mean of both sides
            after = summarise(run_locust(base, work / "load-recording.json", tmp / "after.json", args.drill_users,
                                         args.spawn_rate, 30, args.max_requests, ["CountyOfficial"]))
            after["load"] = load_average()
            i95 = round((idle["actions"]["drill"]["p95"] + after["actions"]["drill"]["p95"]) / 2, 1)
            d95 = during["actions"]["drill"]["p95"]
            report["drill_idle"], report["drill_during_warning_run"], report["drill_idle_after"] = idle, during, after
            report["drill_idle_p95_mean"] = i95
            report["drill_p95_ratio"] = round(d95 / i95, 2)
            print(json.dumps({"phase": "drill", "idle_p95_before": idle["actions"]["drill"]["p95"],
                              "idle_p95_after": after["actions"]["drill"]["p95"], "idle_p95": i95, "during_warning_run_p95": d95,
                              "ratio": report["drill_p95_ratio"], "target": 1.5, "warning_run": {
                                  k: v for k, v in facts.items() if k != "log_tail"}},
                             ensure_ascii=False, default=str), flush=True)
    report["total_s"] = round(time.perf_counter() - t_all, 1)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, ensure_ascii=False, indent=1, default=str))
    print(json.dumps({"load_test": str(out), "errors": (report.get("mix") or {}).get("errors"),
                      "total_s": report["total_s"]}), flush=True)
    if not args.work_dir:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
