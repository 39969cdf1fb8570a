"""Resources (资源管理) in the system of record: the register of the caller's jurisdiction, new
resources and corrections, each one transaction with its security-log entry; a correction made
on a stale copy is refused (optimistic locking). Whether a resource is contracted, to whom and
until when is written by its contract (data/contracts/), never typed here."""
from __future__ import annotations

from sqlalchemy import select

from data.admin.audit_log import log_change
from data.db import reading, transaction
from data.errors import AccountError
from data.models import CollectiveOrg, Contract, Resource
from data.scoped import in_scope, load_for_write, org_for_write, scoped
from domain import contracts as rules
from domain import privacy
from domain.permissions import Action, Actor, ensure


def area_text(area) -> str:
    """Mu without trailing zeros: 12.5000 -> "12.5", 30.0000 -> "30"."""
    text = format(area, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def list_resources(url: str, actor: Actor, limit: int = 5000) -> list[dict]:
    """The register of the actor's jurisdiction, by region."""
    purpose = privacy.listing(actor, "resource")
    with reading(url) as s:
        q = (select(Resource, CollectiveOrg.name, Contract.number, Contract.counterparty_id_type)
             .join(CollectiveOrg, CollectiveOrg.id == Resource.org_id)
             .outerjoin(Contract, Contract.id == Resource.contract_id)
             .where(in_scope(Resource.region_code, actor)).order_by(Resource.region_code, Resource.id).limit(limit))
        return [{"id": r.id, "org_id": r.org_id, "org": org, "region_code": int(r.region_code), "name": r.name,
                 "type": r.type, "area_mu": area_text(r.area_mu), "location": r.location or "",
                 "parcel_no": r.parcel_no or "", "contracted": "是" if r.contracted else "否",
                 "contractor": privacy.name_shown(r.contractor or "", id_type, purpose), "contract_number": number or "",
                 "contracted_until": r.contracted_until.isoformat() if r.contracted_until else "",
                 "version": r.version} for r, org, number, id_type in s.execute(q).all()]


def orgs(url: str, actor: Actor) -> list[dict]:
    """The collective organisations of the actor's jurisdiction (for the form)."""
    with reading(url) as s:
        q = scoped(select(CollectiveOrg), CollectiveOrg, actor).order_by(CollectiveOrg.region_code).limit(2000)
        return [{"id": o.id, "label": o.name, "region_code": int(o.region_code)} for o in s.scalars(q)]


def _fill(r: Resource, d: rules.ResourceDraft, area) -> None:
    r.name, r.type, r.area_mu = d.name.strip(), d.type, area
    r.location, r.parcel_no = (d.location or "").strip() or None, (d.parcel_no or "").strip() or None


def create(url: str, key: str, actor: Actor, org_id: int | None, draft: rules.ResourceDraft) -> int:
    """Register a resource of an organisation in the actor's jurisdiction. Returns its id."""
    ensure(actor, Action.RESOURCE_SAVE)
    area, errors = rules.resource_problems(draft)
    with transaction(url, actor) as s:
        org = org_for_write(s, org_id, actor, Action.RESOURCE_SAVE) if org_id else None
        if org is None:
            errors["org_id"] = "请选择集体经济组织"
        if errors:
            raise AccountError(errors)
        r = Resource(org_id=org.id, region_code=org.region_code, contracted=False, collected_by_id=actor.user_id,
                     provided_by=actor.username, responsible_by=org.name)
        _fill(r, draft, area)
        s.add(r)
        s.flush()
        log_change(s, key, actor, org.region_code, f"登记资源：{r.name}（{r.type}，{area_text(area)} 亩）", resource_id=r.id)
        return r.id


def edit(url: str, key: str, actor: Actor, resource_id: int, draft: rules.ResourceDraft, expected_version: int) -> int:
    """Correct a resource's name, type, area, location or parcel number. Returns the new version."""
    ensure(actor, Action.RESOURCE_SAVE)
    area, errors = rules.resource_problems(draft)
    with transaction(url, actor) as s:
        r = load_for_write(s, Resource, resource_id, actor, expected_version, noun="该资源", action=Action.RESOURCE_SAVE)
        if errors:
            raise AccountError(errors)
        before = {"name": r.name, "type": r.type, "area_mu": area_text(r.area_mu)}
        _fill(r, draft, area)
        s.flush()
        log_change(s, key, actor, r.region_code, f"修改资源：{r.name}（{r.type}，{area_text(area)} 亩）", resource_id=r.id,
             before=before)
        return r.version
