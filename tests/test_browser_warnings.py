"""Browser tests of the supervision warnings (issue 6): a county official opens the heatmap, clicks
a cell and sees its warnings; a township accountant acknowledges and handles a village's warning on
预警处置 with a note and a file, sees the outcome in Chinese, and the database agrees. Nothing is
requested from outside the app's origin. Screenshots: var/screenshots/warning-heatmap.png,
warnings.png."""
from __future__ import annotations

import datetime as dt
import itertools

import pytest
from sqlalchemy import func, select

from data.db import transaction
from data.models import Attachment, CollectiveOrg, User, Warning, WarningEvent
from data.supervision import engine as warning_engine
from domain.supervision import lifecycle
from domain.supervision.lifecycle import rule_info
from domain.supervision.rules import RULES as RULE_BOOK
from tests.conftest import TODAY
from tests.support.browser import app_on_own_database, shot

pytestmark = pytest.mark.browser

#: rules the fixture raises somewhere in the county (the engine's own warnings come on top)
RULES = ["cash_over_limit", "no_resolution", "instalment_overdue", "contract_expired_active", "price_below_reserve",
         "duplicate_payment", "receivable_aged_3y", "benford", "annual_check_not_filed", "paid_before_approval"]

#: rules the demo data raises: every rule but credit_reply_overdue, which needs an overdue credit
#: request (the demo has none) — as VILLAGE_RULES in test_warning_engine
DEMO_RULES = set(RULE_BOOK) - {"credit_reply_overdue"}


def seed_warnings(settings) -> list[int]:
    """A spread of warnings over the county's villages on the platform: every rule above, some
    high-severity, a few closed, one overdue; the demo village gets two."""
    counter = itertools.count()
    ids = []
    with transaction(settings.database_url) as s:
        county = settings.demo_county
        villages = sorted(int(c) for c in s.scalars(select(CollectiveOrg.region_code).where(
            CollectiveOrg.region_code.between(county, county + 10**6 - 1))).all())
        demo_village = int(s.scalar(select(User.region_code).where(User.username == "demo-village")))
        targets = [demo_village, demo_village] + villages
        for i, rule_id in enumerate(RULES * 2):
            village = targets[i % len(targets)]
            rule = RULE_BOOK[rule_id]
            raised = dt.datetime.combine(TODAY - dt.timedelta(days=7 + 9 * i), dt.time(2), tzinfo=dt.UTC)
            closed = i in (4, 15, 17)  # each rule keeps one open warning
            w = Warning(rule_id=rule_id, region_code=village, severity=rule.severity,
                        status="closed" if closed else "pushed", assigned_region=village,
                        fingerprint=f"browser:{rule_id}:{next(counter)}", title=f"{rule.name}（浏览器测试 {i + 1}）",
                        evidence={"amount_fen": 1_234_500 + i, "date": (TODAY - dt.timedelta(days=30)).isoformat()},
                        raised_at=raised, due_on=lifecycle.due_date(raised.date(), rule.severity),
                        closed_at=raised + dt.timedelta(days=6 + i) if closed else None)
            s.add(w)
            s.flush()
            ids.append(w.id)
    return ids


def _with_engine_warnings(settings) -> None:
    """The rule engine's own findings (as the demo data carries them), plus the seeded warnings."""
    with transaction(settings.database_url) as s:
        engine_ran = s.scalar(select(func.count()).select_from(Warning))
    if not engine_ran:
        warning_engine.run(settings.database_url, settings.audit_key, today=TODAY, data_dir=settings.data_dir)
    seed_warnings(settings)


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """Its own database (the township writes) with warnings, and the app served on it."""
    with app_on_own_database(tmp_path_factory, "browser-warnings", prepare=_with_engine_warnings,
                             now=lambda: dt.datetime.combine(TODAY, dt.time(3), tzinfo=dt.UTC)) as app:
        yield app


def click_heatmap_cell(page, graph_id: str, row: int, col: int) -> None:
    """A real mouse click in the middle of heatmap cell (row, col), located through plotly's axes."""
    x, y = page.evaluate("""([id, row, col]) => {
        const gd = document.querySelector('#' + id + ' .js-plotly-plot');
        const xa = gd._fullLayout.xaxis, ya = gd._fullLayout.yaxis;
        const box = gd.getBoundingClientRect();
        return [box.left + xa._offset + xa.l2p(col), box.top + ya._offset + ya.l2p(row)];
    }""", [graph_id, row, col])
    page.mouse.move(x, y)
    page.mouse.click(x, y)


def open_heatmap(page, base: str, chart: str) -> None:
    """/warning-map, once its heatmap, its ratings grid and `chart` are drawn."""
    page.goto(f"{base}/warning-map")
    for selector in ("#wmap-heatmap .heatmaplayer", "#wmap-ratings .ag-center-cols-container .ag-row", chart):
        page.wait_for_selector(selector)


def test_warnbrowser001_county_heatmap_cell_shows_its_warnings(served, page_for):
    settings, base = served
    page = page_for("demo-county")
    open_heatmap(page, base, "#wmap-trend .scatterlayer .trace")
    fig = page.evaluate("() => { const gd = document.querySelector('#wmap-heatmap .js-plotly-plot');"
                        " return {x: gd.data[0].x, y: gd.data[0].y, z: gd.data[0].z}; }")
    assert {rule_info(r)["name"] for r in RULES} <= set(fig["x"])  # every rule raised in the county is a column
    # the worst township is on top; its biggest cell
    row = 0
    col = max(range(len(fig["x"])), key=lambda j: fig["z"][0][j])
    count = fig["z"][row][col]
    assert count >= 1 and sum(fig["z"][0]) == max(sum(r) for r in fig["z"])
    click_heatmap_cell(page, "wmap-heatmap", row, col)
    page.wait_for_function("(t) => document.querySelector('#wmap-cell-title')?.innerText.includes(t)",
                           arg=f"{fig['y'][row]} · {fig['x'][col]}")
    grid_rows = page.locator("#wmap-cell-grid .ag-center-cols-container .ag-row")
    grid_rows.first.wait_for()
    assert grid_rows.count() == count
    assert fig["x"][col] in page.inner_text("#wmap-cell-grid")
    assert "处置" in page.inner_text("#wmap-cell-grid")
    assert "红色村" in page.inner_text("#wmap-kpis")
    page.evaluate("() => window.scrollTo(0, 0)")
    shot(page, "warning-heatmap")


def test_warnbrowser002_township_acknowledges_and_handles_a_warning(served, page_for, tmp_path):
    settings, base = served
    url = settings.database_url
    page = page_for("demo-township")
    page.goto(f"{base}/warnings")
    rows = page.locator("#warn-grid .ag-center-cols-container .ag-row")
    rows.first.wait_for()
    with transaction(url) as s:
        township = int(s.scalar(select(User.region_code).where(User.username == "demo-township")))
        wid = s.scalar(select(Warning.id).where(Warning.status == "pushed", Warning.title.contains("浏览器测试"),
                                                Warning.region_code.between(township, township + 999))
                       .order_by(Warning.severity.desc(), Warning.raised_at.desc(), Warning.id.desc()).limit(1))
        events = s.scalar(select(func.count()).select_from(WarningEvent))
    page.locator(f"#warn-grid .ag-row[row-id='{wid}']").first.click()
    page.wait_for_selector(f"#warn-detail-{wid}")
    assert "依据" in page.inner_text("#warn-facts")
    page.wait_for_function("() => document.querySelector('#warn-actions-note')?.innerText.includes('签收')")
    page.click("#warn-step-acknowledge")  # the only step offered: 确认签收
    page.wait_for_function("() => document.querySelector('#warn-result')?.innerText.includes('已签收')")
    page.wait_for_function("() => document.querySelector('#warn-actions-note')?.innerText.includes('办理')")
    # handling needs a note of at least 10 characters: refused first, on the page
    page.fill("#warn-note", "已处理")
    page.click("#warn-step-handle")
    page.wait_for_function("() => document.querySelector('#warn-note-error')?.innerText.length > 0")
    assert "至少10个字" in page.inner_text("#warn-note-error")
    receipt = tmp_path / "整改说明.pdf"
    receipt.write_bytes(b"%PDF-1.4 rectification report")
    page.set_input_files("#warn-files input[type=file]", str(receipt))
    page.wait_for_function("() => document.querySelector('#warn-files-names')?.innerText.includes('整改说明.pdf')")
    page.fill("#warn-note", "已核查原始凭证并完成整改，相关款项已追回，附整改说明。")
    page.click("#warn-step-handle")
    page.wait_for_function("() => document.querySelector('#warn-result')?.innerText.includes('已办理')")
    assert "附件 1 个" in page.inner_text("#warn-result")
    page.wait_for_function("() => document.querySelector('#warn-trail')?.innerText.includes('整改说明.pdf')")
    assert page.input_value("#warn-note") == "" and "整改说明" not in page.inner_text("#warn-files-names")
    shot(page, "warnings")
    with transaction(url) as s:
        w = s.get(Warning, wid)
        assert w.status == "handled" and w.acknowledged_at and w.handled_at
        assert s.scalar(select(func.count()).select_from(WarningEvent)) == events + 2
        ev = s.scalar(select(WarningEvent).where(WarningEvent.warning_id == wid, WarningEvent.action == "handle"))
        assert "追回" in ev.note
        assert s.scalar(select(Attachment.filename).where(Attachment.owner_type == "warning_event",
                                                          Attachment.owner_id == ev.id)) == "整改说明.pdf"


def test_warnbrowser003_province_heatmap_shows_every_rule_of_the_demo_data(served, page_for):
    """The demo data plants a fault of every rule somewhere in the province; the province's heatmap
    has a column for each, and its map colours the cities."""
    _, base = served
    page = page_for("demo-admin")
    open_heatmap(page, base, "#wmap-map .scatterlayer .trace")
    x = page.evaluate("() => document.querySelector('#wmap-heatmap .js-plotly-plot').data[0].x")
    assert {rule_info(r)["name"] for r in DEMO_RULES} <= set(x)
    assert "吉林省" in page.inner_text("#wmap-breadcrumb")
    shot(page, "warning-heatmap-province")
