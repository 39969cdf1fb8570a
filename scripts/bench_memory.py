"""Benchmark: memory of the web workers with one and with four workers on the province data
(`make bench`; not part of the tests). Issue 17: memory with 4 workers ≤ 1.5 × one worker's.

On a copy of the province database (`--source`, default var/bench: the `province` scale of
`make bench`; the copy goes to `--data-dir`, default var/bench/memory-<province>, made once and
reused; sign-ins write to it, the source is only read), for each worker count (`--workers`, default
1,4) it starts what `make serve` starts — gunicorn with server/gunicorn_conf.py and
server.wsgi:application, JOBS_IN_PROCESS=0, no schedules — waits for /health, then signs in as the
province leader (demo-province) from `--clients` threads and loads the cockpit the way a browser
does: the page, _dash-layout, _dash-dependencies and the cockpit's two callbacks (numbers and
charts) for the province and each city (a drill-down), then, signed in as the province's forestry
bureau (demo-forestry), the credit statistics page and the price index page (the page and its
index and cost callbacks for the province), `--rounds` times, every request on a new
connection so that every worker answers some. Then it reads each process's memory with psutil
(`memory_full_info()`: PSS, USS, RSS) and /proc/<pid>/smaps (the PSS of the mapped columnar files,
the private anonymous memory) and stops the server.

PSS, not RSS, is the figure: a page shared by four workers counts a quarter in each, so the sum of
PSS over the master and the workers is what the server takes. Prints and writes one JSON
(`--out`, default var/bench/memory.json): per process and in total for each worker count, when
idle (once the workers' CPU is quiet, their warm-ups done; at most `--settle-seconds`) and after
the load (quiet again), the ratio
total(4) ÷ total(1), the load average, the columnar copy's size and the start times.

    .venv/bin/python scripts/bench_memory.py                       # Jilin, var/bench
    .venv/bin/python scripts/bench_memory.py --province 36 --source var/bench36
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import psutil
import requests

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from data.query import columnar, snapshot  # noqa: E402
from data.regions import load_region_tree  # noqa: E402
from settings import DEFAULT_DEMO_PASSWORD, Settings  # noqa: E402

#: Dash's ids of the cockpit's two callbacks (callbacks/cockpit.py: render, charts); input url.hash
COCKPIT = ("..cockpit-breadcrumb.children...cockpit-kpis-html.data...children-table.rowData...cockpit-children-title.children..."
           "cockpit-children-note.children...cockpit-warnings-html.data..")
CHARTS = "..cockpit-trend.figure...cockpit-map.figure...cockpit-map-codes.data...cockpit-topbottom.figure.."
MB = 1024 * 1024


def multi(*pairs: tuple[str, str]) -> str:
    """Dash's id of a callback with several outputs: `..a.x...b.y..`."""
    return ".." + "...".join(f"{i}.{p}" for i, p in pairs) + ".."


#: the credit statistics page's callback (callbacks/credit_stats/stats.py load; input url.hash)
CREDIT = multi(("cst-breadcrumb", "children"), ("cst-asof", "children"), ("cst-kpis", "children"),
               ("cst-grade-region", "figure"), ("cst-grade-kind", "figure"), ("cst-records", "figure"),
               ("cst-dishonest", "figure"), ("cst-table", "rowData"), ("cst-empty", "children"),
               ("cst-up", "disabled"), ("cst-up", "href"))
#: the price index page's two callbacks (callbacks/prices/index.py load and cost) for the caller's root
PRICES = multi(("prc-kpis", "children"), ("prc-index", "figure"), ("prc-note", "children"), ("prc-table", "rowData"),
               ("prc-methods", "figure"), ("prc-methods-table", "rowData"), ("prc-coef", "rowData"),
               ("prc-fit", "children"), ("prc-empty", "children"), ("prc-asof", "children"))
COSTS = multi(("prc-cost", "figure"), ("prc-cost-items", "rowData"), ("prc-cost-note", "children"))


def page_calls(root: int) -> list[tuple[str, str, list[dict]]]:
    """(path of the page, callback output, its inputs) of the credit statistics and price index pages."""
    def inp(i, p, v):
        return {"id": i, "property": p, "value": v}
    return [("/credit/stats", CREDIT, [inp("url", "hash", "")]),
            ("/prices", PRICES, [inp("prc-region", "value", root), inp("prc-forest-type", "value", None),
                                 inp("prc-period", "value", "quarter"), inp("prc-method", "value", "hedonic"),
                                 inp("prc-form", "active_tab", "fixed")]),
            ("/prices", COSTS, [inp("prc-region", "value", root), inp("prc-cost-base", "value", None)])]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def prepare(source: Path, data_dir: Path, province: int) -> Settings:
    """The copy of the source database (made once), its keys, and the source's Parquet snapshot
    under the copy's name (so the first columnar copy is converted, not rebuilt from the ledger)."""
    data_dir.mkdir(parents=True, exist_ok=True)
    name = f"platform-{province}.sqlite"
    src, dst = source / name, data_dir / name
    if not dst.exists():
        print(f"[memory] copying {src} → {dst} …", flush=True)
        for suffix in ("", "-wal"):
            if (src.parent / (name + suffix)).exists():
                subprocess.run(["cp", "--reflink=auto", str(src) + suffix, str(dst) + suffix], check=True)
    for key in (".secret_key", ".audit_key"):
        if (source / key).exists() and not (data_dir / key).exists():
            shutil.copy2(source / key, data_dir / key)
    settings = Settings(province=province, database_url=f"sqlite:///{dst}", data_dir=data_dir)
    src_snap = snapshot.directory(source / "snapshots", f"sqlite:///{src.resolve()}")
    if not src_snap.exists():
        src_snap = snapshot.directory(source / "snapshots", f"sqlite:///{src}")
    dst_snap = snapshot.directory(settings.snapshot_dir, settings.database_url)
    if src_snap.exists() and not dst_snap.exists():
        shutil.copytree(src_snap, dst_snap)
    return settings


def smaps(pid: int) -> dict:
    """PSS of the mapped columnar files, private anonymous and private file-backed memory (MB), and
    the private memory by kind of mapping (`private_by`: heap, anonymous, each shared library's
    name, the columnar files, other files), largest first: where a worker's own memory is."""
    out = {"columnar_pss": 0, "anon_private": 0, "file_private": 0}
    by: dict[str, int] = {}
    current, is_arrow, is_anon, kind = None, False, False, ""
    try:
        with open(f"/proc/{pid}/smaps") as fh:
            for line in fh:
                head = line.split()
                if not head:
                    continue
                if "-" in head[0] and len(head) >= 5 and not head[0].endswith(":"):
                    current = head[5] if len(head) > 5 else ""
                    is_arrow = current.endswith(".arrow")
                    is_anon = current == "" or current.startswith(("[heap", "[anon"))
                    kind = ("heap" if current == "[heap]" else "anonymous" if is_anon else "columnar" if is_arrow
                            else Path(current).name if ".so" in current else "other files")
                elif head[0] == "Pss:" and is_arrow:
                    out["columnar_pss"] += int(head[1])
                elif head[0] in ("Private_Clean:", "Private_Dirty:"):
                    out["anon_private" if is_anon else "file_private"] += int(head[1])
                    by[kind] = by.get(kind, 0) + int(head[1])
    except OSError:
        pass
    top = sorted(by.items(), key=lambda kv: -kv[1])[:8]
    return {**{k: round(v / 1024, 1) for k, v in out.items()},
            "private_by": {k: round(v / 1024, 1) for k, v in top if v >= 1024}}


def memory(master: int) -> dict:
    procs = [psutil.Process(master), *psutil.Process(master).children()]
    rows = []
    for p in procs:
        m = p.memory_full_info()
        rows.append({"pid": p.pid, "role": "master" if p.pid == master else "worker", "pss_mb": round(m.pss / MB, 1),
                     "uss_mb": round(m.uss / MB, 1), "rss_mb": round(m.rss / MB, 1), **smaps(p.pid)})
    workers = [r for r in rows if r["role"] == "worker"]
    return {"processes": rows, "total_pss_mb": round(sum(r["pss_mb"] for r in rows), 1),
            "total_uss_mb": round(sum(r["uss_mb"] for r in rows), 1),
            "total_rss_mb": round(sum(r["rss_mb"] for r in rows), 1),
            "workers_pss_mb": round(sum(r["pss_mb"] for r in workers), 1),
            "worker_pss_mb_mean": round(sum(r["pss_mb"] for r in workers) / max(1, len(workers)), 1),
            "worker_uss_mb_mean": round(sum(r["uss_mb"] for r in workers) / max(1, len(workers)), 1)}


def settle(master: int, limit_s: float, trim_s: float = 5.0) -> float:
    """Wait (at most `limit_s`) until the workers are idle — their warm-ups (credit cubes, price
    index) done — for 5 s in a row, then one more trim period (the workers' malloc_trim thread);
    returns the seconds waited."""
    t0, quiet = time.monotonic(), 0
    workers = psutil.Process(master).children()
    for w in workers:
        w.cpu_percent(None)
    while time.monotonic() - t0 < limit_s and quiet < 5:
        time.sleep(1)
        busy = sum(w.cpu_percent(None) for w in workers if w.is_running())
        quiet = quiet + 1 if busy < 10 else 0
    time.sleep(trim_s + 1)
    return round(time.monotonic() - t0, 1)


def outputs(output: str) -> list[dict]:
    parts = [p for p in output.strip(".").split("...") if p]
    return [{"id": p.rsplit(".", 1)[0], "property": p.rsplit(".", 1)[1]} for p in parts]


def client(base: str, fragments: list[str], rounds: int, errors: list, counts: list, pages: list | None = None) -> None:
    s = requests.Session()
    close = {"Connection": "close"}
    r = s.post(f"{base}/login", data={"username": "demo-province", "password": DEFAULT_DEMO_PASSWORD},
               allow_redirects=False, headers=close, timeout=120)
    if r.status_code != 302:
        errors.append(f"sign-in {r.status_code}")
        return
    staff = None
    for _ in range(rounds):
        for path in ("/", "/_dash-layout", "/_dash-dependencies"):
            counts.append(s.get(f"{base}{path}", headers=close, timeout=300).status_code)
        for fragment in fragments:
            for output in (COCKPIT, CHARTS):
                body = {"output": output, "outputs": outputs(output),
                        "inputs": [{"id": "url", "property": "hash", "value": fragment}],
                        "changedPropIds": ["url.hash"], "state": []}
                r = s.post(f"{base}/_dash-update-component", json=body, timeout=300,
                           headers={**close, "Origin": base, "Referer": f"{base}/"})
                counts.append(r.status_code)
                if r.status_code != 200:
                    errors.append(f"{output[:30]} {fragment} {r.status_code} {r.text[:200]}")
        if pages and staff is None:  # the province's forestry bureau (credit statistics, price index)
            staff = requests.Session()
            r = staff.post(f"{base}/login", data={"username": "demo-forestry", "password": DEFAULT_DEMO_PASSWORD},
                           allow_redirects=False, headers=close, timeout=120)
            if r.status_code != 302:
                errors.append(f"sign-in demo-forestry {r.status_code}")
                return
        for path, output, inputs in pages or []:  # the credit statistics and the price index pages
            counts.append(staff.get(f"{base}{path}", headers=close, timeout=300).status_code)
            body = {"output": output, "outputs": outputs(output), "inputs": inputs,
                    "changedPropIds": [f"{inputs[0]['id']}.{inputs[0]['property']}"], "state": []}
            r = staff.post(f"{base}/_dash-update-component", json=body, timeout=600,
                       headers={**close, "Origin": base, "Referer": f"{base}{path}"})
            counts.append(r.status_code)
            if r.status_code != 200:
                errors.append(f"{path} {output[:30]} {r.status_code} {r.text[:200]}")


def run(settings: Settings, workers: int, clients: int, rounds: int, boot_s: float, settle_s: float) -> dict:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = {**os.environ, "PYTHONPATH": str(ROOT), "DATABASE_URL": settings.database_url,
           "DATA_DIR": str(settings.data_dir), "PROVINCE": str(settings.province), "PORT": str(port),
           "HOST": "127.0.0.1", "WEB_WORKERS": str(workers), "JOBS_IN_PROCESS": "0", "WARNING_SCHEDULE_S": "0",
           "BACKUP_SCHEDULE": ""}
    env.pop("POLARS_MAX_THREADS", None)
    log = open(settings.data_dir / f"gunicorn-{workers}.log", "w")
    t0 = time.monotonic()
    proc = subprocess.Popen([str(Path(sys.executable).with_name("gunicorn")), "-c", "server/gunicorn_conf.py",
                             "server.wsgi:application"], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        while True:
            if proc.poll() is not None:
                raise SystemExit(f"gunicorn exited: {(settings.data_dir / f'gunicorn-{workers}.log').read_text()[-3000:]}")
            try:
                if requests.get(f"{base}/health", timeout=5).status_code == 200:
                    break
            except requests.RequestException:
                pass
            if time.monotonic() - t0 > boot_s:
                raise SystemExit(f"not up after {boot_s} s")
            time.sleep(1)
        while len(psutil.Process(proc.pid).children()) < workers and time.monotonic() - t0 < boot_s:
            time.sleep(0.5)
        up_s = time.monotonic() - t0
        idle_wait = settle(proc.pid, settle_s)  # the warm-ups finish in the background
        idle = memory(proc.pid)
        tree = load_region_tree(settings.province)
        root = settings.province * 10**10
        fragments = ["", *[f"#region={c}" for c in tree.children(root)["code"].to_list()]]
        errors, counts, threads = [], [], []
        t1 = time.monotonic()
        for _ in range(clients):
            threads.append(threading.Thread(target=client, args=(base, fragments, rounds, errors, counts,
                                                                 page_calls(root))))
            threads[-1].start()
        for t in threads:
            t.join()
        load_s = time.monotonic() - t1
        load_wait = settle(proc.pid, settle_s)
        busy = memory(proc.pid)
        return {"workers": workers, "up_seconds": round(up_s, 1), "requests": len(counts), "errors": errors[:10],
                "error_count": len(errors), "load_seconds": round(load_s, 1),
                "settled_seconds": [idle_wait, load_wait], "idle": idle, "after_load": busy,
                "loadavg": os.getloadavg()}
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(60)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--province", type=int, default=22)
    ap.add_argument("--source", type=Path, default=ROOT / "var" / "bench")
    ap.add_argument("--data-dir", type=Path, default=None)
    ap.add_argument("--workers", default="1,4")
    ap.add_argument("--clients", type=int, default=8)
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--boot-seconds", type=float, default=1800)
    ap.add_argument("--settle-seconds", type=float, default=900,
                    help="at most this long, wait for the workers to go idle before measuring")
    ap.add_argument("--out", type=Path, default=ROOT / "var" / "bench" / "memory.json")
    args = ap.parse_args()
    settings = prepare(args.source.resolve(), (args.data_dir or ROOT / "var" / "bench" / f"memory-{args.province}")
                       .resolve(), args.province)
    t0 = time.monotonic()
    publish = columnar.publish(settings)  # what `make serve` does at start (and the job process every 60 s)
    publish["wall_seconds"] = round(time.monotonic() - t0, 1)
    again = columnar.publish(settings)
    # what the job process's `columnar` job does after it (data/jobs/kinds.py warm): the credit
    # statistics' cubes and the province's price/cost index views, published in the shared store
    try:
        from data.jobs.kinds import warm
    except ImportError:  # a build before the warm job (the workers warm themselves)
        warm = None
    t0 = time.monotonic()
    warmed = warm(settings, {}, lambda _pct: None) if warm else {"skipped": "no warm job in this build"}
    warmed["wall_seconds"] = round(time.monotonic() - t0, 1)
    print(f"[memory] warm job: {warmed}", flush=True)
    d = columnar.root(settings) / publish["name"]
    runs = {}
    for n in (int(w) for w in args.workers.split(",")):
        print(f"[memory] {n} worker(s) …", flush=True)
        runs[str(n)] = run(settings, n, args.clients, args.rounds, args.boot_seconds, args.settle_seconds)
        print(json.dumps({k: v for k, v in runs[str(n)].items() if k != "idle"}, ensure_ascii=False), flush=True)
    out = {"province": args.province, "database": settings.database_url, "cores": os.cpu_count(),
           "columnar_mb": round(sum(f.stat().st_size for f in d.iterdir()) / MB, 1),
           "publish_first": publish, "publish_unchanged": again, "warm_job": warmed, "runs": runs}
    if "1" in runs and "4" in runs:
        one, four = runs["1"]["after_load"], runs["4"]["after_load"]
        one_worker = next(r["pss_mb"] for r in one["processes"] if r["role"] == "worker")
        out["ratio_total_pss_4_to_1"] = round(four["total_pss_mb"] / one["total_pss_mb"], 2)
        out["ratio_total_pss_4_to_one_worker"] = round(four["total_pss_mb"] / one_worker, 2)
        out["target"] = "total PSS with 4 workers ≤ 1.5 × one worker's"
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(out, ensure_ascii=False, indent=1))
    print(json.dumps({k: v for k, v in out.items() if k != "runs"}, ensure_ascii=False), flush=True)


if __name__ == "__main__":
    main()
