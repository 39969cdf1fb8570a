"""Law-enforcement inspection plans (执法检查, Art. X33): drawn at random by grade from the credit
subjects of a region (domain.credit.inspection), stored with their seed, rates and the population
counted at drawing, and repeatable: `redraw` draws again from the stored seed and the same
population and must give the stored list."""
from __future__ import annotations

import hashlib

from sqlalchemy import func, select

from data.admin import audit_log
from data.db import reading, transaction
from data.errors import AccountError
from data.models import CreditSubject, InspectionPlan, InspectionPlanItem, utcnow
from data.scoped import scoped
from domain.credit import inspection as rules
from domain.permissions import Action, ensure
from domain.privacy import Purpose, id_shown, name_shown
from domain.regions import subtree_bounds


def population(session, who, region: int, max_id: int | None = None) -> dict[str, list[int]]:
    """{grade: subject ids} of the subjects in `region`'s subtree (inside the caller's scope),
    up to subject id `max_id` (the last registered at a plan's drawing: later ones do not change a redraw)."""
    lo, hi = subtree_bounds(region)
    stmt = scoped(select(CreditSubject.id, CreditSubject.grade, CreditSubject.unrated)
                  .where(CreditSubject.region_code.between(lo, hi)), CreditSubject, who)
    if max_id is not None:
        stmt = stmt.where(CreditSubject.id <= max_id)
    out: dict[str, list[int]] = {g: [] for g in rules.GRADES}
    for sid, grade, unrated in session.execute(stmt.order_by(CreditSubject.id)):
        out[rules.grade_of(grade, unrated)].append(int(sid))
    return out


def create(url: str, key: str, who, region, period, rates_in: dict | None = None, seed: str | None = None) -> dict:
    """Draw and store a plan for `region` and `period`; the seed is generated with `secrets` unless
    given. Refused (AccountError, by field) on a bad period, region or rate; nothing is written."""
    ensure(who, Action.CREDIT_INSPECTION_PLAN)
    errors = {}
    if problem := rules.period_problem(period):
        errors["period"] = problem
    try:
        region = int(region)
    except (TypeError, ValueError):
        region = None
    if region is None or not who.scope.contains(region):
        errors["region"] = "请选择本辖区内的区域"
    rates, rate_errors = rules.parse_rates(rates_in)
    errors.update({f"rate_{g}": m for g, m in rate_errors.items()})
    seed = (seed or "").strip() or rules.new_seed()
    if len(seed) > 64:
        errors["seed"] = "随机种子不能超过64个字符"
    if errors:
        raise AccountError(errors)
    now = utcnow()
    with transaction(url) as s:
        max_id = int(s.scalar(select(func.max(CreditSubject.id))) or 0)
        pop = population(s, who, region, max_id)
        drawn = rules.draw(pop, rates, seed)
        plan = InspectionPlan(region_code=region, period=period.strip(), seed=seed,
                              rates={g: str(r) for g, r in rates.items()},
                              population={**{g: len(v) for g, v in pop.items()}, "sha256": digest(pop), "max_id": max_id},
                              sizes={g: len(v) for g, v in drawn.items()}, created_by_id=who.user_id,
                              created_by=who.username, created_at=now)
        s.add(plan)
        s.flush()
        where = _regions(s, [i for ids in drawn.values() for i in ids])
        s.add_all([InspectionPlanItem(plan_id=plan.id, subject_id=sid, region_code=where[sid], grade=g)
                   for g, ids in drawn.items() for sid in ids])
        total = sum(len(v) for v in drawn.values())
        audit_log.record(s, key, actor=who.username, actor_id=who.user_id, type="credit_inspection_plan",
                         description=f"编制执法检查计划 #{plan.id}（{period}，区域{region}）：随机抽取{total}个检查对象",
                         result="success", region_code=region, ip=getattr(who, "ip", None),
                         detail={"plan_id": plan.id, "seed": seed, "sizes": plan.sizes})
        return _plan_row(plan)


def _regions(session, ids: list[int]) -> dict[int, int]:
    out = {}
    for i in range(0, len(ids), 500):
        out.update({int(a): int(b) for a, b in session.execute(
            select(CreditSubject.id, CreditSubject.region_code).where(CreditSubject.id.in_(ids[i:i + 500])))})
    return out


def digest(pop: dict[str, list[int]]) -> str:
    """SHA-256 of the population by grade (sorted ids): a redraw can tell whether it changed."""
    text = ";".join(f"{g}:{','.join(map(str, sorted(pop.get(g, ()))))}" for g in rules.GRADES)
    return hashlib.sha256(text.encode()).hexdigest()


def _plan_row(p: InspectionPlan) -> dict:
    return {"id": p.id, "region_code": int(p.region_code), "period": p.period, "seed": p.seed, "rates": dict(p.rates),
            "population": {g: n for g, n in p.population.items() if g in rules.GRADES}, "sizes": dict(p.sizes),
            "created_by": p.created_by,
            "created_at": p.created_at, "total": sum(p.sizes.values())}


def plans(url: str, who, limit: int = 500) -> list[dict]:
    ensure(who, Action.CREDIT_INSPECTION_PLAN)
    with reading(url) as s:
        stmt = scoped(select(InspectionPlan), InspectionPlan, who).order_by(InspectionPlan.id.desc()).limit(limit)
        return [_plan_row(p) for p in s.scalars(stmt)]


def items(url: str, who, plan_id) -> list[dict]:
    """The subjects drawn for a plan of the caller's jurisdiction (names as a listing shows them)."""
    ensure(who, Action.CREDIT_INSPECTION_PLAN)
    with reading(url) as s:
        plan = s.get(InspectionPlan, int(plan_id))
        if plan is None or not who.scope.contains(plan.region_code):
            raise AccountError("该检查计划不存在或不在您的管辖范围内")
        stmt = (select(InspectionPlanItem.id, InspectionPlanItem.grade, CreditSubject.id.label("subject_id"),
                       CreditSubject.name, CreditSubject.id_type, CreditSubject.identifier, CreditSubject.region_code,
                       CreditSubject.address)
                .join(CreditSubject, CreditSubject.id == InspectionPlanItem.subject_id)
                .where(InspectionPlanItem.plan_id == plan.id).order_by(InspectionPlanItem.grade, CreditSubject.id))
        return [{"id": r.id, "grade": rules.GRADE_LABELS.get(r.grade, r.grade), "subject_id": r.subject_id,
                 "name": name_shown(r.name, r.id_type, Purpose.REVIEW),
                 "identifier": id_shown(r.identifier, r.id_type, Purpose.REVIEW), "region_code": int(r.region_code),
                 "address": r.address or ""} for r in s.execute(stmt)]


def redraw(url: str, who, plan_id) -> dict:
    """The draw repeated from the plan's stored seed and rates over the subjects registered by its
    drawing (ids up to the recorded `max_id`), with their grades now ({"drawn", "same_population"}: whether the population's
    digest is still the one recorded; a re-evaluation since may have moved a subject's grade)."""
    ensure(who, Action.CREDIT_INSPECTION_PLAN)
    with reading(url) as s:
        plan = s.get(InspectionPlan, int(plan_id))
        if plan is None or not who.scope.contains(plan.region_code):
            raise AccountError("该检查计划不存在或不在您的管辖范围内")
        pop = population(s, who, int(plan.region_code), plan.population.get("max_id"))
        rates, _ = rules.parse_rates(plan.rates)
        return {"drawn": rules.draw(pop, rates, plan.seed), "same_population": digest(pop) == plan.population.get("sha256")}


def stored(url: str, plan_id: int) -> dict[str, list[int]]:
    with reading(url) as s:
        out: dict[str, list[int]] = {g: [] for g in rules.GRADES}
        for sid, g in s.execute(select(InspectionPlanItem.subject_id, InspectionPlanItem.grade)
                                .where(InspectionPlanItem.plan_id == plan_id).order_by(InspectionPlanItem.subject_id)):
            out[g].append(int(sid))
        return out
