"""Assets in the system of record: the register within a scope and the acts on an asset
(disposal, lease, pledge) that need a meeting resolution; each act is one transaction with its
asset event and security-log entry; a stale edit is refused."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import or_, select

from data.accounts import AccountError, Actor, StaleEdit
from data.db import transaction
from data.warning_engine import runs_after_write
from data.meetings import resolution_facts
from data.models import Asset, AssetEvent, Meeting, Resolution
from domain import assets as rules
from domain import audit
from domain.permissions import Perm, PermissionDenied


def list_assets(url: str, actor: Actor, limit: int = 5000) -> list[dict]:
    with transaction(url, actor) as s:
        q = (select(Asset).where(or_(*[Asset.region_code.between(lo, hi) for lo, hi in actor.scope.ranges]))
             .order_by(Asset.region_code, Asset.code).limit(limit))
        return [{"id": a.id, "org_id": a.org_id, "region_code": int(a.region_code), "code": a.code, "name": a.name,
                 "category": rules.CATEGORY_LABELS.get(a.category, a.category),
                 "original_value_fen": a.original_value_fen,
                 "net_value_fen": a.original_value_fen - a.accumulated_depreciation_fen,
                 "status": a.status, "status_label": rules.STATUS_LABELS.get(a.status, a.status), "version": a.version}
                for a in s.scalars(q)]


def resolutions_for(url: str, actor: Actor, org_id: int) -> list[dict]:
    """Passed resolutions of an organisation in the actor's jurisdiction (for citing)."""
    with transaction(url, actor) as s:
        q = (select(Resolution, Meeting.held_on, Meeting.region_code).join(Meeting, Meeting.id == Resolution.meeting_id)
             .where(Resolution.org_id == org_id, Resolution.passed.is_(True)).order_by(Meeting.held_on.desc()))
        return [{"id": r.id, "label": f"{held_on} {r.number} {r.subject}", "decision_type": r.decision_type}
                for r, held_on, region in s.execute(q).all() if actor.scope.contains(region)]


@runs_after_write("assets", "asset_id")
def act(url: str, key: str, actor: Actor, asset_id: int, action: str, resolution_id: int | None,
        on_date: dt.date | None, expected_version: int, today: dt.date, amount_fen: int | None = None) -> str:
    """Dispose of, lease or pledge an asset. Returns the new status."""
    if not actor.scope.has(Perm.BUSINESS_HANDLING):
        raise PermissionDenied("缺少权限：业务办理")
    with transaction(url, actor) as s:
        asset = s.get(Asset, asset_id)
        if asset is None or not actor.scope.contains(asset.region_code):
            raise PermissionDenied("该资产不在您的管辖范围内")
        if asset.version != expected_version:
            raise StaleEdit("该资产已被他人修改，请刷新后再操作")
        errors = rules.action_problems(action, asset.status, on_date, today)
        res = resolution_facts(s, resolution_id)
        if action in rules.ACTIONS:  # every problem at once, not one per attempt
            problem = rules.resolution_problem(res, org_id=asset.org_id, asset_id=asset.id, action=action,
                                               on_date=on_date or today)
            if problem:
                errors.setdefault("resolution", problem)
        if errors:
            raise AccountError(errors)
        decision, status, label = rules.ACTIONS[action]
        net = asset.original_value_fen - asset.accumulated_depreciation_fen
        asset.status, asset.resolution_id = status, resolution_id
        if action == "dispose":
            asset.disposed_on = on_date
        s.add(AssetEvent(asset_id=asset.id, region_code=asset.region_code, date=on_date, kind=decision,
                         original_value_fen=asset.original_value_fen, net_value_fen=0 if action == "dispose" else net,
                         amount_fen=amount_fen, resolution_id=resolution_id, note=f"资产{label}", by_id=actor.user_id))
        audit.record(s, key, actor=actor.username, actor_id=actor.user_id, type="data_change",
                     description=f"资产{label}：{asset.code} {asset.name}（引用决议 #{resolution_id}）", result="success",
                     region_code=asset.region_code, ip=actor.ip, detail={"asset_id": asset.id, "action": action})
        return status
