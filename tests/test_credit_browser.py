"""Browser test of the credit entry pages (issue 15, lane C): the county forestry bureau uploads a
subsidy list with a bad row (the error by row and column), tries to import a good one without its
document (refused whole, nothing enters), then with the document (the batch lands); the subject
list, a subject's page with a record's 依据文件, and the archive. No request leaves the origin.
Screenshots: credit-import-errors, credit-import-no-document, credit-import-done, credit-subjects,
credit-subject, credit-archive."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from data.db import transaction
from data.models import CreditImportBatch, CreditRecord
from tests.support.browser import fill_date, serve, shot
from tests.support.credit import resident_id
from tests.support.credit_entry import credit_env

pytestmark = pytest.mark.browser

HEADER = "地区代码,主体类型,证件号码,名称,项目名称,发放日期,金额（元）,产生部门"


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    env = credit_env(tmp_path_factory, "credit-browser")
    with serve(env.app.server) as base:
        yield env, base


def _csv(env, amounts) -> bytes:
    lines = [HEADER] + [f"{env.village},自然人,{resident_id(env.county)},浏览器林户{i},2026年油茶补贴,2026-06-30,{a},县林业局"
                        for i, a in enumerate(amounts)]
    return ("\r\n".join(lines) + "\r\n").encode("utf-8-sig")


def _batches(env) -> tuple[int, int]:
    with transaction(env.url) as s:
        return (s.scalar(select(func.count()).select_from(CreditImportBatch)),
                s.scalar(select(func.count()).select_from(CreditRecord)))


def test_credit_browser001_import_flow_then_subject_and_archive(served, page_for):
    env, base = served
    page = page_for("cc-county")
    page.goto(f"{base}/credit/import")
    page.locator("#ci-file").wait_for()
    page.set_input_files("#ci-file input[type=file]", files=[{"name": "坏.csv", "mimeType": "text/csv",
                                                              "buffer": _csv(env, ["100.00", "abc", "50"])}])
    page.locator("#ci-errors .ag-row", has_text="金额须为数字").first.wait_for()
    row = page.locator("#ci-errors .ag-row", has_text="金额须为数字").first.inner_text()
    assert "3" in row and "金额（元）" in row
    assert "整批不能导入" in page.inner_text("#ci-summary")
    shot(page, "credit-import-errors")

    before = _batches(env)
    page.set_input_files("#ci-file input[type=file]", files=[{"name": "油茶补贴.csv", "mimeType": "text/csv",
                                                              "buffer": _csv(env, ["1200.00", "860.50", "300"])}])
    page.wait_for_function("() => document.querySelector('#ci-summary')?.innerText.includes('检查通过')")
    page.click("#ci-commit")
    page.wait_for_function("() => document.querySelector('#ci-result')?.innerText.includes('缺少依据文件')")
    assert _batches(env) == before
    shot(page, "credit-import-no-document")

    page.set_input_files("#ci-doc input[type=file]", files=[{"name": "补贴通知.pdf", "mimeType": "application/pdf",
                                                             "buffer": b"%PDF-1.4 browser document"}])
    page.fill("#ci-doc-title", "关于下达2026年油茶补贴资金的通知")
    page.fill("#ci-doc-number", "测林发〔2026〕8号")
    page.fill("#ci-doc-issuer", "测试县林业局")
    fill_date(page, "#ci-doc-date", "2026-07-01")
    page.click("#ci-commit")
    page.wait_for_function("() => document.querySelector('#ci-result')?.innerText.includes('已导入')")
    page.locator("#ci-batches .ag-row", has_text="测林发〔2026〕8号").first.wait_for()
    assert _batches(env) == (before[0] + 1, before[1] + 3)
    shot(page, "credit-import-done")

    page.goto(f"{base}/credit/subjects")
    page.locator("#cs-grid .ag-row").first.wait_for()
    # the session database holds the demo credit population too: find the imported subject by name
    page.fill("#cs-text", "浏览器林户0")
    page.click("#cs-search")
    page.locator("#cs-grid .ag-row", has_text="浏览器林户0").first.wait_for()
    shot(page, "credit-subjects")
    page.locator("#cs-grid a", has_text="浏览器林户0").first.click()
    page.wait_for_url("**/credit/subject?id=*")
    page.locator("#csd-records .ag-row", has_text="2026年油茶补贴").first.wait_for()
    page.locator("#csd-records .ag-row", has_text="2026年油茶补贴").first.click()
    page.locator("#csd-document-link").wait_for()
    assert "关于下达2026年油茶补贴资金的通知" in page.inner_text("#csd-document-link")
    href = page.get_attribute("#csd-document-link", "href")
    assert page.request.get(f"{base}{href}").body() == b"%PDF-1.4 browser document"
    shot(page, "credit-subject")
    sid = page.url.rsplit("=", 1)[1]
    page.goto(f"{base}/credit/archive?id={sid}")
    page.locator("#ca-batches .ag-row", has_text="测林发〔2026〕8号").first.wait_for()
    shot(page, "credit-archive")
