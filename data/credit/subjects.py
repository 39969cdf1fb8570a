"""Credit subjects (信用主体, Art. X5, X19) in the system of record: the list of the caller's
jurisdiction, a subject's page (identity, records, forest rights, the collective-economy records
of the same identifier), registering and correcting a subject — one subject per identifier: a
second one is refused naming the subject that holds it. Each write is one transaction with its
security-log entry; a correction on a stale copy is refused (optimistic locking)."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import or_, select

from data.admin.audit_log import log_change
from data.db import reading, transaction
from data.errors import AccountError
from data.models import CollectiveOrg, Contract, CreditSubject, Member, PaymentRequest
from data.scoped import in_scope, load_for_write, scoped
from domain.credit import codes
from domain.credit.drafts import SubjectDraft, subject_problems
from domain.identifiers import mask_resident_id
from domain.permissions import Action, OutOfScope, ensure, scope_of

NOUN = "该信用主体"
MAX_LIST = 5000


def shown_identifier(id_type: str, identifier: str) -> str:
    """A resident ID masked in lists (the subject's page shows it to its officials in full)."""
    return mask_resident_id(identifier) if id_type == "resident" else identifier


def list_subjects(url: str, who, *, kind: str | None = None, region: int | None = None, grade: str | None = None,
                  text: str | None = None, limit: int = MAX_LIST) -> list[dict]:
    """The subjects of the caller's jurisdiction, filtered by kind, region subtree, grade and a name or
    identifier fragment; by region, then id."""
    ensure(who, Action.CREDIT_SUBJECT_VIEW)
    q = scoped(select(CreditSubject), CreditSubject, who)
    if kind:
        q = q.where(CreditSubject.kind == kind)
    if region:
        from domain.regions import subtree_bounds

        lo, hi = subtree_bounds(int(region))
        q = q.where(CreditSubject.region_code.between(lo, hi))
    if grade == "unrated":
        q = q.where(CreditSubject.unrated.is_(True))
    elif grade:
        q = q.where(CreditSubject.grade == grade)
    if text:
        like = f"%{text.strip()}%"
        q = q.where(or_(CreditSubject.name.like(like), CreditSubject.identifier == text.strip().upper()))
    q = q.order_by(CreditSubject.region_code, CreditSubject.id).limit(limit)
    with reading(url) as s:
        return [{"id": r.id, "name": r.name, "kind": codes.SUBJECT_KINDS.get(r.kind, r.kind),
                 "identifier": shown_identifier(r.id_type, r.identifier), "region_code": int(r.region_code),
                 "grade": "未评级" if r.unrated or not r.grade else r.grade,
                 "score": r.score if r.score is not None else "", "version": r.version} for r in s.scalars(q)]


def subject_row(s, who, subject_id, action: Action = Action.CREDIT_SUBJECT_VIEW) -> CreditSubject:
    """The subject for a read by `who`, refused when missing or outside the jurisdiction."""
    return load_for_write(s, CreditSubject, subject_id, who, noun=NOUN, action=action)


def identity(r: CreditSubject) -> dict:
    return {"id": r.id, "kind": r.kind, "kind_label": codes.SUBJECT_KINDS.get(r.kind, r.kind), "id_type": r.id_type,
            "id_type_label": codes.ID_TYPES.get(r.id_type, r.id_type), "other_id_type": r.other_id_type,
            "identifier": r.identifier, "name": r.name, "legal_rep": r.legal_rep or "", "phone": r.phone or "",
            "address": r.address or "", "region_code": int(r.region_code),
            "registered_on": r.registered_on.isoformat() if r.registered_on else "",
            "grade": "未评级" if r.unrated or not r.grade else r.grade, "score": r.score, "version": r.version}


def get_subject(url: str, who, subject_id) -> dict:
    ensure(who, Action.CREDIT_SUBJECT_VIEW)
    with reading(url) as s:
        return identity(subject_row(s, who, subject_id))


def _taken(s, identifier: str, other_than: int | None = None) -> CreditSubject | None:
    q = select(CreditSubject).where(CreditSubject.identifier == identifier)
    if other_than is not None:
        q = q.where(CreditSubject.id != other_than)
    return s.scalars(q.limit(1)).first()


def _duplicate(row: CreditSubject, who) -> str:
    where = f"（主体编号 {row.id}）" if scope_of(who).contains(row.region_code) else "（不在您的管辖范围内）"
    return f"该证件号码已登记为信用主体：{row.name}{where}，一个证件号码只能登记一个信用主体"


SUBJECT_COLUMNS = ("kind", "id_type", "other_id_type", "identifier", "name", "legal_rep", "phone", "address",
                   "region_code", "registered_on")


def _fill(r: CreditSubject, v: dict) -> None:
    for k in SUBJECT_COLUMNS:
        setattr(r, k, v[k])


def subject_values(who, v: dict) -> dict:
    """The columns of a new subject from its checked values (the ORM row's, or a batch's bulk insert)."""
    return {**{k: v[k] for k in SUBJECT_COLUMNS}, "unrated": True, "collected_by_id": who.user_id,
            "provided_by": who.username}


def new_subject(s, who, v: dict) -> CreditSubject:
    """Insert a checked subject inside the caller's transaction."""
    r = CreditSubject(**subject_values(who, v))
    s.add(r)
    s.flush()
    return r


def create_subject(url: str, key: str, who, draft: SubjectDraft, today: dt.date) -> int:
    """Register a subject in the caller's jurisdiction. Returns its id."""
    ensure(who, Action.CREDIT_SUBJECT_SAVE)
    v, errors = subject_problems(draft, today)
    if v.get("region_code") is not None and "region_code" not in errors:
        ensure(who, Action.CREDIT_SUBJECT_SAVE, {"region_code": v["region_code"]}, noun="所在地区")
    with transaction(url, who) as s:
        if "identifier" not in errors and (other := _taken(s, v["identifier"])) is not None:
            errors["identifier"] = _duplicate(other, who)
        if errors:
            raise AccountError(errors)
        r = new_subject(s, who, v)
        log_change(s, key, who, r.region_code, f"登记信用主体：{r.name}（{codes.SUBJECT_KINDS[r.kind]}）",
                   credit_subject_id=r.id)
        return r.id


def update_subject(url: str, key: str, who, subject_id, draft: SubjectDraft, version: int, today: dt.date) -> int:
    """Correct a subject's identity (name, contact, region; the identifier checked again). Returns the new version."""
    ensure(who, Action.CREDIT_SUBJECT_SAVE)
    v, errors = subject_problems(draft, today)
    with transaction(url, who) as s:
        r = load_for_write(s, CreditSubject, subject_id, who, version, noun=NOUN, action=Action.CREDIT_SUBJECT_SAVE)
        if v.get("region_code") is not None and not scope_of(who).contains(v["region_code"]):
            raise OutOfScope("所在地区不在您的管辖范围内", Action.CREDIT_SUBJECT_SAVE)
        if "identifier" not in errors and (other := _taken(s, v["identifier"], r.id)) is not None:
            errors["identifier"] = _duplicate(other, who)
        if errors:
            raise AccountError(errors)
        before = {"name": r.name, "identifier": r.identifier, "region_code": int(r.region_code)}
        _fill(r, v)
        s.flush()
        log_change(s, key, who, r.region_code, f"更正信用主体：{r.name}", credit_subject_id=r.id, before=before)
        return r.version


def linked_records(url: str, who, subject_id) -> list[dict]:
    """The collective-economy records of the subject's identifier within the caller's jurisdiction
    (item 1): memberships (members.id_number), contracts it is the counterparty of
    (contracts.counterparty_id) and payment requests paying it (payment_requests.counterparty_id)."""
    ensure(who, Action.CREDIT_SUBJECT_VIEW)
    with reading(url) as s:
        ident = subject_row(s, who, subject_id).identifier
        out = []
        q = (select(Member.id, Member.name, CollectiveOrg.name, CollectiveOrg.region_code)
             .join(CollectiveOrg, CollectiveOrg.id == Member.org_id)
             .where(Member.id_number == ident, in_scope(CollectiveOrg.region_code, who)).limit(200))
        out += [{"kind": "集体经济组织成员", "ref": f"成员 #{i}", "what": f"{name}，{org}", "region_code": int(rc),
                 "date": "", "amount": ""} for i, name, org, rc in s.execute(q)]
        q = (select(Contract).where(Contract.counterparty_id == ident, in_scope(Contract.region_code, who))
             .order_by(Contract.signed_on.desc()).limit(200))
        out += [{"kind": "合同相对方", "ref": c.number, "what": c.title, "region_code": int(c.region_code),
                 "date": c.signed_on.isoformat(), "amount": f"{c.amount_fen / 100:,.2f}"} for c in s.scalars(q)]
        q = (select(PaymentRequest).where(PaymentRequest.counterparty_id == ident,
                                          in_scope(PaymentRequest.region_code, who))
             .order_by(PaymentRequest.request_date.desc()).limit(200))
        out += [{"kind": "收付款对象", "ref": f"申请 #{p.id}", "what": p.purpose, "region_code": int(p.region_code),
                 "date": p.request_date.isoformat(), "amount": f"{p.amount_fen / 100:,.2f}"} for p in s.scalars(q)]
        return out


def subject_options(url: str, who, limit: int = 2000) -> list[dict]:
    """(label, value) of the jurisdiction's subjects, for the import's and archive's pickers."""
    with reading(url) as s:
        q = scoped(select(CreditSubject.id, CreditSubject.name, CreditSubject.id_type, CreditSubject.identifier),
                   CreditSubject, who)
        return [{"label": f"{n}（{shown_identifier(t, ident)}）", "value": i}
                for i, n, t, ident in s.execute(q.order_by(CreditSubject.id).limit(limit))]
