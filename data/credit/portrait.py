"""THE one read of a credit portrait (Art. X30, X61): `portrait(url, who, subject_id, purpose)`
decides the viewer's basis itself, reads the subject's data with a handful of indexed queries by
subject id, masks it for that basis in one place (domain.privacy's credit table) and appends the
view to the subject's access record (查询记录) in the same transaction.

The basis, decided here and nowhere else (the page only passes the subject id from its URL):
- a financial institution's user (may CREDIT_PORTRAIT_AUTHORISED): only under a live
  authorisation of that subject for the user's own institution (from the users table, never from
  the browser) and, when given, for that purpose; otherwise refused — and nothing of the subject
  is returned, not even whether it exists;
- the subject themself (the account's `credit_subject_id`);
- a forestry official (CREDIT_PORTRAIT_VIEW) within their jurisdiction.

A bank sees the public credit data still published (a dishonest record within its publicity
period; nothing repaired, corrected or withdrawn) and, of a record not opened (open class
`none`), its kind, date, status and amount but not its content, document number or counterparty;
the subject and officials see every record."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select

from data.admin.audit_log import log_change
from data.credit.authorisations import subject_authorisations
from data.db import transaction
from data.models import (CreditAuthorisation, CreditPortraitView, CreditRecord, CreditRepayment, CreditScore,
                         CreditSubject, ForestEncumbrance, ForestRight, User)
from domain import clock
from domain.credit import codes
from domain.credit.publicity import in_publicity
from domain.labels import time_text
from domain.permissions import Action, Actor, OutOfScope, PermissionDenied, ensure, may
from domain.privacy import (WITHHELD, CreditField, CreditPurpose, credit_amount, credit_location, credit_shown,
                            is_bank_purpose)

NO_AUTHORISATION = "未获得该信用主体对本机构的有效授权，不能查看其信用画像"
NOT_OWN = "只能查看本人的信用画像"
SUBJECT = "该信用主体"
KINDS = ("screen", "print")
PURPOSE_LABELS = {**codes.PURPOSES, "self": "本人查询", "supervision": "监管查询"}
TREND_POINTS = 60
ACCESS_ROWS = 200


@dataclass(frozen=True)
class Basis:
    """Why the viewer may see the portrait: the masking purpose, the institution (banks) and the
    authorisation it rests on."""

    purpose: CreditPurpose
    institution: str | None = None
    authorisation_id: int | None = None
    valid_until: dt.date | None = None


def _as_id(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def live_authorisation(s, subject_id: int, institution: str, purpose: str | None, today: dt.date):
    """The live authorisation of `subject_id` for `institution` (and `purpose`, when given) on
    `today`, the one lasting longest; None when there is none."""
    stmt = (select(CreditAuthorisation).where(
        CreditAuthorisation.subject_id == subject_id, CreditAuthorisation.institution == institution,
        CreditAuthorisation.revoked_at.is_(None), CreditAuthorisation.valid_from <= today,
        CreditAuthorisation.valid_until >= today).order_by(CreditAuthorisation.valid_until.desc(),
                                                           CreditAuthorisation.id.desc()).limit(1))
    if purpose is not None:
        stmt = stmt.where(CreditAuthorisation.purpose == purpose)
    return s.scalar(stmt)


def basis(s, who: Actor, subject_id, purpose=None) -> tuple[Basis, CreditSubject]:
    """The viewer's basis for the portrait of `subject_id` and the subject, or a refusal that
    names nothing of the subject (PermissionDenied, reported to the security log)."""
    sid = _as_id(subject_id)
    user = s.get(User, who.user_id)
    if may(who, Action.CREDIT_PORTRAIT_AUTHORISED):
        action = Action.CREDIT_PORTRAIT_AUTHORISED
        institution = (user.institution or "").strip() if user is not None else ""
        if sid is None or not institution or (purpose is not None and purpose not in codes.PURPOSES):
            raise PermissionDenied(NO_AUTHORISATION, action)
        auth = live_authorisation(s, sid, institution, purpose, clock.today())
        subject = s.get(CreditSubject, sid) if auth is not None else None
        if auth is None or subject is None:
            raise PermissionDenied(NO_AUTHORISATION, action)
        return Basis(CreditPurpose(auth.purpose), institution, auth.id, auth.valid_until), subject
    if may(who, Action.CREDIT_SELF_VIEW):
        if sid is None or user is None or user.credit_subject_id != sid:
            raise PermissionDenied(NOT_OWN, Action.CREDIT_SELF_VIEW)
        return Basis(CreditPurpose.SELF), s.get(CreditSubject, sid)
    ensure(who, Action.CREDIT_PORTRAIT_VIEW)
    subject = s.get(CreditSubject, sid) if sid is not None else None
    if subject is None:
        raise OutOfScope(f"{SUBJECT}不在您的管辖范围内", Action.CREDIT_PORTRAIT_VIEW)
    ensure(who, Action.CREDIT_PORTRAIT_VIEW, subject, noun=SUBJECT)
    return Basis(CreditPurpose.SUPERVISION), subject


def _identity(subj: CreditSubject, p: CreditPurpose) -> dict:
    person = subj.id_type != "uscc"  # a natural person or someone identified by another personal ID
    natural = subj.kind in codes.NATURAL_KINDS
    return {
        "id": subj.id, "kind": codes.SUBJECT_KINDS.get(subj.kind, subj.kind),
        "name": credit_shown(CreditField.NAME, subj.name, p, person=natural),
        "id_type": codes.ID_TYPES.get(subj.id_type, subj.id_type),
        "identifier": credit_shown(CreditField.ID, subj.identifier, p, person=person),
        "legal_rep": credit_shown(CreditField.NAME, subj.legal_rep, p),
        "phone": credit_shown(CreditField.PHONE, subj.phone, p),
        "address": credit_shown(CreditField.ADDRESS, subj.address, p, person=natural),
        "region_code": int(subj.region_code),
        "registered_on": subj.registered_on.isoformat() if subj.registered_on else "",
    }


def _record(r: CreditRecord, p: CreditPurpose, today: dt.date) -> dict:
    withheld = is_bank_purpose(p) and r.open_class == "none"
    sub = {**codes.GOOD_TYPES, **codes.DISHONEST_TYPES, **codes.LIST_TYPES}
    return {
        "id": r.id, "kind": r.kind, "kind_label": codes.kind_label(r.kind) if r.kind in codes.RECORD_KINDS else r.kind,
        "subtype": sub.get(r.subtype or "", r.subtype or ""), "title": r.title,
        "content": WITHHELD if withheld and r.content else (r.content or ""),
        "severity": codes.SEVERITIES.get(r.severity or "", ""), "occurred_on": r.occurred_on.isoformat(),
        "publicity_until": r.publicity_until.isoformat() if r.publicity_until else "",
        "in_publicity": in_publicity(r.publicity_until, today) if r.kind == "dishonest" else None,
        "amount": credit_amount(r.amount_fen, p),
        "document_no": WITHHELD if withheld and r.document_no else (r.document_no or ""),
        "counterparty": WITHHELD if withheld and r.counterparty else credit_shown(CreditField.PARTY, r.counterparty, p),
        "source": codes.SOURCES.get(r.source, r.source), "produced_by": r.produced_by,
        "open_class": codes.OPEN_CLASSES.get(r.open_class, r.open_class),
        "share_class": codes.SHARE_CLASSES.get(r.share_class, r.share_class),
        "status": codes.RECORD_STATUSES.get(r.status, r.status), "ended_on": r.ended_on.isoformat() if r.ended_on else "",
        "withheld": withheld,
    }


def _shown_to_bank(r: CreditRecord, today: dt.date) -> bool:
    if r.status != "active":
        return False
    return r.kind != "dishonest" or in_publicity(r.publicity_until, today)


def _repayment(x: CreditRepayment, p: CreditPurpose, today: dt.date) -> dict:
    overdue = x.paid_fen < x.due_fen and (x.paid_on is None or x.paid_on > x.due_on) and x.due_on < today
    return {"due_on": x.due_on.isoformat(), "due": credit_amount(x.due_fen, p),
            "paid_on": x.paid_on.isoformat() if x.paid_on else "", "paid": credit_amount(x.paid_fen, p),
            "overdue": bool(overdue)}


def _rights(s, subject_id: int, p: CreditPurpose) -> list[dict]:
    rights = list(s.scalars(select(ForestRight).where(ForestRight.subject_id == subject_id).order_by(ForestRight.id)))
    enc: dict[int, list[dict]] = {}
    if rights:
        for e in s.scalars(select(ForestEncumbrance).where(ForestEncumbrance.right_id.in_([r.id for r in rights]))
                           .order_by(ForestEncumbrance.registered_on)):
            enc.setdefault(e.right_id, []).append({
                "kind": codes.ENCUMBRANCES.get(e.kind, e.kind), "holder": credit_shown(CreditField.PARTY, e.holder, p),
                "amount": credit_amount(e.amount_fen, p), "registered_on": e.registered_on.isoformat(),
                "until": e.until.isoformat() if e.until else "",
                "released_on": e.released_on.isoformat() if e.released_on else "", "note": e.note or ""})
    return [{"id": r.id, "unit_code": credit_shown(CreditField.LOCATION, r.unit_code, p),
             "certificate_no": credit_shown(CreditField.LOCATION, r.certificate_no, p),
             "right_type": codes.RIGHT_TYPES.get(r.right_type, r.right_type), "area_mu": str(r.area_mu),
             "forest_type": codes.FOREST_TYPES.get(r.forest_type, r.forest_type), "species": r.species,
             "age_class": codes.AGE_CLASSES.get(r.age_class, r.age_class), "stand_age": r.stand_age,
             "stock_m3": str(r.stock_m3) if r.stock_m3 is not None else "",
             "location": credit_location(r.lon, r.lat, r.polygon, p),
             "valid_from": r.valid_from.isoformat() if r.valid_from else "",
             "valid_until": r.valid_until.isoformat() if r.valid_until else "",
             "encumbrances": enc.get(r.id, [])} for r in rights]


def _access_record(s, subject_id: int) -> list[dict]:
    views = list(s.scalars(select(CreditPortraitView).where(CreditPortraitView.subject_id == subject_id)
                           .order_by(CreditPortraitView.id.desc()).limit(ACCESS_ROWS)))
    names = dict(s.execute(select(User.id, User.display_name).where(User.id.in_({v.viewer_id for v in views}))).all()) \
        if views else {}
    return [{"viewed_at": time_text(v.viewed_at), "institution": v.institution or "",
             "viewer": names.get(v.viewer_id, ""), "purpose": PURPOSE_LABELS.get(v.purpose, v.purpose),
             "kind": "打印" if v.kind == "print" else "查看", "authorisation_id": v.authorisation_id} for v in views]


def _contents(s, subj: CreditSubject, b: Basis) -> dict:
    """The portrait of `subj` as basis `b` sees it (no access decision: `basis` made it)."""
    p, today, bank = b.purpose, clock.today(), is_bank_purpose(b.purpose)
    scores = list(s.scalars(select(CreditScore).where(CreditScore.subject_id == subj.id)
                            .order_by(CreditScore.as_of.desc(), CreditScore.id.desc()).limit(TREND_POINTS)))
    latest = scores[0] if scores else None
    factors = [{"factor": f.get("factor", ""), "label": f.get("label", ""), "points": f.get("points", 0),
                **({} if bank else {"record_ids": f.get("record_ids", [])})} for f in (latest.factors if latest else [])]
    records = list(s.scalars(select(CreditRecord).where(CreditRecord.subject_id == subj.id)
                             .order_by(CreditRecord.occurred_on.desc(), CreditRecord.id.desc())))
    if bank:
        records = [r for r in records if _shown_to_bank(r, today)]
    loans = [r for r in records if r.kind == "loan"]
    repay: dict[int, list[dict]] = {}
    if loans:
        for x in s.scalars(select(CreditRepayment).where(CreditRepayment.record_id.in_([r.id for r in loans]))
                           .order_by(CreditRepayment.due_on)):
            repay.setdefault(x.record_id, []).append(_repayment(x, p, today))
    by_kind: dict[str, list[dict]] = {}
    for r in records:
        row = _record(r, p, today)
        if r.kind == "loan":
            row["repayments"] = repay.get(r.id, [])
            row["overdue"] = sum(1 for x in row["repayments"] if x["overdue"])
        by_kind.setdefault(r.kind, []).append(row)
    out = {
        "identity": _identity(subj, p),
        "score": {"score": subj.score, "grade": subj.grade, "unrated": bool(subj.unrated),
                  "evaluated_at": time_text(subj.evaluated_at) if subj.evaluated_at else "",
                  "model_version": latest.model_version if latest else "", "factors": factors},
        "trend": [{"as_of": c.as_of.isoformat(), "score": c.score, "grade": c.grade, "unrated": bool(c.unrated)}
                  for c in reversed(scores)],
        "rights": _rights(s, subj.id, p),
        "loans": by_kind.get("loan", []), "insurance": by_kind.get("insurance", []),
        "trades": by_kind.get("transfer", []) + by_kind.get("trade", []),
        "good": by_kind.get("good", []), "dishonest": by_kind.get("dishonest", []),
        "other": [r for k in ("basic", "service", "subsidy", "list") for r in by_kind.get(k, [])],
        "statement": {"text": subj.statement or "", "at": time_text(subj.statement_at) if subj.statement_at else ""},
        "basis": {"purpose": p.value, "purpose_label": PURPOSE_LABELS.get(p.value, p.value),
                  "institution": b.institution or "", "authorisation_id": b.authorisation_id,
                  "valid_until": b.valid_until.isoformat() if b.valid_until else "", "bank": bank},
    }
    if p is CreditPurpose.SELF:
        out["authorisations"] = subject_authorisations(s, subj.id)
        out["access"] = _access_record(s, subj.id)
    return out


def _log_view(s, who: Actor, subj: CreditSubject, b: Basis, kind: str, key: str | None) -> CreditPortraitView:
    view = CreditPortraitView(subject_id=subj.id, region_code=subj.region_code, viewer_id=who.user_id,
                              institution=b.institution, purpose=b.purpose.value, authorisation_id=b.authorisation_id,
                              viewed_at=clock.now(), kind=kind)
    s.add(view)
    s.flush()
    if key is not None:
        log_change(s, key, who, subj.region_code,
                   f"{'打印' if kind == 'print' else '查看'}信用主体 #{subj.id} 的信用画像（{PURPOSE_LABELS[b.purpose.value]}"
                   f"{'，' + b.institution if b.institution else ''}）", subject_id=subj.id, view_id=view.id,
                   authorisation_id=b.authorisation_id)
    return view


def portrait(url: str, who: Actor, subject_id, purpose=None, *, kind: str = "screen", key: str | None = None) -> dict:
    """The portrait of `subject_id` for `who` (see the module's docstring), its view logged;
    `key` (the security log's key) also writes the view to the security log."""
    kind = kind if kind in KINDS else "screen"
    with transaction(url, who) as s:
        b, subj = basis(s, who, subject_id, purpose or None)
        out = _contents(s, subj, b)
        view = _log_view(s, who, subj, b, kind, key)
        user = s.get(User, who.user_id)
        out["viewer"] = {"name": user.display_name if user else who.username, "institution": b.institution or "",
                         "at": time_text(view.viewed_at), "view_id": view.id}
        return out


def log_print(url: str, who: Actor, subject_id, purpose=None, *, key: str | None = None) -> dict:
    """A print of the portrait: the same decision, the view logged as `print` (nothing read)."""
    with transaction(url, who) as s:
        b, subj = basis(s, who, subject_id, purpose or None)
        view = _log_view(s, who, subj, b, "print", key)
        return {"view_id": view.id, "at": time_text(view.viewed_at)}
