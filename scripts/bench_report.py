"""One performance report (`make bench`; never part of the tests).

Runs every benchmark script on the province-scale data, each in its own process, gathers what
each writes or prints (JSON) and prints one report, written as one JSON (var/bench/report.json):

- the query layer next to pandas and DuckDB, and the app's start (scripts/bench.py);
- the browser: the cockpit's first render, each drill-down click and plotly's own redraw of the
  same figures in the same page, with the click ÷ redraw ratio (scripts/browser_bench.py);
- the full and an incremental warning run (scripts/bench_warnings.py);
- memory per gunicorn worker and in total with 1 and 4 workers (scripts/bench_memory.py, when there);
- the load test: 50 users for 60 s, p50/p95/p99 per action and the errors, and the drill-down
  idle vs during a full warning run (scripts/bench_load.py);
- once, not by province: imports (scripts/bench_import.py), the forestry credit statistics and
  portraits at a million subjects (scripts/bench_credit.py) and the price-index fit
  (scripts/bench_prices.py).

`--province 22 36` runs the per-province part on Jilin's (var/bench) and Jiangxi's (var/bench36)
data and adds the comparison: each figure at both scales, their ratio and that ratio divided by the
ratio of the work (villages 22,080 / 11,860 = 1.86; the ledger's lines beside it).

    .venv/bin/python scripts/bench_report.py                       # Jilin
    .venv/bin/python scripts/bench_report.py --province 22 36      # both, and the comparison
    .venv/bin/python scripts/bench_report.py --from var/bench/report.json   # print a stored report
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import re
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable
sys.path.insert(0, str(ROOT / "scripts"))

from report_format import comparison, render  # noqa: E402


def json_lines(text: str) -> list[dict]:
    out = []
    for line in text.splitlines():
        line = line.strip()
        if line.startswith("{") and line.endswith("}"):
            try:
                out.append(json.loads(line))
            except json.JSONDecodeError:
                pass
    return out


def run(name: str, cmd: list[str], env: dict, timeout_s: int, log_dir: Path) -> dict:
    """One benchmark script in its own process; its stdout's JSON lines, wall time and exit code."""
    print(f"[bench-report] {name}: {' '.join(cmd[1:])}", file=sys.stderr, flush=True)
    t = time.perf_counter()
    load0 = os.getloadavg()[0]
    try:
        p = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout_s)
        code, out, err = p.returncode, p.stdout, p.stderr
    except subprocess.TimeoutExpired as exc:
        code, out, err = "timeout", exc.stdout or "", exc.stderr or ""
        out, err = (out.decode() if isinstance(out, bytes) else out), (err.decode() if isinstance(err, bytes) else err)
    (log_dir / f"{name}.log").write_text(f"$ {' '.join(cmd)}\n--- stdout\n{out}\n--- stderr\n{err}")
    res = {"exit": code, "seconds": round(time.perf_counter() - t, 1),
           "load_1min": [round(load0, 2), round(os.getloadavg()[0], 2)], "lines": json_lines(out)}
    if code != 0:
        res["error_tail"] = (err or out)[-800:]
        print(f"[bench-report] {name} failed ({code}); see {log_dir / (name + '.log')}", file=sys.stderr, flush=True)
    return res


def read_json(path: Path):
    try:
        return json.loads(path.read_text())
    except (OSError, json.JSONDecodeError):
        return None


def dataset(data_dir: Path, province: int) -> dict:
    """The data set's facts: villages, ledger lines, file size, and how long its generation took
    (DATA_DIR/generation.json when the report generated it, else a generator log given)."""
    db = data_dir / f"platform-{province}.sqlite"
    facts: dict = {"data_dir": str(data_dir), "db_bytes": db.stat().st_size if db.exists() else None}
    try:
        con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
        row = con.execute("SELECT value FROM platform_settings WHERE key = 'dataset'").fetchone()
        con.close()
        meta = json.loads(row[0]) if row else {}
    except sqlite3.Error:
        meta = {}
    facts.update({k: meta.get(k) for k in ("villages", "ledger_lines", "generated_at", "today")})
    facts["credit_subjects"] = (meta.get("credit") or {}).get("subjects")
    gen = read_json(data_dir / "generation.json") or {}
    facts["generation_s"] = gen.get("seconds")
    return facts


def generation_from_log(path: Path) -> float | None:
    m = re.findall(r"演示数据已生成，用时 ([\d.]+) s", path.read_text(errors="replace")) if path.exists() else []
    return float(m[-1]) if m else None


def ensure_data(data_dir: Path, province: int, env: dict) -> None:
    """Generates the province-scale data set when the directory has none (timed, kept in
    DATA_DIR/generation.json)."""
    if (data_dir / f"platform-{province}.sqlite").exists():
        return
    print(f"[bench-report] generating the province data set of {province} into {data_dir} …", file=sys.stderr, flush=True)
    t = time.perf_counter()
    subprocess.run([PY, "-m", "data.demo", "--scale", "province"], cwd=ROOT, env=env, check=True)
    (data_dir / "generation.json").write_text(json.dumps({"seconds": round(time.perf_counter() - t, 1)}))


def per_province(province: int, data_dir: Path, args, log_dir: Path) -> dict:
    env = dict(os.environ, DATA_DIR=str(data_dir), PROVINCE=str(province), DEMO_SCALE="province",
               WARNING_SCHEDULE_S="0", BACKUP_SCHEDULE="", PYTHONPATH=str(ROOT))
    env.pop("DATABASE_URL", None)
    ensure_data(data_dir, province, env)
    out: dict = {"dataset": dataset(data_dir, province)}
    gen_log = dict(args.gen_log or []).get(str(province))
    if out["dataset"]["generation_s"] is None and gen_log:
        out["dataset"]["generation_s"] = generation_from_log(Path(gen_log))
    tag = f"p{province}"
    skip = set(args.skip or [])
    if "queries" not in skip:
        out["queries"] = run(f"{tag}-queries", [PY, "scripts/bench.py"], env, 3600, log_dir)
    if "browser" not in skip:
        f = log_dir / f"{tag}-browser.json"
        out["browser"] = run(f"{tag}-browser", [PY, "scripts/browser_bench.py", "--out", str(f)], env, 1800, log_dir)
        out["browser"]["result"] = read_json(f)
    if "warnings" not in skip:
        out["warnings"] = run(f"{tag}-warnings", [PY, "scripts/bench_warnings.py"], env, 1800, log_dir)
    if "memory" not in skip and (ROOT / "scripts" / "bench_memory.py").exists():
        out["memory"] = run(f"{tag}-memory", [PY, "scripts/bench_memory.py"], env, 1800, log_dir)
        out["memory"]["result"] = read_json(data_dir / "memory.json") or read_json(ROOT / "var" / "bench" / "memory.json")
    if "load" not in skip:
        f = log_dir / f"{tag}-load.json"
        cmd = [PY, "scripts/bench_load.py", "--province", str(province), "--source", str(data_dir), "--out", str(f)]
        if args.load_in_place:
            cmd += ["--work-dir", str(data_dir), "--reuse-copy"]
        out["load"] = run(f"{tag}-load", cmd, env, 1800, log_dir)
        out["load"]["result"] = read_json(f)
    return out


def once(args, log_dir: Path) -> dict:
    env = dict(os.environ, PYTHONPATH=str(ROOT), WARNING_SCHEDULE_S="0", BACKUP_SCHEDULE="")
    skip = set(args.skip or [])
    out: dict = {}
    if "imports" not in skip:
        out["imports"] = run("imports", [PY, "scripts/bench_import.py", *(["--postgres"] if args.postgres else [])], env,
                             1800, log_dir)
    if "credit" not in skip:
        f = log_dir / "credit.json"
        out["credit"] = run("credit", [PY, "scripts/bench_credit.py", "--json", str(f)], env, 3600, log_dir)
        out["credit"]["result"] = read_json(f)
    if "prices" not in skip:
        out["prices"] = run("prices", [PY, "scripts/bench_prices.py", "--no-scales"], env, 3600, log_dir)
        out["prices"]["result"] = read_json(ROOT / "var" / "bench" / "prices.json")
    return out


def merged(reports: list[dict]) -> dict:
    """Several stored reports as one: the provinces and the once-only part of each, the comparison
    computed again, the times and loads of every run kept."""
    out = dict(reports[0], provinces={}, once={}, runs=[])
    for r in reports:
        out["provinces"].update(r.get("provinces") or {})
        out["once"].update(r.get("once") or {})
        out["runs"].append({k: r.get(k) for k in ("started_at", "total_s", "load_at_start", "load_at_end", "log_dir")})
    out["total_s"] = round(sum(r.get("total_s") or 0 for r in reports), 1)
    out["load_at_end"] = reports[-1].get("load_at_end")
    if len(out["provinces"]) > 1:
        out["comparison"] = comparison(out, list(out["provinces"])[:2])
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description="one performance report")
    ap.add_argument("--province", type=int, nargs="*", default=[22], help="none: only the part run once")
    ap.add_argument("--data-dir", nargs="*", metavar="PROVINCE=DIR", default=[],
                    help="the province data directories (default var/bench for 22, var/bench36 for 36)")
    ap.add_argument("--gen-log", nargs="*", type=lambda s: tuple(s.split("=", 1)), metavar="PROVINCE=LOG",
                    help="a generator log to read the generation time from")
    ap.add_argument("--skip", nargs="*", choices=["queries", "browser", "warnings", "memory", "load", "imports", "credit",
                                                  "prices"])
    ap.add_argument("--postgres", action="store_true", help="the imports also on PostgreSQL")
    ap.add_argument("--load-in-place", action="store_true",
                    help="the load test writes into the data directory itself (it is a copy) instead of a copy of it")
    ap.add_argument("--out", type=Path, default=ROOT / "var" / "bench" / "report.json")
    ap.add_argument("--from", dest="stored", type=Path, nargs="+",
                    help="print stored reports (several: merged, e.g. a per-province run and a run of the rest; "
                         "written to --out) instead of running")
    args = ap.parse_args()
    if args.stored:
        report = merged([json.loads(p.read_text()) for p in args.stored])
        if len(args.stored) > 1:
            args.out.write_text(json.dumps(report, ensure_ascii=False, indent=1))
        print(render(report))
        return
    dirs = {int(k): Path(v) for k, v in (d.split("=", 1) for d in args.data_dir)}
    t0 = time.perf_counter()
    report: dict = {"started_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"), "cores": os.cpu_count(),
                    "load_at_start": [round(x, 2) for x in os.getloadavg()], "provinces": {}}
    log_dir = Path(tempfile.mkdtemp(prefix="bench-report-", dir=ROOT / "var")) if (ROOT / "var").exists() else \
        Path(tempfile.mkdtemp(prefix="bench-report-"))
    report["log_dir"] = str(log_dir)
    for province in args.province:
        default = ROOT / "var" / ("bench" if province == 22 else f"bench{province}")
        report["provinces"][str(province)] = per_province(province, dirs.get(province, default), args, log_dir)
    report["once"] = once(args, log_dir)
    if len(args.province) > 1:
        report["comparison"] = comparison(report, [str(p) for p in args.province[:2]])
    report["load_at_end"] = [round(x, 2) for x in os.getloadavg()]
    report["total_s"] = round(time.perf_counter() - t0, 1)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, ensure_ascii=False, indent=1))
    print(render(report))
    print(f"\nreport written to {args.out} ({report['total_s']:.0f} s in all)")


if __name__ == "__main__":
    main()
