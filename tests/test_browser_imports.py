"""Browser test of 数据导入 (issue 14 item 3): the township accountant uploads a ledger with a bad
row and sees the preview with the error by row and column (nothing can be imported), then a good
file whose import runs in the background with its progress bar shown, and the import record.
Screenshots: imports-preview-errors, imports-progress, imports-done."""
from __future__ import annotations

import pytest

from tests.support.browser import app_on_own_database, shot
from tests.support.imports import LEDGER_HEADER, csv_bytes, imported_vouchers, ledger_rows, villages

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    with app_on_own_database(tmp_path_factory, "browser-imports") as app:
        yield app


def _upload(page, name: str, content: bytes) -> None:
    page.set_input_files("#imp-file input[type=file]", files=[{"name": name, "mimeType": "text/csv", "buffer": content}])


def test_imports_browser001_preview_with_errors_then_an_import_with_its_progress_bar(served, page_for):
    from tests.support.accounts import actor

    settings, base = served
    inside, _ = villages(settings, actor(settings, "demo-township").scope)
    page = page_for("demo-township")
    page.goto(f"{base}/imports")
    page.locator("#imp-file").wait_for()
    bad = ledger_rows(inside[0], 3, year=2016, summary="浏览器坏账")
    bad[2][5] = "12.3x"  # row 4 of the file
    _upload(page, "坏账.csv", csv_bytes(LEDGER_HEADER, bad, "gbk"))
    page.wait_for_function("() => document.querySelector('#imp-counts')?.innerText.includes('错误')")
    page.locator("#imp-errors .ag-row", has_text="不是有效金额").first.wait_for()
    row = page.locator("#imp-errors .ag-row", has_text="不是有效金额").first.inner_text()
    assert "4" in row and "借方金额" in row
    assert page.is_disabled("#imp-commit")
    assert "整份不能导入" in page.inner_text("#imp-summary")
    shot(page, "imports-preview-errors")

    good = csv_bytes(LEDGER_HEADER, ledger_rows(inside[1], 12000, year=2017, summary="浏览器导入"))
    _upload(page, "历史账簿.csv", good)
    page.wait_for_function("() => document.querySelector('#imp-summary')?.innerText.includes('检查通过')", timeout=120_000)
    assert not page.is_disabled("#imp-commit")
    page.click("#imp-commit")
    page.wait_for_function("() => /[1-9]\\d*\\/24000 行/.test(document.querySelector('#imp-progress')?.innerText || '')",
                           timeout=120_000)
    assert page.is_visible("#imp-progress-box") and not page.is_disabled("#imp-cancel")
    shot(page, "imports-progress")
    page.wait_for_function("() => document.querySelector('#imp-commit-result')?.innerText.includes('已导入')",
                           timeout=300_000)
    assert "12000 张凭证" in page.inner_text("#imp-commit-result")
    page.locator("#imp-history .ag-row", has_text="历史账簿.csv").first.wait_for()
    assert not page.is_visible("#imp-progress-box")
    shot(page, "imports-done")
    assert imported_vouchers(settings, "浏览器导入") == 12000
    assert imported_vouchers(settings, "浏览器坏账") == 0
