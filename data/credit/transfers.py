"""Data transfers (数据申报审批表, Art. X41–X44) in the system of record: the application with its
signed commitment, the three signatures (handling department, deputy head, head — three
different people, the action table's not_by), refusal at any step, and the confirmation that
the data was cleared from the device afterwards. A device named in the form is linked to the
issue-14 device register (设备登记台账) when the register has that model in use."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from data.db import reading, transaction
from data.errors import AccountError
from data.history import people_named
from data.models import CreditTransfer, RegisterEntry, utcnow
from data.scoped import in_scope, load_for_write
from domain.credit import transfers as rules
from domain.permissions import NOUNS, Action, Actor, ensure, may

from .common import account, audit, calendar_of, due_date, due_text, stamp

NOUN = NOUNS["credit_transfer"]
STEP_ACTION = {"prelim": Action.CREDIT_TRANSFER_PRELIM, "review": Action.CREDIT_TRANSFER_REVIEW,
               "approve": Action.CREDIT_TRANSFER_APPROVE}


def _device(s, model: str) -> int | None:
    """The register entry of an in-use device of that model (exact match), if any."""
    if not model:
        return None
    for entry in s.scalars(select(RegisterEntry).where(RegisterEntry.kind == "device",
                                                       RegisterEntry.state != "disposed").order_by(RegisterEntry.id)):
        if str((entry.fields or {}).get("model") or "").strip().lower() == model.strip().lower():
            return entry.id
    return None


def apply(url: str, key: str, actor: Actor, d: rules.Draft, today: dt.date) -> int:
    ensure(actor, Action.CREDIT_TRANSFER_APPLY)
    with transaction(url, actor) as s:
        user = account(s, actor)
        if (user.institution or "").strip():  # a public body applies for its own unit
            d.unit = user.institution.strip()
        errors = rules.draft_problems(d, today)
        if errors:
            raise AccountError(errors)
        device = d.method == "device"
        row = CreditTransfer(
            region_code=actor.scope.root, applied_by_id=actor.user_id, unit=d.unit.strip(),
            data_range=d.data_range.strip(), use_range=d.use_range.strip(), confidentiality=d.confidentiality.strip(),
            method=d.method, internet=bool(d.internet), justification=(d.justification or "").strip() or None,
            desensitised=bool(d.desensitised), encrypted=bool(d.encrypted),
            device_model=d.device_model.strip() if device else None,
            device_entry_id=_device(s, d.device_model) if device else None, persons=list(d.persons) if device else [],
            commitment_signed=True, commitment_name=d.commitment_name.strip(), commitment_on=d.commitment_on,
            received_on=today, answer_due=due_date(url, today), status="submitted", collected_by_id=actor.user_id,
            provided_by=d.unit.strip()[:100], responsible_by=actor.username)
        s.add(row)
        s.flush()
        audit(s, key, actor, f"填报数据传输申请 #{row.id}（{row.unit}，{rules.METHODS[row.method]}）", "submitted",
              row.region_code, {"credit_transfer_id": row.id})
        return row.id


def sign(url: str, key: str, actor: Actor, transfer_id, version, step: str, approve: bool, opinion) -> str:
    """Sign `step` (prelim | review | approve): agree (the next step) or refuse (it ends)."""
    with transaction(url, actor) as s:
        row = load_for_write(s, CreditTransfer, transfer_id, actor, version, noun=NOUN, action=STEP_ACTION[step])
        errors = rules.step_problems(step, row.status, approve, opinion)
        if errors:
            raise AccountError(errors)
        now, text = utcnow(), str(opinion).strip()
        by = {"prelim": "prelim", "review": "reviewed", "approve": "approved"}[step]
        opinion_col = {"prelim": "prelim_opinion", "review": "review_opinion", "approve": "approve_opinion"}[step]
        setattr(row, f"{by}_by_id", actor.user_id)
        setattr(row, f"{by}_at", now)
        setattr(row, opinion_col, text)
        if approve:
            row.status = rules.STEPS[step][1]
        else:
            row.status, row.refused_at_step = "refused", step
        label = rules.STEPS[step][2]
        audit(s, key, actor, f"数据传输申请 #{row.id}：{label}{'同意' if approve else '不同意'}；{text[:100]}", row.status,
              row.region_code, {"credit_transfer_id": row.id, "step": step})
        return row.status


def confirm_cleared(url: str, key: str, actor: Actor, transfer_id, version, note) -> None:
    """After the transfer: the data was cleared from the device (Art. X41), by the applicant's side."""
    with transaction(url, actor) as s:
        row = load_for_write(s, CreditTransfer, transfer_id, actor, version, noun=NOUN, action=Action.CREDIT_TRANSFER_APPLY)
        if row.applied_by_id != actor.user_id:
            raise AccountError({"note": "只有填报该申请的单位人员可以确认设备数据已清理"})
        errors = rules.clear_problems(row.status, row.method, note)
        if errors:
            raise AccountError(errors)
        row.status, row.cleared_at, row.cleared_by_id = "cleared", utcnow(), actor.user_id
        row.cleared_note = str(note or "").strip() or None
        audit(s, key, actor, f"确认数据传输 #{row.id} 完成后设备数据已清理", "success", row.region_code,
              {"credit_transfer_id": row.id})


def listing(url: str, actor: Actor, today: dt.date) -> list[dict]:
    """The transfers the caller sees: signers their jurisdiction's, an applicant its own."""
    with reading(url) as s:
        q = select(CreditTransfer).order_by(CreditTransfer.id.desc())
        if any(may(actor, a) for a in STEP_ACTION.values()):
            q = q.where(in_scope(CreditTransfer.region_code, actor))
        else:
            q = q.where(CreditTransfer.applied_by_id == actor.user_id)
        rows = list(s.scalars(q.limit(5000)))
        names = people_named(s, {u for r in rows for u in (r.applied_by_id, r.prelim_by_id, r.reviewed_by_id,
                                                            r.approved_by_id, r.cleared_by_id) if u})
        cal = calendar_of(url)
        return [_row(cal, actor, r, today, names) for r in rows]


def _row(cal, actor: Actor, r: CreditTransfer, today: dt.date, names: dict) -> dict:
    open_ = r.status in rules.OPEN_STATES
    step = {"submitted": "prelim", "prelim": "review", "reviewed": "approve"}.get(r.status)
    res = {"region_code": int(r.region_code), "applied_by_id": r.applied_by_id, "prelim_by_id": r.prelim_by_id,
           "reviewed_by_id": r.reviewed_by_id}
    signatures = [(label, names.get(uid, ""), stamp(at), text or "") for label, uid, at, text in (
        ("初审（经办部门）", r.prelim_by_id, r.prelim_at, r.prelim_opinion),
        ("审核（分管领导）", r.reviewed_by_id, r.reviewed_at, r.review_opinion),
        ("审批（主要领导）", r.approved_by_id, r.approved_at, r.approve_opinion),
        ("设备数据清理确认", r.cleared_by_id, r.cleared_at, r.cleared_note)) if uid]
    return {"id": r.id, "version": r.version, "unit": r.unit, "data_range": r.data_range, "use_range": r.use_range,
            "method": rules.METHODS[r.method] + ("（互联网，已脱敏加密）" if r.internet else ""),
            "device": (r.device_model or "") + (f"（已登记设备 #{r.device_entry_id}）" if r.device_entry_id else ""),
            "persons": "、".join(r.persons or []), "commitment": f"已签署（{r.commitment_name}，{r.commitment_on}）",
            "received_on": r.received_on.isoformat(), "answer_due": r.answer_due.isoformat(),
            "due": due_text(cal, r.answer_due, open_, today), "overdue": open_ and today > r.answer_due,
            "status": r.status, "state": rules.STATES[r.status], "step": step or "",
            "actable": bool(step) and may(actor, STEP_ACTION[step], res),
            "clearable": r.status == "approved" and r.applied_by_id == actor.user_id,
            "signatures": [dict(zip(("step", "by", "at", "opinion"), x)) for x in signatures],
            "applicant": names.get(r.applied_by_id, "")}
