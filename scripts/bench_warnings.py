"""Benchmark of the warning engine at province scale (`make bench`, after scripts/bench.py; not
part of the tests).

Uses the province-scale database of `make bench` (DATA_DIR, default var/bench; generated when
missing). The generator already ran the engine once at its end (that first run, which inserts
every warning, is recorded in `warning_runs` and printed here); this script then times, in a fresh
process, full runs (every read, every rule, the comparison with what is stored) side by side:
reading the whole ledger (as before the engine kept its ledger copy), the first run with the
copy (which writes it) and the next one (copy + delta; data/supervision/ledger_cache.py) — and
an incremental run over one village (what follows a write). var/bench/warnings.json keeps the
full runs. It prints one JSON line per run with the
wall time, the phase timings, the findings per rule and the process's peak memory.

    .venv/bin/python scripts/bench_warnings.py            # var/bench
    DATA_DIR=var/other .venv/bin/python scripts/bench_warnings.py
"""
from __future__ import annotations

import datetime as dt
import json
import os
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DATA_DIR", str(ROOT / "var" / "bench"))
os.environ.setdefault("DEMO_SCALE", "province")

from sqlalchemy import func, select  # noqa: E402

from data.db import engine_for  # noqa: E402
from data.demo import has_data  # noqa: E402
from data.models import Warning, WarningRun  # noqa: E402
from domain import clock  # noqa: E402
from settings import Settings  # noqa: E402

#: a full run over the province must finish within this (the issue's target, 2-core machine)
TARGET_S = 30


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    settings = Settings.from_env()
    if not has_data(settings):
        print(f"[bench-warnings] generating province data into {settings.database_url} …", file=sys.stderr, flush=True)
        subprocess.run([sys.executable, "-m", "data.demo", "--scale", "province"], check=True, cwd=ROOT)
    meta = has_data(settings)
    today = dt.date.fromisoformat(meta["today"]) if meta and meta.get("today") else clock.today()
    from data.supervision import engine as warning_engine

    from sqlalchemy.orm import Session

    with Session(engine_for(settings.database_url)) as s:
        first = s.scalar(select(WarningRun).order_by(WarningRun.id).limit(1))
        stored = s.scalar(select(func.count()).select_from(Warning))
        village = s.scalar(select(Warning.region_code).order_by(Warning.id).limit(1))
    if first is not None:
        print(json.dumps({"run": "first (at generation)", "seconds": round(first.duration_ms / 1000, 2),
                          "raised": first.raised, "findings": first.findings,
                          "timings": (first.detail or {}).get("timings"),
                          "per_rule": {k: v["found"] for k, v in (first.detail or {}).get("per_rule", {}).items()}},
                         ensure_ascii=False), flush=True)
    print(f"[bench-warnings] {stored:,} warnings stored; full run on {today} …", file=sys.stderr, flush=True)
    engine_for(settings.database_url).dispose()
    from data.supervision import ledger_cache

    shutil.rmtree(ledger_cache.directory(settings.data_dir, settings.database_url), ignore_errors=True)
    runs = {}
    # the same full run side by side in this process (the same page cache), with the machine's
    # load: reading the whole ledger as before; with the engine's ledger copy the first time
    # (it reads the whole ledger and writes the copy); and the next time (the copy + the delta)
    for label, copy in (("before: whole ledger read", False), ("after, first run: copy written", True),
                        ("after: copy + delta", True)):
        load = os.getloadavg()[0]
        t = time.perf_counter()
        full = warning_engine.run(settings.database_url, settings.audit_key, today=today, kind="full",
                                  data_dir=settings.data_dir, ledger_copy=copy)
        full_s = time.perf_counter() - t
        runs[label] = {"seconds": round(full_s, 2), "load_1min": round(load, 2),
                       "timings": {k: v for k, v in full["timings"].items() if k != "rules_ms"}}
        print(json.dumps({"run": f"full ({label})", "seconds": round(full_s, 2), "target_s": TARGET_S,
                          "within_target": full_s < TARGET_S, "load_1min_before": round(load, 2),
                          "findings": full["findings"], "raised": full["raised"], "resolved": full["resolved"],
                          "timings": full["timings"], "per_rule": {k: v["found"] for k, v in full["per_rule"].items()},
                          "peak_rss_mb": round(peak_rss_mb(), 1)}, ensure_ascii=False), flush=True)
    out = Path(settings.data_dir) / "warnings.json"
    out.write_text(json.dumps({"full_runs": runs, "cores": os.cpu_count(), "target_s": TARGET_S},
                              ensure_ascii=False, indent=1))
    print(f"[bench-warnings] wrote {out}", file=sys.stderr, flush=True)
    if village:
        t = time.perf_counter()
        inc = warning_engine.run(settings.database_url, settings.audit_key, today=today, kind="incremental",
                                 region_root=int(village), data_dir=settings.data_dir)
        print(json.dumps({"run": "incremental (one village)", "region": int(village),
                          "seconds": round(time.perf_counter() - t, 3), "findings": inc["findings"],
                          "timings": {k: v for k, v in inc["timings"].items() if k != "rules_ms"}},
                         ensure_ascii=False), flush=True)


if __name__ == "__main__":
    main()
