"""Benchmark of the whole population's credit re-evaluation (`data.credit.evaluate.reevaluate_all`;
not part of the tests).

    python scripts/bench_credit_eval.py [SUBJECTS] [--db PATH]

1. Generates a scratch SQLite database (migrated to head) with SUBJECTS subjects (default 100,000)
   and about five records each (good, dishonest of every severity, loans with monthly repayments,
   some overdue, market records, basic registrations; seeded, so runs compare), unless --db names
   an existing one.
2. Runs `reevaluate_all` twice: the first run stores every subject (all changed), the second finds
   nothing changed. Prints one JSON line per run (count, changed, seconds, grades, CPU seconds of
   this process and its children) and the peak memory of this process and of the bulk reads'
   child processes (ru_maxrss).
"""
from __future__ import annotations

import datetime as dt
import json
import random
import resource
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from data.credit.evaluate import reevaluate_all  # noqa: E402
from data.db import upgrade  # noqa: E402
from domain.credit.codes import category_of  # noqa: E402
from domain.credit.publicity import publicity_end  # noqa: E402

AS_OF = dt.date(2026, 11, 22)
REGION = 360121001001
KINDS = ["basic"] * 20 + ["good"] * 10 + ["dishonest"] * 8 + ["loan"] * 20 + ["transfer"] * 10 + ["insurance"] * 8 \
    + ["subsidy"] * 14 + ["trade"] * 5 + ["service"] * 3 + ["list"] * 2


def generate(path: Path, subjects: int, seed: int = 2026) -> tuple[int, int]:
    url = f"sqlite:///{path}"
    upgrade(url)
    rng = random.Random(seed)
    now = dt.datetime(2026, 11, 22, 4, 0).isoformat(sep=" ")
    con = sqlite3.connect(path)
    con.execute("PRAGMA journal_mode=WAL")
    con.executemany(
        "INSERT INTO credit_subjects (id, region_code, kind, id_type, identifier, name, unrated, created_at, updated_at, "
        "version) VALUES (?, ?, 'natural', 'other', ?, ?, 1, ?, ?, 1)",
        ((i, REGION + i % 200, f"B{i:09d}", f"主体{i}", now, now) for i in range(1, subjects + 1)))
    recs, reps, rid = [], [], 0
    for s in range(1, subjects + 1):
        for _ in range(rng.choice((2, 3, 4, 5, 6, 7, 8))):
            rid += 1
            kind = rng.choice(KINDS)
            occ = AS_OF - dt.timedelta(days=rng.randint(0, 1800))
            sev = rng.choice(("minor", "ordinary", "ordinary", "serious")) if kind == "dishonest" else None
            sub = {"good": "commendation", "dishonest": "admin_penalty", "list": "model_coop"}.get(kind)
            recs.append((rid, s, REGION + s % 200, category_of(kind), kind, sub, "记录", sev, occ.isoformat(),
                         publicity_end(sev, occ).isoformat() if sev else None, "platform", "县林业局",
                         "active" if rng.random() < 0.97 else "withdrawn", now, now))
            if kind == "loan":
                for k in range(rng.randint(1, 12)):
                    due = occ + dt.timedelta(days=30 * (k + 1))
                    r = rng.random()
                    paid = None if (r < 0.03 or due > AS_OF) else due + dt.timedelta(days=rng.randint(1, 40) if r < 0.1 else 0)
                    reps.append((rid, REGION + s % 200, due.isoformat(), 500_000, paid.isoformat() if paid else None,
                                 500_000 if paid else 0))
    con.executemany(
        "INSERT INTO credit_records (id, subject_id, region_code, category, kind, subtype, title, severity, occurred_on, "
        "publicity_until, source, produced_by, status, open_class, share_class, masked, created_at, updated_at, version) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'none', 'none', 0, ?, ?, 1)", recs)
    con.executemany("INSERT INTO credit_repayments (record_id, region_code, due_on, due_fen, paid_on, paid_fen) "
                    "VALUES (?, ?, ?, ?, ?, ?)", reps)
    con.commit()
    con.close()
    return len(recs), len(reps)


def _cpu() -> float:
    """CPU seconds (user + system) of this process and its finished children: on a busy machine
    the wall time says more about the neighbours than about the work."""
    me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime


def main(argv: list[str]) -> int:
    subjects = int(argv[0]) if argv and argv[0].isdigit() else 100_000
    db = Path(argv[argv.index("--db") + 1]) if "--db" in argv else None
    tmp = None
    if db is None or not db.exists():
        if db is None:
            tmp = tempfile.TemporaryDirectory(prefix="bench-credit-")
            db = Path(tmp.name) / "credit.db"
        started = time.perf_counter()
        n_recs, n_reps = generate(db, subjects)
        print(json.dumps({"generated": {"subjects": subjects, "records": n_recs, "repayments": n_reps,
                                        "seconds": round(time.perf_counter() - started, 1)}}))
    url = f"sqlite:///{db}"
    for run in ("first", "again"):
        cpu = _cpu()
        out = reevaluate_all(url, AS_OF)
        print(json.dumps({"run": run, **out, "cpu_seconds": round(_cpu() - cpu, 2)}, ensure_ascii=False))
    self_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    child_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(json.dumps({"peak_rss_mb": {"process": round(self_mb), "bulk_read_child": round(child_mb)}}))
    if tmp:
        tmp.cleanup()
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
