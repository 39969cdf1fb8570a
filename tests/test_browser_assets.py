"""Browser test of 资产管理 (issue 5): the village secretary enters an asset card, is refused a
fixed asset below 500 yuan next to the field, then enters it correctly; the database agrees and
the page is screenshotted into var/screenshots/assets.png."""
from __future__ import annotations

from urllib.parse import urlparse

import pytest
from sqlalchemy import func, select

from data.db import transaction
from tests.conftest import PASSWORD, TODAY
from tests.support.browser import fill_date, app_on_own_database, browser, pick, shot, sign_in

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """Its own database (these tests write) and the app served on it."""
    with app_on_own_database(tmp_path_factory, "browser-assets") as app:
        yield app


def test_assets013_the_secretary_enters_an_asset_card(served, tmp_path):
    from data.models import Asset, Attachment

    settings, base = served
    foreign = []
    with browser() as b:
        ctx = b.new_context(viewport={"width": 1600, "height": 1100}, locale="zh-CN")
        page = ctx.new_page()
        page.on("request", lambda r: foreign.append(r.url) if urlparse(r.url).netloc != urlparse(base).netloc
                and not r.url.startswith(("data:", "blob:")) else None)
        sign_in(page, base, "demo-secretary", PASSWORD)
        page.goto(f"{base}/assets")
        page.locator("#assets-grid .ag-center-cols-container .ag-row").first.wait_for()
        with transaction(settings.database_url) as s:
            before = s.scalar(select(func.count()).select_from(Asset))
        page.click("#assets-tabs a.nav-link:has-text('新增/更正')")
        page.wait_for_selector("#assets-card-code", state="visible")
        pick(page, "assets-card-org")
        page.fill("#assets-card-code", "ZC-WEB-001")
        page.fill("#assets-card-name", "村部打印机")
        page.fill("#assets-card-value", "300")
        fill_date(page, "#assets-card-acquired", TODAY.isoformat())
        page.fill("#assets-card-life", "60")
        page.fill("#assets-card-location", "村部办公室")
        page.fill("#assets-card-custodian", "王会计")
        invoice = tmp_path / "发票.pdf"
        invoice.write_bytes(b"%PDF-1.4 printer invoice")
        page.set_input_files("#assets-files input[type=file]", str(invoice))
        page.click("#assets-card-new")
        page.wait_for_function("() => document.querySelector('#assets-card-value-error')?.innerText.length > 0")
        assert "500元以上" in page.inner_text("#assets-card-value-error")
        with transaction(settings.database_url) as s:
            assert s.scalar(select(func.count()).select_from(Asset)) == before
        page.fill("#assets-card-value", "3,200.00")
        page.click("#assets-card-new")
        page.wait_for_function("() => document.querySelector('#assets-card-result')?.innerText.includes('已新增')")
        assert page.inner_text("#assets-card-value-error") == ""
        assert "附件 1 个" in page.inner_text("#assets-card-result")
        with transaction(settings.database_url) as s:
            a = s.scalar(select(Asset).where(Asset.code == "ZC-WEB-001"))
            assert (a.original_value_fen, a.location, a.custodian) == (320_000, "村部办公室", "王会计")
            assert s.scalar(select(func.count()).select_from(Attachment).where(
                Attachment.owner_type == "asset", Attachment.owner_id == a.id)) == 1
            assert s.scalar(select(func.count()).select_from(Asset)) == before + 1
        new_row = page.locator("#assets-grid .ag-center-cols-container .ag-row", has_text="ZC-WEB-001")
        new_row.wait_for()
        new_row.click()  # the new card with its file and history
        page.wait_for_function("() => document.querySelector('#assets-detail h3')?.innerText.length > 0")
        page.wait_for_function("() => document.querySelector('#assets-detail')?.innerText.includes('ZC-WEB-001')")
        assert "发票.pdf" in page.inner_text("#assets-detail-files")
        assert "demo-secretary" in page.inner_text("#assets-detail-history")
        shot(page, "assets")
        ctx.close()
    assert foreign == []
