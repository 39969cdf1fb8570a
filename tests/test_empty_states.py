"""Empty states and ticks: a region or month without data says 暂无数据 (one empty chart with no
axes, one grid overlay, KPI cards) instead of 0.00 元 and axes running −1 … 6, a real zero still
reads 0.00, and tick labels never repeat. The `test` scale has three townships, so most of the
province is empty."""
from __future__ import annotations

import re
from decimal import Decimal

import polars as pl
import pytest
from hypothesis import given, settings as hsettings, strategies as st

from callbacks import asset_growth
from callbacks.supervision import warning_map
from components.charts import EMPTY_TEXT, NO_LOWER_LEVEL, empty_figure, ranked_bars, region_map
from components.dashboards.cockpit import trend_figure
from components.grid import LOCALE_ZH, data_grid
from domain.permissions import Scope, role_perms
from domain.regions import VILLAGE
from domain.ticks import distinct_labels, label, nice_axis
from tests.support.cockpit import cockpit, cockpit_charts
from tests.support.http import call, outputs, props, text


def _is_empty_chart(fig: dict, note: str = EMPTY_TEXT) -> bool:
    layout = fig["layout"]
    return (fig["data"] == [] and layout["xaxis"]["visible"] is False and layout["yaxis"]["visible"] is False
            and [a["text"] for a in layout["annotations"]] == [note])


@pytest.fixture(scope="module")
def places(app):
    """(an empty township of the demo county, its first village, a village with books, the query layer)."""
    ql = app.server.extensions["platform.query"]
    scope = Scope(root=ql.tree.root, perms=role_perms("province_leader"), role="province_leader")
    booked = set(ql.state.rollups[VILLAGE]["code"].to_list())
    townships = {c // 1000 * 1000 for c in booked}
    demo_county = max(townships) // 10**6 * 10**6
    empty_town = next(c for c in ql.tree.children(demo_county)["code"].to_list() if c not in townships)
    empty_village = ql.tree.children(empty_town)["code"].to_list()[0]
    return empty_town, empty_village, min(booked), ql, scope


def _kpi_values(markup: str) -> dict[str, str]:
    return dict(re.findall(r'id="kpi-([a-z_-]+)-value">([^<]*)<', markup))


def test_empty001_the_empty_figure_has_no_axes_and_says_no_data():
    fig = empty_figure()
    assert _is_empty_chart(fig) and "height" not in fig["layout"]  # as tall as the graph it stands in
    assert fig["layout"]["annotations"][0]["x"] == 0.5 and fig["layout"]["annotations"][0]["y"] == 0.5
    assert empty_figure("辖区内暂无预警", height=260)["layout"]["height"] == 260
    assert ranked_bars([], [], unit="万元", label="x") == empty_figure()  # no bars: the same chart


def test_empty002_cockpit_charts_of_an_empty_township_and_village_are_the_empty_chart(app, client_for, places):
    empty_town, empty_village, booked_village, *_ = places
    c = client_for("demo-province")
    for region in (empty_town, empty_village):
        out = outputs(cockpit_charts(app, c, f"#region={region}"))
        for graph in ("cockpit-trend", "cockpit-map", "cockpit-topbottom"):
            assert _is_empty_chart(out[graph]["figure"]), (region, graph)
        assert out["cockpit-map-codes"]["data"] == []
    # a village with books: its trend is drawn, the two charts of a next level down say there is none
    out = outputs(cockpit_charts(app, c, f"#region={booked_village}"))
    assert out["cockpit-trend"]["figure"]["data"][0]["type"] == "bar"
    assert _is_empty_chart(out["cockpit-map"]["figure"], NO_LOWER_LEVEL)
    assert _is_empty_chart(out["cockpit-topbottom"]["figure"], NO_LOWER_LEVEL)


def test_empty003_kpi_cards_say_no_data_for_an_empty_region_and_zero_for_a_real_zero(app, client_for, places):
    empty_town, empty_village, _, ql, scope = places
    c = client_for("demo-province")
    for region in (empty_town, empty_village):
        values = _kpi_values(outputs(cockpit(app, c, f"#region={region}"))["cockpit-kpis-html"]["data"])
        assert set(values.values()) == {EMPTY_TEXT} and len(values) == 12, values
        assert "0.00" not in outputs(cockpit(app, c, f"#region={region}"))["cockpit-kpis-html"]["data"]
    # a village with books and a figure that is really zero shows 0.00 元 on that card
    for code in sorted(set(ql.state.rollups[VILLAGE]["code"].to_list())):
        k = ql.kpis(scope, code)
        zero = next((key for key in ("receivables", "liabilities", "funds", "income_operating") if k[key] == 0), None)
        if zero:
            break
    else:
        pytest.fail("no village with a zero figure in the test data")
    markup = outputs(cockpit(app, c, f"#region={code}"))["cockpit-kpis-html"]["data"]
    assert _kpi_values(markup)[zero] == "0.00" and EMPTY_TEXT not in _kpi_values(markup)["total_assets"]
    assert re.search(rf'id="kpi-{zero}-value">0\.00</span><span class="kpi-unit">元<', markup)


def test_empty004_a_month_before_the_data_starts_says_no_data(app, client_for, places):
    *_, booked_village, ql, _ = places
    township = booked_village // 1000 * 1000
    before = ql.periods()[0] - 100  # a year before the first month of books
    c = client_for("demo-province")
    out = outputs(cockpit(app, c, f"#region={township}&period={before}"))
    values = _kpi_values(out["cockpit-kpis-html"]["data"])
    ledger = ("total_assets", "funds", "receivables", "liabilities", "income_operating", "net_profit")
    assert {values[k] for k in ledger} == {EMPTY_TEXT}
    assert values["contracts"] != EMPTY_TEXT  # the business records' cards count what is on record today
    assert f"截至{before // 100}年{before % 100}月" in text(out["cockpit-breadcrumb"]["children"])
    assert out["children-table"]["rowData"] == [] and "暂无数据" in out["cockpit-children-note"]["children"]
    charts = outputs(cockpit_charts(app, c, f"#region={township}&period={before}"))
    assert all(_is_empty_chart(charts[g]["figure"]) for g in ("cockpit-trend", "cockpit-map", "cockpit-topbottom"))
    # not a month, or after the data: the latest month, as before
    for bad in ("202613", "999999", "abc"):
        crumbs = text(outputs(cockpit(app, c, f"#region={township}&period={bad}"))["cockpit-breadcrumb"]["children"])
        assert f"截至{ql.latest_period() // 100}年{ql.latest_period() % 100}月" in crumbs


def test_empty005_children_without_books_have_no_figures_and_an_empty_region_no_rows(app, client_for, places):
    empty_town, *_ = places
    c = client_for("demo-province")
    rows = outputs(cockpit(app, c, ""))["children-table"]["rowData"]  # the province's cities; one has books
    empty = [r for r in rows if r["total_assets"] is None]
    assert 0 < len(empty) < len(rows) and all(r["funds"] is None and r["net_profit"] is None for r in empty)
    assert all(isinstance(r["total_assets"], float) for r in rows if r not in empty)
    out = outputs(cockpit(app, c, f"#region={empty_town}"))
    assert out["children-table"]["rowData"] == [] and out["cockpit-children-note"]["children"].endswith("下级区域暂无数据。")
    # the grid's own empty overlay says so, in Chinese, like every grid's
    assert LOCALE_ZH["noRowsToShow"] == EMPTY_TEXT


def test_empty006_asset_growth_and_warning_map_of_an_empty_township(app, client_for, places):
    empty_town, *_ = places
    c = client_for("demo-province")
    out = outputs(call(app, c, asset_growth.render, props(("url", "hash", f"#region={empty_town}"))))
    for graph in ("growth-stack", "growth-yoy", "growth-ranking", "growth-lorenz"):
        assert _is_empty_chart(out[graph]["figure"]), graph
    assert EMPTY_TEXT in text(out["growth-kpis"]["children"]) and "nan" not in str(out["growth-kpis"]).lower()
    inputs = props(("url", "hash", f"#region={empty_town}"), ("wmap-status", "value", "open"))
    out = outputs(call(app, c, warning_map.charts, inputs))
    for graph in ("wmap-heatmap", "wmap-map", "wmap-trend", "wmap-close-time"):
        assert _is_empty_chart(out[graph]["figure"]), graph
    kpis = text(outputs(call(app, c, warning_map.render, inputs))["wmap-kpis"]["children"])
    assert kpis.count(EMPTY_TEXT) == 6


@hsettings(max_examples=400, deadline=None)
@given(st.lists(st.decimals(min_value=Decimal("-1e9"), max_value=Decimal("1e9"), places=6, allow_nan=False),
                min_size=1, max_size=40), st.booleans())
def test_empty007_nice_axis_never_repeats_a_label_and_holds_every_value(values, include_zero):
    nums = [float(v) for v in values]
    axis = nice_axis(nums, include_zero=include_zero)
    labels = axis.labels()
    assert len(labels) == len(set(labels)) >= 2
    assert 2 <= len(labels) <= 7  # at most target + 1 intervals
    assert float(axis.start) <= min(nums) and float(axis.stop) >= max(nums)
    if include_zero:
        assert axis.start <= 0 <= axis.stop
    # plotly draws the same ticks: from tick0 every dtick across the range, in the axis's format
    p = axis.plotly()
    assert p["tick0"] == p["range"][0] and p["tickformat"] == f",.{axis.decimals}f"


@hsettings(max_examples=200, deadline=None)
@given(st.lists(st.decimals(min_value=Decimal("-1e7"), max_value=Decimal("1e7"), places=4, allow_nan=False),
                min_size=1, max_size=5))
def test_empty008_legend_labels_differ_when_the_numbers_do(values):
    texts = distinct_labels([float(v) for v in values])
    assert len(set(texts)) == len({float(v) for v in values})
    assert all(t == label(v, len(t.partition(".")[2])) for t, v in zip(texts, values))


def test_empty009_the_trend_of_a_small_range_has_distinct_ticks_on_both_axes():
    """Total assets between 22.6 and 24.1 万元 once read 24, 23, 23, 23, 22 on the right axis."""
    monthly = pl.DataFrame({"period": [202601, 202602, 202603, 202604],
                            "total_income": [3_000, 1_200_000, 2_900_000, 0], "total_expense": [0, 500_000, 0, 10],
                            "total_assets": [22_600_000, 24_100_000, 23_350_000, 23_000_000]})
    layout = trend_figure(monthly, None)["layout"]
    for key in ("yaxis", "yaxis2"):
        axis = layout[key]
        lo, hi = axis["range"]
        n = round((hi - lo) / axis["dtick"])
        places = int(axis["tickformat"][2:-1])
        labels = [f"{lo + i * axis['dtick']:,.{places}f}" for i in range(n + 1)]
        assert len(labels) == len(set(labels)) >= 3, (key, labels)
    assert layout["yaxis2"]["range"][0] <= 22.6 and layout["yaxis2"]["range"][1] >= 24.1
    assert layout["yaxis"]["range"][0] == 0  # bars start at zero
    assert trend_figure(monthly.head(0), None) == empty_figure()


def test_empty010_a_map_with_one_value_has_a_legend_that_says_something():
    from data.maps import load_geojson

    geo = load_geojson(22, 2)
    codes = [int(f["id"]) for f in geo["features"]]
    fig, _ = region_map(geo, {codes[0]: 9297.38}, {c: str(c) for c in codes}, unit="万元", label="资产总额")
    legend = [a["text"] for a in fig["layout"]["annotations"][1:4]]
    assert legend == ["9,297", "4,649", "0"]
    hover = {t["text"].split("<br>")[1] for t in fig["data"][1:]}
    assert hover == {f"资产总额：{EMPTY_TEXT}"}


def test_empty011_every_grid_is_the_factory_s_with_string_row_ids_and_chinese_texts():
    grid = data_grid("g", [{"field": "id"}])
    assert grid.getRowId == "'' + params.data.id"  # AG Grid #25: a row id must be a string
    assert grid.dashGridOptions["localeText"] is LOCALE_ZH and "columnSize" not in grid.to_plotly_json()["props"]
    assert grid.defaultColDef["flex"] == 1  # no sizeColumnsToFit on a hidden tab (AG Grid #29)
    assert not [k for k, v in LOCALE_ZH.items() if not re.search(r"[\u4e00-\u9fff]", v)
                and v not in {"/", "?", ",", ".", "yyyy-mm-dd"}]  # every word Chinese (key names aside)
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    makers = [p.relative_to(root).as_posix() for d in ("components", "pages", "callbacks")
              for p in (root / d).rglob("*.py") if "AgGrid(" in p.read_text(encoding="utf-8")]
    assert makers == ["components/grid.py"]
