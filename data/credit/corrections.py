"""Data corrections (Art. X45–X48) in the system of record: apply with evidence, review by the
handling department, decide at the data unit's meeting, the provincial bureau for major or batch
ones, and the county applies it — the targets change only then, in that transaction, with
before/after kept on the correction (and each change in the target's own record history).

`AFTER_CORRECTION`: callables `(session, subject_ids, as_of)` run in the applying transaction
after a correction changed credit records or forest rights; the first re-evaluates their subjects."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import select

from data import attachments
from data.db import reading, transaction
from data.errors import AccountError, StaleEdit
from data.history import people_named
from data.models import CreditCorrection, CreditRecord, CreditSubject, ForestEncumbrance, ForestRight, utcnow
from data.scoped import in_scope, load_for_write
from domain import clock
from domain.credit import corrections as rules
from domain.permissions import NOUNS, Action, Actor, ensure, may
from domain.regions import COUNTY, truncate
from data.prices.platform import hook as price_samples

from .evaluate import reevaluate
from .common import account, audit, calendar_of, due_date, due_text, stamp

NOUN = NOUNS["credit_correction"]
MODELS = {"record": CreditRecord, "right": ForestRight}
#: run in the applying transaction: the credit evaluation first (a corrected record re-scores its
#: subject; always a new evaluation row, which also tells the statistics cache the data changed)
AFTER_CORRECTION: list = [lambda s, ids, as_of: reevaluate(s, ids, as_of, "correction", always=True),
                          price_samples]  # then the transfers' price samples (data.prices.platform)


def _text(value) -> str | None:
    if value is None:
        return None
    if isinstance(value, (dt.date, Decimal)):
        return str(value)
    return value if isinstance(value, str) else str(value)


def apply(url: str, key: str, actor: Actor, target_type: str, target_ids, ground, changes: dict, description,
          files, today: dt.date, note=None) -> int:
    """A correction application by a county forestry bureau or the credit subject, with evidence
    (`files`: (name, bytes) pairs, at least one)."""
    ensure(actor, Action.CREDIT_CORRECTION_APPLY)
    ids = sorted({int(i) for i in target_ids or [] if str(i).strip().isdigit()})
    errors = rules.application_problems(description, len(files or []), ids, note)
    if problem := attachments.files_problem(files):
        errors["evidence"] = problem
    model = MODELS.get(target_type)
    with transaction(url, actor) as s:
        def holder_problem(identifier: str) -> str | None:
            found = s.scalar(select(CreditSubject.id).where(CreditSubject.identifier == identifier))
            return None if found else "该证照号码没有登记的信用主体"

        parsed, problems = rules.changes_problems(target_type, ground, changes, today, holder_problem)
        errors.update(problems)
        if errors:
            raise AccountError(errors)
        targets = [s.get(model, i) for i in ids]
        if any(t is None for t in targets):
            raise AccountError({"targets": f"所选{rules.TARGETS[target_type]}不存在"})
        user = account(s, actor)
        subjects = {t.subject_id for t in targets}
        own = user.credit_subject_id is not None
        if own and subjects != {user.credit_subject_id}:  # a subject: its own data only (by the account)
            raise AccountError({"targets": "信用主体只能申请修正本人的数据"})
        for t in targets if not own else ():  # a forestry bureau: each target in its jurisdiction
            ensure(actor, Action.CREDIT_CORRECTION_APPLY, {"region_code": int(t.region_code)}, noun="该信用主体")
        regions = {int(t.region_code) for t in targets}
        counties = {truncate(r, COUNTY) for r in regions}
        if len(counties) > 1:
            raise AccountError({"targets": "一次批量修正只能涉及同一县（市、区）的数据"})
        region = regions.pop() if len(regions) == 1 else counties.pop()
        major, why = rules.is_major(target_type, len(ids), parsed)
        row = CreditCorrection(
            region_code=region, target_type=target_type, target_ids=ids,
            target_versions={str(t.id): t.version for t in targets},
            subject_id=subjects.pop() if len(subjects) == 1 else None, applicant_kind="subject" if own else "county",
            applied_by_id=actor.user_id, ground=ground, changes={k: _text(v) for k, v in parsed.items()},
            description=str(description).strip(), note=(str(note or "").strip() or None), major=major, major_reason=why,
            received_on=today, answer_due=due_date(url, today), status="submitted", collected_by_id=actor.user_id,
            provided_by=("信用主体本人" if own else "县级林业主管部门"), responsible_by=actor.username)
        s.add(row)
        s.flush()
        for name, content in files:
            attachments.add(s, actor, "credit_correction", row.id, name, content)
        audit(s, key, actor, f"提交数据修正申请 #{row.id}（{rules.TARGETS[target_type]} {len(ids)} 条，"
              f"{rules.GROUNDS[ground][:4]}）" + ("，重大或批量" if major else ""), "submitted", region,
              {"credit_correction_id": row.id, "targets": ids, "major": major})
        return row.id


_STEP_ACTION = {"review": Action.CREDIT_CORRECTION_REVIEW, "decide": Action.CREDIT_CORRECTION_DECIDE,
                "bureau": Action.CREDIT_CORRECTION_BUREAU, "execute": Action.CREDIT_CORRECTION_EXECUTE}
_STEP_LABEL = {"review": "审核", "decide": "会议决定", "bureau": "省林业局审议", "execute": "实施修正"}


def act(url: str, key: str, actor: Actor, correction_id, version, step: str, approve: bool = True, opinion=None,
        meeting_on: dt.date | None = None, minutes_ref=None, today: dt.date | None = None) -> str:
    """Take the correction's current step. Returns the new status."""
    with transaction(url, actor) as s:
        row = load_for_write(s, CreditCorrection, correction_id, actor, version, noun=NOUN, action=_STEP_ACTION[step])
        approve = True if step in ("review", "execute") else bool(approve)
        errors = rules.step_problems(step, row.status, row.major, approve, opinion, meeting_on, minutes_ref, today)
        if errors:
            raise AccountError(errors)
        now, text = utcnow(), (str(opinion).strip() if opinion else None)
        if step == "review":
            row.reviewed_by_id, row.reviewed_at, row.review_opinion = actor.user_id, now, text
        elif step == "decide":
            row.decided_by_id, row.decided_at, row.decision_opinion = actor.user_id, now, text
            row.meeting_on, row.minutes_ref = meeting_on, str(minutes_ref).strip()
        elif step == "bureau":
            row.bureau_by_id, row.bureau_at, row.bureau_opinion = actor.user_id, now, text
        else:
            _execute(s, actor, row, today)
            row.executed_by_id, row.executed_at = actor.user_id, now
        row.status = rules.next_status(step, approve, row.major)
        audit(s, key, actor, f"数据修正申请 #{row.id}：{_STEP_LABEL[step]}（{rules.STATES[row.status]}）"
              + (f"；意见：{text[:100]}" if text else ""), row.status, row.region_code,
              {"credit_correction_id": row.id, "step": step})
        return row.status


def _execute(s, actor: Actor, row: CreditCorrection, today: dt.date | None) -> None:
    """Change the targets (the county's step): each target's version must be the one the
    application saw; a restriction note (X47(3)) adds a note and never touches ownership."""
    model = MODELS[row.target_type]
    before, after, subjects = {}, {}, set()
    holder = None
    if "holder_identifier" in row.changes:
        holder = s.scalar(select(CreditSubject).where(CreditSubject.identifier == row.changes["holder_identifier"]))
        if holder is None:
            raise AccountError({"changes": "新权利人未登记为信用主体"})
    parsed, _ = rules.changes_problems(row.target_type, row.ground, row.changes, today or dt.date.max,
                                       lambda _i: None)
    for tid in row.target_ids:
        target = load_for_write(s, model, tid, actor, noun=NOUNS["credit_record" if row.target_type == "record"
                                                                 else "forest_right"])
        if target.version != int(row.target_versions.get(str(tid), -1)):
            raise StaleEdit(f"{rules.TARGETS[row.target_type]} #{tid} 在申请后已被修改，请核实后重新申请修正")
        subjects.add(target.subject_id)
        b, a = {}, {}
        for name, value in parsed.items():
            column = "subject_id" if name == "holder_identifier" else name
            new = holder.id if name == "holder_identifier" else value
            b[name], a[name] = _text(getattr(target, column)), _text(value)
            setattr(target, column, new)
        if row.ground == "3":
            s.add(ForestEncumbrance(right_id=target.id, region_code=target.region_code, kind="restriction",
                                    registered_on=today or clock.today(), note=row.note or row.description,
                                    created_by_id=actor.user_id))
            a["restriction_note"] = row.note or row.description
        before[str(tid)], after[str(tid)] = b, a
        s.flush()
    row.before, row.after = before, after
    if holder is not None:
        subjects.add(holder.id)
    for hook in AFTER_CORRECTION:
        hook(s, sorted(x for x in subjects if x is not None), today)


def chain(r: CreditCorrection, names: dict) -> list[dict]:
    """Each step of the chain: who, when, opinion."""
    steps = [("申请", r.applied_by_id, r.created_at, r.description),
             ("经办部门审核", r.reviewed_by_id, r.reviewed_at, r.review_opinion),
             ("会议决定", r.decided_by_id, r.decided_at,
              f"{r.decision_opinion or ''}（会议 {r.meeting_on}，纪要 {r.minutes_ref}）" if r.decided_by_id else None),
             ("省林业局审议", r.bureau_by_id, r.bureau_at, r.bureau_opinion),
             ("县级实施", r.executed_by_id, r.executed_at, "已按批准内容修正" if r.executed_by_id else None)]
    return [{"step": label, "by": names.get(uid, ""), "at": stamp(at), "opinion": text or ""}
            for label, uid, at, text in steps if uid is not None]


def listing(url: str, actor: Actor, today: dt.date) -> list[dict]:
    """Corrections the caller sees: officials their jurisdiction's; a subject its own."""
    with reading(url) as s:
        q = select(CreditCorrection).order_by(CreditCorrection.id.desc())
        user = account(s, actor)
        if user.credit_subject_id is not None or not scope_reader(actor):
            q = q.where((CreditCorrection.applied_by_id == user.id)
                        | (CreditCorrection.subject_id == (user.credit_subject_id or -1)))
        else:
            q = q.where(in_scope(CreditCorrection.region_code, actor))
        rows = list(s.scalars(q.limit(5000)))
        uids = {u for r in rows for u in (r.applied_by_id, r.reviewed_by_id, r.decided_by_id, r.bureau_by_id,
                                           r.executed_by_id) if u}
        names = people_named(s, uids)
        cal = calendar_of(url)
        return [_row(cal, actor, r, today, names) for r in rows]


def scope_reader(actor: Actor) -> bool:
    """Officials who act on corrections read them by jurisdiction."""
    return any(may(actor, a) for a in _STEP_ACTION.values()) or may(actor, Action.CREDIT_SUBJECT_VIEW)


def _row(cal, actor: Actor, r: CreditCorrection, today: dt.date, names: dict) -> dict:
    open_ = r.status in rules.OPEN_STATES
    step = {"submitted": "review", "reviewed": "decide", "bureau": "bureau", "approved": "execute"}.get(r.status)
    res = {"region_code": int(r.region_code), "applied_by_id": r.applied_by_id, "reviewed_by_id": r.reviewed_by_id}
    fields = rules.FIELDS[r.target_type]
    return {"id": r.id, "version": r.version, "target": f"{rules.TARGETS[r.target_type]} #{'、#'.join(map(str, r.target_ids))}",
            "ground": rules.GROUNDS[r.ground][:4], "ground_text": rules.GROUNDS[r.ground],
            "changes": "；".join(f"{fields[k][0]}→{rules.value_label(r.target_type, k, v)}" for k, v in r.changes.items())
            or f"权利限制备注：{r.note or ''}", "major": "是：" + (r.major_reason or "") if r.major else "否",
            "received_on": r.received_on.isoformat(), "answer_due": r.answer_due.isoformat(),
            "due": due_text(cal, r.answer_due, open_, today), "overdue": open_ and today > r.answer_due,
            "status": r.status, "state": rules.STATES[r.status], "step": step or "",
            "actable": bool(step) and may(actor, _STEP_ACTION[step], res), "chain": chain(r, names),
            "before": r.before or {}, "after": r.after or {}, "applicant": names.get(r.applied_by_id, "")}
