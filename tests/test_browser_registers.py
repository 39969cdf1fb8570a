"""Browser tests of the working-day calendar and the security registers (issue 14, items 7 and
10): the province administrator's deadline trial marks a 2027 deadline provisional before the
2027 schedule is entered; the incident register shows the demo's entries and a selected entry's
trail; a county administrator enrols a device (a bad MAC refused under its field, then a good one).
Screenshots: var/screenshots/admin-calendar.png, register-incidents.png, register-devices.png."""
from __future__ import annotations

import datetime as dt

import pytest

from data.models import RegisterEntry
from tests.support.browser import app_on_own_database, count, fill_date, shot, wait_text

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    with app_on_own_database(tmp_path_factory, "browser-registers") as app:
        yield app


def test_regbrowser001_the_deadline_trial_marks_2027_provisional(served, page_for):
    settings, base = served
    page = page_for("demo-admin")
    page.goto(f"{base}/admin/calendar")
    page.wait_for_selector("#cal-grid .ag-center-cols-container .ag-row")
    fill_date(page, "#cal-trial-start", "2026-12-24")
    page.click("#cal-trial")
    result = wait_text(page, "#cal-trial-result")
    assert "2027-01-08" in result and "暂定：2027 年放假安排尚未发布" in result
    assert "尚未发布" in page.inner_text("#cal-grid")
    assert page.is_visible("#cal-save")
    shot(page, "admin-calendar")


def test_regbrowser002_the_incident_register_shows_entries_and_a_trail(served, page_for):
    settings, base = served
    page = page_for("demo-county")
    page.goto(f"{base}/registers/incidents")
    page.wait_for_selector("#reg-incident-grid .ag-center-cols-container .ag-row")
    page.locator("#reg-incident-grid .ag-center-cols-container .ag-row", has_text="勒索病毒").first.click()
    trail = wait_text(page, "#reg-incident-detail ol")
    assert "逐级上报" in trail and "上报至" in trail and "关闭" in trail
    shot(page, "register-incidents")


def test_regbrowser003_a_county_administrator_enrols_a_device(served, page_for):
    settings, base = served
    page = page_for("demo-county")
    page.goto(f"{base}/registers/devices")
    page.wait_for_selector("#reg-device-grid .ag-center-cols-container .ag-row")
    before = count(settings, RegisterEntry, RegisterEntry.kind == "device")
    for name, value in (("name", "档案室扫描工作站"), ("model", "戴尔 OptiPlex 7090"), ("serial_no", "PC-0090"),
                        ("user_name", "钱档案员"), ("mac", "3C:52:82"), ("location", "县农经站档案室")):
        page.fill(f"#reg-device-enrol-{name}", value)
    page.click("#reg-device-enrol-submit")
    assert "格式应为" in wait_text(page, "#reg-device-enrol-mac-error")
    assert count(settings, RegisterEntry, RegisterEntry.kind == "device") == before
    page.fill("#reg-device-enrol-mac", "3c:52:82:1a:7f:90")
    page.click("#reg-device-enrol-submit")
    page.wait_for_function("() => document.querySelector('#reg-device-enrol-result')?.innerText.includes('已登记')")
    page.wait_for_selector("#reg-device-grid .ag-row:has-text('档案室扫描工作站')")
    assert count(settings, RegisterEntry, RegisterEntry.kind == "device") == before + 1
    shot(page, "register-devices")


def test_regbrowser004_a_warning_due_in_2027_is_marked_provisional_in_the_grid(served, page_for):
    from sqlalchemy import select

    from data.db import transaction
    from data.models import Warning

    settings, base = served
    county = settings.demo_county
    with transaction(settings.database_url) as s:
        w = s.scalar(select(Warning).where(Warning.region_code.between(county, county + 10**6 - 1),
                                           Warning.status != "closed").order_by(Warning.severity.desc(), Warning.id))
        w.due_on = dt.date(2027, 1, 8)
        wid = w.id
    page = page_for("demo-county")
    page.goto(f"{base}/warnings")
    cell = page.locator(f"#warn-grid .ag-row[row-id='{wid}'] [col-id='due_on']")
    cell.wait_for()
    assert cell.inner_text() == "2027-01-08（暂定）"
    shot(page, "warnings-provisional")
