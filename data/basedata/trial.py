"""The trial period (Art. J14): the province ends it one county at a time; the counties of a
jurisdiction with their state (in trial, or locked: when and by whom)."""
from __future__ import annotations

from sqlalchemy import select

from data.admin import audit_log
from data.basedata.changes import logged_refusal
from data.basedata.lock import locked_by
from data.db import reading, transaction
from data.errors import AccountError
from data.models import Region, User, utcnow
from data.scoped import in_scope
from domain.labels import time_text
from domain.permissions import Action, Actor, PermissionDenied, ensure
from domain.regions import COUNTY, level_of, truncate

CHOOSE = "请选择县（市、区）"


def end_trial(url: str, key: str, actor: Actor, county) -> str:
    """The province ends the trial period of one county: from now on its level-1 base data is
    read-only everywhere and only a correction changes it. Returns the county's name."""
    try:
        code = int(county)
    except (TypeError, ValueError):
        raise AccountError({"county": CHOOSE}) from None
    try:
        ensure(actor, Action.BASEDATA_LOCK, {"region_code": code}, noun="该县")
        with transaction(url, actor) as s:
            region = s.get(Region, code)
            if region is None or level_of(code) != COUNTY:
                raise AccountError({"county": CHOOSE})
            if locked_by(s, code) is not None:
                raise AccountError({"county": f"{region.name}已结束试运行，基础数据已锁定"})
            region.base_data_locked, region.base_data_locked_at = True, utcnow()
            region.base_data_locked_by_id = actor.user_id
            audit_log.record(s, key, actor=actor.username, actor_id=actor.user_id, type="basedata",
                             description=f"结束{region.name}试运行期，锁定其一级基础数据", result="locked",
                             region_code=code, ip=actor.ip, detail={"county": code})
            return region.name
    except PermissionDenied as exc:
        logged_refusal(url, key, actor, exc, f"结束试运行（{code}）", code, {"county": code})
        raise


def counties(url: str, actor: Actor) -> list[dict]:
    """Every county of the actor's jurisdiction with its trial state, the locked ones first."""
    ensure(actor, Action.BASEDATA_VIEW)
    with reading(url) as s:
        cities = dict(s.execute(select(Region.code, Region.name).where(Region.level < COUNTY)).all())
        q = (select(Region, User.display_name).outerjoin(User, User.id == Region.base_data_locked_by_id)
             .where(Region.level == COUNTY, in_scope(Region.code, actor)).order_by(Region.code))
        rows = [{"code": int(r.code), "name": r.name, "city": cities.get(truncate(int(r.code), 2), ""),
                 "locked": bool(r.base_data_locked), "state": "已锁定" if r.base_data_locked else "试运行中",
                 "locked_at": time_text(r.base_data_locked_at) if r.base_data_locked_at else "",
                 "locked_by": by or ""} for r, by in s.execute(q)]
    return sorted(rows, key=lambda r: (not r["locked"], r["code"]))  # the locked ones first
