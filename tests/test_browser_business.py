"""Browser tests of the daily-business forms (issue 5): a person fills and submits one form per
function area in headless Chromium, sees the outcome in Chinese, and the database agrees. Each
area's page is screenshotted into var/screenshots/."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from data.db import transaction
from domain import clock
from tests.conftest import TODAY
from tests.support.browser import fill_date, app_on_own_database, count, pick, shot
from tests.support.business import actor

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """Its own database (these tests write) and the app served on it."""
    with app_on_own_database(tmp_path_factory, "browser-business") as app:
        yield app


def test_assets014_disposal_without_resolution_is_refused_on_the_page(served, page_for):
    from data.models import Asset, AssetEvent

    settings, base = served
    page = page_for("demo-secretary")
    page.goto(f"{base}/assets")
    row = page.locator("#assets-grid .ag-center-cols-container .ag-row").first
    row.wait_for()
    before = count(settings, AssetEvent), count(settings, Asset, Asset.status == "disposed")
    row.click()
    page.wait_for_function("() => document.querySelector('#assets-selected')?.innerText.length > 0")
    fill_date(page, "#assets-date", (TODAY - dt.timedelta(days=1)).isoformat())
    page.click("#assets-submit")
    page.wait_for_function("() => document.querySelector('#assets-resolution-error')?.innerText.length > 0")
    assert "决议" in page.inner_text("#assets-resolution-error")
    shot(page, "business-assets")
    assert (count(settings, AssetEvent), count(settings, Asset, Asset.status == "disposed")) == before


def test_trading005_listing_form_lists_a_resource_with_its_resolution(served, page_for):
    from data.contracts.trading import open_resources
    from data.models import CollectiveOrg, Meeting, Resolution, TradeListing

    settings, base = served
    url = settings.database_url
    resource = open_resources(url, actor(settings, "demo-township"))[0]
    with transaction(url) as s:  # the village voted the lease ten days ago
        org = s.get(CollectiveOrg, resource["org_id"])
        held = clock.today() - dt.timedelta(days=10)
        m = Meeting(org_id=org.id, region_code=org.region_code, kind="成员代表会议", title="浏览器测试会议",
                    held_on=held, expected=30, attended=25, agenda="资源出租", status="confirmed")
        s.add(m)
        s.flush()
        s.add(Resolution(meeting_id=m.id, org_id=org.id, number="决议〔2026〕浏览器1号", subject="资源公开出租",
                         decision_type="lease", votes_for=22, votes_against=2, votes_abstain=1, passed=True))
    before = count(settings, TradeListing)
    page = page_for("demo-township")
    page.goto(f"{base}/trading")
    page.wait_for_selector("#list-submit")
    pick(page, "list-resource", resource["label"])
    pick(page, "list-resolution", "浏览器1号")
    page.fill("#list-reserve", "12,000")
    opens = clock.today()
    fill_date(page, "#list-opens", opens.isoformat())
    fill_date(page, "#list-closes", (opens + dt.timedelta(days=20)).isoformat())
    page.click("#list-submit")
    page.wait_for_function("() => document.querySelector('#list-result')?.innerText.length > 0")
    errors = {f: page.inner_text(f"#list-{f}-error")
              for f in ("resource", "kind", "reserve", "term", "resolution", "closes")}
    assert "已挂牌" in page.inner_text("#list-result"), (page.inner_text("#list-result"), errors)
    shot(page, "business-trading")
    assert count(settings, TradeListing) == before + 1
    with transaction(url) as s:
        listing = s.scalar(select(TradeListing).order_by(TradeListing.id.desc()))
        assert listing.reserve_price_fen == 1_200_000 and listing.subject_id == resource["id"]
