"""Credit records (Art. X10–X18) in the system of record: entering a record of a subject (with a
loan's repayment schedule), a record's detail with the authoritative document of the batch that
brought it in, and the data unit's reclassification of its open and share classes (Art. X11–X12).

After every write that changes a subject's records, each hook in `AFTER_RECORD_WRITE` is called
with `(session, subject_ids, as_of)` inside the same transaction; the first is the credit
evaluation (data.credit.evaluate.reevaluate), so a score always follows its records."""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal

from sqlalchemy import select

from data import attachments
from data.admin.audit_log import log_change
from data.db import reading, transaction
from data.errors import AccountError
from data.models import Attachment, CreditImportBatch, CreditRecord, CreditRepayment, CreditSubject, ForestRight
from data.scoped import load_for_write
from domain import clock
from domain.credit import codes
from domain.credit.drafts import RecordDraft, record_problems
from domain.permissions import Action, ensure
from data.prices.platform import hook as price_samples

from .evaluate import reevaluate
from .subjects import subject_row

NOUN = "该信用记录"
#: called as hook(session, subject_ids, as_of) after a record write, in its transaction (then the
#: transfers' price samples, data.prices.platform)
AFTER_RECORD_WRITE: list[Callable] = [lambda s, ids, as_of: reevaluate(s, ids, as_of, "record_changed"),
                                      price_samples]


def after_write(s, subject_ids, as_of: dt.date) -> None:
    for hook in AFTER_RECORD_WRITE:
        hook(s, list(subject_ids), as_of)


def record_values(who, subject_id: int, region: int, v: dict, batch_id: int | None = None) -> dict:
    """The columns of a new record from its checked values (the ORM row's, or a batch's bulk insert)."""
    return dict(subject_id=subject_id, region_code=region, category=v["category"], kind=v["kind"], subtype=v["subtype"],
                title=v["title"], content=v["content"], severity=v["severity"], occurred_on=v["occurred_on"],
                publicity_until=v["publicity_until"], amount_fen=v["amount_fen"], document_no=v["document_no"],
                counterparty=v["counterparty"], source=v["source"], source_system=v["source_system"],
                produced_by=v["produced_by"], open_class=v["open_class"], share_class=v["share_class"], batch_id=batch_id,
                status="active", masked=False,
                detail=({"term_months": v["term_months"]} if v.get("term_months") else v.get("transfer") or None),
                collected_by_id=who.user_id, provided_by=v["provided_by"] or who.username,
                responsible_by=v["responsible_by"] or v["produced_by"])


def new_record(s, who, subject: CreditSubject, v: dict) -> CreditRecord:
    """Insert a checked record (and a loan's repayments) inside the caller's transaction."""
    r = CreditRecord(**record_values(who, subject.id, subject.region_code, v))
    s.add(r)
    s.flush()
    for due, fen in v.get("schedule") or ():
        s.add(CreditRepayment(record_id=r.id, region_code=subject.region_code, due_on=due, due_fen=fen, paid_fen=0))
    return r


def create_record(url: str, key: str, who, subject_id, draft: RecordDraft, today: dt.date) -> int:
    """Enter a record of a subject in the caller's jurisdiction. Returns its id."""
    ensure(who, Action.CREDIT_RECORD_SAVE)
    with transaction(url, who) as s:
        subject = subject_row(s, who, subject_id, Action.CREDIT_RECORD_SAVE)
        v, errors = record_problems(draft, today, subject.kind in codes.NATURAL_KINDS)
        if draft.source == "import":
            errors["source"] = "批量导入的数据须附依据文件，请在“批量导入”页导入"
        if (t := v.get("transfer")) and "right_id" in t and "right_id" not in errors:
            right = s.get(ForestRight, t["right_id"])
            if right is None or right.subject_id != subject.id:
                errors["right_id"] = "所选林权不属于该信用主体"
            elif "area_mu" in t and Decimal(t["area_mu"]) > right.area_mu:
                errors["transfer_area"] = f"流转面积不能大于该宗地面积（{right.area_mu} 亩）"
        if errors:
            raise AccountError(errors)
        r = new_record(s, who, subject, v)
        log_change(s, key, who, subject.region_code, f"录入信用记录：{subject.name} {codes.kind_label(r.kind)}「{r.title}」",
                   credit_record_id=r.id)
        after_write(s, [subject.id], today)
        return r.id


def _document(s, batch_id: int | None) -> dict | None:
    b = s.get(CreditImportBatch, batch_id) if batch_id else None
    if b is None:
        return None
    return {"batch_id": b.id, "title": b.document_title, "number": b.document_no, "issued_by": b.issued_by,
            "issued_on": b.issued_on.isoformat(), "attachment_id": b.attachment_id, "filename": b.filename,
            "href": f"/api/attachments/{b.attachment_id}"}


def record_dict(r: CreditRecord, document: dict | None = None) -> dict:
    return {"id": r.id, "subject_id": r.subject_id, "kind": r.kind, "kind_label": codes.kind_label(r.kind),
            "category": codes.CATEGORIES[r.category], "subtype": r.subtype,
            "subtype_label": {**codes.GOOD_TYPES, **codes.DISHONEST_TYPES, **codes.LIST_TYPES}.get(r.subtype or "", ""),
            "title": r.title, "content": r.content or "", "severity": codes.SEVERITIES.get(r.severity or "", ""),
            "occurred_on": r.occurred_on.isoformat(),
            "publicity_until": r.publicity_until.isoformat() if r.publicity_until else "",
            "amount": f"{r.amount_fen / 100:,.2f}" if r.amount_fen is not None else "",
            "document_no": r.document_no or "", "counterparty": r.counterparty or "",
            "source": codes.SOURCES.get(r.source, r.source), "source_system": r.source_system or "",
            "produced_by": r.produced_by, "provided_by": r.provided_by or "", "responsible_by": r.responsible_by or "",
            "open_class": r.open_class, "open_label": codes.OPEN_CLASSES[r.open_class], "share_class": r.share_class,
            "share_label": codes.SHARE_CLASSES[r.share_class], "reclass_rule": r.reclass_rule or "",
            "masked": "是" if r.masked else "否", "status": codes.RECORD_STATUSES.get(r.status, r.status),
            "batch_id": r.batch_id or "", "document": (document or {}).get("title", ""),
            "document_href": (document or {}).get("href", ""), "version": r.version}


def records_of(s, subject_id: int) -> list[dict]:
    """The subject's records (newest first) with the document of each one's batch."""
    rows = s.scalars(select(CreditRecord).where(CreditRecord.subject_id == subject_id)
                     .order_by(CreditRecord.occurred_on.desc(), CreditRecord.id.desc()).limit(2000)).all()
    docs = {b: _document(s, b) for b in {r.batch_id for r in rows if r.batch_id}}
    return [record_dict(r, docs.get(r.batch_id)) for r in rows]


def subject_records(url: str, who, subject_id) -> list[dict]:
    ensure(who, Action.CREDIT_SUBJECT_VIEW)
    with reading(url) as s:
        subject = subject_row(s, who, subject_id)
        return records_of(s, subject.id)


def record_detail(url: str, who, record_id) -> dict:
    """One record with its repayments, its 依据文件 (the batch's document) and consent documents."""
    ensure(who, Action.CREDIT_SUBJECT_VIEW)
    with reading(url) as s:
        r = load_for_write(s, CreditRecord, record_id, who, noun=NOUN, action=Action.CREDIT_SUBJECT_VIEW)
        doc = _document(s, r.batch_id)
        out = record_dict(r, doc)
        out["document_detail"] = doc
        out["repayments"] = [{"due_on": p.due_on.isoformat(), "due": f"{p.due_fen / 100:,.2f}",
                              "paid_on": p.paid_on.isoformat() if p.paid_on else "", "paid": f"{p.paid_fen / 100:,.2f}"}
                             for p in s.scalars(select(CreditRepayment).where(CreditRepayment.record_id == r.id)
                                                .order_by(CreditRepayment.due_on))]
        out["consents"] = [{"id": a.id, "filename": a.filename, "href": f"/api/attachments/{a.id}"}
                           for a in s.scalars(select(Attachment).where(Attachment.owner_type == "credit_record",
                                                                       Attachment.owner_id == r.id))]
        return out


def reclassify(url: str, key: str, who, record_id, open_class: str, share_class: str, ground: str | None,
               note: str | None, version: int, today: dt.date | None = None,
               document: tuple[str, bytes] | None = None) -> int:
    """Move a record's open and share classes (Art. X11–X12), by the data unit. A move to a more open
    class needs a ground (RECLASS_GROUNDS): desensitised data is marked masked (its personal fields
    are masked in every open output), consent needs the consenting document; the rule is recorded
    in `reclass_rule`. A move to a less open class needs a reason. Returns the new version."""
    ensure(who, Action.CREDIT_RECORD_RECLASS)
    today = today or clock.today()
    errors: dict[str, str] = {}
    if open_class not in codes.OPEN_CLASSES:
        errors["open_class"] = "请选择开放属性"
    if share_class not in codes.SHARE_CLASSES:
        errors["share_class"] = "请选择共享属性"
    note = (note or "").strip()
    if len(note) > 150:
        errors["note"] = "说明不超过150字"
    with transaction(url, who) as s:
        r = load_for_write(s, CreditRecord, record_id, who, version, noun=NOUN, action=Action.CREDIT_RECORD_RECLASS)
        if errors:
            raise AccountError(errors)
        old = (r.open_class, r.share_class)
        if old == (open_class, share_class):
            raise AccountError({"open_class": "开放、共享属性没有改变"})
        wider = codes.more_open(r.open_class, open_class) or codes.more_open(r.share_class, share_class)
        narrower = codes.more_open(open_class, r.open_class) or codes.more_open(share_class, r.share_class)
        if wider and ground not in codes.RECLASS_GROUNDS:
            errors["ground"] = "调整为更开放的属性须有依据：依法经过脱敏处理，或相关权利人同意开放"
        if wider and ground == "consent" and not document:
            errors["document"] = "权利人同意开放的，须上传权利人同意书"
        if document and (why := attachments.file_problem(*document)):
            errors["document"] = why
        if narrower and not note:
            errors["note"] = "调整为更不开放的属性须说明理由"
        if errors:
            raise AccountError(errors)
        if wider:
            r.reclass_rule = f"{codes.RECLASS_GROUNDS[ground]}（{who.username}，{today.isoformat()}）{note}"[:200]
            if ground == "desensitised":
                r.masked = True
        else:
            r.reclass_rule = f"收窄：{note}（{who.username}，{today.isoformat()}）"[:200]
        r.open_class, r.share_class = open_class, share_class
        s.flush()
        if wider and ground == "consent":
            attachments.add(s, who, "credit_record", r.id, *document)
        log_change(s, key, who, r.region_code,
                   f"调整信用记录 #{r.id} 的开放、共享属性：{codes.OPEN_CLASSES[old[0]]}/{codes.SHARE_CLASSES[old[1]]} → "
                   f"{codes.OPEN_CLASSES[open_class]}/{codes.SHARE_CLASSES[share_class]}",
                   credit_record_id=r.id, ground=ground, note=note)
        return r.version
