"""The performance report's figures, its two-scale comparison and its text (scripts/bench_report.py)."""
from __future__ import annotations

#: the per-province figures whose growth with the work the comparison shows (key → label)
LOAD_ACTIONS = ("cockpit", "screen", "drill", "save", "funds_page", "portrait", "portal")


def _num(x) -> bool:
    return isinstance(x, (int, float)) and not isinstance(x, bool)


def flatten(obj, prefix: str, out: dict, depth: int = 3) -> None:
    """Numeric leaves of a nested JSON as "a.b.c" → number (lists of dicts by their index)."""
    if _num(obj):
        out[prefix] = obj
    elif depth > 0 and isinstance(obj, dict):
        for k, v in obj.items():
            flatten(v, f"{prefix}.{k}" if prefix else str(k), out, depth - 1)
    elif depth > 0 and isinstance(obj, list) and len(obj) <= 50:
        for i, v in enumerate(obj):
            flatten(v, f"{prefix}[{i}]", out, depth - 1)


def figures(p: dict) -> dict[str, float]:
    """One province's headline figures, flat (name → number)."""
    f: dict[str, float] = {}
    d = p.get("dataset") or {}
    for k in ("villages", "ledger_lines", "credit_subjects", "generation_s"):
        if _num(d.get(k)):
            f[f"data.{k}"] = d[k]
    if _num(d.get("db_bytes")):
        f["data.db_gb"] = round(d["db_bytes"] / 1e9, 2)
    for line in (p.get("queries") or {}).get("lines", []):
        if "query" in line:
            for k in ("polars_ms", "pandas_ms", "duckdb_ms"):
                f[f"query.{line['query']}.{k}"] = line[k]
        elif "load_s" in line:
            f["app.start_s"], f["app.peak_rss_mb"] = line["load_s"], line["peak_rss_mb"]
    for row in (p.get("browser") or {}).get("result") or []:
        m = row.get("measure")
        if m == "click_to_redraw_all":
            f["browser.click_to_redraw"] = row["ratio"]
        elif m:
            for k in ("ms", "plotly_redraw_ms", "click_to_redraw", "numbers_drawn_ms"):
                if _num(row.get(k)):
                    f[f"browser.{m}.{k}"] = row[k]
        elif "server_callback_ms_median" in row:
            f["browser.server_callback_ms_median"] = row["server_callback_ms_median"]
    for line in (p.get("warnings") or {}).get("lines", []):
        run = line.get("run", "")
        if run.startswith("full"):
            # lane C's bench prints the old path ("before"), the first run writing the ledger copy and
            # the steady state ("after: copy + delta", the scheduled run's path): that is the full run
            key = {"full": "full", "full (before: whole ledger read)": "full_before",
                   "full (after, first run: copy written)": "full_first"}.get(run, "full")
            f[f"warnings.{key}_s"] = line["seconds"]
            if _num(line.get("peak_rss_mb")):
                f[f"warnings.{key}_peak_rss_mb"] = line["peak_rss_mb"]
        elif run.startswith("incremental"):
            f["warnings.incremental_s"] = line["seconds"]
    mem: dict = {}
    flatten((p.get("memory") or {}).get("result"), "memory", mem, 4)
    f.update({k: v for k, v in mem.items() if any(w in k.lower() for w in ("pss", "uss", "rss", "ratio", "total"))})
    load = (p.get("load") or {}).get("result") or {}
    for a, row in ((load.get("mix") or {}).get("actions") or {}).items():
        for q in ("p50", "p95", "p99"):
            if _num(row.get(q)):
                f[f"load.{a}.{q}_ms"] = row[q]
    if load.get("mix"):
        f["load.errors"] = load["mix"]["errors"]
        f["load.actions"] = sum(r.get("n", 0) for r in load["mix"]["actions"].values())
    for phase in ("drill_idle", "drill_during_warning_run", "drill_idle_after"):
        row = ((load.get(phase) or {}).get("actions") or {}).get("drill") or {}
        if _num(row.get("p95")):
            f[f"load.{phase}.p95_ms"] = row["p95"]
    if _num(load.get("drill_p95_ratio")):
        f["load.drill_p95_during_over_idle"] = load["drill_p95_ratio"]
    return f


def comparison(report: dict, provinces: list[str]) -> dict:
    a, b = (figures(report["provinces"][p]) for p in provinces)
    work = b.get("data.villages", 22_080) / a.get("data.villages", 11_860)
    lines = b.get("data.ledger_lines", 0) / a["data.ledger_lines"] if a.get("data.ledger_lines") else None
    rows = []
    for k in a:
        if k in b and _num(a[k]) and _num(b[k]):
            ratio = b[k] / a[k] if a[k] else None
            rows.append({"figure": k, provinces[0]: a[k], provinces[1]: b[k],
                         "ratio": round(ratio, 2) if ratio is not None else None,
                         "ratio_over_work": round(ratio / work, 2) if ratio is not None else None})
    return {"work_ratio_villages": round(work, 3), "ledger_lines_ratio": round(lines, 3) if lines else None, "rows": rows}


def _fmt(v) -> str:
    if not _num(v):
        return "—" if v is None else str(v)
    if isinstance(v, int) or abs(v) >= 1000:
        return f"{v:,.0f}"
    return f"{v:,.2f}" if abs(v) < 10 else f"{v:,.1f}"


def _table(header: list[str], rows: list[list]) -> str:
    cells = [header] + [[_fmt(c) if not isinstance(c, str) else c for c in r] for r in rows]
    w = [max(len(str(r[i])) for r in cells) for i in range(len(header))]
    out = ["  " + "  ".join(str(c).ljust(w[i]) if i == 0 else str(c).rjust(w[i]) for i, c in enumerate(r)) for r in cells]
    out.insert(1, "  " + "  ".join("-" * x for x in w))
    return "\n".join(out)


def render(report: dict) -> str:
    parts = [f"performance report — started {report.get('started_at')}, {report.get('cores')} cores, "
             f"load average at start {report.get('load_at_start')}, at end {report.get('load_at_end')}, "
             f"{_fmt(report.get('total_s'))} s in all"]
    for prov, p in report.get("provinces", {}).items():
        f = figures(p)
        parts.append(f"\n== province {prov}: {_fmt(f.get('data.villages'))} villages, {_fmt(f.get('data.ledger_lines'))} "
                     f"ledger lines, {_fmt(f.get('data.db_gb'))} GB, generated in {_fmt(f.get('data.generation_s'))} s")
        q = [line for line in (p.get("queries") or {}).get("lines", []) if "query" in line]
        if q:
            parts.append("query layer vs pandas vs DuckDB (ms, medians)\n" + _table(
                ["query", "rows", "polars", "pandas", "DuckDB"],
                [[x["query"], x["rows"], x["polars_ms"], x["pandas_ms"], x["duckdb_ms"]] for x in q]))
        parts.append(f"app start {_fmt(f.get('app.start_s'))} s, peak RSS {_fmt(f.get('app.peak_rss_mb'))} MB; "
                     f"full warning run {_fmt(f.get('warnings.full_s'))} s (incremental, one village: "
                     f"{_fmt(f.get('warnings.incremental_s'))} s)")
        b = [r for r in (p.get("browser") or {}).get("result") or []
             if str(r.get("measure", "")).startswith(("drill", "cockpit"))]
        if b:
            title = "browser (ms, medians): click until all drawn, plotly's own redraw of the same figures, ratio\n"
            parts.append(title + _table(
                ["measure", "click", "numbers", "plotly redraw", "click/redraw"],
                [[r["measure"], r["ms"], r.get("numbers_drawn_ms"), r.get("plotly_redraw_ms"), r.get("click_to_redraw")]
                 for r in b]) + f"\n  all clicks: click ÷ redraw {_fmt(f.get('browser.click_to_redraw'))} (aim ≤ 2)")
        mem = {k: v for k, v in f.items() if k.startswith("memory.")}
        if mem:
            parts.append("memory (bench_memory.py)\n" + _table(["figure", "value"], [[k, v] for k, v in mem.items()]))
        load = (p.get("load") or {}).get("result") or {}
        if load.get("mix"):
            mix = load["mix"]
            parts.append(f"load test: {load.get('users')} users, {load.get('run_time_s')} s, {load.get('workers')} workers "
                         f"({load.get('database')}); {_fmt(mix.get('requests'))} requests, errors {mix['errors']}; load "
                         f"{load.get('load_before')} → {load.get('load_after')} (ms)\n" + _table(
                             ["action", "n", "p50", "p95", "p99", "max", "errors"],
                             [[a, r["n"], r.get("p50"), r.get("p95"), r.get("p99"), r.get("max"), r["errors"]]
                              for a, r in mix["actions"].items()]))
        if all(_num(f.get(k)) for k in ("load.drill_p95_during_over_idle", "load.drill_idle.p95_ms",
                                        "load.drill_during_warning_run.p95_ms")):
            wr = (load.get("drill_during_warning_run") or {}).get("warning_run") or {}
            parts.append(f"drill-down p95 idle {_fmt(f['load.drill_idle.p95_ms'])} ms before, "
                         f"{_fmt(f.get('load.drill_idle_after.p95_ms'))} ms after, during a full warning run "
                         f"{_fmt(f['load.drill_during_warning_run.p95_ms'])} ms: × {_fmt(f['load.drill_p95_during_over_idle'])} "
                         f"(aim ≤ 1.5; the run: {wr.get('how')}, {_fmt(wr.get('seconds'))} s)")
    o = report.get("once") or {}
    imp = [x for x in (o.get("imports") or {}).get("lines", []) if "format" in x]
    if imp:
        parts.append("\nimports (100,000 ledger lines)\n" + "\n".join("  " + ", ".join(
            f"{k}={_fmt(v)}" for k, v in x.items() if not isinstance(v, dict)) for x in imp))
    credit = (o.get("credit") or {}).get("result")
    if credit:
        parts.append("\nforestry credit at a million subjects\n"
                     + _table(["figure", "value"], [[k, v] for k, v in credit.items()]))
    prices: dict = {}
    flatten((o.get("prices") or {}).get("result"), "", prices, 2)
    if prices:
        parts.append("\nprice index (bench_prices.py)\n"
                     + _table(["figure", "value"], [[k, v] for k, v in list(prices.items())[:40]]))
    c = report.get("comparison")
    if c:
        p0, p1 = list(report["provinces"])[:2]
        parts.append(f"\n== growth {p0} → {p1}: work (villages) × {_fmt(c['work_ratio_villages'])}, ledger lines × "
                     f"{_fmt(c['ledger_lines_ratio'])}\n" + _table(
                         ["figure", p0, p1, "ratio", "ratio ÷ work"],
                         [[r["figure"], r[p0], r[p1], r["ratio"], r["ratio_over_work"]] for r in c["rows"]]))
    return "\n".join(parts)
