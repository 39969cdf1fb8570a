"""The cockpit, asset-growth and big-screen callbacks through the callback endpoint: scoped
answers, drill-down navigation, exports that are logged."""
from __future__ import annotations

import base64
import html
import io
from decimal import Decimal

import openpyxl
import pytest
from sqlalchemy import func, select

from callbacks import asset_growth, cockpit, records, screen
from domain import clock
from data.db import transaction
from data.models import AuditLog
from domain.permissions import Scope, role_perms
from server.callbacks import callback_named
from tests.conftest import dash_post
from tests.support.supervision import text_of


def _exports(settings, actor):
    with transaction(settings.database_url) as s:
        return s.scalar(select(func.count()).select_from(AuditLog).where(AuditLog.type == "export",
                                                                         AuditLog.actor == actor))


def test_cockpit001_excel_export_matches_the_query_layer_and_is_logged(app, client_for, sqlite_settings):
    ql = app.server.extensions["platform.query"]
    county = sqlite_settings.demo_county
    scope = Scope(root=county, perms=role_perms("county_admin"), role="county_admin")
    c = client_for("demo-county")
    before = _exports(sqlite_settings, "demo-county")
    resp = dash_post(c, callback_named(app, cockpit.export), [{"id": "cockpit-export", "property": "n_clicks", "value": 1}],
                     [{"id": "url", "property": "hash", "value": f"#region={county}"}])
    data = resp.get_json()["response"]["cockpit-download"]["data"]
    wb = openpyxl.load_workbook(io.BytesIO(base64.b64decode(data["content"])))
    rows = list(wb.active.iter_rows(min_row=3, values_only=True))
    kids = ql.children(scope, county)
    assert len(rows) == kids.height
    first = kids.row(0, named=True)
    assert rows[0][1] == first["code"] and Decimal(str(rows[0][2])) == Decimal(first["total_assets"]) / 100
    assert _exports(sqlite_settings, "demo-county") == before + 1


def test_cockpit002_png_download_report_is_logged_and_protected(app, client_for, sqlite_settings):
    c = client_for("demo-province")
    before = _exports(sqlite_settings, "demo-province")
    ok = c.post("/api/export-log", json={"kind": "cockpit-map", "page": "/cockpit"})
    assert ok.status_code == 200 and _exports(sqlite_settings, "demo-province") == before + 1
    assert c.post("/api/export-log", data="{}", content_type="text/plain").status_code == 415
    assert c.post("/api/export-log", json={}, headers={"Origin": "https://evil.example"}).status_code == 403
    assert app.server.test_client().post("/api/export-log", json={}).status_code in (302, 401)
    assert _exports(sqlite_settings, "demo-province") == before + 1


def test_cockpit003_everything_clickable_drills_within_scope(app, client_for, sqlite_settings):
    """Clicks turn into URL fragments in the browser; what can be clicked comes from these answers,
    so every code in them must lie inside the jurisdiction (the server refuses any other anyway)."""
    county = sqlite_settings.demo_county
    c = client_for("demo-county")
    charts = dash_post(c, callback_named(app, cockpit.charts),
                       [{"id": "url", "property": "hash", "value": ""}]).get_json()["response"]
    bars = charts["cockpit-map"]["figure"]["data"][0]["customdata"]  # county level: a ranked bar chart
    ranked = charts["cockpit-topbottom"]["figure"]["data"][0]["customdata"]
    assert charts["cockpit-map-codes"]["data"] == []
    for code in bars + ranked:
        assert county < code < county + 10**6
    periods = charts["cockpit-trend"]["figure"]["data"][0]["customdata"]
    assert periods == app.server.extensions["platform.query"].periods()[-36:]  # the last three years


def test_cockpit004_asset_growth_ranking_and_concentration(app, client_for, sqlite_settings):
    ql = app.server.extensions["platform.query"]
    county = sqlite_settings.demo_county
    scope = Scope(root=county, perms=role_perms("county_admin"), role="county_admin")
    growth = ql.growth(scope, county)
    assert growth.height == ql.tree.children(county).height
    with_data = growth.filter(growth["total_assets_prev"] > 0)
    row = with_data.row(0, named=True)
    assert abs(row["growth"] - (row["total_assets"] / row["total_assets_prev"] - 1)) < 1e-12
    conc = ql.concentration(scope, county)
    assert 0 < conc["top10_share"] <= conc["top14_share"] < 1 and 0 < conc["gini"] < 1
    c = client_for("demo-county")
    resp = dash_post(c, callback_named(app, asset_growth.render), [{"id": "url", "property": "hash", "value": ""}])
    out = resp.get_json()["response"]
    assert "前14%村资产占比" in text_of(out["growth-kpis"]["children"])
    assert text_of(out["growth-concentration"]["children"]).startswith(f"{conc['villages']:,} 个村中")


def test_cockpit005_big_screen_shows_the_users_jurisdiction(app, client_for, sqlite_settings):
    ql = app.server.extensions["platform.query"]
    c = client_for("demo-county")
    resp = dash_post(c, callback_named(app, screen.refresh), [{"id": "url", "property": "hash", "value": ""},
                                                              {"id": "screen-refresh", "property": "n_intervals", "value": 1},
                                                              {"id": "screen-width", "property": "data", "value": 3840}],
                     [{"id": "screen-signature", "property": "data", "value": None}])
    out = resp.get_json()["response"]
    assert ql.tree.name(sqlite_settings.demo_county) in out["screen-title"]["children"]
    assert out["screen-trend-graph"]["figure"]["layout"]["font"]["size"] == 32  # scaled for 4K


def _records(app, client, hash_, kind):
    return dash_post(client, callback_named(app, records.show), [{"id": "url", "property": "hash", "value": hash_},
                                   {"id": "records-kind", "property": "value", "value": kind}])


def test_cockpit006_every_village_figure_links_to_its_records(app, client_for, sqlite_settings):
    ql = app.server.extensions["platform.query"]
    county = sqlite_settings.demo_county
    village = int(ql.state.rollups[5].filter(ql.state.rollups[5]["code"] // 10**6 * 10**6 == county)["code"][0])
    c = client_for("demo-county")
    cards = (dash_post(c, callback_named(app, cockpit.render), [{"id": "url", "property": "hash", "value": f"#region={village}"}])
             .get_json()["response"]["cockpit-kpis-html"]["data"])
    links = [f"/records#region={village}&kind={k}" for k in ("ledger", "resources", "contracts", "trades", "warnings",
                                                               "assets")]
    assert all(html.escape(link) in cards for link in links)  # the cards are HTML: & is &amp;
    assert cards.count('href=') == 12  # all twelve figures
    # the ledger lines behind 货币资金 are cash and bank lines of that village only
    rows = _records(app, c, f"#region={village}&kind=ledger&figure=funds", "ledger").get_json()["response"]
    lines = rows["records-grid"]["rowData"]
    assert lines and {r["account_code"] for r in lines} <= {"101 库存现金", "102 银行存款"} \
        and {r["region_code"] for r in lines} == {village}
    # overdue instalments are overdue, and of the county
    overdue = _records(app, c, f"#region={county}", "overdue").get_json()["response"]["records-grid"]["rowData"]
    today = clock.today().isoformat()  # the query's own clock, not a date that was once today
    assert overdue and all(r["due_on"] < today and r["received_fen"] < r["amount_fen"] for r in overdue)
    assert all(county <= r["region_code"] < county + 10**6 for r in overdue)


def test_cockpit007_records_outside_the_jurisdiction_are_refused(app, client_for, sqlite_settings):
    county = sqlite_settings.demo_county
    c = client_for("demo-county")
    for kind in ("ledger", "assets", "overdue"):
        resp = _records(app, c, f"#region={county + 10**6}", kind)
        assert resp.status_code == 403 and "response" not in (resp.get_json(silent=True) or {})


def test_cockpit008_records_export_is_logged(app, client_for, sqlite_settings):
    county = sqlite_settings.demo_county
    c = client_for("demo-county")
    before = _exports(sqlite_settings, "demo-county")
    resp = dash_post(c, callback_named(app, records.export), [{"id": "records-export", "property": "n_clicks", "value": 1}],
                     [{"id": "url", "property": "hash", "value": f"#region={county}"},
                      {"id": "records-kind", "property": "value", "value": "assets"}])
    wb = openpyxl.load_workbook(io.BytesIO(base64.b64decode(resp.get_json()["response"]["records-download"]["data"]["content"])))
    assert wb.active["A2"].value == "资产编号" and wb.active.max_row > 2
    assert _exports(sqlite_settings, "demo-county") == before + 1


def test_cockpit009_trend_axis_switches_to_yi_yuan_for_province_sized_assets():
    """Eight-digit 万元 ticks crowd the right axis: from 10 亿元 up the assets line is in 亿元,
    with the hover saying so; smaller regions keep 万元."""
    import polars as pl

    from components.dashboards.cockpit import trend_figure

    big = pl.DataFrame({"period": [202601, 202602], "total_income": [10**9, 2 * 10**9], "total_expense": [5, 6],
                        "total_assets": [12_268_300_000_000, 12_300_000_000_000]})  # 1,226.83 亿元 in fen
    fig = trend_figure(big, None)
    assert fig["layout"]["yaxis2"]["title"]["text"] == "资产总额（亿元）"
    assert fig["data"][2]["y"][0] == pytest.approx(1226.83) and "亿元" in fig["data"][2]["hovertemplate"]
    small = big.with_columns(pl.col("total_assets") // 10**6)
    fig = trend_figure(small, None)
    assert fig["layout"]["yaxis2"]["title"]["text"] == "资产总额（万元）" and "万元" in fig["data"][2]["hovertemplate"]


def test_cockpit010_newest_warnings_link_to_handling_only_for_those_who_may_handle(app, client_for, sqlite_settings):
    """The county official (监督预警) opens a warning from the cockpit; the provincial leader, who may
    not open 预警处置, sees the same list without links. Titles are escaped HTML."""
    def panel(username):
        body = dash_post(client_for(username), callback_named(app, cockpit.render),
                         [{"id": "url", "property": "hash", "value": ""}]).get_json()
        return body["response"]["cockpit-warnings-html"]["data"]

    county, leader = panel("demo-county"), panel("demo-province")
    assert county.count('href="/warnings#warning=') == county.count("<tr>") - 1 > 0  # every row but the header
    assert "/warnings#" not in leader and leader.count("<tr>") > 1
    assert "<script" not in county.lower()
