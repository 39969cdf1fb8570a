"""Browser test of 信用修复 (/credit/repair): the subject sees their application and the apply form
only; the data unit selects the application, sees its evidence, approves it (the score rises), and
runs 全量重新评价 with its progress bar to the result line. Screenshots in the path `shot()` uses."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from data.db import reading, transaction
from data.models import CollectiveOrg, CreditRecord, CreditSubject, User
from tests.conftest import PASSWORD
from tests.support.app import TODAY
from tests.support.browser import app_on_own_database, browser, shot, sign_in

pytestmark = pytest.mark.browser

NOW = dt.datetime(2026, 11, 22, 4, 0, tzinfo=dt.UTC)


def _prepare(settings):
    from data.credit import repair
    from data.credit.evaluate import reevaluate
    from domain.credit.publicity import publicity_end
    from domain.regions import truncate
    from tests.support.business import actor, user_at
    from tests.support.credit import make_record, make_subject

    with reading(settings.database_url) as s:
        village = int(s.scalar(select(CollectiveOrg.region_code).order_by(CollectiveOrg.region_code).limit(1)))
    me = make_subject(settings, village, name="张林生")
    decided = TODAY - dt.timedelta(days=420)
    rec = make_record(settings, me, "dishonest", decided, title="违法采伐林木行政处罚", severity="serious",
                      subtype="admin_penalty", publicity_until=publicity_end("serious", decided))
    make_record(settings, me, "good", TODAY - dt.timedelta(days=60), title="护林防火先进个人", subtype="commendation")
    user_at(settings, "br-subject", "credit_subject", village)
    user_at(settings, "br-deputy", "credit_deputy", truncate(village, 1))
    with transaction(settings.database_url) as s:
        s.scalar(select(User).where(User.username == "br-subject")).credit_subject_id = me
        reevaluate(s, [me], TODAY, "batch")
    repair.apply(settings.database_url, settings.audit_key, actor(settings, "br-subject"), rec,
                 "已缴清罚款并按要求补种林木 30 亩", [("补种验收单.pdf", b"%PDF-1.4 evidence")], TODAY)


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    with app_on_own_database(tmp_path_factory, "browser-credit-repair", prepare=_prepare, now=lambda: NOW) as app:
        yield app


def test_credit_repair_browser001_subject_applies_data_unit_decides_and_reevaluates(served):
    settings, base = served
    with browser() as b:
        page = b.new_context(viewport={"width": 1440, "height": 1000}, locale="zh-CN").new_page()
        errors: list[str] = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        sign_in(page, base, "br-subject", PASSWORD)
        page.goto(f"{base}/credit/repair")
        page.wait_for_selector("#cr-grid .ag-row", timeout=20_000)
        assert "违法采伐林木行政处罚" in page.inner_text("#cr-grid")
        assert page.locator("#cr-apply-tools").is_visible() and not page.locator("#cr-decide-tools").is_visible()
        assert not page.locator("#cr-eval-tools").is_visible()
        shot(page, "credit-repair-subject")

        page = b.new_context(viewport={"width": 1440, "height": 1000}, locale="zh-CN").new_page()
        page.on("pageerror", lambda e: errors.append(str(e)))
        sign_in(page, base, "br-deputy", PASSWORD)
        page.goto(f"{base}/credit/repair")
        page.wait_for_selector("#cr-grid .ag-row", timeout=20_000)
        page.locator("#cr-grid .ag-row").first.click()
        page.locator("#cr-selected", has_text="申请 #").wait_for(timeout=20_000)
        assert "补种验收单.pdf" in page.inner_text("#cr-decide-tools")
        page.locator("#cr-preview-line", has_text="批准后").wait_for(timeout=20_000)
        shot(page, "credit-repair-decide")
        with reading(settings.database_url) as s:
            before = s.scalar(select(CreditSubject.score).where(CreditSubject.name == "张林生"))
        page.click("#cr-approve")
        page.locator("#cr-decide-result", has_text="已批准信用修复").wait_for(timeout=20_000)
        shot(page, "credit-repair-approved")
        with reading(settings.database_url) as s:
            after = s.scalar(select(CreditSubject.score).where(CreditSubject.name == "张林生"))
            assert s.scalar(select(CreditRecord.status).where(CreditRecord.title == "违法采伐林木行政处罚")) == "repaired"
        assert after > before
        page.click("#cr-eval-run")
        page.locator("#cr-eval-result", has_text="已重新评价").wait_for(timeout=120_000)
        assert "信用主体" in page.inner_text("#cr-eval-result")
        shot(page, "credit-repair-reevaluated")
        assert errors == []
