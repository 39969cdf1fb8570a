"""Browser: the forestry bureau lands on 信用统计, sees its charts and table, drills down; the
grouped navigation opens from the keyboard."""
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


def test_credit_browser001_statistics_page_and_drill_down(base, sqlite_settings):
    foreign = []
    with browser() as b:
        page = b.new_context(viewport={"width": 1440, "height": 1000}, locale="zh-CN").new_page()
        page.on("request", lambda r: foreign.append(r.url) if urlparse(r.url).netloc != urlparse(base).netloc
                and not r.url.startswith(("data:", "blob:")) else None)
        sign_in(page, base, "demo-forestry", PASSWORD)
        page.wait_for_url("**/credit/stats")
        page.wait_for_selector("#cst-table .ag-cell[col-id='name']", timeout=30_000)
        page.wait_for_selector("#cst-grade-region .barlayer .point", state="attached", timeout=30_000)
        assert "户/个" in page.inner_text("#cst-kpis")
        shot(page, "credit-stats-province")
        page.locator("#cst-table .ag-row .ag-cell[col-id='name']").first.click()
        page.wait_for_function("() => location.hash.includes('region=')")
        page.wait_for_selector("#breadcrumb-current", timeout=20_000)
        shot(page, "credit-stats-drilled")
    assert foreign == []


def test_credit_browser002_navigation_groups_open_from_the_keyboard(base):
    with browser() as b:
        page = b.new_context(viewport={"width": 1440, "height": 900}, locale="zh-CN").new_page()
        sign_in(page, base, "demo-admin", PASSWORD)
        toggle = page.locator("#app-nav .dropdown-toggle", has_text="平台管理")
        toggle.focus()
        page.keyboard.press("Enter")
        page.wait_for_selector("#nav-users", state="visible", timeout=10_000)
        page.keyboard.press("Escape")
        page.locator("#app-nav .dropdown-toggle", has_text="平台管理").click()
        page.locator("#nav-users").click()
        page.wait_for_url("**/admin/users")
        page.wait_for_function("() => document.querySelector('#app-nav .dropdown-toggle.active') !== null")
        assert "平台管理" in page.inner_text("#app-nav .dropdown-toggle.active")
        shot(page, "credit-nav-groups")
