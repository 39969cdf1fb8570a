"""Benchmark: grid reads while the platform writes (`make bench`, after scripts/bench_warnings.py;
not part of the tests). Issue 11 item 3: reads do not queue behind writes.

On a copy of the database (DATA_DIR, default var/bench, the province data set of `make bench`,
generated when missing; any smaller DATA_DIR works too, e.g. one made with
`DATA_DIR=/tmp/d .venv/bin/python -m data.demo --scale demo`):

- the writes: a process runs the warning engine (`data.supervision.engine.run(..., kind="full")`) over
  the copy with its stored warnings and their events deleted first, so that every run really
  inserts all of them (the generator's first run: at province scale ~9,400 warnings and ~19,000
  events in one IMMEDIATE transaction); on a data set where one run is short it deletes and runs
  again until `--min-seconds`. Beside it another process posts manual vouchers as the township
  accountant (`data.funds.vouchers.post_voucher`, one short write transaction every `--post-interval-ms`,
  default 100 ms, round robin over the township's organisations): the day-to-day writes.
- the reads, in this process while the writes last: the township accountant's grids
  (`data.contracts.list_contracts`, `data.assets.list_assets`, `data.funds.requests.list_requests`, in turn),
  each read twice, in alternating order, through the OLD path (the same function with its
  session begun by `transaction()`, BEGIN IMMEDIATE, as before issue 11) and the NEW one
  (`reading()`, deferred and read-only). A read that gives up (`database is locked`, after the
  30 s busy timeout) counts as an error.

Prints one JSON line: the data size, the writes done, p50/p95/max latency (ms) of each path while
the writes ran (and a few quiet reads before them), and old/new ratios. Every loop is bounded in
count and time; the copy is removed at the end (`--keep` keeps it). SQLite only: on PostgreSQL
readers never wait for writers.

    .venv/bin/python scripts/bench_reads.py                  # var/bench
    DATA_DIR=/tmp/reads-demo .venv/bin/python scripts/bench_reads.py --min-seconds 60
"""
from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import importlib
import json
import math
import multiprocessing as mp
import os
import shutil
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DATA_DIR", str(ROOT / "var" / "bench"))
os.environ.setdefault("DEMO_SCALE", "province")

#: (label, module, function(url, actor)) of the grids read
GRIDS = (("contracts", "data.contracts", "list_contracts"), ("assets", "data.assets", "list_assets"),
         ("funds", "data.funds.requests", "list_requests"))
READER = "demo-township"  # 乡镇代理会计: reads these grids and posts vouchers
QUIET_READS = 3  # per grid and path, before the writes start


def _log(msg: str) -> None:
    print(f"[bench-reads] {msg}", file=sys.stderr, flush=True)


def _path(url: str) -> Path:
    return Path(url.split("///", 1)[1])


def copy_database(src: Path, dst: Path) -> None:
    """A consistent copy: checkpoint the WAL into the file and copy it; if a writer keeps the WAL
    busy, SQLite's online backup instead."""
    con = sqlite3.connect(src)
    try:
        busy, _, _ = con.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
        wal = Path(f"{src}-wal")
        if not busy and (not wal.exists() or wal.stat().st_size == 0):
            shutil.copyfile(src, dst)
        else:
            out = sqlite3.connect(dst)
            try:
                con.backup(out)
            finally:
                out.close()
    finally:
        con.close()
    con = sqlite3.connect(dst)
    try:
        con.execute("PRAGMA journal_mode=WAL")
    finally:
        con.close()


def delete_warnings(url: str) -> int:
    """Empty the warning tables (and the warning events' files) so the next full run inserts every
    warning again. Returns how many warnings there were."""
    from sqlalchemy import delete, func, select

    from data.db import transaction
    from data.models import Attachment, Warning, WarningEvent

    with transaction(url) as s:
        n = s.scalar(select(func.count()).select_from(Warning))
        s.execute(delete(Attachment).where(Attachment.owner_type == "warning_event"))
        s.execute(delete(WarningEvent))
        s.execute(delete(Warning))
    return int(n or 0)


def make_actor(url: str, username: str):
    from sqlalchemy import select

    from data.admin.accounts import Actor
    from data.db import reading
    from data.models import User
    from domain.permissions import Scope, role_perms

    with reading(url) as s:
        u = s.scalar(select(User).where(User.username == username))
        if u is None:
            raise SystemExit(f"no user {username!r} in the data set")
        return Actor(user_id=u.id, username=u.username, ip="127.0.0.1",
                     scope=Scope(root=int(u.region_code), perms=role_perms(u.role), user_id=u.id, role=u.role))


# ------------------------------------------------------------------ the writers (child processes)

def engine_loop(url: str, key: str, today: str, data_dir: str, min_seconds: float, max_runs: int,
                max_seconds: float, first_deleted: int, out) -> None:
    """Full runs of the warning engine over emptied warning tables until `min_seconds` (at most
    `max_runs` runs, none started after `max_seconds`)."""
    from data.supervision import engine as warning_engine

    t0 = time.perf_counter()
    runs = []
    try:
        for i in range(max_runs):
            deleted = first_deleted if i == 0 else delete_warnings(url)
            t = time.perf_counter()
            summary = warning_engine.run(url, key, today=dt.date.fromisoformat(today), kind="full",
                                         data_dir=Path(data_dir))
            runs.append({"seconds": round(time.perf_counter() - t, 2), "deleted_before": deleted,
                         "raised": summary["raised"], "write_s": summary["timings"].get("write_s"),
                         "read_s": summary["timings"].get("read_s"), "ended_at": time.time()})
            elapsed = time.perf_counter() - t0
            if elapsed >= min_seconds or elapsed >= max_seconds:
                break
        out.put({"runs": runs})
    except Exception as exc:  # reported, not raised: the reader must stop either way
        out.put({"runs": runs, "error": f"{type(exc).__name__}: {exc}"[:500]})


def poster_loop(url: str, key: str, username: str, today: str, interval_ms: int, max_posts: int,
                max_seconds: float, stop, out) -> None:
    """Manual vouchers of the township's organisations, one every `interval_ms`, until `stop`."""
    from sqlalchemy import select

    from data.admin.accounts import AccountError
    from data.db import reading
    from data.models import BankAccount
    from data.funds.books import orgs as org_rows
    from data.funds.vouchers import post_voucher
    from domain.funds import vouchers as rules

    day = dt.date.fromisoformat(today)
    who = make_actor(url, username)
    orgs = [o["id"] for o in org_rows(url, who)]
    with reading(url) as s:
        banks = {b.org_id: b.id for b in s.scalars(select(BankAccount).where(
            BankAccount.org_id.in_(orgs), BankAccount.kind == "bank").order_by(BankAccount.id.desc()))}
    targets = [(o, banks[o]) for o in orgs if o in banks]
    posted, refused, failed, took = 0, 0, 0, []
    t0 = time.perf_counter()
    for i in range(max_posts):
        if stop.is_set() or time.perf_counter() - t0 > max_seconds or not targets:
            break
        org_id, bank_id = targets[i % len(targets)]
        draft = rules.VoucherDraft(date=day, summary="支付村部电费（性能测试）", lines=(
            rules.LineDraft("513", f"{100 + i % 900}.00", ""),
            rules.LineDraft(f"102:{bank_id}", "", f"{100 + i % 900}.00")))
        t = time.perf_counter()
        try:
            post_voucher(url, key, who, org_id, draft, day)
            posted += 1
        except AccountError:
            refused += 1  # e.g. a closed month: a refusal is a (short) write transaction too
        except Exception:  # counted: the bench goes on
            failed += 1
        took.append(time.perf_counter() - t)
        stop.wait(interval_ms / 1000)
    out.put({"posted": posted, "refused": refused, "failed": failed, "organisations": len(targets),
             "post_ms_p50": round(_pct(took, 0.5) * 1000, 1) if took else None})


# ------------------------------------------------------------------ the reader (this process)

def _pct(xs: list[float], q: float) -> float:
    s = sorted(xs)
    return s[max(0, min(len(s) - 1, math.ceil(q * len(s)) - 1))]


def _stats(xs: list[float], errors: int) -> dict:
    if not xs:
        return {"n": 0, "errors": errors}
    return {"n": len(xs), "errors": errors, "p50_ms": round(_pct(xs, 0.5) * 1000, 2),
            "p95_ms": round(_pct(xs, 0.95) * 1000, 2), "max_ms": round(max(xs) * 1000, 2)}


def _result(q, timeout: float) -> dict:
    import queue

    try:
        return q.get(timeout=timeout)
    except queue.Empty:
        return {"error": "no result"}


class Paths:
    """Reads one grid through the old or the new path: the same function, its module's `reading`
    swapped for `transaction()` (BEGIN IMMEDIATE) on the old path."""

    def __init__(self, url: str, who):
        from data import db

        self.url, self.who, self.db = url, who, db
        self.grids = [(label, importlib.import_module(mod), fn) for label, mod, fn in GRIDS]

    def read(self, grid: int, path: str) -> tuple[float, bool]:
        from sqlalchemy.exc import OperationalError

        _, mod, fn = self.grids[grid]
        mod.reading = self._old if path == "old" else self.db.reading
        t = time.perf_counter()
        try:
            getattr(mod, fn)(self.url, self.who)
            ok = True
        except OperationalError:  # database is locked: gave up after the busy timeout
            ok = False
        finally:
            mod.reading = self.db.reading
        return time.perf_counter() - t, ok

    def _old(self, url: str):
        return self.db.transaction(url)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--min-seconds", type=float, default=20.0, help="keep the engine running at least this long")
    ap.add_argument("--max-seconds", type=float, default=900.0, help="hard bound of the measured phase")
    ap.add_argument("--max-runs", type=int, default=50)
    ap.add_argument("--max-reads", type=int, default=20000, help="at most this many reads per path")
    ap.add_argument("--post-interval-ms", type=int, default=100)
    ap.add_argument("--keep", action="store_true", help="keep the copy of the database")
    args = ap.parse_args()

    from settings import Settings

    settings = Settings.from_env()
    if not settings.is_sqlite:
        raise SystemExit("bench_reads measures SQLite's write lock; on PostgreSQL readers never wait for writers")
    from data.demo import has_data

    if not has_data(settings):
        _log(f"generating {settings.demo_scale} data into {settings.database_url} …")
        subprocess.run([sys.executable, "-m", "data.demo", "--scale", settings.demo_scale], check=True, cwd=ROOT)
    meta = has_data(settings)
    today = meta.get("today") or dt.date.today().isoformat()
    from data.db import engine_for

    engine_for(settings.database_url).dispose()

    src = _path(settings.database_url)
    scratch = settings.data_dir / "bench-reads"
    shutil.rmtree(scratch, ignore_errors=True)
    scratch.mkdir(parents=True)
    need, free = src.stat().st_size, shutil.disk_usage(scratch).free
    if free < need * 1.2:
        raise SystemExit(f"not enough disk for the copy: {need / 1e9:.1f} GB needed, {free / 1e9:.1f} GB free")
    copy = scratch / src.name
    t = time.perf_counter()
    copy_database(src, copy)
    _log(f"copied {need / 1e9:.2f} GB in {time.perf_counter() - t:.1f}s")
    work = dataclasses.replace(settings, database_url=f"sqlite:///{copy}", data_dir=scratch)
    url = work.database_url
    try:
        deleted = delete_warnings(url)
        who = make_actor(url, READER)
        paths = Paths(url, who)
        quiet = {"old": [], "new": []}
        for grid in range(len(GRIDS)):
            paths.read(grid, "new")  # warm the page cache and the pool
            for _ in range(QUIET_READS):
                for path in ("old", "new"):
                    quiet[path].append(paths.read(grid, path)[0])

        ctx = mp.get_context("spawn")
        out_engine, out_poster, stop = ctx.Queue(), ctx.Queue(), ctx.Event()
        engine = ctx.Process(target=engine_loop, name="bench-engine", args=(
            url, work.audit_key, today, str(scratch), args.min_seconds, args.max_runs, args.max_seconds, deleted,
            out_engine))
        poster = ctx.Process(target=poster_loop, name="bench-poster", args=(
            url, work.audit_key, READER, today, args.post_interval_ms, 100_000, args.max_seconds + 60, stop,
            out_poster))
        _log(f"{deleted:,} warnings deleted; engine runs (≥ {args.min_seconds:.0f}s) and postings every "
             f"{args.post_interval_ms} ms while {READER} reads {', '.join(g[0] for g in GRIDS)} …")
        poster.start()
        engine.start()
        lat = {"old": [], "new": []}
        errors = {"old": 0, "new": 0}
        per_grid = {g[0]: {"old": [], "new": []} for g in GRIDS}
        timeline = []  # (wall-clock start, path, seconds) of every read that answered
        t0 = time.perf_counter()
        i = 0
        try:
            while engine.is_alive() and i < args.max_reads and time.perf_counter() - t0 < args.max_seconds:
                grid = i % len(GRIDS)
                for path in (("old", "new") if i % 2 == 0 else ("new", "old")):
                    started = time.time()
                    took, ok = paths.read(grid, path)
                    if ok:
                        lat[path].append(took)
                        per_grid[GRIDS[grid][0]][path].append(took)
                        timeline.append((started, path, took))
                    else:
                        errors[path] += 1
                i += 1
            measured_s = time.perf_counter() - t0
        finally:  # results first (a child exits once its result is read), then the children
            engine_result = _result(out_engine, max(10.0, args.max_seconds - (time.perf_counter() - t0)))
            stop.set()
            poster_result = _result(out_poster, 120)
            for p in (engine, poster):
                p.join(timeout=30)
                if p.is_alive():
                    p.terminate()
                    p.join(timeout=10)

        old, new = _stats(lat["old"], errors["old"]), _stats(lat["new"], errors["new"])
        # the reads that overlapped the engine's write transaction (about the last `write_s` of a run)
        windows = [(r["ended_at"] - r["write_s"], r["ended_at"]) for r in engine_result.get("runs", [])
                   if r.get("write_s") is not None]
        during = {p: [took for started, path, took in timeline if path == p
                      and any(started < hi and started + took > lo for lo, hi in windows)] for p in ("old", "new")}
        for r in engine_result.get("runs", []):
            r.pop("ended_at", None)
        ratio = {k: round(old[k] / new[k], 1) for k in ("p50_ms", "p95_ms", "max_ms") if new.get(k) and old.get(k)}
        print(json.dumps({
            "bench": "grid reads during writes", "data_dir": str(settings.data_dir), "scale": meta.get("scale"),
            "villages": meta.get("villages"), "ledger_lines": meta.get("ledger_lines"),
            "db_gb": round(need / 1e9, 2), "reader": READER, "grids": [g[0] for g in GRIDS],
            "writes": {"warning_runs": engine_result, "postings": poster_result,
                       "post_interval_ms": args.post_interval_ms},
            "measured_s": round(measured_s, 1),
            "quiet": {"old": _stats(quiet["old"], 0), "new": _stats(quiet["new"], 0)},
            "old_immediate": old, "new_reading": new, "ratio_old_over_new": ratio,
            "during_engine_write": {p: _stats(v, 0) for p, v in during.items()},
            "per_grid_p95_ms": {g: {p: round(_pct(v[p], 0.95) * 1000, 1) if v[p] else None for p in v}
                                for g, v in per_grid.items()},
        }, ensure_ascii=False), flush=True)
    finally:
        from data.db import engine_for

        engine_for(url).dispose()
        if not args.keep:
            shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    main()
