"""Benchmark of the query layer at province scale (`make bench`; not part of the tests).

1. Makes sure a province-scale database exists (every village, 10 years, > 20M ledger lines),
   generating it in a child process when missing (DATA_DIR defaults to var/bench).
2. Starts the app (query layer load from the columnar snapshot) and records the time and the
   peak memory of this process at that point.
3. For each query the cockpit and drill-down use, times the query layer and computes the same
   answer with pandas and with DuckDB over the raw ledger (loaded in memory beforehand, not
   timed), checks the answers match, and prints one JSON line per query, then the load line.
"""
from __future__ import annotations

import json
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DATA_DIR", str(ROOT / "var" / "bench"))
os.environ.setdefault("DEMO_SCALE", "province")

import polars as pl  # noqa: E402

from data.demo import has_data  # noqa: E402
from data.query.rollups import LEVEL_DIVISOR as DIV  # noqa: E402
from domain.accounting import BALANCE_KEYS, FLOW_KEYS, MEASURES  # noqa: E402
from domain.permissions import Scope, role_perms  # noqa: E402
from domain.regions import subtree_bounds  # noqa: E402
from settings import Settings  # noqa: E402

REPEAT = int(os.environ.get("BENCH_REPEAT", "7"))


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def forget_answers(ql) -> None:
    for key in [k for k in ql.state.cache if k[0] == "kpis"]:
        ql.state.cache.pop(key, None)


def median_ms(fn, repeat=REPEAT):
    times, out = [], None
    for _ in range(repeat):
        t = time.perf_counter()
        out = fn()
        times.append((time.perf_counter() - t) * 1000)
    return statistics.median(times), out


# ---------------------------------------------------------------- baselines over the raw ledger
def _signed_cases(prefix=""):
    cases = {}
    for m in MEASURES:
        sign = next(iter(m.accounts.values()))
        codes = ",".join(str(c) for c in m.accounts)
        cases[m.key] = (f"CASE WHEN {prefix}account_code IN ({codes}) THEN {sign} * ({prefix}debit_fen - {prefix}credit_fen) "
                        f"ELSE 0 END")
    return cases


def duck_figures(con, lo, hi, period, group_div=None):
    ystart = period // 100 * 100 + 1
    cases = _signed_cases()
    sel = [f"SUM({cases[k]}) AS {k}" for k in BALANCE_KEYS]
    sel += [f"SUM(CASE WHEN period >= {ystart} THEN {cases[k]} ELSE 0 END) AS {k}" for k in FLOW_KEYS]
    key = f"region_code // {group_div} * {group_div}" if group_div else "0"
    sql = (f"SELECT {key} AS code, {', '.join(sel)} FROM ledger WHERE region_code BETWEEN {lo} AND {hi} "
           f"AND period <= {period} GROUP BY 1 ORDER BY 1")
    return con.sql(sql).pl()


def duck_monthly(con, region):
    lo, hi = subtree_bounds(region)
    cases = _signed_cases()
    sel = ", ".join(f"SUM({cases[k]}) AS {k}" for k in BALANCE_KEYS + FLOW_KEYS)
    df = con.sql(f"SELECT period, {sel} FROM ledger WHERE region_code BETWEEN {lo} AND {hi} "
                 f"GROUP BY period ORDER BY period").pl()
    return df.with_columns(pl.col(k).cum_sum() for k in BALANCE_KEYS)


def pandas_prepare(pdf):
    import numpy as np

    net = pdf["debit_fen"].to_numpy() - pdf["credit_fen"].to_numpy()
    acct = pdf["account_code"].to_numpy()
    cols = {}
    for m in MEASURES:
        sign = next(iter(m.accounts.values()))
        cols[m.key] = np.where(np.isin(acct, list(m.accounts)), sign * net, 0)
    return cols


def pandas_figures(pdf, lo, hi, period, group_div=None):
    import numpy as np
    import pandas as pd

    ystart = period // 100 * 100 + 1
    rc = pdf["region_code"].to_numpy()
    per = pdf["period"].to_numpy()
    mask = (rc >= lo) & (rc <= hi) & (per <= period)
    sub = pdf.loc[mask]
    net = sub["debit_fen"].to_numpy() - sub["credit_fen"].to_numpy()
    acct = sub["account_code"].to_numpy()
    ytd = sub["period"].to_numpy() >= ystart
    data = {"code": (sub["region_code"].to_numpy() // group_div * group_div) if group_div else np.zeros(len(sub), np.int64)}
    for m in MEASURES:
        sign = next(iter(m.accounts.values()))
        v = np.where(np.isin(acct, list(m.accounts)), sign * net, 0)
        data[m.key] = v if m.kind == "balance" else np.where(ytd, v, 0)
    return pd.DataFrame(data).groupby("code", sort=True).sum().reset_index()


def pandas_monthly(pdf, region):
    import numpy as np
    import pandas as pd

    lo, hi = subtree_bounds(region)
    rc = pdf["region_code"].to_numpy()
    sub = pdf.loc[(rc >= lo) & (rc <= hi)]
    net = sub["debit_fen"].to_numpy() - sub["credit_fen"].to_numpy()
    acct = sub["account_code"].to_numpy()
    data = {"period": sub["period"].to_numpy()}
    for m in MEASURES:
        sign = next(iter(m.accounts.values()))
        data[m.key] = np.where(np.isin(acct, list(m.accounts)), sign * net, 0)
    out = pd.DataFrame(data).groupby("period", sort=True).sum().reset_index()
    for k in BALANCE_KEYS:
        out[k] = out[k].cumsum()
    return out


# ---------------------------------------------------------------- comparison
KEYS = BALANCE_KEYS + FLOW_KEYS


def same(polars_rows: list[dict], other_rows: list[dict], name: str) -> None:
    a = {r["code"]: tuple(int(r[k]) for k in KEYS) for r in polars_rows}
    b = {int(r["code"]): tuple(int(r[k]) for k in KEYS) for r in other_rows}
    b = {c: v for c, v in b.items() if any(v)}
    a = {c: v for c, v in a.items() if any(v)}
    if a != b:
        bad = next(c for c in set(a) | set(b) if a.get(c) != b.get(c))
        raise AssertionError(f"{name}: answers differ at {bad}: {a.get(bad)} vs {b.get(bad)}")


def main() -> None:
    settings = Settings.from_env()
    if not has_data(settings):
        print(f"[bench] generating province data into {settings.database_url} …", file=sys.stderr, flush=True)
        subprocess.run([sys.executable, "-m", "data.demo", "--scale", "province"], check=True, cwd=ROOT)
    t0 = time.perf_counter()
    from app import create_app

    app = create_app(settings)
    load_s = time.perf_counter() - t0
    rss_after_start = peak_rss_mb()
    ql = app.server.extensions["platform.query"]
    tree = ql.tree
    root = tree.root
    scope = Scope(root=root, perms=role_perms("province_leader"), role="province_leader")
    period = ql.latest_period()
    county = settings.demo_county
    city = county // DIV[2] * DIV[2]
    township = int(tree.children(county)["code"][0])
    cases = [
        ("kpis_province", lambda: ql.kpis(scope, root, period), root, None),
        ("children_province", lambda: ql.children(scope, root, period), root, 2),
        ("children_city", lambda: ql.children(scope, city, period), city, 3),
        ("children_county", lambda: ql.children(scope, county, period), county, 4),
        ("children_township", lambda: ql.children(scope, township, period), township, 5),
        ("kpis_county", lambda: ql.kpis(scope, county, period), county, None),
        ("monthly_province", lambda: ql.monthly(scope, root), root, "monthly"),
        ("monthly_county", lambda: ql.monthly(scope, county), county, "monthly"),
        ("asset_value_province", lambda: ql.asset_value(scope, root), root, "assets"),
    ]
    print(f"[bench] app started in {load_s:.2f}s; loading the raw ledger for the baselines …", file=sys.stderr, flush=True)
    import duckdb

    from data.db import engine_for

    # connectorx bundles its own SQLite: close the app's connections while it reads (see data.query)
    engine_for(settings.database_url).dispose()
    ledger = pl.read_database_uri("SELECT region_code, period, account_code, debit_fen, credit_fen FROM voucher_lines",
                                  ql.uri, engine="connectorx").with_columns(
        pl.col("region_code").cast(pl.Int64), pl.col("period").cast(pl.Int32), pl.col("account_code").cast(pl.Int16))
    n = ledger.height
    pdf = ledger.to_pandas()
    con = duckdb.connect()
    con.execute("SET threads TO 2")
    con.register("ledger_arrow", ledger.to_arrow())
    con.execute("CREATE TABLE ledger AS SELECT * FROM ledger_arrow")
    del ledger
    for name, fn, region, kind in cases:
        # memoised answers (not the per-state indexes) are dropped before every call, so the timing
        # is of the computation
        p_ms, p_out = median_ms(lambda fn=fn: (forget_answers(ql), fn())[1])
        lo, hi = subtree_bounds(region)
        if kind in ("monthly", "assets"):
            d_ms, d_out = median_ms(lambda region=region: duck_monthly(con, region), 3)
            pd_ms, pd_out = median_ms(lambda region=region: pandas_monthly(pdf, region), 3)
            rows = p_out.height
            pm = p_out if kind == "monthly" else ql.monthly(scope, region)
            pr = [dict(r, code=r["period"]) for r in pm.iter_rows(named=True)]
            same(pr, [dict(r, code=r["period"]) for r in d_out.iter_rows(named=True)], name + "/duckdb")
            same(pr, [dict(r, code=r["period"]) for r in pd_out.to_dict("records")], name + "/pandas")
        else:
            div = DIV[kind] if kind else None
            d_ms, d_out = median_ms(lambda lo=lo, hi=hi, div=div: duck_figures(con, lo, hi, period, div), 3)
            pd_ms, pd_out = median_ms(lambda lo=lo, hi=hi, div=div: pandas_figures(pdf, lo, hi, period, div), 3)
            if kind:
                rows = p_out.height
                pr = list(p_out.iter_rows(named=True))
            else:
                rows = 1
                pr = [dict(p_out, code=0)]
            same(pr, list(d_out.iter_rows(named=True)), name + "/duckdb")
            same(pr, pd_out.to_dict("records"), name + "/pandas")
        print(json.dumps({"query": name, "rows": rows, "ledger_rows": n, "polars_ms": round(p_ms, 3),
                          "pandas_ms": round(pd_ms, 1), "duckdb_ms": round(d_ms, 1),
                          "vs_pandas": round(pd_ms / p_ms, 1), "vs_duckdb": round(d_ms / p_ms, 1)}), flush=True)
    print(json.dumps({"load_s": round(load_s, 2), "peak_rss_mb": round(rss_after_start, 1),
                      "ledger_rows": n, "villages": tree.frame.filter(pl.col("level") == 5).height}), flush=True)


if __name__ == "__main__":
    main()
