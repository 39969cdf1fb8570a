"""What the shared store (data/runtime/shared.py) costs per operation on each backend: SQLite
(its sibling file), PostgreSQL (the `shared_state` table) and Redis — started here, throw-away —
plus two processes hitting one counter at once (hits per second, counts lost: must be 0).

    python scripts/bench_shared.py [--n 500] [--json var/bench/shared.json]
"""
from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def _timed(fn, n: int) -> dict:
    times = []
    for i in range(n):
        t = time.perf_counter()
        fn(i)
        times.append((time.perf_counter() - t) * 1000)
    times.sort()
    return {"p50_ms": round(statistics.median(times), 3), "p95_ms": round(times[int(0.95 * (n - 1))], 3)}


def _hammer(settings, key, n, start, out):
    from data.runtime import shared

    shared.after_fork()
    st = shared.store(settings)
    start.wait(30)
    t = time.perf_counter()
    for _ in range(n):
        st.hit(key, 600)
    out.put(time.perf_counter() - t)


def bench(settings, n: int) -> dict:
    from data.db import upgrade
    from data.runtime import shared

    upgrade(settings.database_url)
    st = shared.store(settings)
    value = os.urandom(2048)
    out = {"backend": st.backend if not settings.redis_url else "redis"}
    out["set_2kB"] = _timed(lambda i: st.set(f"b:{i}", value, ttl_s=600), n)
    out["get_2kB"] = _timed(lambda i: st.get(f"b:{i}"), n)
    out["hit"] = _timed(lambda i: st.hit("bench-hit", 600), n)
    out["version"] = _timed(lambda i: st.version("bench"), n)
    out["bump"] = _timed(lambda i: st.bump("bench"), n)
    ctx = multiprocessing.get_context("fork")
    start, q = ctx.Event(), ctx.Queue()
    key = f"bench-two-{time.time_ns()}"
    procs = [ctx.Process(target=_hammer, args=(settings, key, n, start, q)) for _ in range(2)]
    for p in procs:
        p.start()
    start.set()
    took = max(q.get(timeout=300) for _ in procs)
    for p in procs:
        p.join()
    counted = st.count(key, 600)
    out["two_processes"] = {"hits": 2 * n, "counted": counted, "lost": 2 * n - counted,
                            "hits_per_s": round(2 * n / took)}
    return out


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=500)
    ap.add_argument("--json", default=None)
    ap.add_argument("--no-postgres", action="store_true")
    args = ap.parse_args()
    from tests.support.app import make_settings
    from tests.support.redis import RedisServer

    tmp = Path(tempfile.mkdtemp(prefix="bench-shared-"))
    results = {"load_average": os.getloadavg(), "cpus": os.cpu_count(), "n": args.n, "backends": []}
    base = make_settings(tmp / "sqlite")
    results["backends"].append(bench(base, args.n))
    redis = RedisServer()
    redis.start()
    try:
        results["backends"].append(bench(make_settings(tmp / "redis").with_(redis_url=redis.url), args.n))
    finally:
        redis.stop()
    if not args.no_postgres:
        from tests.support.postgres import PostgresServer

        pg = PostgresServer()
        pg.start()
        try:
            got = bench(make_settings(tmp / "pg", pg.create_database("bench_shared")), args.n)
            got["backend"] = "postgresql"
            results["backends"].append(got)
        finally:
            pg.stop()
    results["backends"][0]["backend"] = "sqlite"
    results["load_average_after"] = os.getloadavg()
    print(json.dumps(results, indent=1, ensure_ascii=False))
    if args.json:
        Path(args.json).parent.mkdir(parents=True, exist_ok=True)
        Path(args.json).write_text(json.dumps(results, indent=1, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
