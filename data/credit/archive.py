"""The credit archive (信用档案, Art. X35): a subject's records with their source, producing
department, open and share classes, batch and authoritative document, its forest rights, and the
batches (with their documents) that brought any of it in."""
from __future__ import annotations

from sqlalchemy import select

from data.db import reading
from data.models import CreditImportBatch, User
from domain.permissions import Action, ensure

from .batch import batch_dict
from .records import records_of
from .rights import rights_of
from .subjects import identity, subject_row


def archive(url: str, who, subject_id) -> dict:
    ensure(who, Action.CREDIT_ARCHIVE_VIEW)
    with reading(url) as s:
        subject = subject_row(s, who, subject_id, Action.CREDIT_ARCHIVE_VIEW)
        records = records_of(s, subject.id)
        rights = rights_of(s, subject.id)
        ids = sorted({r["batch_id"] for r in records + rights if r["batch_id"]})
        batches = []
        if ids:
            q = (select(CreditImportBatch, User.username).join(User, User.id == CreditImportBatch.imported_by_id)
                 .where(CreditImportBatch.id.in_(ids)).order_by(CreditImportBatch.id))
            batches = [batch_dict(b, by) for b, by in s.execute(q)]
        return {"subject": identity(subject), "records": records, "rights": rights, "batches": batches}
