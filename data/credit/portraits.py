"""The list behind /credit/portraits: whose portraits the viewer may open.

- a financial institution's user: the subjects with a live authorisation for the user's own
  institution (from the users table), with purpose and period; a search matches a name fragment
  or the full identifier (never a fragment of it: the masked digits cannot be probed) among them
  only;
- a forestry official: the subjects in their jurisdiction matching a name or identifier fragment.
Names and identifiers are masked as domain.privacy's credit table says for the viewer."""
from __future__ import annotations

from sqlalchemy import or_, select

from data.db import reading
from data.models import CreditAuthorisation, CreditSubject, User
from data.scoped import scoped
from domain import clock
from domain.credit import codes
from domain.permissions import Action, Actor, PermissionDenied, ensure, may
from domain.privacy import CreditField, CreditPurpose, credit_shown

LIMIT = 500
QUERY_LIMIT = 40


def _query(q) -> str:
    return (q or "").strip()[:QUERY_LIMIT] if isinstance(q, str) else ""


def _row(subj: CreditSubject, p: CreditPurpose, **extra) -> dict:
    return {"id": subj.id, "name": credit_shown(CreditField.NAME, subj.name, p, person=subj.kind in codes.NATURAL_KINDS),
            "identifier": credit_shown(CreditField.ID, subj.identifier, p, person=subj.id_type != "uscc"),
            "kind": codes.SUBJECT_KINDS.get(subj.kind, subj.kind), "grade": subj.grade or ("未评级" if subj.unrated else ""),
            "score": subj.score, **extra}


def openable(url: str, who: Actor, q=None) -> list[dict]:
    """The portraits `who` may open (see the module's docstring), at most LIMIT."""
    q = _query(q)
    today = clock.today()
    with reading(url) as s:
        if may(who, Action.CREDIT_PORTRAIT_AUTHORISED):
            user = s.get(User, who.user_id)
            institution = (user.institution or "").strip() if user else ""
            if not institution:
                raise PermissionDenied("您的账号未登记所属金融机构", Action.CREDIT_PORTRAIT_AUTHORISED)
            stmt = (select(CreditAuthorisation, CreditSubject)
                    .join(CreditSubject, CreditSubject.id == CreditAuthorisation.subject_id)
                    .where(CreditAuthorisation.institution == institution, CreditAuthorisation.revoked_at.is_(None),
                           CreditAuthorisation.valid_from <= today, CreditAuthorisation.valid_until >= today))
            if q:
                stmt = stmt.where(or_(CreditSubject.name.contains(q, autoescape=True), CreditSubject.identifier == q))
            rows = s.execute(stmt.order_by(CreditAuthorisation.valid_until, CreditAuthorisation.id).limit(LIMIT)).all()
            return [_row(subj, CreditPurpose(a.purpose), purpose=a.purpose, purpose_label=codes.PURPOSES[a.purpose],
                         valid_from=a.valid_from.isoformat(), valid_until=a.valid_until.isoformat(), authorisation_id=a.id)
                    for a, subj in rows]
        ensure(who, Action.CREDIT_PORTRAIT_VIEW)
        stmt = scoped(select(CreditSubject), CreditSubject, who)
        if q:
            stmt = stmt.where(or_(CreditSubject.name.contains(q, autoescape=True),
                                  CreditSubject.identifier.startswith(q, autoescape=True)))
        rows = s.scalars(stmt.order_by(CreditSubject.id).limit(LIMIT))
        return [_row(subj, CreditPurpose.SUPERVISION, purpose="", purpose_label="监管查询", valid_from="", valid_until="",
                     authorisation_id=None) for subj in rows]
