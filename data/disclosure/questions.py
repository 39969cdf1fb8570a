"""Members' questions about a published disclosure and the village's answers. A member asks only
about a published disclosure of their own organisation; the village (business handling at the
village) answers once. The asker and the village see the question and its answer; other members
do not (a question may carry the asker's own affairs; an answer of general interest goes into the
next disclosure's notes, where everyone reads it)."""
from __future__ import annotations

from sqlalchemy import select

from data.admin.audit_log import log_change
from data.db import reading, transaction
from data.errors import AccountError
from data.models import Disclosure, DisclosureQuestion, Member, User, utcnow
from data.scoped import load_for_write, scoped
from domain import disclosure as rules
from domain.labels import time_text
from domain.permissions import Action, Actor, OutOfScope, PermissionDenied, ensure
from domain.privacy import Field, portal_self

QUESTION = "该提问"
NOT_YOURS = "该财务公开不属于您所在的集体经济组织"


def member_of(s, actor: Actor) -> Member:
    """The member row the signed-in member's account is linked to (refused when none)."""
    user = s.get(User, actor.user_id)
    member = s.get(Member, user.member_id) if user is not None and user.member_id else None
    if member is None:
        raise PermissionDenied("您的账号未关联集体经济组织成员信息，请联系本村报账员", Action.PORTAL_VIEW)
    return member


def ask(url: str, key: str, actor: Actor, disclosure_id, text) -> int:
    """A member's question about a published disclosure of their own organisation."""
    ensure(actor, Action.PORTAL_ASK)
    errors, question = rules.question_problems(text)
    with transaction(url, actor) as s:
        member = member_of(s, actor)
        try:
            d = s.get(Disclosure, int(disclosure_id))
        except (TypeError, ValueError):
            d = None
        if d is None or d.org_id != member.org_id or d.state != "published":
            raise OutOfScope(NOT_YOURS, Action.PORTAL_ASK)
        ensure(actor, Action.PORTAL_ASK, d, noun="该财务公开")
        if errors:
            raise AccountError(errors)
        q = DisclosureQuestion(disclosure_id=d.id, org_id=d.org_id, region_code=d.region_code, member_id=member.id,
                               asked_by_id=actor.user_id, question=question, asked_at=utcnow(),
                               collected_by_id=actor.user_id, provided_by=actor.username, responsible_by="本人")
        s.add(q)
        s.flush()
        log_change(s, key, actor, d.region_code, f"成员就财务公开 #{d.id} 提问 #{q.id}", question_id=q.id,
                   disclosure_id=d.id)
        return q.id


def answer(url: str, key: str, actor: Actor, question_id, version: int, text) -> int:
    """The village's answer to a member's question (once; a changed question is refused as stale)."""
    ensure(actor, Action.DISCLOSURE_ANSWER)
    errors, reply = rules.answer_problems(text)
    with transaction(url, actor) as s:
        q = load_for_write(s, DisclosureQuestion, question_id, actor, version, noun=QUESTION,
                           action=Action.DISCLOSURE_ANSWER, stale="该提问已被他人答复或修改，请刷新后再操作")
        if q.answer is not None:
            raise AccountError({"answer": "该提问已答复"})
        if errors:
            raise AccountError(errors)
        q.answer, q.answered_by_id, q.answered_at = reply, actor.user_id, utcnow()
        s.flush()
        log_change(s, key, actor, q.region_code, f"答复成员提问 #{q.id}（财务公开 #{q.disclosure_id}）",
                   question_id=q.id, disclosure_id=q.disclosure_id)
        return q.version


def _rows(s, q_rows, *, asker_names: bool) -> list[dict]:
    people = dict(s.execute(select(User.id, User.display_name).where(
        User.id.in_({r.answered_by_id for r in q_rows if r.answered_by_id}))).all()) if q_rows else {}
    members = dict(s.execute(select(Member.id, Member.name).where(
        Member.id.in_({r.member_id for r in q_rows}))).all()) if q_rows and asker_names else {}
    return [{"id": r.id, "version": r.version, "disclosure_id": r.disclosure_id, "question": r.question,
             "asked_at": time_text(r.asked_at), "answer": r.answer or "", "answered": r.answer is not None,
             "answered_by": people.get(r.answered_by_id, ""), "answered_at": time_text(r.answered_at),
             "asker": portal_self(Field.NAME, members.get(r.member_id)) if asker_names else "",
             "state": "已答复" if r.answer is not None else "待答复"} for r in q_rows]


def village_questions(url: str, actor: Actor, only_open: bool = False, limit: int = 300) -> list[dict]:
    """The questions of the jurisdiction for the village's answer (the asker's name: the village
    knows its members, and must be able to answer them)."""
    ensure(actor, Action.DISCLOSURE_VIEW)
    with reading(url) as s:
        q = scoped(select(DisclosureQuestion), DisclosureQuestion, actor)
        if only_open:
            q = q.where(DisclosureQuestion.answer.is_(None))
        rows = list(s.scalars(q.order_by(DisclosureQuestion.answer.is_not(None), DisclosureQuestion.id.desc())
                              .limit(limit)))
        return _rows(s, rows, asker_names=True)


def my_questions(s, member: Member, actor: Actor) -> list[dict]:
    """The member's own questions (in the portal's session)."""
    rows = list(s.scalars(select(DisclosureQuestion).where(DisclosureQuestion.member_id == member.id,
                                                           DisclosureQuestion.asked_by_id == actor.user_id)
                          .order_by(DisclosureQuestion.id.desc())))
    return _rows(s, rows, asker_names=False)


def question_detail(url: str, actor: Actor, question_id) -> dict:
    with reading(url) as s:
        q = load_for_write(s, DisclosureQuestion, question_id, actor, noun=QUESTION)
        return _rows(s, [q], asker_names=True)[0]
