"""The working-day calendar and the registers on PostgreSQL (the JSON columns, the migration, the
version check): a database of its own, a 2027 schedule entered through the callback, an incident
reported and advanced, a bad step refused."""
from __future__ import annotations

import datetime as dt

import pytest

import callbacks.admin.calendar as page
from data.calendar import store
from tests.support.app import build_app, generate_test_data, make_settings
from tests.support.http import call, output, props, sign_in, text
from tests.test_calendar import HOLIDAYS_2027, MAKEUP_2027
from tests.test_registers import INCIDENT, entry, newest, post, result, step

pytestmark = pytest.mark.postgres


@pytest.fixture(scope="module")
def pg_own(postgres_server, tmp_path_factory):
    settings = generate_test_data(make_settings(tmp_path_factory.mktemp("pgcal"),
                                                postgres_server.create_database("calendar_registers")))
    return settings, build_app(settings)


def test_calpg001_schedule_and_registers_on_postgres(pg_own):
    settings, app = pg_own
    admin = sign_in(app.server, "demo-admin")
    assert store.current(settings.database_url).deadline(dt.date(2026, 12, 24), 10).provisional
    resp = call(app, admin, page.save, props(("cal-save", "n_clicks", 1)),
                props(("cal-year", "value", 2027), ("cal-holidays", "value", HOLIDAYS_2027),
                      ("cal-makeup", "value", MAKEUP_2027), ("cal-revision", "data", 0), ("cal-refresh", "data", 0)))
    assert "第 1 版" in text(output(resp, "cal-save-result", "children"))
    cal = store.current(settings.database_url)
    assert cal.add_working_days(dt.date(2027, 2, 1), 10) == dt.date(2027, 2, 20) and cal.source(2027) == "entered"
    village, secretary = sign_in(app.server, "demo-village"), sign_in(app.server, "demo-secretary")
    assert "已报告" in result(post(app, village, "incident", "report", INCIDENT), "incident", "report")
    eid = newest(settings, "incident")
    refused = step(settings, app, secretary, "incident", "close", eid, {"outcome": "x", "cause": "y"})
    assert "才能关闭" in text(output(refused, "reg-incident-close-error", "children"))
    step(settings, app, secretary, "incident", "respond", eid, {"measures": "断网"})
    step(settings, app, secretary, "incident", "escalate", eid, {"situation": "扩大"})
    e = entry(settings, eid)
    assert e.state == "escalated" and e.level == 4 and e.fields["reported_to"]
