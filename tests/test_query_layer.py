"""The polars query layer: answers equal a direct SQL aggregation of the ledger, scopes are
enforced, and postings by anyone advance the roll-ups incrementally."""
from __future__ import annotations

import datetime as dt

import polars as pl
import pytest
from sqlalchemy import func, select, text

from data.db import engine_for, transaction
from data.models import Voucher, VoucherLine
from data.query import QueryLayer
from domain import clock
from domain.regions import subtree_bounds
from domain.permissions import OutOfScope, Scope, role_perms
from tests.conftest import TODAY


def province_scope(settings):
    return Scope(root=settings.province * 10**10, perms=role_perms("province_leader"), role="province_leader")


def sql_total_assets(settings, region: int, period: int) -> int:
    lo, hi = subtree_bounds(region)
    codes = (101, 102, 111, 112, 113, 121, 401, 131, 132, 133, 134, 141, 151, 152, 153, 154, 161, 162, 171, 181)
    with engine_for(settings.database_url).connect() as c:
        return int(c.execute(text(
            f"SELECT COALESCE(SUM(debit_fen - credit_fen), 0) FROM voucher_lines WHERE region_code BETWEEN :lo AND :hi "
            f"AND period <= :p AND account_code IN {codes}"), {"lo": lo, "hi": hi, "p": period}).scalar())


def sql_income_ytd(settings, region: int, period: int) -> int:
    lo, hi = subtree_bounds(region)
    with engine_for(settings.database_url).connect() as c:
        return int(c.execute(text(
            "SELECT COALESCE(SUM(credit_fen - debit_fen), 0) FROM voucher_lines WHERE region_code BETWEEN :lo AND :hi "
            "AND period BETWEEN :s AND :p AND account_code = 501"),
            {"lo": lo, "hi": hi, "s": period // 100 * 100 + 1, "p": period}).scalar())


@pytest.fixture(scope="module")
def ql(sqlite_settings):
    return QueryLayer(sqlite_settings, today=TODAY).load()


def test_query001_kpis_match_sql_at_every_level(ql, sqlite_settings):
    scope = province_scope(sqlite_settings)
    period = ql.latest_period()
    assert period == 202611
    village = int(ql.state.rollups[5]["code"][0])
    for region in (scope.root, village // 10**8 * 10**8, village // 10**6 * 10**6, village // 1000 * 1000, village):
        k = ql.kpis(scope, region, period)
        assert k["total_assets"] == sql_total_assets(sqlite_settings, region, period) != 0
        assert k["income_operating"] == sql_income_ytd(sqlite_settings, region, period)
        assert k["funds"] == k["cash"] + k["bank"]


def test_query002_children_sum_to_parent_and_include_empty_children(ql, sqlite_settings):
    scope = province_scope(sqlite_settings)
    kids = ql.children(scope, scope.root)
    assert kids.height == ql.tree.children(scope.root).height  # every city, data or not
    assert kids["total_assets"].sum() == ql.kpis(scope, scope.root)["total_assets"]
    assert (kids["total_assets"] == 0).sum() >= 1  # the test scale leaves most cities empty


def test_query003_monthly_balances_are_cumulative(ql, sqlite_settings):
    scope = province_scope(sqlite_settings)
    m = ql.monthly(scope, scope.root)
    assert m["period"].to_list() == ql.periods()
    assert m["total_assets"][-1] == ql.kpis(scope, scope.root)["total_assets"]
    mid = m["period"][10]
    assert m.filter(pl.col("period") == mid)["total_assets"][0] == sql_total_assets(sqlite_settings, scope.root, mid)


def test_query004_asset_value_has_yoy_growth(ql, sqlite_settings):
    scope = province_scope(sqlite_settings)
    a = ql.asset_value(scope, scope.root)
    assert a["yoy_growth"][:12].is_null().all()
    last = a.row(-1, named=True)
    prev = a.row(-13, named=True)
    assert last["yoy_growth"] == pytest.approx(last["total_assets"] / prev["total_assets"] - 1)


def test_query005_out_of_scope_is_refused_not_widened(ql, sqlite_settings):
    county = sqlite_settings.demo_county
    scope = Scope(root=county, perms=role_perms("county_admin"), role="county_admin")
    other = next(c for c in ql.tree.children(county // 10**8 * 10**8)["code"] if c != county)
    for call in (lambda: ql.kpis(scope, other), lambda: ql.children(scope, other), lambda: ql.monthly(scope, other),
                 lambda: ql.kpis(scope, scope.root // 10**8 * 10**8), lambda: ql.villages(scope, 22 * 10**10)):
        with pytest.raises(OutOfScope):
            call()
    kids = ql.children(scope, county)
    lo, hi = subtree_bounds(county)
    assert kids.height and kids["code"].is_between(lo, hi).all()


def test_query006_posting_advances_rollups_incrementally(sqlite_settings, tmp_path):
    """A voucher posted through the system of record shows up after refresh (any process)."""
    ql = QueryLayer(sqlite_settings, today=TODAY).load()
    scope = province_scope(sqlite_settings)
    village = int(ql.state.rollups[5]["code"][0])
    before = ql.kpis(scope, village)
    county_before = ql.kpis(scope, village // 10**6 * 10**6)
    with transaction(sqlite_settings.database_url) as s:
        org_id = s.scalar(select(Voucher.org_id).where(Voucher.region_code == village).limit(1))
        number = s.scalar(select(func.max(Voucher.number)).where(Voucher.org_id == org_id, Voucher.period == 202611)) + 1
        v = _bank_income(s, org_id, village, number, "测试收入", 123_456)
    try:
        assert ql.refresh() == 2
        after = ql.kpis(scope, village)
        assert after["bank"] - before["bank"] == 123_456
        assert after["income_operating"] - before["income_operating"] == 123_456
        assert ql.kpis(scope, village // 10**6 * 10**6)["total_assets"] - county_before["total_assets"] == 123_456
        # a fresh process (snapshot + catch-up) sees the same
        again = QueryLayer(sqlite_settings, today=TODAY).load()
        assert again.kpis(scope, village)["bank"] == after["bank"]
    finally:  # the ledger is append-only: reverse with a red-ink voucher, never delete
        with transaction(sqlite_settings.database_url) as s:
            _bank_income(s, org_id, village, number + 1, "冲销测试收入", -123_456, reverses_id=v.id)


def _bank_income(s, org_id: int, village: int, number: int, summary: str, fen: int, reverses_id: int | None = None):
    """A voucher of November 2026: `fen` into the bank (102) as operating income (501); negative
    `fen` takes it out again. Its provenance is the test's (the shared database's records all carry one)."""
    v = Voucher(org_id=org_id, region_code=village, date=dt.date(2026, 11, 20), period=202611, number=number,
                summary=summary, reverses_id=reverses_id, posted_at=clock.now(), provided_by="test_query_layer",
                responsible_by="test_query_layer")
    s.add(v)
    s.flush()
    debit, credit = (fen, 0) if fen > 0 else (0, -fen)
    s.add_all([VoucherLine(voucher_id=v.id, region_code=village, period=202611, line_no=1, account_code=102,
                           debit_fen=debit, credit_fen=credit),
               VoucherLine(voucher_id=v.id, region_code=village, period=202611, line_no=2, account_code=501,
                           debit_fen=credit, credit_fen=debit)])
    return v


def test_query007_newest_warnings_put_the_most_severe_first_and_stay_in_scope(sqlite_settings):
    """The cockpit's 最新预警: a rule run raises many warnings at once, so among the recent ones (the
    last 30 days) the most severe come first; a county sees only its own."""
    ql = QueryLayer(sqlite_settings, today=TODAY).load()
    top = ql.warnings(province_scope(sqlite_settings), sqlite_settings.province * 10**10, limit=10)
    recent = f"status <> 'closed' AND raised_at >= '{TODAY - dt.timedelta(days=30)}'"
    with engine_for(sqlite_settings.database_url).connect() as c:
        worst, n = c.execute(text(f"SELECT MAX(severity), COUNT(*) FROM warnings WHERE {recent}")).one()
    assert n >= 2 and top.height == min(10, n) and top["severity"][0] == worst
    assert ql.warnings(province_scope(sqlite_settings), sqlite_settings.province * 10**10, limit=2).height == 2
    assert top["severity"].to_list() == sorted(top["severity"].to_list(), reverse=True)
    assert (top["status"] != "closed").all()
    county = sqlite_settings.demo_county
    own = ql.warnings(Scope(root=county, perms=role_perms("county_admin"), role="county_admin"), county, limit=50)
    assert own.height > 0 and own["code"].is_between(*subtree_bounds(county)).all()
