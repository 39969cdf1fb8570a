"""Browser test of the members' portal (issue 14, "what it must show"): the demo member signs in
in headless Chromium, lands on their own portal — their name, shares, distributions, their
village's published disclosures with charts — sees other people only masked (张*, 110***…), asks
a question and sees it kept; on a 390-px phone screen as on a desktop."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from data.db import transaction
from data.models import CollectiveOrg, DisclosureQuestion, Household, Member, User
from domain.privacy import portal_name
from tests.conftest import PASSWORD
from tests.support.browser import app_on_own_database, browser, pick, shot, sign_in

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    with app_on_own_database(tmp_path_factory, "browser-portal") as app:
        yield app


def people(settings):
    with transaction(settings.database_url) as s:
        u = s.scalar(select(User).where(User.username == "demo-member"))
        me = s.get(Member, u.member_id)
        others = s.execute(select(Member.name, Member.id_number, Member.is_official)
                           .where(Member.org_id == me.org_id, Member.id != me.id)).all()
        heads = s.execute(select(Household.head_name, Household.head_id_number).where(Household.org_id == me.org_id)).all()
        elsewhere = s.scalars(select(Member.name).join(CollectiveOrg, CollectiveOrg.id == Member.org_id)
                              .where(CollectiveOrg.id != me.org_id).limit(200)).all()
        return me.name, me.shares, [(n, i) for n, i, _ in others] + [tuple(h) for h in heads], \
            [n for n, _, o in others if o], list(elsewhere)


def test_portal_browser001_the_member_sees_only_their_own_and_asks(served):
    settings, base = served
    name, shares, others, officials, elsewhere = people(settings)
    with browser() as b:
        for width, height, label in ((1440, 900, "desktop"), (390, 844, "phone")):
            ctx = b.new_context(viewport={"width": width, "height": height}, locale="zh-CN",
                                device_scale_factor=1, is_mobile=width < 500, has_touch=width < 500)
            page = ctx.new_page()
            errors: list[str] = []
            page.on("pageerror", lambda e, seen=errors: seen.append(str(e)))
            sign_in(page, base, "demo-member", PASSWORD)
            assert page.url.endswith("/portal")
            page.wait_for_selector("#portal-me dd", timeout=20_000)
            page.wait_for_selector("#portal-dist-chart .bars path, #portal-dist-chart .point", timeout=20_000)
            body = page.inner_text("body")
            assert f"{name}，您好" in body and f"{shares} 股" in body
            nav = [t.strip() for t in page.locator("#app-nav a").all_inner_texts()]
            assert nav == ["我的权益", "账号与安全"] or nav[0] == "我的权益" and len(nav) == 2, nav
            html = page.content()
            for other, number in others:
                if other and other != name:
                    assert other not in html, other
                if number:
                    assert number not in html
            assert any(portal_name(o) in body for o in officials)  # shown, masked
            assert re.search(r"\d{3}\*{11}[0-9X]{4}", body)  # the member's own ID, masked
            assert not [n for n in elsewhere if n in html and n != name]
            if width < 500:  # nothing wider than the phone
                assert page.evaluate("document.documentElement.scrollWidth") <= width + 1
            page.locator("#portal-accordion .accordion-button").first.click()
            page.wait_for_timeout(300)
            shot(page, f"portal-{label}")
            if label == "desktop":
                pick(page, "portal-ask-disclosure", "第3季度")
                page.fill("#portal-ask-text", "今年的公益支出主要用在哪里？")
                page.click("#portal-ask")
                page.wait_for_selector("text=问题已提交", timeout=15_000)
                page.wait_for_selector("#portal-questions >> text=今年的公益支出主要用在哪里？", timeout=15_000)
            assert errors == []
            ctx.close()
    with transaction(settings.database_url) as s:
        assert s.scalar(select(DisclosureQuestion).where(DisclosureQuestion.question == "今年的公益支出主要用在哪里？"))
