"""Benchmark: the forest-rights price index models at province scale (`make bench`; not a test).

Builds (or reuses, cached under var/bench_prices/) a database: the `test` demo (users, region tree,
a small credit population) whose price samples are replaced by the `province` scale of
data/demo/prices.py (300,000 sales over every village of the province, ten years), then measures:

- generation of the province's sales and cost observations (when it built the database), and the
  generation at the `test` and `demo` scales on a scratch database (regions only);
- reading the sales into the models' frame;
- the hedonic fit by quarter and by year (time; peak Python allocations under tracemalloc in a
  second run), the median and mix-adjusted indexes beside it, and how far each method is from
  the generator's true index (mean ratio to the truth over the last year, max |log error|, and the
  share of unsuppressed periods whose 95 % interval covers the truth);
- the valuation model's fit and 1,000 estimates (with the share of observed prices inside the
  90 % interval);
- `data.prices.index.index_view` (lane B) first call (the fit) and cached calls (median and p95
  of 50), when it exists;
- the pages' callbacks through the Flask test client: the 价格指数 page's index callback (lane C's
  callbacks.prices.index.load; first call, then a cached fit) when it exists, and the 成交样本 list
  (one page of 100 sales out of 300,000).

Prints a table and writes var/bench/prices.json.

    .venv/bin/python scripts/bench_prices.py            # SQLite, Jilin (22), cached
    .venv/bin/python scripts/bench_prices.py --rebuild
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import math
import os
import resource
import shutil
import statistics
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

TODAY = dt.date(2026, 11, 22)
PASSWORD = "Demo@2026!"


def log(msg: str) -> None:
    print(f"[bench-prices] {msg}", file=sys.stderr, flush=True)


def _settings(data_dir: Path, province: int):
    from settings import Settings

    return Settings(province=province, database_url=f"sqlite:///{data_dir / 'platform.sqlite'}", data_dir=data_dir,
                    demo_scale="test", secret_key="bench", audit_key="bench", demo_password=PASSWORD,
                    warning_schedule_s=0, backup_schedule="")


def build(settings, province: int) -> dict:
    """The test demo, then the province's price samples in place of the test ones."""
    from sqlalchemy import delete

    from data.db import transaction
    from data.demo import generate
    from data.demo.prices import generate_prices
    from data.models import CostObservation, PriceSale, Setting

    generate(settings, "test", today=TODAY, log=lambda *_: None)
    with transaction(settings.database_url) as s:
        s.execute(delete(PriceSale))
        s.execute(delete(CostObservation))
    t0 = time.perf_counter()
    made = generate_prices(settings.database_url, province, "province", TODAY, settings.demo_seed,
                           settings.demo_county, log=log)
    made["generation_s"] = round(time.perf_counter() - t0, 2)
    with transaction(settings.database_url) as s:
        s.merge(Setting(key="prices_bench", value=made))
    return made


def cached(settings) -> dict | None:
    from sqlalchemy import select

    from data.db import engine_for
    from data.models import Setting

    try:
        with engine_for(settings.database_url).connect() as c:
            return c.execute(select(Setting.value).where(Setting.key == "prices_bench")).scalar()
    except Exception:
        return None


def scale_times(province: int) -> dict:
    """generate_prices at the test and demo scales on a scratch database holding the region tree."""
    import polars as pl

    from data import bulk
    from data.db import engine_for, upgrade
    from data.demo.prices import generate_prices
    from data.regions import load_region_tree
    from settings import DEFAULT_DEMO_COUNTY

    out = {}
    for scale in ("test", "demo"):
        tmp = Path(tempfile.mkdtemp(prefix=f"bench-prices-{scale}-"))
        url = f"sqlite:///{tmp / 'p.sqlite'}"
        upgrade(url)
        tree = load_region_tree(province)
        bulk.ingest(engine_for(url), "regions", tree.frame.select("code", "name", "level", "parent")
                    .with_columns(base_data_locked=pl.lit(False)))
        made = generate_prices(url, province, scale, TODAY, 20260101, DEFAULT_DEMO_COUNTY.get(province),
                               log=lambda *_: None)
        out[scale] = {"sales": made["sales"], "costs": made["costs"], "seconds": made["seconds"]}
        engine_for(url).dispose()
        shutil.rmtree(tmp, ignore_errors=True)
    return out


def read_sales(url: str):
    """The sales in the models' input schema (one SQL read)."""
    import polars as pl
    from sqlalchemy import text

    from data.db import engine_for

    sql = ("SELECT deal_on, region_code, CAST(area_mu AS REAL) AS area_mu, price_fen, forest_type, species, age_class, "
           "volume_m3_per_mu, site_class, term_years, right_type, kind FROM price_sales")
    with engine_for(url).connect() as c:
        df = pl.read_database(text(sql), c, infer_schema_length=None)
    if df.schema["deal_on"] == pl.String:
        df = df.with_columns(pl.col("deal_on").str.to_date())
    return df.select(date=pl.col("deal_on").cast(pl.Date), region_code=pl.col("region_code").cast(pl.Int64),
                     area_mu=pl.col("area_mu").cast(pl.Float64), price_yuan=(pl.col("price_fen") // 100).cast(pl.Int64),
                     forest_type="forest_type", species="species", age_class="age_class",
                     volume_m3_per_mu=pl.col("volume_m3_per_mu").cast(pl.Float64),
                     site_class=pl.col("site_class").cast(pl.Int64), term_years=pl.col("term_years").cast(pl.Int64),
                     right_type="right_type", kind="kind")


def timed(fn):
    t = time.perf_counter()
    out = fn()
    return out, time.perf_counter() - t


def peak_mib(fn) -> float:
    tracemalloc.start()
    tracemalloc.reset_peak()
    fn()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return round(peak / 2**20, 1)


def against_truth(table, period: str, sales) -> dict:
    """How far an index frame (period, index, lower, upper, suppressed) is from the true index the
    sales realise (data.demo.price_truth.realised_index), both rebased to the frame's first
    unsuppressed period."""
    import polars as pl

    from data.demo import price_truth as truth

    true = truth.realised_index(sales, period)
    t = table.filter(~pl.col("suppressed") & pl.col("index").is_not_null()).join(true, on="period", how="inner")
    if t.is_empty():
        return {"periods": 0}
    base = t["true_index"][0]
    t = t.with_columns(truth=pl.col("true_index") / base * 100)
    last = t.tail(4 if period == "quarter" else 1)
    out = {"periods": t.height,
           "last_year_ratio_to_truth": round(float((last["index"] / last["truth"]).mean()), 4),
           "max_abs_log_error": round(float((t["index"].log() - t["truth"].log()).abs().max()), 4)}
    if "lower" in t.columns and t["lower"].null_count() < t.height:
        covered = ((t["lower"] <= t["truth"]) & (t["truth"] <= t["upper"])).sum()
        out["ci_covers_truth"] = f"{int(covered)}/{t.height}"
    return out


def bench_models(df, start: int, end: int) -> dict:
    from domain.prices.hedonic import fit_hedonic
    from domain.prices.schema import validate
    from domain.prices.simple import median_index, mix_adjusted_index

    data, s_validate = timed(lambda: validate(df))
    out: dict = {"validate_s": round(s_validate, 2)}
    for period in ("quarter", "year"):
        fit, secs = timed(lambda period=period: fit_hedonic(data, period))
        med, s_med = timed(lambda period=period: median_index(data, period))
        mix, s_mix = timed(lambda period=period: mix_adjusted_index(data, period))
        out[period] = {
            "hedonic_s": round(secs, 2), "hedonic_peak_mib": peak_mib(lambda period=period: fit_hedonic(data, period)),
            "median_s": round(s_med, 2), "mix_adjusted_s": round(s_mix, 2),
            "r2": round(float(fit.r2), 4), "n": int(fit.n), "cov_type": fit.cov_type,
            "suppressed": int(fit.index["suppressed"].sum()), "periods": fit.index.height,
            "hedonic_vs_truth": against_truth(fit.index, period, df),
            "median_vs_truth": against_truth(med, period, df),
            "mix_adjusted_vs_truth": against_truth(mix, period, df),
        }
        h, m, x = (f.filter(~f["suppressed"])["index"] for f in (fit.index, med, mix))
        if len(h) and len(m) and len(x):
            out[period]["last_period_median_over_hedonic"] = round(float(m[-1] / h[-1]), 4)
            out[period]["last_period_mix_over_hedonic"] = round(float(x[-1] / h[-1]), 4)
    return out


def bench_valuation(df) -> dict:
    import numpy as np

    from domain.prices.valuation import Parcel, fit_valuation

    rng = np.random.default_rng(16)
    idx = rng.permutation(df.height)
    held, train = df[idx[:1000].tolist()], df[idx[1000:].tolist()]
    model, secs = timed(lambda: fit_valuation(train))
    parcels = [Parcel(area_mu=r["area_mu"], forest_type=r["forest_type"], species=r["species"],
                      age_class=r["age_class"], volume_m3_per_mu=r["volume_m3_per_mu"], site_class=r["site_class"],
                      term_years=r["term_years"], right_type=r["right_type"], region_code=r["region_code"])
              for r in held.iter_rows(named=True)]
    periods = [f"{d.year}Q{(d.month - 1) // 3 + 1}" for d in held["date"].to_list()]
    t = time.perf_counter()
    estimates = [model.estimate(p, 0.90, period=q if q in model.periods else None) for p, q in zip(parcels, periods)]
    per = (time.perf_counter() - t) / len(parcels) * 1000
    inside = sum(e.lower_total_yuan <= r["price_yuan"] <= e.upper_total_yuan
                 for e, r in zip(estimates, held.iter_rows(named=True)))
    return {"fit_s": round(secs, 2), "estimate_ms": round(per, 3), "estimates": len(estimates), "r2": round(model.r2, 4),
            "held_out_inside_90pct": round(inside / len(estimates), 3)}


def actor_of(url: str, username: str):
    from sqlalchemy import select

    from data.db import transaction
    from data.models import User
    from domain.permissions import Actor, Scope, role_perms

    with transaction(url) as s:
        u = s.scalar(select(User).where(User.username == username))
        return Actor(user_id=u.id, username=u.username, ip="127.0.0.1",
                     scope=Scope(root=int(u.region_code), perms=role_perms(u.role), user_id=u.id, role=u.role))


def stats_ms(fn, n: int) -> dict:
    times = []
    for _ in range(n):
        t = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t) * 1000)
    times.sort()
    return {"median_ms": round(statistics.median(times), 2), "p95_ms": round(times[int(len(times) * 0.95) - 1], 2)}


def bench_index_view(url: str) -> dict:
    try:
        from data.prices.index import index_view
    except ImportError:
        log("data.prices.index.index_view not importable (lane B): skipped")
        return {"skipped": "no data.prices.index.index_view"}
    who = actor_of(url, "demo-forestry")
    _, cold = timed(lambda: index_view(url, who, period="quarter", method="hedonic"))
    out = {"first_call_s": round(cold, 2), "cached": stats_ms(lambda: index_view(url, who, period="quarter",
                                                                                  method="hedonic"), 50)}
    _, cold_y = timed(lambda: index_view(url, who, period="year", method="hedonic"))
    out["first_call_year_s"] = round(cold_y, 2)
    return out


def _post(client, app, fn, values: dict, clicked: str | None = None):
    from server.callbacks import callback_named
    from tests.support.http import dash_post

    key = callback_named(app, fn)
    spec = app.callback_map[key]

    def item(i):
        return {"id": i["id"], "property": i["property"],
                "value": values.get((i["id"], i["property"]), values.get(i["id"]))}

    return dash_post(client, key, [item(i) for i in spec["inputs"]], [item(i) for i in spec.get("state", [])],
                     changed=[f"{clicked}.n_clicks"] if clicked else None)


def bench_pages(settings) -> dict:
    from tests.support.app import build_app
    from tests.support.http import sign_in

    app = build_app(settings)
    client = sign_in(app.server, "demo-forestry", PASSWORD)
    out: dict = {}
    from callbacks.prices import sales

    root = settings.province * 10**10
    values = {"ps-region": root, "ps-sort": "deal_on", "ps-order": "desc", "ps-offset": 0, "ps-list-refresh": 0}
    resp = _post(client, app, sales.listing, values)
    assert resp.status_code == 200, resp.get_data(as_text=True)[:300]
    out["sales_list_page_of_100"] = stats_ms(lambda: _post(client, app, sales.listing, values), 20)
    out["price_index_callback"] = bench_index_callback(app, client, root)
    return out


def bench_index_callback(app, client, root: int) -> dict:
    """Lane C's 价格指数 callback (callbacks.prices.index.load: the index, the methods, the
    coefficients of the province's view), first call and cached calls (median and p95 of 50)."""
    try:
        from callbacks.prices import index as page
    except ImportError:
        log("callbacks.prices.index not importable (lane C): skipped")
        return {"skipped": "no callbacks.prices.index"}
    out = {}
    for period in ("quarter", "year"):
        values = {"prc-region": root, "prc-forest-type": None, "prc-period": period, "prc-method": "hedonic",
                  "prc-form": "fixed"}
        first, cold = timed(lambda values=values: _post(client, app, page.load, values))
        if first.status_code != 200:
            return {"status": first.status_code, "body": first.get_data(as_text=True)[:200]}
        out[period] = {"first_s": round(cold, 2),
                       "cached": stats_ms(lambda values=values: _post(client, app, page.load, values), 50)}
    return out


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--province", type=int, default=22)
    ap.add_argument("--rebuild", action="store_true")
    ap.add_argument("--no-scales", action="store_true", help="skip timing the test and demo scales")
    args = ap.parse_args(argv)
    data_dir = ROOT / "var" / "bench_prices" / f"p{args.province}"
    if args.rebuild and data_dir.exists():
        shutil.rmtree(data_dir)
    data_dir.mkdir(parents=True, exist_ok=True)
    settings = _settings(data_dir, args.province)
    made = cached(settings)
    if made is None:
        from data.db import engine_for

        engine_for(settings.database_url).dispose()
        engine_for.cache_clear()
        shutil.rmtree(data_dir)
        data_dir.mkdir(parents=True)
        log(f"building the province's price samples at {settings.database_url}")
        made = build(settings, args.province)
    else:
        log("reusing the cached database (--rebuild to generate anew)")
        from data.db import upgrade

        upgrade(settings.database_url)
    start, end = (int(x) for x in made["years"].split("–"))
    result: dict = {"province": args.province, "cpus": os.cpu_count(), "sales": made["sales"],
                    "counties": made["counties"], "costs": made["costs"],
                    "generation_province_s": made.get("generation_s", made.get("seconds"))}
    if not args.no_scales:
        result["generation_by_scale"] = scale_times(args.province)
    df, secs = timed(lambda: read_sales(settings.database_url))
    result["read_sales_s"] = round(secs, 2)
    result["models"] = bench_models(df, start, end)
    result["valuation"] = bench_valuation(df)
    result["index_view"] = bench_index_view(settings.database_url)
    result["pages"] = bench_pages(settings)
    result["max_rss_mib"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    out = ROOT / "var" / "bench" / "prices.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, ensure_ascii=False, indent=2), encoding="utf-8")
    print(json.dumps(result, ensure_ascii=False, indent=2))
    log(f"written {out}")
    assert math.isfinite(result["models"]["quarter"]["hedonic_s"])


if __name__ == "__main__":
    main()
