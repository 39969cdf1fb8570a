"""Browser tests of 资源管理 and 合同管理 (issue 5 items 3 and 4): a village secretary registers a
resource and signs a contract with its scan in headless Chromium, sees the outcome in Chinese, and
the database agrees; no request leaves the app's origin. Screenshots: resources, contracts,
contracts-due."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from data.db import transaction
from domain import clock
from tests.support.browser import fill_date, app_on_own_database, count, pick, shot, wait_text
from tests.support.business import GOOD_ID

pytestmark = pytest.mark.browser

@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """Its own database (these tests write) and the app served on it."""
    with app_on_own_database(tmp_path_factory, "browser-contracts") as app:
        yield app


def test_contracts018_resource_form_registers_a_resource(served, page_for):
    from data.models import Resource

    settings, base = served
    page = page_for("demo-secretary")
    page.goto(f"{base}/resources")
    page.locator("#res-grid .ag-center-cols-container .ag-row").first.wait_for()
    before = count(settings, Resource)
    pick(page, "res-org", "合作社")
    page.fill("#res-name", "浏览器测试东大地")
    pick(page, "res-type", "园地")
    page.fill("#res-area", "36.1234567")
    page.fill("#res-location", "3组村东")
    page.click("#res-create")
    assert wait_text(page, "#res-area-error") == "面积最多4位小数"  # said next to the field; nothing written
    assert count(settings, Resource) == before
    page.fill("#res-area", "36.125")
    page.click("#res-create")
    page.wait_for_function("() => document.querySelector('#res-result')?.innerText.includes('已登记资源')")
    assert page.inner_text("#res-area-error") == ""
    page.locator("#res-grid .ag-row", has_text="浏览器测试东大地").first.wait_for()
    page.locator("#res-grid .ag-row", has_text="浏览器测试东大地").first.click()
    page.wait_for_function("() => document.querySelector('#res-history')?.innerText.includes('新建')")
    shot(page, "resources")
    assert count(settings, Resource) == before + 1
    with transaction(settings.database_url) as s:
        r = s.scalar(select(Resource).order_by(Resource.id.desc()).limit(1))
        assert (r.name, r.type, str(r.area_mu), r.location, r.contracted) == \
            ("浏览器测试东大地", "园地", "36.1250", "3组村东", False)


def test_contracts019_contract_form_signs_a_contract_with_its_scan(served, page_for):
    from data.models import Attachment, CollectiveOrg, Contract, ContractInstalment, Meeting, Resolution, Resource, User

    settings, base = served
    url = settings.database_url
    today = clock.today()
    with transaction(url) as s:  # the village voted to contract the land out ten days ago
        u = s.scalar(select(User).where(User.username == "demo-secretary"))
        org = s.scalar(select(CollectiveOrg).where(CollectiveOrg.region_code == u.region_code))
        res = Resource(org_id=org.id, region_code=org.region_code, name="浏览器发包地", type="耕地", area_mu=120,
                       contracted=False)
        s.add(res)
        m = Meeting(org_id=org.id, region_code=org.region_code, kind="成员代表会议", title="浏览器测试会议",
                    held_on=today - dt.timedelta(days=10), expected=30, attended=25, agenda="集体土地发包",
                    status="confirmed")
        s.add(m)
        s.flush()
        s.add(Resolution(meeting_id=m.id, org_id=org.id, number="决议〔2026〕合同1号", subject="集体土地公开发包",
                         decision_type="lease", votes_for=22, votes_against=2, votes_abstain=1, passed=True))
        resource_id = res.id
    before = count(settings, Contract)
    page = page_for("demo-secretary")
    page.goto(f"{base}/contracts")
    page.locator("#ct-grid .ag-center-cols-container .ag-row").first.wait_for()
    pick(page, "ct-subject", "浏览器发包地")
    pick(page, "ct-frequency", "按半年")
    page.fill("#ct-counterparty", "李娜")
    page.fill("#ct-id", GOOD_ID)
    page.fill("#ct-amount", "36,000.05")
    fill_date(page, "#ct-signed", (today - dt.timedelta(days=1)).isoformat())
    fill_date(page, "#ct-start", (today - dt.timedelta(days=3)).isoformat())  # before the signing: out of order
    fill_date(page, "#ct-end", (today.replace(year=today.year + 3) - dt.timedelta(days=1)).isoformat())
    page.click("#ct-create")
    assert wait_text(page, "#ct-start-error").startswith("日期顺序不对")
    assert "四议两公开" in page.inner_text("#ct-resolution-error")  # every problem at once
    assert count(settings, Contract) == before
    fill_date(page, "#ct-start", today.isoformat())
    pick(page, "ct-resolution", "合同1号")
    page.set_input_files("#ct-scan input[type=file]", files=[{"name": "发包合同扫描件.pdf", "mimeType": "application/pdf",
                                                            "buffer": b"%PDF-1.4 browser scan"}])
    page.wait_for_function("() => document.querySelector('#ct-scan-names')?.innerText.includes('发包合同扫描件')")
    page.click("#ct-create")
    page.wait_for_function("() => document.querySelector('#ct-result')?.innerText.includes('已签订合同')")
    assert page.inner_text("#ct-start-error") == "" and page.inner_text("#ct-resolution-error") == ""
    row = page.locator("#ct-grid .ag-row", has_text="浏览器发包地").first
    row.wait_for()
    row.click()
    page.wait_for_function("() => document.querySelector('#ct-files')?.innerText.includes('发包合同扫描件.pdf')")
    page.locator("#ct-inst-grid .ag-center-cols-container .ag-row").nth(5).wait_for()
    shot(page, "contracts")
    with transaction(url) as s:
        c = s.scalar(select(Contract).order_by(Contract.id.desc()).limit(1))
        assert (c.subject_id, c.counterparty, c.amount_fen, c.kind) == (resource_id, "李娜", 3_600_005, "contracting")
        plan = s.scalars(select(ContractInstalment.amount_fen).where(ContractInstalment.contract_id == c.id)).all()
        assert plan == [600_000] * 5 + [600_005]
        assert s.get(Resource, resource_id).contractor == "李娜"
        assert s.scalar(select(Attachment.sha256).where(Attachment.owner_type == "contract",
                                                        Attachment.owner_id == c.id)) is not None
    with transaction(url) as s:  # an older lease of the village: ends in 30 days, its last rent 20 days late
        old = Contract(org_id=org.id, region_code=org.region_code, number="HT-浏览器-到期", title="村东鱼塘租赁合同",
                       kind="lease", counterparty="赵强", counterparty_id_type="resident", counterparty_id=GOOD_ID,
                       subject_type="resource", subject_id=resource_id, amount_fen=900_000,
                       signed_on=today - dt.timedelta(days=700), start_on=today - dt.timedelta(days=700),
                       end_on=today + dt.timedelta(days=30), status="active")
        s.add(old)
        s.flush()
        s.add(ContractInstalment(contract_id=old.id, region_code=org.region_code, seq=2,
                                 due_on=today - dt.timedelta(days=20), amount_fen=300_000, received_fen=100_000))
    page.click("text=到期与逾期")
    page.locator("#ct-expiring-grid .ag-row", has_text="HT-浏览器-到期").first.wait_for()
    page.locator("#ct-overdue-grid .ag-row", has_text="HT-浏览器-到期").first.wait_for()
    assert "逾期未收" in wait_text(page, "#ct-due-note")
    shot(page, "contracts-due")
