"""The same generated data on a real PostgreSQL server gives the same figures as on SQLite."""
from __future__ import annotations

import pytest

from data.query import QueryLayer
from domain.permissions import Scope, role_perms
from tests.support.app import TODAY, generate_test_data, make_settings
from tests.support.cockpit import cockpit
from tests.support.http import output, sign_in

pytestmark = pytest.mark.postgres


def test_postgres001_matches_sqlite(pg_settings, tmp_path):
    # a fresh SQLite copy of the same generation: the session's shared database is written by other tests
    sqlite_settings = generate_test_data(make_settings(tmp_path))
    pg = QueryLayer(pg_settings, today=TODAY).load()
    lite = QueryLayer(sqlite_settings, today=TODAY).load()
    scope = Scope(root=22 * 10**10, perms=role_perms("province_leader"), role="province_leader")
    county = sqlite_settings.demo_county
    for region in (scope.root, county):
        a, b = pg.kpis(scope, region), lite.kpis(scope, region)
        for key in ("total_assets", "funds", "liabilities", "income_operating", "resource_area_cmu", "overdue_fen"):
            assert a[key] == b[key], key
    assert pg.children(scope, county).equals(lite.children(scope, county))


def test_postgres002_app_on_postgres_scopes_county(pg_app, pg_settings):
    c = sign_in(pg_app.server, "demo-county")
    county = pg_settings.demo_county
    rows = output(cockpit(pg_app, c), "children-table", "rowData")
    assert rows and all(county <= int(r["code"]) < county + 10**6 for r in rows)
    other = county + 10**6
    refused = cockpit(pg_app, c, f"#region={other}")
    assert refused.status_code == 403 and refused.get_json() == {"error": f"区域 {other} 不在您的管辖范围内"}
