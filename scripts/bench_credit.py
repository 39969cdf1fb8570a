"""Benchmark: forestry credit at a million subjects (`make bench`; not part of the tests).

Builds (or reuses, cached under var/bench_credit/) a database holding the province's region tree,
the demo users and the `province` credit population (data/demo/credit.py: 1,000,000 subjects,
several million records, repayments and forest-rights parcels), then measures:

- generation time (when it built the database);
- each statistics query of data/query/credit.py (the cubes' first load, then the median of N calls);
- the portrait's server time, median over 200 random subjects under a live authorisation of the
  demo bank, when `data.credit.portrait.portrait` exists (lane B), else skipped with a message;
- `data.credit.evaluate.reevaluate_all` over the whole population, when it exists (lane A);
- peak memory: tracemalloc (Python allocations) and max RSS (resource.getrusage).

    .venv/bin/python scripts/bench_credit.py                 # SQLite, Jilin (22), cached
    .venv/bin/python scripts/bench_credit.py --province 36 --rebuild
    .venv/bin/python scripts/bench_credit.py --postgres      # a scratch PostgreSQL (tests/support/postgres.py)
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import resource
import statistics
import sys
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

TODAY = dt.date(2026, 11, 22)


def log(msg: str) -> None:
    print(f"[bench-credit] {msg}", file=sys.stderr, flush=True)


def build(url: str, province: int, data_dir: Path, scale: str) -> dict:
    """The region tree, the demo users and the credit population in an empty database."""
    import polars as pl
    from sqlalchemy import select

    from data import bulk
    from data.admin.audit_log import use_head_file
    from data.db import engine_for, transaction, upgrade
    from data.demo import demo_users
    from data.demo.credit import generate_credit
    from data.models import Setting, User
    from data.regions import load_region_tree
    from domain.admin.passwords import hash_password
    from settings import Settings

    settings = Settings(province=province, database_url=url, data_dir=data_dir, demo_scale=scale,
                        secret_key="bench", audit_key="bench", demo_password="Demo@2026!")
    upgrade(url)
    use_head_file(url, data_dir)
    engine = engine_for(url)
    tree = load_region_tree(province)
    bulk.ingest(engine, "regions", tree.frame.select("code", "name", "level", "parent")
                .with_columns(base_data_locked=pl.lit(False)))
    villages = tree.descendants(tree.root, level=5).sort("code")
    pw = hash_password(settings.demo_password)
    with transaction(url) as s:
        for u in demo_users(settings, villages, None):
            s.add(User(password_hash=pw, **u))
    t0 = time.perf_counter()
    made = generate_credit(url, province, scale, TODAY, settings.demo_seed, settings.demo_county, log=log)
    made["generation_s"] = round(time.perf_counter() - t0, 1)
    with transaction(url) as s:
        s.merge(Setting(key="credit_bench", value=made))
    with engine.connect() as c:
        assert c.execute(select(Setting.value).where(Setting.key == "credit_bench")).scalar()
    return made


def cached(url: str) -> dict | None:
    from sqlalchemy import select

    from data.db import engine_for
    from data.models import Setting

    try:
        with engine_for(url).connect() as c:
            return c.execute(select(Setting.value).where(Setting.key == "credit_bench")).scalar()
    except Exception:  # no database yet
        return None


def median_ms(fn, n: int) -> float:
    times = []
    for _ in range(n):
        t = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t) * 1000)
    return statistics.median(times)


def bench_stats(url: str, province: int, county: int, n: int) -> list[tuple[str, float]]:
    from data.query import credit as qc
    from domain.permissions import Scope, role_perms

    root = province * 10**10
    bureau = Scope(root=root, perms=role_perms("forestry_bureau"), role="forestry_bureau")
    local = Scope(root=county, perms=role_perms("county_forestry"), role="county_forestry")
    t = time.perf_counter()
    qc.cubes(url, TODAY)
    rows = [("cubes: first load (s)", round(time.perf_counter() - t, 2))]
    for who, label in ((bureau, "province"), (local, "county")):
        for fn in (qc.kpis, qc.grades_by_region, qc.grades_by_kind, qc.records_by, qc.dishonest_by_severity):
            ms = median_ms(lambda fn=fn, who=who: fn(url, who, today=TODAY), n)
            rows.append((f"{fn.__name__} [{label}] (ms)", round(ms, 2)))
    return rows


def bench_portrait(url: str, n: int = 200) -> list[tuple[str, object]]:
    try:
        from data.credit.portrait import portrait
    except ImportError:
        log("data.credit.portrait.portrait not importable (lane B): portrait timing skipped")
        return [("portrait median (ms)", "skipped: no data.credit.portrait")]
    from sqlalchemy import text

    from data.db import engine_for
    from domain.permissions import Actor, Scope, role_perms

    with engine_for(url).connect() as c:
        bank, root, role = c.execute(text("SELECT id, region_code, role FROM users WHERE username = 'demo-bank'")).one()
        ids = [r[0] for r in c.execute(text(
            "SELECT subject_id FROM credit_authorisations WHERE institution = '合作金融机构' AND revoked_at IS NULL "
            "AND valid_until >= :d"), dict(d=TODAY.isoformat()))]
    who = Actor(user_id=bank, username="demo-bank", scope=Scope(root=int(root), perms=role_perms(role), user_id=bank,
                                                                 role=role))
    random.seed(15)
    pick = [random.choice(ids) for _ in range(n)]
    times = []
    for sid in pick:
        t = time.perf_counter()
        portrait(url, who, sid)
        times.append((time.perf_counter() - t) * 1000)
    return [("portrait median (ms)", round(statistics.median(times), 1)),
            ("portrait p95 (ms)", round(sorted(times)[int(len(times) * 0.95)], 1))]


def bench_evaluate(url: str) -> list[tuple[str, object]]:
    try:
        from data.credit.evaluate import reevaluate_all
    except ImportError:
        log("data.credit.evaluate.reevaluate_all not importable (lane A): re-evaluation skipped")
        return [("reevaluate_all (s)", "skipped: no data.credit.evaluate")]
    t = time.perf_counter()
    reevaluate_all(url, TODAY)
    return [("reevaluate_all (s)", round(time.perf_counter() - t, 1))]


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--province", type=int, default=22)
    ap.add_argument("--scale", default="province", choices=["test", "demo", "province"])
    ap.add_argument("--postgres", action="store_true", help="a scratch PostgreSQL server instead of SQLite")
    ap.add_argument("--rebuild", action="store_true")
    ap.add_argument("--repeat", type=int, default=21, help="calls per statistics query (the median is shown)")
    ap.add_argument("--no-evaluate", action="store_true", help="skip the whole-population re-evaluation")
    ap.add_argument("--json", type=Path, help="also write the figures as one JSON object (scripts/bench_report.py)")
    args = ap.parse_args(argv)
    tracemalloc.start()
    data_dir = ROOT / "var" / "bench_credit"
    data_dir.mkdir(parents=True, exist_ok=True)
    server = None
    if args.postgres:
        from tests.support.postgres import PostgresServer

        server = PostgresServer()
        server.start()
        url = server.create_database("bench_credit")
    else:
        path = data_dir / f"credit-{args.province}-{args.scale}.sqlite"
        if args.rebuild:
            for suffix in ("", "-wal", "-shm"):
                Path(f"{path}{suffix}").unlink(missing_ok=True)
        url = f"sqlite:///{path}"
    from settings import DEFAULT_DEMO_COUNTY

    made = None if args.rebuild and args.postgres else cached(url)
    if made is None:
        log(f"building the {args.scale} credit population of {args.province} at {url}")
        made = build(url, args.province, data_dir, args.scale)
    else:
        log("reusing the cached database (--rebuild to generate anew)")
        from data.db import upgrade

        upgrade(url)  # a database cached by an older checkout gets the newer migrations
    rows: list[tuple[str, object]] = [
        ("subjects", f"{made['subjects']:,}"), ("records", f"{made['records']:,}"),
        ("repayments", f"{made['repayments']:,}"), ("forest rights", f"{made['rights']:,}"),
        ("generation (s)", made.get("generation_s", made.get("seconds")))]
    rows += bench_stats(url, args.province, DEFAULT_DEMO_COUNTY.get(args.province, args.province * 10**10), args.repeat)
    rows += bench_portrait(url)
    if not args.no_evaluate:
        rows += bench_evaluate(url)
    _, peak = tracemalloc.get_traced_memory()
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux
    rows += [("peak Python allocations (MiB)", round(peak / 2**20, 1)), ("max RSS (MiB)", round(rss, 1))]
    width = max(len(k) for k, _ in rows)
    print(f"\nforestry credit benchmark ({'PostgreSQL' if args.postgres else 'SQLite'}, province {args.province}, "
          f"{os.cpu_count()} CPUs)")
    for k, v in rows:
        print(f"  {k:<{width}}  {v}")
    if args.json:
        args.json.write_text(json.dumps(dict(rows), ensure_ascii=False, indent=1, default=str))
    if server is not None:
        server.stop()


if __name__ == "__main__":
    main()
