"""The data API's storage side: admitting a call (key, status, expiry, IP allow-list, rate, scope;
every call logged, refused ones included, misuse counted on the key and written to the security
log), reading a dataset inside the key's approved regions and period through the scoped path,
and closing the call's log entry with its rows and duration.

The rate limit counts the key's calls of the last minute in `data_api_calls` inside the admitting
write transaction (the key row locked; SQLite's BEGIN IMMEDIATE serialises writers anyway), so it
holds across processes and restarts."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import func, select, update

from data.admin import audit_log
from data.db import reading, transaction
from data.models import DataApiCall, DataApiKey, DataRequest
from domain.scope import Scope
from domain.sharing import keys
from domain.sharing.calls import Grant, Query, Refusal

#: the last API errors shown in the call log are cut to this many characters
ERROR_MAX = 200


@dataclass(frozen=True)
class Admitted:
    call_id: int
    key_id: int
    request_id: int
    unit: str
    purpose: str
    valid_until: dt.date
    grant: Grant
    query: Query | None


def _grant(req: DataRequest) -> Grant:
    return Grant(scope=dict(req.scope), regions=tuple(int(c) for c in req.regions), data_from=req.data_from,
                 data_to=req.data_to, personal=bool(req.personal))


def admit(url: str, audit_key: str, token: str | None, ip: str | None, path: str, dataset: str | None,
          params: dict, request, now: dt.datetime, today: dt.date, method: str = "GET") -> Admitted | Refusal:
    """Admit one GET: the key and its approval, or the refusal (401/403/404/429/400) already logged.
    `request(grant) -> Query | Refusal | None` resolves the call's own parameters against the grant."""
    def log(status: int, message: str | None, key_id=None, misuse=False) -> int:
        call = DataApiCall(key_id=key_id, at=now, method=method[:8], path=path[:200], dataset=(dataset or None) and dataset[:40],
                           params=params, status=status, rows=0, ip=(ip or "")[:64], duration_ms=0,
                           error=message[:ERROR_MAX] if message else None, misuse=misuse)
        s.add(call)
        s.flush()
        return call.id

    with transaction(url) as s:
        if not token:
            log(401, "缺少接口密钥")
            return Refusal(401, "缺少接口密钥：请在请求头 Authorization 中提供 Bearer 密钥")
        key_id = s.scalar(select(DataApiKey.id).where(DataApiKey.token_sha256 == keys.digest(token)))
        if key_id is None:
            log(401, "接口密钥无效")
            return Refusal(401, "接口密钥无效")
        key = s.get(DataApiKey, key_id, with_for_update=True)
        req = s.get(DataRequest, key.request_id)
        reason = keys.credential_refusal(key.status, key.expires_on, today)
        if reason:
            log(401, reason, key.id)
            return Refusal(401, reason)
        refusal: Refusal | None = None
        if not keys.ip_allowed(ip, key.allowed_ips):
            refusal = Refusal(403, f"调用地址 {(ip or '未知')[:64]} 不在允许范围内", misuse=True)
        else:
            since = now - dt.timedelta(seconds=keys.RATE_WINDOW_S)
            recent = s.scalar(select(func.count()).select_from(DataApiCall).where(
                DataApiCall.key_id == key.id, DataApiCall.at > since))
            if recent >= key.rate_per_minute:
                refusal = Refusal(429, f"调用过于频繁：每分钟最多 {key.rate_per_minute} 次", misuse=True)
        grant = _grant(req)
        query = None
        if refusal is None:
            answer = request(grant)
            if isinstance(answer, Refusal):
                refusal = answer
            else:
                query = answer
        if refusal is not None:
            log(refusal.status, refusal.message, key.id, refusal.misuse)
            if refusal.misuse:
                key.misuse_count += 1
                key.last_misuse_at = now
                audit_log.record(s, audit_key, actor=f"api:{key.token_prefix}", actor_id=None, type="data_api_misuse",
                                 description=f"数据接口越权或超限调用（{req.unit}，申请 #{req.id}）：{refusal.message}",
                                 result="denied", region_code=int(req.region_code), ip=ip,
                                 detail={"key_id": key.id, "status": refusal.status, "path": path[:200]})
            return refusal
        call_id = log(200, None, key.id)
        return Admitted(call_id, key.id, req.id, req.unit, req.purpose, key.expires_on, grant, query)


def finish(url: str, call_id: int, rows: int, duration_ms: int, status: int = 200, error: str | None = None) -> None:
    with transaction(url) as s:
        s.execute(update(DataApiCall).where(DataApiCall.id == call_id).values(
            rows=rows, duration_ms=duration_ms, status=status, error=error[:ERROR_MAX] if error else None))


def scope_for(query: Query) -> Scope:
    """The key's read scope: the call's regions as subtree roots (no permissions: reads only)."""
    return Scope(root=query.regions[0], shared=tuple(query.regions[1:]))


def read(url: str, query: Query, limit: int, offset: int) -> tuple[list[dict], int]:
    """The rows of `query` (every column the dataset may serve, before field selection and masking)
    and their total, read through the scoped path."""
    from data.sharing.datasets import statement

    scope = scope_for(query)
    stmt = statement(query, scope)
    with reading(url) as s:
        total = s.scalar(select(func.count()).select_from(stmt.order_by(None).subquery()))
        rows = [dict(r._mapping) for r in s.execute(stmt.limit(limit).offset(offset))]
    return rows, int(total or 0)
