"""Property-rights trading (issue 5): a listing with a resolution is bid on, awarded to the best
bid and becomes a contract whose overdue instalment appears in the township's list."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from data import trading
from data.accounts import AccountError, StaleEdit
from data.db import transaction
from data.models import Bid, Contract, Resource, TradeListing
from data.records import records
from domain.trading import instalments
from tests.conftest import TODAY, make_settings
from tests.test_assets import resolution
from tests.test_funds import GOOD_ID, actor

USCC = "91350100M000100Y43"


@pytest.fixture(scope="module")
def sqlite_settings(tmp_path_factory):
    from data.demo import generate

    settings = make_settings(tmp_path_factory.mktemp("trading"))
    generate(settings, "test", today=TODAY, log=lambda *_: None)
    return settings


def test_instalments_cover_the_term():
    plan = instalments(dt.date(2026, 12, 1), 30, 1_200_000)
    assert [d.isoformat() for d, _ in plan] == ["2026-12-01", "2027-12-01", "2028-12-01"]
    assert [a for _, a in plan] == [1_200_000, 1_200_000, 600_000]


def test_listing_bids_award_contract_and_overdue(sqlite_settings):
    url, key = sqlite_settings.database_url, sqlite_settings.audit_key
    agent = actor(sqlite_settings, "demo-township")
    lo, hi = agent.scope.ranges[0]
    with transaction(url) as s:
        res = s.scalar(select(Resource).where(Resource.region_code.between(lo, hi), Resource.contracted.is_(False)))
        rid, org_id, region = res.id, res.org_id, int(res.region_code)
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
