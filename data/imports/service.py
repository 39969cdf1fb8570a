"""The import flow: `preview` (read-only: every error, the first rows, the counts) and `commit`
(one transaction: check again, write every row, record the import and its security-log entry; a
bad row, a row outside the importer's jurisdiction, a locked region or the same file again commits
nothing). A process killed during the commit leaves nothing: the rows and the record are one
transaction, never committed. `imports` lists the records an importer may see."""
from __future__ import annotations

import datetime as dt
import hashlib

from sqlalchemy import select

from data.admin import audit_log
from data.basedata.lock import ensure_unlocked
from data.db import reading, transaction
from data.imports.check import Checked, check_books, parse_file
from data.imports.files import FileProblem
from data.imports.write import WRITERS, Progress
from data.models import DataImport, User
from data.scoped import in_scope
from domain.basedata.lock import BaseDataLocked
from domain.imports.kinds import KINDS, MAX_LISTED_ERRORS, RowError
from domain.labels import time_text
from domain.permissions import Action, Refused, ensure

RESULT_LABELS = {"committed": "已导入", "rejected": "有错误，未导入", "refused": "被拒绝，未导入"}


class Rejected(ValueError):
    """A file with errors: nothing committed. `summary` is what the preview shows."""

    def __init__(self, summary: dict):
        self.summary = summary
        super().__init__(summary["message"])


def import_summary(c: Checked, message: str = "") -> dict:
    errors = sorted(c.errors, key=lambda e: (e.row, e.column))
    from domain.imports.chart2004 import NAMES_2004

    return {
        "kind": c.kind.key, "kind_label": c.kind.label, "filename": c.filename, "sha256": c.sha256, "rows": c.count,
        "valid_rows": len(c.rows), "error_count": len(errors), "vouchers": len(c.vouchers),
        "errors": [{"row": e.row, "column": e.column, "message": e.message, "text": e.text}
                   for e in errors[:MAX_LISTED_ERRORS]],
        "unmapped": [f"科目 {code} {NAMES_2004.get(code, '')} 无法对应到 2023 年科目表" for code in sorted(c.unmapped)
                     if code in NAMES_2004],
        "preview": c.preview, "noun": c.kind.noun, "message": message,
    }


def earlier_import(s, kind: str, sha256: str) -> DataImport | None:
    return s.scalar(select(DataImport).where(DataImport.kind == kind, DataImport.sha256 == sha256,
                                             DataImport.result == "committed"))


def duplicate_message(s, earlier: DataImport) -> str:
    who = s.get(User, earlier.imported_by_id)
    name = f"{who.display_name}（{who.username}）" if who else "他人"
    return (f"该文件已于 {time_text(earlier.created_at)} 由 {name} 导入（导入记录第 {earlier.id} 号，"
            f"文件 {earlier.filename}），不能重复导入")


def _parsed(kind: str, filename: str, content: bytes, today: dt.date) -> Checked:
    """The file read and typed (before any transaction: a write lock is not held while parsing)."""
    try:
        return parse_file(kind, filename, content, today)
    except FileProblem as exc:
        c = Checked(KINDS[kind], filename, hashlib.sha256(content).hexdigest(), len(content))
        c.errors = [RowError(1, "", str(exc))]
        return c


def preview(url: str, actor, kind: str, filename: str, content: bytes, today: dt.date) -> dict:
    """What committing the file would do: the counts, every error (row and column), the first rows."""
    ensure(actor, Action.DATA_IMPORT)
    c = _parsed(kind, filename, content, today)
    with reading(url) as s:
        c = check_books(s, actor, c)
        earlier = earlier_import(s, kind, c.sha256) if c.sha256 else None
        out = import_summary(c)
        out["duplicate"] = duplicate_message(s, earlier) if earlier else ""
        return out


def log_import(s, key, actor, type_: str, description: str, result: str, **detail) -> None:
    audit_log.record(s, key, actor=actor.username, actor_id=actor.user_id, type=type_, description=description,
                     result=result, region_code=actor.scope.root, ip=actor.ip, detail=detail or None)


def record_attempt(url, key, actor, c: Checked, result: str, message: str, type_: str = "data_import",
             log_result: str | None = None) -> int:
    """The record of an import that committed nothing, in its own transaction."""
    with transaction(url, actor) as s:
        rec = DataImport(kind=c.kind.key, filename=c.filename[:200], sha256=c.sha256, size=c.size, rows=c.count,
                         result=result, message=message[:2000], region_code=actor.scope.root,
                         imported_by_id=actor.user_id, collected_by_id=actor.user_id, responsible_by=actor.username,
                         detail={"errors": len(c.errors)})
        s.add(rec)
        s.flush()
        log_import(s, key, actor, type_, f"导入{c.kind.label}：{c.filename}，{message}"[:1000], log_result or result,
             import_id=rec.id, sha256=c.sha256, kind=c.kind.key)
        return rec.id


class _Refusal(Exception):
    def __init__(self, message: str, security: bool, logged: bool = False):
        super().__init__(message)
        self.security, self.logged = security, logged


def _refusal_of(s, actor, c: Checked) -> _Refusal | None:
    earlier = earlier_import(s, c.kind.key, c.sha256)
    if earlier is not None:
        return _Refusal(duplicate_message(s, earlier), security=False)
    if c.out_of_scope:
        codes = "、".join(str(x) for x in sorted(c.out_of_scope)[:5])
        return _Refusal(f"文件中有不在您管辖范围内的地区（{codes}），整份未导入", security=True)
    for region in sorted(c.locked):
        try:
            ensure_unlocked(s, region)
        except BaseDataLocked as exc:
            return _Refusal(f"{exc}，整份未导入", security=True, logged=exc.logged)
    return None


def commit(url: str, key: str, actor, kind: str, filename: str, content: bytes, today: dt.date,
           progress: Progress | None = None) -> dict:
    """Import the whole file or nothing. Returns {"import_id", "rows", "vouchers", "message"}; raises
    `Rejected` (errors by row and column: nothing written but the attempt's record) or `Refused`
    (outside the jurisdiction, a locked region: in the security log; the same file again)."""
    ensure(actor, Action.DATA_IMPORT)
    if kind not in KINDS:
        raise ValueError(kind)
    refusal = None
    c = _parsed(kind, filename, content, today)
    with transaction(url, actor) as s:
        c = check_books(s, actor, c)
        refusal = _refusal_of(s, actor, c)
        if refusal is None and not c.errors:
            if progress:
                progress(0, max(c.count, 1))
            written = WRITERS[kind](s, actor, c, progress)
            message = f"已导入{c.kind.label} {c.count} 行" + (f"（{written} 张凭证）" if c.vouchers else "")
            rec = DataImport(kind=kind, filename=filename[:200], sha256=c.sha256, size=c.size, rows=c.count,
                             result="committed", message=message, region_code=actor.scope.root,
                             imported_by_id=actor.user_id, collected_by_id=actor.user_id,
                             responsible_by=actor.username, detail={"written": written})
            s.add(rec)
            s.flush()
            log_import(s, key, actor, "data_import", f"导入{c.kind.label}：{filename}，{message}", "success",
                 import_id=rec.id, sha256=c.sha256, kind=kind, rows=c.count)
            return {"import_id": rec.id, "rows": c.count, "written": written, "message": message}
    if refusal is not None:
        if refusal.security:
            if not refusal.logged:
                record_attempt(url, key, actor, c, "refused", str(refusal), "permission_denied", "denied")
            else:
                record_attempt(url, key, actor, c, "refused", str(refusal))
            raise Refused(str(refusal), Action.DATA_IMPORT)
        record_attempt(url, key, actor, c, "refused", str(refusal))
        raise Rejected({**import_summary(c, str(refusal)), "duplicate": str(refusal)})
    n = len(c.errors)
    record_attempt(url, key, actor, c, "rejected", f"有 {n} 处错误，整份未导入")
    raise Rejected(import_summary(c, f"有 {n} 处错误，整份未导入"))


def imports(url: str, actor, limit: int = 200) -> list[dict]:
    """The import records of the actor's jurisdiction, newest first."""
    ensure(actor, Action.DATA_IMPORT)
    with reading(url) as s:
        rows = s.execute(select(DataImport, User.display_name).join(User, User.id == DataImport.imported_by_id)
                         .where(in_scope(DataImport.region_code, actor))
                         .order_by(DataImport.id.desc()).limit(limit)).all()
        return [{"id": r.id, "at": time_text(r.created_at), "by": name, "kind": KINDS[r.kind].label if r.kind in KINDS
                 else r.kind, "filename": r.filename, "sha256": r.sha256[:16] + "…", "rows": r.rows,
                 "result": RESULT_LABELS.get(r.result, r.result), "message": r.message or ""} for r, name in rows]
