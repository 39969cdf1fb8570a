"""The disclosure workflow in the system of record (rules: domain/disclosure): the village (or its
township accountant) prepares a disclosure from the books, the members' financial oversight group
reviews it, the township approves or returns it, then it is published and never changes again; a
correction is a new disclosure naming the one it corrects. Every step is scoped, takes the version
the page read, is audited in its own transaction, and a refused step changes nothing and lands in
the security log."""
from __future__ import annotations

from sqlalchemy import func, select

from data.admin.audit_log import log_change
from data.db import reading, transaction
from data.disclosure import content
from data.errors import AccountError
from data.models import CollectiveOrg, Disclosure, DisclosureQuestion, User, Voucher, utcnow
from data.scoped import load_for_write, org_for_write, scoped
from domain import disclosure as rules
from domain.disclosure import KINDS, STATES
from domain.money import period_of
from domain.permissions import Action, Actor, PermissionDenied, ensure, may

NOUN = "该财务公开"
#: who may take each step (the page's buttons ask `may` with these)
STEP_ACTIONS = {"edit": Action.DISCLOSURE_PREPARE, "review": Action.DISCLOSURE_REVIEW,
                "review_return": Action.DISCLOSURE_REVIEW, "approve": Action.DISCLOSURE_APPROVE,
                "return": Action.DISCLOSURE_APPROVE, "publish": Action.DISCLOSURE_PUBLISH,
                "correct": Action.DISCLOSURE_PREPARE}


def _refuse_step(actor: Actor, d: Disclosure, step: str) -> None:
    """Refuse `step` on `d` when its state does not allow it (logged as a refusal)."""
    problem = rules.step_problem(d.state, step)
    if problem:
        raise PermissionDenied(problem, STEP_ACTIONS[step])


def _load(s, actor: Actor, disclosure_id, version: int | None, action: Action) -> Disclosure:
    return load_for_write(s, Disclosure, disclosure_id, actor, version, noun=NOUN, action=action,
                          stale="该财务公开已被他人修改，请刷新后再操作")


def frequency_hint(url: str, actor: Actor, org_id: int, today) -> str:
    """'month' when the organisation's last quarter had many vouchers (domain.disclosure.frequency)."""
    first = rules.period_bounds("quarter", rules.previous_quarters(today, 1)[0])
    with reading(url) as s:
        org = org_for_write(s, org_id, actor)
        n = s.scalar(select(func.count()).select_from(Voucher).where(
            Voucher.org_id == org.id, Voucher.period.between(period_of(first[0]), period_of(first[1]))))
    return rules.frequency(int(n or 0))


def prepare(url: str, key: str, actor: Actor, org_id, kind, period, category, title, notes,
            corrects_id=None) -> int:
    """A new draft for the organisation, its content generated from the books. `corrects_id`: the
    published disclosure it corrects (same organisation, kind and period)."""
    ensure(actor, Action.DISCLOSURE_PREPARE)
    errors, clean = rules.draft_problems(kind, period, category, title, notes)
    with transaction(url, actor) as s:
        org = org_for_write(s, org_id, actor, Action.DISCLOSURE_PREPARE)
        if errors:
            raise AccountError(errors)
        corrected = None
        if corrects_id is not None:
            corrected = _load(s, actor, corrects_id, None, Action.DISCLOSURE_PREPARE)
            _refuse_step(actor, corrected, "correct")
            if corrected.org_id != org.id:
                raise AccountError({"_": "更正公开须与原公开属于同一集体经济组织"})
            clean.update(kind=corrected.kind, period=corrected.period, category=corrected.category)
            if not title:
                clean["title"] = f"更正：{corrected.title}"
        elif clean["kind"] != "major" and s.scalar(select(Disclosure.id).where(
                Disclosure.org_id == org.id, Disclosure.kind == clean["kind"], Disclosure.period == clean["period"],
                Disclosure.corrects_id.is_(None))) is not None:
            raise AccountError({"period": "该期间已有财务公开；如需更正已公开的内容，请选择该公开并发起更正"})
        d = Disclosure(org_id=org.id, region_code=org.region_code, period=clean["period"], kind=clean["kind"],
                       category=clean["category"], title=clean["title"], notes=clean["notes"], state="draft",
                       content=content.generate(s, org, clean["kind"], clean["period"]), reviewed_by_group=False,
                       prepared_by_id=actor.user_id, collected_by_id=actor.user_id, provided_by=actor.username,
                       responsible_by=org.name, corrects_id=corrected.id if corrected else None)
        s.add(d)
        s.flush()
        what = f"更正公开 #{corrected.id}，新建" if corrected else "编制"
        log_change(s, key, actor, org.region_code, f"{what}财务公开 #{d.id}“{d.title}”（{KINDS[d.kind]}）",
                   disclosure_id=d.id, state=d.state, corrects_id=d.corrects_id)
        return d.id


def edit(url: str, key: str, actor: Actor, disclosure_id, version: int, title, notes, regenerate: bool = True) -> int:
    """Change a draft's (or a returned one's) title and notes and regenerate its content from the
    books; a returned disclosure becomes a draft again. A published one refuses, changing nothing."""
    with transaction(url, actor) as s:
        d = _load(s, actor, disclosure_id, version, Action.DISCLOSURE_PREPARE)
        _refuse_step(actor, d, "edit")
        errors, clean = rules.draft_problems(d.kind, d.period, d.category, title, notes)
        if errors:
            raise AccountError(errors)
        d.title, d.notes, d.state = clean["title"], clean["notes"], "draft"
        d.reviewed_by_group, d.reviewers, d.review_opinion, d.reviewed_by_id, d.reviewed_at = False, None, None, None, None
        if regenerate:
            d.content = content.generate(s, s.get(CollectiveOrg, d.org_id), d.kind, d.period)
        d.prepared_by_id = actor.user_id
        s.flush()
        log_change(s, key, actor, d.region_code, f"修改财务公开 #{d.id}“{d.title}”", disclosure_id=d.id, state=d.state)
        return d.version


def review(url: str, key: str, actor: Actor, disclosure_id, version: int, agree: bool, reviewers, opinion) -> str:
    """The members' financial oversight group's review, recorded by the supervisory chair: the
    names of the members who reviewed and the opinion (required to return)."""
    ensure(actor, Action.DISCLOSURE_REVIEW)
    errors, names, text = rules.review_problems(reviewers, opinion, agree)
    with transaction(url, actor) as s:
        d = _load(s, actor, disclosure_id, version, Action.DISCLOSURE_REVIEW)
        _refuse_step(actor, d, "review" if agree else "review_return")
        if errors:
            raise AccountError(errors)
        d.state = "reviewed" if agree else "returned"
        d.reviewed_by_group = agree
        d.reviewers, d.review_opinion, d.reviewed_by_id, d.reviewed_at = names, text, actor.user_id, utcnow()
        s.flush()
        log_change(s, key, actor, d.region_code,
                   f"民主理财小组{'审核通过' if agree else '退回'}财务公开 #{d.id}（审核人：{names}）"
                   + (f"：{text[:100]}" if text else ""), disclosure_id=d.id, state=d.state)
        return d.state


def decide(url: str, key: str, actor: Actor, disclosure_id, version: int, approve: bool, opinion) -> str:
    """The township approves a reviewed disclosure or returns it with an opinion (domain.approvals)."""
    from domain import approvals

    ensure(actor, Action.DISCLOSURE_APPROVE)
    errors: dict[str, str] = {}
    text = approvals.opinion_of(errors, approve, opinion)
    with transaction(url, actor) as s:
        d = _load(s, actor, disclosure_id, version, Action.DISCLOSURE_APPROVE)
        _refuse_step(actor, d, "approve" if approve else "return")
        if errors:
            raise AccountError(errors)
        d.state = "approved" if approve else "returned"
        d.decided_by_id, d.decision_opinion, d.decided_at = actor.user_id, text, utcnow()
        s.flush()
        log_change(s, key, actor, d.region_code, f"乡镇{'审核同意' if approve else '退回'}财务公开 #{d.id}"
                   + (f"（审批意见：{text[:100]}）" if text else ""), disclosure_id=d.id, state=d.state)
        return d.state


def publish(url: str, key: str, actor: Actor, disclosure_id, version: int, today) -> str:
    """Publish an approved disclosure: from now on it never changes."""
    with transaction(url, actor) as s:
        d = _load(s, actor, disclosure_id, version, Action.DISCLOSURE_PUBLISH)
        _refuse_step(actor, d, "publish")
        d.state, d.published_on, d.published_by_id, d.published_at = "published", today, actor.user_id, utcnow()
        s.flush()
        log_change(s, key, actor, d.region_code, f"公开财务公开 #{d.id}“{d.title}”", disclosure_id=d.id,
                   state=d.state, corrects_id=d.corrects_id)
        return d.state


def _row(d: Disclosure, org_name: str, people: dict[int, str], corrected_by: dict[int, int], open_q: int) -> dict:
    due = rules.due_on(d.kind, d.period) if d.kind != "major" else None
    return {"id": d.id, "version": d.version, "org_id": d.org_id, "org": org_name, "region_code": int(d.region_code),
            "kind": d.kind, "kind_label": KINDS.get(d.kind, d.kind), "period": d.period,
            "period_text": rules.period_text(d.kind, d.period), "category": d.category, "title": d.title,
            "state": d.state, "state_label": STATES.get(d.state, d.state), "notes": d.notes or "",
            "due_on": due.isoformat() if due else "", "published_on": d.published_on.isoformat() if d.published_on else "",
            "prepared_by": people.get(d.prepared_by_id, ""), "prepared_by_id": d.prepared_by_id,
            "reviewers": d.reviewers or "", "review_opinion": d.review_opinion or "",
            "reviewed_by": people.get(d.reviewed_by_id, ""), "decided_by": people.get(d.decided_by_id, ""),
            "decision_opinion": d.decision_opinion or "", "published_by": people.get(d.published_by_id, ""),
            "corrects_id": d.corrects_id, "corrected_by_id": corrected_by.get(d.id), "open_questions": open_q,
            "content": d.content or {}}


def _people(s, ids) -> dict[int, str]:
    ids = {i for i in ids if i}
    if not ids:
        return {}
    return {i: f"{n}（{u}）" for i, n, u in s.execute(select(User.id, User.display_name, User.username)
                                                     .where(User.id.in_(ids)))}


def list_disclosures(url: str, actor: Actor, state: str | None = None, org_id=None, limit: int = 500) -> list[dict]:
    """The disclosures of the jurisdiction, newest first (optionally of one state / organisation)."""
    ensure(actor, Action.DISCLOSURE_VIEW)
    with reading(url) as s:
        q = scoped(select(Disclosure, CollectiveOrg.name).join(CollectiveOrg, CollectiveOrg.id == Disclosure.org_id),
                   Disclosure, actor)
        if state in STATES:
            q = q.where(Disclosure.state == state)
        if org_id is not None:
            q = q.where(Disclosure.org_id == int(org_id))
        rows = s.execute(q.order_by(Disclosure.id.desc()).limit(limit)).all()
        ids = [d.id for d, _ in rows]
        corrected = dict(s.execute(select(Disclosure.corrects_id, Disclosure.id).where(Disclosure.corrects_id.in_(ids))
                                   ).all()) if ids else {}
        open_q = dict(s.execute(select(DisclosureQuestion.disclosure_id, func.count())
                                .where(DisclosureQuestion.disclosure_id.in_(ids), DisclosureQuestion.answer.is_(None))
                                .group_by(DisclosureQuestion.disclosure_id)).all()) if ids else {}
        people = _people(s, [i for d, _ in rows for i in (d.prepared_by_id, d.reviewed_by_id, d.decided_by_id,
                                                          d.published_by_id)])
        return [_row(d, name, people, corrected, int(open_q.get(d.id, 0))) for d, name in rows]


def detail(url: str, actor: Actor, disclosure_id) -> dict:
    ensure(actor, Action.DISCLOSURE_VIEW)
    with reading(url) as s:
        d = load_for_write(s, Disclosure, disclosure_id, actor, noun=NOUN)
        org = s.get(CollectiveOrg, d.org_id)
        corrected = dict(s.execute(select(Disclosure.corrects_id, Disclosure.id)
                                   .where(Disclosure.corrects_id == d.id)).all())
        people = _people(s, (d.prepared_by_id, d.reviewed_by_id, d.decided_by_id, d.published_by_id))
        return _row(d, org.name, people, corrected, 0)


def steps_open(actor: Actor, row: dict) -> dict[str, bool]:
    """step -> whether `actor` may take it on the disclosure `row` now (the page's buttons)."""
    resource = {"region_code": row["region_code"], "prepared_by_id": row.get("prepared_by_id")}
    return {step: rules.step_problem(row["state"], step) is None and may(actor, action, resource)
            for step, action in STEP_ACTIONS.items()}
