"""Browser tests in headless Chromium: what a person sees after signing in."""
from __future__ import annotations

from urllib.parse import urlparse

import pytest

from tests.support.app import PASSWORD
from tests.support.browser import browser, serve, shot, sign_in

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def base(app):
    with serve(app.server) as url:
        yield url


def nav_texts(page) -> list[str]:
    from tests.support.browser import nav_links

    return [t.strip() for t in nav_links(page, "text")]


def test_browser001_three_roles_see_three_navigations_of_exactly_their_pages(base, sqlite_settings):
    import dash

    from domain.permissions import Scope, role_perms
    from server.guard import may_open

    roles = {"demo-admin": "province_admin", "demo-province": "province_leader", "demo-member": "member"}
    seen, expected, foreign = {}, {}, []
    with browser() as b:
        for username, role in roles.items():
            ctx = b.new_context(viewport={"width": 1440, "height": 900}, locale="zh-CN")
            page = ctx.new_page()
            page.on("request", lambda r: foreign.append(r.url) if urlparse(r.url).netloc != urlparse(base).netloc
                    and not r.url.startswith("data:") else None)
            sign_in(page, base, username, PASSWORD)
            seen[username] = sorted(nav_texts(page))
            scope = Scope(root=22 * 10**10, perms=role_perms(role), role=role)
            expected[username] = sorted(p["name"] for p in dash.page_registry.values()
                                        if may_open(p, scope) and p.get("nav", True))
            shot(page, f"home-{username}")
            ctx.close()
    assert seen == expected
    assert len({tuple(v) for v in seen.values()}) == 3  # three roles, three different navigations
    assert "账号管理" in seen["demo-admin"] and "账号管理" not in seen["demo-province"]
    assert "驾驶舱" in seen["demo-province"] and "驾驶舱" not in seen["demo-member"]
    assert foreign == []  # offline by design: nothing is fetched from another origin


def test_browser002_cockpit_renders_query_layer_figures_and_drills_down(base, app, sqlite_settings):
    from domain.money import money_auto
    from domain.permissions import Scope, role_perms

    ql = app.server.extensions["platform.query"]
    county = sqlite_settings.demo_county
    scope = Scope(root=county, perms=role_perms("county_admin"), role="county_admin")
    expected = money_auto(ql.kpis(scope, county)["total_assets"])[0]
    with browser() as b:
        page = b.new_page(viewport={"width": 1440, "height": 1000}, locale="zh-CN")
        sign_in(page, base, "demo-county", PASSWORD)
        page.goto(f"{base}/cockpit")
        page.wait_for_selector("#kpi-total_assets-value")
        assert page.inner_text("#kpi-total_assets-value") == expected
        shot(page, "cockpit-county")
        page.wait_for_selector("#children-table .ag-pinned-left-cols-container .ag-cell[col-id='name']")
        first = page.locator("#children-table .ag-pinned-left-cols-container .ag-cell[col-id='name']").first
        name = first.inner_text()
        first.click()
        page.wait_for_function("n => document.querySelector('#breadcrumb-current')?.innerText === n", arg=name)
        assert "region=" in page.url
        page.click(f"#crumb-{county}")
        page.wait_for_function("n => document.querySelector('#breadcrumb-current')?.innerText === n",
                               arg=ql.tree.name(county))
        # at village level a figure's card opens the records behind it, inside the app (no reload)
        village = int(ql.state.rollups[5].filter(ql.state.rollups[5]["code"] // 10**6 * 10**6 == county)["code"][0])
        page.goto(f"{base}/cockpit#region={village}")
        page.wait_for_selector("#kpi-funds-link")
        page.evaluate("window.__same_document = true")
        page.click("#kpi-funds-link")
        page.wait_for_selector("#records-grid .ag-center-cols-container .ag-row")
        assert "/records#" in page.url and f"region={village}" in page.url and "figure=funds" in page.url
        assert page.evaluate("window.__same_document === true")


def _export_count(settings) -> int:
    from sqlalchemy import text

    from data.db import engine_for

    with engine_for(settings.database_url).connect() as c:
        return c.execute(text("SELECT COUNT(*) FROM audit_log WHERE type = 'export' AND actor = 'demo-province'")).scalar()


def _record_foreign(page, base, sink):
    page.on("request", lambda r: sink.append(r.url) if urlparse(r.url).netloc != urlparse(base).netloc
            and not r.url.startswith(("data:", "blob:")) else None)


def test_browser003_province_leader_cockpit_map_drill_and_climb_back(base, app, sqlite_settings):
    from domain.money import money_auto
    from domain.permissions import Scope, role_perms

    ql = app.server.extensions["platform.query"]
    root = sqlite_settings.province * 10**10
    scope = Scope(root=root, perms=role_perms("province_leader"), role="province_leader")
    k = ql.kpis(scope, root)
    city = sqlite_settings.demo_county // 10**8 * 10**8
    foreign = []
    with browser() as b:
        page = b.new_page(viewport={"width": 1600, "height": 1000}, locale="zh-CN")
        _record_foreign(page, base, foreign)
        sign_in(page, base, "demo-province", PASSWORD)
        page.goto(f"{base}/cockpit")
        page.wait_for_selector("#kpi-total_assets-value")
        assert page.inner_text("#kpi-total_assets-value") == money_auto(k["total_assets"])[0]
        assert page.inner_text("#kpi-warnings-value") == f"{k['warnings_open']:,}"
        page.wait_for_selector("#cockpit-map .scatterlayer .trace")
        assert page.locator("#cockpit-map .scatterlayer .trace").count() >= 9  # the province's cities
        shot(page, "cockpit-province")
        # a chart downloaded as PNG from the modebar is written to the security log
        exports = _export_count(sqlite_settings)
        page.hover("#cockpit-trend .main-svg")
        with page.expect_download():
            page.click("#cockpit-trend .modebar-btn[data-title*='PNG'], #cockpit-trend .modebar-btn[data-title*='png']")
        page.wait_for_timeout(500)
        assert _export_count(sqlite_settings) == exports + 1
        # a click on a city of the map drills into it (the first trace is the first city by code)
        first_city = int(ql.tree.children(root)["code"][0])
        box = page.locator("#cockpit-map .scatterlayer .trace").nth(0).locator("path.js-fill").bounding_box()
        page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
        page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
        page.wait_for_function("n => document.querySelector('#breadcrumb-current')?.innerText === n",
                               arg=ql.tree.name(first_city))
        page.click(f"#crumb-{root}")
        page.wait_for_function("n => document.querySelector('#breadcrumb-current')?.innerText === n",
                               arg=ql.tree.name(root))
        page.wait_for_selector(f"#children-table .ag-row[row-id='{city}']")
        page.click(f"#children-table .ag-pinned-left-cols-container .ag-row[row-id='{city}'] .ag-cell[col-id='name']")
        page.wait_for_function("n => document.querySelector('#breadcrumb-current')?.innerText === n",
                               arg=ql.tree.name(city))
        kids = ql.children(scope, city)
        page.wait_for_function("n => document.querySelectorAll('#children-table .ag-center-cols-container .ag-row').length === n",
                               arg=kids.height)
        page.click(f"#crumb-{root}")  # and back up
        page.wait_for_function("n => document.querySelector('#breadcrumb-current')?.innerText === n",
                               arg=ql.tree.name(root))
        page.goto(f"{base}/asset-growth")
        page.wait_for_selector("#growth-total-value")
        page.wait_for_selector("#growth-concentration-text")
        shot(page, "asset-growth-province")
        page.goto(f"{base}/screen")
        page.wait_for_selector("#screen-kpi-total_assets")
        assert page.inner_text("#screen-kpi-total_assets") == money_auto(k["total_assets"])[0]
        shot(page, "screen-province")
    assert foreign == []
