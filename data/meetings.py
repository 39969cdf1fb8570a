"""Meetings and their resolutions in the system of record (会议管理).

A meeting is recorded with all its resolutions and files in ONE transaction: a meeting without a
quorum, a vote count above the attendance or any other problem refuses the whole record and
nothing is written. Each resolution's outcome is computed by the meeting kind's rule
(domain/meetings.py), never typed in. Reads are scoped to the caller's jurisdiction; an edit of a
meeting changed by someone else since it was opened is refused (optimistic locking); every write
leaves a security-log entry, and the record history (data/history.py) says who changed what.

Two people: whoever records (or changes) a meeting never confirms it (`confirm`, Action.MEETING_CONFIRM,
refused to everyone in the meeting's record history); only a confirmed meeting's resolutions can
be cited, and a confirmed meeting no longer changes. A deciding meeting carries its minutes and
sign-in sheet (attachments of owner type `meeting_minutes` / `meeting_signin`; other files are
`meeting`), and nobody more is due than its roll holds (`roll_of`).

`resolution_facts` is what any decision (asset act, listing, contract, payment) loads before it
asks `domain.meetings.citation_problem` whether it may cite a resolution.
"""
from __future__ import annotations

import datetime as dt

from sqlalchemy import case, func, select
from sqlalchemy.orm import aliased

from data import attachments as files_store
from data.admin.audit_log import log_change
from data.db import reading, transaction
from data.errors import AccountError
from data.models import (AssetEvent, CollectiveOrg, Contract, Meeting, Member, PaymentRequest, Resolution, TradeListing,
                         User, VillageProfile)
from data.scoped import in_scope, load_for_write, org_for_write, scoped
from domain import meetings as rules
from domain.permissions import Action, Actor, ensure

#: tables whose rows cite a resolution (resolution_id)
CITING = (AssetEvent, TradeListing, Contract, PaymentRequest)
#: attachment kind (domain.meetings.FILE_KINDS) -> the attachments' owner type
OWNER_TYPES = {"minutes": "meeting_minutes", "signin": "meeting_signin", "other": "meeting"}


# ------------------------------------------------------------------ citing


def resolution_facts(s, resolution_id: int | None) -> dict | None:
    """What `domain.meetings.citation_problem` needs to know of a resolution, or None if there is none."""
    if resolution_id is None:
        return None
    row = s.execute(select(Resolution, Meeting).join(Meeting, Meeting.id == Resolution.meeting_id)
                    .where(Resolution.id == int(resolution_id))).first()
    if row is None:
        return None
    r, m = row
    return {"id": r.id, "org_id": r.org_id, "passed": r.passed, "decision_type": r.decision_type,
            "subject_type": r.subject_type, "subject_id": r.subject_id, "amount_limit_fen": r.amount_limit_fen,
            "held_on": m.held_on, "meeting_kind": m.kind, "number": r.number, "meeting_id": m.id,
            "confirmed": m.status == "confirmed", "recorded_by_id": m.recorded_by_id,
            "confirmed_by_id": m.confirmed_by_id}


def citable(url: str, actor: Actor, org_id: int, decision_type: str | None = None) -> list[dict]:
    """Passed resolutions of an organisation in the caller's jurisdiction, voted at a confirmed
    meeting that may decide (and of `decision_type` if given): the choices for a decision's
    resolution field."""
    deciding = [k for k, v in rules.MEETING_KINDS.items() if v.decides]
    with reading(url) as s:
        org_for_write(s, org_id, actor)
        q = (select(Resolution, Meeting.held_on).join(Meeting, Meeting.id == Resolution.meeting_id)
             .where(Resolution.org_id == int(org_id), Resolution.passed.is_(True), Meeting.kind.in_(deciding),
                    Meeting.status == "confirmed")
             .order_by(Meeting.held_on.desc(), Resolution.id.desc()))
        if decision_type:
            q = q.where(Resolution.decision_type == decision_type)
        return [{"id": r.id, "label": f"{held_on} {r.number} {r.subject}", "decision_type": r.decision_type}
                for r, held_on in s.execute(q).all()]


def _cited(s, resolution_ids: list[int]) -> dict[int, int]:
    """resolution id -> how many records cite it."""
    out: dict[int, int] = {}
    if not resolution_ids:
        return out
    for model in CITING:
        q = (select(model.resolution_id, func.count()).where(model.resolution_id.in_(resolution_ids))
             .group_by(model.resolution_id))
        for rid, n in s.execute(q).all():
            out[rid] = out.get(rid, 0) + n
    return out


# ------------------------------------------------------------------ reads


def orgs(url: str, actor: Actor, limit: int = 2000) -> list[dict]:
    """The collective organisations of the caller's jurisdiction (the form's choices)."""
    with reading(url) as s:
        q = scoped(select(CollectiveOrg), CollectiveOrg, actor).order_by(CollectiveOrg.region_code, CollectiveOrg.id) \
            .limit(limit)
        return [{"id": o.id, "label": o.name, "region_code": int(o.region_code)} for o in s.scalars(q)]


def list_meetings(url: str, actor: Actor, limit: int = 5000) -> list[dict]:
    """Meetings of the caller's jurisdiction, newest first, with attendance and resolution counts."""
    with reading(url) as s:
        counts = (select(Resolution.meeting_id, func.count().label("n"),
                         func.sum(case((Resolution.passed.is_(True), 1), else_=0)).label("passed"))
                  .group_by(Resolution.meeting_id).subquery())
        recorder, confirmer = aliased(User), aliased(User)
        q = (select(Meeting, CollectiveOrg.name, counts.c.n, counts.c.passed, recorder.username, confirmer.username)
             .join(CollectiveOrg, CollectiveOrg.id == Meeting.org_id)
             .outerjoin(counts, counts.c.meeting_id == Meeting.id)
             .outerjoin(recorder, recorder.id == Meeting.recorded_by_id)
             .outerjoin(confirmer, confirmer.id == Meeting.confirmed_by_id)
             .where(in_scope(Meeting.region_code, actor))
             .order_by(Meeting.held_on.desc(), Meeting.id.desc()).limit(limit))
        rows = []
        for m, org_name, n, n_passed, recorded_by, confirmed_by in s.execute(q).all():
            kind = rules.MEETING_KINDS.get(m.kind)
            quorum = kind.quorum.met(m.attended, m.expected) if kind else None
            rows.append({
                "id": m.id, "org_id": m.org_id, "org": org_name, "region_code": int(m.region_code), "kind": m.kind,
                "title": m.title, "held_on": m.held_on.isoformat(), "expected": m.expected, "attended": m.attended,
                "rate": round(m.attended * 100 / m.expected) if m.expected else None,
                "attendance": f"{m.attended}/{m.expected}" + (f"（{round(m.attended * 100 / m.expected)}%）"
                                                               if m.expected else ""),
                "quorum": {True: "已达", False: "未达", None: "—"}[quorum],
                "resolutions": int(n or 0), "passed": int(n_passed or 0),
                "outcomes": f"{int(n_passed or 0)}/{int(n or 0)}", "version": m.version, "status": m.status,
                "status_label": rules.STATUS_LABELS.get(m.status, m.status), "recorded_by": recorded_by or "—",
                "confirmed_by": confirmed_by or "—", "recorded_by_id": m.recorded_by_id,
            })
        return rows


def meeting(url: str, actor: Actor, meeting_id) -> dict:
    """One meeting in the caller's jurisdiction, with its resolutions and files."""
    with reading(url) as s:
        m = load_for_write(s, Meeting, meeting_id, actor, noun="该会议")
        res = s.scalars(select(Resolution).where(Resolution.meeting_id == m.id).order_by(Resolution.id)).all()
        cited = _cited(s, [r.id for r in res])
        org = s.get(CollectiveOrg, m.org_id)
        names = {u.id: u.username for u in s.scalars(select(User).where(User.id.in_(
            [i for i in (m.recorded_by_id, m.confirmed_by_id) if i is not None])))}
        files = [{**f, "kind": kind, "kind_label": rules.FILE_KINDS[kind]} for kind, owner in OWNER_TYPES.items()
                 for f in files_store.list_for(s, actor.scope, owner, m.id)]
        return {
            "id": m.id, "org_id": m.org_id, "org": org.name, "region_code": int(m.region_code), "kind": m.kind,
            "title": m.title, "held_on": m.held_on, "expected": m.expected, "attended": m.attended,
            "agenda": m.agenda or "", "version": m.version, "status": m.status,
            "status_label": rules.STATUS_LABELS.get(m.status, m.status), "recorded_by_id": m.recorded_by_id,
            "recorded_by": names.get(m.recorded_by_id, "—"), "confirmed_by": names.get(m.confirmed_by_id, "—"),
            "confirmed_at": m.confirmed_at, "return_note": m.return_note or "",
            "resolutions": [{
                "id": r.id, "number": r.number, "subject": r.subject, "decision_type": r.decision_type,
                "decision": rules.DECISION_TYPES.get(r.decision_type, r.decision_type), "votes_for": r.votes_for,
                "votes_against": r.votes_against, "votes_abstain": r.votes_abstain,
                "votes": f"{r.votes_for}/{r.votes_against}/{r.votes_abstain}",
                "amount_limit_fen": r.amount_limit_fen, "passed": r.passed, "outcome": "通过" if r.passed else "未通过",
                "cited": cited.get(r.id, 0), "version": r.version} for r in res],
            "files": files,
        }


def list_resolutions(url: str, actor: Actor, org_id: int | None = None, limit: int = 5000) -> list[dict]:
    """Resolutions of the caller's jurisdiction (of one organisation if given), newest first."""
    with reading(url) as s:
        q = (select(Resolution, Meeting.held_on, Meeting.kind).join(Meeting, Meeting.id == Resolution.meeting_id)
             .where(in_scope(Meeting.region_code, actor)).order_by(Meeting.held_on.desc(), Resolution.id.desc())
             .limit(limit))
        if org_id is not None:
            q = q.where(Resolution.org_id == int(org_id))
        return [{"id": r.id, "meeting_id": r.meeting_id, "org_id": r.org_id, "held_on": held_on.isoformat(),
                 "meeting_kind": kind, "number": r.number, "subject": r.subject, "decision_type": r.decision_type,
                 "passed": r.passed} for r, held_on, kind in s.execute(q).all()]


def history_of(url: str, actor: Actor, meeting_id) -> list[dict]:
    """Who changed the meeting and its resolutions, what and when — newest first."""
    from data.history import history

    with reading(url) as s:
        m = load_for_write(s, Meeting, meeting_id, actor, noun="该会议")
        res = s.execute(select(Resolution.id, Resolution.number).where(Resolution.meeting_id == m.id)).all()
    out = [{**h, "record": "会议"} for h in history(url, actor.scope, "meetings", m.id)]
    for rid, number in res:
        out += [{**h, "record": f"决议 {number}"} for h in history(url, actor.scope, "resolutions", rid)]
    return sorted(out, key=lambda h: h["at"], reverse=True)


# ------------------------------------------------------------------ writes

#: attachment kind -> the form field its problems are reported under
FILE_FIELDS = {"minutes": "minutes", "signin": "signin", "other": "attachments"}
LOCKED = "该会议记录已经确认，不能再修改"


def roll_of(s, org_id: int, kind: str | None) -> int | None:
    """How many people the roll of a meeting of `kind` holds (domain.meetings.MeetingKind.roll):
    the organisation's members, or the village's population; None: no roll bounds it."""
    k = rules.MEETING_KINDS.get(kind or "")
    if k is None or k.roll is None:
        return None
    if k.roll == "members":
        return int(s.scalar(select(func.count()).select_from(Member).where(Member.org_id == int(org_id))) or 0)
    return s.scalar(select(VillageProfile.population).where(VillageProfile.org_id == int(org_id)))


def _files_errors(kind: str | None, files: dict[str, list], required: bool = True) -> dict[str, str]:
    if unknown := set(files) - set(OWNER_TYPES):
        raise ValueError(f"unknown meeting file kinds {sorted(unknown)}")
    errors = {FILE_FIELDS[k]: p for k, v in files.items() if (p := files_store.files_problem(v))}
    if required:
        for f, why in rules.missing_files(kind, {k for k, v in files.items() if v}).items():
            errors.setdefault(FILE_FIELDS[f], why)
    return errors


def _attach(s, actor: Actor, meeting_id: int, files: dict[str, list[tuple[str, bytes]]]) -> list[str]:
    names = []
    for kind, uploads in files.items():
        for name, content in uploads:
            files_store.add(s, actor, OWNER_TYPES[kind], meeting_id, name, content)
            names.append(files_store.clean_name(name))
    return names


def record(url: str, key: str, actor: Actor, org_id, draft: rules.MeetingDraft,
           resolutions: list[rules.ResolutionDraft], today: dt.date,
           files: dict[str, list[tuple[str, bytes]]] | None = None) -> int:
    """Record a held meeting with its resolutions and files (`files`: kind -> (name, bytes) pairs,
    kinds "minutes", "signin", "other"; a deciding meeting needs the first two) in one transaction,
    as `recorded`: its resolutions are cited only once someone else confirms it. Returns the
    meeting id. Every problem is reported at once; nothing is written on any of them."""
    ensure(actor, Action.MEETING_RECORD)
    files = {k: list(v or []) for k, v in (files or {}).items()}
    plan, errors = rules.plan_problems(draft, resolutions, today)
    errors = {**errors, **_files_errors(draft.kind, files)}
    if org_id is None:
        raise AccountError({**errors, "org": "请选择集体经济组织"})
    with transaction(url, actor) as s:
        org = org_for_write(s, org_id, actor, Action.MEETING_RECORD)
        expected = rules.parse_count(draft.expected)[0]
        if "expected" not in errors and (why := rules.roll_problem(draft.kind, expected, roll_of(s, org.id, draft.kind))):
            errors["expected"] = why
        numbers = [(n, (r.number or "").strip()) for n, r in enumerate(resolutions, start=1)]
        taken = set(s.scalars(select(Resolution.number).where(Resolution.org_id == org.id,
                                                             Resolution.number.in_([x for _, x in numbers if x]))))
        for n, number in numbers:
            if number in taken:
                errors.setdefault(f"r{n}.number", f"本组织已有编号为“{number}”的决议")
        if errors:
            raise AccountError(errors)
        m = Meeting(org_id=org.id, region_code=org.region_code, kind=plan.kind, title=plan.title,
                    held_on=plan.held_on, expected=plan.expected, attended=plan.attended, agenda=plan.agenda,
                    status="recorded", recorded_by_id=actor.user_id,
                    collected_by_id=actor.user_id, provided_by=actor.username, responsible_by=org.name)
        s.add(m)
        s.flush()
        for r in plan.resolutions:
            s.add(Resolution(meeting_id=m.id, org_id=org.id, number=r["number"], subject=r["subject"],
                             decision_type=r["decision_type"], amount_limit_fen=r["amount_limit_fen"],
                             votes_for=r["votes_for"], votes_against=r["votes_against"],
                             votes_abstain=r["votes_abstain"], passed=r["passed"], collected_by_id=actor.user_id,
                             provided_by=actor.username, responsible_by=org.name))
        s.flush()
        names = _attach(s, actor, m.id, files)
        outcome = "，".join(f"{r['number']}{'通过' if r['passed'] else '未通过'}" for r in plan.resolutions)
        log_change(s, key, actor, org.region_code,
             f"登记{plan.kind}：{org.name}“{plan.title}”（{plan.held_on}，应到{plan.expected}人，实到{plan.attended}人；"
             f"决议：{outcome}；待确认）", meeting_id=m.id, resolutions=len(plan.resolutions), attachments=names)
        return m.id


def update(url: str, key: str, actor: Actor, meeting_id, expected_version: int, draft: rules.MeetingDraft,
           today: dt.date) -> int:
    """Correct a meeting's record (kind, title, date, attendance, agenda) before it is confirmed
    (a returned one goes back to be confirmed). Its resolutions' outcomes are recomputed; a
    resolution already cited may not change its outcome, and the date or kind of a meeting whose
    resolutions are cited may not change. Returns the new version."""
    ensure(actor, Action.MEETING_RECORD)
    values, errors = rules.meeting_problems(draft, today)
    with transaction(url, actor) as s:
        m = load_for_write(s, Meeting, meeting_id, actor, expected_version, noun="该会议", action=Action.MEETING_RECORD,
                           stale="该会议记录已被他人修改，请刷新后再操作")
        if m.status == "confirmed":
            raise AccountError({"_": LOCKED})
        if "expected" not in errors and (why := rules.roll_problem(values["kind"], values["expected"],
                                                                   roll_of(s, m.org_id, values["kind"]))):
            errors["expected"] = why
        res = s.scalars(select(Resolution).where(Resolution.meeting_id == m.id).order_by(Resolution.id)).all()
        cited = _cited(s, [r.id for r in res])
        if not errors:
            for r in res:
                total = r.votes_for + r.votes_against + r.votes_abstain
                if total > values["attended"]:
                    errors["attended"] = f"实到人数少于决议 {r.number} 的投票合计（{total}票）"
                    break
        if not errors and cited:
            if values["held_on"] != m.held_on:
                errors["held_on"] = "本次会议的决议已被引用，不能更改会议日期"
            if values["kind"] != m.kind:
                errors["kind"] = "本次会议的决议已被引用，不能更改会议类型"
            for r in res:
                now = rules.passes(values["kind"], values["expected"], values["attended"], r.votes_for)
                if r.id in cited and now != r.passed:
                    errors["attended"] = f"决议 {r.number} 已被引用，修改后其表决结果将改变，不能保存"
                    break
        if errors:
            raise AccountError(errors)
        before = {k: getattr(m, k) for k in ("kind", "title", "held_on", "expected", "attended", "agenda")}
        for k, v in values.items():
            setattr(m, k, v)
        flipped = []
        for r in res:
            now = rules.passes(m.kind, m.expected, m.attended, r.votes_for)
            if now != r.passed:
                r.passed = now
                flipped.append(r.number)
        changed = [k for k, v in before.items() if getattr(m, k) != v]
        if not changed:
            raise AccountError({"_": "没有修改任何内容"})
        m.status = "recorded"  # a returned meeting, corrected, waits to be confirmed again
        s.flush()
        log_change(s, key, actor, m.region_code,
             f"修改会议记录 #{m.id}“{m.title}”：{'、'.join(changed)}"
             + (f"；表决结果随之改变的决议：{'、'.join(flipped)}" if flipped else ""),
             meeting_id=m.id, fields=changed, flipped=flipped)
        return m.version


def add_files(url: str, key: str, actor: Actor, meeting_id, uploads: list[tuple[str, bytes]],
              kind: str = "other") -> list[str]:
    """Attach more files of `kind` (minutes, sign-in sheet, other) to a meeting not yet confirmed,
    all or none."""
    ensure(actor, Action.MEETING_RECORD)
    field = FILE_FIELDS.get(kind, "attachments")
    if not uploads:
        raise AccountError({field: "请选择文件"})
    errors = _files_errors(None, {kind: uploads})
    with transaction(url, actor) as s:
        m = load_for_write(s, Meeting, meeting_id, actor, noun="该会议", action=Action.MEETING_RECORD)
        if m.status == "confirmed":
            raise AccountError({field: "该会议记录已经确认，不能再补充附件"})
        if errors:
            raise AccountError(errors)
        names = _attach(s, actor, m.id, {kind: uploads})
        log_change(s, key, actor, m.region_code,
             f"上传会议{rules.FILE_KINDS[kind]} #{m.id}“{m.title}”：{'、'.join(names)}", meeting_id=m.id,
             attachments=names)
        return names
