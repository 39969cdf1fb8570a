"""Browser test of 会议管理: the village secretary records a representatives' meeting with two
resolutions, its minutes and its sign-in sheet in headless Chromium — first without the sign-in
sheet and short of the quorum (refused next to the fields, nothing written), then in full — and
sees the outcome, the resolutions and the history; the supervisory chair then confirms it."""
from __future__ import annotations

import datetime as dt
import hashlib
from urllib.parse import urlparse

import pytest
from sqlalchemy import func, select

from data.db import transaction
from domain import clock
from tests.conftest import PASSWORD
from tests.support.browser import fill_date, app_on_own_database, browser, pick, shot, sign_in

pytestmark = pytest.mark.browser

MINUTES = b"%PDF-1.4 minutes of the representatives' meeting"
SIGN_IN = b"%PDF-1.4 sign-in sheet of the representatives' meeting"


def on_the_roll(settings):
    """The demo village's roll holds 60 members (40 representatives are due)."""
    from data.models import CollectiveOrg, User
    from tests.support.business import enrol

    with transaction(settings.database_url) as s:
        region = s.scalar(select(User.region_code).where(User.username == "demo-secretary"))
        org_id = s.scalar(select(CollectiveOrg.id).where(CollectiveOrg.region_code == region))
    enrol(settings, org_id, 60)


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """Its own database (these tests write) and the app served on it."""
    with app_on_own_database(tmp_path_factory, "browser-meetings", prepare=on_the_roll) as app:
        yield app


def counts(settings) -> tuple[int, int, int]:
    from data.models import Attachment, Meeting, Resolution

    with transaction(settings.database_url) as s:
        return tuple(s.scalar(select(func.count()).select_from(t)) for t in (Meeting, Resolution, Attachment))


def test_meetings015_secretary_records_a_meeting_in_the_browser(served):
    from data.models import Attachment, Meeting, Resolution

    settings, base = served
    foreign = []
    with browser() as chromium:
        ctx = chromium.new_context(viewport={"width": 1600, "height": 1000}, locale="zh-CN")
        page = ctx.new_page()
        page.on("request", lambda r: foreign.append(r.url) if urlparse(r.url).netloc != urlparse(base).netloc
                and not r.url.startswith(("data:", "blob:")) else None)
        sign_in(page, base, "demo-secretary", PASSWORD)
        page.goto(f"{base}/meetings")
        page.locator("#meetings-grid .ag-center-cols-container .ag-row").first.wait_for()
        page.wait_for_function("() => document.querySelector('#meetings-org')?.innerText !== undefined")

        held = clock.today() - dt.timedelta(days=2)
        pick(page, "meetings-org", "经济合作社")
        page.fill("#meetings-title", "2026年第五次成员代表会议")
        fill_date(page, "#meetings-date", held.isoformat())
        page.fill("#meetings-expected", "40")
        page.fill("#meetings-attended", "26")  # two thirds of 40 is 26.67: 27 must attend
        page.fill("#meetings-agenda", "一、村南鱼塘公开发包；二、2027年发展规划")
        pick(page, "meetings-count", "2 项")
        page.locator("#meetings-r2").wait_for(state="visible")
        for i, (number, subject, kind, votes) in enumerate([
                ("决〔2026〕浏览器1号", "村南鱼塘公开发包", "出租/发包", ("30", "1", "1")),
                ("决〔2026〕浏览器2号", "2027年发展规划", "发展规划", ("25", "5", "2"))], start=1):
            page.fill(f"#meetings-r{i}-number", number)
            page.fill(f"#meetings-r{i}-subject", subject)
            pick(page, f"meetings-r{i}-type", kind)
            for field, value in zip(("for", "against", "abstain"), votes):
                page.fill(f"#meetings-r{i}-{field}", value)
        page.set_input_files("#meetings-minutes input[type=file]",
                             files=[{"name": "会议纪要.pdf", "mimeType": "application/pdf", "buffer": MINUTES}])
        page.wait_for_function("() => document.querySelector('#meetings-minutes-names')?.innerText.includes('会议纪要')")
        before = counts(settings)

        page.click("#meetings-submit")
        page.wait_for_function("() => document.querySelector('#meetings-attended-error')?.innerText.length > 0")
        assert "未达法定人数" in page.inner_text("#meetings-attended-error")
        assert "至少27人" in page.inner_text("#meetings-attended-error")
        assert page.inner_text("#meetings-signin-error") == "成员代表会议须上传签到表"
        assert counts(settings) == before

        page.set_input_files("#meetings-signin input[type=file]",
                             files=[{"name": "签到表.pdf", "mimeType": "application/pdf", "buffer": SIGN_IN}])
        page.wait_for_function("() => document.querySelector('#meetings-signin-names')?.innerText.includes('签到表')")

        page.fill("#meetings-attended", "32")
        page.wait_for_function("() => document.querySelector('#meetings-rule')?.innerText.includes('27票')")
        page.click("#meetings-submit")
        page.wait_for_function("() => document.querySelector('#meetings-result')?.innerText.includes('已登记')")
        result = page.inner_text("#meetings-result")
        assert "决〔2026〕浏览器1号 通过" in result and "决〔2026〕浏览器2号 未通过" in result  # 25 < 27 of 40
        assert page.inner_text("#meetings-attended-error") == ""
        page.wait_for_function("() => document.querySelector('#meetings-minutes-names')?.innerText === ''")
        assert counts(settings) == (before[0] + 1, before[1] + 2, before[2] + 2)
        with transaction(settings.database_url) as s:
            m = s.scalar(select(Meeting).order_by(Meeting.id.desc()))
            assert (m.title, m.held_on, m.expected, m.attended) == ("2026年第五次成员代表会议", held, 40, 32)
            assert [(r.decision_type, r.passed) for r in s.scalars(
                select(Resolution).where(Resolution.meeting_id == m.id).order_by(Resolution.id))] == \
                [("lease", True), ("plan", False)]
            assert m.status == "recorded"
            files = dict(s.execute(select(Attachment.owner_type, Attachment.sha256).where(Attachment.owner_id == m.id,
                                   Attachment.owner_type.in_(["meeting_minutes", "meeting_signin"]))).all())
            assert files == {"meeting_minutes": hashlib.sha256(MINUTES).hexdigest(),
                             "meeting_signin": hashlib.sha256(SIGN_IN).hexdigest()}

        page.locator("#meetings-grid .ag-row", has_text="2026年第五次成员代表会议").first.click()
        page.wait_for_function("() => document.querySelector('#meetings-history')?.innerText.includes('demo-secretary')")
        page.locator("#meetings-res-grid .ag-row", has_text="浏览器2号").first.wait_for()
        assert "会议纪要.pdf" in page.inner_text("#meetings-file-list")
        assert page.input_value("#meetings-edit-title") == "2026年第五次成员代表会议"
        assert page.inner_text("#meetings-grid .ag-row:has-text('2026年第五次成员代表会议')").count("待确认") == 1
        page.evaluate("window.scrollTo(0, 0)")
        shot(page, "meetings")
        ctx.close()

        ctx = chromium.new_context(viewport={"width": 1600, "height": 1000}, locale="zh-CN")
        page = ctx.new_page()
        sign_in(page, base, "demo-supervisor", PASSWORD)
        page.goto(f"{base}/meetings")
        page.locator("#meetings-grid .ag-row", has_text="2026年第五次成员代表会议").first.click()
        page.wait_for_function("() => !document.querySelector('#meetings-confirm-submit')?.disabled")
        page.fill("#meetings-confirm-note", "纪要、签到表与决议核对无误")
        page.click("#meetings-confirm-submit")
        page.wait_for_function("() => document.querySelector('#meetings-confirm-result')?.innerText.includes('已确认')")
        page.wait_for_function("() => document.querySelector('#meetings-confirm-state')?.innerText.includes('确认人')")
        with transaction(settings.database_url) as s:
            assert s.get(Meeting, m.id).status == "confirmed"
        shot(page, "meetings-confirm")
        ctx.close()
    assert foreign == []
