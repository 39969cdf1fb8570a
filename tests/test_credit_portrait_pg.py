"""The credit portrait on PostgreSQL: the same decision, masking and access record as on SQLite
(tests/test_credit_portrait.py has the full set); the bank's list search and a revocation."""
from __future__ import annotations

import datetime as dt

import pytest

from data.credit import authorisations, portrait as portraits
from data.credit.portraits import openable
from domain import clock
from domain.identifiers import mask_resident_id
from domain.permissions import PermissionDenied
from tests.support.app import TODAY, generate_test_data, make_settings
from tests.support.credit import authorise
from tests.support.credit_portrait import BANK, NAME, portrait_world

pytestmark = pytest.mark.postgres


@pytest.fixture(scope="module")
def pg(postgres_server, tmp_path_factory):
    settings = generate_test_data(make_settings(tmp_path_factory.mktemp("pg-credit"),
                                                postgres_server.create_database("credit_portrait")))
    return settings, portrait_world(settings)


def test_credit_portrait_pg001_bank_subject_and_revocation(pg):
    settings, w = pg
    url = settings.database_url
    with clock.frozen(dt.datetime.combine(TODAY, dt.time(4), dt.UTC)):
        with pytest.raises(PermissionDenied):
            portraits.portrait(url, w["bank"], w["sid"])
        aid = authorise(settings, w["sid"], BANK, valid_from=TODAY, valid_until=TODAY + dt.timedelta(days=5))
        p = portraits.portrait(url, w["bank"], w["sid"], key=settings.audit_key)
        assert p["identity"]["name"] == NAME and p["identity"]["identifier"] == mask_resident_id(w["ident"])
        assert [r["title"] for r in p["dishonest"]] == ["违规采伐林木行政处罚"] and p["loans"][0]["overdue"] == 1
        assert [r["id"] for r in openable(url, w["bank"], "林_生")] == []  # LIKE wildcards are literal
        assert [r["id"] for r in openable(url, w["bank"], "林生")] == [w["sid"]]
        mine = portraits.portrait(url, w["me"], w["sid"])
        assert mine["access"][0]["institution"] == BANK and mine["access"][0]["purpose"] == "林权抵押贷款"
        authorisations.revoke(url, settings.audit_key, w["me"], aid)
        with pytest.raises(PermissionDenied):
            portraits.portrait(url, w["bank"], w["sid"])
