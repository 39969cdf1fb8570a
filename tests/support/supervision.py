"""Helpers of the supervision and dashboard tests: users as data-layer actors, a village's
organisation, an app on a test's own database, the text of a Dash component in a response."""
from __future__ import annotations

from sqlalchemy import select

from data.db import reading
from data.models import BankAccount, CollectiveOrg, User
from domain.permissions import Actor, Scope, role_perms


def actor(settings, username: str) -> Actor:
    """The demo user `username` as the data layer's Actor."""
    with reading(settings.database_url) as s:
        u = s.scalar(select(User).where(User.username == username))
        return Actor(user_id=u.id, username=u.username, ip="127.0.0.1",
                     scope=Scope(root=int(u.region_code), perms=role_perms(u.role), user_id=u.id, role=u.role))


def village_org(settings, village: int) -> tuple[int, int]:
    """(organisation id, first bank account id) of the village's collective organisation."""
    with reading(settings.database_url) as s:
        org = s.scalar(select(CollectiveOrg).where(CollectiveOrg.region_code == village))
        bank = s.scalar(select(BankAccount).where(BankAccount.org_id == org.id, BankAccount.kind == "bank")
                        .order_by(BankAccount.id))
        return org.id, bank.id


def app_on(settings, today):
    """The app on `settings`' database, its query layer dated `today`."""
    from app import create_app
    from data.query import QueryLayer

    return create_app(settings, QueryLayer(settings, today=today).load())


def text_of(component) -> str:
    """The text of a Dash component as a callback returns it in JSON (its strings, in order)."""
    if isinstance(component, str):
        return component
    if isinstance(component, list):
        return "".join(text_of(c) for c in component)
    if isinstance(component, dict):
        return text_of(component.get("props", {}).get("children", ""))
    return "" if component is None else str(component)
