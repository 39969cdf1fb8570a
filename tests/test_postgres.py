"""The same generated data on a real PostgreSQL server gives the same figures as on SQLite."""
from __future__ import annotations

import pytest

from data.query import QueryLayer
from domain.permissions import Scope, role_perms
from tests.conftest import TODAY, sign_in
from tests.test_app_access import cockpit

pytestmark = [pytest.mark.postgres, pytest.mark.xdist_group("postgres")]


def test_postgres_matches_sqlite(pg_settings, sqlite_settings):
    pg = QueryLayer(pg_settings, today=TODAY).load()
    lite = QueryLayer(sqlite_settings, today=TODAY).load()
    scope = Scope(root=22 * 10**10, perms=role_perms("province_leader"), role="province_leader")
    county = sqlite_settings.demo_county
    for region in (scope.root, county):
        a, b = pg.kpis(scope, region), lite.kpis(scope, region)
        for key in ("total_assets", "funds", "liabilities", "income_operating", "resource_area_cmu", "overdue_fen"):
            assert a[key] == b[key], key
    assert pg.children(scope, county).equals(lite.children(scope, county))


def test_app_on_postgres_scopes_county(pg_app, pg_settings):
    c = sign_in(pg_app.server, "demo-county")
    assert cockpit(c).status_code == 200
    other = pg_settings.demo_county + 10**6
    assert cockpit(c, f"?region={other}").status_code == 403
