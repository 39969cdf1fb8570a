"""Account administration in the system of record: listing users within a scope, requests to
create or re-authorise accounts and their decision, disabling, password changes. Every write is
one transaction with its security-log entry; stale edits are refused, not applied.
"""
from __future__ import annotations

import datetime as dt

from sqlalchemy import select, update

from data.db import reading, transaction
from data.errors import AccountError, StaleEdit
from data.scoped import load_for_write, scoped
from data.models import AccountRequest, User, UserSession, utcnow
from data.regions import load_region_tree
from domain import approvals
from domain.admin import accounts as rules
from data.admin import audit_log
from domain.admin import passwords
from domain.permissions import ROLES, Action, Actor, OutOfScope, Refused, Scope, ensure, role_label

#: An administrator-set initial password counts as expired: it must be changed at first sign-in.
INITIAL_PASSWORD_AT = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)


def _log(s, key, actor: Actor, type_: str, description: str, result: str = "success", **detail) -> None:
    audit_log.record(s, key, actor=actor.username, actor_id=actor.user_id, type=type_, description=description,
                 result=result, region_code=actor.scope.root, ip=actor.ip, detail=detail or None)


def _user_row(u: User) -> dict:
    return {"id": u.id, "username": u.username, "display_name": u.display_name, "role": u.role,
            "role_label": role_label(u.role), "region_code": int(u.region_code), "is_active": u.is_active,
            "locked": u.locked_until is not None and u.locked_until > utcnow(), "version": u.version,
            "institution": u.institution, "approval_ref": u.approval_ref,
            "password_changed_at": u.password_changed_at, "totp": bool(u.totp_secret)}


def list_users(url: str, scope: Scope) -> list[dict]:
    """Accounts whose region lies in the caller's jurisdiction."""
    ensure(scope, Action.ACCOUNT_REQUEST)
    with reading(url) as s:
        return [_user_row(u) for u in s.scalars(scoped(select(User), User, scope)
                                                .order_by(User.region_code, User.username))]


def _check_draft(draft: rules.AccountDraft, province: int, creating: bool) -> None:
    tree = load_region_tree(province)
    errors = rules.draft_problems(draft, creating=creating, region_exists=lambda c: c in tree)
    if errors:
        raise AccountError(errors)


def submit_request(url: str, key: str, province: int, actor: Actor, draft: rules.AccountDraft, *,
                   target_user_id: int | None = None, expected_version: int | None = None,
                   reason: str | None = None) -> int:
    """Ask for an account to be created (no target) or re-authorised (new role, region,
    institution or approval reference). Returns the request id."""
    creating = target_user_id is None
    _check_draft(draft, province, creating)
    if not rules.within_remit(actor.scope, actor.level, draft.role, draft.region_code):
        raise OutOfScope("只能在本辖区内、为下级角色申请账号")
    level, region = rules.approver_for(draft.role, draft.region_code, actor.scope)
    with transaction(url) as s:
        if creating:
            if s.scalar(select(User.id).where(User.username == draft.username)) is not None:
                raise AccountError({"username": "该用户名已被使用"})
            if s.scalar(select(AccountRequest.id).where(AccountRequest.username == draft.username,
                                                        AccountRequest.status == "pending")) is not None:
                raise AccountError({"username": "该用户名已有待审批的申请"})
        else:
            user = load_for_write(s, User, target_user_id, actor, expected_version, noun="该账号",
                                  action=Action.ACCOUNT_REQUEST, stale="该账号已被他人修改，请刷新后重新提交")
            if not rules.within_remit(actor.scope, actor.level, user.role, int(user.region_code)):
                raise OutOfScope("只能管理本辖区内的下级账号")
            draft = rules.AccountDraft(username=user.username, display_name=draft.display_name, role=draft.role,
                                       region_code=draft.region_code, approval_ref=draft.approval_ref,
                                       institution=draft.institution)
        req = AccountRequest(
            kind="create" if creating else "change", target_user_id=target_user_id,
            target_version=None if creating else user.version,
            username=draft.username, display_name=draft.display_name.strip(), role=draft.role,
            region_code=draft.region_code, approval_ref=(draft.approval_ref or "").strip() or None,
            institution=(draft.institution or "").strip() or None,
            password_hash=passwords.hash_password(draft.password) if creating else None, reason=reason,
            requested_by_id=actor.user_id, approver_level=level, approver_region=region, status="pending",
            collected_by_id=actor.user_id, provided_by=actor.username, responsible_by=actor.username)
        s.add(req)
        s.flush()
        verb = "新建账号" if creating else "变更账号授权"
        _log(s, key, actor, "account", f"提交{verb}申请：{draft.username}（{ROLES[draft.role].label}）",
             request_id=req.id, role=draft.role, region_code=draft.region_code)
        return req.id


def list_requests(url: str, actor: Actor, status: str | None = "pending") -> list[dict]:
    """Requests the actor may decide, plus the actor's own."""
    with reading(url) as s:
        q = select(AccountRequest).order_by(AccountRequest.id.desc())
        if status:
            q = q.where(AccountRequest.status == status)
        rows = []
        for r in s.scalars(q):
            mine = r.requested_by_id == actor.user_id
            decidable = rules.may_decide(actor.scope, actor.user_id, r.approver_level, int(r.approver_region),
                                         r.requested_by_id)
            if not (mine or decidable or (r.status != "pending" and actor.scope.contains(r.region_code))):
                continue
            rows.append({"id": r.id, "kind": r.kind, "username": r.username, "display_name": r.display_name,
                         "role": r.role, "role_label": role_label(r.role), "region_code": int(r.region_code),
                         "status": r.status, "mine": mine, "decidable": decidable and r.status == "pending",
                         "requested_by_id": r.requested_by_id, "created_at": r.created_at, "reason": r.reason,
                         "version": r.version, "opinion": r.decision_comment or "",
                         "approver": rules.approver_name(r.approver_level)})
        return rows


def decide(url: str, key: str, actor: Actor, request_id: int, approve: bool, comment: str | None = None,
           now: dt.datetime | None = None) -> str:
    """Approve or reject a pending request with its opinion (`comment`: optional to approve,
    required to reject, domain.approvals), by an administrator of its approver's unit who did not file it."""
    now = now or utcnow()
    errors: dict[str, str] = {}
    comment = approvals.opinion_of(errors, approve, comment)
    with transaction(url) as s:
        r = s.get(AccountRequest, request_id)
        if r is None or r.status != "pending":
            raise AccountError("该申请不存在或已处理")
        own = r.requested_by_id == actor.user_id
        allowed = rules.may_decide(actor.scope, actor.user_id, r.approver_level, int(r.approver_region),
                                   r.requested_by_id)
        if allowed:
            if errors:
                raise AccountError(errors)
            _apply_decision(s, key, actor, r, approve, comment, now)
            return r.status
    reason = "不能审批本人提交的申请" if own else f"该申请应由{rules.approver_name(r.approver_level)}审批"
    with transaction(url) as s:  # the refusal is logged; the request stays as it was
        _log(s, key, actor, "approval", f"审批账号申请 #{request_id} 被拒绝：{reason}", "denied", request_id=request_id)
    raise Refused(reason, Action.ACCOUNT_APPROVE)


def _apply_decision(s, key, actor: Actor, r: AccountRequest, approve: bool, comment, now) -> None:
    if approve:
        if r.kind == "create":
            if s.scalar(select(User.id).where(User.username == r.username)) is not None:
                raise AccountError({"username": "该用户名已被使用"})
            s.add(User(username=r.username, display_name=r.display_name, role=r.role, region_code=r.region_code,
                       password_hash=r.password_hash, password_changed_at=INITIAL_PASSWORD_AT,
                       approval_ref=r.approval_ref, institution=r.institution, is_active=True,
                       collected_by_id=r.requested_by_id, provided_by=str(r.requested_by_id),
                       responsible_by=actor.username))
        else:
            user = s.get(User, r.target_user_id)
            if user is None or user.version != r.target_version:
                raise StaleEdit("账号在申请提交后已被修改，请驳回后重新申请")
            user.display_name, user.role, user.region_code = r.display_name, r.role, r.region_code
            user.approval_ref, user.institution = r.approval_ref, r.institution
            # a new authorisation starts from fresh sessions
            _end_sessions(s, user.id, now)
    r.status = "approved" if approve else "rejected"
    r.decided_by_id, r.decided_at, r.decision_comment = actor.user_id, now, comment
    _log(s, key, actor, "approval", f"{'批准' if approve else '驳回'}账号申请 #{r.id}：{r.username}"
         + (f"（审批意见：{comment[:100]}）" if comment else ""), request_id=r.id, decision=r.status)


def set_active(url: str, key: str, actor: Actor, user_id: int, active: bool, expected_version: int,
               now: dt.datetime | None = None) -> None:
    """Disable (or re-enable) an account. Disabling ends its sessions at once."""
    now = now or utcnow()
    with transaction(url) as s:
        user = load_for_write(s, User, user_id, actor, expected_version, noun="该账号", action=Action.ACCOUNT_DISABLE,
                              stale="该账号已被他人修改，请刷新后重试")
        if not rules.within_remit(actor.scope, actor.level, user.role, int(user.region_code)):
            raise OutOfScope("只能管理本辖区内的下级账号")
        if user.id == actor.user_id:
            raise AccountError("不能停用本人账号")
        user.is_active = active
        if not active:
            _end_sessions(s, user.id, now)
        else:
            user.failed_attempts, user.locked_until = 0, None
        _log(s, key, actor, "account", f"{'启用' if active else '停用'}账号：{user.username}", target=user.username)


def change_password(url: str, key: str, user_id: int, old: str, new: str, *, ip: str | None = None,
                    now: dt.datetime | None = None, keep_session: str | None = None) -> None:
    """Change one's own password. A change ends the user's other sessions (`keep_session`, the one
    asking, stays). A wrong current password counts toward the sign-in lockout (5 failures → 30
    minutes, `domain.admin.passwords`); the failure that locks the account also ends its sessions."""
    now = now or utcnow()
    with transaction(url) as s:
        user = s.get(User, user_id)
        if user is None or not user.is_active:
            raise AccountError("账号不可用")
        if passwords.is_locked(user, now):
            raise AccountError({"old": LOCKED})
        username, region = user.username, user.region_code
        if passwords.verify_password(user.password_hash, old):
            problems = passwords.password_problems(new, username=user.username)
            if new == old:
                problems.append("新密码不能与原密码相同")
            if problems:
                raise AccountError({"new": "；".join(problems)})
            user.password_hash = passwords.hash_password(new)
            user.password_changed_at = now
            passwords.register_success(user)
            _end_sessions(s, user.id, now, keep=keep_session)
            audit_log.record(s, key, actor=username, actor_id=user.id, type="password_change",
                             description="修改密码，本人其他会话已结束", result="success", region_code=region, ip=ip)
            return
    with transaction(url) as s:  # the failure is logged and counted; the password stays as it was
        user = s.get(User, user_id)
        passwords.register_failure(user, now)
        audit_log.record(s, key, actor=username, actor_id=user_id, type="password_change",
                         description="修改密码失败：原密码错误", result="failure", region_code=region, ip=ip)
        if passwords.is_locked(user, now):
            _end_sessions(s, user.id, now)
            audit_log.record(s, key, actor=username, actor_id=user_id, type="lockout",
                             description="修改密码时连续5次原密码错误，账号锁定30分钟，会话已结束", result="locked",
                             region_code=region, ip=ip)
    raise AccountError({"old": LOCKED if passwords.is_locked(user, now) else "原密码不正确"})


LOCKED = "连续失败次数过多，账号已锁定30分钟"


def _end_sessions(s, user_id: int, now: dt.datetime, keep: str | None = None) -> None:
    cond = [UserSession.user_id == user_id, UserSession.revoked_at.is_(None)]
    if keep is not None:
        cond.append(UserSession.id != keep)
    s.execute(update(UserSession).where(*cond).values(revoked_at=now))


def set_totp(url: str, key: str, user_id: int, secret: str | None, code: str | None, *, ip: str | None = None,
             now: dt.datetime | None = None) -> None:
    """Turn the second factor on (the code must match the new secret) or off (`secret=None`, the
    code must match the current one)."""
    import pyotp

    now = now or utcnow()
    with transaction(url) as s:
        user = s.get(User, user_id)
        if user is None or not user.is_active:
            raise AccountError("账号不可用")
        check = secret or user.totp_secret
        if not check or not code or not pyotp.TOTP(check).verify(code.strip(), for_time=now, valid_window=1):
            raise AccountError({"code": "动态验证码不正确"})
        user.totp_secret = secret
        audit_log.record(s, key, actor=user.username, actor_id=user.id, type="account",
                     description="启用动态验证码" if secret else "停用动态验证码", result="success",
                     region_code=user.region_code, ip=ip)


def totp_enabled(url: str, user_id: int) -> bool:
    with reading(url) as s:
        return bool(s.scalar(select(User.totp_secret).where(User.id == user_id)))
