"""Read-only means read-only (issue 13, item 7), in headless Chromium: every demo user opens every
page of the navigation; no response is a refusal (no callback the role may not run is asked for
in the background), and every visible, enabled button of the page is one whose callback the role
may run (a button whose every callback is refused to the role would be a dead, live-looking form).
A section the role may not act in says why (您的角色无权…). Also the approvals of item 6 as a person
meets them: 驳回 asks first (确认驳回, the opinion required) and the history shows the rejection
with its opinion. Screenshots in var/screenshots/approvals/."""
from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pytest

from tests.conftest import TODAY
from tests.support.browser import SCREENSHOTS, app_on_own_database, wait_text
from tests.support.funds import actor, draft, village_org

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

SHOTS = Path(os.environ.get("APPROVAL_SHOTS") or SCREENSHOTS / "approvals")
USERS = ["demo-province", "demo-admin", "demo-city", "demo-county", "demo-township", "demo-township-head",
         "demo-secretary", "demo-supervisor", "demo-village", "demo-bank", "demo-member"]
PURPOSE = "购买村部打印机（驳回测试）"
#: the visible, enabled buttons of the page content (tabs, grids and dialogs aside): their ids
BUTTONS = """() => Array.from(document.querySelectorAll('#_pages_content button[id]'))
  .filter(b => b.offsetParent !== null && !b.disabled && !b.closest('.ag-root') && !b.closest('.modal'))
  .map(b => b.id)"""


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


def _button_actions() -> dict[str, list[tuple]]:
    """button id -> the actions of each callback it triggers (from the callback registry)."""
    from dash.dependencies import handle_callback_args

    from server.callbacks import SPECS

    out: dict[str, list[tuple]] = {}
    for spec in SPECS:
        for i in handle_callback_args(spec.args, spec.kwargs)[1]:
            if i.component_property == "n_clicks" and isinstance(i.component_id, str):
                out.setdefault(i.component_id, []).append(spec.actions)
    return out


def _pages(scope) -> list[str]:
    import dash

    from server.guard import may_open

    return [p["path"] for p in dash.page_registry.values()
            if p.get("nav", True) and "<" not in p["path"] and p["path"] not in ("/screen", "/404") and may_open(p, scope)]


def test_readonly001_no_role_meets_a_refusal_or_a_dead_button_on_a_page_it_may_open(served, page_for):
    from domain.permissions import allowed

    settings, base = served
    buttons = _button_actions()
    checked = 0
    for username in USERS:
        scope = actor(settings, username).scope
        page = page_for(username)
        refused: list = []
        page.on("response", lambda r, seen=refused: seen.append((r.status, r.url, (r.request.post_data or "")[:200]))
                if r.status >= 400 else None)
        for path in _pages(scope):
            page.goto(f"{base}{path}")
            page.wait_for_load_state("networkidle")
            page.wait_for_timeout(300)
            tabs = page.locator("#_pages_content .nav-tabs .nav-link:visible").element_handles()
            for tab in [None, *tabs]:
                if tab is not None and tab.is_visible():
                    tab.click()
                    page.wait_for_load_state("networkidle")
                for bid in page.evaluate(BUTTONS):
                    if bid in buttons:
                        assert any(allowed(scope, acts) for acts in buttons[bid]), (username, path, bid)
                        checked += 1
            assert refused == [], (username, path, refused)
    assert checked > 20


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
