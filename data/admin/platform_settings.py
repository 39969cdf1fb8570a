"""Platform-wide settings kept in the database (`platform_settings`), e.g. the maintenance notice."""
from __future__ import annotations

import time

from sqlalchemy import select

from data.db import engine_for, transaction
from data.models import Setting
from data import forksafe

_CACHE: dict[tuple[str, str], tuple[float, object]] = {}
_LOCK = forksafe.Lock()


def get(url: str, key: str, max_age: float = 5.0):
    """The value, read at most every `max_age` seconds per process."""
    now = time.monotonic()
    with _LOCK:
        hit = _CACHE.get((url, key))
        if hit and now - hit[0] < max_age:
            return hit[1]
    with engine_for(url).connect() as c:
        value = c.execute(select(Setting.value).where(Setting.key == key)).scalar()
    with _LOCK:
        _CACHE[(url, key)] = (now, value)
    return value


def put(session, url: str, key: str, value) -> None:
    """Write inside the caller's transaction; the cache forgets the key."""
    session.merge(Setting(key=key, value=value))
    with _LOCK:
        _CACHE.pop((url, key), None)


def forget(url: str, key: str) -> None:
    with _LOCK:
        _CACHE.pop((url, key), None)


__all__ = ["get", "put", "forget", "transaction"]


def announce_closure(url: str, key: str, actor: str, actor_id: int, region: int, closure) -> None:
    """Publish (or, with `closure=None`, withdraw) the maintenance notice, with its log entry."""
    from data.admin import audit_log

    with transaction(url) as s:
        put(s, url, "maintenance", closure.to_value() if closure else None)
        text = (f"发布停机公告：{closure.starts_at.isoformat()} 起，{closure.message}" if closure else "撤销停机公告")
        audit_log.record(s, key, actor=actor, actor_id=actor_id, type="maintenance", description=text, result="success",
                     region_code=region, detail=closure.to_value() if closure else None)
