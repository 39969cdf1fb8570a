"""The batch import of credit data on an authoritative document (Art. X18), all or nothing:

- no document (or an incomplete one) → refused whole: nothing enters, not even the batch row;
- any bad row → refused whole, every problem named by row and column;
- otherwise one `CreditImportBatch` holding the document (an attachment of the batch), and every
  record or forest right it brought in carries `batch_id` and source 'import' (a record's detail
  shows its 依据文件 through the batch). Subjects not yet registered are registered from the row.

The file is read by the collective economy's import reader (data.imports.files: CSV in UTF-8 or
GBK, .xlsx/.xls through calamine, every cell as text); rows are typed by the kind's template
(domain.credit.batch, domain.imports.kinds.parse_row)."""
from __future__ import annotations

import datetime as dt
import hashlib
import mimetypes

from sqlalchemy import insert, select

from data import attachments
from data.admin.audit_log import log_change
from data.db import reading, transaction
from data.imports.files import FileProblem, rows
from data.models import Attachment, CreditImportBatch, CreditRecord, CreditSubject, ForestRight, User, utcnow
from data.scoped import scoped
from domain.credit.batch import KINDS, MAX_ROWS, DocumentDraft, check_row, document_problems
from domain.imports.kinds import MAX_LISTED_ERRORS, RowError, is_header, map_header, parse_row
from domain.labels import time_text
from domain.permissions import Action, ensure, scope_of
from domain.regions import level_of, truncate

from .records import after_write, record_values
from .rights import right_values
from .subjects import shown_identifier, subject_values

OWNER = "credit_import_batch"
CHUNK = 1000


class Rejected(ValueError):
    """The batch was refused whole: `message` (Chinese) and the problems by row and column."""

    def __init__(self, message: str, errors: list[RowError] | None = None, fields: dict | None = None):
        self.message, self.errors, self.fields = message, errors or [], fields or {}
        super().__init__(message)

    def listed(self) -> list[dict]:
        return [{"row": e.row, "column": e.column, "message": e.message} for e in self.errors[:MAX_LISTED_ERRORS]]


def _read(kind_key: str, filename: str, content: bytes, who, today: dt.date):
    """(checked rows, errors) of a file; nothing is written."""
    kind = KINDS.get(kind_key)
    if kind is None:
        raise Rejected("请选择导入内容")
    try:
        header, data = rows(filename, content, is_header(kind))
    except FileProblem as exc:
        raise Rejected(f"文件无法读取：{exc}") from exc
    at, errors = map_header(kind, header)
    if errors:
        return kind, [], errors
    out, scope, seen_codes = [], scope_of(who), {}
    for n, cells_ in data:
        if len(out) + len(errors) >= MAX_ROWS:
            errors.append(RowError(n, "", f"超过 {MAX_ROWS} 行，请分批导入"))
            break
        values, errs = parse_row(kind, n, cells_, at, today)
        if not errs:
            drafts, errs = check_row(kind, values, today)
        if not errs and not scope.contains(drafts.subject_values["region_code"]):
            errs = [RowError(n, "地区代码", f"{drafts.subject_values['region_code']} 不在您的管辖范围内")]
        if not errs and drafts.right is not None:
            code = drafts.right["unit_code"]
            if code in seen_codes:
                errs = [RowError(n, "不动产单元代码", f"与第 {seen_codes[code]} 行重复")]
            seen_codes.setdefault(code, n)
        errors += errs
        if not errs:
            out.append(drafts)
    if not out and not errors:
        errors.append(RowError(2, "", "文件中没有数据行"))
    return kind, out, errors


def _existing(s, checked) -> tuple[dict[str, CreditSubject], set[str]]:
    idents = sorted({d.subject_values["identifier"] for d in checked})
    subjects: dict[str, CreditSubject] = {}
    for i in range(0, len(idents), 500):
        for r in s.scalars(select(CreditSubject).where(CreditSubject.identifier.in_(idents[i:i + 500]))):
            subjects[r.identifier] = r
    codes = sorted({d.right["unit_code"] for d in checked if d.right})
    taken: set[str] = set()
    for i in range(0, len(codes), 500):
        taken |= set(s.scalars(select(ForestRight.unit_code).where(ForestRight.unit_code.in_(codes[i:i + 500]))))
    return subjects, taken


def _db_errors(s, who, checked) -> list[RowError]:
    subjects, taken = _existing(s, checked)
    scope, errors = scope_of(who), []
    for d in checked:
        sub = subjects.get(d.subject_values["identifier"])
        if sub is not None and not scope.contains(sub.region_code):
            errors.append(RowError(d.row, "证件号码", "该主体已在其他辖区登记，不在您的管辖范围内"))
        if d.right and d.right["unit_code"] in taken:
            errors.append(RowError(d.row, "不动产单元代码", "该不动产单元代码已登记"))
    return errors


def preview(url: str, who, kind: str, filename: str, content: bytes, today: dt.date) -> dict:
    """Every problem of the file by row and column, and its first rows; nothing is written."""
    ensure(who, Action.CREDIT_RECORD_IMPORT)
    try:
        k, checked, errors = _read(kind, filename, content, who, today)
    except Rejected as exc:
        return {"rows": 0, "valid_rows": 0, "errors": [{"row": "", "column": "", "message": exc.message}],
                "error_count": 1, "preview": [], "kind_label": KINDS[kind].label if kind in KINDS else ""}
    if not errors:
        with reading(url) as s:
            errors = _db_errors(s, who, checked)
    listed = [{"row": e.row, "column": e.column, "message": e.message} for e in errors[:MAX_LISTED_ERRORS]]
    sample = [{"行号": d.row, "名称": d.subject_values["name"],
               "证件号码": shown_identifier(d.subject_values["id_type"], d.subject_values["identifier"]),
               "内容": (d.record or {}).get("title") or (d.right or {}).get("unit_code", "")} for d in checked[:20]]
    return {"rows": len(checked) + len({e.row for e in errors}), "valid_rows": len(checked), "errors": listed,
            "error_count": len(errors), "preview": sample, "kind_label": k.label}


def _region_of(codes) -> int:
    """The lowest region holding every row's region (the batch's region: whoever may see it sees its document)."""
    codes = list(codes)
    for level in range(min(level_of(c) for c in codes), 0, -1):
        if len({truncate(c, level) for c in codes}) == 1:
            return truncate(codes[0], level)
    return codes[0] // 10**10 * 10**10


def _write_rows(s, who, checked, batch_id: int) -> tuple[tuple[int, list[int]], int, int]:
    """Bulk inserts (Core executemany, like the collective economy's imports: the batch row and its
    document are the history of what it brought in): the new subjects first, then the records and
    rights. Returns ((subjects created, every subject id touched), records, rights)."""
    subjects = {ident: (row.id, int(row.region_code)) for ident, row in _existing(s, checked)[0].items()}
    fresh = {}
    for d in checked:
        fresh.setdefault(d.subject_values["identifier"], d.subject_values)
    fresh = [v for ident, v in fresh.items() if ident not in subjects]
    for i in range(0, len(fresh), CHUNK):
        part = [subject_values(who, v) for v in fresh[i:i + CHUNK]]
        got = s.execute(insert(CreditSubject).returning(CreditSubject.id, sort_by_parameter_order=True), part).scalars()
        for v, sid in zip(part, got):
            subjects[v["identifier"]] = (sid, v["region_code"])
    recs = [record_values(who, *subjects[d.subject_values["identifier"]], d.record, batch_id)
            for d in checked if d.record is not None]
    rights = [right_values(who, subjects[d.subject_values["identifier"]][0], d.right, batch_id)
              for d in checked if d.right is not None]
    for model, rows_ in ((CreditRecord, recs), (ForestRight, rights)):
        for i in range(0, len(rows_), CHUNK):
            s.execute(insert(model), rows_[i:i + CHUNK])
    touched = sorted({subjects[d.subject_values["identifier"]][0] for d in checked})
    return (len(fresh), touched), len(recs), len(rights)


def commit(url: str, key: str, who, kind: str, filename: str, content: bytes, document: DocumentDraft | None,
           today: dt.date) -> dict:
    """The import, all or nothing (module doc). Returns {batch_id, records, rights, subjects_created, message}."""
    ensure(who, Action.CREDIT_RECORD_IMPORT)
    if (fields := document_problems(document, today)):
        raise Rejected("未导入：" + "；".join(fields.values()) + "。整批数据一条也未导入。", fields=fields)
    k, checked, errors = _read(kind, filename, content, who, today)
    if errors:
        raise Rejected(f"未导入：文件有 {len(errors)} 处错误，整批数据一条也未导入，请按错误清单修改后重新上传。", errors)
    with transaction(url, who) as s:
        if (errors := _db_errors(s, who, checked)):
            raise Rejected(f"未导入：文件有 {len(errors)} 处错误，整批数据一条也未导入。", errors)
        region = _region_of(d.subject_values["region_code"] for d in checked)
        ensure(who, Action.CREDIT_RECORD_IMPORT, {"region_code": region})
        name = attachments.clean_name(document.filename)
        att = Attachment(owner_type=OWNER, owner_id=0, filename=name,
                         content_type=mimetypes.guess_type(name)[0] or "application/octet-stream",
                         size=len(document.content), sha256=hashlib.sha256(document.content).hexdigest(),
                         content=document.content, uploaded_by_id=who.user_id, uploaded_at=utcnow())
        s.add(att)
        s.flush()
        batch = CreditImportBatch(region_code=region, kind=k.key, document_title=document.title.strip(),
                                  document_no=document.number.strip(), issued_by=document.issued_by.strip(),
                                  issued_on=document.issued_on, attachment_id=att.id, filename=name, sha256=att.sha256,
                                  rows=len(checked), imported_by_id=who.user_id, collected_by_id=who.user_id,
                                  provided_by=who.username, responsible_by=document.issued_by.strip())
        s.add(batch)
        s.flush()
        att.owner_id = batch.id
        created, n_records, n_rights = _write_rows(s, who, checked, batch.id)
        after_write(s, created[1], today)
        message = (f"已导入{k.label} {len(checked)} 行（依据：{batch.document_title} {batch.document_no}）"
                   f"，新登记信用主体 {created[0]} 个")
        log_change(s, key, who, region, message, credit_import_batch_id=batch.id, sha256=att.sha256, rows=len(checked))
        return {"batch_id": batch.id, "records": n_records, "rights": n_rights, "subjects_created": created[0],
                "message": message}


def batches(url: str, who, limit: int = 500) -> list[dict]:
    """The batches of the caller's jurisdiction with their documents, newest first."""
    ensure(who, Action.CREDIT_SUBJECT_VIEW)
    with reading(url) as s:
        q = (scoped(select(CreditImportBatch, User.username), CreditImportBatch, who)
             .join(User, User.id == CreditImportBatch.imported_by_id)
             .order_by(CreditImportBatch.id.desc()).limit(limit))
        return [batch_dict(b, by) for b, by in s.execute(q)]


def batch_dict(b: CreditImportBatch, by: str = "") -> dict:
    return {"id": b.id, "kind": KINDS[b.kind].label if b.kind in KINDS else b.kind, "title": b.document_title,
            "number": b.document_no, "issued_by": b.issued_by, "issued_on": b.issued_on.isoformat(),
            "filename": b.filename, "sha256": b.sha256, "rows": b.rows, "by": by,
            "at": time_text(b.created_at) if b.created_at else "",
            "href": f"/api/attachments/{b.attachment_id}", "attachment_id": b.attachment_id}


def batch_counts(url: str, batch_id: int) -> tuple[int, int]:
    """(records, rights) a batch brought in (for tests and the archive)."""
    from sqlalchemy import func

    with reading(url) as s:
        return (s.scalar(select(func.count()).select_from(CreditRecord).where(CreditRecord.batch_id == batch_id)),
                s.scalar(select(func.count()).select_from(ForestRight).where(ForestRight.batch_id == batch_id)))
