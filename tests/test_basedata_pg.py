"""Base data on PostgreSQL (issue 14 items 1–2): the migration's schema, the demo's land by type
(one UPDATE), a locked county's refusal and the correction chain whose revocation restores the
NUMERIC areas and integer counts exactly — the same callbacks as tests/test_basedata.py."""
from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import func, select

from data.db import transaction
from data.models import BaseDataChange, VillageProfile
from tests.support.app import generate_test_data, make_settings
from tests.test_basedata import change, decide, make_env, newest, revoke, submit, text, values

pytestmark = pytest.mark.postgres


@pytest.fixture(scope="module")
def pg_env(postgres_server, tmp_path_factory):
    url = postgres_server.create_database("basedata")
    return make_env(generate_test_data(make_settings(tmp_path_factory.mktemp("basedata-pg"), url)))


def test_basedata_pg001_land_lock_and_a_revoked_correction_restore_exactly(pg_env):
    env, org_b = pg_env, pg_env["org_b"]
    with transaction(env["url"]) as s:
        assert s.scalar(select(func.count()).select_from(VillageProfile).where(VillageProfile.forest_mu > 0)) > 0
    out = submit(env, "bd-village-b", org_b, {"population": "9"})
    assert "已锁定" in text(out["bd-submit-result"]["children"])
    old = values(env, org_b)
    submit(env, "demo-township-b", org_b, {"farmland_mu": "98765.43", "village_groups": "2"}, reason="录入差错",
           evidence="国土调查成果表")
    cid = newest(env)
    decide(env, "demo-county-b", cid, "approve", "同意")
    with transaction(env["url"]) as s:
        p = s.scalar(select(VillageProfile).where(VillageProfile.org_id == org_b))
        assert (p.farmland_mu, p.village_groups) == (Decimal("98765.43"), 2)
    revoke(env, "demo-admin", cid, "依据不充分")
    assert values(env, org_b) == old and change(env, cid).status == "revoked"
    with transaction(env["url"]) as s:
        p = s.scalar(select(VillageProfile).where(VillageProfile.org_id == org_b))
        assert p.farmland_mu == Decimal(old["farmland_mu"]) and p.village_groups == int(old["village_groups"])
        assert s.scalar(select(func.count()).select_from(BaseDataChange).where(BaseDataChange.status == "revoked")) >= 2
