"""Attachments: files kept with a record (a payment request's invoice, a warning's handling
evidence, a contract scan), stored with their SHA-256 and checked against it on every read.

A file belongs to an owner (`owner_type`, `owner_id`); whoever may see the owner's region may see
its files. Refusals name the problem in Chinese and store nothing.
"""
from __future__ import annotations

import base64
import binascii
import hashlib
import mimetypes
import re
from pathlib import PurePath

from sqlalchemy import select

from data.errors import AccountError
from data.models import (Asset, Attachment, BaseDataChange, Contract, CreditCorrection, CreditImportBatch, CreditRecord,
                         DataRequest, Meeting, PaymentRequest, Warning, WarningEvent, utcnow)
from domain.permissions import Action, PermissionDenied, may

MAX_BYTES = 10 * 1024 * 1024
ALLOWED = {".pdf", ".ofd", ".jpg", ".jpeg", ".png", ".doc", ".docx", ".xls", ".xlsx", ".csv", ".txt"}


def _region_of_event(s, event_id: int) -> int | None:
    ev = s.get(WarningEvent, event_id)
    w = s.get(Warning, ev.warning_id) if ev else None
    return int(w.region_code) if w else None


#: owner_type -> how to find the region the owner belongs to
OWNERS = {
    "payment_request": lambda s, i: (lambda r: int(r.region_code) if r else None)(s.get(PaymentRequest, i)),
    "contract": lambda s, i: (lambda r: int(r.region_code) if r else None)(s.get(Contract, i)),
    "warning_event": _region_of_event,
    # a meeting's other files, its minutes and its sign-in sheet (data.meetings.OWNER_TYPES)
    **dict.fromkeys(("meeting", "meeting_minutes", "meeting_signin"),
                    lambda s, i: (lambda r: int(r.region_code) if r else None)(s.get(Meeting, i))),
    "asset": lambda s, i: (lambda r: int(r.region_code) if r else None)(s.get(Asset, i)),
    # a base-data change's document, a correction's evidence (data.basedata.changes)
    "base_data_change": lambda s, i: (lambda r: int(r.region_code) if r else None)(s.get(BaseDataChange, i)),
    # a data-sharing application's signed confidentiality commitment (data.sharing.requests)
    "data_request": lambda s, i: (lambda r: int(r.region_code) if r else None)(s.get(DataRequest, i)),
    # forestry credit: a batch's authoritative document (Art. X18), a holder's consent to open a record (Art. X11)
    "credit_import_batch": lambda s, i: (lambda r: int(r.region_code) if r else None)(s.get(CreditImportBatch, i)),
    "credit_record": lambda s, i: (lambda r: int(r.region_code) if r else None)(s.get(CreditRecord, i)),
    # a credit correction's evidence (data.credit.corrections)
    "credit_correction": lambda s, i: (lambda r: int(r.region_code) if r else None)(s.get(CreditCorrection, i)),
}


class CorruptAttachment(RuntimeError):
    """The stored bytes no longer match their checksum."""


def clean_name(filename: str | None) -> str:
    name = PurePath((filename or "").replace("\\", "/")).name.strip()
    name = re.sub(r"[\x00-\x1f<>:\"|?*]", "_", name)
    return name[:200]


def file_problem(filename: str | None, content: bytes | None) -> str | None:
    """Why a file cannot be attached (Chinese), or None."""
    name = clean_name(filename)
    if not name:
        return "请选择文件"
    if PurePath(name).suffix.lower() not in ALLOWED:
        return "只能上传 PDF、OFD、图片、Word、Excel、CSV 或文本文件"
    if not content:
        return f"文件“{name}”是空的"
    if len(content) > MAX_BYTES:
        return f"文件“{name}”超过 {MAX_BYTES // 1024 // 1024} MB"
    return None


def files_problem(files) -> str | None:
    """Why any of `files` ((name, content) pairs) cannot be attached, all reasons in one Chinese
    message, or None: a write with one bad file stores none of them."""
    problems = [p for name, content in files or () if (p := file_problem(name, content))]
    return "；".join(problems) or None


def decode_upload(contents: str | None) -> bytes:
    """The bytes of a dcc.Upload value (`data:<type>;base64,<data>`)."""
    if not contents or "," not in contents:
        return b""
    try:
        return base64.b64decode(contents.split(",", 1)[1], validate=True)
    except (binascii.Error, ValueError):
        return b""


def add(s, actor, owner_type: str, owner_id: int, filename: str, content: bytes) -> int:
    """Store one file with its checksum inside the caller's transaction `s`. Returns its id."""
    if owner_type not in OWNERS:
        raise ValueError(f"unknown attachment owner {owner_type}")
    problem = file_problem(filename, content)
    if problem:
        raise AccountError({"attachments": problem})
    region = OWNERS[owner_type](s, owner_id)
    if region is None or not actor.scope.contains(region):
        raise PermissionDenied("该记录不在您的管辖范围内")
    name = clean_name(filename)
    att = Attachment(owner_type=owner_type, owner_id=owner_id, filename=name,
                     content_type=mimetypes.guess_type(name)[0] or "application/octet-stream", size=len(content),
                     sha256=hashlib.sha256(content).hexdigest(), content=content, uploaded_by_id=actor.user_id,
                     uploaded_at=utcnow())
    s.add(att)
    s.flush()
    return att.id


def _may_read(scope, region: int | None) -> bool:
    return region is not None and may(scope, Action.ATTACHMENT_READ, {"region_code": region})


def list_for(s, scope, owner_type: str, owner_id: int) -> list[dict]:
    if not _may_read(scope, OWNERS[owner_type](s, owner_id)):
        raise PermissionDenied("该记录不在您的管辖范围内")
    q = (select(Attachment.id, Attachment.filename, Attachment.size, Attachment.sha256, Attachment.uploaded_at)
         .where(Attachment.owner_type == owner_type, Attachment.owner_id == owner_id).order_by(Attachment.id))
    return [dict(r._mapping) for r in s.execute(q)]


def fetch(url: str, scope, attachment_id: int) -> tuple[str, str, bytes]:
    """(filename, content type, bytes) of an attachment in the caller's scope; the checksum is
    verified before anything is returned."""
    from data.db import reading

    with reading(url) as s:
        att = s.get(Attachment, attachment_id)
        region = OWNERS.get(att.owner_type, lambda *_: None)(s, att.owner_id) if att else None
        if att is None or not _may_read(scope, region):
            raise PermissionDenied("附件不存在或不在您的管辖范围内")
        if hashlib.sha256(att.content).hexdigest() != att.sha256:
            raise CorruptAttachment(f"附件 {attachment_id} 校验失败")
        return att.filename, att.content_type or "application/octet-stream", att.content
