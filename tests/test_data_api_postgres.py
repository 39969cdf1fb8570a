"""The data API on PostgreSQL: the same key rules (scope, the rate counted in the call log with the
key row locked, the log) hold on the production database."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from data.db import transaction
from data.models import DataApiCall
from tests.conftest import TODAY
from tests.test_data_api import issue, township_of

pytestmark = pytest.mark.postgres


def test_data_api_postgres001_scope_rate_and_log(pg_app, pg_settings):
    old = pg_app.server.config.get("NOW")
    pg_app.server.config["NOW"] = lambda: dt.datetime.combine(TODAY, dt.time(2), dt.UTC)
    try:
        _, token = issue(pg_settings, rate=3)
        client, auth = pg_app.server.test_client(), {"Authorization": f"Bearer {token}"}
        with transaction(pg_settings.database_url) as s:
            before = s.scalar(select(func.count()).select_from(DataApiCall))
        ok = client.get("/api/v1/datasets/contracts?limit=1000", headers=auth)
        assert ok.status_code == 200 and ok.get_json()["rows"]
        lo = township_of(pg_settings)
        assert all(lo <= r["region_code"] < lo + 1000 for r in ok.get_json()["rows"])
        assert client.get(f"/api/v1/datasets/contracts?region={pg_settings.demo_county}", headers=auth).status_code == 403
        assert client.get("/api/v1/datasets/resources", headers=auth).status_code == 200
        assert client.get("/api/v1/datasets/resources", headers=auth).status_code == 429
        with transaction(pg_settings.database_url) as s:
            assert s.scalar(select(func.count()).select_from(DataApiCall)) == before + 4
    finally:
        pg_app.server.config["NOW"] = old
