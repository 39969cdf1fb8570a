"""Helpers of the business-area tests (assets, resources, contracts, trading, meetings): a database
of the module's own, the demo users as data-layer `Actor`s, a resolution to cite, a member roll
large enough for the meetings a test records, and a caller of the same role from another county
(whose every write must be refused and write nothing)."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select

from data.db import transaction
from data.models import CollectiveOrg, Meeting, Member, Resolution, User
from domain.admin import passwords
from domain.permissions import Actor, Scope, role_perms
from domain.regions import COUNTY, level_of, subtree_bounds, truncate
from tests.conftest import PASSWORD, make_settings

GOOD_ID = "11010519491231002X"  # a resident ID with a valid check digit
#: the minutes and the sign-in sheet a deciding meeting is recorded with
MEETING_FILES = {"minutes": [("会议纪要.pdf", b"%PDF-1.4 minutes")], "signin": [("签到表.pdf", b"%PDF-1.4 sign-in sheet")]}
USCC = "91350100M000100Y43"  # a unified social credit code with a valid check digit


def own_database(tmp_path_factory, name: str):
    """A generated `test`-scale database for one test module (its tests write)."""
    from tests.support.app import generate_test_data

    return generate_test_data(make_settings(tmp_path_factory.mktemp(name)))


def actor(settings, username: str) -> Actor:
    """The demo user `username` as the data layer's Actor."""
    with transaction(settings.database_url) as s:
        u = s.scalar(select(User).where(User.username == username))
        return Actor(user_id=u.id, username=u.username, ip="127.0.0.1",
                     scope=Scope(root=int(u.region_code), perms=role_perms(u.role), user_id=u.id, role=u.role))


def _elsewhere(settings, who: Actor) -> int:
    """The region of `who`'s level in a county other than `who`'s."""
    lo, hi = subtree_bounds(truncate(who.scope.root, COUNTY))
    with transaction(settings.database_url) as s:
        village = s.scalar(select(func.min(CollectiveOrg.region_code)).where(~CollectiveOrg.region_code.between(lo, hi)))
    return truncate(int(village), level_of(who.scope.root))


def stranger(settings, username: str) -> Actor:
    """A user of `username`'s role in another county (a real account, so that a refusal can be
    logged and a callback can sign in as `<username>-elsewhere`)."""
    who = actor(settings, username)
    return user_at(settings, f"{username}-elsewhere", who.scope.role, _elsewhere(settings, who))


def user_at(settings, username: str, role: str, region: int) -> Actor:
    """An account of `role` at `region` (made once; password `PASSWORD`), as an Actor."""
    with transaction(settings.database_url) as s:
        if s.scalar(select(User.id).where(User.username == username)) is None:
            s.add(User(username=username, display_name=username, role=role, region_code=region,
                       password_hash=passwords.hash_password(PASSWORD)))
    return actor(settings, username)


def enrol(settings, org_id: int, at_least: int = 60) -> int:
    """Members on the organisation's roll until it holds `at_least` (the generated test villages
    keep a handful): a meeting may call no more than the roll holds. Returns the roll's size."""
    with transaction(settings.database_url) as s:
        have = s.scalar(select(func.count()).select_from(Member).where(Member.org_id == org_id))
        for i in range(have, at_least):
            s.add(Member(org_id=org_id, name=f"成员{i + 1}", id_number=GOOD_ID, shares=1))
        return max(have, at_least)


def confirm(settings, meeting_id: int, username: str = "demo-supervisor") -> None:
    """The meeting confirmed by `username` (by default the demo village's supervisory chair)."""
    from data import meeting_confirmation

    with transaction(settings.database_url) as s:
        version = s.get(Meeting, meeting_id).version
    meeting_confirmation.confirm(settings.database_url, settings.audit_key, actor(settings, username), meeting_id,
                                 version)


def resolution(settings, org_id: int, region: int, decision_type: str, held_on: dt.date, passed: bool = True) -> int:
    """A resolution of `decision_type` voted at a members' representatives meeting on `held_on`,
    confirmed (written directly, as a migrated meeting confirmed outside the platform)."""
    with transaction(settings.database_url) as s:
        m = Meeting(org_id=org_id, region_code=region, kind="成员代表会议", title="资产处置议题", held_on=held_on,
                    expected=30, attended=25, status="confirmed")
        s.add(m)
        s.flush()
        r = Resolution(meeting_id=m.id, org_id=org_id, number=f"决-{decision_type}", subject="处置旧办公设备",
                       decision_type=decision_type, votes_for=20, votes_against=3, votes_abstain=2, passed=passed)
        s.add(r)
        s.flush()
        return r.id


def counts(settings, *models) -> tuple[int, ...]:
    """How many rows each of `models` has (a refused write leaves them all as they were)."""
    with transaction(settings.database_url) as s:
        return tuple(s.scalar(select(func.count()).select_from(m)) for m in models)
