"""数据共享申请 and 数据接口 in headless Chromium (issue 14 item 4): the second provincial
administrator selects the assessed research application, approves it, and the issued key is shown
once in its dialog; 数据接口 lists the keys with their misuse counts and the call log. Screenshots in
var/screenshots/data-api/."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from tests.conftest import TODAY
from tests.support.browser import SCREENSHOTS, app_on_own_database, signed_in_pages, wait_text

pytestmark = pytest.mark.browser
SHOTS = SCREENSHOTS / "data-api"


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    with app_on_own_database(tmp_path_factory, "browser-data-api",
                             now=lambda: dt.datetime.combine(TODAY, dt.time(4), tzinfo=dt.UTC)) as served:
        yield served


def shot(page, name: str) -> Path:
    SHOTS.mkdir(parents=True, exist_ok=True)
    path = SHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def test_browser_data_api001_approve_shows_the_key_once_and_the_keys_page_shows_misuse(served, chromium):
    settings, base = served
    with signed_in_pages(chromium, base) as make:
        page = make("demo-admin-b")
        page.goto(f"{base}/admin/data-requests")
        page.wait_for_selector("#dreq-grid .ag-row")
        shot(page, "applications")
        page.locator("#dreq-grid .ag-row", has_text="农业科学院").first.click()
        assert "村级集体经济发展水平研究" in wait_text(page, "#dreq-detail dl")
        shot(page, "detail")
        page.click("#dreq-approve")
        page.wait_for_selector("#dreq-decide-modal .modal-title:has-text('确认审批')")
        page.click("#dreq-decide-confirm")
        key = wait_text(page, "#dreq-key")
        assert key.startswith("njk_")
        shot(page, "key-once")
        page.click("#dreq-key-close")
        page.wait_for_selector("#dreq-key-modal", state="hidden")
        assert page.locator("#dreq-key").count() == 0 or page.inner_text("#dreq-key") == ""
        assert key not in page.content()
        resp = page.request.get(f"{base}/api/v1/datasets/resources?limit=2", headers={"Authorization": f"Bearer {key}"})
        assert resp.status == 200 and len(resp.json()["rows"]) == 2
        admin = make("demo-admin")
        admin.goto(f"{base}/admin/data-api")
        admin.wait_for_selector("#dapi-keys .ag-row")
        admin.wait_for_selector("#dapi-calls .ag-row")
        assert "已吊销" in admin.inner_text("#dapi-keys") and "越权" in admin.inner_text("#dapi-calls")
        shot(admin, "keys-and-calls")
