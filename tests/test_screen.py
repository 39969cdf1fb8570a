"""The big screen (/screen, issue 13 item 5): every panel at once, drawn from the query layer for the
signed-in user's scope, drill-down and back inside the jurisdiction only, fonts that grow with the
screen, the minute's refresh as a data-only Patch, 暂无数据 for an empty region."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from callbacks import screen
from components.dashboards.screen import rank_figure, short_name
from data.db import reading
from data.maps import codes_with_geometry
from data.models import AuditLog
from domain.money import money_auto
from domain.permissions import Scope, role_perms
from domain.regions import parent_of
from tests.support.http import call, outputs, props

FIGURES = ["screen-trend-graph", "screen-assets-graph", "screen-map-graph", "screen-rank-graph"]


def refresh(app, client, hash_="", width=1920, trigger=None, signature=None):
    changed = [trigger] if trigger else None
    return call(app, client, screen.refresh, props(("url", "hash", hash_), ("screen-refresh", "n_intervals", 1),
                                                   ("screen-width", "data", width)),
                props(("screen-signature", "data", signature)), changed)


def ids_of(component) -> set[str]:
    found = set()
    if isinstance(component, list | tuple):
        for c in component:
            found |= ids_of(c)
    elif hasattr(component, "to_plotly_json"):
        if isinstance(getattr(component, "id", None), str):
            found.add(component.id)
        found |= ids_of(getattr(component, "children", None))
    return found


def figure_texts(fig) -> list[str]:
    """The region labels drawn on the map (its text trace)."""
    return [t for trace in fig["data"] if trace.get("mode") == "text" for t in trace["text"]]


def last_denial(settings):
    with reading(settings.database_url) as s:
        row = s.scalar(select(AuditLog).where(AuditLog.type == "permission_denied").order_by(AuditLog.id.desc()).limit(1))
    return (row.id, row.description) if row else (0, "")


def test_screen001_layout_has_every_panel_at_once(app):
    import dash

    page = next(p for p in dash.page_registry.values() if p["path"] == "/screen")
    ids = ids_of(page["layout"]())
    panels = {"screen-trend", "screen-assets", "screen-ratings", "screen-map", "screen-rank", "screen-warnings"}
    assert panels <= ids and set(FIGURES) <= ids
    assert {"screen-title", "screen-clock", "screen-updated", "screen-kpis", "screen-breadcrumb", "screen-back"} <= ids
    assert "screen-stage" not in ids and not any(i.endswith("-dot") for i in ids)  # no rotation any more


def test_screen002_province_and_drilled_city_get_every_panel(app, client_for):
    ql = app.server.extensions["platform.query"]
    province = ql.tree.root
    scope = Scope(root=province, perms=role_perms("province_leader"), role="province_leader")
    c = client_for("demo-province")
    out = outputs(refresh(app, c))
    k = ql.kpis(scope, province)
    assert out["screen-kpis"]["children"][0]["props"]["children"][1]["props"]["children"][0]["props"]["children"] \
        == money_auto(k["total_assets"])[0]
    assert ql.tree.name(province) in out["screen-title"]["children"]
    assert out["screen-updated"]["children"].startswith("数据更新于 ")
    for fid in FIGURES:
        assert out[fid]["figure"]["data"], fid
    cities = ql.children(scope, province)
    names = set(cities["name"].to_list())
    labels = out["screen-map-graph"]["figure"]["data"][-1]
    assert labels["mode"] == "text" and {t.split("<br>")[0].strip("<b>/") for t in labels["text"]} == names
    assert len(out["screen-map-codes"]["data"]) == cities.height
    assert "hidden" in out["screen-back"]["className"]  # the province is the leader's top
    rated = out["screen-ratings-body"]["children"]
    assert rated and "暂无数据" not in str(rated)
    assert "screen-warning-" in str(out["screen-warnings-body"]["children"]) or "暂无" in str(out["screen-warnings-body"])
    # drilled into the city with data: its counties on the map, the province one step up
    city = int(cities.sort("total_assets", descending=True)["code"][0])
    out = outputs(refresh(app, c, f"#region={city}"))
    for fid in FIGURES:
        assert out[fid]["figure"]["data"], fid
    counties = ql.children(scope, city)
    drawn = codes_with_geometry(ql.tree.root // 10**10, 3)
    mapped = {n for code, n in zip(counties["code"], counties["name"]) if int(code) in drawn}
    assert {t.split("<br>")[0][3:-4] for t in figure_texts(out["screen-map-graph"]["figure"])} == mapped
    unmapped = counties.height - len(mapped)  # development zones have no 2017 boundary: said under the map
    assert not unmapped or f"另有 {unmapped} 个" in str(out["screen-map-graph"]["figure"]["layout"]["annotations"])
    assert out["screen-back"]["href"] == f"/screen#region={province}" and "hidden" not in out["screen-back"]["className"]
    assert ql.tree.name(city) in out["screen-title"]["children"]
    rank = out["screen-rank-graph"]["figure"]
    assert rank["data"][0]["hovertext"] and rank["layout"]["yaxis"]["ticktext"] == \
        [short_name(n) for n in rank["data"][0]["hovertext"]]


def test_screen003_county_official_cannot_leave_the_county(app, client_for, sqlite_settings):
    ql = app.server.extensions["platform.query"]
    county = sqlite_settings.demo_county
    c = client_for("demo-county")
    out = outputs(refresh(app, c))  # no region: the user's own county, nothing above it
    assert ql.tree.name(county) in out["screen-title"]["children"] and "hidden" in out["screen-back"]["className"]
    township = int(ql.tree.children(county)["code"][0])
    out = outputs(refresh(app, c, f"#region={township}"))
    assert out["screen-back"]["href"] == f"/screen#region={county}"
    city = parent_of(county)
    neighbour = next(int(x) for x in ql.tree.children(city)["code"] if int(x) != county)
    for forged in (ql.tree.root, city, neighbour):
        before = last_denial(sqlite_settings)[0]
        resp = refresh(app, c, f"#region={forged}")
        assert resp.status_code == 403
        logged_id, text = last_denial(sqlite_settings)
        assert logged_id > before and "不在您的管辖范围内" in text


def test_screen004_fonts_grow_with_the_screen_width(app, client_for):
    c = client_for("demo-province")
    small, big = outputs(refresh(app, c, width=1920)), outputs(refresh(app, c, width=3840))
    for fid in FIGURES:
        s, b = small[fid]["figure"]["layout"], big[fid]["figure"]["layout"]
        assert b["font"]["size"] == 2 * s["font"]["size"] >= 16, fid
        assert b["legend"]["font"]["size"] > s["legend"]["font"]["size"]
        assert s["autosize"] is True and s["uirevision"] == b["uirevision"]
    labels = [t for t in big["screen-map-graph"]["figure"]["data"] if t.get("mode") == "text"][0]
    assert labels["textfont"]["size"] == 2 * [t for t in small["screen-map-graph"]["figure"]["data"]
                                              if t.get("mode") == "text"][0]["textfont"]["size"]


def test_screen005_the_minutes_refresh_sends_only_the_data(app, client_for):
    c = client_for("demo-province")
    first = outputs(refresh(app, c))
    again = outputs(refresh(app, c, trigger="screen-refresh.n_intervals", signature=first["screen-signature"]["data"]))
    for fid in FIGURES:
        patch = again[fid]["figure"]
        assert patch.get("__dash_patch_update") == "__dash_patch_update", fid  # a Patch: the layout stays
        assert {tuple(op["location"]) for op in patch["operations"]} <= {("data",), ("layout", "annotations")}
    assert "screen-warnings-body" not in again  # the same warnings: the scrolling list is left alone
    # the region changed (a drill-down): whole figures
    moved = outputs(refresh(app, c, "#region=220100000000", trigger="url.hash", signature=first["screen-signature"]["data"]))
    assert "layout" in moved["screen-map-graph"]["figure"]


def test_screen006_an_empty_region_says_no_data(app, client_for):
    ql = app.server.extensions["platform.query"]
    scope = Scope(root=ql.tree.root, perms=role_perms("province_leader"), role="province_leader")
    cities = ql.children(scope, ql.tree.root)
    empty_city = int(cities.filter(cities["total_assets"] == 0)["code"][0])
    out = outputs(refresh(app, client_for("demo-province"), f"#region={empty_city}"))
    for fid in ("screen-trend-graph", "screen-rank-graph", "screen-assets-graph"):
        fig = out[fid]["figure"]
        assert fig["data"] == [] and fig["layout"]["xaxis"]["visible"] is False, fid
        assert fig["layout"]["annotations"][0]["text"] == "暂无数据"


@pytest.mark.parametrize("name, shown", [("长春市", "长春市"), ("一二三四五六七八九十", "一二三四五六七八九十"),
                                         ("一二三四五六七八九十一村", "一二三四五六七八九…")])
def test_screen007_ranking_names_whole_or_cut_with_an_ellipsis(name, shown):
    assert short_name(name) == shown
    # two names cut to the same text stay two bars (positions, not categories)
    fig = rank_figure([name + "甲村", name + "乙村"], [2.0, 1.0], [1, 2], unit="万元", label="收入")
    assert fig["data"][0]["y"] == [0, 1] and fig["data"][0]["hovertext"] == [name + "甲村", name + "乙村"]
    assert fig["layout"]["yaxis"]["automargin"] is True
