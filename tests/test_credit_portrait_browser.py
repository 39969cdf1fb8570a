"""Browser test of the credit portrait (issue 15, "what it must show"): in headless Chromium the
demo bank opens the portrait of a subject who authorised it (masked), prints it to PDF with the
viewer and time on every page; the subject sees their own portrait with the bank's view in their
access record; a county forestry official sees the portrait in clear. Screenshots in var/screenshots/
(credit-portrait-*.png); no request leaves the origin."""
from __future__ import annotations

import datetime as dt
import unicodedata

import pytest

from tests.support.app import TODAY
from tests.support.browser import SCREENSHOTS, app_on_own_database, fill_date, pick, shot, signed_in_pages, wait_text
from tests.support.credit import authorise
from tests.support.credit_portrait import BANK, NAME, PHONE, portrait_world
from tests.support.pdf_text import page_texts

pytestmark = pytest.mark.browser
WORLD: dict = {}


def prepare(settings):
    WORLD.update(portrait_world(settings))
    authorise(settings, WORLD["sid"], BANK, purpose="mortgage_loan", valid_from=TODAY, valid_until=TODAY + dt.timedelta(days=90))


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    with app_on_own_database(tmp_path_factory, "browser-credit", prepare=prepare,
                             now=lambda: dt.datetime.combine(TODAY, dt.time(4), dt.UTC)) as app:
        yield app


def flat(text: str) -> str:
    """Text as compared with a PDF's: NFKC (the fonts map some characters to radicals, full-width
    brackets to ASCII) and no spaces."""
    return unicodedata.normalize("NFKC", text).replace(" ", "")


def _portrait(page) -> str:
    page.wait_for_selector("#credit-portrait", timeout=20_000)
    page.wait_for_selector("#credit-trend .main-svg", timeout=20_000)
    page.wait_for_selector("#credit-map .main-svg", timeout=20_000)
    return page.inner_text("#credit-portrait")


def test_credit_portrait_browser001_bank_subject_county(served, chromium, tmp_path):
    settings, base = served
    sid, ident = WORLD["sid"], WORLD["ident"]
    with signed_in_pages(chromium, base) as make:
        bank = make("demo-bank")
        errors: list[str] = []
        bank.on("pageerror", lambda e: errors.append(str(e)))
        bank.goto(f"{base}/credit/portraits")
        bank.wait_for_selector("#credit-list-grid .ag-row", timeout=20_000)
        # the demo bank also holds the demo population's authorisations: look the test's subject up by name
        bank.fill("#credit-list-q", NAME)
        bank.click("#credit-list-search")
        mine = (f'#credit-list-grid a[href^="/credit/portrait?subject={sid}&"], '
                f'#credit-list-grid a[href="/credit/portrait?subject={sid}"]')
        bank.wait_for_selector(mine, timeout=20_000)
        assert NAME in bank.inner_text("#credit-list-grid") and ident not in bank.content()
        shot(bank, "credit-portrait-bank-list")
        bank.locator(mine).first.click()
        text = _portrait(bank)
        assert NAME in text and ident[:6] + "********" + ident[-4:] in text and ident not in bank.content()
        assert "139****5678" in text and PHONE not in bank.content() and "过期的轻微处罚" not in text
        assert "查询人：合作金融机构（演示）（合作金融机构）" in text and "（不予开放）" in text
        shot(bank, "credit-portrait-bank")
        header = bank.inner_text("#credit-print-header")
        pdf = tmp_path / "portrait.pdf"
        bank.pdf(path=str(pdf), format="A4", print_background=True)
        pages = page_texts(pdf.read_bytes())
        assert len(pages) >= 2, len(pages)
        at = header.split("查询时间：")[1].split("　")[0]
        for i, t in enumerate(pages):
            compact = flat(t)
            assert flat("查询人：合作金融机构（演示）（合作金融机构）") in compact and flat(at) in compact, (i, t[:300])
        (SCREENSHOTS / "credit-portrait-bank.pdf").write_bytes(pdf.read_bytes())
        assert errors == []

        me = make("credit-me")
        me.goto(f"{base}/credit/me")
        _ = wait_text(me, "#credit-access-body")
        me.wait_for_selector("#credit-access >> text=合作金融机构", timeout=20_000)
        access = me.inner_text("#credit-access")
        assert "合作金融机构（演示）" in access and "林权抵押贷款" in access
        text = _portrait(me)
        assert ident in text and PHONE in text and "过期的轻微处罚" in text
        me.wait_for_selector("#credit-auth-grid .ag-row", timeout=20_000)
        # the subject authorises a second bank through the form
        pick(me, "credit-grant-institution", "另一农商银行")
        pick(me, "credit-grant-purpose", "投保理赔")
        fill_date(me, "#credit-grant-from", TODAY.isoformat())
        fill_date(me, "#credit-grant-until", (TODAY + dt.timedelta(days=60)).isoformat())
        me.click("#credit-grant")
        me.wait_for_selector("#credit-grant-result >> text=已授权", timeout=20_000)
        me.wait_for_function("() => document.querySelectorAll('#credit-auth-grid .ag-center-cols-container .ag-row').length >= 2",
                             timeout=20_000)
        assert "另一农商银行" in me.inner_text("#credit-auth-grid")
        shot(me, "credit-portrait-subject")

        county = make("county-forest")
        county.goto(f"{base}/credit/portrait?subject={sid}")
        text = _portrait(county)
        assert ident in text and "监管查询" in text
        shot(county, "credit-portrait-county")
