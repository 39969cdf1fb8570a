"""Funds workflow (issue 5, first part): the cashier's request (citing a resolution at or above the
decision threshold), two approvals, the accountant's balanced voucher, and the cockpit's deposit
figure moving by the amount; refusals change nothing."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

import callbacks.funds.requests as request_callbacks
from data.db import transaction
from data.errors import AccountError, StaleEdit
from data.funds import detail as funds_detail
from data.funds import requests as funds
from data.models import PaymentRequest, Voucher, VoucherLine
from domain.funds.parsing import parse_amount
from domain.funds.vouchers import UnbalancedVoucher, assert_balanced
from domain.permissions import PermissionDenied, Scope, role_perms
from tests.conftest import TODAY, sign_in
from tests.support.callbacks import call, output, text
from tests.support.funds import (GOOD_ID, INVOICE_UPLOAD, actor, app_for, approved_request, draft, own_database,
                                 payment_resolution, snapshot, version, village_org)

__all__ = ["GOOD_ID", "actor", "approved_request", "draft", "snapshot", "version", "village_org"]  # other tests' helpers


@pytest.fixture(scope="module")
def sqlite_settings(tmp_path_factory):
    """A database of its own: these tests post vouchers, which other tests' figures must not see."""
    return own_database(tmp_path_factory, "funds")


def test_funds001_amounts_are_parsed_exactly():
    assert parse_amount("1,234.50") == (123450, None)
    assert parse_amount("0.1")[0] == 10
    for bad, why in (("-5", "大于0"), ("abc", "数字"), ("1.234", "两位小数"), ("", "请填写"), ("NaN", "数字"),
                     ("1e30", "数字"), ("1_000.00", "数字"), ("Infinity", "数字"), ("١٢٣", "数字")):
        assert why in parse_amount(bad)[1]
    with pytest.raises(UnbalancedVoucher):
        assert_balanced([(513, 100, 0), (102, 0, 99)])


def test_funds002_request_approved_twice_posted_and_the_cockpit_moves(sqlite_settings):
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
        assert sum(ln.debit_fen for ln in lines) == sum(ln.credit_fen for ln in lines) == 123450
        assert {(ln.account_code, ln.debit_fen, ln.credit_fen) for ln in lines} == {(513, 123450, 0), (102, 0, 123450)}
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
def test_funds003_bad_input_is_refused_and_nothing_is_written(sqlite_settings, change, field, message):
    cashier = actor(sqlite_settings, "demo-village")
    org_id, bank_id = village_org(sqlite_settings, cashier.scope.root)
    before = snapshot(sqlite_settings)
    with pytest.raises(AccountError) as exc:
        funds.submit(sqlite_settings.database_url, sqlite_settings.audit_key, cashier, org_id,
                     draft(bank_id, **change), TODAY, files=[("发票.pdf", b"%PDF-1.4 x")])
    assert message in exc.value.errors[field]
    assert snapshot(sqlite_settings) == before  # neither the request nor its file


def test_funds004_every_problem_is_reported_at_once(sqlite_settings):
    cashier = actor(sqlite_settings, "demo-village")
    org_id, bank_id = village_org(sqlite_settings, cashier.scope.root)
    before = snapshot(sqlite_settings)
    with pytest.raises(AccountError) as exc:
        funds.submit(sqlite_settings.database_url, sqlite_settings.audit_key, cashier, org_id,
                     draft(bank_id, amount="abc", counterparty_id="110105194912310021", purpose=""), TODAY,
                     files=[("病毒.exe", b"MZ")])
    assert set(exc.value.errors) == {"amount", "counterparty_id", "purpose", "attachments"}
    assert "只能上传" in exc.value.errors["attachments"]
    with pytest.raises(AccountError) as exc:  # the organisation comes from the account; its problems join the rest
        funds.submit(sqlite_settings.database_url, sqlite_settings.audit_key, cashier, None,
                     draft(bank_id, amount="60,000.00", purpose=""), TODAY)
    assert set(exc.value.errors) == {"purpose", "resolution_id"}
    assert snapshot(sqlite_settings) == before


def test_funds005_a_request_and_its_files_are_stored_together(sqlite_settings):
    from data import attachments

    url = sqlite_settings.database_url
    cashier = actor(sqlite_settings, "demo-village")
    org_id, bank_id = village_org(sqlite_settings, cashier.scope.root)
    rid = funds.submit(url, sqlite_settings.audit_key, cashier, org_id, draft(bank_id), TODAY,
                       files=[("发票.pdf", b"%PDF-1.4 a"), ("合同.jpg", b"\xff\xd8 jpeg")])
    with transaction(url) as s:
        files = attachments.list_for(s, cashier.scope, "payment_request", rid)
    assert [f["filename"] for f in files] == ["发票.pdf", "合同.jpg"]
    detail = funds_detail.request_detail(url, actor(sqlite_settings, "demo-secretary"), rid)
    assert [f["filename"] for f in detail["files"]] == ["发票.pdf", "合同.jpg"]
    entered = detail["history"][0]
    assert entered["by"].endswith("（demo-village）") and entered["action"] == "提交"
    for shown in ("状态：待理事长审批", "金额：1,234.50 元", "科目：513 管理费用", "类型：付款", "收付账户：基本存款账户"):
        assert shown in entered["changes"]


def test_funds006_posting_dated_before_the_approval_or_in_the_future_is_refused(sqlite_settings):
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


def test_funds007_only_the_township_accountant_posts(sqlite_settings):
    url, key = sqlite_settings.database_url, sqlite_settings.audit_key
    rid = approved_request(sqlite_settings, TODAY - dt.timedelta(days=1), TODAY)
    before = snapshot(sqlite_settings)
    for username in ("demo-village", "demo-secretary", "demo-supervisor", "demo-township-head"):
        with pytest.raises(PermissionDenied, match="只有乡镇代理会计可以记账"):
            funds.post(url, key, actor(sqlite_settings, username), rid, version(sqlite_settings, rid), TODAY,
                       today=TODAY)
    assert snapshot(sqlite_settings) == before


def test_funds008_own_approval_and_stale_edits_are_refused(sqlite_settings):
    url, key = sqlite_settings.database_url, sqlite_settings.audit_key
    cashier, secretary = actor(sqlite_settings, "demo-village"), actor(sqlite_settings, "demo-secretary")
    org_id, bank_id = village_org(sqlite_settings, cashier.scope.root)
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


def test_funds009_a_payment_at_the_threshold_cites_a_passed_payment_resolution(sqlite_settings):
    url, key = sqlite_settings.database_url, sqlite_settings.audit_key
    cashier = actor(sqlite_settings, "demo-village")
    org_id, bank_id = village_org(sqlite_settings, cashier.scope.root)
    cited = payment_resolution(sqlite_settings, "决议〔2026〕资金9号", limit="80,000.00")
    plan = payment_resolution(sqlite_settings, "决议〔2026〕规划9号", decision_type="plan")
    late = payment_resolution(sqlite_settings, "决议〔2026〕资金10号", held_on=TODAY)
    before = snapshot(sqlite_settings)
    for amount, resolution, message in (
            ("50,000.00", None, "金额达到50,000元，须引用会议决议（四议两公开）"),  # the threshold itself needs one
            ("60,000.00", plan, "该决议表决的是“发展规划”，不是这一事项，不能引用"),
            ("80,000.01", cited, "金额超过该决议批准的上限（80,000.00 元）"),
            ("60,000.00", 10**9, "请选择本组织的会议决议")):
        with pytest.raises(AccountError) as exc:
            funds.submit(url, key, cashier, org_id, draft(bank_id, amount=amount, resolution_id=resolution), TODAY)
        assert exc.value.errors == {"resolution_id": message}
    with pytest.raises(AccountError) as exc:  # decided after the request was made
        funds.submit(url, key, cashier, org_id, draft(bank_id, amount="60,000.00", resolution_id=late,
                                                      request_date=TODAY - dt.timedelta(days=1)), TODAY)
    assert exc.value.errors == {"resolution_id": "决议晚于办理日期：须先决议、后执行"}
    assert snapshot(sqlite_settings) == before
    below = funds.submit(url, key, cashier, org_id, draft(bank_id, amount="49,999.99"), TODAY)
    rid = funds.submit(url, key, cashier, org_id, draft(bank_id, amount="60,000.00", resolution_id=cited), TODAY)
    with transaction(url) as s:
        assert s.get(PaymentRequest, below).resolution_id is None
        assert (s.get(PaymentRequest, rid).amount_fen, s.get(PaymentRequest, rid).resolution_id) == (6_000_000, cited)


def test_funds010_a_borrowing_cites_a_borrowing_resolution_and_other_receipts_none(sqlite_settings):
    url, key = sqlite_settings.database_url, sqlite_settings.audit_key
    cashier = actor(sqlite_settings, "demo-village")
    org_id, bank_id = village_org(sqlite_settings, cashier.scope.root)
    borrowing = payment_resolution(sqlite_settings, "决议〔2026〕借款1号", decision_type="borrowing")
    loan = dict(kind="receipt", account=201, amount="3,000.00", purpose="向信用社短期借款")
    with pytest.raises(AccountError) as exc:
        funds.submit(url, key, cashier, org_id, draft(bank_id, **loan), TODAY)
    assert exc.value.errors == {"resolution_id": "举债/借款须引用经成员（代表）会议通过的决议（四议两公开）"}
    assert funds.submit(url, key, cashier, org_id, draft(bank_id, **loan, resolution_id=borrowing), TODAY)
    assert funds.submit(url, key, cashier, org_id, draft(bank_id, kind="receipt", account=503, amount="90,000.00",
                                                         purpose="收到上级补助资金"), TODAY)
    offered = funds.resolution_choices(url, cashier, bank_id, "receipt", 201)
    assert offered["decision"] == "borrowing" and [r["id"] for r in offered["resolutions"]] == [borrowing]


def test_funds011_the_picker_offers_the_organisations_passed_payment_resolutions(sqlite_settings):
    url = sqlite_settings.database_url
    cashier = actor(sqlite_settings, "demo-village")
    org_id, bank_id = village_org(sqlite_settings, cashier.scope.root)
    good = payment_resolution(sqlite_settings, "决议〔2026〕资金11号")
    failed = payment_resolution(sqlite_settings, "决议〔2026〕资金12号", kind="两委联席会议")  # may not decide
    offered = funds.resolution_choices(url, cashier, bank_id, "payment", 513)
    ids = [r["id"] for r in offered["resolutions"]]
    assert (offered["org_id"], offered["threshold_fen"], offered["decision"]) == (org_id, 5_000_000, "payment")
    assert good in ids and failed not in ids
    with transaction(url) as s:
        from data.models import Resolution

        assert {s.get(Resolution, i).decision_type for i in ids} == {"payment"}


# ---------------------------------------------------------------- through the callbacks

@pytest.fixture(scope="module")
def funds_app(sqlite_settings):
    """The app on the module's database, its clock at the day the data were generated."""
    app = app_for(sqlite_settings)
    app.server.config["NOW"] = lambda: dt.datetime.combine(TODAY, dt.time(4), tzinfo=dt.UTC)
    return app


REQUEST_FIELDS = {"funds-kind": "payment", "funds-amount": "2,000.00", "funds-account": 513,
                  "funds-purpose": "村部维修材料", "funds-counterparty": "李娜", "funds-id-type": "resident",
                  "funds-id": GOOD_ID, "funds-date": TODAY.isoformat()}


def _submit(client, app, bank, **change):
    values = {(k, "date" if k == "funds-date" else "value"): v  # the date picker's value is its `date`
              for k, v in {**REQUEST_FIELDS, "funds-bank": bank, **change}.items()}
    values.update({("funds-submit", "n_clicks"): 1, ("funds-files", "contents"): [INVOICE_UPLOAD],
                   ("funds-files", "filename"): ["发票.pdf"], ("funds-refresh", "data"): 0})
    return call(client, app, request_callbacks.submit, values)


def _rows(client, app):
    resp = call(client, app, request_callbacks.load, {("funds-refresh", "data"): 0})
    return output(resp, "funds-grid", "rowData")


def _act(client, app, button, row, post_date=None):
    """记账 of `row`, or 同意 / 驳回 / 撤回 (button funds-approve …) confirmed in the dialog."""
    if button != "funds-post":
        decision = {"funds-approve": "approve", "funds-reject": "reject", "funds-withdraw": "withdraw"}[button]
        return _decide(client, app, decision, row)
    values = {("funds-post", "n_clicks"): 1, ("funds-grid", "selectedRows"): [row],
              ("funds-post-date", "date"): post_date, ("funds-refresh", "data"): 0}
    return call(client, app, request_callbacks.act, values, triggered=["funds-post.n_clicks"])


def _decide(client, app, decision, row, opinion=None):
    """The confirmation dialog's 确认 for `decision` on `row` (as the grid showed it)."""
    return call(client, app, request_callbacks.decide, {
        ("funds-decide-confirm", "n_clicks"): 1, ("funds-decide-opinion", "value"): opinion,
        ("funds-decide-pending", "data"): {"decision": decision, "id": row["id"], "version": row["version"]},
        ("funds-refresh", "data"): 0}, triggered=["funds-decide-confirm.n_clicks"])


def test_funds012_each_message_appears_under_its_own_field(funds_app, sqlite_settings):
    app = funds_app
    cashier = sign_in(app.server, "demo-village")
    bank = output(call(cashier, app, request_callbacks.load, {("funds-refresh", "data"): 0}), "funds-bank", "options")[0]
    before = snapshot(sqlite_settings)
    bad = _submit(cashier, app, bank["value"], **{"funds-amount": "-3", "funds-id": "110105194912310021"})
    assert output(bad, "funds-amount-error", "children") == "金额须大于0"
    assert output(bad, "funds-id-error", "children") == "身份证号码校验位不正确"
    assert output(bad, "funds-bank-error", "children") == ""
    big = _submit(cashier, app, bank["value"], **{"funds-amount": "60,000.00"})  # the threshold, no resolution
    assert output(big, "funds-resolution-error", "children") == "金额达到50,000元，须引用会议决议（四议两公开）"
    assert output(big, "funds-bank-error", "children") == ""  # not under the account any more
    assert output(big, "funds-request-error", "children") == ""
    assert snapshot(sqlite_settings) == before


def test_funds013_the_resolution_picker_reloads_with_the_account(funds_app, sqlite_settings):
    app = funds_app
    cashier = sign_in(app.server, "demo-village")
    _, bank_id = village_org(sqlite_settings, actor(sqlite_settings, "demo-village").scope.root)
    rid = payment_resolution(sqlite_settings, "决议〔2026〕资金13号", limit="100,000.00")

    def picker(bank, kind="payment", account=513, chosen=None):
        return call(cashier, app, request_callbacks.resolutions,
                    {("funds-bank", "value"): bank, ("funds-kind", "value"): kind, ("funds-account", "value"): account,
                     ("funds-resolution", "value"): chosen})

    resp = picker(bank_id, chosen=rid)
    assert rid in [o["value"] for o in output(resp, "funds-resolution", "options")]
    assert output(resp, "funds-resolution", "value") == rid
    assert output(resp, "funds-resolution-help", "children").startswith("本组织决策限额 50,000 元")
    assert output(picker(None, chosen=rid), "funds-resolution", "options") == []
    receipt = picker(bank_id, kind="receipt", account=503, chosen=rid)
    assert output(receipt, "funds-resolution", "value") is None  # a payment resolution does not fit a receipt
    assert output(receipt, "funds-resolution-help", "children") == "收款无需引用决议"


def test_funds014_the_workflow_through_the_callbacks_moves_the_cockpit(funds_app, sqlite_settings):
    app = funds_app
    cashier, secretary = sign_in(app.server, "demo-village"), sign_in(app.server, "demo-secretary")
    supervisor, accountant = sign_in(app.server, "demo-supervisor"), sign_in(app.server, "demo-township")
    _, bank_id = village_org(sqlite_settings, actor(sqlite_settings, "demo-village").scope.root)
    rid = payment_resolution(sqlite_settings, "决议〔2026〕资金14号")
    ok = _submit(cashier, app, bank_id, **{"funds-amount": "60,000.00", "funds-resolution": rid,
                                           "funds-purpose": "村部道路硬化工程款"})
    result = text(output(ok, "funds-submit-result", "children"))
    assert "已提交申请" in result and "60,000.00 元" in result and f"引用决议 #{rid}" in result and "附件 1 个" in result
    assert output(ok, "funds-files", "contents") is None  # a clean upload for the next request

    mine = next(r for r in _rows(secretary, app) if r["purpose"] == "村部道路硬化工程款")
    assert mine["can_decide"] and mine["resolution_id"] == rid
    shown = text(output(call(secretary, app, request_callbacks.detail, {("funds-grid", "selectedRows"): [mine]}),
                        "funds-detail", "children"))  # the approver sees the invoice and who entered the request
    assert "发票.pdf" in shown and "demo-village" in shown and "提交" in shown
    assert "只有乡镇代理会计可以记账" in text(output(_act(cashier, app, "funds-post", mine), "funds-action-result", "children"))
    assert "已同意" in text(output(_act(secretary, app, "funds-approve", mine), "funds-action-result", "children"))
    stale = _act(secretary, app, "funds-approve", mine)  # the row as it was before the approval
    assert "该申请已被他人处理，请刷新后再操作" in text(output(stale, "funds-action-result", "children"))
    row = next(r for r in _rows(supervisor, app) if r["id"] == mine["id"])
    assert "已同意" in text(output(_act(supervisor, app, "funds-approve", row), "funds-action-result", "children"))
    row = next(r for r in _rows(accountant, app) if r["id"] == mine["id"])
    early = _act(accountant, app, "funds-post", row, (TODAY - dt.timedelta(days=1)).isoformat())
    assert output(early, "funds-post-date-error", "children") == f"记账日期不能早于申请日期（{TODAY.isoformat()}）"

    ql = app.server.extensions["platform.query"]
    village = actor(sqlite_settings, "demo-village").scope.root
    scope = Scope(root=village, perms=role_perms("village_secretary"), role="village_secretary")
    ql.refresh(force=True)
    before = ql.kpis(scope, village)
    posted = _act(accountant, app, "funds-post", row, TODAY.isoformat())
    assert "已记账" in text(output(posted, "funds-action-result", "children"))
    ql.refresh(force=True)
    after = ql.kpis(scope, village)
    assert (after["bank"], after["funds"]) == (before["bank"] - 6_000_000, before["funds"] - 6_000_000)
