"""同步与备份 in headless Chromium, as the provincial administrator meets it: the year is chosen,
校验 shows the report, 导出 writes the package and lists the sync, 立即备份 adds a backup with its
checksum, 恢复演练… asks first and the drill appears with its result. Screenshots in
var/screenshots/ops/."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.support.browser import SCREENSHOTS, app_on_own_database, wait_text

pytestmark = pytest.mark.browser

SHOTS = Path(os.environ.get("OPS_SHOTS") or SCREENSHOTS / "ops")


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    with app_on_own_database(tmp_path_factory, "browser-ops") as served:
        yield served


def shot(page, name: str) -> Path:
    SHOTS.mkdir(parents=True, exist_ok=True)
    path = SHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def test_browser_ops001_sync_backup_and_drill(served, page_for):
    settings, base = served
    page = page_for("demo-admin")
    page.goto(f"{base}/ops")
    page.wait_for_selector("#ops-backup-grid .ag-row")
    assert "离线报送" in page.inner_text("#ops-offline-note")
    assert "2025年度" in page.inner_text("#ops-year")  # the last complete year, chosen
    page.click("#ops-validate")
    assert "全部通过" in wait_text(page, "#ops-validate-result")
    page.click("#ops-export")  # queued for the job runner; the page follows the job to its outcome
    page.wait_for_function("() => document.querySelector('#ops-sync-result')?.innerText.includes('已写入发件箱')")
    page.wait_for_function("() => document.querySelectorAll('#ops-sync-grid .ag-row').length >= 2")
    page.click("#ops-backup-now")
    page.wait_for_function("() => document.querySelector('#ops-backup-result')?.innerText.includes('已备份')")
    shot(page, "ops-after-backup")
    page.locator("#ops-backup-grid .ag-row[row-index='0']").first.click()  # the newest: the one just made
    page.click("#ops-restore")
    page.wait_for_selector("#ops-restore-modal", state="visible")
    assert "确认从备份恢复" in page.inner_text(".modal-content")
    shot(page, "ops-restore-confirm")
    page.click("#ops-restore-confirm")
    page.wait_for_function("() => document.querySelector('#ops-backup-result')?.innerText.includes('恢复演练')")
    assert "通过校验" in page.inner_text("#ops-backup-result")
    page.wait_for_function("() => document.querySelector('#ops-drill-grid')?.innerText.includes('恢复成功')")
    shot(page, "ops-after-drill")
    page.goto(f"{base}/ops")  # still signed in after the restore: the sessions are carried over
    page.wait_for_selector("#ops-drill-grid .ag-row")
    assert "恢复成功" in page.inner_text("#ops-drill-grid")


def test_browser_ops002_other_roles_do_not_see_the_page(served, page_for):
    _settings, base = served
    page = page_for("demo-county")
    page.goto(f"{base}/")
    page.wait_for_selector("#app-nav")
    assert "同步与备份" not in page.inner_text("#app-nav")
