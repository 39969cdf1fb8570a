"""The members' portal (issue 14, item 9) through the real callbacks: a member lands on their own
portal and sees their membership, shares, yearly distributions, their organisation and its
published disclosures — and nothing else: every other page and callback refuses them, other
people's personal data is masked (张*, 110***********002X), forged ids read or write nothing."""
from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select

import callbacks.disclosure.board as board
import callbacks.portal.me as me
from data.db import transaction
from data.models import CollectiveOrg, Disclosure, DisclosureQuestion, Household, Member, User
from domain.admin import passwords
from domain.privacy import Field, Purpose, portal_id, portal_name, shown
from tests.support.app import PASSWORD
from tests.support.business import own_database
from tests.support.http import app_on, call, outputs, props, sign_in, text



@pytest.fixture(scope="module")
def settings(tmp_path_factory):
    s = own_database(tmp_path_factory, "portal")
    with transaction(s.database_url) as db:  # a member of another village with an account of their own
        mine = db.scalar(select(User).where(User.username == "demo-member"))
        other = db.scalar(select(Member).join(CollectiveOrg, CollectiveOrg.id == Member.org_id)
                          .where(CollectiveOrg.region_code != mine.region_code, ~Member.is_official).order_by(Member.id))
        org = db.get(CollectiveOrg, other.org_id)
        db.add(User(username="other-member", display_name="另一村成员", role="member", region_code=org.region_code,
                    member_id=other.id, password_hash=passwords.hash_password(PASSWORD)))
    return s


@pytest.fixture(scope="module")
def app(settings):
    return app_on(settings)


@pytest.fixture(scope="module")
def member(app):
    return sign_in(app.server, "demo-member")


def load(app, client) -> dict:
    return outputs(call(app, client, me.load, props(("portal-refresh", "data", 0))))


def me_and_org(settings, username="demo-member"):
    with transaction(settings.database_url) as s:
        u = s.scalar(select(User).where(User.username == username))
        m = s.get(Member, u.member_id)
        s.expunge(m)
        return m, s.get(CollectiveOrg, m.org_id).id


def test_portal001_masks_for_other_people():
    assert portal_name("张三") == "张*" and portal_name("欧阳明") == "欧**"
    assert portal_id("11010519900101002X") == "110***********002X"
    assert shown(Field.RESIDENT_ID, "11010519900101002X", Purpose.PORTAL) == "110***********002X"
    assert shown(Field.NAME, "张三", Purpose.PORTAL) == "张*"


def test_portal002_a_member_lands_on_the_portal_and_sees_only_it_and_the_account(app, member):
    assert member.get("/").headers.get("Location", "").endswith("/portal")
    layout = member.get("/_dash-layout").get_data(as_text=True)
    nav = [k for k in ("nav-portal", "nav-account", "nav-home", "nav-board", "nav-cockpit", "nav-warnings", "nav-funds")
           if k in layout]
    assert nav == ["nav-portal", "nav-account"]
    for path in ("/cockpit", "/disclosure", "/warnings", "/funds", "/meetings", "/admin/users"):
        assert member.get(path).status_code == 403, path
    assert member.get("/portal").status_code == 200


def test_portal003_shows_the_members_own_data(app, member, settings):
    mine, org_id = me_and_org(settings)
    out = load(app, member)
    facts = text(out["portal-me"]["children"])
    assert mine.name in facts and f"{mine.shares} 股" in facts
    assert portal_id(mine.id_number) in facts and mine.id_number not in json.dumps(out, ensure_ascii=False)
    # yearly distributions by shares, from the books (322 → 211 vouchers)
    dist = out["portal-dist-chart"]["figure"]["data"][0]
    assert dist["y"] and all(v > 0 for v in dist["y"]) and "元" in dist["hovertemplate"]
    with transaction(settings.database_url) as s:
        total = s.scalar(select(func.sum(Member.shares)).where(Member.org_id == org_id))
    assert f"{mine.shares} ÷ {total}" in out["portal-dist-note"]["children"]
    # the published disclosures of the member's organisation only, the correction marked
    with transaction(settings.database_url) as s:
        published = set(s.scalars(select(Disclosure.id).where(Disclosure.org_id == org_id,
                                                                Disclosure.state == "published")))
        drafts = set(s.scalars(select(Disclosure.id).where(Disclosure.org_id == org_id,
                                                             Disclosure.state != "published")))
    offered = {o["value"] for o in out["portal-ask-disclosure"]["options"]}
    assert offered == published and not offered & drafts
    listing = json.dumps(out["portal-disclosures"]["children"], ensure_ascii=False)
    assert "（已更正）" in listing and "本公开为第" in listing  # the corrected one and its correction, both shown
    chart = out["portal-quarter-chart"]["figure"]
    assert [t["name"] for t in chart["data"]] == ["收入", "支出"] and chart["layout"]["yaxis"]["title"]["text"] == "元"
    assert out["portal-spend-chart"]["figure"]["data"][0]["type"] == "pie"
    # the member's questions, answered and not
    asked = text(out["portal-questions"]["children"])
    assert "待答复" in asked and "答复（" in asked


def test_portal004_nobody_elses_personal_data_in_clear(app, member, settings):
    mine, org_id = me_and_org(settings)
    body = json.dumps(load(app, member), ensure_ascii=False)
    with transaction(settings.database_url) as s:
        others = s.execute(select(Member.name, Member.id_number).where(Member.org_id == org_id,
                                                                        Member.id != mine.id)).all()
        heads = s.execute(select(Household.head_name, Household.head_id_number)
                          .where(Household.org_id == org_id)).all()
    people = [(n, i) for n, i in [*others, *heads] if n != mine.name]
    assert people
    for name, number in people:
        assert name not in body, name
        if number:
            assert number not in body
    officials = [n for n, _ in others]
    assert any(portal_name(n) in body for n in officials)  # shown, masked


def test_portal005_a_member_cannot_read_or_write_anyone_elses_by_forging_ids(app, member, settings):
    other = sign_in(app.server, "other-member")
    mine, my_org = me_and_org(settings)
    theirs, their_org = me_and_org(settings, "other-member")
    assert my_org != their_org
    seen = load(app, other)
    assert mine.name not in json.dumps(seen, ensure_ascii=False) and theirs.name in text(seen["portal-me"]["children"])
    with transaction(settings.database_url) as s:
        foreign = s.scalar(select(Disclosure.id).where(Disclosure.org_id == their_org, Disclosure.state == "published"))
        draft = s.scalar(select(Disclosure.id).where(Disclosure.org_id == my_org, Disclosure.state == "draft"))
        before = s.scalar(select(func.count()).select_from(DisclosureQuestion))

    def ask(did, words="这笔钱是做什么的？"):
        return outputs(call(app, member, me.ask, props(("portal-ask", "n_clicks", 1)),
                            props(("portal-ask-disclosure", "value", did), ("portal-ask-text", "value", words),
                                  ("portal-refresh", "data", 0))))
    for did in (foreign, draft, 10**9):
        assert "不属于您所在的集体经济组织" in text(ask(did)["portal-ask-result"]["children"])
    with transaction(settings.database_url) as s:
        assert s.scalar(select(func.count()).select_from(DisclosureQuestion)) == before
    # the member's callbacks take no member id at all; every other page's callback refuses
    assert call(app, member, board.load, props(("disc-refresh", "data", 1), ("disc-state", "value", "all"))
                ).status_code == 403
    assert call(app, member, board.select, props(("disc-grid", "selectedRows", [{"id": foreign}]),
                                                 ("disc-refresh", "data", 0))).status_code == 403


def test_portal006_a_question_is_asked_answered_and_kept(app, member, settings):
    _, my_org = me_and_org(settings)
    with transaction(settings.database_url) as s:
        did = s.scalar(select(Disclosure.id).where(Disclosure.org_id == my_org, Disclosure.state == "published"))
    empty = outputs(call(app, member, me.ask, props(("portal-ask", "n_clicks", 1)),
                         props(("portal-ask-disclosure", "value", did), ("portal-ask-text", "value", "  "),
                               ("portal-refresh", "data", 0))))
    assert empty["portal-ask-text-error"]["children"] == "请填写问题"
    out = outputs(call(app, member, me.ask, props(("portal-ask", "n_clicks", 1)),
                       props(("portal-ask-disclosure", "value", did), ("portal-ask-text", "value", "村部维修花了多少？"),
                             ("portal-refresh", "data", 0))))
    assert "问题已提交" in text(out["portal-ask-result"]["children"])
    village = sign_in(app.server, "demo-village")
    listed = outputs(call(app, village, board.load, props(("disc-refresh", "data", 1), ("disc-state", "value", "all"))))
    q = next(r for r in listed["disc-q-grid"]["rowData"] if r["question"] == "村部维修花了多少？")
    assert q["state"] == "待答复"
    answered = outputs(call(app, village, board.answer, props(("disc-answer-submit", "n_clicks", 1)),
                            props(("disc-q-target", "data", {"id": q["id"], "version": q["version"]}),
                                  ("disc-answer", "value", "共计3,200元，明细见公开栏。"), ("disc-refresh", "data", 0))))
    assert "已答复" in text(answered["disc-answer-result"]["children"])
    again = outputs(call(app, village, board.answer, props(("disc-answer-submit", "n_clicks", 1)),
                         props(("disc-q-target", "data", {"id": q["id"], "version": q["version"]}),
                               ("disc-answer", "value", "改答复"), ("disc-refresh", "data", 0))))
    assert "已被他人答复" in text(again["disc-answer-result"]["children"])
    assert "共计3,200元" in text(load(app, member)["portal-questions"]["children"])
    # the member cannot answer
    assert call(app, member, board.answer, props(("disc-answer-submit", "n_clicks", 1)),
                props(("disc-q-target", "data", {"id": q["id"], "version": 2}), ("disc-answer", "value", "x"),
                      ("disc-refresh", "data", 0))).status_code == 403
