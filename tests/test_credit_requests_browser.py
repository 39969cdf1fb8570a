"""Browser test of the credit request pages (数据申请, 数据修正, 数据传输) in headless Chromium: the
data unit's inbox with due and overdue badges, a subject's own applications, a correction's chain
with before/after, a transfer's signatures; a subject applies through the form. No request leaves
the app's origin. Screenshots in var/screenshots/credit-*.png, looked at."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from data.credit import corrections, requests, transfers
from data.db import transaction
from data.models import CreditApplication
from domain import clock
from domain.credit.requests import Ask
from domain.credit.transfers import Draft
from tests.support.browser import browser, fill_date, serve, shot, signed_in_pages
from tests.support.credit import RequestsEnv, make_record

pytestmark = pytest.mark.browser

UTC = dt.UTC
TODAY = dt.date(2026, 11, 20)


@pytest.fixture(scope="module")
def served(sqlite_settings, tmp_path_factory):
    e = RequestsEnv(tmp_path_factory.mktemp("credit_requests_browser"))
    e.app.server.config["NOW"] = lambda: dt.datetime(2026, 11, 20, 2, 0, tzinfo=UTC)
    u, k = e.users, e.key
    with clock.frozen(dt.datetime(2026, 11, 20, 2, 0, tzinfo=UTC)):
        ids = _prepare(e, u, k)
    with serve(e.app.server) as base:
        yield e, base, ids


def _prepare(e, u, k) -> dict:
    rid = make_record(e.settings, e.subject_id, "dishonest", dt.date(2025, 3, 1), title="行政处罚（滥伐林木）",
                      severity="ordinary", open_class="conditional", share_class="conditional")
    make_record(e.settings, e.subject_id, "good", dt.date(2025, 6, 1), title="县级林业先进个人", open_class="conditional")
    ask = Ask(["dishonest", "good"], dt.date(2024, 1, 1), dt.date(2026, 11, 1))
    late = requests.apply(e.url, k, u["subject"], "open", "办理林权抵押贷款", None,
                          Ask(["dishonest"], dt.date(2024, 1, 1), dt.date(2026, 10, 1)), dt.date(2026, 10, 26))
    granted = requests.apply(e.url, k, u["subject"], "open", "核对本人信用记录", None, ask, TODAY,
                             (True, "李林生", TODAY))
    requests.decide(e.url, k, u["handler"], granted, None, True, "同意，通过平台在线获取", Ask(["dishonest"], ask.date_from,
                                                                                ask.date_to), dt.date(2027, 2, 28), TODAY)
    requests.apply(e.url, k, u["public"], "share", "联合惩戒核查", "《江西省社会信用条例》", Ask(
        ["dishonest"], dt.date(2024, 1, 1), dt.date(2026, 11, 1), [e.county], ["subject_name", "title"]), TODAY,
        (True, "赵科长", TODAY))
    cid = corrections.apply(e.url, k, u["county"], "record", [rid], "4", {"title": "行政处罚（已撤销）"},
                            "处罚决定已被复议撤销，附复议决定书", [("复议决定书.pdf", b"%PDF-1.4 x")], TODAY)
    corrections.act(e.url, k, u["handler"], cid, None, "review", True, "材料齐全，建议同意")
    corrections.act(e.url, k, u["deputy"], cid, None, "decide", True, "会议同意修正", dt.date(2026, 11, 19),
                    "林信会〔2026〕12号", TODAY)
    corrections.act(e.url, k, u["county"], cid, None, "execute", today=TODAY)
    corrections.apply(e.url, k, u["county"], "record", [rid], "5", {"severity": "minor"}, "失信程度认定有误",
                      [("说明.pdf", b"%PDF-1.4 y")], dt.date(2026, 10, 30))
    d = Draft(unit="省自然资源厅", data_range="2025年林权登记数据（脱敏）", use_range="不动产登记比对",
              confidentiality="仅限本单位使用", method="device", device_model="WD-MyPassport-2T",
              persons=["张三", "李四"], commitment=True, commitment_name="王处长", commitment_on=TODAY)
    tid = transfers.apply(e.url, k, u["handler"], d, TODAY)
    transfers.sign(e.url, k, u["handler2"], tid, None, "prelim", True, "数据范围明确，同意")
    transfers.sign(e.url, k, u["deputy"], tid, None, "review", True, "同意")
    return {"late": late, "granted": granted, "correction": cid, "transfer": tid}


def no_raw_code(page) -> None:
    """What the every-role walk checks on every page: no code value, None or machine time shown."""
    from domain.labels import code_values
    from domain.supervision.rules import RULES
    from tests.support.walk import MACHINE_TIME, TEXT_JS, code_pattern

    shown = page.evaluate(TEXT_JS)
    found = [m.group(0) for p in (code_pattern(code_values() | set(RULES)), MACHINE_TIME) for m in p.finditer(shown)]
    assert not found, found[:10]


def first_row(page, grid: str, row_id: int) -> None:
    page.wait_for_selector(f"#{grid} .ag-row[row-id='{row_id}']", timeout=20_000)
    page.click(f"#{grid} .ag-center-cols-container .ag-row[row-id='{row_id}']")


def test_credit_requests_browser001_the_pages_as_the_data_unit_and_the_subject(served):
    e, base, ids = served
    with browser() as b, signed_in_pages(b, base) as make:
        page = make("f.handler")
        page.goto(f"{base}/credit/applications")
        first_row(page, "capp-grid", ids["late"])
        page.wait_for_selector("#capp-detail-text", timeout=15_000)
        assert "已超期" in page.inner_text("#capp-grid")
        assert "已超期 1 件" in page.inner_text("#capp-badges") or "已超期" in page.inner_text("#capp-badges")
        assert page.is_visible("#capp-decide")
        shot(page, "credit-applications-data-unit")
        no_raw_code(page)
        page.goto(f"{base}/credit/corrections")
        first_row(page, "ccor-grid", ids["correction"])
        page.wait_for_selector("#ccor-before-after", timeout=15_000)
        chain = page.inner_text("#ccor-chain")
        assert "林信会〔2026〕12号" in chain and "行政处罚（已撤销）" in chain
        shot(page, "credit-corrections-chain")
        no_raw_code(page)
        page = make("f.head")
        page.goto(f"{base}/credit/transfers")
        first_row(page, "ctr-grid", ids["transfer"])
        page.wait_for_selector("#ctr-signatures", timeout=15_000)
        assert "审核（分管领导）" in page.inner_text("#ctr-signatures")
        assert "审批" in page.inner_text("#ctr-step-label")
        shot(page, "credit-transfers-head")
        no_raw_code(page)
        page = make("f.subject")
        page.goto(f"{base}/credit/applications")
        page.wait_for_selector(f"#capp-grid .ag-row[row-id='{ids['granted']}']", timeout=20_000)
        page.check("#capp-kinds input[value=good]")
        fill_date(page, "#capp-from", "2024-01-01")
        fill_date(page, "#capp-to", "2026-11-01")
        page.fill("#capp-purpose", "申请信用贷款")
        page.click("#capp-submit")
        page.wait_for_selector("text=已提交申请", timeout=15_000)
        first_row(page, "capp-grid", ids["granted"])
        page.click("#capp-fetch")
        page.wait_for_selector("#capp-data .ag-row", timeout=15_000)
        assert "行政处罚（已撤销）" in page.inner_text("#capp-data")  # as corrected
        shot(page, "credit-applications-subject")
        no_raw_code(page)
        page = make("f.public")
        page.goto(f"{base}/credit/applications")
        page.wait_for_selector("#capp-grid .ag-row", timeout=20_000)
        assert page.is_visible("#capp-regions") and page.is_visible("#capp-basis")
        assert "省市场监督管理局" in page.inner_text("#capp-grid")
        shot(page, "credit-applications-public-body")
        no_raw_code(page)
    with transaction(e.url) as s:
        assert s.scalar(select(func.count()).select_from(CreditApplication).where(
            CreditApplication.purpose == "申请信用贷款")) == 1
