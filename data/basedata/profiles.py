"""Reading level-1 base data: a village's profile with its member roll, the chain of its changes
and corrections, and the review queues (all scoped: data.scoped)."""
from __future__ import annotations

from sqlalchemy import func, select

from data import attachments
from data.basedata.changes import current_values
from data.basedata.lock import locked_by
from data.db import reading
from data.models import BaseDataChange, CollectiveOrg, Member, Region, User, VillageProfile
from data.scoped import org_for_write, scoped
from domain import privacy
from domain.basedata import rules
from domain.basedata.lock import locked_message
from domain.labels import time_text
from domain.permissions import Action, Actor, ensure, may

MAX_ROLL = 2000
#: the member roll's record kind for domain.privacy
ROLL = "roll"


def villages(url: str, actor: Actor, limit: int = 500, include: int | None = None) -> list[dict]:
    """The collective organisations of the actor's jurisdiction whose base data they may read
    (the first `limit` by region code, and `include` when it is in the jurisdiction too)."""
    ensure(actor, Action.BASEDATA_VIEW)
    with reading(url) as s:
        q = scoped(select(CollectiveOrg.id, CollectiveOrg.name, CollectiveOrg.region_code), CollectiveOrg, actor)
        rows = [{"id": i, "name": n, "region_code": int(c)}
                for i, n, c in s.execute(q.order_by(CollectiveOrg.region_code, CollectiveOrg.id).limit(limit))]
        if include is not None and all(r["id"] != include for r in rows):
            rows += [{"id": i, "name": n, "region_code": int(c)}
                     for i, n, c in s.execute(q.where(CollectiveOrg.id == int(include)))]
        return rows


def profile(url: str, actor: Actor, org_id) -> dict:
    """The village's level-1 base data as it stands: values (text), version, the member roll
    (names and ID numbers as the viewer may see them), whether and why it is locked."""
    with reading(url) as s:
        org = org_for_write(s, org_id, actor, action=Action.BASEDATA_VIEW)
        region = int(org.region_code)
        version = s.scalar(select(VillageProfile.version).where(VillageProfile.org_id == org.id))
        values = current_values(s, org.id)
        lock = locked_by(s, region)
        lock_name = s.scalar(select(Region.name).where(Region.code == lock)) if lock else None
        purpose = privacy.listing(actor, ROLL)
        roll = [{"id": m.id, "name": privacy.shown(privacy.Field.NAME, m.name, purpose),
                 "id_number": privacy.shown(privacy.Field.RESIDENT_ID, m.id_number, purpose), "shares": int(m.shares),
                 "official": m.official_title or "", "version": m.version}
                for m in s.scalars(select(Member).where(Member.org_id == org.id).order_by(Member.id).limit(MAX_ROLL))]
        totals = s.execute(select(func.count(Member.id), func.coalesce(func.sum(Member.shares), 0))
                           .where(Member.org_id == org.id)).one()
        return {"org_id": org.id, "name": org.name, "region_code": region, "values": values,
                "version": int(version or 0), "has_profile": version is not None, "members": roll,
                "member_count": int(totals[0]), "share_total": int(totals[1]),
                "locked": lock is not None, "locked_region": lock,
                "locked_note": locked_message(lock_name or str(lock)) if lock else ""}


def _names(s, ids) -> dict[int, str]:
    ids = {int(i) for i in ids if i is not None}
    if not ids:
        return {}
    return {i: f"{d}（{u}）" for i, d, u in s.execute(select(User.id, User.display_name, User.username)
                                                      .where(User.id.in_(ids)))}


def _member_names(s, rows, purpose) -> dict[int, str]:
    ids = {int(k[len(rules.SHARES):]) for r in rows for k in r.after if k.startswith(rules.SHARES)}
    if not ids:
        return {}
    return {i: privacy.shown(privacy.Field.NAME, n, purpose)
            for i, n in s.execute(select(Member.id, Member.name).where(Member.id.in_(ids)))}


def _row(r: BaseDataChange, names: dict, members: dict, actor: Actor, org_name: str = "") -> dict:
    changes = [{"field": rules.field_label(k, members), "before": r.before.get(k, ""), "after": v}
               for k, v in r.after.items()]
    decide = Action.BASEDATA_CORRECTION_APPROVE if r.is_correction else Action.BASEDATA_APPROVE
    return {
        "id": r.id, "version": r.version, "org_id": r.org_id, "org": org_name, "region_code": int(r.region_code),
        "kind": rules.kind_label(r.is_correction), "is_correction": r.is_correction, "status": r.status,
        "state": rules.status_label(r.status, r.is_correction), "reason": r.reason, "evidence": r.evidence or "",
        "changes": changes, "summary": "；".join(f"{c['field']} {c['before']}→{c['after']}" for c in changes),
        "proposed_by": names.get(r.proposed_by_id, ""), "proposed_at": time_text(r.created_at),
        "decided_by": names.get(r.decided_by_id, ""), "decided_at": time_text(r.decided_at) if r.decided_at else "",
        "opinion": r.opinion or "", "filed_with": r.filed_with or "",
        "filed_at": time_text(r.filed_at) if r.filed_at else "",
        "revoked_by": names.get(r.revoked_by_id, ""), "revoked_at": time_text(r.revoked_at) if r.revoked_at else "",
        "revoke_reason": r.revoke_reason or "",
        "decidable": r.status == "submitted" and may(actor, decide, r),
        "revocable": r.is_correction and r.status == "filed" and may(actor, Action.BASEDATA_REVOKE, r),
    }


def chain(url: str, actor: Actor, org_id, limit: int = 200) -> list[dict]:
    """Every change and correction of the village, newest first, with its states, who and when,
    before/after, opinions, filing and revocation, and its documents."""
    with reading(url) as s:
        org = org_for_write(s, org_id, actor, action=Action.BASEDATA_VIEW)
        rows = s.scalars(select(BaseDataChange).where(BaseDataChange.org_id == org.id)
                         .order_by(BaseDataChange.id.desc()).limit(limit)).all()
        names = _names(s, [i for r in rows for i in (r.proposed_by_id, r.decided_by_id, r.revoked_by_id)])
        members = _member_names(s, rows, privacy.listing(actor, ROLL))
        out = []
        for r in rows:
            item = _row(r, names, members, actor, org.name)
            item["files"] = attachments.list_for(s, actor, "base_data_change", r.id) \
                if may(actor, Action.ATTACHMENT_READ, r) else []
            out.append(item)
        return out


def queue(url: str, actor: Actor, limit: int = 300) -> list[dict]:
    """The changes and corrections of the actor's jurisdiction, those awaiting their decision or
    open to their revocation first, then the newest."""
    ensure(actor, Action.BASEDATA_VIEW)
    with reading(url) as s:
        q = scoped(select(BaseDataChange, CollectiveOrg.name).join(CollectiveOrg, CollectiveOrg.id == BaseDataChange.org_id),
                   BaseDataChange, actor).order_by(BaseDataChange.id.desc()).limit(limit)
        found = s.execute(q).all()
        rows = [r for r, _ in found]
        names = _names(s, [i for r in rows for i in (r.proposed_by_id, r.decided_by_id, r.revoked_by_id)])
        members = _member_names(s, rows, privacy.listing(actor, ROLL))
        out = [_row(r, names, members, actor, org) for r, org in found]
    out.sort(key=lambda r: (not (r["decidable"] or r["revocable"]), -r["id"]))
    return out


def level2(url: str, actor: Actor, org_id) -> dict:
    """Level-2 base data (Art. J11): deposits, claims, debts, total assets, derived from the
    organisation's books by the funds area (data.funds.books.level2), never typed in."""
    from data.funds.books import level2 as from_books

    ensure(actor, Action.BASEDATA_VIEW)
    return from_books(url, actor, int(org_id))
