"""Authorisations and the credit portrait (issue 15, items 5–6) through the callback endpoint and
the data functions: a bank without a live authorisation for its own institution gets nothing of
the subject (not even the name); with one it sees the portrait masked as domain.privacy says;
after revocation or expiry nothing; another bank never; forging the subject id or the purpose
reaches nothing; each view lands in the subject's access record (refusals only in the security
log); officials see the portrait within their jurisdiction only."""
from __future__ import annotations

import datetime as dt
import json

import pytest
from sqlalchemy import func, select

import callbacks.credit_portrait.me as me_cb
import callbacks.credit_portrait.portrait as portrait_cb
import callbacks.credit_portrait.portraits as list_cb
from data.credit import authorisations, portrait as portraits
from data.credit.portraits import openable
from data.db import transaction
from data.errors import AccountError
from data.models import AuditLog, CreditPortraitView
from domain.identifiers import mask_resident_id
from domain.permissions import OutOfScope, PermissionDenied
from domain.privacy import CreditPurpose, credit_amount, credit_location, credit_shown, mask_address
from tests.support.app import TODAY
from tests.support.business import own_database
from tests.support.credit import authorise
from tests.support.credit_portrait import ADDRESS, BANK, NAME, OTHER_BANK, PHONE, portrait_world
from tests.support.http import app_on, call, output, props, sign_in


NOW = [dt.datetime.combine(TODAY, dt.time(4), dt.UTC)]  # noon in China on TODAY


def at(day: dt.date) -> None:
    NOW[0] = dt.datetime.combine(day, dt.time(4), dt.UTC)


@pytest.fixture(scope="module")
def settings(tmp_path_factory):
    return own_database(tmp_path_factory, "credit_portrait")


@pytest.fixture(scope="module")
def world(settings):
    return portrait_world(settings)


@pytest.fixture(scope="module")
def app(settings, world):
    a = app_on(settings)
    a.server.config["NOW"] = lambda: NOW[0]
    return a


@pytest.fixture(scope="module")
def clients(app):
    return {u: sign_in(app.server, u) for u in ("demo-bank", "other-bank", "credit-me", "county-forest", "far-forest")}


def open_portrait(app, client, subject, purpose=None) -> tuple[str, object]:
    search = f"?subject={subject}" + (f"&purpose={purpose}" if purpose else "")
    resp = call(app, client, portrait_cb.load, props(("url", "search", search)), props(("url", "pathname", "/credit/portrait")))
    assert resp.status_code == 200, resp.get_data(as_text=True)[:300]
    return resp.get_data(as_text=True), output(resp, "credit-portrait-body", "children")


def body_json(body: str) -> str:
    return json.dumps(json.loads(body), ensure_ascii=False)


def views(settings, sid) -> list[CreditPortraitView]:
    with transaction(settings.database_url) as s:
        rows = list(s.scalars(select(CreditPortraitView).where(CreditPortraitView.subject_id == sid)
                              .order_by(CreditPortraitView.id)))
        s.expunge_all()
        return rows


def live_aid(settings, world) -> int:
    """The bank's mortgage-loan authorisation of the subject (made by test 003, or here when this
    test runs alone)."""
    if "aid" not in world:
        world["aid"] = authorise(settings, world["sid"], BANK, purpose="mortgage_loan", valid_from=TODAY,
                                 valid_until=TODAY + dt.timedelta(days=30))
    return world["aid"]


def assert_nothing(body: str, world) -> None:
    text = body_json(body)
    for secret in (NAME, world["ident"], world["ident"][-4:] + "\"", PHONE[-4:], "违规采伐", "林权抵押贷款", "125.18"):
        assert secret not in text, secret
    assert "未获得该信用主体对本机构的有效授权" in text


# ---------------------------------------------------------------- masking rules (domain)


def test_credit_portrait001_the_masking_table():
    ident = "220122197506010072"
    bank = CreditPurpose.BANK_MORTGAGE
    assert credit_shown("name", NAME, bank) == NAME
    assert credit_shown("id", ident, bank) == "220122********0072" == mask_resident_id(ident)
    assert credit_shown("phone", PHONE, bank) == "139****5678"
    assert credit_shown("address", ADDRESS, bank) == "吉林省长春市****" == mask_address(ADDRESS)
    assert credit_shown("party", "王大山", bank) == "王*山"
    assert credit_shown("party", "农安县农村信用合作联社", bank) == "农安县农村信用合作联社"
    assert credit_shown("id", "91220122MA0000001X", bank, person=False) == "91220122MA0000001X"
    for p in (CreditPurpose.SELF, CreditPurpose.SUPERVISION):
        assert credit_shown("id", ident, p) == ident and credit_shown("phone", PHONE, p) == PHONE
    assert credit_amount(12_345_600, bank) == {"fen": 12_345_600, "text": "123,456.00 元"}
    assert credit_amount(12_345_600, CreditPurpose.BANK_INSURANCE) == {"fen": None, "text": "约 12 万元"}
    assert credit_location(125.18432, 44.43217, [[1, 2]], bank)["exact"] is True
    coarse = credit_location(125.18432, 44.43217, [[1, 2]], CreditPurpose.BANK_CREDIT)
    assert coarse == {"lon": 125.18, "lat": 44.43, "polygon": None, "exact": False}
    assert credit_shown("location", "220122001002JE00001L00000001", CreditPurpose.BANK_CREDIT) == "220122001002" + "*" * 16


# ---------------------------------------------------------------- the bank


def test_credit_portrait002_a_bank_without_an_authorisation_gets_nothing(app, clients, world, settings):
    before = len(views(settings, world["sid"]))
    body, _ = open_portrait(app, clients["demo-bank"], world["sid"])
    assert_nothing(body, world)
    body, _ = open_portrait(app, clients["demo-bank"], world["sid"] + 10_000)  # no such subject: the same answer
    assert "未获得该信用主体对本机构的有效授权" in body_json(body)
    assert len(views(settings, world["sid"])) == before
    with pytest.raises(PermissionDenied):
        portraits.portrait(settings.database_url, world["bank"], world["sid"])


def test_credit_portrait003_with_an_authorisation_the_bank_sees_the_portrait_masked(app, clients, world, settings):
    aid = authorise(settings, world["sid"], BANK, purpose="mortgage_loan", valid_from=TODAY,
                    valid_until=TODAY + dt.timedelta(days=30))
    world["aid"] = aid
    body, tree = open_portrait(app, clients["demo-bank"], world["sid"])
    text = body_json(body)
    assert NAME in text and "220122********" in text and world["ident"] not in text
    assert "139****5678" in text and PHONE not in text and "吉林省长春市****" in text and ADDRESS not in text
    assert "违规采伐林木行政处罚" in text and "2027-05-31（公示中）" in text
    assert "过期的轻微处罚" not in text  # out of publicity: not for a bank
    assert "林权抵押贷款" in text and "123,456.00 元" in text and "（不予开放）" in text and "贷款合同详情" not in text
    assert "王*山" in text and "王大山" not in text
    assert "125.18432" in text  # mortgage loan: the collateral's exact location
    assert "查询人：合作金融机构（演示）（合作金融机构）" in text
    p = portraits.portrait(settings.database_url, world["bank"], world["sid"])
    assert p["identity"]["identifier"] == mask_resident_id(world["ident"]) and p["identity"]["phone"] == "139****5678"
    assert p["basis"] == {"purpose": "mortgage_loan", "purpose_label": "林权抵押贷款", "institution": BANK,
                          "authorisation_id": aid, "valid_until": (TODAY + dt.timedelta(days=30)).isoformat(), "bank": True}
    assert [r["title"] for r in p["dishonest"]] == ["违规采伐林木行政处罚"]
    assert p["loans"][0]["document_no"] == "（不予开放）" and p["loans"][0]["overdue"] == 1
    assert [f["points"] for f in p["score"]["factors"]] == [600, 142] and "record_ids" not in p["score"]["factors"][0]
    assert [t["score"] for t in p["trend"]] == [700, 725, 742]
    assert p["rights"][0]["encumbrances"][0]["kind"] == "抵押" and "authorisations" not in p and "access" not in p


def test_credit_portrait004_forged_purpose_or_subject_reaches_nothing(app, clients, world, settings):
    live_aid(settings, world)
    body, _ = open_portrait(app, clients["demo-bank"], world["sid"], "credit_loan")  # not the authorised purpose
    assert_nothing(body, world)
    body, _ = open_portrait(app, clients["demo-bank"], world["sid"], "supervision")
    assert_nothing(body, world)
    body, _ = open_portrait(app, clients["demo-bank"], world["other_sid"])  # another subject: no authorisation
    assert "李木森" not in body_json(body) and "未获得" in body_json(body)
    body, _ = open_portrait(app, clients["demo-bank"], "1 OR 1=1")
    assert "未获得" in body_json(body)
    body, _ = open_portrait(app, clients["demo-bank"], world["sid"], "mortgage_loan")  # the right purpose: shown
    assert NAME in body_json(body)


def test_credit_portrait005_another_bank_never(app, clients, world, settings):
    body, _ = open_portrait(app, clients["other-bank"], world["sid"])
    assert_nothing(body, world)
    rows = output(call(app, clients["other-bank"], list_cb.load, props(("credit-list-search", "n_clicks", 1),
                                                                        ("credit-list-refresh", "data", 0)),
                       props(("credit-list-q", "value", None))), "credit-list-grid", "rowData")
    assert rows == []


def test_credit_portrait006_the_bank_list_holds_only_authorising_subjects(app, clients, world, settings):
    live_aid(settings, world)
    resp = call(app, clients["demo-bank"], list_cb.load, props(("credit-list-search", "n_clicks", 1),
                                                               ("credit-list-refresh", "data", 0)),
                props(("credit-list-q", "value", "林生")))
    rows = output(resp, "credit-list-grid", "rowData")
    assert [r["id"] for r in rows] == [world["sid"]]
    assert rows[0]["identifier"] == mask_resident_id(world["ident"]) and rows[0]["purpose_label"] == "林权抵押贷款"
    assert f"subject={world['sid']}&purpose=mortgage_loan" in rows[0]["link"]
    # a fragment of the ID finds nothing (the masked digits cannot be probed); the full ID does
    assert openable(settings.database_url, world["bank"], world["ident"][6:14]) == []
    assert [r["id"] for r in openable(settings.database_url, world["bank"], world["ident"])] == [world["sid"]]
    assert openable(settings.database_url, world["bank"], "李木森") == []


def test_credit_portrait007_each_view_is_in_the_subjects_access_record(app, clients, world, settings):
    live_aid(settings, world)
    before = views(settings, world["sid"])
    open_portrait(app, clients["demo-bank"], world["sid"])
    open_portrait(app, clients["other-bank"], world["sid"])  # refused: not in the access record
    after = views(settings, world["sid"])
    assert len(after) == len(before) + 1
    v = after[-1]
    assert (v.institution, v.purpose, v.authorisation_id, v.kind) == (BANK, "mortgage_loan", world["aid"], "screen")
    with transaction(settings.database_url) as s:
        denied = s.scalar(select(func.count()).select_from(AuditLog).where(AuditLog.type == "permission_denied",
                                                                          AuditLog.actor == "other-bank"))
        seen = s.scalar(select(func.count()).select_from(AuditLog).where(AuditLog.actor == "demo-bank",
                                                                        AuditLog.description.contains("信用画像")))
    assert denied >= 1 and seen >= 1
    resp = call(app, clients["credit-me"], me_cb.load, props(("credit-me-refresh", "data", 0)))
    access = json.dumps(output(resp, "credit-access-body", "children"), ensure_ascii=False)
    assert BANK in access and "合作金融机构（演示）" in access and "林权抵押贷款" in access and OTHER_BANK not in access
    p = portraits.portrait(settings.database_url, world["me"], world["sid"])
    row = next(a for a in p["access"] if a["institution"] == BANK)
    assert row["purpose"] == "林权抵押贷款" and row["viewer"] == "合作金融机构（演示）" and row["viewed_at"]


def test_credit_portrait008_print_is_logged_as_a_print_view(app, clients, world, settings):
    live_aid(settings, world)
    resp = call(app, clients["demo-bank"], portrait_cb.print_view, props(("credit-print", "n_clicks", 1)),
                props(("url", "search", f"?subject={world['sid']}")))
    assert output(resp, "credit-print-go", "data")["view_id"]
    assert views(settings, world["sid"])[-1].kind == "print"


def test_credit_portrait009_after_revocation_nothing(app, clients, world, settings):
    live_aid(settings, world)
    open_portrait(app, clients["demo-bank"], world["sid"])
    with pytest.raises(PermissionDenied):  # another subject's account cannot revoke it
        authorisations.revoke(settings.database_url, settings.audit_key, world["official"], world["aid"])
    authorisations.revoke(settings.database_url, settings.audit_key, world["me"], world["aid"])
    body, _ = open_portrait(app, clients["demo-bank"], world["sid"])
    assert_nothing(body, world)
    with pytest.raises(AccountError):
        authorisations.revoke(settings.database_url, settings.audit_key, world["me"], world["aid"])


def test_credit_portrait010_valid_on_its_last_day_not_the_day_after(app, clients, world, settings):
    last = TODAY + dt.timedelta(days=10)
    authorise(settings, world["sid"], BANK, purpose="credit_loan", valid_from=TODAY, valid_until=last)
    try:  # a fresh sign-in at each moved day (a session idle for days has ended)
        at(last)
        body, _ = open_portrait(app, sign_in(app.server, "demo-bank"), world["sid"])
        text = body_json(body)
        assert NAME in text and "125.18432" not in text and "125.18" in text  # credit loan: location coarse
        at(last + dt.timedelta(days=1))
        body, _ = open_portrait(app, sign_in(app.server, "demo-bank"), world["sid"])
        assert_nothing(body, world)
        at(TODAY - dt.timedelta(days=1))  # before it starts
        body, _ = open_portrait(app, sign_in(app.server, "demo-bank"), world["sid"])
        assert_nothing(body, world)
    finally:
        at(TODAY)


# ---------------------------------------------------------------- the subject


def test_credit_portrait011_the_subject_grants_revokes_and_states(app, clients, world, settings):
    c = clients["credit-me"]
    grant = lambda inst, purpose, start, end: call(app, c, me_cb.grant, props(("credit-grant", "n_clicks", 1)), props(
        ("credit-grant-institution", "value", inst), ("credit-grant-purpose", "value", purpose),
        ("credit-grant-from", "date", start), ("credit-grant-until", "date", end), ("credit-me-refresh", "data", 0)))
    t = TODAY.isoformat()
    resp = grant("不存在的银行", "mortgage_loan", t, (TODAY + dt.timedelta(days=5)).isoformat())
    assert "不是本平台登记的金融机构" in output(resp, "credit-grant-institution-error", "children")
    resp = grant(BANK, "loan", t, t)
    assert "不是可选的选项" in output(resp, "credit-grant-purpose-error", "children")  # the input layer refuses it
    with pytest.raises(AccountError) as exc:  # and so does the data function
        authorisations.grant(settings.database_url, settings.audit_key, world["me"], BANK, "loan", TODAY, TODAY)
    assert "授权用途" in exc.value.errors["purpose"]
    resp = grant(BANK, "insurance", (TODAY - dt.timedelta(days=1)).isoformat(), t)
    assert "不能早于今天" in output(resp, "credit-grant-from-error", "children")
    resp = grant(BANK, "insurance", t, (TODAY + dt.timedelta(days=4 * 365)).isoformat())
    assert "不能超过3年" in output(resp, "credit-grant-until-error", "children")
    resp = grant(BANK, "insurance", t, (TODAY - dt.timedelta(days=1)).isoformat())
    assert "不能早于起始日期" in output(resp, "credit-grant-until-error", "children")
    resp = grant(OTHER_BANK, "insurance", t, (TODAY + dt.timedelta(days=90)).isoformat())
    assert output(resp, "credit-me-refresh", "data") == 1
    body, _ = open_portrait(app, clients["other-bank"], world["sid"])
    text = body_json(body)
    assert NAME in text and "约 12 万元" in text and "123,456.00" not in text  # insurance: amounts rounded
    assert "查询人：另一银行信贷员（另一农商银行）" in text
    mine = authorisations.mine(settings.database_url, world["me"])
    assert mine[0]["institution"] == OTHER_BANK and mine[0]["state"] == "有效"
    resp = call(app, c, me_cb.revoke, props(("credit-revoke", "n_clicks", 1)),
                props(("credit-auth-grid", "selectedRows", [{"id": mine[0]["id"]}]), ("credit-me-refresh", "data", 1)))
    assert "已撤销" in json.dumps(output(resp, "credit-grant-result", "children"), ensure_ascii=False)
    assert_nothing(open_portrait(app, clients["other-bank"], world["sid"])[0], world)
    resp = call(app, c, me_cb.save_statement, props(("credit-statement-save", "n_clicks", 1)),
                props(("credit-statement-text", "value", "新的本人声明"), ("credit-me-version", "data", None),
                      ("credit-me-refresh", "data", 2)))
    assert output(resp, "credit-me-refresh", "data") == 3
    resp = call(app, c, me_cb.load, props(("credit-me-refresh", "data", 3)))
    assert "新的本人声明" in json.dumps(output(resp, "credit-me-body", "children"), ensure_ascii=False)
    assert output(resp, "credit-statement-text", "value") == "新的本人声明"


def test_credit_portrait012_the_subject_sees_all_their_own_and_nothing_else(app, clients, world, settings):
    p = portraits.portrait(settings.database_url, world["me"], world["sid"])
    assert p["identity"]["identifier"] == world["ident"] and p["identity"]["phone"] == PHONE
    assert {r["title"] for r in p["dishonest"]} == {"违规采伐林木行政处罚", "过期的轻微处罚"}
    assert p["loans"][0]["content"] == "贷款合同详情" and p["rights"][0]["location"]["polygon"]
    assert p["authorisations"] and p["basis"]["purpose"] == "self"
    body, _ = open_portrait(app, clients["credit-me"], world["other_sid"])  # a forged id: refused
    assert "李木森" not in body_json(body) and "只能查看本人的信用画像" in body_json(body)
    with pytest.raises(PermissionDenied):
        authorisations.grant(settings.database_url, settings.audit_key, world["bank"], BANK, "insurance", TODAY, TODAY)


# ---------------------------------------------------------------- officials


def test_credit_portrait013_officials_in_scope_see_it_in_clear_others_are_refused(app, clients, world, settings):
    body, _ = open_portrait(app, clients["county-forest"], world["sid"])
    text = body_json(body)
    assert world["ident"] in text and PHONE in text and "过期的轻微处罚" in text and "监管查询" in text
    assert views(settings, world["sid"])[-1].purpose == "supervision"
    body, _ = open_portrait(app, clients["far-forest"], world["sid"])
    assert NAME not in body_json(body) and "不在您的管辖范围内" in body_json(body)
    with pytest.raises(OutOfScope):
        portraits.portrait(settings.database_url, world["far"], world["sid"])
    rows = output(call(app, clients["county-forest"], list_cb.load, props(("credit-list-search", "n_clicks", 1),
                                                                           ("credit-list-refresh", "data", 0)),
                       props(("credit-list-q", "value", "张林"))), "credit-list-grid", "rowData")
    assert world["sid"] in [r["id"] for r in rows] and rows[0]["identifier"] == world["ident"]
    assert openable(settings.database_url, world["far"], "张林") == []


def test_credit_portrait014_pages_open_for_their_viewers_only(app, clients, world):
    assert clients["demo-bank"].get("/credit/portraits").status_code == 200
    assert clients["demo-bank"].get("/credit/me").status_code == 403
    assert clients["credit-me"].get("/credit/me").status_code == 200
    assert clients["credit-me"].get("/credit/portraits").status_code == 403
    assert clients["county-forest"].get("/credit/portrait").status_code == 200
