"""Credit repair (信用修复) storage: apply with evidence, decide, list, the evidence files.

Who applies: the subject themself (a user whose `users.credit_subject_id` is the record's subject:
checked here, in `_own_subject`, the one gate of a subject's access) or a forestry bureau that
collects the county's credit data, for a record in its jurisdiction. The data management unit
decides (Action.CREDIT_REPAIR_DECIDE, never on an application of its own); an approval sets the
record's status `repaired` and `ended_on` to the decision day and re-evaluates the subject in the
same transaction (`data.credit.evaluate.reevaluate`, reason "repair"). Every step is one
transaction with its security-log entry; a refused step writes nothing.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import mimetypes

from sqlalchemy import func, select

from data.admin import audit_log
from data.attachments import clean_name, files_problem
from data.credit.evaluate import histories, reevaluate
from data.db import reading, transaction
from data.errors import AccountError
from data.models import Attachment, CreditRecord, CreditRepair, CreditSubject, User, utcnow
from data.scoped import in_scope, load_for_write
from domain.credit import repair as rules
from domain.credit import scoring
from domain.credit.codes import DISHONEST_TYPES, SEVERITIES
from domain.credit.publicity import repair_open_from
from domain.labels import time_text
from domain.permissions import NOUNS, Action, Perm, PermissionDenied, ensure, may, scope_of

OWNER = "credit_repair"
NOUN = NOUNS["credit_repair"]
RECORD_NOUN = NOUNS["credit_record"]


def _is_subject(actor) -> bool:
    return Perm.CREDIT_SELF in scope_of(actor).perms


def _own_subject(s, actor) -> int | None:
    """The credit subject the signed-in user is (users.credit_subject_id), or None."""
    return s.scalar(select(User.credit_subject_id).where(User.id == actor.user_id)) if _is_subject(actor) else None


def _audit(s, key, actor, region: int, description: str, **detail) -> None:
    audit_log.log_change(s, key, actor, region, description, **detail)


def _record_for(s, actor, record_id) -> CreditRecord:
    """The record an applicant applies for: their own (a subject) or one in their jurisdiction."""
    if _is_subject(actor):
        ensure(actor, Action.CREDIT_REPAIR_APPLY)
        rec = s.get(CreditRecord, _int(record_id)) if _int(record_id) is not None else None
        if rec is None or rec.subject_id != _own_subject(s, actor):
            raise PermissionDenied("只能为本人的失信信息申请信用修复", Action.CREDIT_REPAIR_APPLY)
        return rec
    return load_for_write(s, CreditRecord, record_id, actor, noun=RECORD_NOUN, action=Action.CREDIT_REPAIR_APPLY)


def _int(v) -> int | None:
    try:
        return int(v)
    except (TypeError, ValueError):
        return None


def _open(s, record_id: int) -> bool:
    return s.scalar(select(func.count()).select_from(CreditRepair).where(
        CreditRepair.record_id == record_id, CreditRepair.status == "submitted")) > 0


def apply(url: str, key: str, actor, record_id, reason: str | None, files: list[tuple[str, bytes]], today: dt.date) -> int:
    """Submit an application for `record_id` with `files` as evidence; returns its id. Refused (in
    Chinese, nothing written): not the applicant's record, not a live dishonest record, before the
    minimum publicity period (the day it opens named), no reason or evidence, one already open."""
    ensure(actor, Action.CREDIT_REPAIR_APPLY)
    with transaction(url, actor) as s:
        rec = _record_for(s, actor, record_id)
        problem = rules.record_problem(rec.kind, rec.status, rec.severity, rec.occurred_on, rec.publicity_until,
                                       rec.ended_on, today)
        if problem:
            raise AccountError({"record": problem})
        errors = rules.application_problems(reason, len(files or []), _open(s, rec.id))
        if not errors.get("evidence") and (bad := files_problem(files)):
            errors["evidence"] = bad
        if errors:
            raise AccountError(errors)
        row = CreditRepair(record_id=rec.id, subject_id=rec.subject_id, region_code=rec.region_code,
                           applied_by_id=actor.user_id, applied_at=utcnow(), reason=reason.strip(), status="submitted",
                           collected_by_id=actor.user_id, responsible_by=actor.username)
        s.add(row)
        s.flush()
        names = []
        for filename, content in files:
            name = clean_name(filename)
            names.append(name)
            s.add(Attachment(owner_type=OWNER, owner_id=row.id, filename=name, size=len(content),
                             content_type=mimetypes.guess_type(name)[0] or "application/octet-stream",
                             sha256=hashlib.sha256(content).hexdigest(), content=content, uploaded_by_id=actor.user_id,
                             uploaded_at=utcnow()))
        _audit(s, key, actor, rec.region_code, f"申请信用修复 #{row.id}：失信信息 #{rec.id}（{rec.title}），"
               f"证明材料 {len(names)} 份：{'、'.join(names)[:200]}", credit_repair_id=row.id, record_id=rec.id)
        return row.id


def decide(url: str, key: str, actor, repair_id, version, approve: bool, comment: str | None, today: dt.date) -> dict:
    """The data unit's decision. An approval ends the record's effect today and re-evaluates the
    subject in the same transaction. Returns {"status", "score_before", "score_after", "grade"}."""
    with transaction(url, actor) as s:
        row = load_for_write(s, CreditRepair, repair_id, actor, version, noun=NOUN, action=Action.CREDIT_REPAIR_DECIDE)
        errors = rules.decision_problems(row.status, approve, comment)
        if errors:
            raise AccountError(errors)
        rec = s.get(CreditRecord, row.record_id)
        subject = s.get(CreditSubject, row.subject_id)
        before = subject.score
        if approve:
            if rec.status != "active" or (rec.ended_on is not None and rec.ended_on <= today):
                raise AccountError({"decision": "该失信信息已不再有效，无需修复"})
            rec.status, rec.ended_on = "repaired", today
        row.status = "approved" if approve else "rejected"
        row.decided_by_id, row.decided_at = actor.user_id, utcnow()
        row.decision_comment = (comment or "").strip()[:rules.COMMENT_MAX] or None
        after = reevaluate(s, [row.subject_id], today, "repair", always=True)[row.subject_id] if approve else None
        verdict = "批准信用修复" if approve else "不予信用修复"
        score = f"，信用分 {before} → {after.score}" if after is not None else ""
        _audit(s, key, actor, row.region_code, f"{verdict} #{row.id}：失信信息 #{rec.id}（{rec.title}）{score}"
               + (f"；意见：{row.decision_comment[:100]}" if row.decision_comment else ""),
               credit_repair_id=row.id, record_id=rec.id, approved=approve)
        return {"status": row.status, "score_before": before, "score_after": after.score if after else before,
                "grade": after.grade if after else subject.grade}


def _visible(s, actor):
    """The WHERE clause of the applications `actor` may see (a subject: their own; else scope)."""
    if _is_subject(actor):
        return CreditRepair.subject_id == (_own_subject(s, actor) or -1)
    return in_scope(CreditRepair.region_code, actor)


def _may_list(actor) -> None:
    if not (may(actor, Action.CREDIT_REPAIR_APPLY) or may(actor, Action.CREDIT_REPAIR_DECIDE)):
        ensure(actor, Action.CREDIT_REPAIR_DECIDE)


def listing(url: str, actor, limit: int = 500) -> list[dict]:
    """The applications the caller may see, newest first, with the record and the evidence count."""
    _may_list(actor)
    with reading(url) as s:
        q = (select(CreditRepair, CreditRecord, CreditSubject.name, User.display_name)
             .join(CreditRecord, CreditRecord.id == CreditRepair.record_id)
             .join(CreditSubject, CreditSubject.id == CreditRepair.subject_id)
             .join(User, User.id == CreditRepair.applied_by_id)
             .where(_visible(s, actor)).order_by(CreditRepair.id.desc()).limit(limit))
        rows = s.execute(q).all()
        owned = Attachment.owner_id.in_([r.id for r, *_ in rows])
        counts = dict(s.execute(select(Attachment.owner_id, func.count()).where(Attachment.owner_type == OWNER, owned)
                                .group_by(Attachment.owner_id)).all())
        return [{"id": r.id, "version": r.version, "record_id": rec.id, "subject": name, "title": rec.title,
                 "subtype": DISHONEST_TYPES.get(rec.subtype or "", rec.subtype or ""),
                 "severity": SEVERITIES.get(rec.severity or "", ""), "occurred_on": rec.occurred_on.isoformat(),
                 "publicity_until": rec.publicity_until.isoformat() if rec.publicity_until else "",
                 "applicant": applicant, "applied_at": time_text(r.applied_at), "reason": r.reason,
                 "evidence": counts.get(r.id, 0), "status": r.status, "status_label": rules.STATUSES[r.status],
                 "decided_at": time_text(r.decided_at) if r.decided_at else "", "comment": r.decision_comment or "",
                 "applied_by_id": r.applied_by_id, "region_code": int(r.region_code)}
                for r, rec, name, applicant in rows]


def applicable(url: str, actor, today: dt.date, limit: int = 300) -> list[dict]:
    """The live dishonest records the caller may apply for, each with the day repair opens."""
    ensure(actor, Action.CREDIT_REPAIR_APPLY)
    with reading(url) as s:
        q = (select(CreditRecord, CreditSubject.name).join(CreditSubject, CreditSubject.id == CreditRecord.subject_id)
             .where(CreditRecord.kind == "dishonest", CreditRecord.status == "active"))
        if _is_subject(actor):
            q = q.where(CreditRecord.subject_id == (_own_subject(s, actor) or -1))
        else:
            q = q.where(in_scope(CreditRecord.region_code, actor))
        out = []
        for rec, name in s.execute(q.order_by(CreditRecord.occurred_on.desc()).limit(limit)):
            if rec.publicity_until is None or rec.publicity_until < today:
                continue
            opens = repair_open_from(rec.severity or rules.DEFAULT_SEVERITY, rec.occurred_on)
            when = "可申请" if opens <= today else f"{opens.isoformat()} 起可申请"
            out.append({"value": rec.id, "label": f"#{rec.id} {name}：{rec.title}（{SEVERITIES.get(rec.severity or '', '')}，"
                        f"公示至 {rec.publicity_until.isoformat()}，{when}）"})
        return out


def evidence(url: str, actor, repair_id) -> list[dict]:
    """The evidence files of an application the caller may see (name, size, SHA-256)."""
    _may_list(actor)
    with reading(url) as s:
        row = s.get(CreditRepair, _int(repair_id)) if _int(repair_id) is not None else None
        if row is None or s.scalar(select(CreditRepair.id).where(CreditRepair.id == row.id, _visible(s, actor))) is None:
            raise PermissionDenied(f"{NOUN}不在您的管辖范围内", Action.CREDIT_REPAIR_DECIDE)
        q = select(Attachment.id, Attachment.filename, Attachment.size, Attachment.sha256).where(
            Attachment.owner_type == OWNER, Attachment.owner_id == row.id).order_by(Attachment.id)
        return [dict(r._mapping) for r in s.execute(q)]


def evidence_file(url: str, actor, repair_id, attachment_id) -> tuple[str, bytes]:
    """(file name, bytes) of one evidence file, checked against its SHA-256."""
    ids = {f["id"] for f in evidence(url, actor, repair_id)}
    if _int(attachment_id) not in ids:
        raise PermissionDenied("附件不存在或不在您的管辖范围内", Action.CREDIT_REPAIR_DECIDE)
    with reading(url) as s:
        att = s.get(Attachment, int(attachment_id))
        if hashlib.sha256(att.content).hexdigest() != att.sha256:
            raise AccountError({"evidence": "附件校验失败"})
        return att.filename, att.content


def preview(url: str, actor, repair_id, today: dt.date) -> dict:
    """For the decider: the subject's evaluation today and what it would be if the repair were
    approved today (the record's effect ended); nothing written. {"now", "after"}: Evaluations."""
    with reading(url) as s:
        row = load_for_write(s, CreditRepair, repair_id, actor, noun=NOUN)
        ensure(actor, Action.CREDIT_REPAIR_DECIDE, row)
        records, repayments = histories(s, [row.subject_id])
    mine, loans = records[row.subject_id], repayments[row.subject_id]
    ended = [{**r, "status": "repaired", "ended_on": today} if r["id"] == row.record_id else r for r in mine]
    return {"now": scoring.evaluate(mine, loans, today), "after": scoring.evaluate(ended, loans, today)}
