"""Browser tests of 资金管理 in headless Chromium: the village cashier fills and submits a payment
request with an invoice attached; the township accountant enters a balanced voucher. Each sees the
outcome in Chinese, the database agrees, no request leaves the origin, and the pages are
screenshotted into var/screenshots/ (funds.png, funds-accountant.png)."""
from __future__ import annotations


import pytest
from sqlalchemy import func, select

from data.db import transaction
from tests.conftest import TODAY
from tests.support.browser import app_on_own_database, pick, shot, wait_text

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

GOOD_ID = "11010519491231002X"


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """Its own database (these tests write) and the app served on it."""
    with app_on_own_database(tmp_path_factory, "browser-funds") as app:
        yield app


def test_cashier_submits_a_request_with_an_invoice(served, page_for):
    from data.models import Attachment, PaymentRequest

    settings, base = served
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
    page.fill("#funds-date", TODAY.isoformat())
    page.set_input_files("#funds-files input[type=file]",
                         files=[{"name": "发票.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.4 invoice 3456.78"}])
    assert "发票.pdf" in wait_text(page, "#funds-files-names")
    page.click("#funds-submit")
    result = wait_text(page, "#funds-submit-result")
    assert "已提交申请" in result and "附件 1 个" in result, result
    page.locator("#funds-grid .ag-row", has_text="购买村部办公桌椅").first.click()
    assert "发票.pdf" in wait_text(page, "#funds-detail-files")
    assert "demo-village" in page.inner_text("#funds-detail-history")
    shot(page, "funds")
    with transaction(settings.database_url) as s:
        req = s.scalar(select(PaymentRequest).where(PaymentRequest.purpose == "购买村部办公桌椅"))
        assert (req.amount_fen, req.status, req.counterparty_id) == (345678, "submitted", GOOD_ID)
        files = s.execute(select(Attachment.filename, Attachment.size).where(
            Attachment.owner_type == "payment_request", Attachment.owner_id == req.id)).all()
    assert files == [("发票.pdf", len(b"%PDF-1.4 invoice 3456.78"))]


def test_accountant_enters_a_balanced_voucher(served, page_for):
    from data.models import Voucher, VoucherLine

    settings, base = served
    page = page_for("demo-township")
    page.goto(f"{base}/funds")
    page.get_by_role("tab", name="记账凭证").click()
    page.wait_for_selector("#funds-voucher-form:not([hidden])")
    page.wait_for_function("() => document.querySelector('#funds-org')?.innerText.includes('股份经济合作社')")
    with transaction(settings.database_url) as s:
        before = s.scalar(select(func.count()).select_from(Voucher).where(Voucher.source == "manual"))
    page.fill("#funds-v-summary", "支付村道维修劳务费")
    pick(page, "funds-v-acct-1", "514 公益支出")
    page.fill("#funds-v-debit-1", "1,200.00")
    pick(page, "funds-v-acct-2", "512 税金及附加")
    page.fill("#funds-v-debit-2", "36.00")
    pick(page, "funds-v-acct-3", "102 银行存款")
    page.fill("#funds-v-credit-3", "1,235.00")
    page.wait_for_function("() => document.querySelector('#funds-v-totals')?.innerText.includes('差额 1.00 元')")
    page.click("#funds-v-submit")  # one yuan off: refused, nothing written
    assert "借贷不平衡：借方合计 1,236.00 元，贷方合计 1,235.00 元" in wait_text(page, "#funds-v-lines-error")
    page.fill("#funds-v-credit-3", "1,236.00")
    page.wait_for_function("() => document.querySelector('#funds-v-totals')?.innerText.includes('借贷平衡')")
    page.click("#funds-v-submit")
    page.wait_for_function("() => document.querySelector('#funds-v-result')?.innerText.includes('凭证已记账')")
    page.locator("#funds-vouchers-grid .ag-row", has_text="支付村道维修劳务费").first.wait_for()
    shot(page, "funds-accountant")
    with transaction(settings.database_url) as s:
        assert s.scalar(select(func.count()).select_from(Voucher).where(Voucher.source == "manual")) == before + 1
        v = s.scalar(select(Voucher).where(Voucher.summary == "支付村道维修劳务费"))
        lines = s.execute(select(VoucherLine.account_code, VoucherLine.debit_fen, VoucherLine.credit_fen)
                          .where(VoucherLine.voucher_id == v.id).order_by(VoucherLine.line_no)).all()
    assert lines == [(514, 120000, 0), (512, 3600, 0), (102, 0, 123600)]


def test_accountant_sees_the_books_reconciles_a_statement_and_closes_a_month(served, page_for):
    from data.models import BankStatementImport, PeriodClose

    settings, base = served
    page = page_for("demo-township")
    page.goto(f"{base}/funds")
    page.wait_for_function("() => document.querySelector('#funds-org')?.innerText.includes('股份经济合作社')")
    page.get_by_role("tab", name="账户与二级基础数据").click()
    page.locator("#funds-accounts-grid .ag-row", has_text="基本存款账户").first.wait_for()
    assert page.inner_text("#funds-level2-deposits").endswith(" 元")
    shot(page, "funds-books")

    page.get_by_role("tab", name="银行对账").click()
    pick(page, "funds-rec-bank", "基本存款账户")
    csv = "交易日期,摘要,借方发生额,贷方发生额\n2026/11/20,手续费,5.00,\n2026/11/21,利息,,12.34\n".encode("gbk")
    page.set_input_files("#funds-statement input[type=file]",
                         files=[{"name": "十一月对账单.csv", "mimeType": "text/csv", "buffer": csv}])
    page.click("#funds-rec-submit")
    page.wait_for_function("() => document.querySelector('#funds-rec-result')?.innerText.includes('已导入对账单')")
    assert "2 笔" in page.inner_text("#funds-rec-result")
    page.locator("#funds-rec-open-stmt .ag-row", has_text="利息").first.wait_for()
    assert page.inner_text("#funds-rec-difference")  # the reconciliation table is drawn
    shot(page, "funds-reconcile")
    with transaction(settings.database_url) as s:
        assert s.scalar(select(func.count()).select_from(BankStatementImport)) == 1

    page.get_by_role("tab", name="结账").click()
    page.fill("#funds-close-period", "2026-10")
    page.click("#funds-close-submit")
    page.wait_for_function("() => document.querySelector('#funds-close-result')?.innerText.includes('2026年10月已结账')")
    page.locator("#funds-close-grid .ag-row", has_text="2026年10月").first.wait_for()
    shot(page, "funds-close")
    with transaction(settings.database_url) as s:
        assert s.scalar(select(PeriodClose.status).where(PeriodClose.period == 202610)) == "closed"
