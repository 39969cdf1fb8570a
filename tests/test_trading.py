"""Property-rights trading (issue 5): a listing with a resolution is bid on, awarded to the best
bid and becomes a contract whose overdue instalment appears in the township's list; a caller
from another county is refused every step and nothing is written."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

import callbacks.trading
from data.contracts import trading
from data.db import transaction
from data.errors import AccountError, StaleEdit
from data.models import AuditLog, Bid, Contract, ContractInstalment, Resource, TradeListing
from data.records import records
from domain.permissions import OutOfScope
from domain.trading import instalments
from tests.conftest import TODAY
from tests.support.business import GOOD_ID, USCC, actor, counts, own_database, resolution, stranger
from tests.support.http import app_on, call_as, outputs, text


@pytest.fixture(scope="module")
def sqlite_settings(tmp_path_factory):
    return own_database(tmp_path_factory, "trading")


@pytest.fixture(scope="module")
def app(sqlite_settings):
    return app_on(sqlite_settings)


def db_counts(settings):
    return counts(settings, TradeListing, Bid, Contract, ContractInstalment)


def township_resource(settings) -> tuple[int, int, int]:
    """(resource id, organisation id, region) of a resource of the demo township not contracted out."""
    lo, hi = actor(settings, "demo-township").scope.ranges[0]
    with transaction(settings.database_url) as s:
        res = s.scalar(select(Resource).where(Resource.region_code.between(lo, hi), Resource.contracted.is_(False))
                       .order_by(Resource.id.desc()))
        return res.id, res.org_id, int(res.region_code)


def test_trading001_instalments_cover_the_term():
    plan = instalments(dt.date(2026, 12, 1), 30, 1_200_000)
    assert [d.isoformat() for d, _ in plan] == ["2026-12-01", "2027-12-01", "2028-12-01"]
    assert [a for _, a in plan] == [1_200_000, 1_200_000, 600_000]


def test_trading002_listing_bids_award_contract_and_overdue(sqlite_settings):
    url, key = sqlite_settings.database_url, sqlite_settings.audit_key
    agent = actor(sqlite_settings, "demo-township")
    rid, org_id, region = township_resource(sqlite_settings)
    opens, closes = TODAY, TODAY + dt.timedelta(days=7)
    with pytest.raises(AccountError) as exc:  # no resolution, bad window, bad price: all said at once
        trading.create_listing(url, key, agent, rid, "lease", "-1", 60, None, closes, opens, TODAY)
    assert {"resolution", "window", "reserve"} <= set(exc.value.errors)
    lease = resolution(sqlite_settings, org_id, region, "lease", TODAY - dt.timedelta(days=3))
    lid = trading.create_listing(url, key, agent, rid, "lease", "8,000", 60, lease, opens, closes, TODAY)

    def bids():
        with transaction(url) as s:
            return s.scalar(select(func.count()).select_from(Bid).where(Bid.listing_id == lid))

    for change, field in ((dict(amount="7999.99"), "amount"), (dict(day=closes + dt.timedelta(days=1)), "window"),
                          (dict(id_number="91350100M000100Y44"), "bidder_id")):
        args = dict(bidder="丰收种植专业合作社", id_type="uscc", id_number=USCC, amount="9000", day=TODAY) | change
        with pytest.raises(AccountError) as exc:
            trading.place_bid(url, key, agent, lid, **args)
        assert field in exc.value.errors
    assert bids() == 0
    trading.place_bid(url, key, agent, lid, "丰收种植专业合作社", "uscc", USCC, "9,500", TODAY)
    trading.place_bid(url, key, agent, lid, "王伟", "resident", GOOD_ID, "10,200", TODAY + dt.timedelta(days=1))
    with transaction(url) as s:
        version = s.get(TradeListing, lid).version
    with pytest.raises(AccountError, match="尚未结束"):
        trading.award(url, key, agent, lid, version, closes)
    with pytest.raises(StaleEdit):
        trading.award(url, key, agent, lid, version - 1, closes + dt.timedelta(days=1))
    cid = trading.award(url, key, agent, lid, version, closes + dt.timedelta(days=1))
    with transaction(url) as s:
        contract = s.get(Contract, cid)
        listing = s.get(TradeListing, lid)
        assert listing.status == "awarded" and listing.deal_price_fen == 1_020_000
        assert contract.counterparty == "王伟" and contract.amount_fen == 5 * 1_020_000
        assert s.get(Resource, rid).contracted
        number, first_due = contract.number, contract.start_on
    # nothing is overdue before the first due date; ten days after it the township sees it
    before, _ = records(url, agent.scope, "overdue", agent.scope.root, today=first_due)
    assert number not in before["number"].to_list()
    after, _ = records(url, agent.scope, "overdue", agent.scope.root, today=first_due + dt.timedelta(days=10))
    row = after.filter(after["number"] == number).row(0, named=True)
    assert row["amount_fen"] == 1_020_000 and row["received_fen"] == 0


def test_trading003_a_caller_from_another_county_is_refused_every_step_and_nothing_is_written(sqlite_settings):
    """Listing a resource, bidding on and awarding a listing of the demo township: the same refusal
    as for any record outside the jurisdiction, word for word, and no row written."""
    url, key = sqlite_settings.database_url, sqlite_settings.audit_key
    agent, elsewhere = actor(sqlite_settings, "demo-township"), stranger(sqlite_settings, "demo-township")
    rid, org_id, region = township_resource(sqlite_settings)
    lease = resolution(sqlite_settings, org_id, region, "lease", TODAY - dt.timedelta(days=3))
    lid = trading.create_listing(url, key, agent, rid, "lease", "8,000", 12, lease, TODAY, TODAY + dt.timedelta(days=7),
                                 TODAY)
    with transaction(url) as s:
        version = s.get(TradeListing, lid).version
    assert lid not in {t["id"] for t in trading.list_listings(url, elsewhere)}
    assert rid not in {r["id"] for r in trading.open_resources(url, elsewhere)}
    before = db_counts(sqlite_settings)
    for step, message in (
            (lambda: trading.create_listing(url, key, elsewhere, rid, "lease", "8,000", 12, lease, TODAY,
                                            TODAY + dt.timedelta(days=7), TODAY), "该资源不在您的管辖范围内"),
            (lambda: trading.place_bid(url, key, elsewhere, lid, "王伟", "resident", GOOD_ID, "9,000", TODAY),
             "该挂牌项目不在您的管辖范围内"),
            (lambda: trading.award(url, key, elsewhere, lid, version, TODAY + dt.timedelta(days=8)),
             "该挂牌项目不在您的管辖范围内")):
        with pytest.raises(OutOfScope) as exc:
            step()
        assert str(exc.value) == message
    assert db_counts(sqlite_settings) == before
    with transaction(url) as s:
        assert s.get(TradeListing, lid).status == "open" and not s.get(Resource, rid).contracted


def test_trading004_the_bid_form_tells_a_caller_from_another_county_and_writes_nothing(app, client_for,
                                                                                      sqlite_settings):
    url, key = sqlite_settings.database_url, sqlite_settings.audit_key
    rid, org_id, region = township_resource(sqlite_settings)
    lease = resolution(sqlite_settings, org_id, region, "lease", TODAY - dt.timedelta(days=3))
    lid = trading.create_listing(url, key, actor(sqlite_settings, "demo-township"), rid, "lease", "8,000", 12, lease,
                                 TODAY, TODAY + dt.timedelta(days=7), TODAY)
    stranger(sqlite_settings, "demo-township")
    before = db_counts(sqlite_settings)
    out = outputs(call_as(client_for("demo-township-elsewhere"), app, callbacks.trading.bid,
                       [{"id": "bid-submit", "property": "n_clicks", "value": 1}],
                       [{"id": "trade-grid", "property": "selectedRows", "value": [{"id": lid}]},
                        {"id": "bid-bidder", "property": "value", "value": "王伟"},
                        {"id": "bid-id-type", "property": "value", "value": "resident"},
                        {"id": "bid-id", "property": "value", "value": GOOD_ID},
                        {"id": "bid-amount", "property": "value", "value": "9,000"},
                        {"id": "trade-refresh", "property": "data", "value": 0}]))
    assert text(out["bid-result"]["children"]) == "该挂牌项目不在您的管辖范围内"
    assert "trade-refresh" not in out  # nothing changed, nothing to reload
    assert db_counts(sqlite_settings) == before
    with transaction(url) as s:
        logged = s.scalar(select(AuditLog).where(AuditLog.actor == "demo-township-elsewhere")
                          .order_by(AuditLog.id.desc()).limit(1))
    assert (logged.type, logged.result, logged.description) == ("permission_denied", "denied", "该挂牌项目不在您的管辖范围内")
