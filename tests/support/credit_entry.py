"""The environment of the credit-entry tests (subjects, records, rights, batch imports): a copy of
the test database, its app, forestry users of the demo county, the province and another county,
signed-in clients, and a poster of the credit callbacks by component id."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy import select

from data.db import transaction
from data.models import User
from domain.admin import passwords
from domain.regions import truncate
from tests.support.app import PASSWORD, TODAY, build_app, generate_test_data, make_settings
from tests.support.http import dash_post, sign_in

NOW = dt.datetime(2026, 11, 22, 4, 0, tzinfo=dt.UTC)
USERS = {"county": ("county_forestry", "county"), "bureau": ("forestry_bureau", "province"),
         "handler": ("credit_handler", "province"), "other": ("county_forestry", "other"),
         "cashier": ("village_cashier", "village")}


@dataclass
class CreditEnv:
    settings: object
    app: object
    county: int
    village: int
    other_village: int
    clients: dict = field(default_factory=dict)

    @property
    def url(self) -> str:
        return self.settings.database_url

    def client(self, who: str):
        if who not in self.clients:
            self.clients[who] = sign_in(self.app.server, f"cc-{who}")
        return self.clients[who]

    def post(self, who: str, fn, values: dict, clicked: str | None = None):
        """POST the callback of `fn` as the page would, inputs and states from `values` by id or (id, prop)."""
        from server.callbacks import callback_named

        key = callback_named(self.app, fn)
        spec = self.app.callback_map[key]

        def item(i):
            return {"id": i["id"], "property": i["property"],
                    "value": values.get((i["id"], i["property"]), values.get(i["id"]))}

        changed = [f"{clicked}.n_clicks"] if clicked else None
        return dash_post(self.client(who), key, [item(i) for i in spec["inputs"]],
                         [item(i) for i in spec.get("state", [])], changed=changed)


def credit_env(tmp_path_factory, name: str) -> CreditEnv:
    """On a SQLite test database of its own, as generated (not a copy of the session's, which
    other modules of the process may have written to)."""
    return credit_env_on(generate_test_data(make_settings(tmp_path_factory.mktemp(name))))


def credit_env_on(settings) -> CreditEnv:
    """On a generated test database of the caller's own (SQLite or PostgreSQL)."""
    app = build_app(settings)
    app.server.config["NOW"] = lambda: NOW
    ql = app.server.extensions["platform.query"]
    county = settings.demo_county
    township = int(ql.tree.children(county)["code"][0])
    village = int(ql.tree.children(township)["code"][0])
    other = next(int(c) for c in ql.tree.children(truncate(county, 2))["code"] if int(c) != county)
    other_village = int(ql.tree.children(int(ql.tree.children(other)["code"][0]))["code"][0])
    regions = {"county": county, "province": truncate(county, 1), "other": other, "village": village}
    with transaction(settings.database_url) as s:
        hashed = passwords.hash_password(PASSWORD)
        for who, (role, where) in USERS.items():
            if s.scalar(select(User.id).where(User.username == f"cc-{who}")) is None:
                s.add(User(username=f"cc-{who}", display_name=f"测试{who}", role=role, region_code=regions[where],
                           password_hash=hashed, password_changed_at=NOW))
    return CreditEnv(settings, app, county, village, other_village)


__all__ = ["TODAY", "CreditEnv", "credit_env", "credit_env_on"]
