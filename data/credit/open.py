"""Open and unconditionally shared forestry credit data (Art. X38, X40).

- Open data (`open_records`): records whose open class is 无条件开放 (Art. X11), offered to anyone
  signed in (and through the data API's `credit_open_records`). Open to society, so not limited to
  the viewer's jurisdiction: the read goes through the scoped path over the deployment's whole
  province, narrowed to a region when one is chosen. A natural person's name and ID number are
  always masked (the statistics purpose of domain.privacy), whoever downloads; a natural person's
  record's content is left out (only desensitised or organisations' content is published).
- Shared data (`shared_records`): records whose share class is 无条件共享 (Art. X12), for public
  bodies (Art. X40) inside their jurisdiction; names in clear (they use it in their duties), ID
  numbers masked (domain.privacy's review purpose).

Both carry only records in effect (status active) and, for a dishonest record, only while it is in
its publicity period (after it, publication stops by itself, 《信用修复管理办法》).
"""
from __future__ import annotations

import datetime as dt

from sqlalchemy import or_, select

from data.db import reading
from data.models import CreditRecord, CreditSubject
from data.scoped import in_scope
from domain.credit.codes import DISHONEST_TYPES, GOOD_TYPES, LIST_TYPES, RECORD_KINDS, SUBJECT_KINDS
from domain.permissions import Action, Scope, ensure
from domain.privacy import Purpose, id_shown, name_shown
from domain.regions import province_root

SUBTYPES = {**GOOD_TYPES, **DISHONEST_TYPES, **LIST_TYPES}
ROW_MAX = 50_000


def effective(stmt, as_of: dt.date):
    """Only records in effect: active, and a dishonest one only through its publicity's last day."""
    return stmt.where(CreditRecord.status == "active",
                      or_(CreditRecord.kind != "dishonest", CreditRecord.publicity_until >= as_of))


def _select():
    return (select(CreditRecord.id, CreditRecord.region_code, CreditRecord.kind, CreditRecord.subtype, CreditRecord.title,
                   CreditRecord.content, CreditRecord.occurred_on, CreditRecord.publicity_until, CreditRecord.document_no,
                   CreditRecord.produced_by, CreditRecord.masked, CreditRecord.open_class, CreditRecord.share_class,
                   CreditSubject.name, CreditSubject.kind.label("subject_kind"), CreditSubject.id_type,
                   CreditSubject.identifier)
            .join(CreditSubject, CreditSubject.id == CreditRecord.subject_id))


def _shape(r, purpose: Purpose) -> dict:
    natural = r.id_type != "uscc"
    return {"id": r.id, "region_code": int(r.region_code), "kind": RECORD_KINDS[r.kind][1] if r.kind in RECORD_KINDS else r.kind,
            "subtype": SUBTYPES.get(r.subtype or "", ""), "title": r.title,
            "content": "" if natural and not r.masked and purpose is Purpose.STATISTICS else (r.content or ""),
            "occurred_on": r.occurred_on, "publicity_until": r.publicity_until, "document_no": r.document_no or "",
            "produced_by": r.produced_by, "subject_name": name_shown(r.name, r.id_type, purpose),
            "subject_kind": SUBJECT_KINDS.get(r.subject_kind, r.subject_kind),
            "identifier": id_shown(r.identifier, r.id_type, purpose), "masked": bool(r.masked or natural)}


def open_records(url: str, who, province: int, *, kind: str | None = None, region: int | None = None,
                 as_of: dt.date) -> list[dict]:
    ensure(who, Action.CREDIT_OPEN_DOWNLOAD)
    scope = Scope(root=province_root(province))
    stmt = effective(_select().where(CreditRecord.open_class == "unconditional",
                                     in_scope(CreditRecord.region_code, scope)), as_of)
    if region:
        stmt = stmt.where(in_scope(CreditRecord.region_code, Scope(root=int(region))))
    if kind:
        stmt = stmt.where(CreditRecord.kind == kind)
    with reading(url) as s:
        return [_shape(r, Purpose.STATISTICS) for r in s.execute(stmt.order_by(CreditRecord.id).limit(ROW_MAX))]


def shared_records(url: str, who, *, kind: str | None = None, as_of: dt.date) -> list[dict]:
    ensure(who, Action.CREDIT_SHARED_READ)
    stmt = effective(_select().where(CreditRecord.share_class == "unconditional", in_scope(CreditRecord.region_code, who)),
                     as_of)
    if kind:
        stmt = stmt.where(CreditRecord.kind == kind)
    with reading(url) as s:
        return [_shape(r, Purpose.REVIEW) for r in s.execute(stmt.order_by(CreditRecord.id).limit(ROW_MAX))]
