"""Changes and corrections of level-1 base data in the system of record (Art. J13–J14); the
rules are domain.basedata.rules. Every step is one transaction with its security-log entry; a
refusal changes nothing and is logged (by the request's refusal sink, or here when called
outside a request)."""
from __future__ import annotations

from sqlalchemy import select

from data import attachments
from data.admin import audit_log
from data.basedata.lock import ensure_unlocked, locked_by
from data.db import reading, transaction
from data.errors import AccountError, StaleEdit
from data.models import BaseDataChange, CollectiveOrg, Member, VillageProfile, utcnow
from data.scoped import load_for_write, org_for_write
from domain import approvals
from domain.basedata import rules
from domain.permissions import Action, Actor, PermissionDenied, ensure, may

NOUN = "该基础数据变更"
OWNER = "base_data_change"
STALE = "基础数据已被他人修改，请刷新后再操作"


def logged_refusal(url: str, key: str, actor: Actor, exc: PermissionDenied, what: str, region: int | None,
                   detail: dict | None = None) -> None:
    """Write a refusal no sink took (a call outside a web request) to the security log, once."""
    if getattr(exc, "logged", False):
        return
    with transaction(url) as s:
        audit_log.record(s, key, actor=actor.username, actor_id=actor.user_id, type="basedata",
                         description=f"{what}被拒绝：{exc}", result="denied", region_code=region or actor.scope.root,
                         ip=actor.ip, detail=detail or {})
    exc.logged = True


def current_values(s, org_id: int, member_ids=()) -> dict[str, str]:
    """field -> text of the profile as stored now (zeros for a village without one), and
    "shares:<id>" -> text for each member in `member_ids` of this organisation."""
    p = s.scalar(select(VillageProfile).where(VillageProfile.org_id == int(org_id)))
    out = {f.key: rules.as_text(f.key, getattr(p, f.key) if p is not None else 0) for f in rules.FIELDS}
    ids = [int(m) for m in member_ids]
    if ids:
        for mid, shares in s.execute(select(Member.id, Member.shares).where(Member.id.in_(ids),
                                                                              Member.org_id == int(org_id))):
            out[f"{rules.SHARES}{mid}"] = str(int(shares))
    return out


def _member_ids(values: dict) -> list[int]:
    return [int(k[len(rules.SHARES):]) for k in values if k.startswith(rules.SHARES)]


def _apply(s, org_id: int, values: dict[str, str]) -> None:
    """Write `values` (field -> text) to the profile and the member roll, exactly."""
    p = s.scalar(select(VillageProfile).where(VillageProfile.org_id == int(org_id)))
    if p is None:
        p = VillageProfile(org_id=int(org_id))
        s.add(p)
    for k, text in values.items():
        if k.startswith(rules.SHARES):
            m = s.get(Member, int(k[len(rules.SHARES):]))
            if m is None or m.org_id != int(org_id):
                raise AccountError({"shares": "成员不存在或不属于该集体经济组织"})
            m.shares = int(text)
        else:
            setattr(p, k, rules.as_value(k, text))
    s.flush()


def profile_version(s, org_id: int) -> int:
    return int(s.scalar(select(VillageProfile.version).where(VillageProfile.org_id == int(org_id))) or 0)


def _describe(before: dict, after: dict) -> str:
    parts = [f"{rules.field_label(k)} {before.get(k, '')}→{v}" for k, v in after.items()]
    text = "，".join(parts)
    return text if len(text) <= 300 else text[:300] + "…"


def propose(url: str, key: str, actor: Actor, org_id, version, typed: dict, shares: dict | None, reason, files,
            *, correction: bool = False, evidence=None) -> int:
    """A village's change (or, `correction`, a township's correction after the lock) of the
    organisation's level-1 base data: the typed values (blank: unchanged), a member's shares
    ({member id: typed}), the reason, the documents ((name, bytes) pairs). Returns its id."""
    action = Action.BASEDATA_CORRECT if correction else Action.BASEDATA_PROPOSE
    what = "申请更正基础数据" if correction else "发起基础数据变更"
    region = None
    try:
        ensure(actor, action)
        with transaction(url, actor) as s:
            org = org_for_write(s, org_id, actor, action=action)
            region = int(org.region_code)
            if correction:
                if locked_by(s, region) is None:
                    raise AccountError("该地区仍在试运行期，基础数据由村级发起变更、乡镇审核，无需更正申请")
            else:
                ensure_unlocked(s, region)
            if version is None or int(version) != profile_version(s, org.id):
                raise StaleEdit(STALE)
            wanted = {int(m): raw for m, raw in (shares or {}).items()}
            current = current_values(s, org.id, wanted)
            errors: dict[str, str] = {}
            if any(f"{rules.SHARES}{m}" not in current for m in wanted):
                errors["shares"] = "成员不存在或不属于该集体经济组织"
            before, after, typed_errors = rules.proposal(
                current, typed, {m: (current[f"{rules.SHARES}{m}"], raw) for m, raw in wanted.items()
                                 if f"{rules.SHARES}{m}" in current})
            errors.update(typed_errors)
            text, proof = rules.request_problems(errors, before, reason, len(files or ()), correction=correction,
                                                 evidence=evidence)
            bad_file = attachments.files_problem(files)
            if bad_file:
                errors["document"] = bad_file
            if errors:
                raise AccountError(errors)
            row = BaseDataChange(org_id=org.id, region_code=region, is_correction=correction, status="submitted",
                                 before=before, after=after, profile_version=int(version), reason=text, evidence=proof,
                                 proposed_by_id=actor.user_id, collected_by_id=actor.user_id,
                                 provided_by=actor.username, responsible_by=actor.username)
            s.add(row)
            s.flush()
            for name, content in files:
                attachments.add(s, actor, OWNER, row.id, name, content)
            audit_log.record(s, key, actor=actor.username, actor_id=actor.user_id, type="basedata",
                             description=f"{what} #{row.id}（{org.name}）：{_describe(before, after)}", result="submitted",
                             region_code=region, ip=actor.ip, detail={"change_id": row.id, "before": before,
                                                                      "after": after})
            return row.id
    except PermissionDenied as exc:
        logged_refusal(url, key, actor, exc, what, region, {"org_id": str(org_id)})
        raise


def decide(url: str, key: str, actor: Actor, change_id, version, approve: bool, opinion=None) -> str:
    """The township's decision on a change (the county's on a correction): approved, the values
    are applied and filed (备案) with before/after; returned, with its opinion. Returns the status."""
    errors: dict[str, str] = {}
    text = approvals.opinion_of(errors, approve, opinion)
    region = None
    try:
        with transaction(url, actor) as s:
            row = load_for_write(s, BaseDataChange, change_id, actor, None, noun=NOUN)
            region = int(row.region_code)
            action = Action.BASEDATA_CORRECTION_APPROVE if row.is_correction else Action.BASEDATA_APPROVE
            ensure(actor, action, row, noun=NOUN)
            if version is not None and row.version != int(version):
                raise StaleEdit(f"{NOUN}已被他人处理，请刷新后再操作")
            if row.status != "submitted":
                raise AccountError(f"{NOUN}已处理（{rules.status_label(row.status, row.is_correction)}）")
            if not row.is_correction:
                ensure_unlocked(s, region)
            if errors:
                raise AccountError(errors)
            now = utcnow()
            if approve:
                current = current_values(s, row.org_id, _member_ids(row.after))
                stale = rules.stale_problem(row.before, current)
                if stale:
                    raise AccountError(stale)
                _apply(s, row.org_id, row.after)
                row.before = {k: current[k] for k in row.after}
                row.status = "filed"
                row.filed_with = rules.FILED_CORRECTION if row.is_correction else rules.FILED_CHANGE
                row.filed_at = now
            else:
                row.status = "returned"
            row.decided_by_id, row.decided_at, row.opinion = actor.user_id, now, text
            s.flush()
            verb = "同意" if approve else "退回"
            audit_log.record(s, key, actor=actor.username, actor_id=actor.user_id, type="basedata",
                             description=f"{verb}基础数据{rules.kind_label(row.is_correction)} #{row.id}"
                                         + (f"，已实施并报{row.filed_with}备案：{_describe(row.before, row.after)}"
                                            if approve else "") + (f"（意见：{text[:100]}）" if text else ""),
                             result=row.status, region_code=region, ip=actor.ip,
                             detail={"change_id": row.id, "before": row.before, "after": row.after})
            return row.status
    except PermissionDenied as exc:
        logged_refusal(url, key, actor, exc, f"审核基础数据变更 #{change_id}", region, {"change_id": str(change_id)})
        raise


def revoke(url: str, key: str, actor: Actor, change_id, version, reason) -> None:
    """A city or province revokes an unfounded correction with its reason: the values it replaced
    are restored exactly (the correction's `before`), and the revocation is logged and shown."""
    errors: dict[str, str] = {}
    text = approvals.opinion_of(errors, "revoke", reason)
    region = None
    try:
        with transaction(url, actor) as s:
            row = load_for_write(s, BaseDataChange, change_id, actor, None, noun=NOUN, action=Action.BASEDATA_REVOKE)
            region = int(row.region_code)
            if version is not None and row.version != int(version):
                raise StaleEdit(f"{NOUN}已被他人处理，请刷新后再操作")
            current = current_values(s, row.org_id, _member_ids(row.after))
            problem = rules.revoke_problem(row.status, row.is_correction, row.after, current)
            if problem:
                raise AccountError(problem)
            if errors:
                raise AccountError(errors)
            _apply(s, row.org_id, row.before)
            row.status, row.revoked_by_id, row.revoked_at, row.revoke_reason = "revoked", actor.user_id, utcnow(), text
            s.flush()
            audit_log.record(s, key, actor=actor.username, actor_id=actor.user_id, type="basedata",
                             description=f"撤销基础数据更正 #{row.id}，恢复原值：{_describe(row.after, row.before)}"
                                         f"（撤销理由：{text[:100]}）", result="revoked", region_code=region, ip=actor.ip,
                             detail={"change_id": row.id, "restored": row.before, "undone": row.after})
    except PermissionDenied as exc:
        logged_refusal(url, key, actor, exc, f"撤销基础数据更正 #{change_id}", region, {"change_id": str(change_id)})
        raise


def submit(url: str, key: str, actor: Actor, org_id, version, typed: dict, shares: dict | None, reason, files,
           evidence=None) -> tuple[int, bool]:
    """The change form's one submit: a change during the trial period (and, after the lock, for
    anyone who may propose one — refused by the lock), a correction after it. Returns (id,
    whether it is a correction)."""
    region = None
    with reading(url) as s:
        org = s.get(CollectiveOrg, int(org_id)) if str(org_id).isdigit() else None
        if org is not None and actor.scope.contains(int(org.region_code)):
            region = int(org.region_code)
        locked = region is not None and locked_by(s, region) is not None
    correction = locked and not may(actor, Action.BASEDATA_PROPOSE)
    cid = propose(url, key, actor, org_id, version, typed, shares, reason, files, correction=correction,
                  evidence=evidence)
    return cid, correction
