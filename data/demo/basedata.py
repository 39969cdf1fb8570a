"""Demo base data (Art. J11–J14): collective land by type for every village (one bulk update),
the trial period ended in a few counties (never the demo county, whose users make ordinary
changes; always the county `demo-county-b` administers, whose corrections are shown), and
changes and corrections in every state, made through the real data functions (so every one is
in the record history and the security log as a person's would be)."""
from __future__ import annotations

from decimal import Decimal

from sqlalchemy import func, select, update

from data.db import transaction
from data.models import CollectiveOrg, Region, User, VillageProfile
from domain.permissions import Actor, Scope, role_perms
from domain.regions import COUNTY, TOWNSHIP, truncate

#: the land types the generator adds to 耕地 (farmland_mu): (column, low, high) in whole mu
LAND = (("garden_mu", 0, 300), ("forest_mu", 200, 9000), ("grassland_mu", 0, 1500), ("water_mu", 0, 400),
        ("wasteland_mu", 0, 800), ("construction_mu", 30, 600))
PDF = b"%PDF-1.4\n% demo document\n"
#: the township user of the locked county (a correction is applied for at the township)
TOWNSHIP_B = "demo-township-b"


def _land(engine, seed: int) -> int:
    """Land by type for every profile, one UPDATE: each area a deterministic spread of the row id
    and the seed, in hundredths of a mu (no per-row round trips)."""
    table = VillageProfile.__table__
    primes = (7919, 104729, 1299709, 15485863, 179424673, 2038074743)
    row = table.c.id
    spread = {col: (func.abs(row * row * p + row * 7907 + seed % 9973) % ((hi - lo) * 100)) / 100.0 + lo
              for (col, lo, hi), p in zip(LAND, primes)}
    with engine.begin() as c:
        return c.execute(update(table).values(spread)).rowcount


def _actor(s, username: str) -> Actor | None:
    u = s.scalar(select(User).where(User.username == username))
    if u is None:
        return None
    return Actor(user_id=u.id, username=u.username,
                 scope=Scope(root=int(u.region_code), perms=role_perms(u.role), user_id=u.id, role=u.role))


def _locked_counties(s, demo_county: int, county_b: int | None) -> list[int]:
    """demo-county-b's county and two more of the province, never the demo county."""
    codes = [int(c) for c in s.scalars(select(Region.code).where(Region.level == COUNTY).order_by(Region.code))]
    others = [c for c in codes if c not in (demo_county, county_b)]
    picked = [county_b] if county_b else []
    return picked + [others[i] for i in (len(others) // 3, 2 * len(others) // 3)][: 3 - len(picked)]


def apply(engine, url: str, key: str, *, demo_county: int, seed: int, password_hash: str) -> dict:
    """Land for every village, the trial ended in a few counties, changes and corrections."""
    from data.basedata import changes, trial

    villages = _land(engine, seed)
    with transaction(url) as s:
        acting = {u: _actor(s, u) for u in ("demo-admin", "demo-village", "demo-secretary", "demo-township-head",
                                            "demo-county-b")}
        county_b = int(acting["demo-county-b"].scope.root) if acting["demo-county-b"] else None
        locked = _locked_counties(s, demo_county, county_b)
        village = int(acting["demo-village"].scope.root)
        org = s.scalar(select(CollectiveOrg.id).where(CollectiveOrg.region_code == village))
        org_b = s.scalar(select(CollectiveOrg.id).where(CollectiveOrg.region_code.between(county_b, county_b + 999_999))
                         .order_by(CollectiveOrg.region_code).limit(1)) if county_b else None
        if org_b is not None and s.scalar(select(User.id).where(User.username == TOWNSHIP_B)) is None:
            town = truncate(int(s.get(CollectiveOrg, org_b).region_code), TOWNSHIP)
            s.add(User(username=TOWNSHIP_B, display_name=f"{s.get(Region, town).name}农经工作负责人（演示）",
                       role="township_agri_lead", region_code=town, password_hash=password_hash))
    with transaction(url) as s:
        acting[TOWNSHIP_B] = _actor(s, TOWNSHIP_B)
    made = {"villages": villages, "locked": len(locked), "changes": 0, "corrections": 0}
    doc = [("变更凭据.pdf", PDF)]

    def version(o):
        with transaction(url) as s:
            return changes.profile_version(s, o)

    def propose(who, o, typed, reason, correction=False, shares=None):
        typed = {k: str(v) for k, v in typed.items()}
        return changes.propose(url, key, acting[who], o, version(o), typed, shares, reason,
                               [("更正依据.pdf", PDF)] if correction else doc, correction=correction,
                               evidence="村民代表会议记录及乡镇核查表" if correction else None)

    ordinary = all(acting[u] for u in ("demo-village", "demo-secretary", "demo-township-head"))
    if org is not None and ordinary:
        with transaction(url) as s:
            now = changes.current_values(s, org)
        pop = int(now["population"])
        filed = propose("demo-village", org, {"population": pop + 12, "households": int(now["households"]) + 4},
                        "新生儿落户及婚入人口登记（附户籍变动证明）")
        changes.decide(url, key, acting["demo-township-head"], filed, None, True, "材料齐全，同意变更")
        returned = propose("demo-secretary", org, {"forest_mu": "1250.50"}, "林地面积按新一轮林权确权结果调整")
        changes.decide(url, key, acting["demo-township-head"], returned, None, False,
                       "缺少林权确权登记簿复印件，请补充后重新提交")
        propose("demo-village", org, {"labour_force": int(now["labour_force"]) + 6, "water_mu": "86.25"},
                "外出务工人员返乡登记；新建养殖水面")
        made["changes"] = 3
    for code in locked:
        trial.end_trial(url, key, acting["demo-admin"], code)
    if org_b is not None and acting[TOWNSHIP_B] and acting["demo-county-b"]:
        with transaction(url) as s:
            now = changes.current_values(s, org_b)
        farmland = Decimal(now["farmland_mu"]) - Decimal("35.60")
        approved = propose(TOWNSHIP_B, org_b, {"farmland_mu": farmland}, "第三次国土调查成果录入差错更正", True)
        changes.decide(url, key, acting["demo-county-b"], approved, None, True, "经核对国土调查成果，同意更正")
        revoked = propose(TOWNSHIP_B, org_b, {"village_groups": int(now["village_groups"]) + 3}, "村民小组数量录入差错",
                          True)
        changes.decide(url, key, acting["demo-county-b"], revoked, None, True, "同意")
        changes.revoke(url, key, acting["demo-admin"], revoked, None, "未见村民小组调整的民政批复文件，更正依据不充分")
        building = Decimal(now["construction_mu"]) + Decimal("12.50")
        refused = propose(TOWNSHIP_B, org_b, {"construction_mu": building}, "集体建设用地面积更正", True)
        changes.decide(url, key, acting["demo-county-b"], refused, None, False, "未附不动产登记资料，不同意更正")
        propose(TOWNSHIP_B, org_b, {"population": int(now["population"]) - 7}, "死亡及迁出人口录入遗漏", True)
        made["corrections"] = 4
    return made
