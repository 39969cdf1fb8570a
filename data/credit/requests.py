"""Applications for conditional-open (Art. X39) and conditional-shared (Art. X40) credit data:
apply, sign the commitment (Art. X44), reply within ten working days, and the one read of what
was granted (`granted_records`), which returns the granted scope and nothing else.

Who an applicant is comes from the account, never from the browser: a subject's application is
for `users.credit_subject_id`; a public body's is for `users.institution`."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import or_, select

from data.db import reading, transaction
from data.errors import AccountError, StaleEdit
from data.models import CreditApplication, CreditRecord, CreditSubject, utcnow
from data.scoped import in_scope, load_for_write
from domain import clock
from domain.credit import requests as rules
from domain.credit.codes import RECORD_KINDS, SEVERITIES
from domain.money import yuan_text
from domain.permissions import NOUNS, Action, Actor, PermissionDenied, ensure, may
from domain.regions import subtree_bounds

from .common import account, audit, calendar_of, due_date, due_text, refuse

NOUN = NOUNS["credit_application"]
#: what each kind delivers: records of these classes (Art. X39: conditional open; X40: shared)
_CLASSES = {"open": ("conditional",), "share": ("conditional", "unconditional")}


def apply(url: str, key: str, actor: Actor, kind: str, purpose, legal_basis, ask: rules.Ask, today: dt.date,
          commitment: tuple | None = None) -> int:
    """Register an application (kind open: the caller's own subject; share: the caller's unit).
    `commitment`: (signed, name, date) when signed with the application."""
    action = Action.CREDIT_OPEN_APPLY if kind == "open" else Action.CREDIT_SHARE_APPLY
    ensure(actor, action)
    errors = rules.application_problems(kind, purpose, legal_basis, ask, today)
    signed = commitment is not None and commitment[0] is True
    if signed:
        errors.update(rules.commitment_problems(*commitment, today))
    if errors:
        raise AccountError(errors)
    with transaction(url, actor) as s:
        user = account(s, actor)
        subject_id, unit, region = None, None, actor.scope.root
        if kind == "open":
            subject = s.get(CreditSubject, user.credit_subject_id) if user.credit_subject_id else None
            if subject is None:
                raise AccountError({"kinds": "您的账号未关联信用主体，不能申请"})
            subject_id, region = subject.id, int(subject.region_code)
        else:
            unit = (user.institution or "").strip()
            if not unit:
                raise AccountError({"purpose": "您的账号未登记所属机构，不能申请"})
        row = CreditApplication(
            region_code=region, kind=kind, subject_id=subject_id, applicant_unit=unit, applied_by_id=actor.user_id,
            purpose=str(purpose).strip(), legal_basis=(str(legal_basis or "").strip() or None), asked=ask.as_json(),
            received_on=today, answer_due=due_date(url, today), status="submitted",
            commitment_signed=signed, commitment_name=commitment[1].strip() if signed else None,
            commitment_on=commitment[2] if signed else None,
            collected_by_id=actor.user_id, provided_by=(unit or "信用主体本人")[:100], responsible_by=actor.username)
        s.add(row)
        s.flush()
        audit(s, key, actor, f"提交{rules.KINDS[kind]} #{row.id}：{'、'.join(RECORD_KINDS[k][1] for k in ask.kinds)}",
              "submitted", region, {"credit_application_id": row.id, "kind": kind})
        return row.id


def sign_commitment(url: str, key: str, actor: Actor, application_id, version, signed, name, signed_on,
                    today: dt.date) -> None:
    """The applicant signs the 数据使用保管承诺书 (Art. X44); without it no access."""
    errors = rules.commitment_problems(signed, name, signed_on, today)
    with transaction(url, actor) as s:
        # the applicant's own application, by the account (a subject is not region-scoped)
        row = s.get(CreditApplication, int(application_id)) if str(application_id).isdigit() else None
        if row is None or row.applied_by_id != actor.user_id:
            raise PermissionDenied("只有申请人本人可以签署承诺书", Action.CREDIT_OPEN_APPLY)
        if version is not None and row.version != int(version):
            raise StaleEdit(f"{NOUN}已被他人修改，请刷新后再操作")
        if errors:
            raise AccountError(errors)
        row.commitment_signed, row.commitment_name, row.commitment_on = True, str(name).strip(), signed_on
        audit(s, key, actor, f"签署数据申请 #{row.id} 的{rules.COMMITMENT}（{row.commitment_name}）", "success",
              row.region_code, {"credit_application_id": row.id})


def decide(url: str, key: str, actor: Actor, application_id, version, grant: bool, reason,
           scope: rules.Ask | None, valid_until: dt.date | None, today: dt.date) -> str:
    """The data unit's reply: grant (an exact scope inside what was asked, a validity, how it is
    provided) or refuse with reasons. Never on one's own application (the action table)."""
    with transaction(url, actor) as s:
        row = load_for_write(s, CreditApplication, application_id, actor, version, noun=NOUN,
                             action=Action.CREDIT_APPLICATION_DECIDE)
        asked = rules.Ask.of(row.asked)
        errors = rules.decision_problems(row.status, grant, reason, scope, asked, row.kind, valid_until, today)
        if errors:
            raise AccountError(errors)
        row.status = "granted" if grant else "refused"
        row.decided_by_id, row.decided_at, row.reason = actor.user_id, utcnow(), str(reason).strip()
        if grant:
            row.granted, row.valid_until = scope.as_json(), valid_until
        audit(s, key, actor, f"{'同意' if grant else '不予提供'}数据申请 #{row.id}：{row.reason[:100]}", row.status,
              row.region_code, {"credit_application_id": row.id, "granted": row.granted})
        return row.status


def granted_records(url: str, key: str, who: Actor, application_id, ask: rules.Ask | None = None,
                    today: dt.date | None = None) -> list[dict]:
    """The one read of granted data: the applicant's own application, granted, signed, valid;
    only records inside the granted scope (`ask` may narrow it; asking outside is refused and
    logged); a subject gets only their own subject's records. Every read is logged."""
    today = today or clock.today()
    detail = {"credit_application_id": application_id}
    with reading(url) as s:
        problem, out, region, wanted = _granted(s, who, application_id, ask, today)
    if problem:
        refuse(url, key, who, f"获取数据申请 #{application_id} 的数据", problem,
               {**detail, "asked": wanted.as_json() if wanted else None})
    with transaction(url) as s:
        audit(s, key, who, f"获取数据申请 #{application_id} 同意范围内的数据 {len(out)} 条", "success", region,
              {**detail, "rows": len(out), "asked": wanted.as_json()})
    return out


_KIND_ACTION = {"open": Action.CREDIT_OPEN_APPLY, "share": Action.CREDIT_SHARE_APPLY}


def _granted(s, who: Actor, application_id, ask: rules.Ask | None, today: dt.date):
    """(problem, rows, region, the scope read) of `granted_records`, inside its read."""
    row = s.get(CreditApplication, int(application_id)) if str(application_id).isdigit() else None
    user = account(s, who)
    mine = row is not None and (row.subject_id == user.credit_subject_id if row.kind == "open"
                                else row.applicant_unit == (user.institution or "").strip())
    if row is None or not mine or not may(who, _KIND_ACTION[row.kind]):
        return "该数据申请不是您提交的", [], None, ask
    problem = rules.access_problem(row.status, row.valid_until, row.commitment_signed, today)
    granted = rules.Ask.of(row.granted)
    wanted = ask or granted
    problem = problem or rules.within(wanted, granted, row.kind)
    if problem:
        return problem, [], row.region_code, wanted
    q = (select(CreditRecord, CreditSubject.name, CreditSubject.identifier)
         .join(CreditSubject, CreditSubject.id == CreditRecord.subject_id)
         .where(CreditRecord.kind.in_(wanted.kinds), CreditRecord.occurred_on.between(wanted.date_from, wanted.date_to),
                CreditRecord.status == "active"))
    if row.kind == "open":
        q = q.where(CreditRecord.subject_id == row.subject_id, CreditRecord.open_class.in_(_CLASSES["open"]))
        fields = list(rules.SHARE_FIELDS)
    else:
        q = q.where(CreditRecord.share_class.in_(_CLASSES["share"]),
                    or_(*[CreditRecord.region_code.between(*subtree_bounds(r)) for r in wanted.regions]))
        fields = list(wanted.fields)
    out = []
    for rec, name, identifier in s.execute(q.order_by(CreditRecord.occurred_on, CreditRecord.id).limit(50_000)):
        full = {"subject_name": name, "identifier": identifier, "kind": RECORD_KINDS[rec.kind][1],
                "subtype": rec.subtype, "title": rec.title, "occurred_on": rec.occurred_on.isoformat(),
                "severity": SEVERITIES.get(rec.severity or "", ""),
                "amount_fen": yuan_text(rec.amount_fen) if rec.amount_fen is not None else "", "document_no": rec.document_no,
                "produced_by": rec.produced_by, "region_code": int(rec.region_code)}
        out.append({"id": rec.id, **{f: full[f] for f in fields}})
    return None, out, row.region_code, wanted


def _row(cal, actor: Actor, r: CreditApplication, today: dt.date, names: dict) -> dict:
    asked = rules.Ask.of(r.asked)
    res = {"region_code": int(r.region_code), "applied_by_id": r.applied_by_id}
    open_ = r.status in rules.OPEN_STATES
    return {
        "id": r.id, "version": r.version, "kind": r.kind, "kind_label": rules.KINDS[r.kind][:7],
        "applicant": r.applicant_unit or names.get(r.subject_id, ""), "purpose": r.purpose,
        "legal_basis": r.legal_basis or "", "asked": "、".join(RECORD_KINDS[k][1] for k in asked.kinds),
        "period": f"{asked.date_from} 至 {asked.date_to}", "asked_json": r.asked, "granted_json": r.granted,
        "received_on": r.received_on.isoformat(), "answer_due": r.answer_due.isoformat(),
        "due": due_text(cal, r.answer_due, open_, today), "overdue": open_ and today > r.answer_due,
        "status": r.status, "state": rules.STATES[r.status], "reason": r.reason or "",
        "valid_until": r.valid_until.isoformat() if r.valid_until else "",
        "commitment": f"已签署（{r.commitment_name}，{r.commitment_on}）" if r.commitment_signed else "未签署",
        "signed": bool(r.commitment_signed), "mine": r.applied_by_id == actor.user_id,
        "decidable": open_ and may(actor, Action.CREDIT_APPLICATION_DECIDE, res)}


def listing(url: str, actor: Actor, today: dt.date) -> list[dict]:
    """The applications the caller sees: the data unit its jurisdiction's (the province: all);
    a subject or a public body only its own (by the account, in this one function)."""
    with reading(url) as s:
        q = select(CreditApplication).order_by(CreditApplication.id.desc())
        if may(actor, Action.CREDIT_APPLICATION_DECIDE):
            q = q.where(in_scope(CreditApplication.region_code, actor))
        else:
            user = account(s, actor)
            q = q.where(CreditApplication.applied_by_id == user.id)
        rows = list(s.scalars(q.limit(5000)))
        ids = {r.subject_id for r in rows if r.subject_id}
        q_names = select(CreditSubject.id, CreditSubject.name).where(CreditSubject.id.in_(ids))
        names = dict(s.execute(q_names).all()) if ids else {}
        cal = calendar_of(url)
        return [_row(cal, actor, r, today, names) for r in rows]

