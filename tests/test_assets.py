"""Assets (issue 5): disposal, lease and pledge only with a resolution that voted that decision;
asset cards with their files and history, the depreciation run, revaluation; refusals (out of the
jurisdiction, another county, a stale copy) change nothing."""
from __future__ import annotations

import base64
import datetime as dt

import pytest
from sqlalchemy import delete, func, select

import callbacks.assets
from data import assets
from data.db import transaction
from data.errors import AccountError, StaleEdit
from data.models import Asset, AssetEvent, Attachment, AuditLog, CollectiveOrg, Voucher, VoucherLine
from domain import assets as rules
from domain.permissions import OutOfScope, PermissionDenied
from tests.conftest import TODAY
from tests.support.business import actor, counts, own_database, resolution, stranger
from tests.support.http import app_on, call_as, outputs, text, values

INVOICE = b"%PDF-1.4 asset invoice"


@pytest.fixture(scope="module")
def sqlite_settings(tmp_path_factory):
    return own_database(tmp_path_factory, "assets")


@pytest.fixture(scope="module")
def app(sqlite_settings):
    return app_on(sqlite_settings)


def state(settings, asset_id):
    with transaction(settings.database_url) as s:
        a = s.get(Asset, asset_id)
        events = s.scalar(select(func.count()).select_from(AssetEvent).where(AssetEvent.asset_id == asset_id))
        return a.status, a.version, events


def test_assets001_disposal_needs_the_right_resolution(sqlite_settings):
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


def test_assets002_outside_the_region_or_without_permission_are_refused(sqlite_settings):
    url, key = sqlite_settings.database_url, sqlite_settings.audit_key
    secretary, supervisor = actor(sqlite_settings, "demo-secretary"), actor(sqlite_settings, "demo-supervisor")
    with transaction(url) as s:
        outside = s.scalar(select(Asset).where(~Asset.region_code.between(*secretary.scope.ranges[0])).limit(1))
        oid, over = outside.id, outside.version
    before = db_counts(sqlite_settings)
    with pytest.raises(OutOfScope, match="^该资产不在您的管辖范围内$"):
        assets.act(url, key, secretary, oid, "lease", None, TODAY, over, TODAY)
    assert db_counts(sqlite_settings) == before
    mine = assets.list_assets(url, supervisor)[0]
    with pytest.raises(PermissionDenied, match="缺少权限"):  # the supervisory chair reviews, she does not act
        assets.act(url, key, supervisor, mine["id"], "lease", None, TODAY, mine["version"], TODAY)


# ---------------------------------------------------------------- asset cards, depreciation, revaluation


def card(org_id, **change):
    values = dict(org_id=org_id, code="ZC-TEST-001", name="村部办公电脑", category="equipment", operating=False,
                  original_value="6,000.00", acquired_on=TODAY - dt.timedelta(days=40), useful_life_months="60",
                  residual_rate="5", location="村部二楼", custodian="王会计")
    values.update(change)
    return rules.CardDraft(**values)


def own_org(settings, username="demo-secretary"):
    who = actor(settings, username)
    with transaction(settings.database_url) as s:
        return s.scalar(select(CollectiveOrg.id).where(CollectiveOrg.region_code == who.scope.root))


def db_counts(settings):
    return counts(settings, Asset, AssetEvent, Attachment, Voucher, VoucherLine)


def plain(**kw):
    base = dict(category="equipment", status="in_use", original_value_fen=120_000, residual_rate_bp=500,
                useful_life_months=12, acquired_on=dt.date(2026, 1, 15), disposed_on=None,
                accumulated_depreciation_fen=0, operating=False)
    return {**base, **kw}


def test_assets003_depreciation_at_its_boundaries():
    a = plain()  # 1,200 yuan, 5 % residual, 12 months -> 95 yuan a month
    assert rules.monthly_fen(a) == 9500
    assert rules.depreciation_through(a, 202601) == 0  # not in the month of acquisition
    assert rules.depreciation_through(a, 202602) == 9500  # from the month after
    assert rules.charge_for(a, 202601) == 0 and rules.charge_for(a, 202602) == 9500
    assert rules.depreciation_through(a, 203001) == 114_000  # capped at original − residual
    assert rules.charge_for(plain(accumulated_depreciation_fen=110_000), 202701) == 4000  # the last bit only
    assert rules.charge_for(plain(accumulated_depreciation_fen=114_000), 202702) == 0  # fully depreciated
    assert rules.depreciation_through(plain(category="land"), 202612) == 0
    assert rules.charge_for(plain(category="investment"), 202606) == 0
    assert rules.charge_for(plain(status="idle"), 202606) == 0  # idle equipment is not depreciated
    assert rules.charge_for(plain(status="idle", category="building"), 202606) == 9500  # an idle building is
    gone = plain(status="disposed", disposed_on=dt.date(2026, 5, 10))
    assert rules.depreciation_through(gone, 202612) == 4 * 9500  # Feb–May: charged in the disposal month
    assert rules.charge_for(gone, 202605) == 9500 and rules.charge_for(gone, 202606) == 0
    assert rules.monthly_fen(plain(original_value_fen=100_000, useful_life_months=7)) == 13571  # 95000/7 rounded
    assert rules.depreciation_lines([(513, 100), (401, 50), (513, 25)]) == [(401, 50, 0), (513, 125, 0), (152, 0, 175)]


def test_assets004_a_card_is_entered_with_its_files_and_corrected_with_history(sqlite_settings):
    url, key = sqlite_settings.database_url, sqlite_settings.audit_key
    secretary, org_id = actor(sqlite_settings, "demo-secretary"), own_org(sqlite_settings)
    before = db_counts(sqlite_settings)
    aid = assets.save_card(url, key, secretary, None, card(org_id), TODAY, files=[("发票.pdf", INVOICE)])
    assert db_counts(sqlite_settings)[:3] == (before[0] + 1, before[1] + 1, before[2] + 1)
    d = assets.card_detail(url, secretary, aid)
    assert (d["original_value_fen"], d["net_value_fen"], d["location"], d["custodian"]) == \
        (600_000, 600_000, "村部二楼", "王会计")
    assert d["files"][0]["filename"] == "发票.pdf" and len(d["files"][0]["sha256"]) == 64
    assets.save_card(url, key, secretary, aid, card(org_id, custodian="李保管", original_value="6,500"), TODAY,
                     expected_version=d["version"])
    d2 = assets.card_detail(url, secretary, aid)
    assert d2["custodian"] == "李保管" and d2["original_value_fen"] == 650_000 and d2["version"] == d["version"] + 1
    change = next(h for h in d2["history"] if h["action"] == "update")
    assert change["by"].endswith("（demo-secretary）") and change["changes"]["custodian"] == ["王会计", "李保管"]
    with transaction(url) as s:
        logged = s.scalars(select(AuditLog.description).order_by(AuditLog.id.desc()).limit(2)).all()
    assert "更正资产卡片" in logged[0] and "新增资产卡片" in logged[1]
    with pytest.raises(StaleEdit, match="已被他人修改"):  # the version the user opened before the correction
        assets.save_card(url, key, secretary, aid, card(org_id, custodian="张三"), TODAY, expected_version=d["version"])
    assert assets.card_detail(url, secretary, aid)["custodian"] == "李保管"


@pytest.mark.parametrize("change, field, message", [
    ({"original_value": "300"}, "original_value", "500元以上"),
    ({"original_value": "-20"}, "original_value", "金额须大于0"),
    ({"original_value": "六千"}, "original_value", "金额须为数字"),
    ({"acquired_on": TODAY + dt.timedelta(days=1)}, "acquired_on", "不能晚于今天"),
    ({"code": "ZC-DUP"}, "code", "已有编号"),
    ({"useful_life_months": "0"}, "useful_life_months", "1至600"),
    ({"residual_rate": "25"}, "residual_rate", "0%至20%"),
])
def test_assets005_bad_cards_are_refused_and_nothing_is_written(sqlite_settings, change, field, message):
    url, key = sqlite_settings.database_url, sqlite_settings.audit_key
    secretary, org_id = actor(sqlite_settings, "demo-secretary"), own_org(sqlite_settings)
    if change.get("code") == "ZC-DUP":
        with transaction(url) as s:
            change = {"code": s.scalar(select(Asset.code).where(Asset.org_id == org_id).limit(1))}
    before = db_counts(sqlite_settings)
    with pytest.raises(AccountError) as exc:
        assets.save_card(url, key, secretary, None, card(org_id, **change), TODAY, files=[("发票.pdf", INVOICE)])
    assert message in exc.value.errors[field]
    assert db_counts(sqlite_settings) == before


def test_assets006_land_below_500_yuan_is_fine_and_all_problems_come_at_once(sqlite_settings):
    url, key = sqlite_settings.database_url, sqlite_settings.audit_key
    secretary, org_id = actor(sqlite_settings, "demo-secretary"), own_org(sqlite_settings)
    aid = assets.save_card(url, key, secretary, None, card(org_id, code="ZC-LAND", category="land",
                                                             original_value="200"), TODAY)
    assert assets.card_detail(url, secretary, aid)["original_value_fen"] == 20_000
    before = db_counts(sqlite_settings)
    with pytest.raises(AccountError) as exc:
        assets.save_card(url, key, secretary, None, card(org_id, code="", name="", original_value="abc",
                                                         acquired_on=None), TODAY)
    assert {"code", "name", "original_value", "acquired_on"} <= set(exc.value.errors)
    assert db_counts(sqlite_settings) == before


def test_assets007_a_card_for_an_organisation_outside_the_scope_is_refused(sqlite_settings):
    url, key = sqlite_settings.database_url, sqlite_settings.audit_key
    secretary = actor(sqlite_settings, "demo-secretary")
    with transaction(url) as s:
        foreign = s.scalar(select(CollectiveOrg.id).where(~CollectiveOrg.region_code.between(*secretary.scope.ranges[0]))
                           .limit(1))
    before = db_counts(sqlite_settings)
    with pytest.raises(OutOfScope, match="^该集体经济组织不在您的管辖范围内$"):
        assets.save_card(url, key, secretary, None, card(foreign, code="ZC-FOREIGN"), TODAY)
    with pytest.raises(PermissionDenied, match="缺少权限"):
        assets.save_card(url, key, actor(sqlite_settings, "demo-supervisor"), None,
                         card(own_org(sqlite_settings), code="ZC-SUP"), TODAY)
    assert db_counts(sqlite_settings) == before


def test_assets008_a_depreciation_run_posts_one_balanced_voucher_once(sqlite_settings):
    url, key = sqlite_settings.database_url, sqlite_settings.audit_key
    accountant, org_id = actor(sqlite_settings, "demo-township"), own_org(sqlite_settings)
    period = TODAY.year * 100 + TODAY.month
    # the generated books charge depreciation every month: a month they charged is refused …
    with pytest.raises(AccountError, match="不能重复计提"):
        assets.run_depreciation(url, key, accountant, org_id, period - 2, TODAY)
    # … so for this month take the books' own depreciation voucher out (a month not yet charged)
    with transaction(url) as s:
        charged = s.scalars(select(Voucher.id).join(VoucherLine, VoucherLine.voucher_id == Voucher.id)
                            .where(Voucher.org_id == org_id, Voucher.period == period, VoucherLine.account_code == 152,
                                   VoucherLine.credit_fen > 0)).all()
        s.execute(delete(VoucherLine).where(VoucherLine.voucher_id.in_(charged)))
        s.execute(delete(Voucher).where(Voucher.id.in_(charged)))
    preview = assets.depreciation_preview(url, accountant, org_id, period)
    assert preview
    with transaction(url) as s:
        acc_before = {a.id: a.accumulated_depreciation_fen for a in s.scalars(select(Asset).where(Asset.org_id == org_id))}
    out = assets.run_depreciation(url, key, accountant, org_id, period, TODAY)
    with transaction(url) as s:
        lines = s.scalars(select(VoucherLine).where(VoucherLine.voucher_id == out["voucher_id"])).all()
        events = s.scalars(select(AssetEvent).where(AssetEvent.kind == "depreciation",
                                                    AssetEvent.note.contains(f"#{out['voucher_id']}"))).all()
        acc_after = {a.id: a.accumulated_depreciation_fen for a in s.scalars(select(Asset).where(Asset.org_id == org_id))}
        assert s.get(Voucher, out["voucher_id"]).source == "depreciation"
    assert sum(ln.debit_fen for ln in lines) == sum(ln.credit_fen for ln in lines) == out["total_fen"]
    credit = [ln for ln in lines if ln.credit_fen]
    assert len(credit) == 1 and credit[0].account_code == 152
    assert credit[0].credit_fen == sum(e.amount_fen for e in events) == sum(p["fen"] for p in preview)
    assert {ln.account_code for ln in lines if ln.debit_fen} <= {401, 513}
    assert len(events) == out["assets"] == len(preview)
    assert all(acc_after[e.asset_id] - acc_before[e.asset_id] == e.amount_fen for e in events)
    before = db_counts(sqlite_settings)
    with pytest.raises(AccountError, match="不能重复计提"):
        assets.run_depreciation(url, key, accountant, org_id, period, TODAY)
    with pytest.raises(AccountError, match="尚未到来"):
        assets.run_depreciation(url, key, accountant, org_id, period + 1, TODAY)
    from data.funds.closing import close_period
    close_period(url, key, accountant, org_id, period - 1, TODAY)  # the accountant closes last month
    before = db_counts(sqlite_settings)
    with pytest.raises(AccountError, match="已结账"):
        assets.run_depreciation(url, key, accountant, org_id, period - 1, TODAY)
    assert db_counts(sqlite_settings) == before
    with pytest.raises(PermissionDenied):
        assets.run_depreciation(url, key, actor(sqlite_settings, "demo-supervisor"), org_id, period - 2, TODAY)


def test_assets009_revaluation_needs_a_resolution_for_a_write_down(sqlite_settings):
    url, key = sqlite_settings.database_url, sqlite_settings.audit_key
    secretary, org_id = actor(sqlite_settings, "demo-secretary"), own_org(sqlite_settings)
    aid = assets.save_card(url, key, secretary, None, card(org_id, code="ZC-REVAL", original_value="10,000"), TODAY)
    d = assets.card_detail(url, secretary, aid)
    before = db_counts(sqlite_settings)
    with pytest.raises(AccountError) as exc:
        assets.revalue(url, key, secretary, aid, "8,000", "", None, TODAY, d["version"], TODAY)
    assert "须引用" in exc.value.errors["resolution"] and "原因" in exc.value.errors["reason"]
    assert db_counts(sqlite_settings) == before
    with transaction(url) as s:
        region = s.get(CollectiveOrg, org_id).region_code
    res = resolution(sqlite_settings, org_id, region, "other", TODAY - dt.timedelta(days=3))
    assert assets.revalue(url, key, secretary, aid, "8,000", "评估报告 2026-17 号", res, TODAY, d["version"],
                          TODAY) == 800_000
    after = assets.card_detail(url, secretary, aid)
    assert after["net_value_fen"] == 800_000 and after["version"] == d["version"] + 1
    ev = after["events"][0]
    assert ev["kind"] == "revaluation" and ev["amount_fen"] == -200_000 and "1,000,000" not in ev["note"]
    assert "10,000.00 → 8,000.00" in ev["note"]
    # a small write-up needs no resolution; a stale one is refused
    assert assets.revalue(url, key, secretary, aid, "8,100", "市场价回升", None, TODAY, after["version"], TODAY) == 810_000
    with pytest.raises(StaleEdit):
        assets.revalue(url, key, secretary, aid, "9,000", "再次评估", None, TODAY, after["version"], TODAY)


CARD = {"assets-card-org": None, "assets-card-code": "ZC-CB-001", "assets-card-name": "抽水泵",
        "assets-card-category": "equipment", "assets-card-operating": True, "assets-card-value": "400",
        "assets-card-acquired": TODAY.isoformat(), "assets-card-life": "120", "assets-card-residual": "5",
        "assets-card-location": "三组泵房", "assets-card-custodian": "赵六"}
UPLOAD = "data:application/pdf;base64," + base64.b64encode(INVOICE).decode()


def submit_card(app, client, org_id, selected=(), fix=False, **change):
    """新增 (or, with `fix`, 更正 the selected row) through the card form's callback."""
    button = "assets-card-fix" if fix else "assets-card-new"
    return outputs(call_as(client, app, callbacks.assets.save_card,
                        [{"id": "assets-card-new", "property": "n_clicks", "value": None if fix else 1},
                         {"id": "assets-card-fix", "property": "n_clicks", "value": 1 if fix else None}],
                        values({**CARD, "assets-card-org": org_id, **change})
                        + [{"id": "assets-files", "property": "contents", "value": [UPLOAD]},
                           {"id": "assets-files", "property": "filename", "value": ["照片.pdf"]},
                           {"id": "assets-grid", "property": "selectedRows", "value": list(selected)},
                           {"id": "assets-refresh", "property": "data", "value": 0}],
                        changed=[f"{button}.n_clicks"]))


def test_assets010_a_card_through_the_real_callbacks(app, client_for, sqlite_settings):
    client, org_id = client_for("demo-secretary"), own_org(sqlite_settings)
    before = db_counts(sqlite_settings)
    refused = submit_card(app, client, org_id)
    assert refused["assets-card-value-error"]["children"].startswith("固定资产单位价值须在500元以上")
    assert db_counts(sqlite_settings) == before
    ok = text(submit_card(app, client, org_id, **{"assets-card-value": "4,000"})["assets-card-result"]["children"])
    assert ok.startswith("已新增资产卡片：ZC-CB-001 抽水泵") and ok.endswith("，附件 1 个。")
    with transaction(sqlite_settings.database_url) as s:
        a = s.scalar(select(Asset).where(Asset.code == "ZC-CB-001"))
        assert (a.original_value_fen, a.operating, a.custodian, a.org_id) == (400_000, True, "赵六", org_id)
    row = next(r for r in assets.list_assets(sqlite_settings.database_url, actor(sqlite_settings, "demo-secretary"))
               if r["id"] == a.id)
    shown = outputs(call_as(client, app, callbacks.assets.detail,
                         [{"id": "assets-grid", "property": "selectedRows", "value": [row]},
                          {"id": "assets-refresh", "property": "data", "value": 0}]))["assets-detail"]["children"]
    assert "照片.pdf" in text(shown) and "demo-secretary" in text(shown) and "4,000.00" in text(shown)


def test_assets011_a_caller_from_another_county_is_refused_every_act_and_nothing_is_written(sqlite_settings):
    """The same refusal, word for word, as for any asset outside the jurisdiction; no row written."""
    url, key = sqlite_settings.database_url, sqlite_settings.audit_key
    secretary, elsewhere = actor(sqlite_settings, "demo-secretary"), stranger(sqlite_settings, "demo-secretary")
    accountant = stranger(sqlite_settings, "demo-township")
    org_id = own_org(sqlite_settings)
    mine = next(a for a in assets.list_assets(url, secretary) if a["status"] == "in_use")
    assert assets.list_assets(url, elsewhere) and mine["id"] not in {a["id"] for a in assets.list_assets(url, elsewhere)}
    before = db_counts(sqlite_settings)
    for call_, message in (
            (lambda: assets.act(url, key, elsewhere, mine["id"], "lease", None, TODAY, mine["version"], TODAY), "该资产"),
            (lambda: assets.save_card(url, key, elsewhere, mine["id"], card(org_id), TODAY,
                                      expected_version=mine["version"]), "该资产"),
            (lambda: assets.save_card(url, key, elsewhere, None, card(org_id, code="ZC-ELSE"), TODAY), "该集体经济组织"),
            (lambda: assets.revalue(url, key, elsewhere, mine["id"], "1", "x", None, TODAY, mine["version"], TODAY),
             "该资产"),
            (lambda: assets.card_detail(url, elsewhere, mine["id"]), "该资产"),
            (lambda: assets.depreciation_preview(url, accountant, org_id, 202610), "该集体经济组织"),
            (lambda: assets.run_depreciation(url, key, accountant, org_id, 202610, TODAY), "该集体经济组织")):
        with pytest.raises(OutOfScope) as exc:
            call_()
        assert str(exc.value) == f"{message}不在您的管辖范围内"
    assert db_counts(sqlite_settings) == before
    assert assets.resolutions_for(url, elsewhere, org_id) == []  # nor may it cite the village's resolutions


def test_assets012_the_card_form_tells_a_caller_from_another_county_and_writes_nothing(app, client_for,
                                                                                      sqlite_settings):
    url = sqlite_settings.database_url
    stranger(sqlite_settings, "demo-secretary")
    client, org_id = client_for("demo-secretary-elsewhere"), own_org(sqlite_settings)
    mine = next(a for a in assets.list_assets(url, actor(sqlite_settings, "demo-secretary")))
    before = db_counts(sqlite_settings)
    for selected, fix, message in (((), False, "该集体经济组织"), ([mine], True, "该资产")):
        out = submit_card(app, client, org_id, selected, fix, **{"assets-card-code": "ZC-ELSE-CB",
                                                                 "assets-card-value": "4,000"})
        assert text(out["assets-card-result"]["children"]) == f"{message}不在您的管辖范围内"
    assert db_counts(sqlite_settings) == before
    with transaction(url) as s:
        refusals = s.scalars(select(AuditLog.description).where(AuditLog.actor == "demo-secretary-elsewhere",
                                                                AuditLog.result == "denied")).all()
    assert refusals.count("该资产不在您的管辖范围内") == 1  # each refusal reaches the security log
