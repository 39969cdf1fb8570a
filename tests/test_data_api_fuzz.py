"""A fuzz test of the data API from its own OpenAPI description (schemathesis, in-process through
the WSGI app): every generated call, valid or not, with the key or without, answers as the
description says (status code, content type, body schema) and never with a server error.
Bounded: a few dozen examples per operation, no deadline (the 2-core test machine is shared),
well under two minutes in all."""
from __future__ import annotations

import datetime as dt

import pytest
import schemathesis
from hypothesis import HealthCheck, settings as hypothesis_settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (content_type_conformance, negative_data_rejection,
                                               response_schema_conformance, status_code_conformance)
from sqlalchemy import func, select

from data.db import transaction
from data.models import Base, DataApiCall
from tests.conftest import TODAY
from tests.support.business import own_database
from tests.support.http import app_on
from server.api.openapi import spec
from tests.test_data_api import issue

EXAMPLES = 25
START = dt.datetime.combine(TODAY, dt.time(2), dt.UTC)  # the app's clock: the demo's calls are earlier
STATE: dict = {}


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    settings = own_database(tmp_path_factory, "data-api-fuzz")
    app = app_on(settings)
    app.server.config["NOW"] = lambda: START
    everything = {"contracts": ["region_code", "number", "counterparty", "amount_fen", "signed_on"],
                  "resources": ["region_code", "name", "type", "area_mu", "contractor"],
                  "funds_monthly": ["region_code", "period", "receipts_fen", "payments_fen"],
                  "organisations": ["region_code", "name", "uscc"], "warnings": ["region_code", "severity", "title"]}
    _, token = issue(settings, scope=everything, rate=6000)
    STATE.update(settings=settings, token=token, app=app.server, tables=tables(settings))
    inner = app.server.wsgi_app

    def from_loopback(environ, start_response):  # schemathesis' WSGI client names no client address
        environ.setdefault("REMOTE_ADDR", "127.0.0.1")
        environ["REMOTE_ADDR"] = environ["REMOTE_ADDR"] or "127.0.0.1"
        return inner(environ, start_response)

    app.server.wsgi_app = from_loopback
    yield app.server
    # test001's generated cases carry no xdist group (schemathesis' items), so they may run in
    # another worker than the rest of this module: the check of what they did runs here, after the
    # last of them in this process, whichever worker that was
    if STATE.get("fuzzed"):
        every_fuzzed_call_was_logged_and_nothing_else_changed()


#: the description the app serves at /api/v1/openapi.json (test000 checks it is the same one)
schema = schemathesis.openapi.from_dict(spec())


def test_data_api_fuzz000_the_fuzzed_description_is_the_one_the_app_serves(served):
    assert served.test_client().get("/api/v1/openapi.json").get_json() == spec()


@schema.parametrize()
@hypothesis_settings(max_examples=EXAMPLES, deadline=None,
                     suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much,
                                            HealthCheck.function_scoped_fixture])
def test_data_api_fuzz001_the_api_answers_as_its_description_says(served, case):
    STATE["fuzzed"] = True
    case.call_and_validate(app=served, headers={"Authorization": f"Bearer {STATE['token']}"},
                           checks=[not_a_server_error, status_code_conformance, content_type_conformance,
                                   response_schema_conformance, negative_data_rejection])


def tables(settings) -> dict[str, int]:
    """Rows of every table but the ones a call writes (its log entry; for a misuse, the security-log
    entry and the key's record history of its misuse counter)."""
    with transaction(settings.database_url) as s:
        return {t.name: s.scalar(select(func.count()).select_from(t)) for t in Base.metadata.sorted_tables
                if t.name not in ("data_api_calls", "audit_log", "user_sessions", "record_changes")}


def every_fuzzed_call_was_logged_and_nothing_else_changed():
    settings = STATE["settings"]
    assert tables(settings) == STATE["tables"]
    with transaction(settings.database_url) as s:
        logged = s.scalar(select(func.count()).select_from(DataApiCall).where(DataApiCall.at >= START))
        served = s.scalar(select(func.count()).select_from(DataApiCall).where(DataApiCall.status == 200,
                                                                            DataApiCall.at >= START))
        assert s.scalar(select(func.count()).select_from(DataApiCall).where(DataApiCall.status >= 500)) == 0
    print(f"\n[fuzz] {logged} calls logged, {served} answered 200")
    assert logged > 50 and served > 0, _debug()


def _debug():
    settings = STATE["settings"]
    with transaction(settings.database_url) as s:
        return s.execute(select(DataApiCall.status, DataApiCall.error, DataApiCall.ip, func.count())
                         .group_by(DataApiCall.status, DataApiCall.error, DataApiCall.ip)).all()
