"""Sharing approvals in the system of record (Art. J17); see domain.admin.sharing for the rules."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import or_, select

from data.db import reading, transaction
from data.errors import AccountError
from data.models import SharingApproval
from data.regions import load_region_tree
from data.admin import audit_log
from data.scoped import in_scope
from domain import approvals
from domain.admin import sharing as rules
from domain.permissions import Action, Actor, Refused, ensure


def request_share(url: str, key: str, province: int, actor: Actor, grantee: int | None, purpose: str,
                  valid_until: dt.date | None, today: dt.date) -> int:
    ensure(actor, Action.SHARING_REQUEST)
    tree = load_region_tree(province)
    owner = actor.scope.root
    errors = rules.request_problems(owner, grantee, purpose, valid_until, today, lambda c: c in tree)
    if errors:
        raise AccountError(errors)
    with transaction(url) as s:
        row = SharingApproval(owner_region=owner, grantee_region=grantee, purpose=purpose.strip(),
                              valid_until=valid_until, status="submitted", collected_by_id=actor.user_id,
                              provided_by=actor.username, responsible_by=actor.username)
        s.add(row)
        s.flush()
        audit_log.record(s, key, actor=actor.username, actor_id=actor.user_id, type="sharing",
                     description=f"申请将{tree.name(owner)}数据共享给{tree.name(grantee)}（至{valid_until}）",
                     result="submitted", region_code=owner, ip=actor.ip, detail={"sharing_id": row.id})
        return row.id


def list_shares(url: str, actor: Actor) -> list[dict]:
    scope = actor.scope
    with reading(url) as s:
        q = select(SharingApproval).order_by(SharingApproval.id.desc())
        if not rules.may_decide(scope):
            q = q.where(or_(in_scope(SharingApproval.owner_region, scope), SharingApproval.grantee_region == scope.root))
        return [{"id": r.id, "owner_region": int(r.owner_region), "grantee_region": int(r.grantee_region),
                 "purpose": r.purpose, "valid_until": r.valid_until.isoformat() if r.valid_until else "",
                 "status": r.status, "requested_by_id": r.collected_by_id, "opinion": r.decision_comment or "",
                 "decidable": r.status == "submitted" and rules.may_decide(scope, r.owner_region, r.collected_by_id)}
                for r in s.scalars(q)]


def decide_share(url: str, key: str, actor: Actor, share_id: int, approve: bool, opinion: str | None = None) -> str:
    """Approve or reject a sharing request with its opinion (optional to approve, required to reject)."""
    errors: dict[str, str] = {}
    opinion = approvals.opinion_of(errors, approve, opinion)
    with transaction(url, actor) as s:
        r = s.get(SharingApproval, share_id)
        if r is None or r.status != "submitted":
            raise AccountError("该共享申请不存在或已处理")
        reason = rules.decide_refusal(actor.scope, r.owner_region, r.collected_by_id)
        if reason is None:
            if errors:
                raise AccountError(errors)
            r.status = "approved" if approve else "rejected"
            r.approved_by_id = actor.user_id if approve else None
            r.decided_by_id, r.decision_comment = actor.user_id, opinion
            audit_log.record(s, key, actor=actor.username, actor_id=actor.user_id, type="sharing",
                         description=f"{'批准' if approve else '驳回'}数据共享申请 #{r.id}"
                                     + (f"（审批意见：{opinion[:100]}）" if opinion else ""), result=r.status,
                         region_code=actor.scope.root, ip=actor.ip, detail={"sharing_id": r.id})
            return r.status
    with transaction(url) as s:  # the refusal is logged; the request stays as it was
        audit_log.record(s, key, actor=actor.username, actor_id=actor.user_id, type="sharing",
                     description=f"审批数据共享申请 #{share_id} 被拒绝：{reason}", result="denied",
                     region_code=actor.scope.root, ip=actor.ip, detail={"sharing_id": share_id})
    raise Refused(reason, Action.SHARING_APPROVE)
