"""Forestry credit statistics (data/query/credit.py, /credit/stats), the grouped navigation and the
landing page of every role."""
from __future__ import annotations

import datetime as dt
import json

import polars as pl
import pytest
from sqlalchemy import text

from data.db import engine_for
from data.query import credit as stats
from domain.permissions import ROLES, Actor, OutOfScope, PermissionDenied, Scope, role_perms
from server.guard import ROUTER_OUTPUT
from tests.support.accounts import make_user, region_for
from tests.support.app import TODAY
from tests.support.http import dash_post, output, props, sign_in


def actor(role: str, root: int) -> Actor:
    return Actor(user_id=None, username=role, scope=Scope(root=root, perms=role_perms(role), role=role))


def sql(settings, q: str, **params):
    with engine_for(settings.database_url).connect() as c:
        return c.execute(text(q), params).scalar()


def test_credit_stats001_figures_equal_a_direct_count(sqlite_settings):
    url, root = sqlite_settings.database_url, sqlite_settings.province * 10**10
    who = actor("forestry_bureau", root)
    k = stats.kpis(url, who, today=TODAY)
    assert k["subjects"] == sql(sqlite_settings, "SELECT count(*) FROM credit_subjects") > 0
    assert k["records"] == sql(sqlite_settings, "SELECT count(*) FROM credit_records")
    assert k["dishonest_in_publicity"] == sql(
        sqlite_settings, "SELECT count(*) FROM credit_records WHERE kind = 'dishonest' AND status = 'active' "
                         "AND publicity_until >= :d", d=TODAY.isoformat())
    assert k["outstanding_fen"] == sql(sqlite_settings, "SELECT sum(due_fen) FROM credit_repayments WHERE paid_on IS NULL")
    assert k["overdue_fen"] == sql(sqlite_settings, "SELECT sum(due_fen) FROM credit_repayments WHERE paid_on IS NULL "
                                                    "AND due_on < :d", d=TODAY.isoformat()) > 0
    rows = stats.grades_by_region(url, who, today=TODAY)
    assert rows["total"].sum() == k["subjects"]
    by_kind = stats.grades_by_kind(url, who, today=TODAY)
    assert by_kind.filter(pl.col("kind") == "natural")["n"].sum() == sql(
        sqlite_settings, "SELECT count(*) FROM credit_subjects WHERE kind = 'natural'")
    rec = stats.records_by(url, who, today=TODAY)
    assert rec.filter((pl.col("kind") == "subsidy") & (pl.col("source") == "import"))["n"].sum() == sql(
        sqlite_settings, "SELECT count(*) FROM credit_records WHERE kind = 'subsidy' AND source = 'import'")
    sev = stats.dishonest_by_severity(url, who, today=TODAY)
    assert int(sev["in_publicity"].sum() + sev["ended"].sum()) == sql(
        sqlite_settings, "SELECT count(*) FROM credit_records WHERE kind = 'dishonest'")


def test_credit_stats002_drill_down_and_scope(sqlite_settings):
    url, county = sqlite_settings.database_url, sqlite_settings.demo_county
    local = actor("county_forestry", county)
    k = stats.kpis(url, local, today=TODAY)
    assert k["region"] == county
    assert k["subjects"] == sql(sqlite_settings, "SELECT count(*) FROM credit_subjects WHERE region_code BETWEEN :lo AND :hi",
                                lo=county, hi=county + 999_999)
    towns = stats.grades_by_region(url, local, today=TODAY)
    assert all(county <= c < county + 10**6 and c % 1000 == 0 for c in towns["code"])  # the county's townships
    other = sqlite_settings.province * 10**10
    with pytest.raises(OutOfScope):
        stats.kpis(url, local, other, today=TODAY)
    with pytest.raises(PermissionDenied):
        stats.kpis(url, actor("bank_user", other), today=TODAY)


def test_credit_stats003_a_new_record_invalidates_the_cubes(sqlite_settings, tmp_path):
    from pathlib import Path

    from tests.support.app import make_settings
    from tests.support.copies import copy_entry
    from tests.support.credit import make_subject

    src = sqlite_settings.database_url.split("///", 1)[1]
    copy_entry(Path(src), tmp_path / "copy.sqlite")
    s = make_settings(tmp_path, url=f"sqlite:///{tmp_path / 'copy.sqlite'}")
    who = actor("forestry_bureau", s.province * 10**10)
    before = stats.kpis(s.database_url, who, today=TODAY)["subjects"]
    make_subject(s, sqlite_settings.demo_county + 1001, name="新主体")
    assert stats.kpis(s.database_url, who, today=TODAY)["subjects"] == before + 1
    assert stats.kpis(s.database_url, who, today=TODAY + dt.timedelta(days=1))["subjects"] == before + 1


def _page_callback(client, region: int | None = None):
    return dash_post(client, "..cst-breadcrumb.children...cst-asof.children...cst-kpis.children...cst-grade-region.figure..."
                             "cst-grade-kind.figure...cst-records.figure...cst-dishonest.figure...cst-table.rowData..."
                             "cst-empty.children...cst-up.disabled...cst-up.href..",
                     props(("url", "hash", f"#region={region}" if region else "")))


def test_credit_stats004_the_page_through_its_callback(app, sqlite_settings):
    bureau = sign_in(app.server, "demo-forestry")
    resp = _page_callback(bureau)
    assert resp.status_code == 200
    rows = output(resp, "cst-table", "rowData")
    assert rows and sum(r["total"] for r in rows) == sql(sqlite_settings, "SELECT count(*) FROM credit_subjects")
    fig = output(resp, "cst-grade-region", "figure")
    assert fig["data"] and "户/个" in json.dumps(fig, ensure_ascii=False)
    county = sign_in(app.server, "demo-county-forestry")
    mine = output(_page_callback(county), "cst-table", "rowData")
    assert all(sqlite_settings.demo_county <= int(r["code"]) < sqlite_settings.demo_county + 10**6 for r in mine)
    refused = _page_callback(county, sqlite_settings.province * 10**10)
    assert refused.status_code == 403
    village = int(mine[0]["code"]) + 1  # a village: nothing below it, and the page says so
    empty = _page_callback(county, village)
    assert empty.status_code == 200 and output(empty, "cst-table", "rowData") == []
    assert output(empty, "cst-empty", "children")
    assert _page_callback(sign_in(app.server, "demo-bank")).status_code == 403


def test_credit_stats005_export_is_a_table_with_yuan(app):
    import base64
    import io

    import openpyxl

    import callbacks.credit_stats.stats as page
    from tests.support.callbacks import call

    c = sign_in(app.server, "demo-forestry")
    resp = call(c, app, page.export, {("cst-export", "n_clicks"): 1, ("url", "hash"): ""})
    data = output(resp, "cst-download", "data")
    assert data["filename"].endswith(".xlsx")
    ws = openpyxl.load_workbook(io.BytesIO(base64.b64decode(data["content"]))).active
    header = [c.value for c in next(ws.iter_rows(min_row=1, max_row=3)) if c.value]
    assert any("林业信用统计" in str(v) for v in header) or ws.max_row > 2


# ---------------------------------------------------------------- navigation and landing

def test_credit_nav001_groups_render_as_dropdowns_keeping_the_nav_ids(app):
    layout = json.dumps(sign_in(app.server, "demo-admin").get("/_dash-layout").get_json(), ensure_ascii=False)
    assert '"nav-group"' in layout and "监督预警" in layout and "平台管理" in layout
    for nav in ("nav-cockpit", "nav-warnings", "nav-users", "nav-account"):
        assert nav in layout
    member = sign_in(app.server, "demo-member").get("/_dash-layout").get_data(as_text=True)
    assert '"nav-group"' not in member  # single pages are plain links


@pytest.fixture(scope="module")
def every_role(app, sqlite_settings):
    tree = app.server.extensions["platform.query"].tree
    clients = {}
    for role, r in ROLES.items():
        name = f"landing-{role.replace('_', '-')}"
        make_user(sqlite_settings, name, role, region_for(tree, sqlite_settings, r.level),
                  approval_ref="省农业农村厅〔2026〕1号" if r.needs_approval_ref else None,
                  institution="合作金融机构" if r.needs_institution else None)
        clients[role] = sign_in(app.server, name)
    return clients


@pytest.mark.parametrize("role", sorted(ROLES))
def test_credit_nav002_every_role_lands_on_a_page_that_renders(every_role, role):
    c = every_role[role]
    resp = c.get("/")
    target = resp.headers.get("Location", "/") if resp.status_code == 302 else "/"
    assert resp.status_code in (200, 302)
    assert c.get(target).status_code == 200
    page = dash_post(c, ROUTER_OUTPUT, props(("_pages_location", "pathname", target), ("_pages_location", "search", "")))
    assert page.status_code == 200, (role, target)
    assert len(page.get_data(as_text=True)) > 200  # a layout, not an empty page
    if ROLES[role].kind in ("forestry",) and role != "law_enforcement":
        assert target != "/"  # the forestry side has nothing on the collective economy's home page


def test_credit_nav003_the_forestry_bureau_lands_on_the_statistics(app):
    resp = sign_in(app.server, "demo-forestry").get("/")
    assert resp.status_code == 302 and resp.headers["Location"].endswith("/credit/stats")


@pytest.mark.postgres
def test_credit_stats006_postgres_generates_and_counts_the_same(pg_settings):
    who = actor("forestry_bureau", pg_settings.province * 10**10)
    k = stats.kpis(pg_settings.database_url, who, today=TODAY)
    assert k["subjects"] == sql(pg_settings, "SELECT count(*) FROM credit_subjects") > 0
    assert k["overdue_fen"] == sql(pg_settings, "SELECT sum(due_fen) FROM credit_repayments WHERE paid_on IS NULL "
                                                "AND due_on < :d", d=TODAY)
    assert sql(pg_settings, "SELECT count(*) FROM forest_rights WHERE polygon IS NOT NULL") > 0
    assert sql(pg_settings, "SELECT count(*) FROM credit_records WHERE detail IS NOT NULL") > 0
