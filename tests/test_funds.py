"""Funds workflow (issue 5, first part): the cashier's request, two approvals, the accountant's
balanced voucher, and the cockpit's deposit figure moving by the amount; refusals change nothing."""
from __future__ import annotations

import base64
import datetime as dt

import pytest
from sqlalchemy import func, select

from data import funds
from data.admin.accounts import AccountError, Actor, StaleEdit
from data.db import transaction
from data.models import (Attachment, BankAccount, BankStatementImport, BankStatementLine, CollectiveOrg, PaymentRequest,
                         PeriodClose, RecordChange, User, Voucher, VoucherLine)
from domain import funds as rules
from domain.permissions import PermissionDenied, Scope, role_perms
from tests.conftest import TODAY, make_settings

GOOD_ID = "11010519491231002X"
INVOICE_UPLOAD = "data:application/pdf;base64," + base64.b64encode(b"%PDF-1.4 invoice 2000").decode()


@pytest.fixture(scope="module")
def sqlite_settings(tmp_path_factory):
    """A database of its own: these tests post vouchers, which other tests' figures must not see."""
    from data.demo import generate

    settings = make_settings(tmp_path_factory.mktemp("funds"))
    generate(settings, "test", today=TODAY, log=lambda *_: None)
    return settings


def actor(settings, username) -> Actor:
    with transaction(settings.database_url) as s:
        u = s.scalar(select(User).where(User.username == username))
        return Actor(user_id=u.id, username=u.username, ip="127.0.0.1",
                     scope=Scope(root=int(u.region_code), perms=role_perms(u.role), user_id=u.id, role=u.role))


def village_org(settings, village: int):
    with transaction(settings.database_url) as s:
        org = s.scalar(select(CollectiveOrg).where(CollectiveOrg.region_code == village))
        bank = s.scalar(select(BankAccount).where(BankAccount.org_id == org.id, BankAccount.kind == "bank")
                        .order_by(BankAccount.id))
        return org.id, bank.id


def counts(settings):
    with transaction(settings.database_url) as s:
        return tuple(s.scalar(select(func.count()).select_from(t)) for t in (PaymentRequest, Voucher, VoucherLine))


def snapshot(settings):
    """Everything a refused step must leave as it was: row counts of the funds tables, every
    request's status and version, and the record history."""
    with transaction(settings.database_url) as s:
        tables = (PaymentRequest, Voucher, VoucherLine, Attachment, PeriodClose, BankStatementImport, BankStatementLine,
                  RecordChange)
        n = tuple(s.scalar(select(func.count()).select_from(t)) for t in tables)
        states = tuple(s.execute(select(PaymentRequest.id, PaymentRequest.status, PaymentRequest.version)
                                 .order_by(PaymentRequest.id)).all())
        closes = tuple(s.execute(select(PeriodClose.id, PeriodClose.status, PeriodClose.version)).all())
        return n, states, closes


def draft(bank_id, **kw):
    base = dict(kind="payment", amount="1,234.50", purpose="购买办公用品", account=513, bank_account_id=bank_id,
                counterparty_name="王伟", counterparty_id_type="resident", counterparty_id=GOOD_ID, request_date=TODAY)
    base.update(kw)
    return rules.RequestDraft(**base)


def version(settings, rid):
    with transaction(settings.database_url) as s:
        return s.get(PaymentRequest, rid).version


def test_amounts_are_parsed_exactly():
    assert rules.parse_amount("1,234.50") == (123450, None)
    assert rules.parse_amount("0.1")[0] == 10
    for bad, why in (("-5", "大于0"), ("abc", "数字"), ("1.234", "两位小数"), ("", "请填写"), ("NaN", "数字")):
        assert why in rules.parse_amount(bad)[1]
    with pytest.raises(rules.UnbalancedVoucher):
        rules.assert_balanced([(513, 100, 0), (102, 0, 99)])


def test_request_approved_twice_posted_and_the_cockpit_moves(sqlite_settings):
    from data.query import QueryLayer

    url, key = sqlite_settings.database_url, sqlite_settings.audit_key
    cashier, secretary = actor(sqlite_settings, "demo-village"), actor(sqlite_settings, "demo-secretary")
    supervisor, accountant = actor(sqlite_settings, "demo-supervisor"), actor(sqlite_settings, "demo-township")
    village = cashier.scope.root
    org_id, bank_id = village_org(sqlite_settings, village)
    ql = QueryLayer(sqlite_settings, today=TODAY).load()
    scope = Scope(root=village, perms=role_perms("village_secretary"), role="village_secretary")
    bank_before = ql.kpis(scope, village)["bank"]

    rid = funds.submit(url, key, cashier, org_id, draft(bank_id), TODAY)
    with pytest.raises(PermissionDenied, match="理事长"):  # the chair cannot go first
        funds.decide(url, key, supervisor, rid, True, version(sqlite_settings, rid), today=TODAY)
    assert funds.decide(url, key, secretary, rid, True, version(sqlite_settings, rid), today=TODAY) == "secretary_approved"
    with pytest.raises(PermissionDenied, match="代理会计"):  # a cashier cannot post
        funds.post(url, key, cashier, rid, version(sqlite_settings, rid), TODAY, today=TODAY)
    with pytest.raises(AccountError, match="不能记账"):  # not approved by the chair yet
        funds.post(url, key, accountant, rid, version(sqlite_settings, rid), TODAY, today=TODAY)
    assert funds.decide(url, key, supervisor, rid, True, version(sqlite_settings, rid), today=TODAY) == "approved"
    vid = funds.post(url, key, accountant, rid, version(sqlite_settings, rid), TODAY, today=TODAY)
    with transaction(url) as s:
        lines = s.scalars(select(VoucherLine).where(VoucherLine.voucher_id == vid)).all()
        assert sum(l.debit_fen for l in lines) == sum(l.credit_fen for l in lines) == 123450
        assert {(l.account_code, l.debit_fen, l.credit_fen) for l in lines} == {(513, 123450, 0), (102, 0, 123450)}
    assert ql.refresh() == 2  # the two new lines, incrementally
    assert ql.kpis(scope, village)["bank"] == bank_before - 123450


@pytest.mark.parametrize("change, field, message", [
    (dict(amount="-5"), "amount", "金额须大于0"), (dict(amount="abc"), "amount", "金额须为数字"),
    (dict(amount="十元"), "amount", "金额须为数字"),
    (dict(counterparty_id="110105194912310021"), "counterparty_id", "身份证号码校验位不正确"),
    (dict(counterparty_id_type="uscc", counterparty_id="91350100M000100Y44"), "counterparty_id", "统一社会信用代码"),
    (dict(request_date=TODAY + dt.timedelta(days=3)), "request_date", "日期不能晚于今天"),
    (dict(account=501), "account", "请选择支出科目"),
])
def test_bad_input_is_refused_and_nothing_is_written(sqlite_settings, change, field, message):
    cashier = actor(sqlite_settings, "demo-village")
    org_id, bank_id = village_org(sqlite_settings, cashier.scope.root)
    before = snapshot(sqlite_settings)
    with pytest.raises(AccountError) as exc:
        funds.submit(sqlite_settings.database_url, sqlite_settings.audit_key, cashier, org_id,
                     draft(bank_id, **change), TODAY, files=[("发票.pdf", b"%PDF-1.4 x")])
    assert message in exc.value.errors[field]
    assert snapshot(sqlite_settings) == before  # neither the request nor its file


def test_every_problem_is_reported_at_once(sqlite_settings):
    cashier = actor(sqlite_settings, "demo-village")
    org_id, bank_id = village_org(sqlite_settings, cashier.scope.root)
    before = snapshot(sqlite_settings)
    with pytest.raises(AccountError) as exc:
        funds.submit(sqlite_settings.database_url, sqlite_settings.audit_key, cashier, org_id,
                     draft(bank_id, amount="abc", counterparty_id="110105194912310021", purpose=""), TODAY,
                     files=[("病毒.exe", b"MZ")])
    assert set(exc.value.errors) == {"amount", "counterparty_id", "purpose", "attachments"}
    assert "只能上传" in exc.value.errors["attachments"]
    assert snapshot(sqlite_settings) == before


def approved_request(settings, request_date: dt.date, approved_on: dt.date, **change) -> int:
    url, key = settings.database_url, settings.audit_key
    cashier = actor(settings, "demo-village")
    org_id, bank_id = village_org(settings, cashier.scope.root)
    rid = funds.submit(url, key, cashier, org_id, draft(bank_id, request_date=request_date, **change), TODAY)
    funds.decide(url, key, actor(settings, "demo-secretary"), rid, True, version(settings, rid), today=approved_on)
    funds.decide(url, key, actor(settings, "demo-supervisor"), rid, True, version(settings, rid), today=approved_on)
    return rid


def test_a_request_and_its_files_are_stored_together(sqlite_settings):
    from data import attachments

    url = sqlite_settings.database_url
    cashier = actor(sqlite_settings, "demo-village")
    org_id, bank_id = village_org(sqlite_settings, cashier.scope.root)
    rid = funds.submit(url, sqlite_settings.audit_key, cashier, org_id, draft(bank_id), TODAY,
                       files=[("发票.pdf", b"%PDF-1.4 a"), ("合同.jpg", b"\xff\xd8 jpeg")])
    with transaction(url) as s:
        files = attachments.list_for(s, cashier.scope, "payment_request", rid)
    assert [f["filename"] for f in files] == ["发票.pdf", "合同.jpg"]
    detail = funds.request_detail(url, actor(sqlite_settings, "demo-secretary"), rid)
    assert [f["filename"] for f in detail["files"]] == ["发票.pdf", "合同.jpg"]
    entered = detail["history"][0]
    assert entered["by"] == "demo-village" and entered["action"] == "录入"
    for shown in ("状态：待理事长审批", "金额：1,234.50 元", "科目：513 管理费用", "类型：付款", "收付账户：基本存款账户"):
        assert shown in entered["changes"]


def test_posting_dated_before_the_approval_or_in_the_future_is_refused(sqlite_settings):
    url, key = sqlite_settings.database_url, sqlite_settings.audit_key
    accountant = actor(sqlite_settings, "demo-township")
    rid = approved_request(sqlite_settings, TODAY - dt.timedelta(days=5), TODAY - dt.timedelta(days=2))
    with transaction(url) as s:
        assert s.get(PaymentRequest, rid).approved_on == TODAY - dt.timedelta(days=2)
    before = snapshot(sqlite_settings)
    for day, message in ((TODAY - dt.timedelta(days=3), "记账日期不能早于审批通过日期（2026-11-20）"),
                         (TODAY - dt.timedelta(days=6), "记账日期不能早于申请日期（2026-11-17）"),
                         (TODAY + dt.timedelta(days=1), "记账日期不能晚于今天")):
        with pytest.raises(AccountError) as exc:
            funds.post(url, key, accountant, rid, version(sqlite_settings, rid), day, today=TODAY)
        assert exc.value.errors["posting_date"] == message
        assert snapshot(sqlite_settings) == before
    vid = funds.post(url, key, accountant, rid, version(sqlite_settings, rid), TODAY - dt.timedelta(days=2), today=TODAY)
    with transaction(url) as s:
        assert s.get(Voucher, vid).date == TODAY - dt.timedelta(days=2)
        assert s.get(PaymentRequest, rid).status == "posted"


def test_only_the_township_accountant_posts(sqlite_settings):
    url, key = sqlite_settings.database_url, sqlite_settings.audit_key
    rid = approved_request(sqlite_settings, TODAY - dt.timedelta(days=1), TODAY)
    before = snapshot(sqlite_settings)
    for username in ("demo-village", "demo-secretary", "demo-supervisor", "demo-township-head"):
        with pytest.raises(PermissionDenied, match="只有乡镇代理会计可以记账"):
            funds.post(url, key, actor(sqlite_settings, username), rid, version(sqlite_settings, rid), TODAY,
                       today=TODAY)
    assert snapshot(sqlite_settings) == before


def test_own_approval_stale_edits_and_big_amounts_are_refused(sqlite_settings):
    url, key = sqlite_settings.database_url, sqlite_settings.audit_key
    cashier, secretary = actor(sqlite_settings, "demo-village"), actor(sqlite_settings, "demo-secretary")
    org_id, bank_id = village_org(sqlite_settings, cashier.scope.root)
    before = snapshot(sqlite_settings)
    with pytest.raises(AccountError, match="会议决议"):  # above the threshold without a resolution
        funds.submit(url, key, cashier, org_id, draft(bank_id, amount="80000"), TODAY)
    assert snapshot(sqlite_settings) == before
    rid = funds.submit(url, key, cashier, org_id, draft(bank_id), TODAY)
    stale = version(sqlite_settings, rid)
    funds.decide(url, key, secretary, rid, True, stale, today=TODAY)
    before = snapshot(sqlite_settings)
    with pytest.raises(StaleEdit, match="已被他人处理，请刷新后再操作"):  # a second approval from a page opened before the first
        funds.decide(url, key, secretary, rid, True, stale, today=TODAY)
    assert snapshot(sqlite_settings) == before
    # the chair never approves a request she entered herself
    supervisor = actor(sqlite_settings, "demo-supervisor")
    with transaction(url) as s:
        s.get(PaymentRequest, rid).requested_by_id = supervisor.user_id
    before = snapshot(sqlite_settings)
    with pytest.raises(PermissionDenied, match="不能审批本人提交的申请"):
        funds.decide(url, key, supervisor, rid, True, version(sqlite_settings, rid), today=TODAY)
    assert snapshot(sqlite_settings) == before
    with transaction(url) as s:
        assert s.get(PaymentRequest, rid).status == "secretary_approved"


@pytest.fixture(scope="module")
def funds_app(sqlite_settings):
    from tests.conftest import _app

    return _app(sqlite_settings)


def _cb(app, prefix):
    return next(k for k in app.callback_map if k.startswith(prefix))


def test_the_workflow_through_the_callbacks_moves_the_cockpit(funds_app, sqlite_settings):
    import json

    from tests.conftest import dash_post, sign_in
    from tests.test_app_access import COCKPIT

    app = funds_app
    cashier, secretary = sign_in(app.server, "demo-village"), sign_in(app.server, "demo-secretary")
    supervisor, accountant = sign_in(app.server, "demo-supervisor"), sign_in(app.server, "demo-township")
    load = _cb(app, "..funds-grid.")
    page = dash_post(cashier, load, [{"id": "funds-refresh", "property": "data", "value": 0}]).get_json()["response"]
    bank = next(o["value"] for o in page["funds-bank"]["options"] if "银行" in o["label"] or "账户" in o["label"])

    def kpi_bank(client):
        body = dash_post(client, COCKPIT, [{"id": "url", "property": "hash", "value": ""}]).get_json()["response"]
        return json.dumps(body["cockpit-kpis-html"], ensure_ascii=False)

    fields = {"funds-kind": "payment", "funds-bank": bank, "funds-amount": "2,000.00", "funds-account": 513,
              "funds-purpose": "村部维修材料", "funds-counterparty": "李娜", "funds-id-type": "resident",
              "funds-id": GOOD_ID, "funds-date": TODAY.isoformat()}

    def submit(**change):
        values = {**fields, **change}
        return dash_post(cashier, _cb(app, "..funds-submit-result."),
                         [{"id": "funds-submit", "property": "n_clicks", "value": 1}],
                         [{"id": k, "property": "value", "value": v} for k, v in values.items()]
                         + [{"id": "funds-files", "property": "contents", "value": [INVOICE_UPLOAD]},
                            {"id": "funds-files", "property": "filename", "value": ["发票.pdf"]},
                            {"id": "funds-refresh", "property": "data", "value": 0}])

    bad = json.dumps(submit(**{"funds-amount": "-3"}).get_json(), ensure_ascii=False)
    assert "金额须大于0" in bad
    ok = json.dumps(submit().get_json(), ensure_ascii=False)
    assert "已提交申请" in ok and "附件 1 个" in ok

    def rows(client):
        return dash_post(client, load, [{"id": "funds-refresh", "property": "data", "value": 0}]) \
            .get_json()["response"]["funds-grid"]["rowData"]

    def act(client, button, row):
        return json.dumps(dash_post(client, _cb(app, "..funds-action-result."),
                                    [{"id": b, "property": "n_clicks", "value": 1 if b == button else None}
                                     for b in ("funds-approve", "funds-reject", "funds-post")],
                                    [{"id": "funds-grid", "property": "selectedRows", "value": [row]},
                                     {"id": "funds-post-date", "property": "value", "value": None},
                                     {"id": "funds-refresh", "property": "data", "value": 0}],
                                    changed=[f"{button}.n_clicks"]).get_json(),
                          ensure_ascii=False)

    mine = rows(secretary)[0]
    assert mine["purpose"] == "村部维修材料" and mine["can_decide"]
    shown = json.dumps(dash_post(secretary, _cb(app, "funds-detail."),
                                 [{"id": "funds-grid", "property": "selectedRows", "value": [mine]}]).get_json(),
                       ensure_ascii=False)  # the approver sees the invoice and who entered the request
    assert "发票.pdf" in shown and "demo-village" in shown and "录入" in shown
    assert "代理会计" in act(cashier, "funds-post", mine)  # a cashier cannot post
    assert "已同意" in act(secretary, "funds-approve", mine)
    assert "已被他人处理" in act(secretary, "funds-approve", mine)  # the stale row from before
    assert "已同意" in act(supervisor, "funds-approve", rows(supervisor)[0])
    ql = app.server.extensions["platform.query"]
    village = actor(sqlite_settings, "demo-village").scope.root
    scope = Scope(root=village, perms=role_perms("village_secretary"), role="village_secretary")
    before = ql.kpis(scope, village)["bank"]
    assert "已记账" in act(accountant, "funds-post", rows(accountant)[0])
    ql.refresh(force=True)
    assert ql.kpis(scope, village)["bank"] == before - 200000
