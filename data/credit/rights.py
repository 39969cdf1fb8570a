"""Forest rights by parcel unit (Art. X29) and their encumbrances in the system of record: a
right of a subject (the 28-character unit code, unique), a correction of it, a mortgage or a
restriction note (Art. X47(3): a note is its own row and never changes the right's ownership
data), and the household's forest right made from a collective forest resource a village
contracted out (资源管理 → the household: the resource row is read, never changed)."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from data.admin.audit_log import log_change
from data.db import reading, transaction
from data.errors import AccountError
from data.models import CreditSubject, ForestEncumbrance, ForestRight, Resource
from data.scoped import load_for_write, scoped
from domain.credit import codes
from domain.credit.forest import EncumbranceDraft, ForestRightDraft, encumbrance_problems, right_problems
from domain.identifiers import unit_code_display
from domain.permissions import Action, OutOfScope, ensure, scope_of

from .subjects import subject_row

NOUN = "该林权"
FOREST = "林地"
#: the ownership data of a right: what a restriction note never touches
OWNERSHIP_FIELDS = ("subject_id", "unit_code", "right_type", "area_mu", "certificate_no", "valid_from", "valid_until")


RIGHT_COLUMNS = ("unit_code", "certificate_no", "right_type", "region_code", "area_mu", "forest_type", "species",
                 "age_class", "stand_age", "stock_m3", "lon", "lat", "polygon", "valid_from", "valid_until")


def _fill(r: ForestRight, v: dict) -> None:
    for k in RIGHT_COLUMNS:
        setattr(r, k, v[k])


def right_values(who, subject_id: int, v: dict, batch_id: int | None = None) -> dict:
    """The columns of a new right from its checked values (the ORM row's, or a batch's bulk insert)."""
    return {**{k: v[k] for k in RIGHT_COLUMNS}, "subject_id": subject_id, "batch_id": batch_id,
            "resource_id": v.get("resource_id"), "collected_by_id": who.user_id, "provided_by": who.username}


def _check(s, who, v: dict, errors: dict, other_than: int | None = None) -> None:
    if v.get("region_code") is not None and "region_code" not in errors and not scope_of(who).contains(v["region_code"]):
        raise OutOfScope("宗地所在地不在您的管辖范围内", Action.FOREST_RIGHT_SAVE)
    if "unit_code" not in errors:
        q = select(ForestRight.id).where(ForestRight.unit_code == v["unit_code"])
        if other_than is not None:
            q = q.where(ForestRight.id != other_than)
        if (taken := s.scalar(q.limit(1))) is not None:
            errors["unit_code"] = f"该不动产单元代码已登记（林权 #{taken}）"


def new_right(s, who, subject: CreditSubject, v: dict) -> ForestRight:
    r = ForestRight(**right_values(who, subject.id, v))
    s.add(r)
    s.flush()
    return r


def _resource(s, who, resource_id) -> Resource:
    res = load_for_write(s, Resource, resource_id, who, noun="该资源")
    if res.type != FOREST or not res.contracted:
        raise AccountError({"resource_id": "只能从已发包的林地资源生成林权"})
    return res


def create_right(url: str, key: str, who, subject_id, draft: ForestRightDraft, today: dt.date) -> int:
    """Register a forest right of a subject. Returns its id."""
    ensure(who, Action.FOREST_RIGHT_SAVE)
    v, errors = right_problems(draft)
    with transaction(url, who) as s:
        subject = subject_row(s, who, subject_id, Action.FOREST_RIGHT_SAVE)
        if draft.resource_id is not None:
            _resource(s, who, draft.resource_id)
        _check(s, who, v, errors)
        if errors:
            raise AccountError(errors)
        r = new_right(s, who, subject, v)
        log_change(s, key, who, r.region_code, f"登记林权：{subject.name} {unit_code_display(r.unit_code)}"
                   f"（{codes.RIGHT_TYPES[r.right_type]}，{r.area_mu} 亩）", forest_right_id=r.id)
        return r.id


def update_right(url: str, key: str, who, right_id, draft: ForestRightDraft, version: int) -> int:
    """Correct a forest right. Returns the new version."""
    ensure(who, Action.FOREST_RIGHT_SAVE)
    v, errors = right_problems(draft)
    with transaction(url, who) as s:
        r = load_for_write(s, ForestRight, right_id, who, version, noun=NOUN, action=Action.FOREST_RIGHT_SAVE)
        _check(s, who, v, errors, r.id)
        if errors:
            raise AccountError(errors)
        before = {k: str(getattr(r, k)) for k in OWNERSHIP_FIELDS}
        _fill(r, v)
        s.flush()
        log_change(s, key, who, r.region_code, f"更正林权：{unit_code_display(r.unit_code)}", forest_right_id=r.id,
                   before=before)
        return r.version


def add_encumbrance(url: str, key: str, who, right_id, draft: EncumbranceDraft, today: dt.date) -> int:
    """A mortgage or a restriction note on a right; the right's own row is not touched. Returns its id."""
    ensure(who, Action.FOREST_RIGHT_SAVE)
    v, errors = encumbrance_problems(draft, today)
    with transaction(url, who) as s:
        right = load_for_write(s, ForestRight, right_id, who, noun=NOUN, action=Action.FOREST_RIGHT_SAVE)
        if errors:
            raise AccountError(errors)
        e = ForestEncumbrance(right_id=right.id, region_code=right.region_code, kind=v["kind"], holder=v["holder"],
                              amount_fen=v["amount_fen"], registered_on=v["registered_on"], until=v["until"],
                              note=v["note"], loan_record_id=v["loan_record_id"], created_by_id=who.user_id)
        s.add(e)
        s.flush()
        log_change(s, key, who, right.region_code, f"登记{codes.ENCUMBRANCES[e.kind]}：林权 {unit_code_display(right.unit_code)}",
                   forest_right_id=right.id, encumbrance_id=e.id)
        return e.id


def right_dict(r: ForestRight, encumbrances: list[dict]) -> dict:
    return {"id": r.id, "subject_id": r.subject_id, "unit_code": r.unit_code, "unit_display": unit_code_display(r.unit_code),
            "certificate_no": r.certificate_no or "", "right_type": codes.RIGHT_TYPES.get(r.right_type, r.right_type),
            "area_mu": str(r.area_mu), "forest_type": codes.FOREST_TYPES.get(r.forest_type, r.forest_type),
            "species": r.species, "age_class": codes.AGE_CLASSES.get(r.age_class, r.age_class),
            "stand_age": r.stand_age if r.stand_age is not None else "",
            "stock_m3": str(r.stock_m3) if r.stock_m3 is not None else "",
            "location": f"{r.lon:.5f}, {r.lat:.5f}" if r.lon is not None else "", "polygon": bool(r.polygon),
            "resource_id": r.resource_id or "", "batch_id": r.batch_id or "", "region_code": int(r.region_code),
            "encumbrances": encumbrances,
            "encumbrance_text": "；".join(f"{e['kind']}{('：' + e['holder']) if e['holder'] else ''}" for e in encumbrances),
            "version": r.version}


def rights_of(s, subject_id: int) -> list[dict]:
    rights = s.scalars(select(ForestRight).where(ForestRight.subject_id == subject_id).order_by(ForestRight.id)).all()
    enc: dict[int, list[dict]] = {}
    if rights:
        for e in s.scalars(select(ForestEncumbrance).where(ForestEncumbrance.right_id.in_([r.id for r in rights]))
                           .order_by(ForestEncumbrance.id)):
            enc.setdefault(e.right_id, []).append(
                {"id": e.id, "kind": codes.ENCUMBRANCES.get(e.kind, e.kind), "holder": e.holder or "",
                 "amount": f"{e.amount_fen / 100:,.2f}" if e.amount_fen is not None else "",
                 "registered_on": e.registered_on.isoformat(), "until": e.until.isoformat() if e.until else "",
                 "note": e.note or ""})
    return [right_dict(r, enc.get(r.id, [])) for r in rights]


def subject_rights(url: str, who, subject_id) -> list[dict]:
    ensure(who, Action.CREDIT_SUBJECT_VIEW)
    with reading(url) as s:
        return rights_of(s, subject_row(s, who, subject_id).id)


def contracted_forests(url: str, who, limit: int = 500) -> list[dict]:
    """Contracted forest resources of the jurisdiction (资源管理), for a right made from one."""
    ensure(who, Action.FOREST_RIGHT_SAVE)
    with reading(url) as s:
        q = (scoped(select(Resource), Resource, who).where(Resource.type == FOREST, Resource.contracted.is_(True))
             .order_by(Resource.region_code, Resource.id).limit(limit))
        return [{"id": r.id, "name": r.name, "contractor": r.contractor or "", "area_mu": str(r.area_mu),
                 "location": r.location or "", "parcel_no": r.parcel_no or "", "region_code": int(r.region_code)}
                for r in s.scalars(q)]


def prefill_from_resource(url: str, who, resource_id) -> dict:
    """What a right made from a contracted forest resource starts with: area (to 0.01 mu), location
    and region; the resource row is only read."""
    ensure(who, Action.FOREST_RIGHT_SAVE)
    with reading(url) as s:
        res = _resource(s, who, resource_id)
        area = res.area_mu.quantize(res.area_mu.__class__("0.01"))
        return {"resource_id": res.id, "area": str(area), "region_code": int(res.region_code),
                "location": res.location or "", "parcel_no": res.parcel_no or "", "contractor": res.contractor or ""}
