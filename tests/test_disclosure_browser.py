"""Browser test of 阳光公开 for the village and township: the township head opens /disclosure, lists
the disclosures awaiting the township (民主理财小组已审核), opens one, approves it through the
decision dialog; the township accountant (who keeps the village's books) then publishes it. Screenshots looked at."""
from __future__ import annotations

import pytest
from data.db import transaction
from data.models import Disclosure
from tests.conftest import PASSWORD
from tests.support.browser import app_on_own_database, browser, pick, shot, sign_in

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    with app_on_own_database(tmp_path_factory, "browser-disclosure") as app:
        yield app


def rows_in_state(page, label: str) -> None:
    """Wait until the grid shows only rows in state `label` (the filter's answer, not the rows
    drawn before it)."""
    page.wait_for_function(
        """label => { const cells = [...document.querySelectorAll(
               '#disc-grid .ag-center-cols-container .ag-row [col-id=state_label]')];
               return cells.length > 0 && cells.every(c => c.innerText.trim() === label); }""",
        arg=label, timeout=20_000)


def test_disclosure_browser001_the_township_approves_and_the_village_publishes(served):
    settings, base = served
    with browser() as b:
        ctx = b.new_context(viewport={"width": 1440, "height": 900}, locale="zh-CN")
        page = ctx.new_page()
        sign_in(page, base, "demo-township-head", PASSWORD)
        page.goto(f"{base}/disclosure")
        pick(page, "disc-state", "民主理财小组已审核")
        rows_in_state(page, "民主理财小组已审核")
        first = page.locator("#disc-grid .ag-center-cols-container .ag-row").first
        title, did = first.locator("[col-id=title]").inner_text(), int(first.get_attribute("row-id"))
        first.click()
        page.wait_for_selector("#disc-detail-title", timeout=15_000)
        assert page.inner_text("#disc-detail-title") == title
        assert page.is_enabled("#disc-approve") and not page.is_enabled("#disc-publish")
        shot(page, "disclosure-township")
        page.click("#disc-approve")
        page.wait_for_selector("#disc-decide-modal", state="visible")
        page.fill("#disc-decide-opinion", "同意公开")
        page.click("#disc-decide-confirm")
        page.wait_for_selector("text=乡镇已审核同意，可以公开", timeout=15_000)
        ctx.close()
        with transaction(settings.database_url) as s:
            d = s.get(Disclosure, did)
            assert (d.state, d.decision_opinion) == ("approved", "同意公开")
        ctx = b.new_context(viewport={"width": 1440, "height": 900}, locale="zh-CN")
        page = ctx.new_page()
        sign_in(page, base, "demo-township", PASSWORD)  # the township accountant keeps the books of the village
        page.goto(f"{base}/disclosure")
        pick(page, "disc-state", "乡镇已审核同意")
        rows_in_state(page, "乡镇已审核同意")
        page.locator(f"#disc-grid .ag-row[row-id='{did}']").click()
        page.wait_for_selector("#disc-detail-title", timeout=15_000)
        page.click("#disc-publish")
        page.wait_for_selector("text=已公开，成员可在", timeout=15_000)
        shot(page, "disclosure-village")
        ctx.close()
    with transaction(settings.database_url) as s:
        assert s.get(Disclosure, did).state == "published"
