"""The performance report's arithmetic (scripts/report_format.py, scripts/bench_load.py,
scripts/load_record.py): pure functions on made-up measurements, no benchmark is run here."""
from __future__ import annotations

import json
import sys
from pathlib import Path

SCRIPTS = Path(__file__).resolve().parents[1] / "scripts"
sys.path.insert(0, str(SCRIPTS))

import bench_load  # noqa: E402
import load_record  # noqa: E402
import report_format  # noqa: E402


def test_bench001_percentiles_are_nearest_rank():
    p = bench_load.percentiles([float(x) for x in range(1, 101)])
    assert (p["n"], p["p50"], p["p95"], p["p99"], p["max"]) == (100, 50.0, 95.0, 99.0, 100.0)
    assert bench_load.percentiles([7.0]) == {"n": 1, "p50": 7.0, "p95": 7.0, "p99": 7.0, "max": 7.0, "mean": 7.0}
    assert bench_load.percentiles([]) == {"n": 0}


def test_bench002_requests_in_flight_together_form_one_wave():
    items = [{"start": 0.0, "end": 0.1}, {"start": 0.2, "end": 0.5}, {"start": 0.3, "end": 0.9},
             {"start": 0.6, "end": 0.7}, {"start": 1.0, "end": 1.2}]
    out = load_record.waves(items)
    assert [i["wave"] for i in out] == [0, 1, 1, 1, 2]
    assert out[0]["start"] == 0.0 and out[-1]["end"] == 1200.0  # ms from the first request


def _province(villages, lines, drill_p95, full_s):
    return {"dataset": {"villages": villages, "ledger_lines": lines, "db_bytes": 5_000_000_000},
            "queries": {"lines": [{"query": "kpis_province", "rows": 1, "polars_ms": 0.5, "pandas_ms": 900.0,
                                   "duckdb_ms": 70.0}, {"load_s": 7.0, "peak_rss_mb": 450.0}]},
            "warnings": {"lines": [{"run": "full", "seconds": full_s}]},
            "browser": {"result": [{"measure": "drill_province_to_city", "ms": 200.0, "plotly_redraw_ms": 100.0,
                                    "click_to_redraw": 2.0}, {"measure": "click_to_redraw_all", "ratio": 2.0}]},
            "load": {"result": {"mix": {"actions": {"drill": {"n": 10, "p50": 50.0, "p95": drill_p95, "p99": 90.0,
                                                              "errors": 0}}, "errors": 0, "requests": 99, "wall_s": 60},
                                "drill_p95_ratio": 1.2}}}


def test_bench003_the_comparison_divides_each_growth_by_the_work():
    report = {"provinces": {"22": _province(11_860, 25_000_000, 80.0, 30.0),
                            "36": _province(22_080, 46_500_000, 160.0, 55.8)}}
    c = report_format.comparison(report, ["22", "36"])
    assert c["work_ratio_villages"] == round(22_080 / 11_860, 3)
    rows = {r["figure"]: r for r in c["rows"]}
    assert rows["load.drill.p95_ms"]["ratio"] == 2.0
    assert rows["load.drill.p95_ms"]["ratio_over_work"] == round(2.0 / (22_080 / 11_860), 2)
    assert rows["warnings.full_s"]["ratio"] == 1.86 and rows["warnings.full_s"]["ratio_over_work"] == 1.0
    assert rows["browser.click_to_redraw"]["ratio"] == 1.0
    text = report_format.render(dict(report, comparison=c))
    assert "growth 22 → 36" in text and "load.drill.p95_ms" in text and "kpis_province" in text


def test_bench004_the_load_test_fills_the_form_with_a_fresh_token():
    body = {"output": "x", "inputs": [{"id": "funds-submit", "property": "n_clicks", "value": 1}],
            "state": [{"id": "funds-amount", "property": "value"}, {"id": "funds-bank", "property": "value"},
                      {"id": "funds-date", "property": "date"},
                      {"id": "funds-submit-token", "property": "data", "value": "a" * 32}]}
    first, second = (json.loads(load_record.filled(json.dumps(body), 7, "2026-12-02")) for _ in range(2))
    values = {s["id"]: s["value"] for s in first["state"]}
    assert values["funds-bank"] == 7 and 10 <= float(values["funds-amount"]) < 1000 and values["funds-date"] == "2026-12-02"
    assert values["funds-submit-token"] != "a" * 32 and len(values["funds-submit-token"]) == 32
    assert values["funds-submit-token"] != {s["id"]: s["value"] for s in second["state"]}["funds-submit-token"]
