"""The demo-data generator: deterministic, balanced, heavy-tailed, and carrying the faults the
supervision rules must find."""
from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

import numpy as np
import polars as pl
import pytest
from sqlalchemy import select, text

from data.db import engine_for, reading
from data.demo import DEMO_LOGINS, SCALES, demo_frames
from data.demo.ledger import MEAN_ASSETS_YUAN, generate_ledger, village_wealth
from data.models import User, Warning, WarningEvent, WarningRun
from data.regions import load_region_tree
from domain.clock import china_date
from domain.supervision import lifecycle as rules
from domain.permissions import ROLES, Scope, role_perms
from tests.support.app import TODAY


def q(settings, sql: str):
    with engine_for(settings.database_url).connect() as c:
        return c.execute(text(sql)).scalar()


def test_demo001_wealth_is_heavy_tailed_like_the_2019_audit():
    w = np.sort(village_wealth(np.random.default_rng(7), 200_000))[::-1] / 100
    assert abs(w.mean() / MEAN_ASSETS_YUAN - 1) < 0.1
    top14 = w[: int(len(w) * 0.14)].sum() / w.sum()
    assert 0.68 < top14 < 0.82  # about three quarters of assets in 14% of villages


def test_demo002_same_seed_same_ledger():
    codes = np.arange(220122001001, 220122001021)
    a = generate_ledger(np.random.default_rng(3), codes, np.arange(1, 21), 202611, 12, 5)
    b = generate_ledger(np.random.default_rng(3), codes, np.arange(1, 21), 202611, 12, 5)
    c = generate_ledger(np.random.default_rng(4), codes, np.arange(1, 21), 202611, 12, 5)
    assert a.lines.equals(b.lines) and a.vouchers.equals(b.vouchers)
    assert not a.lines.equals(c.lines)


def test_demo003_every_voucher_balances(sqlite_settings):
    unbalanced = q(sqlite_settings, "SELECT COUNT(*) FROM (SELECT voucher_id FROM voucher_lines GROUP BY voucher_id "
                                    "HAVING SUM(debit_fen) <> SUM(credit_fen)) t")
    assert unbalanced == 0
    # every village keeps books every month of the two test years
    villages = q(sqlite_settings, "SELECT COUNT(*) FROM collective_orgs")
    assert villages >= 10
    assert q(sqlite_settings, "SELECT COUNT(*) FROM (SELECT DISTINCT region_code, period FROM voucher_lines) t") \
        == villages * 24


def test_demo004_seasonal_cash_flows(sqlite_settings):
    with engine_for(sqlite_settings.database_url).connect() as c:
        by_month = dict(c.execute(text(
            "SELECT period % 100, SUM(credit_fen) FROM voucher_lines WHERE account_code = 501 GROUP BY 1")).all())
    assert by_month[1] > by_month[2] and by_month[10] > by_month[7]  # January and harvest-time collections


@pytest.mark.parametrize("what, sql", [
    ("disposal without resolution", "SELECT COUNT(*) FROM assets WHERE status='disposed' AND resolution_id IS NULL"),
    ("overdue instalment", "SELECT COUNT(*) FROM contract_instalments WHERE due_on < '2026-11-22' AND received_fen < amount_fen"),
    ("expired but active contract", "SELECT COUNT(*) FROM contracts WHERE status='active' AND end_on < '2026-11-22'"),
    ("late annual asset check", "SELECT COUNT(*) FROM annual_checks WHERE filed_on IS NULL OR filed_on > (year + 1) || '-03-31'"),
    ("deal below reserve", "SELECT COUNT(*) FROM trade_listings WHERE deal_price_fen < reserve_price_fen * 0.8"),
    ("large payment", "SELECT COUNT(*) FROM voucher_lines WHERE account_code IN (511, 513, 514) AND debit_fen >= 5000000"),
])
def test_demo005_planted_faults_exist(sqlite_settings, what, sql):
    assert q(sqlite_settings, sql) > 0, what


def test_demo006_records_carry_provenance(sqlite_settings):
    for table in ("collective_orgs", "assets", "contracts", "resources", "vouchers"):
        assert q(sqlite_settings, f"SELECT COUNT(*) FROM {table} WHERE provided_by IS NULL OR responsible_by IS NULL") == 0


def test_demo007_identifiers_are_valid(sqlite_settings):
    from domain.identifiers import is_valid_resident_id, is_valid_uscc

    with engine_for(sqlite_settings.database_url).connect() as c:
        ids = [r[0] for r in c.execute(text("SELECT id_number FROM members LIMIT 500"))]
        codes = [r[0] for r in c.execute(text("SELECT uscc FROM collective_orgs"))]
    assert ids and all(is_valid_resident_id(x) for x in ids)
    assert codes and all(is_valid_uscc(x) and x.startswith("N2") for x in codes)


# ------------------------------------------------------------------ the warnings' handling history

def generated_warnings(settings):
    """The warnings of the generation (ids up to its engine run's count: later tests may add more),
    each with its trail ordered by time."""
    with reading(settings.database_url) as s:
        n = s.scalar(select(WarningRun.raised).order_by(WarningRun.id).limit(1))
        warnings = s.scalars(select(Warning).where(Warning.id <= n).order_by(Warning.id)).all()
        events = s.scalars(select(WarningEvent).where(WarningEvent.warning_id <= n)
                           .order_by(WarningEvent.at, WarningEvent.id)).all()
        users = {u.id: u for u in s.scalars(select(User))}
        s.expunge_all()
    trails: dict[int, list] = {}
    for ev in events:
        trails.setdefault(ev.warning_id, []).append(ev)
    return warnings, trails, users


def first_day(settings):
    period = q(settings, "SELECT MIN(period) FROM vouchers")
    return dt.date(period // 100, period % 100, 1)


def test_demo008_warnings_were_raised_over_months_and_handled_in_order(sqlite_settings):
    """The demo opens like a platform that has been running: warnings raised over many months,
    each trail a sequence of steps the lifecycle allows, by the users allowed to take them, with
    the warning's status and stamps matching its trail; nothing dated after today."""
    warnings, trails, users = generated_warnings(sqlite_settings)
    start = first_day(sqlite_settings)
    raised = [china_date(w.raised_at) for w in warnings]
    assert len({(d.year, d.month) for d in raised}) >= 4 and min(raised) < TODAY.replace(day=1)
    assert start <= min(raised) and max(raised) <= TODAY
    statuses = {w.status for w in warnings}
    assert statuses <= set(rules.STATUS_LABELS) and "closed" in statuses and statuses & rules.OPEN
    assert any(w.escalations for w in warnings)
    for w in warnings:
        trail = trails[w.id]
        assert [(e.action, e.from_status, e.to_status, e.by_id) for e in trail[:2]] == [
            ("raise", None, "raised", None), ("push", "raised", "pushed", None)]
        assert trail[0].at == trail[1].at == w.raised_at
        state = rules.WarningState(status="pushed", region_code=w.region_code, assigned_region=w.region_code,
                                   severity=w.severity, due_on=rules.due_date(china_date(w.raised_at), w.severity))
        stamps = {}
        for prev, e in zip(trail[1:], trail[2:]):
            assert prev.at < e.at and china_date(e.at) <= TODAY
            assert e.from_status == state.status
            if e.action == "escalated":  # the escalation thread's step: the day after the deadline, one level up
                day = china_date(e.at)
                assert rules.overdue(state, day) and not rules.overdue(state, day - dt.timedelta(days=1))
                region, due = rules.escalation(state, day)
                state = rules.WarningState(status="pushed", region_code=w.region_code, assigned_region=region,
                                           severity=w.severity, due_on=due)
                assert e.by_id is None and e.to_status == "pushed" and "升级至" in e.note
                continue
            if e.by_id is not None:  # a real user of that jurisdiction, allowed to take the step
                u = users[e.by_id]
                scope = Scope(root=int(u.region_code), perms=role_perms(u.role), user_id=u.id, role=u.role)
                assert rules.refusal(e.action, scope, u.id, state) is None, (w.id, e.action, u.username)
            else:
                assert rules.status_problem(e.action, state.status) is None
            assert rules.note_problem(e.action, e.note) is None
            if e.action == "handle":
                assert china_date(e.at) <= state.due_on  # handled in time (else it went up first)
                handler = users[e.by_id] if e.by_id is not None else None
                state = rules.WarningState(
                    status="handled", region_code=w.region_code, assigned_region=state.assigned_region,
                    severity=w.severity, due_on=state.due_on,
                    handled_by=state.handled_by | ({e.by_id} if e.by_id else set()),
                    handler_region=int(handler.region_code) if handler else None)
            else:
                state = dataclasses.replace(state, status=rules.next_status(e.action))
            assert e.to_status == state.status
            stamps[e.action] = e.at
        assert w.status == state.status and w.assigned_region == state.assigned_region and w.due_on == state.due_on
        assert w.escalations == sum(e.action == "escalated" for e in trail) <= 1
        assert w.version == len(trail) - 1
        for action, column in (("acknowledge", "acknowledged_at"), ("handle", "handled_at"), ("verify", "verified_at"),
                               ("close", "closed_at")):
            assert getattr(w, column) == stamps.get(action), (w.id, column)
        if w.status == "closed":
            assert w.closed_at >= w.raised_at
            assert [e.action for e in trail if e.action != "escalated"] == [
                "raise", "push", "acknowledge", "handle", "verify", "close"] or [
                e.action for e in trail if e.action != "escalated"] == [
                "raise", "push", "acknowledge", "acknowledge", "handle", "verify", "close"]
        # the escalation thread's first run would move nothing: nothing awaiting handling is overdue
        assert not rules.overdue(w, TODAY)


def test_demo009_warnings_are_raised_a_few_days_after_their_fault(sqlite_settings):
    """A dated fault (a payment, a deadline, a contract date) is found within a week of its date
    (one of this month: by today); a fault older than the data in the data's first month."""
    from data.demo.warning_history import fault_date

    warnings, _, _ = generated_warnings(sqlite_settings)
    start = first_day(sqlite_settings)
    dated = [(fault_date(w.rule_id, w.evidence), china_date(w.raised_at)) for w in warnings]
    assert sum(f is not None for f, _ in dated) >= len(warnings) // 2
    assert all(min(f, TODAY) <= r <= f + dt.timedelta(days=6) for f, r in dated if f is not None and f >= start)
    assert all(start <= r < start + dt.timedelta(days=30) for f, r in dated if f is not None and f < start)


def test_demo010_fault_dates_from_the_evidence():
    from data.demo.warning_history import fault_date

    D = dt.date
    assert fault_date("instalment_overdue", {"due_on": "2026-06-04", "grace_days": 0}) == D(2026, 6, 5)
    assert fault_date("receivable_aged_3y", {"oldest_on": "2020-02-29", "years": 3}) == D(2023, 2, 28)
    assert fault_date("contract_expiring", {"end_on": "2027-01-06", "days": 90}) == D(2026, 10, 8)
    assert fault_date("paid_before_approval", {"paid_on": "2026-11-20", "request_date": "2026-11-18",
                                               "approved_on": "2026-11-22", "held_on": None}) == D(2026, 11, 22)
    assert fault_date("spending_jump", {"period": 202602}) == D(2026, 2, 28)
    assert fault_date("price_below_reserve", {"listing_id": 1}) is None
    assert fault_date("some_new_rule", {"paid_on": "2026-03-01"}) == D(2026, 3, 1)  # a later rule: its date key


def test_demo011_the_history_is_deterministic(sqlite_settings):
    from data.demo.warning_history import plan

    with reading(sqlite_settings.database_url) as s:
        rows = s.execute(select(Warning.id, Warning.rule_id, Warning.region_code, Warning.severity,
                                Warning.fingerprint, Warning.evidence).where(Warning.id <= 40)).all()
        users = s.execute(select(User.id, User.role, User.region_code)).all()
    cutoff = dt.datetime(2026, 11, 22, 10, tzinfo=dt.UTC)
    kw = dict(today=dt.date(2026, 11, 22), start=dt.date(2024, 12, 1), cutoff=cutoff)
    a, b = plan(rows, users, seed=1, **kw), plan(list(reversed(rows)), users, seed=1, **kw)
    c = plan(rows, users, seed=2, **kw)
    assert a == b and a != c and a.events


def test_demo012_heatmap_time_to_close_and_trend_have_data(sqlite_settings):
    """预警热力图: 预警平均办结时长 per township is non-empty, and the monthly chart shows warnings
    raised and closed over several months, not one spike."""
    from data.supervision import analysis

    province = sqlite_settings.province * 10**10
    scope = Scope(root=province, perms=role_perms("province_admin"), role="province_admin")
    f = analysis.frame(sqlite_settings.database_url, scope)
    tree = load_region_tree(sqlite_settings.province)
    county = sqlite_settings.demo_county
    closing = analysis.close_time(f, tree, county)
    assert closing.height >= 1 and (closing["days"] > 0).all() and closing["closed"].sum() >= 1
    trend = analysis.trend(f, province, TODAY)
    assert sum(n > 0 for n in trend["raised"]) >= 4 and sum(trend["closed"]) >= 1
    assert max(trend["raised"]) < sum(trend["raised"]) / 2  # no single month holds most of them


def test_demo013_the_demo_users_are_the_logins_make_run_prints(sqlite_settings):
    """One user per demo login, each with a role of the table, in the demo county's tree; the
    member login is a member of the first village, the bank login names its institution."""
    with reading(sqlite_settings.database_url) as s:
        users = {u.username: u for u in s.scalars(select(User).where(User.username.like("demo-%")))}
    assert {name for name, _ in DEMO_LOGINS} <= set(users)
    assert all(u.role in ROLES and u.is_active for u in users.values())
    county = sqlite_settings.demo_county
    village = users["demo-village"].region_code
    assert county <= village < county + 10**6 and users["demo-member"].region_code == village
    assert users["demo-member"].member_id is not None and users["demo-bank"].institution
    assert [u.member_id for n, u in users.items() if n != "demo-member"] == [None] * (len(users) - 1)


def test_demo014_same_seed_same_records():
    """The business records (organisations, members, assets, contracts, trades, payments, planted
    faults) follow from the seed alone."""
    tree = load_region_tree(22)
    villages = tree.descendants(220122100000, level=5).head(6)
    spec = SCALES["test"]

    def made(seed):
        return demo_frames(np.random.default_rng(seed), 22, villages, spec, TODAY, plant=0.2)

    a, b, c = made(5), made(5), made(6)
    assert set(a.frames) == set(b.frames) and {"collective_orgs", "members", "assets", "contracts", "meetings"} <= set(a.frames)
    assert all(a.frames[k].equals(b.frames[k]) for k in a.frames)
    assert a.requests.equals(b.requests) and a.planted == b.planted and a.first == b.first
    assert not all(a.frames[k].equals(c.frames[k]) for k in a.frames if k in c.frames)
    assert a.requests.height and a.frames["collective_orgs"].height == villages.height
    assert a.frames["members"]["org_id"].n_unique() == villages.height


def test_demo015_demo_scale_covers_the_province_with_light_detail_outside_its_county():
    """`make run`'s scale: every village gets books every month, members, assets, resources and
    meetings; the full-detail county gets several times more of each."""
    from data.demo import detail_of, scale_roots
    from settings import Settings

    settings = Settings(province=22, data_dir=Path("/nonexistent"))
    assert scale_roots(settings, "demo") == [settings.demo_county]
    spec = SCALES["demo"]
    tree = load_region_tree(22)
    full_v = tree.descendants(settings.demo_county, level=5).head(12)
    light_v = tree.descendants(220200000000, level=5).head(12)  # 吉林市: another city
    villages = full_v.vstack(light_v).sort("code")
    full = villages["code"].is_in(full_v["code"].implode()).to_numpy()
    d = detail_of(spec, full)
    assert set(d.members_per_village[full]) == {spec.members_per_village}
    assert set(d.members_per_village[~full]) == {spec.light.members_per_village}
    made = demo_frames(np.random.default_rng(1), 22, villages, spec, TODAY, plant=0.0, full=full)
    v = made.ledger.vouchers
    months = v.group_by("region_code").agg(pl.col("period").n_unique().alias("n"))
    assert months.height == villages.height and months["n"].min() == spec.months  # books every month everywhere
    per = v.group_by("region_code").len()
    is_full = pl.col("region_code").is_in(full_v["code"].implode())
    full_mean = per.filter(is_full)["len"].mean()
    light_mean = per.filter(~is_full)["len"].mean()
    assert full_mean > 2 * light_mean
    # light villages keep summary books: an income, a spending and a depreciation voucher a month
    # (+ the settlement of their opening items), so their spending never jumps
    light_months = v.filter(~is_full & (pl.col("period") > v["period"].min())).group_by("region_code", "period").len()
    assert light_months["len"].min() >= 3 and light_months["len"].max() <= 6
    for table in ("assets", "resources", "meetings", "contracts"):
        f = made.frames[table]
        key = "region_code" if "region_code" in f.columns else "org_id"
        assert f[key].n_unique() >= villages.height * (0.75 if table == "contracts" else 1), table
    roll = made.frames["members"].group_by("org_id").len()
    assert sorted(set(roll["len"])) == [spec.light.members_per_village, spec.members_per_village]
