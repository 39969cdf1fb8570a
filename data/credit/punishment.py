"""The joint-punishment list (联合惩戒, Art. X34): the subjects with a dishonest record in effect
(status active) and still in publicity on a chosen date (domain.credit.publicity.in_publicity:
decided on or before the date, the date on or before the last day), with those records.

`punished(url, who, as_of)` is the page's read (scoped to the viewer's jurisdiction by the
record's region); `CREDIT_PUNISHED_SQL` is the warning engine's bulk read of the same records
(the engine's rule `credit_blacklisted_counterparty` keeps the ones in publicity on the run date).
"""
from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from data.db import reading
from data.models import CreditRecord, CreditSubject
from data.scoped import scoped
from domain.credit.codes import DISHONEST_TYPES, SEVERITIES, SUBJECT_KINDS
from domain.credit.publicity import in_publicity
from domain.permissions import Action, ensure, may
from domain.privacy import Purpose, id_shown, name_shown

#: The engine's read: every active dishonest record with a publicity end whose subject is a
#: counterparty or payee of the collective economy ({a}: the run's subtree, empty for a full run)
CREDIT_PUNISHED_SQL = (
    "SELECT r.id AS record_id, r.subject_id, s.identifier, s.id_type, s.name AS subject_name, r.title, r.subtype, "
    "r.document_no, r.occurred_on, r.publicity_until, r.produced_by, r.status FROM credit_records r "
    "JOIN credit_subjects s ON s.id = r.subject_id WHERE r.kind = 'dishonest' AND r.status = 'active' "
    "AND r.publicity_until IS NOT NULL AND s.identifier IN ("
    "SELECT UPPER(TRIM(counterparty_id)) FROM contracts WHERE counterparty_id IS NOT NULL{a} UNION "
    "SELECT UPPER(TRIM(counterparty_id)) FROM payment_requests WHERE counterparty_id IS NOT NULL{a})")
#: rows the page shows at most (the export writes them all)
SHOW_MAX = 20_000


def purpose_for(who) -> Purpose:
    """Names in clear for those who may read subjects' records in their jurisdiction (numbers
    still masked: a list is no task that needs them); every personal field masked for the rest."""
    return Purpose.REVIEW if may(who, Action.CREDIT_SUBJECT_VIEW) else Purpose.STATISTICS


def punished(url: str, who, as_of: dt.date, *, limit: int | None = None, purpose: Purpose | None = None) -> list[dict]:
    """The list on `as_of`: one row per dishonest record in publicity, with its subject, sorted
    by subject then decision date; personal fields as `purpose` (default: the viewer's) shows them."""
    ensure(who, Action.CREDIT_PUNISHMENT_VIEW)
    purpose = purpose or purpose_for(who)
    stmt = (select(CreditRecord.id, CreditRecord.subject_id, CreditRecord.region_code, CreditRecord.title,
                   CreditRecord.subtype, CreditRecord.severity, CreditRecord.document_no, CreditRecord.occurred_on,
                   CreditRecord.publicity_until, CreditRecord.produced_by, CreditSubject.name, CreditSubject.kind,
                   CreditSubject.id_type, CreditSubject.identifier, CreditSubject.grade)
            .join(CreditSubject, CreditSubject.id == CreditRecord.subject_id)
            .where(CreditRecord.kind == "dishonest", CreditRecord.status == "active",
                   CreditRecord.occurred_on <= as_of, CreditRecord.publicity_until >= as_of)
            .order_by(CreditRecord.subject_id, CreditRecord.occurred_on, CreditRecord.id))
    stmt = scoped(stmt, CreditRecord, who)
    if limit:
        stmt = stmt.limit(limit)
    with reading(url) as s:
        rows = s.execute(stmt).all()
    per_subject: dict[int, int] = {}
    for r in rows:
        per_subject[r.subject_id] = per_subject.get(r.subject_id, 0) + 1
    out = []
    for r in rows:
        if not in_publicity(r.publicity_until, as_of):  # the one boundary rule (SQL said the same)
            continue
        out.append({"id": r.id, "subject_id": r.subject_id, "region_code": int(r.region_code),
                    "name": name_shown(r.name, r.id_type, purpose), "kind": SUBJECT_KINDS.get(r.kind, r.kind),
                    "identifier": id_shown(r.identifier, r.id_type, purpose), "grade": r.grade or "未评级",
                    "title": r.title, "subtype": DISHONEST_TYPES.get(r.subtype or "", "失信信息"),
                    "severity": SEVERITIES.get(r.severity or "", ""), "document_no": r.document_no or "",
                    "occurred_on": r.occurred_on, "publicity_until": r.publicity_until,
                    "days_left": (r.publicity_until - as_of).days, "produced_by": r.produced_by,
                    "records": per_subject[r.subject_id]})
    return out
