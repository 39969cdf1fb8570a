"""Approvals as people expect them (issue 13, items 6 and 8): every approve / reject carries an
opinion — optional to approve, required to reject, bounded — kept with the step and shown in the
record history as 审批 / 驳回 (提交, 撤回, 记账 …); a double-clicked submit files one request; the
cashier withdraws a request nobody has approved; after 核实 a second click is stale, never 办结;
every account request has someone other than its requester who may decide it; a county does not
share its data with its own city, which sees it already."""
from __future__ import annotations

import datetime as dt
from itertools import count

import pytest
from sqlalchemy import func, select

from callbacks.funds import requests as request_callbacks
from data.db import transaction
from data.errors import AccountError
from data.funds import detail as funds_detail
from data.funds import requests as funds
from data.models import PaymentRequest, SharingApproval
from domain import approvals
from domain.admin import accounts as account_rules
from domain.admin import sharing as sharing_rules
from domain.permissions import ROLES, Action, PermissionDenied, Scope, role_perms, roles_for
from domain.regions import PROVINCE, truncate
from tests.conftest import TODAY
from tests.support.callbacks import call
from tests.support.funds import GOOD_ID, actor, app_for, draft, own_database, version, village_org
from tests.support.http import output, sign_in, text

_seq = count(1)


@pytest.fixture(scope="module")
def db(tmp_path_factory):
    return own_database(tmp_path_factory, "approvals")


@pytest.fixture(scope="module")
def app(db):
    app = app_for(db)
    app.server.config["NOW"] = lambda: dt.datetime.combine(TODAY, dt.time(4), tzinfo=dt.UTC)
    return app


def _request(db, purpose=None) -> int:
    bank = village_org(db, actor(db, "demo-village").scope.root)[1]
    return funds.submit(db.database_url, db.audit_key, actor(db, "demo-village"), None,
                        draft(bank, purpose=purpose or f"审批测试{next(_seq)}"), TODAY)


def _decide(app, client, decision, rid, ver, opinion=None):
    return call(client, app, request_callbacks.decide, {
        ("funds-decide-confirm", "n_clicks"): 1, ("funds-decide-opinion", "value"): opinion,
        ("funds-decide-pending", "data"): {"decision": decision, "id": rid, "version": ver},
        ("funds-refresh", "data"): 0}, triggered=["funds-decide-confirm.n_clicks"])


def test_approvals001_an_opinion_is_optional_to_approve_required_to_reject_and_bounded():
    errors: dict = {}
    assert approvals.opinion_of(errors, "approve", None) is None and errors == {}
    assert approvals.opinion_of(errors, True, "  同意  ") == "同意" and errors == {}
    for blank in (None, "", "   \n "):
        errors = {}
        assert approvals.opinion_of(errors, False, blank) is None
        assert errors == {"opinion": "驳回须填写审批意见（驳回理由）"}
    errors = {}
    approvals.opinion_of(errors, "reject", "理" * (approvals.OPINION_MAX + 1))
    assert errors == {"opinion": f"审批意见不超过{approvals.OPINION_MAX}字"}
    assert approvals.token_problem(None) is None and approvals.token_problem("a" * 32) is None
    assert approvals.token_problem("<script>") == "提交凭据无效，请刷新页面后重新提交"


def test_approvals002_a_rejection_without_opinion_writes_nothing_with_it_is_kept_and_shown(app, db):
    rid = _request(db)
    secretary = sign_in(app.server, "demo-secretary")
    before = version(db, rid)
    blank = _decide(app, secretary, "reject", rid, before, "   ")
    assert output(blank, "funds-decide-opinion-error", "children") == "驳回须填写审批意见（驳回理由）"
    assert output(blank, "funds-decide-modal", "is_open") is True  # the dialog stays open with the message
    assert version(db, rid) == before
    done = _decide(app, secretary, "reject", rid, before, "发票抬头与收款单位不一致，请补正后重新申请")
    assert "已驳回" in text(output(done, "funds-action-result", "children"))
    assert output(done, "funds-decide-modal", "is_open") is False
    with transaction(db.database_url) as s:
        req = s.get(PaymentRequest, rid)
        assert (req.status, req.opinion) == ("rejected", "发票抬头与收款单位不一致，请补正后重新申请")
    history = funds_detail.request_detail(db.database_url, actor(db, "demo-secretary"), rid)["history"]
    assert [h["action"] for h in history] == ["驳回", "提交"]  # newest first; never 修改
    assert "审批意见：发票抬头与收款单位不一致" in history[0]["changes"]
    assert "状态：待理事长审批 → 已驳回" in history[0]["changes"]


def test_approvals003_approvals_read_审批_in_the_history_and_keep_each_steps_opinion(db):
    rid = _request(db)
    url, key = db.database_url, db.audit_key
    funds.decide(url, key, actor(db, "demo-secretary"), rid, True, version(db, rid), "同意", today=TODAY)
    funds.decide(url, key, actor(db, "demo-supervisor"), rid, True, version(db, rid), today=TODAY)
    history = funds_detail.request_detail(url, actor(db, "demo-supervisor"), rid)["history"]
    assert [h["action"] for h in history] == ["审批", "审批", "提交"]
    assert "审批意见：同意" in history[1]["changes"] and "审批意见" not in history[0]["changes"]


def test_approvals004_a_double_submit_with_the_same_token_files_one_request(app, db):
    cashier = sign_in(app.server, "demo-village")
    bank = village_org(db, actor(db, "demo-village").scope.root)[1]
    purpose = f"双击测试{next(_seq)}"
    values = {("funds-kind", "value"): "payment", ("funds-bank", "value"): bank, ("funds-amount", "value"): "880.00",
              ("funds-account", "value"): 513, ("funds-purpose", "value"): purpose,
              ("funds-counterparty", "value"): "李娜", ("funds-id-type", "value"): "resident",
              ("funds-id", "value"): GOOD_ID, ("funds-date", "date"): TODAY.isoformat(),
              ("funds-submit", "n_clicks"): 1, ("funds-refresh", "data"): 0,
              ("funds-submit-token", "data"): "d0ub1ec1ick" + "0" * 21}
    first, second = (call(cashier, app, request_callbacks.submit, values) for _ in range(2))
    assert text(output(first, "funds-submit-result", "children")) == text(output(second, "funds-submit-result", "children"))
    assert "已提交申请" in text(output(first, "funds-submit-result", "children"))
    assert output(first, "funds-submit-token", "data") != values[("funds-submit-token", "data")]  # a new one for the next
    with transaction(db.database_url) as s:
        assert s.scalar(select(func.count()).select_from(PaymentRequest).where(PaymentRequest.purpose == purpose)) == 1
    # the data layer returns the first request for the token, whatever the replay carries
    with transaction(db.database_url) as s:
        first_id = s.scalar(select(PaymentRequest.id).where(PaymentRequest.purpose == purpose))
    again = funds.submit(db.database_url, db.audit_key, actor(db, "demo-village"), None, draft(bank, purpose="另一笔"),
                         TODAY, token=values[("funds-submit-token", "data")])
    assert again == first_id
    with transaction(db.database_url) as s:
        assert s.scalar(select(func.count()).select_from(PaymentRequest).where(PaymentRequest.purpose == "另一笔")) == 0
    # and the button is disabled while the request runs
    from server.callbacks import SPECS

    spec = next(sp for sp in SPECS if sp.fn is request_callbacks.submit)
    assert [(str(o), on, off) for o, on, off in spec.kwargs["running"]] == [("funds-submit.disabled", True, False)]


def test_approvals005_the_requester_withdraws_only_before_anyone_approved(app, db):
    url, key = db.database_url, db.audit_key
    cashier = sign_in(app.server, "demo-village")
    rid = _request(db)
    shown = next(r for r in output(call(cashier, app, request_callbacks.load, {("funds-refresh", "data"): 0}),
                                   "funds-grid", "rowData") if r["id"] == rid)
    assert shown["can_withdraw"] and not shown["can_decide"]
    with pytest.raises(PermissionDenied, match="撤回"):  # not the secretary's
        funds.withdraw(url, key, actor(db, "demo-secretary"), rid, version(db, rid))
    done = _decide(app, cashier, "withdraw", rid, version(db, rid))
    assert "已撤回" in text(output(done, "funds-action-result", "children"))
    history = funds_detail.request_detail(url, actor(db, "demo-village"), rid)["history"]
    assert history[0]["action"] == "撤回"
    approved = _request(db)
    funds.decide(url, key, actor(db, "demo-secretary"), approved, True, version(db, approved), today=TODAY)
    with pytest.raises(AccountError, match="已有审批记录，不能撤回"):
        funds.withdraw(url, key, actor(db, "demo-village"), approved, version(db, approved))
    with transaction(url) as s:
        assert s.get(PaymentRequest, approved).status == "secretary_approved"


def test_approvals006_every_role_that_files_an_account_request_has_someone_else_to_decide_it():
    """A property over the permission table: for every role that may file a request, every role it
    may request, the request's approver (Art. J10, domain.admin.accounts.approver_for) is a seat
    some role holding account.approve sits at, other than the requester's own seat — at the
    province, which has no level above, another provincial administrator (the same seat)."""
    village = 220122101001  # any real village code: the seats are its ancestors
    filers = roles_for(Action.ACCOUNT_REQUEST)
    deciders = roles_for(Action.ACCOUNT_APPROVE)
    assert filers and deciders
    checked = 0
    for filer in filers:
        seat = truncate(village, ROLES[filer].level)
        requester = Scope(root=seat, perms=role_perms(filer), user_id=1, role=filer)
        for target, role in ROLES.items():
            region = truncate(village, role.level)
            if not account_rules.within_remit(requester, ROLES[filer].level, target, region):
                continue
            level, approver = account_rules.approver_for(target, region, requester)
            others = [d for d in deciders
                      if account_rules.may_decide(Scope(root=truncate(village, ROLES[d].level), perms=role_perms(d),
                                                        user_id=2, role=d), 2, level, approver, 1)]
            elsewhere = [d for d in others if truncate(village, ROLES[d].level) != seat]
            assert elsewhere or (others and level == PROVINCE), (filer, target, level, approver)
            assert not account_rules.may_decide(requester, 1, level, approver, 1)  # never the requester
            checked += 1
    assert checked >= 10
    # the case of the issue: the county administrator's request for a village account goes to the city
    county = Scope(root=truncate(village, 3), perms=role_perms("county_admin"), user_id=1, role="county_admin")
    assert account_rules.approver_for("village_cashier", village, county) == (2, truncate(village, 2))
    assert account_rules.approver_for("village_cashier", village) == (3, truncate(village, 3))  # J10's unit


def test_approvals007_sharing_with_ones_own_city_is_refused_with_the_reason(db):
    from data.admin import sharing

    county = actor(db, "demo-county")
    city = truncate(county.scope.root, 2)
    errors = sharing_rules.request_problems(county.scope.root, city, "上报", TODAY + dt.timedelta(days=30), TODAY,
                                            lambda c: True)
    assert errors == {"grantee": "上级单位已可查看本辖区数据，无需共享"}
    with transaction(db.database_url) as s:
        before = s.scalar(select(func.count()).select_from(SharingApproval))
    with pytest.raises(AccountError) as refused:
        sharing.request_share(db.database_url, db.audit_key, db.province, county, city, "上报市级",
                              TODAY + dt.timedelta(days=30), TODAY)
    assert refused.value.errors == {"grantee": sharing_rules.PARENT_SEES}
    with transaction(db.database_url) as s:
        assert s.scalar(select(func.count()).select_from(SharingApproval)) == before


def test_approvals008_account_and_sharing_rejections_need_an_opinion_and_keep_it(db):
    from data.admin import accounts, sharing
    from data.models import AccountRequest

    url, key = db.database_url, db.audit_key
    county = actor(db, "demo-county")
    tree_township = _townships(db, county.scope.root)[0]
    draft_ = account_rules.AccountDraft(username=f"op.test{next(_seq)}", display_name="测试", role="township_accountant",
                                        region_code=tree_township, password="Agent#2026xyz")
    rid = accounts.submit_request(url, key, db.province, county, draft_)
    city = actor(db, "demo-city")
    with pytest.raises(AccountError) as blank:
        accounts.decide(url, key, city, rid, False, " ")
    assert blank.value.errors == {"opinion": "驳回须填写审批意见（驳回理由）"}
    assert accounts.decide(url, key, city, rid, False, "岗位未经乡镇党委研究") == "rejected"
    with transaction(url) as s:
        assert s.get(AccountRequest, rid).decision_comment == "岗位未经乡镇党委研究"
    other = _other_county(db, county.scope.root)
    sid = sharing.request_share(url, key, db.province, county, other, f"联合清查{next(_seq)}",
                                TODAY + dt.timedelta(days=30), TODAY)
    admin = actor(db, "demo-admin")
    with pytest.raises(AccountError):
        sharing.decide_share(url, key, admin, sid, False, None)
    assert sharing.decide_share(url, key, admin, sid, False, "用途不明确") == "rejected"
    with transaction(url) as s:
        row = s.get(SharingApproval, sid)
        assert (row.status, row.decision_comment, row.decided_by_id) == ("rejected", "用途不明确", admin.user_id)


def _townships(db, county: int) -> list[int]:
    from data.regions import load_region_tree

    return [int(c) for c in load_region_tree(db.province).children(county)["code"]]


def _other_county(db, county: int) -> int:
    from data.regions import load_region_tree

    tree = load_region_tree(db.province)
    city = truncate(county, 2)
    other_city = next(int(c) for c in tree.children(truncate(county, 1))["code"] if int(c) != city)
    return int(tree.children(other_city)["code"][0])
