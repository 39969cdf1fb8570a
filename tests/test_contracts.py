"""Resources and contracts (issue 5 items 3 and 4): schedules that add up to the fen, every refusal
in Chinese with nothing written, receipts against the schedule, renewal and termination, stale
edits, jurisdiction, and the township's overdue list fed by a trading award — through the real
callbacks."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

import callbacks.contracts
import callbacks.resources
from data import contracts, resources
from data.contracts import trading
from data.db import transaction
from data.errors import AccountError, StaleEdit
from data.models import (Attachment, AuditLog, CollectiveOrg, Contract, ContractInstalment, ContractReceipt,
                         RecordChange, Resource, TradeListing)
from domain import clock
from domain import contracts as rules
from domain.permissions import OutOfScope, PermissionDenied
from tests.conftest import TODAY
from tests.support import business
from tests.support.business import GOOD_ID, USCC, actor, own_database, resolution, stranger, user_at
from tests.support.http import app_on, call_as, outputs, text


@pytest.fixture(scope="module")
def sqlite_settings(tmp_path_factory):
    """A database of its own: these tests sign contracts and record receipts."""
    return own_database(tmp_path_factory, "contracts")


@pytest.fixture(scope="module")
def app(sqlite_settings):
    return app_on(sqlite_settings)


def counts(settings) -> tuple[int, ...]:
    return business.counts(settings, Resource, Contract, ContractInstalment, ContractReceipt, Attachment, AuditLog,
                           RecordChange)


def written(settings) -> tuple[int, ...]:
    """The business rows (a refusal may add its security-log entry, never one of these)."""
    return counts(settings)[:5] + counts(settings)[6:]


def village_org(settings, who="demo-secretary") -> tuple[int, int]:
    a = actor(settings, who)
    with transaction(settings.database_url) as s:
        org = s.scalar(select(CollectiveOrg).where(CollectiveOrg.region_code == a.scope.root))
        return org.id, int(org.region_code)


def new_resource(settings, name="测试地块", area="80") -> int:
    org_id, _ = village_org(settings)
    return resources.create(settings.database_url, settings.audit_key, actor(settings, "demo-secretary"), org_id,
                            rules.ResourceDraft(name=name, type="耕地", area=area, location="2组"))


def lease_resolution(settings, days_ago=10) -> int:
    org_id, region = village_org(settings)
    return resolution(settings, org_id, region, "lease", TODAY - dt.timedelta(days=days_ago))


def draft(**kw) -> rules.ContractDraft:
    base = dict(kind="contracting", title="", counterparty="王伟", counterparty_id_type="resident",
                counterparty_id=GOOD_ID, amount="50,000.01", frequency="yearly", signed_on=TODAY - dt.timedelta(days=2),
                start_on=TODAY - dt.timedelta(days=1), end_on=dt.date(2031, 11, 20))
    base.update(kw)
    return rules.ContractDraft(**base)


# ------------------------------------------------------------------ pure rules

@pytest.mark.parametrize("frequency, start, end, amount, n", [
    ("yearly", dt.date(2026, 1, 1), dt.date(2030, 12, 31), 5_000_001, 5),
    ("half_yearly", dt.date(2026, 3, 31), dt.date(2028, 3, 30), 1_000_003, 4),
    ("quarterly", dt.date(2026, 1, 31), dt.date(2027, 1, 30), 100_001, 4),
    ("quarterly", dt.date(2026, 5, 1), dt.date(2026, 6, 30), 99_999, 1),
    ("yearly", dt.date(2026, 7, 1), dt.date(2029, 12, 31), 700, 4),  # a part year at the end is a period too
    ("one_off", dt.date(2026, 7, 1), dt.date(2036, 6, 30), 12_345_678, 1),
])
def test_contracts001_schedule_adds_up_exactly_with_the_remainder_last(frequency, start, end, amount, n):
    plan = rules.schedule(start, end, amount, frequency)
    assert len(plan) == n
    assert sum(fen for _, fen in plan) == amount  # to the fen
    amounts = [fen for _, fen in plan]
    assert len(set(amounts[:-1])) <= 1 and amounts[-1] - amounts[0] == amount % n  # the remainder goes last
    assert plan[0][0] == start and all(start <= due <= end for due, _ in plan)
    assert [d for d, _ in plan] == sorted(d for d, _ in plan)


def test_contracts002_month_ends_do_not_drift():
    plan = rules.schedule(dt.date(2026, 1, 31), dt.date(2027, 1, 30), 400, "quarterly")
    assert [d.isoformat() for d, _ in plan] == ["2026-01-31", "2026-04-30", "2026-07-31", "2026-10-31"]
    assert rules.frequency_of([d for d, _ in plan]) == "quarterly"


def test_contracts003_resource_draft_reports_every_problem_at_once():
    area, errors = rules.resource_problems(rules.ResourceDraft(name=" ", type="宅基地", area="-3"))
    assert area is None and errors == {"name": "请填写资源名称", "type": "请选择资源类型", "area": "面积须大于0"}
    assert rules.parse_area("1,200.0625") == (rules.Decimal("1200.0625"), None)
    assert rules.parse_area("1.00001")[1] == "面积最多4位小数"
    assert rules.parse_area("十亩")[1] == "面积须为数字"
    assert set(rules.RESOURCE_TYPES) >= {"耕地", "林地", "草地", "园地", "滩涂", "水面", "四荒地", "集体建设用地", "其他"}


def test_contracts004_contract_dates_out_of_order_and_terms_are_refused():
    _, errors = rules.contract_problems(draft(start_on=TODAY - dt.timedelta(days=5)), TODAY)
    assert errors == {"start_on": "日期顺序不对：起始日期不能早于签订日期"}
    _, errors = rules.contract_problems(draft(end_on=TODAY - dt.timedelta(days=1)), TODAY)
    assert errors == {"end_on": "日期顺序不对：终止日期须晚于起始日期"}
    _, errors = rules.contract_problems(draft(kind="lease", end_on=dt.date(2046, 11, 21)), TODAY)
    assert errors["end_on"] == "出租期限不能超过20年"
    fen, errors = rules.contract_problems(draft(counterparty="", counterparty_id="123", amount="0.001",
                                                signed_on=TODAY + dt.timedelta(days=1)), TODAY)
    assert set(errors) == {"counterparty", "counterparty_id", "amount", "signed_on", "start_on"}  # all at once
    assert rules.contract_problems(draft(), TODAY) == (5_000_001, {})


def test_contracts005_lists_as_of_a_day():
    today = dt.date(2026, 6, 1)
    rows = [{"id": 1, "status": "active", "end_on": today + dt.timedelta(days=90)},
            {"id": 2, "status": "active", "end_on": today + dt.timedelta(days=91)},
            {"id": 3, "status": "active", "end_on": today - dt.timedelta(days=3)},
            {"id": 4, "status": "renewed", "end_on": today + dt.timedelta(days=5)}]
    assert [(r["id"], r["days_left"]) for r in rules.expiring(rows, today)] == [(3, -3), (1, 90)]
    due = [{"id": 1, "due_on": today - dt.timedelta(days=10), "amount_fen": 500, "received_fen": 200},
           {"id": 2, "due_on": today - dt.timedelta(days=40), "amount_fen": 500, "received_fen": 500},
           {"id": 3, "due_on": today, "amount_fen": 500, "received_fen": 0}]
    assert [(r["id"], r["days_overdue"], r["outstanding_fen"]) for r in rules.overdue(due, today)] == [(1, 10, 300)]


# ------------------------------------------------------------------ resources

def test_contracts006_resource_registered_corrected_and_a_stale_correction_refused(sqlite_settings):
    url, key = sqlite_settings.database_url, sqlite_settings.audit_key
    secretary, cashier = actor(sqlite_settings, "demo-secretary"), actor(sqlite_settings, "demo-village")
    org_id, _ = village_org(sqlite_settings)
    before = counts(sqlite_settings)
    with pytest.raises(AccountError) as exc:
        resources.create(url, key, secretary, org_id, rules.ResourceDraft(name="", type="耕地", area="12.123456"))
    assert exc.value.errors == {"name": "请填写资源名称", "area": "面积最多4位小数"}
    assert counts(sqlite_settings) == before
    rid = resources.create(url, key, secretary, org_id, rules.ResourceDraft(name="北岗林地", type="林地",
                                                                             area="1,250.0625", parcel_no="JL0001"))
    row = next(r for r in resources.list_resources(url, cashier) if r["id"] == rid)
    assert (row["area_mu"], row["contracted"], row["version"]) == ("1250.0625", "否", 1)  # four decimals kept
    # two people opened version 1; the first saves, the second is told and the first's change stays
    resources.edit(url, key, secretary, rid, rules.ResourceDraft(name="北岗林地", type="林地", area="1300"), 1)
    with pytest.raises(StaleEdit, match="已被他人修改，请刷新后再操作"):
        resources.edit(url, key, cashier, rid, rules.ResourceDraft(name="北岗林", type="林地", area="9"), 1)
    with transaction(url) as s:
        r = s.get(Resource, rid)
        assert (r.name, r.area_mu, r.version) == ("北岗林地", rules.Decimal("1300"), 2)
        logged = s.scalars(select(AuditLog.description).where(AuditLog.type == "data_change")
                           .order_by(AuditLog.id.desc()).limit(2)).all()
        changes = s.scalars(select(RecordChange).where(RecordChange.table_name == "resources",
                                                       RecordChange.record_id == rid).order_by(RecordChange.id)).all()
    assert logged[0].startswith("修改资源：北岗林地") and logged[1].startswith("登记资源：北岗林地")
    assert [c.action for c in changes] == ["insert", "update"]
    assert changes[1].changes["area_mu"] == ["1250.0625", "1300"] and changes[1].by_name == "demo-secretary"


def test_contracts007_resources_outside_the_jurisdiction_are_refused(sqlite_settings):
    url, key = sqlite_settings.database_url, sqlite_settings.audit_key
    secretary = actor(sqlite_settings, "demo-secretary")
    lo, hi = secretary.scope.ranges[0]
    with transaction(url) as s:
        other = s.scalar(select(Resource).where(~Resource.region_code.between(lo, hi)).limit(1))
        other_org = s.scalar(select(CollectiveOrg.id).where(~CollectiveOrg.region_code.between(lo, hi)).limit(1))
        oid, over, name = other.id, other.version, other.name
    mine, my_org = new_resource(sqlite_settings, name="外县不可改地"), village_org(sqlite_settings)[0]
    elsewhere = stranger(sqlite_settings, "demo-secretary")  # a village secretary of another county
    before = counts(sqlite_settings)
    for who, rid, version, org_id in ((secretary, oid, over, other_org), (elsewhere, mine, 1, my_org)):
        with pytest.raises(OutOfScope) as exc:
            resources.edit(url, key, who, rid, rules.ResourceDraft(name="改名", type="耕地", area="1"), version)
        assert str(exc.value) == "该资源不在您的管辖范围内"
        with pytest.raises(OutOfScope) as exc:
            resources.create(url, key, who, org_id, rules.ResourceDraft(name="外村地", type="耕地", area="1"))
        assert str(exc.value) == "该集体经济组织不在您的管辖范围内"
    assert counts(sqlite_settings) == before
    assert mine not in {r["id"] for r in resources.list_resources(url, elsewhere)}
    assert my_org not in {o["id"] for o in resources.orgs(url, elsewhere)}
    with transaction(url) as s:
        assert s.get(Resource, oid).name == name
    assert all(lo <= r["region_code"] <= hi for r in resources.list_resources(url, secretary))
    supervisor = actor(sqlite_settings, "demo-supervisor")  # reviews, does not register
    with pytest.raises(PermissionDenied, match="缺少权限"):
        resources.create(url, key, supervisor, village_org(sqlite_settings)[0],
                         rules.ResourceDraft(name="x", type="耕地", area="1"))


# ------------------------------------------------------------------ contracts

@pytest.mark.parametrize("change, field, message", [
    (dict(counterparty_id="110105194912310021"), "counterparty_id", "身份证号码校验位不正确"),
    (dict(counterparty_id_type="uscc", counterparty_id="91350100M000100Y44"), "counterparty_id", "校验"),
    (dict(amount="-100"), "amount", "金额须大于0"),
    (dict(amount="五万元"), "amount", "金额须为数字"),
    (dict(start_on=TODAY - dt.timedelta(days=9)), "start_on", "日期顺序不对"),
    (dict(end_on=TODAY - dt.timedelta(days=1)), "end_on", "日期顺序不对"),
])
def test_contracts008_bad_contracts_are_refused_in_chinese_and_nothing_is_written(sqlite_settings, change, field, message):
    url, key = sqlite_settings.database_url, sqlite_settings.audit_key
    rid = new_resource(sqlite_settings, name=f"拒绝测试{field}")
    res = lease_resolution(sqlite_settings)
    before = counts(sqlite_settings)
    with pytest.raises(AccountError) as exc:
        contracts.create(url, key, actor(sqlite_settings, "demo-secretary"), f"resource:{rid}", draft(**change), res,
                         TODAY, [("合同.pdf", b"%PDF-1.4 scan")])
    assert message in exc.value.errors[field]
    assert counts(sqlite_settings) == before
    with transaction(url) as s:
        assert not s.get(Resource, rid).contracted


def test_contracts009_contracting_out_needs_a_resolution_that_voted_it(sqlite_settings):
    url, key = sqlite_settings.database_url, sqlite_settings.audit_key
    secretary = actor(sqlite_settings, "demo-secretary")
    rid = new_resource(sqlite_settings, name="决议测试地")
    org_id, region = village_org(sqlite_settings)
    disposal = resolution(sqlite_settings, org_id, region, "disposal", TODAY - dt.timedelta(days=9))
    late = resolution(sqlite_settings, org_id, region, "lease", TODAY)
    before = counts(sqlite_settings)
    for res_id, why in ((None, "四议两公开"), (disposal, "不是这一事项"), (late, "先决议")):
        with pytest.raises(AccountError) as exc:
            contracts.create(url, key, secretary, f"resource:{rid}", draft(), res_id, TODAY)
        assert why in exc.value.errors["resolution"]
    assert counts(sqlite_settings) == before


def test_contracts010_contract_schedule_receipts_renewal_and_termination(sqlite_settings):
    url, key = sqlite_settings.database_url, sqlite_settings.audit_key
    secretary, cashier = actor(sqlite_settings, "demo-secretary"), actor(sqlite_settings, "demo-village")
    rid = new_resource(sqlite_settings, name="东大地")
    res = lease_resolution(sqlite_settings)
    cid = contracts.create(url, key, secretary, f"resource:{rid}", draft(), res, TODAY,
                           [("合同扫描件.pdf", b"%PDF-1.4 signed contract")])
    d = contracts.detail(url, cashier, cid)
    assert [i["amount_fen"] for i in d["instalments"]] == [1_000_000] * 4 + [1_000_001]
    assert d["files"][0]["filename"] == "合同扫描件.pdf" and len(d["files"][0]["sha256"]) == 64
    with transaction(url) as s:
        r = s.get(Resource, rid)
        assert (r.contracted, r.contractor, r.contract_id, r.contracted_until) == (True, "王伟", cid, dt.date(2031, 11, 20))
    first = d["instalments"][0]
    # more than is due on the instalment: refused, nothing written
    before = counts(sqlite_settings)
    with pytest.raises(AccountError) as exc:
        contracts.add_receipt(url, key, cashier, cid, first["id"], "10,000.01", TODAY, d["version"], TODAY)
    assert exc.value.errors["amount"] == "收款金额超过该期尚欠的 10,000.00 元"
    assert counts(sqlite_settings) == before
    contracts.add_receipt(url, key, cashier, cid, first["id"], "4,000", TODAY, d["version"], TODAY)
    with pytest.raises(StaleEdit):  # a second receipt from the page as it was before the first
        contracts.add_receipt(url, key, secretary, cid, first["id"], "1,000", TODAY, d["version"], TODAY)
    d = contracts.detail(url, cashier, cid)
    assert d["instalments"][0]["outstanding_fen"] == 600_000 and d["receipts"][0]["amount_fen"] == 400_000
    # with money received, the amount can no longer be changed (but the counterparty's name can)
    with pytest.raises(AccountError, match="已有收款"):
        contracts.edit(url, key, secretary, cid, draft(amount="60,000"), d["version"], TODAY)
    version = contracts.edit(url, key, secretary, cid, draft(counterparty="王 伟"), d["version"], TODAY)
    # renewal: from the day after the end, the old one marked renewed, the resource let until the new end
    with pytest.raises(AccountError) as exc:
        contracts.renew(url, key, secretary, cid, "30,000", "yearly", dt.date(2034, 11, 20),
                        dt.date(2031, 11, 22), res, version, TODAY)
    assert "签订日期" in exc.value.errors["signed_on"]
    new_id = contracts.renew(url, key, secretary, cid, "30,000", "half_yearly", dt.date(2034, 11, 20), TODAY, res,
                             version, TODAY)
    with transaction(url) as s:
        old, new = s.get(Contract, cid), s.get(Contract, new_id)
        assert old.status == "renewed" and new.renewed_from_id == cid
        assert new.start_on == dt.date(2031, 11, 21) and new.counterparty == "王 伟"
        assert s.scalar(select(func.sum(ContractInstalment.amount_fen))
                        .where(ContractInstalment.contract_id == new_id)) == 3_000_000
        assert s.get(Resource, rid).contracted_until == dt.date(2034, 11, 20)
        new_version = new.version
    with pytest.raises(AccountError, match="已续签"):
        contracts.renew(url, key, secretary, cid, "1", "yearly", dt.date(2040, 1, 1), TODAY, res,
                        version + 1, TODAY)
    # termination: a date within the term and a reason; later instalments are cancelled
    before = counts(sqlite_settings)
    with pytest.raises(AccountError) as exc:
        contracts.terminate(url, key, secretary, new_id, TODAY, " ", new_version, TODAY)
    assert exc.value.errors == {"terminated_on": "终止日期须在合同期内（2031-11-21 至 2034-11-20）",
                                "reason": "请填写终止原因"}
    assert counts(sqlite_settings) == before
    with pytest.raises(AccountError, match="不能终止"):  # the renewed one has ended already
        contracts.terminate(url, key, secretary, cid, TODAY, "x", version + 1, TODAY)
    old_contract = contracts.detail(url, secretary, cid)
    arrears = contracts.terminate(url, key, secretary, new_id, dt.date(2031, 11, 21), "承包方弃耕，双方协商解除",
                                  new_version, dt.date(2032, 1, 1))
    with transaction(url) as s:
        new = s.get(Contract, new_id)
        assert (new.status, new.terminated_on, new.termination_reason) == \
            ("terminated", dt.date(2031, 11, 21), "承包方弃耕，双方协商解除")
        plan = s.scalars(select(ContractInstalment).where(ContractInstalment.contract_id == new_id)
                         .order_by(ContractInstalment.seq)).all()
        assert [i.amount_fen for i in plan] == [500_000, 0, 0, 0, 0, 0]  # the first was due on the day: still owed
        assert arrears == 500_000
        assert not s.get(Resource, rid).contracted
    term = contracts.detail(url, secretary, new_id)
    with pytest.raises(AccountError, match="已终止"):  # no receipt on a terminated contract
        contracts.add_receipt(url, key, cashier, new_id, term["instalments"][0]["id"], "100", TODAY,
                              term["version"], TODAY)
    assert old_contract["status"] == "renewed"
    history = contracts.detail(url, secretary, new_id)["history"]
    assert history[0]["changes"]["status"] == ["active", "terminated"] and history[0]["by"].endswith("（demo-secretary）")


def test_contracts011_a_lease_of_an_asset_marks_it_leased_until_terminated(sqlite_settings):
    from data.models import Asset, AssetEvent

    url, key = sqlite_settings.database_url, sqlite_settings.audit_key
    secretary = actor(sqlite_settings, "demo-secretary")
    subject = next(x for x in contracts.subjects(url, secretary) if x["value"].startswith("asset:"))
    aid = int(subject["value"].split(":")[1])
    cid = contracts.create(url, key, secretary, subject["value"], draft(kind="lease", amount="6,000"),
                           lease_resolution(sqlite_settings), TODAY)
    with transaction(url) as s:
        assert s.get(Asset, aid).status == "leased"
        assert s.scalar(select(AssetEvent.amount_fen).where(AssetEvent.asset_id == aid, AssetEvent.kind == "lease")) \
            == 600_000
    assert subject["value"] not in [x["value"] for x in contracts.subjects(url, secretary)]  # not let twice
    contracts.terminate(url, key, secretary, cid, TODAY, "设备收回自用", contracts.detail(url, secretary, cid)["version"],
                        TODAY)
    with transaction(url) as s:
        assert s.get(Asset, aid).status == "idle"


def test_contracts012_contracts_outside_the_jurisdiction_are_refused(sqlite_settings):
    url, key = sqlite_settings.database_url, sqlite_settings.audit_key
    cashier = actor(sqlite_settings, "demo-village")
    lo, hi = cashier.scope.ranges[0]
    with transaction(url) as s:
        c = s.scalar(select(Contract).where(~Contract.region_code.between(lo, hi), Contract.status == "active"))
        inst = s.scalar(select(ContractInstalment).where(ContractInstalment.contract_id == c.id))
        other_resource = s.scalar(select(Resource.id).where(~Resource.region_code.between(lo, hi),
                                                            Resource.contracted.is_(False)))
        cid, version, iid = c.id, c.version, inst.id
    before = counts(sqlite_settings)
    for step in (lambda: contracts.add_receipt(url, key, cashier, cid, iid, "1", TODAY, version, TODAY),
                 lambda: contracts.terminate(url, key, cashier, cid, TODAY, "越权", version, TODAY),
                 lambda: contracts.edit(url, key, cashier, cid, draft(), version, TODAY),
                 lambda: contracts.renew(url, key, cashier, cid, "1", "yearly", dt.date(2040, 1, 1), TODAY, None,
                                         version, TODAY),
                 lambda: contracts.detail(url, cashier, cid),
                 lambda: contracts.attach(url, key, cashier, cid, [("合同.pdf", b"%PDF-1.4 scan")]),
                 lambda: contracts.create(url, key, cashier, f"resource:{other_resource}", draft(), None, TODAY)):
        with pytest.raises(OutOfScope, match="^该(合同|资源（资产）)不在您的管辖范围内$"):
            step()
    assert counts(sqlite_settings) == before
    assert all(lo <= r["region_code"] <= hi for r in contracts.list_contracts(url, cashier))
    ending, late = contracts.due_lists(url, cashier, TODAY)
    assert all(lo <= r["region_code"] <= hi for r in ending + late)


# ------------------------------------------------------------------ through the callbacks

def test_contracts013_a_caller_from_another_county_is_refused_every_step_and_nothing_is_written(sqlite_settings):
    """The demo village's contract, worked on by the same roles of another county: the same refusal,
    word for word, as for any contract outside the jurisdiction, and no row written."""
    url, key = sqlite_settings.database_url, sqlite_settings.audit_key
    rid = new_resource(sqlite_settings, name="外县测试地")
    cid = contracts.create(url, key, actor(sqlite_settings, "demo-secretary"), f"resource:{rid}", draft(),
                           lease_resolution(sqlite_settings), TODAY)
    d = contracts.detail(url, actor(sqlite_settings, "demo-village"), cid)
    cashier, secretary = stranger(sqlite_settings, "demo-village"), stranger(sqlite_settings, "demo-secretary")
    free = new_resource(sqlite_settings, name="外县测试地二")
    before = counts(sqlite_settings)
    for step, message in (
            (lambda: contracts.add_receipt(url, key, cashier, cid, d["instalments"][0]["id"], "1", TODAY, d["version"],
                                           TODAY), "该合同"),
            (lambda: contracts.edit(url, key, secretary, cid, draft(counterparty="李四"), d["version"], TODAY), "该合同"),
            (lambda: contracts.renew(url, key, secretary, cid, "1", "yearly", dt.date(2040, 1, 1), TODAY, None,
                                     d["version"], TODAY), "该合同"),
            (lambda: contracts.terminate(url, key, secretary, cid, TODAY, "越权", d["version"], TODAY), "该合同"),
            (lambda: contracts.attach(url, key, secretary, cid, [("合同.pdf", b"%PDF-1.4 scan")]), "该合同"),
            (lambda: contracts.detail(url, cashier, cid), "该合同"),
            (lambda: contracts.create(url, key, secretary, f"resource:{free}", draft(), None, TODAY), "该资源（资产）")):
        with pytest.raises(OutOfScope) as exc:
            step()
        assert str(exc.value) == f"{message}不在您的管辖范围内"
    assert counts(sqlite_settings) == before
    assert cid not in {c["id"] for c in contracts.list_contracts(url, cashier)}
    assert f"resource:{free}" not in {x["value"] for x in contracts.subjects(url, secretary)}
    assert contracts.subject_org(url, secretary, f"resource:{free}") is None


# ------------------------------------------------------------------ through the callbacks

def ask(app, client, fn, inputs, state=None, changed=None) -> dict:
    return outputs(call_as(client, app, fn, inputs, state, changed))


DUE_INPUTS = [{"id": "ct-tabs", "property": "active_tab", "value": "due"},
              {"id": "ct-due-asof", "property": "value", "value": None},
              {"id": "ct-refresh", "property": "data", "value": 0}]


def test_contracts014_an_award_becomes_a_contract_whose_overdue_instalment_the_township_sees(app, client_for,
                                                                                            sqlite_settings):
    """The trading workflow two months ago; today the first instalment is unpaid and the township's
    到期与逾期 list on the contracts page shows it — another township's does not."""
    url, key = sqlite_settings.database_url, sqlite_settings.audit_key
    agent = actor(sqlite_settings, "demo-township")
    lo, hi = agent.scope.ranges[0]
    with transaction(url) as s:
        res = s.scalar(select(Resource).where(Resource.region_code.between(lo, hi), Resource.contracted.is_(False)))
        rid, org_id, region = res.id, res.org_id, int(res.region_code)
    then = TODAY - dt.timedelta(days=60)
    lease = resolution(sqlite_settings, org_id, region, "lease", then - dt.timedelta(days=3))
    lid = trading.create_listing(url, key, agent, rid, "lease", "8,000", 36, lease, then, then + dt.timedelta(days=7),
                                 then)
    trading.place_bid(url, key, agent, lid, "丰收种植专业合作社", "uscc", USCC, "9,100", then + dt.timedelta(days=1))
    with transaction(url) as s:
        version = s.get(TradeListing, lid).version
    cid = trading.award(url, key, agent, lid, version, then + dt.timedelta(days=8))
    with transaction(url) as s:
        number = s.get(Contract, cid).number
        first_due = s.scalar(select(func.min(ContractInstalment.due_on)).where(ContractInstalment.contract_id == cid))

    township = client_for("demo-township")
    out = ask(app, township, callbacks.contracts.due, DUE_INPUTS)
    row = next(r for r in out["ct-overdue-grid"]["rowData"] if r["number"] == number)
    assert row["counterparty"] == "丰收种植专业合作社" and row["seq"] == 1
    assert row["outstanding_fen"] == 910_000 and row["days_overdue"] == (clock.today() - first_due).days > 0
    assert "期款项逾期未收" in out["ct-due-note"]["children"]

    county = agent.scope.root // 10**6 * 10**6
    with transaction(url) as s:  # another township of the same county
        other = s.scalar(select(CollectiveOrg.region_code).where(CollectiveOrg.region_code.between(county, county + 10**6 - 1),
                                                                 ~CollectiveOrg.region_code.between(lo, hi)))
    user_at(sqlite_settings, "other-township-accountant", "township_accountant", int(other) // 1000 * 1000)
    out = ask(app, client_for("other-township-accountant"), callbacks.contracts.due, DUE_INPUTS)
    shown = {r["number"] for r in out["ct-overdue-grid"]["rowData"] + out["ct-expiring-grid"]["rowData"]}
    assert number not in shown
    # the export of the list is logged
    before = counts(sqlite_settings)[5]
    out = ask(app, township, callbacks.contracts.export,
              [{"id": "ct-expiring-export", "property": "n_clicks", "value": None},
               {"id": "ct-overdue-export", "property": "n_clicks", "value": 1}],
              [{"id": "ct-due-asof", "property": "value", "value": None}], changed=["ct-overdue-export.n_clicks"])
    assert out["ct-download"]["data"]["filename"].startswith("逾期未收款项")
    assert counts(sqlite_settings)[5] == before + 1
    with transaction(url) as s:
        last = s.scalar(select(AuditLog).order_by(AuditLog.id.desc()).limit(1))
        assert last.type == "export" and "逾期未收款项" in last.description and last.actor == "demo-township"


CONTRACT_FORM = ("ct-subject", "ct-kind", "ct-frequency", "ct-title", "ct-counterparty", "ct-id-type", "ct-id",
                 "ct-amount", "ct-signed", "ct-start", "ct-end", "ct-resolution")


def test_contracts015_contract_form_and_receipt_through_the_callbacks(app, client_for, sqlite_settings):
    url = sqlite_settings.database_url
    rid = new_resource(sqlite_settings, name="回调测试地")
    res = lease_resolution(sqlite_settings)
    client = client_for("demo-village")
    fields = {"ct-subject": f"resource:{rid}", "ct-kind": "lease", "ct-frequency": "quarterly", "ct-title": None,
              "ct-counterparty": "李娜", "ct-id-type": "resident", "ct-id": GOOD_ID, "ct-amount": "12,000.03",
              "ct-signed": (TODAY - dt.timedelta(days=1)).isoformat(), "ct-start": TODAY.isoformat(),
              "ct-end": (TODAY + dt.timedelta(days=365)).isoformat(), "ct-resolution": res}
    scan = "data:application/pdf;base64,JVBERi0xLjQgc2Nhbg=="

    def submit(**change):
        values = {**fields, **change}
        state = ([{"id": "ct-selected-store", "property": "data", "value": None}]
                 + [{"id": k, "property": "value", "value": values[k]} for k in CONTRACT_FORM]
                 + [{"id": "ct-scan", "property": "contents", "value": [scan]},
                    {"id": "ct-scan", "property": "filename", "value": ["合同.pdf"]},
                    {"id": "ct-refresh", "property": "data", "value": 0}])
        return ask(app, client, callbacks.contracts.submit, [{"id": "ct-create", "property": "n_clicks", "value": 1},
                                                              {"id": "ct-save", "property": "n_clicks", "value": None}],
                   state, changed=["ct-create.n_clicks"])

    before = counts(sqlite_settings)
    out = submit(**{"ct-amount": "-5", "ct-id": "110105194912310021",
                    "ct-start": (TODAY - dt.timedelta(days=3)).isoformat()})
    assert out["ct-amount-error"]["children"] == "金额须大于0"
    assert out["ct-id-error"]["children"] == "身份证号码校验位不正确"
    assert out["ct-start-error"]["children"].startswith("日期顺序不对")
    assert counts(sqlite_settings) == before
    assert text(submit()["ct-result"]["children"]).startswith("已签订合同 #")
    with transaction(url) as s:
        c = s.scalar(select(Contract).order_by(Contract.id.desc()).limit(1))
        assert (c.counterparty, c.kind, c.amount_fen, c.subject_id) == ("李娜", "lease", 1_200_003, rid)
        cid = c.id
        plan = s.scalars(select(ContractInstalment.amount_fen).where(ContractInstalment.contract_id == cid)).all()
        assert len(plan) == 5 and sum(plan) == 1_200_003  # a quarter begins on the last day too
        att = s.scalar(select(Attachment).where(Attachment.owner_type == "contract", Attachment.owner_id == cid))
        assert att.filename == "合同.pdf" and att.size == 13

    # the form can be loaded with the contract for a correction (the full ID for the person handling it)
    out = ask(app, client, callbacks.contracts.load_for_edit, [{"id": "ct-load", "property": "n_clicks", "value": 1}],
              [{"id": "ct-selected-store", "property": "data", "value": {"id": cid, "version": 1}}])
    assert (out["ct-id"]["value"], out["ct-frequency"]["value"], out["ct-amount"]["value"]) == \
        (GOOD_ID, "quarterly", "12,000.03")
    out = ask(app, client, callbacks.contracts.selected,
              [{"id": "ct-grid", "property": "selectedRows", "value": [{"id": cid}]},
               {"id": "ct-refresh", "property": "data", "value": 0},
               {"id": "ct-reload", "property": "n_clicks", "value": None}])
    store = out["ct-selected-store"]["data"]
    first = out["ct-rc-instalment"]["options"][0]["value"]
    assert "合同.pdf" in text(out["ct-files"]["children"])  # the scan …
    assert "新建" in text(out["ct-history"]["children"])  # … and the history are shown

    def receipt(client_, amount, store_):
        return ask(app, client_, callbacks.contracts.receipt, [{"id": "ct-rc-submit", "property": "n_clicks", "value": 1}],
                   [{"id": "ct-selected-store", "property": "data", "value": store_},
                    {"id": "ct-rc-instalment", "property": "value", "value": first},
                    {"id": "ct-rc-amount", "property": "value", "value": amount},
                    {"id": "ct-rc-date", "property": "value", "value": TODAY.isoformat()},
                    {"id": "ct-refresh", "property": "data", "value": 0}])

    before = counts(sqlite_settings)
    over = receipt(client, "2,400.01", store)
    assert over["ct-rc-amount-error"]["children"] == "收款金额超过该期尚欠的 2,400.00 元"
    assert counts(sqlite_settings) == before
    assert text(receipt(client, "2,400.00", store)["ct-rc-result"]["children"]) == "已登记收款 2,400.00 元。"
    other = client_for("demo-secretary")  # working from the page as it was before that receipt
    stale = receipt(other, "100", store)
    assert text(stale["ct-rc-result"]["children"]).startswith("该合同已被他人修改，请刷新后再操作")
    with transaction(url) as s:
        assert s.scalar(select(func.count()).select_from(ContractReceipt).where(ContractReceipt.contract_id == cid)) == 1
    # a cashier of another county working on it is refused with the same words, nothing written
    stranger(sqlite_settings, "demo-village")
    before = written(sqlite_settings)
    refused = call_as(client_for("demo-village-elsewhere"), app, callbacks.contracts.receipt,
                   [{"id": "ct-rc-submit", "property": "n_clicks", "value": 1}],
                   [{"id": "ct-selected-store", "property": "data", "value": store},
                    {"id": "ct-rc-instalment", "property": "value", "value": first},
                    {"id": "ct-rc-amount", "property": "value", "value": "100"},
                    {"id": "ct-rc-date", "property": "value", "value": TODAY.isoformat()},
                    {"id": "ct-refresh", "property": "data", "value": 0}])
    assert (refused.status_code, refused.get_json()["error"]) == (403, "该合同不在您的管辖范围内")
    assert written(sqlite_settings) == before


def save_resource(app, client, rid, name, area, version=1):
    return call_as(client, app, callbacks.resources.submit,
                [{"id": "res-create", "property": "n_clicks", "value": None},
                 {"id": "res-save", "property": "n_clicks", "value": 1}],
                [{"id": "res-editing", "property": "data", "value": {"id": rid, "version": version}},
                 {"id": "res-org", "property": "value", "value": None},
                 {"id": "res-name", "property": "value", "value": name},
                 {"id": "res-type", "property": "value", "value": "耕地"},
                 {"id": "res-area", "property": "value", "value": area},
                 {"id": "res-location", "property": "value", "value": ""},
                 {"id": "res-parcel", "property": "value", "value": ""},
                 {"id": "res-refresh", "property": "data", "value": 0}], changed=["res-save.n_clicks"])


def test_contracts016_resource_form_second_editor_is_told_and_keeps_the_form(app, client_for, sqlite_settings):
    rid = new_resource(sqlite_settings, name="两人同改地", area="10")
    first, second = client_for("demo-secretary"), client_for("demo-village")
    saved = outputs(save_resource(app, first, rid, "两人同改地（东）", "10.5"))
    assert text(saved["res-result"]["children"]) == "已保存修改：两人同改地（东）。"
    out = outputs(save_resource(app, second, rid, "两人同改地（西）", "11"))
    assert text(out["res-result"]["children"]) == "该资源已被他人修改，请刷新后再操作（您填写的内容仍保留在表单中）"
    # nothing reloads over what the second editor typed: no refresh and no new version are sent
    assert "res-refresh" not in out and "res-editing" not in out
    with transaction(sqlite_settings.database_url) as s:
        r = s.get(Resource, rid)
        assert (r.name, r.area_mu, r.version) == ("两人同改地（东）", rules.Decimal("10.5"), 2)
    # after a refresh (version 2) the second editor's own mistakes are named next to the fields
    bad = outputs(save_resource(app, second, rid, "", "abc", version=2))
    assert (bad["res-name-error"]["children"], bad["res-area-error"]["children"]) == ("请填写资源名称", "面积须为数字")
    with transaction(sqlite_settings.database_url) as s:
        assert s.get(Resource, rid).version == 2
    # a secretary of another county is refused with the same words, and the resource stays as it was
    stranger(sqlite_settings, "demo-secretary")
    before = written(sqlite_settings)
    refused = save_resource(app, client_for("demo-secretary-elsewhere"), rid, "外县改名", "1", version=2)
    assert (refused.status_code, refused.get_json()["error"]) == (403, "该资源不在您的管辖范围内")
    assert written(sqlite_settings) == before


def test_contracts017_termination_and_renewal_through_the_callbacks(app, client_for, sqlite_settings):
    """The 终止 and 续签 tabs: no contract selected → told to pick one; a refusal lands next to its
    fields and writes nothing; a valid termination ends the contract and refreshes the grid."""
    url, key = sqlite_settings.database_url, sqlite_settings.audit_key
    rid = new_resource(sqlite_settings, name="回调终止地")
    cid = contracts.create(url, key, actor(sqlite_settings, "demo-secretary"), f"resource:{rid}", draft(),
                           lease_resolution(sqlite_settings), TODAY, [])
    client = client_for("demo-village")
    store = {"id": cid, "version": contracts.detail(url, actor(sqlite_settings, "demo-village"), cid)["version"]}

    def terminate(store_, day, reason):
        return ask(app, client, callbacks.contracts.terminate, [{"id": "ct-tm-submit", "property": "n_clicks",
                                                                 "value": 1}],
                   [{"id": "ct-selected-store", "property": "data", "value": store_},
                    {"id": "ct-tm-date", "property": "value", "value": day},
                    {"id": "ct-tm-reason", "property": "value", "value": reason},
                    {"id": "ct-refresh", "property": "data", "value": 3}])

    def renew(store_):
        return ask(app, client, callbacks.contracts.renew, [{"id": "ct-rn-submit", "property": "n_clicks", "value": 1}],
                   [{"id": "ct-selected-store", "property": "data", "value": store_}]
                   + [{"id": i, "property": "value", "value": None}
                      for i in ("ct-rn-end", "ct-rn-amount", "ct-rn-frequency", "ct-rn-signed", "ct-rn-resolution")]
                   + [{"id": "ct-refresh", "property": "data", "value": 3}])

    assert text(terminate(None, None, None)["ct-tm-result"]["children"]) == "请先在左侧选择一份合同。"
    assert text(renew(None)["ct-rn-result"]["children"]) == "请先在左侧选择一份合同。"
    before = counts(sqlite_settings)
    refused = terminate(store, None, "")
    assert refused["ct-tm-date-error"]["children"] == "请填写终止日期"
    assert refused["ct-tm-reason-error"]["children"] == "请填写终止原因"
    assert "ct-refresh" not in refused  # nothing changed, nothing to reload
    assert renew(store)["ct-rn-end-error"]["children"]  # the renewal form's own refusal, next to its field
    assert counts(sqlite_settings) == before
    done = terminate(store, TODAY.isoformat(), "承包方自愿退出，双方协商一致")
    assert text(done["ct-tm-result"]["children"]).startswith("合同已终止") and done["ct-refresh"]["data"] == 4
    with transaction(url) as s:
        c = s.get(Contract, cid)
        assert (c.status, c.terminated_on) == ("terminated", TODAY)
