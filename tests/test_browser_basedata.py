"""The 基础数据 page in headless Chromium (issue 14 items 1–2): a village cashier sees the current
level-1 values, the level-2 figures from the books, the member roll and the chain of changes; a
bad area is refused next to its field; a change is submitted. In a locked county the form is
read-only with the reason. Screenshots: basedata, basedata-locked."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from data.db import transaction
from tests.support.browser import app_on_own_database, shot, wait_text

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    with app_on_own_database(tmp_path_factory, "browser-basedata") as app:
        yield app


def _changes(settings) -> int:
    from data.models import BaseDataChange

    with transaction(settings.database_url) as s:
        return s.scalar(select(func.count()).select_from(BaseDataChange))


def test_browser_basedata001_village_page_shows_values_level2_roll_and_chain(served, page_for):
    settings, base = served
    page = page_for("demo-village")
    page.goto(f"{base}/basedata")
    page.wait_for_function("() => document.querySelector('#bd-value-population')?.innerText.trim().length > 0")
    page.wait_for_function("() => document.querySelector('#bd-level2-total_assets')?.innerText.includes('元')")
    page.locator("#bd-roll .ag-center-cols-container .ag-row").first.wait_for()
    page.wait_for_function("() => document.querySelector('#bd-chain')?.innerText.includes('已实施并备案')")
    assert "乡镇审核" in page.inner_text("#bd-form-title")
    before = _changes(settings)
    page.fill("#bd-forest-mu", "12.345")
    page.fill("#bd-reason", "浏览器测试")
    page.click("#bd-submit")
    assert wait_text(page, "#bd-forest-mu-error") == "面积最多保留两位小数"
    assert _changes(settings) == before
    shot(page, "basedata")


def test_browser_basedata002_locked_county_form_is_read_only_with_the_reason(served, page_for):
    settings, base = served
    page = page_for("demo-township-b")
    page.goto(f"{base}/basedata")
    page.wait_for_function("() => document.querySelector('#bd-locked-badge')?.innerText.includes('锁定')")
    assert page.locator("#bd-submit").is_visible()  # the township may apply for a correction
    assert page.locator("#bd-evidence").is_visible()
    page.wait_for_function("() => document.querySelector('#bd-chain')?.innerText.includes('已撤销')")
    shot(page, "basedata-locked")


def test_browser_basedata003_county_approves_a_correction_and_province_sees_the_locks(served, page_for):
    from data.models import BaseDataChange

    settings, base = served
    page = page_for("demo-county-b")
    page.goto(f"{base}/basedata/review")
    row = page.locator("#bd-queue .ag-center-cols-container .ag-row", has_text="待我审核").first
    row.wait_for()
    row.click()
    page.click("#bd-approve")
    page.wait_for_selector("#bd-decide-modal", state="visible")
    assert "确认审批" in page.inner_text("#bd-decide-title")
    shot(page, "basedata-review")
    page.click("#bd-decide-confirm")
    page.wait_for_function("() => document.querySelector('#bd-review-result')?.innerText.includes('已实施并备案')")
    with transaction(settings.database_url) as s:
        assert s.scalar(select(func.count()).select_from(BaseDataChange).where(
            BaseDataChange.is_correction.is_(True), BaseDataChange.status == "submitted")) == 0
    admin = page_for("demo-admin")
    noise = []
    admin.on("console", lambda m: noise.append(m.text) if m.type in ("warning", "error") else None)
    admin.goto(f"{base}/basedata/trial")
    admin.wait_for_function("() => document.querySelector('#bd-trial-locked')?.innerText.includes('3')")
    admin.locator("#bd-counties .ag-row", has_text="已锁定").first.wait_for()
    shot(admin, "basedata-trial")
    assert noise == []  # e.g. AG Grid's duplicate row ids
