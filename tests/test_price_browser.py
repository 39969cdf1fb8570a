"""Browser (issue 16, lane C): 价格指数 as the provincial forestry bureau and the demo bank (the index
with its band and counts, thin quarters as gaps, chained form, methods, coefficients, cost index,
export), the valuation helper filled by hand and with bad input, and the way a loan officer gets
there: from a forest right on an authorised credit portrait (估价 link, pre-filled helper); the
subject, who may not use the helper, sees no such link. Screenshots in var/screenshots/prices-*.png;
no request leaves the origin (page_for)."""
from __future__ import annotations

import datetime as dt
import re
from urllib.parse import parse_qs, urlparse

import pytest
from playwright.sync_api import expect

from tests.support.app import TODAY
from tests.support.browser import SCREENSHOTS, app_on_own_database, pick, shot

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    with app_on_own_database(tmp_path_factory, "browser-prices",
                             now=lambda: dt.datetime.combine(TODAY, dt.time(4), dt.UTC)) as app:
        yield app


def _errors(page) -> list[str]:
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    return errors


def _index_page(page, base):
    page.goto(f"{base}/prices")
    page.wait_for_selector("#prc-index .main-svg .scatterlayer .trace", state="attached", timeout=60_000)
    page.wait_for_selector("#prc-coef .ag-row", timeout=30_000)
    page.wait_for_selector("#prc-cost .main-svg .scatterlayer .trace", state="attached", timeout=30_000)
    page.wait_for_selector("#prc-kpis :text('R²')", timeout=30_000)


def test_price_browser001_index_page_as_the_forestry_bureau(served, page_for):
    _, base = served
    page = page_for("demo-forestry")
    errors = _errors(page)
    _index_page(page, base)
    kpis = page.inner_text("#prc-kpis")
    assert "最新指数" in kpis and "95% 区间" in kpis and "宗" in kpis
    # quarters: the generator's thin first quarters are suppressed, shaded and listed with the reason
    note = page.inner_text("#prc-note")
    assert "未发布" in note and ("少于 10 宗不发布" in note or "少于 3 个县不发布" in note), note
    assert page.locator("#prc-index .shapelayer path").count() >= 2  # the gaps' shade and the 100 line
    assert page.locator("#prc-index .barlayer .point").count() > 10
    legend = page.text_content("#prc-index .legend")
    assert "95% 置信区间" in legend and "成交宗数" in legend
    shot(page, "prices-index-forestry")
    page.click("#prc-form a:has-text('环比指数')")
    page.wait_for_selector("#prc-index .g-ytitle text:has-text('环比')", state="attached", timeout=20_000)
    page.locator("#prc-index").screenshot(path=str(SCREENSHOTS / "prices-index-chained.png"))
    page.click("#prc-period label:has-text('年度')")
    expect(page.locator("#prc-index .xtick text").first).not_to_have_text(re.compile("Q"), timeout=30_000)
    pick(page, "prc-forest-type", "用材林")
    page.wait_for_timeout(500)
    page.wait_for_selector("#prc-index .main-svg", timeout=30_000)
    shot(page, "prices-index-forestry-timber-year")
    assert errors == [], errors


def test_price_browser002_index_page_as_the_bank_with_export(served, page_for):
    _, base = served
    page = page_for("demo-bank")
    errors = _errors(page)
    _index_page(page, base)
    assert page.locator("#prc-methods .scatterlayer .trace").count() == 3
    methods = page.text_content("#prc-methods .legend")
    assert "特征价格法" in methods and "中位数" in methods and "分层加权" in methods
    with page.expect_download(timeout=30_000) as got:
        page.click("#prc-export-index")
    assert got.value.suggested_filename.endswith(".xlsx") and "林权价格指数" in got.value.suggested_filename
    with page.expect_download(timeout=30_000) as got:
        page.click("#prc-export-coef")
    assert "系数" in got.value.suggested_filename
    shot(page, "prices-index-bank")
    assert errors == [], errors


def _authorised_subject_with_rights(settings) -> int:
    """A subject who authorised the demo bank (合作金融机构) today and holds a forest right with a stock."""
    from sqlalchemy import text

    from data.db import transaction

    with transaction(settings.database_url) as s:
        return s.execute(text(
            "SELECT a.subject_id FROM credit_authorisations a JOIN forest_rights r ON r.subject_id = a.subject_id "
            "WHERE a.institution = '合作金融机构' AND a.revoked_at IS NULL AND a.valid_from <= :d AND a.valid_until >= :d "
            "AND r.stock_m3 IS NOT NULL AND r.area_mu > 0 ORDER BY a.subject_id LIMIT 1"), {"d": TODAY}).scalar_one()


def test_price_browser003_from_a_portraits_forest_right_to_the_valuation_helper(served, page_for):
    settings, base = served
    sid = _authorised_subject_with_rights(settings)
    page = page_for("demo-bank")
    errors = _errors(page)
    page.goto(f"{base}/credit/portrait?subject={sid}")
    page.wait_for_selector("#credit-rights .credit-value-link", timeout=30_000)
    assert "估价" in page.inner_text("#credit-rights thead")
    link = page.locator("#credit-rights .credit-value-link").first
    href = link.get_attribute("href")
    q = {k: v[0] for k, v in parse_qs(urlparse(href).query).items()}
    assert q["area_mu"] and q["forest_type"] and float(q["volume"]) >= 0
    page.locator("#credit-rights-card").screenshot(path=str(SCREENSHOTS / "prices-portrait-rights.png"))
    link.click()
    page.wait_for_url("**/prices/valuation?*", timeout=20_000)
    page.wait_for_selector("#pval-estimate, #pval-unavailable", timeout=60_000)
    assert page.input_value("#pval-area") == q["area_mu"]
    expect(page.locator("#pval-region")).not_to_contain_text("不限", timeout=20_000)  # the subject's county, chosen
    if q.get("volume"):
        assert page.input_value("#pval-volume") == q["volume"]
    result = page.inner_text("#pval-result")
    assert "估算总价" in result and "90% 区间" in result and "元/亩" in result, result
    shot(page, "prices-valuation-from-portrait")
    assert errors == [], errors


def test_price_browser004_valuation_by_hand_and_bad_input(served, page_for):
    _, base = served
    page = page_for("demo-forestry")
    errors = _errors(page)
    page.goto(f"{base}/prices/valuation")
    page.wait_for_selector("#pval-go", timeout=20_000)
    assert "填写宗地特征" in page.inner_text("#pval-result")
    page.fill("#pval-area", "abc")
    page.fill("#pval-volume", "500")
    page.click("#pval-go")
    page.wait_for_selector("#pval-area-error:has-text('面积应为数字')", timeout=20_000)
    assert "请选择林种" in page.inner_text("#pval-forest-type-error")
    assert "每亩蓄积量应在 0 至 100" in page.inner_text("#pval-volume-error")
    shot(page, "prices-valuation-errors")
    page.fill("#pval-area", "45.5")
    page.fill("#pval-volume", "6.2")
    page.fill("#pval-term", "28")
    pick(page, "pval-forest-type", "用材林")
    pick(page, "pval-age", "近熟林")
    pick(page, "pval-site", "2 级")
    pick(page, "pval-right", "林木经营权")
    page.click("#pval-go")
    page.wait_for_selector("#pval-estimate", timeout=60_000)
    assert page.inner_text("#pval-area-error") == "" and page.inner_text("#pval-forest-type-error") == ""
    text = page.inner_text("#pval-estimate")
    assert "估价对象：45.50 亩，用材林" in text and "90% 区间" in text
    shot(page, "prices-valuation-forestry")
    assert errors == [], errors


def test_price_browser005_no_valuation_link_for_who_may_not_value(served, page_for):
    _, base = served
    page = page_for("demo-subject")
    page.goto(f"{base}/credit/me")
    page.wait_for_selector("#credit-rights, #credit-rights-empty", timeout=30_000)
    assert page.locator(".credit-value-link").count() == 0
    assert "估价" not in page.inner_text("#credit-rights-card")


def test_price_browser006_a_county_sees_its_own_index_and_why_thin_quarters_are_not(served, page_for):
    _, base = served
    page = page_for("demo-county-forestry")
    errors = _errors(page)
    page.goto(f"{base}/prices")
    page.wait_for_selector("#prc-index .main-svg", timeout=60_000)
    page.wait_for_selector("#prc-empty-note, #prc-index .scatterlayer .trace", state="attached", timeout=60_000)
    page.locator("#prc-cost-items").scroll_into_view_if_needed()
    page.wait_for_selector("#prc-cost-items .ag-row", timeout=30_000)
    page.wait_for_timeout(500)
    shot(page, "prices-index-county")
    # the county's own index is published (its sales come from at least 3 of its townships a quarter) …
    assert page.locator("#prc-empty-note").count() == 0
    assert "乡镇" in page.inner_text("#prc-kpis")
    # … except its thin first quarters, listed with their reasons; a suppressed bar's hover says why
    assert "未发布" in page.inner_text("#prc-note") and "宗成交" in page.inner_text("#prc-note")
    page.locator("#prc-index").scroll_into_view_if_needed()
    bars = page.locator("#prc-index .barlayer .trace").last.locator(".point")  # the suppressed periods' bars
    boxes = [bars.nth(i).bounding_box() for i in range(bars.count())]
    box = max((b for b in boxes if b), key=lambda b: b["height"])  # the tallest: a published period's bar is 0 high
    assert box["height"] > 0
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)  # plotly's drag layer is on top
    page.wait_for_selector("#prc-index .hovertext", state="attached", timeout=10_000)
    hover = page.text_content("#prc-index .hovertext")
    assert "未发布" in hover and "个乡镇" in hover, hover  # inside a county: its townships count
    page.locator("#prc-index").screenshot(path=str(SCREENSHOTS / "prices-index-county-hover.png"))
    assert errors == [], errors
