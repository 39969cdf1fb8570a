"""Browser test of 成交样本 (issue 16, lane D): the county forestry bureau opens the sample of its
county (sorted, filtered, paged in the database), uploads a sales file with a bad row and sees the
error by row and column (nothing can be imported), then a good file: preview, import, and the new
sales in the table. The bank has no such page. Screenshots: price-sales-table,
price-sales-preview-errors, price-sales-imported."""
from __future__ import annotations

import pytest

from data.models import PriceSale
from tests.support.browser import app_on_own_database, count, pick, shot

pytestmark = pytest.mark.browser

HEADER = ("地区代码,成交日期,成交类型,面积（亩）,成交价格（元）,林种,优势树种,龄组,每亩蓄积量（立方米）,立地等级,"
          "经营期限（年）,权利类型")


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    with app_on_own_database(tmp_path_factory, "browser-price-sales") as app:
        yield app


def _csv(lines: list[str]) -> bytes:
    return ("\r\n".join([HEADER, *lines]) + "\r\n").encode("utf-8-sig")


def _upload(page, name: str, content: bytes) -> None:
    page.set_input_files("#ps-file input[type=file]", files=[{"name": name, "mimeType": "text/csv", "buffer": content}])


def test_price_sales_browser001_table_upload_preview_commit(served, page_for):
    settings, base = served
    village = settings.demo_county + 1001  # the demo county's first village (220122001001)
    page = page_for("demo-county-forestry")
    page.goto(f"{base}/prices/sales")
    page.locator("#ps-grid .ag-row").first.wait_for()
    page.wait_for_function("() => document.querySelector('#ps-summary-line')?.innerText.includes('共')")
    total = page.inner_text("#ps-summary-line")
    assert "当前显示第 1–100 宗" in total and "第 1 /" in page.inner_text("#ps-page")
    pick(page, "ps-type", "经济林")
    page.wait_for_function("() => document.querySelector('#ps-summary-line')?.innerText !== " + repr(total))
    types = page.locator("#ps-grid .ag-row [col-id=forest_type_label]").all_inner_texts()
    assert types and set(types) == {"经济林"}
    page.click("#ps-next")
    page.wait_for_function("() => document.querySelector('#ps-page')?.innerText.startsWith('第 2 /')")
    assert not page.is_disabled("#ps-prev")
    page.locator("#ps-import").wait_for()
    shot(page, "price-sales-table")

    bad = [f"{village},2024-05-18,流转,45.50,182000.00,用材林,落叶松,中龄林,4.20,3,30,林木经营权",
           f"{village},2024-05-19,流转,12.00,-5,用材林,落叶松,中龄林,4.20,3,30,林木经营权"]
    _upload(page, "坏样本.csv", _csv(bad))
    page.wait_for_function("() => document.querySelector('#ps-counts')?.innerText.includes('错误 1 处')")
    row = page.locator("#ps-errors .ag-row", has_text="金额不能为负数").first
    row.wait_for()
    assert "3" in row.inner_text() and "成交价格（元）" in row.inner_text()
    assert page.is_disabled("#ps-commit") and "整份不能导入" in page.inner_text("#ps-summary")
    shot(page, "price-sales-preview-errors")

    before = count(settings, PriceSale)
    good = [f"{village},2025-11-{d:02d},流转,{20 + d}.00,{90000 + d * 1000}.00,经济林,红松,成熟林,7.5,2,25,林地使用权"
            for d in range(1, 6)]
    _upload(page, "浏览器样本.csv", _csv(good))
    page.wait_for_function("() => document.querySelector('#ps-summary')?.innerText.includes('检查通过')")
    assert page.locator("#ps-preview .ag-row").count() == 5
    page.click("#ps-commit")
    page.wait_for_function("() => document.querySelector('#ps-commit-result')?.innerText.includes('已导入')")
    assert "已导入林权成交样本 5 行" in page.inner_text("#ps-commit-result")
    assert count(settings, PriceSale) == before + 5
    pick(page, "ps-source", "导入")
    page.wait_for_function("() => document.querySelector('#ps-summary-line')?.innerText.includes('共 5 宗')")
    assert page.locator("#ps-grid .ag-row").count() == 5
    shot(page, "price-sales-imported")


def test_price_sales_browser002_bank_has_no_sample_page(served, page_for):
    _, base = served
    page = page_for("demo-bank")
    page.goto(f"{base}/prices/sales")
    page.wait_for_load_state("networkidle")
    assert page.locator("#ps-grid").count() == 0
