"""API keys as the province manages them (Art. J24: misuse is stopped at once): suspend, resume,
revoke (final), each audited; the keys with their misuse counters; the call log."""
from __future__ import annotations

from sqlalchemy import func, select

from data.admin import audit_log
from data.db import reading, transaction
from data.errors import AccountError
from data.models import DataApiCall, DataApiKey, DataRequest
from data.scoped import in_scope
from domain.permissions import Action, Actor, ensure
from domain.sharing import keys as rules
from domain.text import put_text

#: act -> (the status it sets, the statuses it applies to, its verb)
ACTS = {"suspend": ("suspended", ("active",), "暂停"), "resume": ("active", ("suspended",), "恢复"),
        "revoke": ("revoked", ("active", "suspended"), "吊销")}


def set_status(url: str, audit_key: str, actor: Actor, key_id, act: str, reason) -> str:
    """Suspend, resume or revoke a key, effective at its next call. No version check: the key's
    misuse counter moves with every refused call, and stopping a key must never be refused as a
    stale edit; the status itself is checked (a revoked key stays revoked)."""
    ensure(actor, Action.DATA_KEY_MANAGE)
    if act not in ACTS:
        raise AccountError({"reason": "未知的操作"})
    status, applies, verb = ACTS[act]
    errors: dict[str, str] = {}
    reason = put_text(errors, "reason", reason, f"{verb}原因", 500)
    with transaction(url, actor) as s:
        try:
            ident = int(key_id)
        except (TypeError, ValueError):
            ident = None
        key = s.get(DataApiKey, ident, with_for_update=True) if ident is not None else None
        req = s.get(DataRequest, key.request_id) if key else None
        if key is None or not actor.scope.contains(req.region_code):
            raise AccountError({"reason": "该接口密钥不存在"})
        ensure(actor, Action.DATA_KEY_MANAGE, {"region_code": req.region_code})
        if key.status not in applies:
            raise AccountError({"reason": f"该密钥{rules.STATES[key.status]}，不能{verb}"})
        if errors:
            raise AccountError(errors)
        key.status, key.status_changed_by_id, key.status_reason = status, actor.user_id, reason
        audit_log.record(s, audit_key, actor=actor.username, actor_id=actor.user_id, type="data_api_key",
                         description=f"{verb}数据接口密钥 {key.token_prefix}（{req.unit}，申请 #{req.id}）：{reason[:100]}",
                         result="success", region_code=int(req.region_code), ip=actor.ip,
                         detail={"key_id": key.id, "status": status})
        return status


def list_keys(url: str, actor: Actor) -> list[dict]:
    ensure(actor, Action.DATA_KEY_MANAGE)
    with reading(url) as s:
        calls = dict(s.execute(select(DataApiCall.key_id, func.count()).group_by(DataApiCall.key_id)).all())
        last = dict(s.execute(select(DataApiCall.key_id, func.max(DataApiCall.at)).group_by(DataApiCall.key_id)).all())
        q = (select(DataApiKey, DataRequest).join(DataRequest, DataRequest.id == DataApiKey.request_id)
             .where(in_scope(DataRequest.region_code, actor)).order_by(DataApiKey.id.desc()))
        return [{"id": k.id, "version": k.version, "prefix": k.token_prefix, "request_id": r.id, "unit": r.unit,
                 "purpose": r.purpose, "status": k.status, "state": rules.STATES.get(k.status, k.status),
                 "expires_on": k.expires_on.isoformat(), "allowed_ips": "，".join(k.allowed_ips),
                 "rate": k.rate_per_minute, "misuse_count": k.misuse_count,
                 "flag": "⚠ 存在越权或超限调用" if k.misuse_count else "", "calls": calls.get(k.id, 0),
                 "last_call": last.get(k.id), "reason": k.status_reason or ""}
                for k, r in s.execute(q)]


def list_calls(url: str, actor: Actor, key_id: int | None = None, limit: int = 1000) -> list[dict]:
    """The newest calls (of one key, or of every key in the caller's jurisdiction, and the calls
    with no valid key at all for the province)."""
    ensure(actor, Action.DATA_KEY_MANAGE)
    with reading(url) as s:
        q = (select(DataApiCall, DataApiKey.token_prefix, DataRequest.unit, DataRequest.purpose)
             .outerjoin(DataApiKey, DataApiKey.id == DataApiCall.key_id)
             .outerjoin(DataRequest, DataRequest.id == DataApiKey.request_id)
             .order_by(DataApiCall.id.desc()).limit(limit))
        if key_id is not None:
            q = q.where(DataApiCall.key_id == key_id)
        elif actor.level != 1:
            q = q.where(in_scope(DataRequest.region_code, actor))
        return [{"id": c.id, "at": c.at, "key": prefix or "（无效密钥）", "unit": unit or "", "purpose": purpose or "",
                 "dataset": c.dataset or "", "params": c.params, "status": c.status, "rows": c.rows, "ip": c.ip or "",
                 "duration_ms": c.duration_ms, "error": c.error or "", "misuse": "是" if c.misuse else ""}
                for c, prefix, unit, purpose in s.execute(q)]
