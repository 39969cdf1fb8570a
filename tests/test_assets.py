"""Assets (issue 5): disposal, lease and pledge only with a resolution that voted that decision;
refusals change nothing; a stale edit is refused."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from data import assets
from data.accounts import AccountError, StaleEdit
from data.db import transaction
from data.models import Asset, AssetEvent, CollectiveOrg, Meeting, Resolution
from domain.permissions import PermissionDenied
from tests.conftest import TODAY, make_settings
from tests.test_funds import actor


@pytest.fixture(scope="module")
def sqlite_settings(tmp_path_factory):
    from data.demo import generate

    settings = make_settings(tmp_path_factory.mktemp("assets"))
    generate(settings, "test", today=TODAY, log=lambda *_: None)
    return settings


def resolution(settings, org_id, region, decision_type, held_on, passed=True) -> int:
    with transaction(settings.database_url) as s:
        m = Meeting(org_id=org_id, region_code=region, kind="成员代表会议", title="资产处置议题", held_on=held_on,
                    expected=30, attended=25)
        s.add(m)
        s.flush()
        r = Resolution(meeting_id=m.id, org_id=org_id, number=f"决-{decision_type}", subject="处置旧办公设备",
                       decision_type=decision_type, votes_for=20, votes_against=3, votes_abstain=2, passed=passed)
        s.add(r)
        s.flush()
        return r.id


def state(settings, asset_id):
    with transaction(settings.database_url) as s:
        a = s.get(Asset, asset_id)
        events = s.scalar(select(func.count()).select_from(AssetEvent).where(AssetEvent.asset_id == asset_id))
        return a.status, a.version, events


def test_disposal_needs_the_right_resolution(sqlite_settings):
    url, key = sqlite_settings.database_url, sqlite_settings.audit_key
    secretary = actor(sqlite_settings, "demo-secretary")
    rows = [a for a in assets.list_assets(url, secretary) if a["status"] == "in_use"]
    asset = rows[0]
    assert all(secretary.scope.contains(a["region_code"]) for a in assets.list_assets(url, secretary))
    with transaction(url) as s:
        org = s.get(CollectiveOrg, asset["org_id"])
        other_org = s.scalar(select(CollectiveOrg.id).where(CollectiveOrg.id != org.id))
    before = state(sqlite_settings, asset["id"])
    lease_res = resolution(sqlite_settings, org.id, org.region_code, "lease", TODAY - dt.timedelta(days=20))
    foreign_res = resolution(sqlite_settings, other_org, org.region_code, "disposal", TODAY - dt.timedelta(days=20))
    late_res = resolution(sqlite_settings, org.id, org.region_code, "disposal", TODAY)
    failed_res = resolution(sqlite_settings, org.id, org.region_code, "disposal", TODAY - dt.timedelta(days=9), False)
    for res_id, why in ((None, "须引用"), (lease_res, "不是这一事项"), (foreign_res, "本集体经济组织"),
                        (late_res, "先决议"), (failed_res, "未获通过")):
        with pytest.raises(AccountError) as exc:
            assets.act(url, key, secretary, asset["id"], "dispose", res_id, TODAY - dt.timedelta(days=1),
                       asset["version"], TODAY)
        assert why in exc.value.errors["resolution"]
        assert state(sqlite_settings, asset["id"]) == before  # nothing changed
    good = resolution(sqlite_settings, org.id, org.region_code, "disposal", TODAY - dt.timedelta(days=10))
    assert assets.act(url, key, secretary, asset["id"], "dispose", good, TODAY - dt.timedelta(days=1),
                      asset["version"], TODAY) == "disposed"
    status, version, events = state(sqlite_settings, asset["id"])
    assert status == "disposed" and events == before[2] + 1 and version == before[1] + 1
    with pytest.raises(StaleEdit):
        other = next(a for a in rows[1:])
        assets.act(url, key, secretary, other["id"], "lease", lease_res, TODAY, other["version"] - 1, TODAY)
    with pytest.raises(AccountError, match="已处置"):
        assets.act(url, key, secretary, asset["id"], "lease", lease_res, TODAY, version, TODAY)


def test_assets_outside_the_region_or_without_permission_are_refused(sqlite_settings):
    url, key = sqlite_settings.database_url, sqlite_settings.audit_key
    secretary, supervisor = actor(sqlite_settings, "demo-secretary"), actor(sqlite_settings, "demo-supervisor")
    with transaction(url) as s:
        outside = s.scalar(select(Asset).where(~Asset.region_code.between(*secretary.scope.ranges[0])).limit(1))
        oid, over = outside.id, outside.version
    with pytest.raises(PermissionDenied):
        assets.act(url, key, secretary, oid, "lease", None, TODAY, over, TODAY)
    mine = assets.list_assets(url, supervisor)[0]
    with pytest.raises(PermissionDenied, match="业务办理"):  # the supervisory chair reviews, she does not act
        assets.act(url, key, supervisor, mine["id"], "lease", None, TODAY, mine["version"], TODAY)
