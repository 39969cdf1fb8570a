"""Browser tests of 资金管理 in headless Chromium: the village cashier enters a 60,000-yuan payment
citing a passed resolution, the secretary and the supervisory chair approve it, the township
accountant posts it and the cockpit's 货币资金 of the village falls by exactly 60,000.00 yuan; the
cashier's request with an invoice; the accountant's voucher with an added line; the books,
reconciliation and month close. Each sees the outcome in Chinese under the field it concerns, the
database agrees, no request leaves the origin. Screenshots go to $FUNDS_SHOTS (default
var/screenshots/funds/)."""
from __future__ import annotations

import datetime as dt
import json
import os
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import func, select

from data.db import transaction
from domain.permissions import Scope, role_perms
from tests.conftest import TODAY
from tests.support.browser import fill_date, SCREENSHOTS, pick, serve, wait_text
from tests.support.funds import GOOD_ID, actor, app_for, own_database, payment_resolution

pytestmark = pytest.mark.browser

SHOTS = Path(os.environ.get("FUNDS_SHOTS") or SCREENSHOTS / "funds")
RESOLUTION = "决议〔2026〕资金1号"
ROAD = "村道硬化工程款（第一期）"


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """Its own database (these tests write) with a passed payment resolution of the demo village,
    and the app served on it, its clock on the day the data were generated; (settings, base, app)."""
    settings = own_database(tmp_path_factory, "browser-funds")
    payment_resolution(settings, RESOLUTION, limit="100,000.00")
    app = app_for(settings)
    app.server.config["NOW"] = lambda: dt.datetime.combine(TODAY, dt.time(4), tzinfo=dt.UTC)
    with serve(app.server) as base:
        yield settings, base, app


def shot(page, name: str) -> Path:
    SHOTS.mkdir(parents=True, exist_ok=True)
    path = SHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def by_id(component_id: dict) -> str:
    """The CSS selector of a component with a pattern-matching id (Dash writes it as sorted JSON)."""
    return "[id='" + json.dumps(component_id, sort_keys=True, separators=(",", ":")) + "']"


def pick_in(page, selector: str, text: str) -> None:
    """`pick` for a dropdown found by selector (a pattern-matching id)."""
    page.click(selector)
    page.locator("[role=option]:visible").filter(has_text=text).first.click()
    page.keyboard.press("Escape")


def select_row(page, grid: str, text: str) -> None:
    page.locator(f"#{grid} .ag-row", has_text=text).first.click()


def cockpit_funds(page, base: str) -> Decimal:
    """The village's 货币资金 KPI on the cockpit, in yuan (the card shows 元, 万元 or 亿元)."""
    page.goto(f"{base}/cockpit")
    page.wait_for_selector("#kpi-funds-value")
    value = page.inner_text("#kpi-funds-value").replace(",", "")
    unit = page.inner_text("#kpi-funds .kpi-unit")
    return Decimal(value) * {"元": 1, "万元": 10_000, "亿元": 100_000_000}[unit]


def test_fundsbrowser001_a_60000_yuan_payment_cites_a_resolution_and_moves_the_cockpit(served, page_for):
    from data.models import PaymentRequest, Resolution

    settings, base, app = served
    village = actor(settings, "demo-village").scope.root
    scope = Scope(root=village, perms=role_perms("village_secretary"), role="village_secretary")
    ql = app.server.extensions["platform.query"]
    exact_before = ql.kpis(scope, village)["funds"]
    secretary = page_for("demo-secretary")
    shown_before = cockpit_funds(secretary, base)
    shot(secretary, "01-cockpit-before")

    cashier = page_for("demo-village")
    cashier.goto(f"{base}/funds")
    cashier.wait_for_selector("#funds-form-panel:not([hidden])")
    pick(cashier, "funds-bank", "基本存款账户")
    cashier.wait_for_function("() => document.querySelector('#funds-resolution-help')?.innerText.includes('本组织决策限额 ')")
    assert "本组织决策限额 50,000 元" in cashier.inner_text("#funds-resolution-help")
    cashier.fill("#funds-amount", "60,000.00")
    pick(cashier, "funds-account", "153 在建工程")
    cashier.fill("#funds-purpose", ROAD)
    cashier.fill("#funds-counterparty", "王伟")
    cashier.fill("#funds-id", GOOD_ID)
    fill_date(cashier, "#funds-date", TODAY.isoformat())
    cashier.set_input_files("#funds-files input[type=file]",
                            files=[{"name": "工程款发票.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.4 60000"}])
    cashier.click("#funds-submit")  # no resolution yet: refused, and said under the picker, not the account
    refusal = wait_text(cashier, "#funds-resolution-error")
    assert refusal == "金额达到50,000元，须引用会议决议（四议两公开）"
    assert cashier.inner_text("#funds-bank-error") == "" and cashier.inner_text("#funds-request-error") == ""
    shot(cashier, "02-request-refused-without-resolution")
    pick(cashier, "funds-resolution", RESOLUTION)
    cashier.click("#funds-submit")
    cashier.wait_for_function("() => document.querySelector('#funds-submit-result')?.innerText.includes('已提交申请')")
    result = cashier.inner_text("#funds-submit-result")
    assert "60,000.00 元" in result and "引用决议" in result and "附件 1 个" in result, result
    assert cashier.inner_text("#funds-resolution-error") == ""
    cashier.locator("#funds-grid .ag-row", has_text=ROAD).first.wait_for()
    shot(cashier, "03-request-with-resolution")
    with transaction(settings.database_url) as s:
        req = s.scalar(select(PaymentRequest).where(PaymentRequest.purpose == ROAD))
        cited = s.scalar(select(Resolution.id).where(Resolution.number == RESOLUTION))
        assert (req.amount_fen, req.status, req.resolution_id) == (6_000_000, "submitted", cited)

    for username, status, name in (("demo-secretary", "待监事长审批", "04-secretary-approves"),
                                   ("demo-supervisor", "待代理会计记账", "05-supervisor-approves")):
        page = secretary if username == "demo-secretary" else page_for(username)
        page.goto(f"{base}/funds")
        page.wait_for_selector("#funds-decide-tools:not([hidden])")
        select_row(page, "funds-grid", ROAD)
        assert "工程款发票.pdf" in wait_text(page, "#funds-detail-files")
        assert f"会议决议：{RESOLUTION}" in page.inner_text("#funds-detail-history")  # what the approvers rely on
        page.click("#funds-approve")  # asks first: 确认审批 with the opinion field
        page.wait_for_selector("#funds-decide-modal .modal-title:has-text('确认审批')")
        page.fill("#funds-decide-opinion", "同意，按决议执行")
        page.click("#funds-decide-confirm")
        page.wait_for_function("(s) => document.querySelector('#funds-action-result')?.innerText.includes(s)", arg=status)
        page.locator("#funds-grid .ag-row", has_text=status).first.wait_for()
        shot(page, name)

    accountant = page_for("demo-township")
    accountant.goto(f"{base}/funds")
    accountant.wait_for_selector("#funds-post-tools:not([hidden])")
    assert accountant.input_value("#funds-post-date") == TODAY.isoformat()
    select_row(accountant, "funds-grid", ROAD)
    accountant.click("#funds-post")
    accountant.wait_for_function("() => document.querySelector('#funds-action-result')?.innerText.includes('已记账')")
    accountant.locator("#funds-grid .ag-row", has_text="已记账").first.wait_for()
    shot(accountant, "06-accountant-posts")
    with transaction(settings.database_url) as s:
        assert s.scalar(select(PaymentRequest.status).where(PaymentRequest.purpose == ROAD)) == "posted"

    shown_after = shown_before
    for _ in range(20):  # the query layer picks the posting up within seconds (incrementally)
        shown_after = cockpit_funds(secretary, base)
        if shown_after != shown_before:
            break
        secretary.wait_for_timeout(500)
    shot(secretary, "07-cockpit-after")
    assert shown_before - shown_after == Decimal("60000.00")
    assert exact_before - ql.kpis(scope, village)["funds"] == 6_000_000  # to the fen, in the layer behind the page


def test_fundsbrowser002_cashier_submits_a_request_with_an_invoice(served, page_for):
    from data.models import Attachment, PaymentRequest

    settings, base, _ = served
    page = page_for("demo-village")
    page.goto(f"{base}/funds")
    page.wait_for_selector("#funds-form-panel:not([hidden])")
    assert not page.is_visible("#funds-post") and not page.is_visible("#funds-approve")  # not the cashier's steps
    pick(page, "funds-bank", "基本存款账户")
    page.fill("#funds-amount", "3,456.78")
    pick(page, "funds-account", "513 管理费用")
    page.fill("#funds-purpose", "购买村部办公桌椅")
    page.fill("#funds-counterparty", "王伟")
    page.fill("#funds-id", GOOD_ID)
    fill_date(page, "#funds-date", TODAY.isoformat())
    page.set_input_files("#funds-files input[type=file]",
                         files=[{"name": "发票.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.4 invoice 3456.78"}])
    assert "发票.pdf" in wait_text(page, "#funds-files-names")
    page.click("#funds-submit")
    result = wait_text(page, "#funds-submit-result")
    assert "已提交申请" in result and "附件 1 个" in result, result
    select_row(page, "funds-grid", "购买村部办公桌椅")
    assert "发票.pdf" in wait_text(page, "#funds-detail-files")
    assert "demo-village" in page.inner_text("#funds-detail-history")
    shot(page, "08-cashier-invoice")
    with transaction(settings.database_url) as s:
        req = s.scalar(select(PaymentRequest).where(PaymentRequest.purpose == "购买村部办公桌椅"))
        assert (req.amount_fen, req.status, req.counterparty_id) == (345678, "submitted", GOOD_ID)
        files = s.execute(select(Attachment.filename, Attachment.size).where(
            Attachment.owner_type == "payment_request", Attachment.owner_id == req.id)).all()
    assert files == [("发票.pdf", len(b"%PDF-1.4 invoice 3456.78"))]


def line(kind: str, index: int) -> str:
    return by_id({"type": f"voucher-line-{kind}", "index": index})


def test_fundsbrowser003_accountant_adds_a_line_and_enters_a_balanced_voucher(served, page_for):
    from data.models import Voucher, VoucherLine

    settings, base, _ = served
    page = page_for("demo-township")
    page.goto(f"{base}/funds")
    page.get_by_role("tab", name="记账凭证").click()
    page.wait_for_selector("#funds-voucher-form:not([hidden])")
    page.wait_for_function("() => document.querySelector('#funds-org')?.innerText.includes('股份经济合作社')")
    with transaction(settings.database_url) as s:
        before = s.scalar(select(func.count()).select_from(Voucher).where(Voucher.source == "manual"))
    assert page.locator(line("account", 3)).count() == 0  # two lines to begin with
    assert page.is_disabled("#funds-v-remove")
    page.click("#funds-v-add")
    page.wait_for_selector(line("account", 3))
    page.fill("#funds-v-summary", "支付村道维修劳务费")
    pick_in(page, line("account", 1), "514 公益支出")
    page.fill(line("debit", 1), "1,200.00")
    pick_in(page, line("account", 2), "512 税金及附加")
    page.fill(line("debit", 2), "36.00")
    pick_in(page, line("account", 3), "102 银行存款")  # the new line offers the organisation's accounts too
    page.fill(line("credit", 3), "1,235.00")
    page.wait_for_function("() => document.querySelector('#funds-v-lines')?.innerText.includes('差额 1.00 元')")
    page.click("#funds-v-submit")  # one yuan off: refused, nothing written
    assert wait_text(page, "#funds-v-lines-error") == "借贷不平衡：借方合计 1,236.00 元，贷方合计 1,235.00 元"
    shot(page, "09-voucher-unbalanced")
    page.fill(line("credit", 3), "1,236.00")
    page.wait_for_function("() => document.querySelector('#funds-v-lines')?.innerText.includes('借贷平衡')")
    page.click("#funds-v-submit")
    page.wait_for_function("() => document.querySelector('#funds-v-result')?.innerText.includes('凭证已记账')")
    page.locator("#funds-vouchers-grid .ag-row", has_text="支付村道维修劳务费").first.wait_for()
    assert page.input_value(line("credit", 3)) == ""  # a clean form, the lines kept
    shot(page, "10-voucher-posted")
    with transaction(settings.database_url) as s:
        assert s.scalar(select(func.count()).select_from(Voucher).where(Voucher.source == "manual")) == before + 1
        v = s.scalar(select(Voucher).where(Voucher.summary == "支付村道维修劳务费"))
        lines = s.execute(select(VoucherLine.account_code, VoucherLine.debit_fen, VoucherLine.credit_fen)
                          .where(VoucherLine.voucher_id == v.id).order_by(VoucherLine.line_no)).all()
    assert lines == [(514, 120000, 0), (512, 3600, 0), (102, 0, 123600)]
    page.click("#funds-v-remove")
    page.wait_for_selector(line("account", 3), state="detached")


def test_fundsbrowser004_accountant_sees_the_books_reconciles_a_statement_and_closes_a_month(served, page_for):
    from data.models import BankStatementImport, PeriodClose

    settings, base, _ = served
    page = page_for("demo-township")
    page.goto(f"{base}/funds")
    page.wait_for_function("() => document.querySelector('#funds-org')?.innerText.includes('股份经济合作社')")
    page.get_by_role("tab", name="账户与二级基础数据").click()
    page.locator("#funds-accounts-grid .ag-row", has_text="基本存款账户").first.wait_for()
    assert page.inner_text("#funds-level2-deposits").endswith(" 元")
    shot(page, "11-books")

    page.get_by_role("tab", name="银行对账").click()
    page.click("#funds-rec-submit")  # nothing chosen: both fields say so
    assert wait_text(page, "#funds-rec-bank-error") == "请选择银行账户"
    assert page.inner_text("#funds-statement-error") == "请选择一个对账单文件"
    pick(page, "funds-rec-bank", "基本存款账户")
    csv = "交易日期,摘要,借方发生额,贷方发生额\n2026/11/20,手续费,5.00,\n2026/11/21,利息,,12.34\n".encode("gbk")
    page.set_input_files("#funds-statement input[type=file]",
                         files=[{"name": "十一月对账单.csv", "mimeType": "text/csv", "buffer": csv}])
    page.click("#funds-rec-submit")
    page.wait_for_function("() => document.querySelector('#funds-rec-result')?.innerText.includes('已导入对账单')")
    assert "2 笔" in page.inner_text("#funds-rec-result")
    assert page.inner_text("#funds-rec-bank-error") == ""
    page.locator("#funds-rec-open-stmt .ag-row", has_text="利息").first.wait_for()
    assert page.inner_text("#funds-rec-difference")  # the reconciliation table is drawn
    shot(page, "12-reconcile")
    with transaction(settings.database_url) as s:
        assert s.scalar(select(func.count()).select_from(BankStatementImport)) == 1

    page.get_by_role("tab", name="结账").click()
    page.fill("#funds-close-period", "2026-10")
    page.click("#funds-close-submit")
    page.wait_for_function("() => document.querySelector('#funds-close-result')?.innerText.includes('2026年10月已结账')")
    page.locator("#funds-close-grid .ag-row", has_text="2026年10月").first.wait_for()
    page.click("#funds-close-submit")  # again: said under the month
    page.wait_for_function("() => document.querySelector('#funds-close-period-error')?.innerText.includes('已结账')")
    shot(page, "13-close")
    with transaction(settings.database_url) as s:
        assert s.scalar(select(PeriodClose.status).where(PeriodClose.period == 202610)) == "closed"

