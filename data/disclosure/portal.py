"""The members' portal (成员自助查询, Art. J19): what one signed-in member may see — their own
membership, shares and yearly distributions, their organisation's basic information, its published
disclosures (with their questions) — and nothing else. Everything is found from the member row the
account is linked to (`User.member_id`), never from an id the browser sends: a forged id reads
nothing. Other people's personal data leaves only through domain.privacy's PORTAL purpose."""
from __future__ import annotations

from sqlalchemy import func, select

from data.db import reading
from data.disclosure import content
from data.disclosure.questions import member_of, my_questions
from data.models import CollectiveOrg, Disclosure, Household, Member, VillageProfile
from domain import disclosure as rules
from domain.permissions import Action, Actor, ensure
from domain.privacy import Field, Purpose, name_shown, portal_self, shown


def _published(s, org_id: int) -> list[Disclosure]:
    return list(s.scalars(select(Disclosure).where(Disclosure.org_id == org_id, Disclosure.state == "published")
                          .order_by(Disclosure.published_on.desc(), Disclosure.id.desc())))


def _masked_content(c: dict) -> dict:
    out = dict(c or {})
    out["major"] = [{**m, "counterparty": name_shown(m.get("counterparty"), None, Purpose.PORTAL)}
                    for m in (c or {}).get("major", [])]
    return out


def portal(url: str, actor: Actor) -> dict:
    """The signed-in member's portal."""
    ensure(actor, Action.PORTAL_VIEW)
    with reading(url) as s:
        me = member_of(s, actor)
        org = s.get(CollectiveOrg, me.org_id)
        ensure(actor, Action.PORTAL_VIEW, org)  # the account's own village: a stale link reads nothing
        profile = s.scalar(select(VillageProfile).where(VillageProfile.org_id == org.id))
        household = s.get(Household, me.household_id) if me.household_id else None
        members, all_shares = s.execute(select(func.count(), func.coalesce(func.sum(Member.shares), 0))
                                        .where(Member.org_id == org.id)).one()
        officials = [{"title": t or "村干部", "name": name_shown(n, "resident", Purpose.PORTAL)} for n, t in s.execute(
            select(Member.name, Member.official_title).where(Member.org_id == org.id, Member.is_official,
                                                             Member.id != me.id).order_by(Member.id).limit(6))]
        yearly = content.yearly_distributions(s, org)
        distributions = [{"year": y, "org_fen": total, "mine_fen": rules.share_of(total, me.shares, int(all_shares))}
                         for y, total in sorted(yearly.items())]
        published = _published(s, org.id)
        corrected = {d.corrects_id for d in published if d.corrects_id}
        disclosures = [{"id": d.id, "title": d.title, "kind": rules.KINDS.get(d.kind, d.kind), "period": d.period,
                        "period_text": rules.period_text(d.kind, d.period), "category": d.category,
                        "published_on": d.published_on.isoformat() if d.published_on else "",
                        "notes": d.notes or "", "corrects_id": d.corrects_id, "superseded": d.id in corrected,
                        "reviewers": d.reviewers or "", "content": _masked_content(d.content)} for d in published]
        head = None
        if household is not None:
            own = household.head_id_number and household.head_id_number == me.id_number
            head = {"name": portal_self(Field.NAME, household.head_name) if own
                    else shown(Field.NAME, household.head_name, Purpose.PORTAL),
                    "id": portal_self(Field.RESIDENT_ID, household.head_id_number) if own
                    else shown(Field.RESIDENT_ID, household.head_id_number, Purpose.PORTAL),
                    "size": household.size, "group": household.group_name or "", "self": bool(own)}
        return {
            "me": {"name": portal_self(Field.NAME, me.name), "id": portal_self(Field.RESIDENT_ID, me.id_number),
                   "gender": me.gender or "", "shares": int(me.shares), "member_id": me.id,
                   "share_percent": round(100 * me.shares / int(all_shares), 2) if all_shares else 0},
            "household": head,
            "org": {"name": org.name, "uscc": org.uscc or "", "type": org.org_type,
                    "established_on": org.established_on.isoformat() if org.established_on else "",
                    "members": int(members), "shares": int(all_shares), "officials": officials,
                    "population": profile.population if profile else None,
                    "households": profile.households if profile else None,
                    "village_groups": profile.village_groups if profile else None,
                    "farmland_mu": str(profile.farmland_mu) if profile else None},
            "distributions": distributions,
            "disclosures": disclosures,
            "questions": my_questions(s, me, actor),
        }


def quarter_series(disclosures: list[dict]) -> list[dict]:
    """Income and spending by quarter from the published periodic disclosures (a correction
    replaces the one it corrects), oldest first."""
    by_period: dict[str, dict] = {}
    for d in sorted(disclosures, key=lambda d: d["id"]):
        if d["kind"] == rules.KINDS["quarter"] and not d["superseded"]:
            by_period[d["period"]] = d
    return [{"period": p, "label": rules.period_text("quarter", p), "income_fen": d["content"].get("income_fen", 0),
             "spending_fen": d["content"].get("spending_fen", 0), "spending": d["content"].get("spending", [])}
            for p, d in sorted(by_period.items())]
