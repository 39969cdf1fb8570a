"""The credit-use pages in headless Chromium (issue 15, lane E): 联合惩戒名单 as law enforcement,
执法检查计划 drawn and verified from its seed, 双公示推送 validated and generated, 开放数据 and
共享数据 as a public body. Screenshots in var/screenshots/credit-uses/; no request leaves the origin."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from tests.conftest import TODAY
from tests.support.browser import SCREENSHOTS, app_on_own_database, signed_in_pages, wait_text

pytestmark = pytest.mark.browser
SHOTS = SCREENSHOTS / "credit-uses"


def shot(page, name: str) -> Path:
    SHOTS.mkdir(parents=True, exist_ok=True)
    path = SHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def _prepare(settings):
    from sqlalchemy import select

    from data.db import transaction
    from data.models import User
    from domain.admin import passwords
    from domain.regions import COUNTY, truncate
    from tests.support.app import PASSWORD
    from tests.support.credit import make_record, make_subject, resident_id, uscc

    with transaction(settings.database_url) as s:
        village = int(s.scalar(select(User.region_code).where(User.username == "demo-village")))
        county = truncate(village, COUNTY)
        hashed = passwords.hash_password(PASSWORD)
        now = dt.datetime.combine(TODAY, dt.time(2), dt.UTC)
        for name, role, region, inst in (("e-enforcer", "law_enforcement", county, None),
                                         ("e-handler", "credit_handler", truncate(village, 1), None),
                                         ("e-public", "public_body", truncate(village, 1), "省市场监督管理局")):
            s.add(User(username=name, display_name=name, role=role, region_code=region, password_hash=hashed,
                       password_changed_at=now, institution=inst))
    authority = uscc(360100, 7, kind="11")
    names = ["张林生", "李山", "王木", "赵竹", "陈松", "刘杉", "周柏", "吴桐"]
    for i in range(40):
        sid = make_subject(settings, village, name=names[i % 8] + str(i), identifier=resident_id(village, n=700 + i),
                           grade="ABCD"[i % 4] if i % 10 else None, unrated=not i % 10)
        if i % 5 == 0:
            make_record(settings, sid, "dishonest", TODAY - dt.timedelta(days=20 * i + 10), title="滥伐林木",
                        subtype="admin_penalty", severity="ordinary", document_no=f"林罚〔2026〕{i}号",
                        publicity_until=TODAY + dt.timedelta(days=200 - i), amount_fen=200_000 + i * 10_000,
                        content="罚款并责令补种", open_class="unconditional", share_class="unconditional",
                        detail={"legal_basis": "《森林法》第七十四条", "authority_code": authority if i % 3 else "123"})
    firm = make_subject(settings, village, name="赣南林木加工有限公司", kind="legal", identifier=uscc(village, 9000),
                        legal_rep="黄法人")
    make_record(settings, firm, "dishonest", TODAY - dt.timedelta(days=40), title="非法收购盗伐林木", subtype="admin_penalty",
                severity="serious", document_no="林罚〔2026〕88号", publicity_until=TODAY + dt.timedelta(days=700),
                amount_fen=5_000_000, content="没收违法所得并罚款五万元", open_class="unconditional",
                share_class="unconditional", detail={"legal_basis": "《森林法》第七十八条", "authority_code": authority})
    make_record(settings, firm, "basic", TODAY - dt.timedelta(days=30), title="林木采伐许可证", subtype="licence",
                document_no="采字〔2026〕12号", content="采伐杉木120立方米", open_class="unconditional",
                share_class="unconditional", detail={"authority_code": authority, "valid_until": "2027-06-30"})
    make_record(settings, firm, "good", TODAY - dt.timedelta(days=90), title="省级林业龙头企业", subtype="commendation",
                open_class="unconditional", share_class="unconditional")
    _plant_counterparty(settings, village)


def _planted_contract(s, village: int):
    """The demo village's contract whose counterparty the test puts on the list."""
    from sqlalchemy import select

    from data.models import Contract

    return s.scalars(select(Contract).where(Contract.region_code == village, Contract.status == "active",
                                            Contract.counterparty_id.is_not(None)).order_by(Contract.id)).first()


def _plant_counterparty(settings, village: int) -> None:
    """A contract counterparty of the demo village on the list, and the rule run over the province."""

    from data.db import transaction
    from data.supervision import engine
    from tests.support.credit import make_record, make_subject

    with transaction(settings.database_url) as s:
        c = _planted_contract(s, village)
        ident, kind, region = c.counterparty_id.strip().upper(), c.counterparty_id_type, c.region_code
    sid = make_subject(settings, region, name="失信承包人", kind="natural" if kind == "resident" else "legal",
                       identifier=ident)
    make_record(settings, sid, "dishonest", TODAY - dt.timedelta(days=45), title="擅自改变林地用途",
                subtype="admin_penalty", severity="ordinary", document_no="林罚〔2026〕66号",
                publicity_until=TODAY + dt.timedelta(days=300), content="内部备注", open_class="unconditional")
    engine.run(settings.database_url, settings.audit_key, today=TODAY, rules=["credit_blacklisted_counterparty"],
               data_dir=settings.data_dir)


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    with app_on_own_database(tmp_path_factory, "browser-credit-uses", prepare=_prepare,
                             now=lambda: dt.datetime.combine(TODAY, dt.time(4), tzinfo=dt.UTC)) as served:
        yield served


def test_browser_credit_uses001_the_pages(served, chromium):
    settings, base = served
    with signed_in_pages(chromium, base) as make:
        enforcer = make("e-enforcer")
        enforcer.goto(f"{base}/credit/punishment")
        enforcer.wait_for_selector("#credit-pun-grid .ag-row")
        assert "名单上共" in wait_text(enforcer, "#credit-pun-summary")
        assert "滥伐林木" in enforcer.inner_text("#credit-pun-grid")
        shot(enforcer, "punishment")
        enforcer.goto(f"{base}/credit/inspection")
        enforcer.wait_for_selector("#credit-insp-region")
        enforcer.fill("#credit-insp-period", "2026Q4")
        enforcer.click("#credit-insp-draw")
        assert "已保存" in wait_text(enforcer, "#credit-insp-result")
        enforcer.wait_for_selector("#credit-insp-plans .ag-row")
        enforcer.locator("#credit-insp-plans .ag-row").first.click()
        enforcer.wait_for_selector("#credit-insp-items .ag-row")
        enforcer.click("#credit-insp-verify")
        assert "完全一致" in wait_text(enforcer, "#credit-insp-verify-result")
        shot(enforcer, "inspection")
        handler = make("e-handler")
        handler.goto(f"{base}/credit/push")
        handler.wait_for_selector("#credit-push-generate")
        handler.click("#credit-push-generate")
        assert "已写入发件箱" in wait_text(handler, "#credit-push-result")
        handler.wait_for_selector("#credit-push-rejects .ag-row")
        handler.wait_for_selector("#credit-push-grid .ag-row")
        assert "CF_CFJGDM" in handler.inner_text("#credit-push-rejects")
        shot(handler, "push")
        public = make("e-public")
        public.goto(f"{base}/credit/open")
        public.wait_for_selector("#credit-open-grid .ag-row")
        assert "张林生0" not in public.inner_text("#credit-open-grid")  # natural persons masked
        shot(public, "open-data")
        public.goto(f"{base}/credit/shared")
        public.wait_for_selector("#credit-shared-grid .ag-row")
        shot(public, "shared-data")


def test_browser_credit_uses002_the_village_sees_the_cross_domain_warning_with_both_records(served, chromium):
    from sqlalchemy import select

    from data.db import transaction
    from data.models import User, Warning

    settings, base = served
    with transaction(settings.database_url) as s:
        # the demo plants punished counterparties of its own (data/demo/credit_punished.py): this test's warning
        # is the one on the contract it planted
        village = int(s.scalar(select(User.region_code).where(User.username == "demo-village")))
        contract = _planted_contract(s, village)
        wid = s.scalar(select(Warning.id).where(Warning.rule_id == "credit_blacklisted_counterparty",
                                                Warning.subject_type == "contract", Warning.subject_id == contract.id))
    assert wid is not None
    with signed_in_pages(chromium, base) as make:
        page = make("demo-village")
        page.goto(f"{base}/warnings")
        page.locator("#warn-grid .ag-center-cols-container .ag-row").first.wait_for()
        page.locator(f"#warn-grid .ag-row[row-id='{wid}']").first.click()
        page.wait_for_selector(f"#warn-detail-{wid}")
        text = wait_text(page, "#warn-evidence")
        assert "林罚〔2026〕66号" in text and "公示截止日期" in text and "合同编号" in text
        assert "内部备注" not in text
        shot(page, "warning-village")
