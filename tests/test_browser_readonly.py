"""Read-only means read-only (issue 13, item 7), in headless Chromium: a section the role may not
act in says why (您的角色无权…). (That no role meets a refusal or a live button whose every
callback it is refused, on every tab of every page of its navigation, is checked by the Jilin walk:
tests/test_browser_walk.py.) Also the approvals of item 6 as a person meets them: 驳回 asks first
(确认驳回, the opinion required) and the history shows the rejection with its opinion. Screenshots
in var/screenshots/approvals/."""
from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pytest

from tests.conftest import TODAY
from tests.support.browser import SCREENSHOTS, app_on_own_database, wait_text
from tests.support.funds import actor, draft, village_org

pytestmark = pytest.mark.browser

SHOTS = Path(os.environ.get("APPROVAL_SHOTS") or SCREENSHOTS / "approvals")
PURPOSE = "购买村部打印机（驳回测试）"


def _one_request(settings) -> None:
    from data.funds import requests as funds

    bank = village_org(settings, actor(settings, "demo-village").scope.root)[1]
    funds.submit(settings.database_url, settings.audit_key, actor(settings, "demo-village"), None,
                 draft(bank, purpose=PURPOSE), TODAY)


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """Its own database (a request is rejected) with one request waiting for the secretary; (settings, base)."""
    with app_on_own_database(tmp_path_factory, "browser-readonly", _one_request,
                             now=lambda: dt.datetime.combine(TODAY, dt.time(4), tzinfo=dt.UTC)) as served:
        yield served


def shot(page, name: str) -> Path:
    SHOTS.mkdir(parents=True, exist_ok=True)
    path = SHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def test_readonly002_the_supervisory_chair_sees_the_asset_forms_read_only_with_the_reason(served, page_for):
    settings, base = served
    page = page_for("demo-supervisor")
    page.goto(f"{base}/assets")
    page.wait_for_load_state("networkidle")
    note = wait_text(page, "#assets-act-form-note")
    assert note.startswith("您的角色无权处置资产")
    assert not page.is_visible("#assets-submit") and not page.is_visible("#assets-action")
    shot(page, "readonly-supervisor-assets")
    page.goto(f"{base}/trading")
    assert wait_text(page, "#trade-list-form-note").startswith("您的角色无权产权交易挂牌")
    assert not page.is_visible("#list-submit") and not page.is_visible("#bid-submit")


def _select(page, text: str) -> None:
    page.locator("#funds-grid .ag-row", has_text=text).first.click()


def test_readonly003_a_rejection_asks_first_needs_its_opinion_and_shows_it_in_the_history(served, page_for):
    settings, base = served
    page = page_for("demo-secretary")
    page.goto(f"{base}/funds")
    page.wait_for_selector("#funds-decide-tools:not([hidden])")
    page.locator("#funds-grid .ag-row", has_text=PURPOSE).first.wait_for()
    _select(page, PURPOSE)
    page.click("#funds-reject")
    page.wait_for_selector("#funds-decide-modal .modal-title:has-text('确认驳回')")
    page.click("#funds-decide-confirm")  # no opinion: refused in the dialog, nothing written
    assert wait_text(page, "#funds-decide-opinion-error") == "驳回须填写审批意见（驳回理由）"
    page.fill("#funds-decide-opinion", "报价单未附，请补充三家比价材料后重新申请")
    shot(page, "confirm-reject-dialog")
    page.click("#funds-decide-confirm")
    page.wait_for_function("() => document.querySelector('#funds-action-result')?.innerText.includes('已驳回')")
    page.locator("#funds-grid .ag-row", has_text="已驳回").first.wait_for()
    _select(page, PURPOSE)
    page.wait_for_function("() => document.querySelector('#funds-detail-history')?.innerText.includes('驳回')")
    history = page.inner_text("#funds-detail-history")
    assert "驳回" in history and "审批意见：报价单未附" in history and "修改" not in history
    shot(page, "rejection-with-opinion")
