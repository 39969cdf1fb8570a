"""The platform's own transfers as price samples: a market credit record of kind ``transfer`` becomes
one `PriceSale` (source ``platform``), kept in step with the record inside the transaction that
wrote it.

What a transfer record needs to become a sale (in its `detail`, JSON):

- ``right_id``: the forest right (`forest_rights.id`) transferred — a right of the record's own
  subject (checked when the sale is first made; a later change of holder keeps the sale);
- an ``amount_fen`` on the record (> 0): the whole deal's price;
- optional ``area_mu`` (the part of the parcel transferred, > 0 and not above the right's area;
  default the right's whole area) and ``site_class`` (1–5; the forest right has none).

The characteristics come from the forest right at the time of the write: region (the parcel's
village), forest type, species, age class, right type, volume per mu = stock (m³) / area, the term
= whole years from the deal date to the right's ``valid_until`` (at least 1; none without an end
date). The deal date is the record's ``occurred_on``; the kind is ``transfer``.

A record that is no longer active (withdrawn, corrected, repaired), has lost its amount or its
right, is removed from the sample. The hook runs after every record write (records.create_record,
the batch import: `data.credit.records.AFTER_RECORD_WRITE`) and after a correction is applied (a
record's amount, date or status, or a right's characteristics: `data.credit.corrections.
AFTER_CORRECTION`) with the subjects whose records changed; it re-derives the sales of all their
transfer records, so it is idempotent and an update is the same call as a creation.
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import select

from data.models import CreditRecord, ForestRight, PriceSale

CHUNK = 500
_FIELDS = ("region_code", "deal_on", "kind", "area_mu", "price_fen", "forest_type", "species", "age_class",
           "volume_m3_per_mu", "site_class", "term_years", "right_type", "right_id")


def _int(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def term_years(deal_on: dt.date, valid_until: dt.date | None) -> int | None:
    """Whole years left on the right at the deal (at least 1), None without an end date."""
    if valid_until is None:
        return None
    return max(1, min(70, round((valid_until - deal_on).days / 365.25)))


def sale_values(record: CreditRecord, right: ForestRight | None, existing: PriceSale | None = None) -> dict | None:
    """The sale a transfer record stands for, or None when it is not (or no longer) one."""
    detail = record.detail or {}
    if record.kind != "transfer" or record.status != "active" or not record.amount_fen or record.amount_fen <= 0:
        return None
    if right is None or (right.subject_id != record.subject_id
                         and (existing is None or existing.right_id != right.id)):
        return None
    area = right.area_mu
    if detail.get("area_mu") not in (None, ""):
        try:
            part = Decimal(str(detail["area_mu"])).quantize(Decimal("0.01"))
        except ArithmeticError:
            part = None
        if part is None or part <= 0 or part > right.area_mu:
            return None
        area = part
    if area is None or area <= 0:
        return None
    site = _int(detail.get("site_class"))
    stock = right.stock_m3
    volume = round(float(stock) / float(right.area_mu), 2) if stock is not None and right.area_mu > 0 else None
    return dict(region_code=int(right.region_code), deal_on=record.occurred_on, kind="transfer", area_mu=area,
                price_fen=int(record.amount_fen), forest_type=right.forest_type, species=right.species,
                age_class=right.age_class, volume_m3_per_mu=volume,
                site_class=site if site is not None and 1 <= site <= 5 else None,
                term_years=term_years(record.occurred_on, right.valid_until), right_type=right.right_type,
                right_id=right.id)


def sync_subjects(s, subject_ids, as_of: dt.date | None = None) -> dict:
    """Bring the platform sales of these subjects' transfer records in step with the records, in the
    caller's transaction. Returns counts {"created", "updated", "removed"}."""
    ids = sorted({int(i) for i in subject_ids if i is not None})
    out = {"created": 0, "updated": 0, "removed": 0}
    for i in range(0, len(ids), CHUNK):
        part = ids[i:i + CHUNK]
        records = list(s.scalars(select(CreditRecord).where(CreditRecord.subject_id.in_(part),
                                                            CreditRecord.kind == "transfer")))
        if not records:
            continue
        sales = {p.record_id: p for p in s.scalars(select(PriceSale).where(
            PriceSale.record_id.in_([r.id for r in records])))}
        right_ids = {_int((r.detail or {}).get("right_id")) for r in records} - {None}
        rights = {r.id: r for r in s.scalars(select(ForestRight).where(ForestRight.id.in_(right_ids)))} if right_ids \
            else {}
        for r in records:
            existing = sales.get(r.id)
            values = sale_values(r, rights.get(_int((r.detail or {}).get("right_id"))), existing)
            if values is None:
                if existing is not None:
                    s.delete(existing)
                    out["removed"] += 1
            elif existing is None:
                s.add(PriceSale(**values, source="platform", record_id=r.id, collected_by_id=r.collected_by_id,
                                provided_by=r.provided_by, responsible_by=r.responsible_by))
                out["created"] += 1
            elif any(getattr(existing, k) != v for k, v in values.items()):
                for k, v in values.items():
                    setattr(existing, k, v)
                out["updated"] += 1
    if any(out.values()):
        s.flush()
    return out


def hook(s, subject_ids, as_of) -> None:
    """The AFTER_RECORD_WRITE / AFTER_CORRECTION entry."""
    sync_subjects(s, subject_ids, as_of)
