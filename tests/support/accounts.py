"""Users for a test: create one with a role and region, the Actor of an existing one, a region of
the demo county's tree at a level, and counts of security-log entries."""
from __future__ import annotations

from sqlalchemy import func, select

from data.db import reading, transaction
from data.models import AuditLog, User
from domain.admin import passwords
from domain.permissions import Actor, Scope, role_perms
from tests.support.app import PASSWORD


def make_user(settings, username: str, role: str, region: int, *, password: str = PASSWORD, **extra) -> int:
    """A new active user (its id); `extra` sets other User columns."""
    with transaction(settings.database_url) as s:
        u = User(username=username, display_name=username, role=role, region_code=region,
                 password_hash=passwords.hash_password(password), **extra)
        s.add(u)
        s.flush()
        return u.id


def actor(settings, username: str) -> Actor:
    """The Actor of an existing user, as the app builds it for a request."""
    with reading(settings.database_url) as s:
        u = s.scalar(select(User).where(User.username == username))
        return Actor(user_id=u.id, username=u.username, ip="127.0.0.1",
                     scope=Scope(root=int(u.region_code), perms=role_perms(u.role), user_id=u.id, role=u.role))


def region_for(tree, settings, level: int) -> int:
    """The demo county's region at `level` (1 province … 5 village; the first of each below the county)."""
    county = settings.demo_county
    township = int(tree.children(county)["code"][0])
    village = int(tree.children(township)["code"][0])
    return {1: settings.province * 10**10, 2: county // 10**8 * 10**8, 3: county, 4: township, 5: village}[level]


def audit_count(settings, type_: str, actor: str | None = None) -> int:
    """Security-log entries of `type_` (by `actor`, a username, when given)."""
    with reading(settings.database_url) as s:
        q = select(func.count()).select_from(AuditLog).where(AuditLog.type == type_)
        if actor:
            q = q.where(AuditLog.actor == actor)
        return s.scalar(q)
