"""Authorisations (Art. X30, X61): a credit subject authorises a named financial institution to see
their portrait for a purpose and a period, revokes it at any time, and lists their own.

Only the subject themself acts: the subject is the one the signed-in account speaks for
(`users.credit_subject_id`), never an id the browser sends. The institutions one may name are
those known to the platform: the `institution` of accounts whose role may read authorised
portraits (asked of the access table, `roles_for`). Every write is one audited transaction."""
from __future__ import annotations

from sqlalchemy import select

from data.admin.audit_log import log_change
from data.db import reading, transaction
from data.errors import AccountError, StaleEdit
from data.models import CreditAuthorisation, CreditSubject, User, utcnow
from domain import clock
from domain.credit import authorisation as rules
from domain.credit.codes import PURPOSES
from domain.labels import time_text
from domain.permissions import Action, Actor, PermissionDenied, ensure, roles_for

NOT_LINKED = "您的账号未关联信用主体，请联系县级林业主管部门"
AUTHORISATION = "该授权"


def own_subject(s, who: Actor, action: Action = Action.CREDIT_SELF_VIEW) -> CreditSubject:
    """The credit subject the signed-in account speaks for (refused when none)."""
    user = s.get(User, who.user_id)
    subject = s.get(CreditSubject, user.credit_subject_id) if user is not None and user.credit_subject_id else None
    if subject is None:
        raise PermissionDenied(NOT_LINKED, action)
    return subject


def institutions(s) -> list[str]:
    """The financial institutions known to the platform (their accounts' `institution`)."""
    roles = roles_for(Action.CREDIT_PORTRAIT_AUTHORISED)
    return sorted(i for i in s.scalars(select(User.institution).where(User.role.in_(roles), User.is_active,
                                                                     User.institution.is_not(None)).distinct()) if i)


def known_institutions(url: str) -> list[str]:
    with reading(url) as s:
        return institutions(s)


def _row(a: CreditAuthorisation, today) -> dict:
    return {"id": a.id, "institution": a.institution, "purpose": a.purpose, "purpose_label": PURPOSES.get(a.purpose, a.purpose),
            "valid_from": a.valid_from.isoformat(), "valid_until": a.valid_until.isoformat(),
            "granted_at": time_text(a.granted_at), "revoked_at": time_text(a.revoked_at) if a.revoked_at else "",
            "state": rules.state(a.valid_from, a.valid_until, a.revoked_at, today),
            "live": rules.is_live(a.valid_from, a.valid_until, a.revoked_at, today)}


def subject_authorisations(s, subject_id: int) -> list[dict]:
    """A subject's authorisations, newest first (for their own portrait)."""
    today = clock.today()
    rows = s.scalars(select(CreditAuthorisation).where(CreditAuthorisation.subject_id == subject_id)
                     .order_by(CreditAuthorisation.id.desc()).limit(200))
    return [_row(a, today) for a in rows]


def mine(url: str, who: Actor) -> list[dict]:
    """The signed-in subject's own authorisations."""
    ensure(who, Action.CREDIT_SELF_VIEW)
    with reading(url) as s:
        return subject_authorisations(s, own_subject(s, who).id)


def grant(url: str, key: str, who: Actor, institution, purpose, valid_from, valid_until) -> int:
    """The signed-in subject authorises `institution` for `purpose` from `valid_from` through
    `valid_until` (ISO dates or dates). Returns the authorisation's id; bad input changes nothing."""
    ensure(who, Action.CREDIT_AUTHORISE)
    with transaction(url, who) as s:
        subject = own_subject(s, who, Action.CREDIT_AUTHORISE)
        errors, draft = rules.draft_problems({"institution": institution, "purpose": purpose, "valid_from": valid_from,
                                              "valid_until": valid_until}, institutions(s), clock.today())
        if errors:
            raise AccountError(errors)
        a = CreditAuthorisation(subject_id=subject.id, region_code=subject.region_code, institution=draft.institution,
                                purpose=draft.purpose, valid_from=draft.valid_from, valid_until=draft.valid_until,
                                granted_by_id=who.user_id, granted_at=utcnow())
        s.add(a)
        s.flush()
        log_change(s, key, who, subject.region_code,
                   f"信用主体 #{subject.id} 授权{draft.institution}查询信用画像（{PURPOSES[draft.purpose]}，"
                   f"{draft.valid_from}至{draft.valid_until}）", authorisation_id=a.id, subject_id=subject.id)
        return a.id


def revoke(url: str, key: str, who: Actor, authorisation_id) -> None:
    """The signed-in subject revokes one of their own authorisations (at once; a revoked or
    another subject's authorisation is refused)."""
    ensure(who, Action.CREDIT_AUTHORISE)
    with transaction(url, who) as s:
        subject = own_subject(s, who, Action.CREDIT_AUTHORISE)
        try:
            a = s.get(CreditAuthorisation, int(authorisation_id))
        except (TypeError, ValueError):
            a = None
        if a is None or a.subject_id != subject.id:
            raise PermissionDenied(f"{AUTHORISATION}不是您本人的授权", Action.CREDIT_AUTHORISE)
        if a.revoked_at is not None:
            raise AccountError({"authorisation": "该授权已撤销"})
        a.revoked_at, a.revoked_by_id = utcnow(), who.user_id
        s.flush()
        log_change(s, key, who, subject.region_code, f"信用主体 #{subject.id} 撤销对{a.institution}的授权 #{a.id}",
                   authorisation_id=a.id, subject_id=subject.id)


STATEMENT_LIMIT = 500


def save_statement(url: str, key: str, who: Actor, text, version=None) -> int:
    """The signed-in subject's own statement (本人声明) on their portrait; empty clears it. Written
    under CREDIT_AUTHORISE (the subject's own writes about their portrait). Returns the new version."""
    ensure(who, Action.CREDIT_AUTHORISE)
    body = (text or "").strip() if isinstance(text, str | None) else None
    if body is None or len(body) > STATEMENT_LIMIT:
        raise AccountError({"statement": f"本人声明不超过{STATEMENT_LIMIT}字"})
    with transaction(url, who) as s:
        subject = own_subject(s, who, Action.CREDIT_AUTHORISE)
        if version is not None and subject.version != int(version):
            raise StaleEdit("信用主体信息已被修改，请刷新后再操作")
        subject.statement, subject.statement_at = body or None, utcnow() if body else None
        s.flush()
        log_change(s, key, who, subject.region_code, f"信用主体 #{subject.id} {'填写' if body else '清除'}本人声明",
                   subject_id=subject.id)
        return subject.version
