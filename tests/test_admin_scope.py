"""Administration through the one scoped path (issue 11): a county administrator of another county
neither sees nor changes the demo county's accounts, security log or sharing requests; each refusal
is the same words as for any account out of reach, and nothing is written."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

import callbacks.admin.users
from data.admin import accounts, audit_log, sharing
from data.db import transaction
from data.models import AccountRequest, CollectiveOrg, SharingApproval, User, UserSession
from data.scoped import in_scope
from domain.admin.accounts import AccountDraft
from domain.permissions import OutOfScope
from domain.regions import subtree_bounds
from tests.conftest import TODAY
from tests.support.business import actor, counts, own_database
from tests.support.http import app_on, call_as


@pytest.fixture(scope="module")
def sqlite_settings(tmp_path_factory):
    return own_database(tmp_path_factory, "admin-scope")


@pytest.fixture(scope="module")
def app(sqlite_settings):
    return app_on(sqlite_settings)


def written(settings) -> tuple[int, ...]:
    return counts(settings, User, AccountRequest, UserSession, SharingApproval)


def user(settings, username) -> User:
    with transaction(settings.database_url) as s:
        u = s.scalar(select(User).where(User.username == username))
        s.expunge(u)
        return u


def test_admin001_a_county_admin_of_another_county_is_refused_accounts_and_nothing_is_written(sqlite_settings):
    url, key, province = sqlite_settings.database_url, sqlite_settings.audit_key, sqlite_settings.province
    county, other = actor(sqlite_settings, "demo-county"), actor(sqlite_settings, "demo-county-b")
    village = user(sqlite_settings, "demo-village")
    assert county.scope.contains(village.region_code) and not other.scope.contains(village.region_code)
    assert village.id in {u["id"] for u in accounts.list_users(url, county.scope)}
    assert village.id not in {u["id"] for u in accounts.list_users(url, other.scope)}
    lo, hi = subtree_bounds(other.scope.root)
    assert all(lo <= u["region_code"] <= hi for u in accounts.list_users(url, other.scope))
    with transaction(url) as s:  # a village of the other county: the change asked for is within its remit
        theirs = int(s.scalar(select(CollectiveOrg.region_code).where(in_scope(CollectiveOrg.region_code, other))))
    draft = AccountDraft(username=village.username, display_name="改名", role="village_cashier", region_code=theirs)
    before = written(sqlite_settings)
    for step in (lambda: accounts.set_active(url, key, other, village.id, False, village.version),
                 lambda: accounts.submit_request(url, key, province, other, draft, target_user_id=village.id,
                                                 expected_version=village.version)):
        with pytest.raises(OutOfScope) as exc:
            step()
        assert str(exc.value) == "该账号不在您的管辖范围内"
    assert written(sqlite_settings) == before
    assert user(sqlite_settings, "demo-village").is_active


def test_admin002_the_account_form_refuses_another_county_with_the_same_words(app, client_for, sqlite_settings):
    village, client = user(sqlite_settings, "demo-village"), client_for("demo-county-b")
    before = written(sqlite_settings)
    resp = call_as(client, app, callbacks.admin.users.set_active,
                [{"id": "acct-disable", "property": "n_clicks", "value": 1},
                 {"id": "acct-enable", "property": "n_clicks", "value": None}],
                [{"id": "acct-users", "property": "selectedRows", "value": [{"id": village.id, "version": village.version,
                                                                            "username": village.username}]},
                 {"id": "acct-refresh", "property": "data", "value": 0}], changed=["acct-disable.n_clicks"])
    assert (resp.status_code, resp.get_json()["error"]) == (403, "该账号不在您的管辖范围内")
    assert written(sqlite_settings) == before
    assert user(sqlite_settings, "demo-village").is_active


def test_admin003_the_security_log_and_sharing_requests_stay_within_the_county(sqlite_settings):
    url, key, province = sqlite_settings.database_url, sqlite_settings.audit_key, sqlite_settings.province
    county, other = actor(sqlite_settings, "demo-county"), actor(sqlite_settings, "demo-county-b")
    theirs = subtree_bounds(county.scope.root)
    audit_log.log_export(url, key, county.scope, "demo-county", "账号清单", 12, None)  # an entry of the county
    own = audit_log.entries(url, county.scope, audit_log.LogFilter())["region_code"].drop_nulls()
    seen = audit_log.entries(url, other.scope, audit_log.LogFilter())["region_code"].drop_nulls()
    assert own.len() and all(theirs[0] <= r <= theirs[1] for r in own)
    assert not any(theirs[0] <= r <= theirs[1] for r in seen)
    from data.regions import load_region_tree

    own_city = county.scope.root // 10**8 * 10**8  # sees the county already: a share with it is refused (issue 13)
    another_city = next(int(c) for c in load_region_tree(province).children(own_city // 10**10 * 10**10)["code"]
                        if int(c) != own_city)
    share = sharing.request_share(url, key, province, county, another_city, "统计分析",
                                  TODAY + dt.timedelta(days=30), TODAY)
    assert share in {r["id"] for r in sharing.list_shares(url, county)}
    assert share not in {r["id"] for r in sharing.list_shares(url, other)}
