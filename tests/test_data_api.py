"""The data API (issue 14 item 4): an approved application's key reads exactly its approved
datasets, fields, regions and period through /api/v1; every other call is refused with 401, 403,
429 or 400 in Chinese, logged, and counted as misuse where it is one; suspension and revocation
take effect at the next call; the key is never stored in clear."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select, text

from data.db import transaction
from data.models import AuditLog, Contract, DataApiCall, DataApiKey, Resource
from data.sharing import keys as key_store
from data.sharing import requests as applications
from domain import clock
from domain.regions import TOWNSHIP, subtree_bounds, truncate
from domain.sharing.applications import Draft
from tests.conftest import TODAY
from tests.support.business import actor, own_database
from tests.support.http import app_on

PDF = b"%PDF-1.4 signed commitment"


@pytest.fixture(scope="module")
def settings(tmp_path_factory):
    return own_database(tmp_path_factory, "data-api")


#: the apps' clock (every request reads it): China 10:00 on TODAY, moved by the tests
NOW = [dt.datetime.combine(TODAY, dt.time(2), dt.UTC)]


def clocked(app):
    app.server.config["NOW"] = lambda: NOW[0]
    return app


@pytest.fixture(scope="module")
def app(settings):
    return clocked(app_on(settings))


@pytest.fixture(autouse=True)
def _clock():
    NOW[0] = dt.datetime.combine(TODAY, dt.time(2), dt.UTC)
    with clock.frozen(NOW[0]):
        yield


@pytest.fixture
def client(app):
    return app.server.test_client()


def township_of(settings) -> int:
    """A township of the demo county that has contracts and resources (the approved region)."""
    county = settings.demo_county
    lo, hi = subtree_bounds(county)
    with transaction(settings.database_url) as s:
        code = s.scalar(select(func.min(Contract.region_code)).where(Contract.region_code.between(lo, hi)))
    return truncate(int(code), TOWNSHIP)


def issue(settings, *, scope=None, regions=None, personal=False, ips="127.0.0.1/32", rate=600,
          data_from=dt.date(2020, 1, 1), data_to=TODAY, valid=TODAY + dt.timedelta(days=90)) -> tuple[int, str]:
    """Register (demo-admin), attach the commitment, assess and approve (demo-admin-b): (request id, key)."""
    url, key = settings.database_url, settings.audit_key
    admin, other = actor(settings, "demo-admin"), actor(settings, "demo-admin-b")
    d = Draft(unit="中国农业银行吉林省分行", contact="王经理 0431-88888888", purpose="涉农信贷风险评估",
              scope=scope or {"contracts": ["region_code", "number", "counterparty", "amount_fen", "signed_on"],
                              "resources": ["region_code", "name", "area_mu"]},
              regions=regions or [township_of(settings)], data_from=data_from, data_to=data_to, valid_until=valid,
              personal=personal)
    rid = applications.register(url, key, settings.province, admin, d, ips, rate, TODAY)
    applications.attach_commitment(url, key, admin, rid, "保密责任书.pdf", PDF)
    applications.assess(url, key, other, rid, None, "medium", "仅汇总数据，个人信息脱敏")
    status, token = applications.decide(url, key, other, rid, None, True, "同意")
    assert status == "approved" and token
    return rid, token


def get(client, path, token=None, **headers):
    if token:
        headers["Authorization"] = f"Bearer {token}"
    return client.get(path, headers=headers)


def calls(settings) -> int:
    with transaction(settings.database_url) as s:
        return s.scalar(select(func.count()).select_from(DataApiCall))


def key_row(settings, token_prefix_of_request: int) -> DataApiKey:
    with transaction(settings.database_url) as s:
        k = s.scalar(select(DataApiKey).where(DataApiKey.request_id == token_prefix_of_request))
        s.expunge(k)
        return k


def test_data_api001_a_key_reads_only_its_datasets_fields_regions_and_period(settings, client):
    rid, token = issue(settings)
    region = township_of(settings)
    lo, hi = subtree_bounds(region)
    r = get(client, "/api/v1/datasets/contracts?limit=1000", token)
    assert r.status_code == 200, r.get_json()
    body = r.get_json()
    assert body["rows"] and body["fields"] == ["region_code", "number", "counterparty", "amount_fen", "signed_on"]
    assert all(set(row) == set(body["fields"]) for row in body["rows"])
    assert all(lo <= row["region_code"] <= hi for row in body["rows"])
    with transaction(settings.database_url) as s:
        expected = s.scalar(select(func.count()).select_from(Contract).where(
            Contract.region_code.between(lo, hi), Contract.signed_on.between(dt.date(2020, 1, 1), TODAY)))
    assert body["total"] == expected
    # a narrower period and a field subset inside the grant are served
    r = get(client, "/api/v1/datasets/contracts?fields=number,signed_on&from=2025-01-01&to=2025-12-31", token)
    assert r.status_code == 200 and all("2025-01-01" <= row["signed_on"] <= "2025-12-31" for row in r.get_json()["rows"])
    # outside the grant: another dataset, a field not granted, another region, a period beyond it
    outside = {"/api/v1/datasets/assets": "未获批使用数据集",
               "/api/v1/datasets/contracts?fields=counterparty_id": "未获批使用字段",
               f"/api/v1/datasets/contracts?region={settings.demo_county}": "不在获批范围内",  # the township's county
               "/api/v1/datasets/contracts?from=2019-12-31": "数据期间超出获批范围",
               "/api/v1/datasets/contracts?to=2030-01-01": "数据期间超出获批范围"}
    before = key_row(settings, rid).misuse_count
    for path, words in outside.items():
        r = get(client, path, token)
        assert r.status_code == 403 and words in r.get_json()["error"], (path, r.get_json())
    assert key_row(settings, rid).misuse_count == before + len(outside)
    with transaction(settings.database_url) as s:
        flagged = s.scalar(select(func.count()).select_from(AuditLog).where(AuditLog.type == "data_api_misuse"))
    assert flagged >= len(outside)


def test_data_api002_personal_data_masked_unless_granted(settings, client):
    _, masked = issue(settings, scope={"contracts": ["counterparty", "counterparty_id"]})
    _, clear = issue(settings, scope={"contracts": ["counterparty", "counterparty_id"]}, personal=True)
    lo, hi = subtree_bounds(township_of(settings))
    with transaction(settings.database_url) as s:
        people = {c.number: (c.counterparty, c.counterparty_id) for c in s.scalars(select(Contract).where(
            Contract.region_code.between(lo, hi), Contract.counterparty_id_type == "resident",
            Contract.signed_on >= dt.date(2020, 1, 1)))}
    assert people
    a = get(client, "/api/v1/datasets/contracts?limit=1000", masked).get_json()
    b = get(client, "/api/v1/datasets/contracts?limit=1000", clear).get_json()
    assert a["masked"] is True and b["masked"] is False
    names_clear = {(r["counterparty"], r["counterparty_id"]) for r in b["rows"]}
    assert set(people.values()) <= names_clear
    for name, number in people.values():
        assert all(r["counterparty"] != name for r in a["rows"]) and all(r["counterparty_id"] != number for r in a["rows"])
    assert any("*" in (r["counterparty"] or "") for r in a["rows"])


def test_data_api003_401_without_bad_revoked_suspended_or_expired_key(settings, client):
    rid, token = issue(settings)
    path = "/api/v1/datasets/resources"
    assert get(client, path).status_code == 401
    assert get(client, path, "njk_not-a-key").status_code == 401
    assert "无效" in get(client, path, "njk_not-a-key").get_json()["error"]
    assert get(client, path, token).status_code == 200
    admin = actor(settings, "demo-admin")
    k = key_row(settings, rid)
    key_store.set_status(settings.database_url, settings.audit_key, admin, k.id, "suspend", "核查调用情况")
    r = get(client, path, token)
    assert r.status_code == 401 and "暂停" in r.get_json()["error"]
    k = key_row(settings, rid)
    key_store.set_status(settings.database_url, settings.audit_key, admin, k.id, "resume", "核查完毕")
    assert get(client, path, token).status_code == 200
    k = key_row(settings, rid)
    key_store.set_status(settings.database_url, settings.audit_key, admin, k.id, "revoke", "超范围使用")
    r = get(client, path, token)
    assert r.status_code == 401 and "吊销" in r.get_json()["error"]
    # expired: the day after its validity the same key is refused
    _, other = issue(settings, valid=TODAY + dt.timedelta(days=1))
    assert get(client, path, other).status_code == 200
    NOW[0] += dt.timedelta(days=2)
    r = get(client, path, other)
    assert r.status_code == 401 and "过期" in r.get_json()["error"]


def test_data_api004_403_from_an_address_outside_the_allow_list(settings, client):
    rid, token = issue(settings, ips="10.1.0.0/16, 192.168.5.7")
    r = get(client, "/api/v1/datasets/resources", token)
    assert r.status_code == 403 and "127.0.0.1" in r.get_json()["error"]
    r = client.get("/api/v1/datasets/resources", headers={"Authorization": f"Bearer {token}"},
                   environ_base={"REMOTE_ADDR": "10.1.2.3"})
    assert r.status_code == 200
    assert key_row(settings, rid).misuse_count == 1


def test_data_api005_429_over_the_rate_counted_in_the_database(settings, client):
    rid, token = issue(settings, rate=3)
    answers = [get(client, "/api/v1/datasets/resources?limit=1", token).status_code for _ in range(5)]
    assert answers == [200, 200, 200, 429, 429]
    # the count is the call log's: another app (another process) on the same database is limited too
    other = clocked(app_on(settings)).server.test_client()
    assert get(other, "/api/v1/datasets/resources?limit=1", token).status_code == 429
    NOW[0] += dt.timedelta(seconds=61)
    assert get(other, "/api/v1/datasets/resources?limit=1", token).status_code == 200
    assert key_row(settings, rid).misuse_count == 3


def test_data_api006_every_call_is_logged_refused_ones_included(settings, client):
    rid, token = issue(settings)
    k = key_row(settings, rid)
    before = calls(settings)
    get(client, "/api/v1/datasets/resources?limit=5", token)
    get(client, "/api/v1/datasets/assets", token)
    get(client, "/api/v1/datasets/resources?limit=0", token)
    get(client, "/api/v1/datasets/resources")
    assert calls(settings) == before + 4
    with transaction(settings.database_url) as s:
        rows = list(s.scalars(select(DataApiCall).order_by(DataApiCall.id.desc()).limit(4)))[::-1]
    assert [(c.key_id, c.status) for c in rows] == [(k.id, 200), (k.id, 403), (k.id, 400), (None, 401)]
    assert rows[0].rows == 5 and rows[0].dataset == "resources" and rows[0].params == {"limit": "5"}
    assert rows[0].ip == "127.0.0.1" and rows[1].misuse and not rows[2].misuse
    listed = key_store.list_calls(settings.database_url, actor(settings, "demo-admin"), k.id)
    assert listed[0]["purpose"] == "涉农信贷风险评估" and listed[0]["status"] == 400


def test_data_api007_read_only_and_json_errors(settings, client):
    _, token = issue(settings)
    before = calls(settings)
    with transaction(settings.database_url) as s:
        resources = s.scalar(select(func.count()).select_from(Resource))
    for method in ("post", "put", "patch", "delete"):
        r = getattr(client, method)("/api/v1/datasets/resources", headers={"Authorization": f"Bearer {token}"},
                                    json={"name": "x"})
        assert r.status_code == 405 and r.get_json()["error"].startswith("数据接口只读")
    with transaction(settings.database_url) as s:
        assert s.scalar(select(func.count()).select_from(Resource)) == resources
    assert calls(settings) == before
    r = get(client, "/api/v1/no-such-thing", token)
    assert r.status_code == 404 and r.is_json
    r = get(client, "/api/v1/datasets/resources?limit=abc&x=1", token)
    assert r.status_code == 400 and ("无效" in r.get_json()["error"] or "不支持" in r.get_json()["error"])
    spec = client.get("/api/v1/openapi.json").get_json()
    assert spec["openapi"].startswith("3.1") and "/api/v1/datasets/contracts" in spec["paths"]


def test_data_api008_the_key_is_never_stored_in_clear(settings):
    _, token = issue(settings)
    secret = token[len("njk_"):]
    dump = []
    with transaction(settings.database_url) as s:
        for (name,) in s.execute(text("SELECT name FROM sqlite_master WHERE type='table'")):
            for row in s.execute(text(f'SELECT * FROM "{name}"')):
                dump.append(repr(tuple(row)))
    everything = "\n".join(dump)
    assert secret not in everything and secret[:20] not in everything
    import hashlib

    assert hashlib.sha256(token.encode()).hexdigest() in everything


def test_data_api009_base_data_of_a_locked_county_is_read_not_written_through_the_api(settings, client):
    """Art. J14 through the API: a key granted the village base data of a county whose trial has
    ended reads it, and every writing method is refused (405) with the profiles unchanged and
    nothing logged as a served call."""
    from data.models import Region, VillageProfile

    township = township_of(settings)
    county = truncate(township, 3)
    lo, hi = subtree_bounds(county)

    def profiles():
        with transaction(settings.database_url) as s:
            return s.execute(select(VillageProfile.id, VillageProfile.population, VillageProfile.farmland_mu,
                                    VillageProfile.version).order_by(VillageProfile.id)).all()

    with transaction(settings.database_url) as s:
        s.get(Region, county).base_data_locked = True
    try:
        _, token = issue(settings, scope={"village_base": ["region_code", "population", "farmland_mu"]},
                         regions=[township])
        r = get(client, "/api/v1/datasets/village_base", token)
        assert r.status_code == 200 and r.get_json()["rows"], r.get_json()
        assert all(lo <= int(row["region_code"]) <= hi for row in r.get_json()["rows"])
        before, served = profiles(), calls(settings)
        for method in ("post", "put", "patch", "delete"):
            resp = getattr(client, method)("/api/v1/datasets/village_base", headers={"Authorization": f"Bearer {token}"},
                                           json={"region_code": township + 1, "population": 1})
            assert resp.status_code == 405 and resp.get_json()["error"].startswith("数据接口只读")
        assert profiles() == before and calls(settings) == served
    finally:
        with transaction(settings.database_url) as s:
            s.get(Region, county).base_data_locked = False
