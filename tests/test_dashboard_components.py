"""The dashboards' factories (components/dashboards/): plain data in, figures and HTML out."""
from __future__ import annotations

import ast
from pathlib import Path

import polars as pl

from components.dashboards.cockpit import assets_map_or_bars, kpi_row
from components.charts import empty_figure
from components.dashboards.common import map_or_bars
from components.dashboards.warning_map import warnings_map_or_bars
from data.maps import load_geojson

ROOT = Path(__file__).resolve().parent.parent


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    out = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            out.add(node.module.split(".")[0])
    return out


def test_dash001_components_import_neither_storage_nor_callbacks():
    """House rule: components are factories; storage (data/), callbacks and the server stay out."""
    for path in (ROOT / "components").rglob("*.py"):
        assert not _imports(path) & {"data", "callbacks", "server", "flask", "flask_login"}, path
    assert _imports(ROOT / "domain" / "money.py") <= {"__future__", "datetime", "decimal"}


def _kids(codes, values):
    return pl.DataFrame({"code": codes, "name": [f"区{i}" for i in range(len(codes))], "total_assets": values})


def test_dash002_map_where_the_children_have_boundaries_else_ranked_bars():
    cities = list(load_geojson(22, 2)["features"])
    codes = [int(f["id"]) for f in cities]
    fig, trace_codes = assets_map_or_bars(_kids(codes, [i * 10**8 for i in range(len(codes))]), load_geojson(22, 2))
    assert trace_codes == codes and fig["layout"]["title"]["text"] == "资产总额（万元）"
    # townships have no boundaries: the 30 largest as bars, largest first, values in 万元
    towns = list(range(220122100000, 220122100000 + 40 * 1000, 1000))
    fig, trace_codes = assets_map_or_bars(_kids(towns, [i * 10**6 for i in range(40)]),
                                          {"type": "FeatureCollection", "features": []})
    bar = fig["data"][0]
    assert trace_codes == [] and bar["x"][:2] == [39.0, 38.0] and len(bar["x"]) == 30
    assert bar["customdata"][0] == towns[-1] and fig["layout"]["xaxis"]["tickformat"] == ",.0f"


def test_dash003_warning_density_keeps_its_order_and_leaves_out_children_without_villages():
    per = pl.DataFrame({"code": [3, 1, 2], "name": ["c", "a", "b"], "per_village": [0.5, 0.25, None]})
    fig, _ = warnings_map_or_bars(per, {"type": "FeatureCollection", "features": []})
    assert fig["data"][0]["y"] == ["c", "a"] and fig["layout"]["xaxis"]["tickformat"] == ",.1f"
    empty = per.filter(pl.col("per_village").is_null())
    assert warnings_map_or_bars(empty, {"type": "FeatureCollection", "features": []}) == (empty_figure("暂无数据"), [])
    # no bars to draw is always the one empty chart (no axes running -1 … 6), with its own note if given
    fig, _ = map_or_bars(empty.rename({"per_village": "v"}), "v", {"features": []}, unit="条", label="x")
    assert fig == empty_figure()
    fig, _ = map_or_bars(empty.rename({"per_village": "v"}), "v", {"features": []}, unit="条", label="x",
                         empty_text="无")
    assert fig["layout"]["annotations"][0]["text"] == "无"


def test_dash004_kpi_cards_link_only_when_given_a_link():
    k = {"total_assets": 12_345_678, "funds": -1, "receivables": 0, "liabilities": 10**10, "income_operating": 5,
         "net_profit": -199, "orgs": 3, "villages_income_over_100k": 1, "villages_income_over_500k": 0,
         "resource_area_cmu": 1234, "contracted_area_cmu": 5, "contracts_active": 2, "overdue_fen": 1_500_000,
         "expiring_90d": 0, "deals": 1, "listings": 2, "deal_fen": 0, "warnings_open": 4, "asset_net_fen": 99,
         "asset_count": 7, "has_books": True, "has_records": True}
    plain = kpi_row(k)
    assert "href" not in plain and ">-0.01<" in plain and ">-1.99<" in plain and ">12.35<" in plain
    assert "逾期未收 1.50 万元" in plain
    linked = kpi_row(k, lambda key: f"/records#kind={key}")
    assert linked.count('class="spa-link') == 12 and 'href="/records#kind=warnings"' in linked


def test_dash005_ranked_bars_leave_room_for_the_longest_name():
    """A long village name (雯塘镇体育馆社区居委会, 11 characters) is not clipped at the left: the
    margin grows with the longest name (about 13 px per character at the 12 px font)."""
    from components.charts import ranked_bars

    short = ranked_bars(["东村", "西村"], [1.0, 2.0], unit="万元", label="本年收益")
    long = ranked_bars(["东村", "雯塘镇体育馆社区居委会"], [1.0, 2.0], unit="万元", label="本年收益")
    assert long["layout"]["margin"]["l"] >= 13 * 11 > short["layout"]["margin"]["l"]
