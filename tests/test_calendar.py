"""The working-day calendar (issue 14, item 7): China's official holidays and make-up work days,
a year's State Council schedule entered by a platform administrator through /admin/calendar, and
deadlines over a year without a published schedule marked provisional."""
from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings as hsettings, strategies as st
from sqlalchemy import func, select

import callbacks.admin.calendar as page
from data.calendar import store
from data.db import reading
from data.models import AuditLog, WorkCalendarSchedule
from domain.calendar.entry import parse_schedule
from domain.calendar.schedule import Holiday, Schedule, WorkCalendar
from domain.supervision.workdays import add_working_days, deadline
from tests.support.app import build_app, generate_test_data, make_settings
from tests.support.http import call, output, props, sign_in, text


#: a 2027 schedule as an administrator would type it (the real one is published in late 2026)
HOLIDAYS_2027 = "元旦 2027-01-01 至 2027-01-03\n春节 2027-02-06 至 2027-02-13\n劳动节 2027-05-01 至 2027-05-05"
MAKEUP_2027 = "2027-02-20 2027-04-25"


@pytest.fixture(scope="module")
def own(tmp_path_factory):
    """A test database of its own (the schedules entered here stay here) and its app."""
    settings = generate_test_data(make_settings(tmp_path_factory.mktemp("calendar")))
    return settings, build_app(settings)


def _save(app, client, year, holidays, makeup, revision=0):
    return call(app, client, page.save, props(("cal-save", "n_clicks", 1)),
                props(("cal-year", "value", year), ("cal-holidays", "value", holidays), ("cal-makeup", "value", makeup),
                      ("cal-revision", "data", revision), ("cal-refresh", "data", 0)))


def _trial(app, client, start, days):
    resp = call(app, client, page.trial, props(("cal-trial", "n_clicks", 1)),
                props(("cal-trial-start", "date", start), ("cal-trial-days", "value", days)))
    return text(output(resp, "cal-trial-result", "children"))


def _schedules(settings) -> int:
    with reading(settings.database_url) as s:
        return s.scalar(select(func.count()).select_from(WorkCalendarSchedule))


def test_calendar001_ten_working_days_from_26_september_2025_end_on_16_october():
    # 2025: 28 Sep (Sunday) and 11 Oct (Saturday) are make-up work days; 1–8 October off
    assert add_working_days(dt.date(2025, 9, 26), 10, WorkCalendar()) == dt.date(2025, 10, 16)
    d = deadline(dt.date(2025, 9, 26), 10, WorkCalendar())
    assert d == d.__class__(dt.date(2025, 10, 16), False, ())


def test_calendar002_a_2027_deadline_before_any_schedule_is_provisional_and_skips_new_year():
    d = WorkCalendar().deadline(dt.date(2026, 12, 24), 10)
    # 25, 28, 29, 30, 31 Dec; 1 Jan (a Friday) is never a working day; then 4–8 Jan
    assert d.day == dt.date(2027, 1, 8) and d.provisional and d.unpublished == (2027,)
    assert d.note == "（暂定：2027 年放假安排尚未发布）"
    assert not WorkCalendar().deadline(dt.date(2026, 11, 2), 10).provisional


def test_calendar003_an_administrator_enters_2027_and_deadlines_follow_it(own):
    settings, app = own
    admin = sign_in(app.server, "demo-admin")
    before = _trial(app, admin, "2027-02-01", 10)
    assert "2027-02-15" in before and "暂定：2027 年放假安排尚未发布" in before  # Monday to Friday, provisional
    resp = _save(app, admin, 2027, HOLIDAYS_2027, MAKEUP_2027)
    assert "已保存 2027 年放假安排（第 1 版）" in text(output(resp, "cal-save-result", "children"))
    after = _trial(app, admin, "2027-02-01", 10)
    # 2–5 Feb (4), 6–13 Feb off, 15–19 Feb (9), Saturday 20 Feb a make-up work day (10)
    assert "2027-02-20" in after and "暂定" not in after
    assert "2027-02-20" in _trial(app, admin, "2027-02-18", 2)  # the make-up Saturday counts
    assert _trial(app, admin, "2027-04-29", 1).startswith("2027-04-29 起 1 个工作日：2027-04-30")
    assert "2027-05-06" in _trial(app, admin, "2027-04-30", 1)
    cal = store.current(settings.database_url)
    assert cal.source(2027) == "entered" and not cal.deadline(dt.date(2026, 12, 24), 10).provisional
    # listed as entered, with its revision; a revision needs the version the form read
    rows = output(call(app, admin, page.load, props(("cal-refresh", "data", 1))), "cal-grid", "rowData")
    row = next(r for r in rows if r["year"] == 2027)
    assert row["source"] == "管理员录入" and row["revision"] == 1 and row["entered_by"] == "demo-admin"
    stale = _save(app, admin, 2027, HOLIDAYS_2027, "2027-02-20", revision=0)
    assert "已被他人修改" in text(output(stale, "cal-save-result", "children")) and _schedules(settings) == 1
    revised = _save(app, admin, 2027, HOLIDAYS_2027, "2027-02-20", revision=1)
    assert "第 2 版" in text(output(revised, "cal-save-result", "children"))
    assert store.current(settings.database_url).schedules[2027].makeup_days == (dt.date(2027, 2, 20),)
    picked = call(app, admin, page.pick, props(("cal-grid", "selectedRows", [{"id": 2027, "year": 2027}])))
    assert output(picked, "cal-revision", "data") == 2 and "第 1 版" in text(output(picked, "cal-detail", "children"))
    with reading(settings.database_url) as s:
        logged = s.scalars(select(AuditLog.description).where(AuditLog.type == "calendar")).all()
    assert any("录入2027 年放假安排（第 1 版）" in d for d in logged) and any("修订2027" in d for d in logged)


@pytest.mark.parametrize("holidays, makeup, field, message", [
    ("春节 2028-02-06 至 2028-02-13", "", "holidays", "日期须在 2027 年内"),
    ("春节 2027-02-06 至 2027-02-13\n除夕 2027-02-05 至 2027-02-06", "", "holidays", "日期重叠"),
    ("春节 2027-02-13 至 2027-02-06", "", "holidays", "结束日期早于起始日期"),
    ("春节 二月六日", "", "holidays", "格式应为"),
    ("", "", "holidays", "请至少填写一个节假日"),
    ("春节 2027-02-06 至 2027-02-13", "2027-02-22", "makeup_days", "不是周末"),
    ("春节 2027-02-06 至 2027-02-13", "2027-02-07", "makeup_days", "已在放假日期内"),
    ("春节 2027-02-06 至 2027-02-13", "2027-05-01", "makeup_days", "法定节日"),
    ("春节 2027-02-06 至 2027-02-13", "2028-02-19", "makeup_days", "不在 2027 年内"),
])
def test_calendar004_bad_schedules_get_chinese_errors_and_change_nothing(own, holidays, makeup, field, message):
    settings, app = own
    admin = sign_in(app.server, "demo-admin")
    count = _schedules(settings)
    resp = _save(app, admin, 2027, holidays, makeup, revision=2)
    error = text(output(resp, {"holidays": "cal-holidays-error", "makeup_days": "cal-makeup-error"}[field], "children"))
    assert message in error
    assert _schedules(settings) == count
    assert parse_schedule(2027, holidays, makeup)[1][field]


def test_calendar005_only_the_province_administrator_enters_schedules(own):
    settings, app = own
    county = sign_in(app.server, "demo-county")
    count = _schedules(settings)
    resp = _save(app, county, 2029, "元旦 2029-01-01", "")
    assert resp.status_code in (200, 204, 403) and _schedules(settings) == count
    rows = output(call(app, county, page.load, props(("cal-refresh", "data", 1))), "cal-grid", "rowData")
    assert rows  # the county sees the years; the form stays hidden for it
    resp = call(app, county, page.load, props(("cal-refresh", "data", 1)))
    assert resp.get_json()["response"]["cal-form"]["hidden"] is True


def test_calendar006_another_process_sees_a_saved_schedule(own, tmp_path):
    """A second process's calendar is rebuilt on its next use: the cheap version check sees the new row."""
    settings, _ = own
    from domain.calendar.schedule import current, install

    install(WorkCalendar())  # as if this process had loaded it before the save
    store._LOADED.update(url=settings.database_url, marker=-1)
    assert store.current(settings.database_url).source(2027) == "entered" and current().source(2027) == "entered"


def test_calendar007_a_warning_due_in_an_unpublished_year_shows_its_deadline_is_provisional(own):
    import callbacks.supervision.warnings as warnings_page
    from data.db import transaction
    from data.models import Warning

    settings, app = own
    county = settings.demo_county
    with transaction(settings.database_url) as s:
        w = s.scalar(select(Warning).where(Warning.region_code.between(county, county + 10**6 - 1)).order_by(Warning.id)
                     .limit(1))
        wid, w.due_on = w.id, dt.date(2028, 1, 5)
    client = sign_in(app.server, "demo-county")
    resp = call(app, client, warnings_page.show, props(("warn-grid", "selectedRows", [{"id": wid}]), ("url", "hash", ""),
                                                       ("warn-refresh", "data", 0)))
    detail = text(output(resp, "warn-detail", "children"))
    assert "2028-01-05（按工作日计）（暂定：2028 年放假安排尚未发布）" in detail
    with transaction(settings.database_url) as s:
        s.get(Warning, wid).due_on = dt.date(2027, 1, 8)  # 2027 was entered above: no longer provisional
    detail = text(output(call(app, client, warnings_page.show, props(
        ("warn-grid", "selectedRows", [{"id": wid}]), ("url", "hash", ""), ("warn-refresh", "data", 0))),
        "warn-detail", "children"))
    assert "2027-01-08（按工作日计）" in detail and "暂定" not in detail


def test_calendar011_escalated_warnings_get_deadlines_in_the_entered_2027_calendar(own):
    """The warning lifecycle counts its deadlines in the calendar the administrator entered (in
    test003: 春节 6–13 February 2027, Saturday 20 February a make-up work day)."""
    from data.models import Warning
    from data.supervision.handling import escalate_overdue
    from domain.supervision.rules.base import DUE_WORKING_DAYS

    settings, _ = own
    from domain.calendar.schedule import install

    install(WorkCalendar())  # a process that has not loaded the database's calendar yet
    moved = escalate_overdue(settings.database_url, settings.audit_key, dt.date(2027, 2, 3))
    assert moved
    with reading(settings.database_url) as s:
        due = {int(w.severity): w.due_on for w in s.scalars(select(Warning).where(Warning.id.in_(moved)))}
    expected = {3: dt.date(2027, 2, 17), 2: dt.date(2027, 2, 23), 1: dt.date(2027, 3, 2)}  # 20 Feb counted
    assert due and all(due[sev] == expected[sev] for sev in due), due
    assert all(WorkCalendar().add_working_days(dt.date(2027, 2, 3), DUE_WORKING_DAYS[sev]) != due[sev] for sev in due)


years = st.integers(min_value=2000, max_value=2100)
days = st.dates(min_value=dt.date(2000, 1, 1), max_value=dt.date(2100, 12, 31))


@st.composite
def schedules(draw):
    """Any schedule, however odd: holidays and make-up days anywhere in the year (even on 1 Jan)."""
    year = draw(years)
    starts = draw(st.lists(st.integers(0, 364), max_size=6))
    hol = tuple(Holiday("假", dt.date(year, 1, 1) + dt.timedelta(days=s),
                        min(dt.date(year, 1, 1) + dt.timedelta(days=s + draw(st.integers(0, 7))), dt.date(year, 12, 31)))
                for s in starts)
    makeup = tuple(dt.date(year, 1, 1) + dt.timedelta(days=d) for d in draw(st.lists(st.integers(0, 364), max_size=8)))
    return Schedule(year, hol, makeup)


@hsettings(max_examples=200, deadline=None)
@given(day=days, sched=st.lists(schedules(), max_size=3))
def test_calendar008_fixed_holidays_are_never_working_days(day, sched):
    cal = WorkCalendar({s.year: s for s in sched})
    for fixed in (dt.date(day.year, 1, 1), dt.date(day.year, 5, 1), dt.date(day.year, 10, 1), dt.date(day.year, 10, 2),
                  dt.date(day.year, 10, 3)):
        assert not cal.is_workday(fixed)


@hsettings(max_examples=200, deadline=None)
@given(start=days, n=st.integers(0, 40), sched=st.lists(schedules(), max_size=2))
def test_calendar009_a_deadline_is_a_working_day_after_exactly_n_working_days(start, n, sched):
    cal = WorkCalendar({s.year: s for s in sched})
    d = cal.deadline(start, n)
    assert cal.working_days_between(start, d.day) == n
    if n:
        assert cal.is_workday(d.day) and (d.day.month, d.day.day) not in {(1, 1), (5, 1), (10, 1), (10, 2), (10, 3)}
    assert d.provisional == bool(d.unpublished)
    assert all(not cal.published(y) for y in d.unpublished)


@hsettings(max_examples=100, deadline=None)
@given(year=st.integers(2027, 2100), holidays=st.text(max_size=80), makeup=st.text(max_size=40))
def test_calendar010_typed_schedules_are_accepted_only_when_valid(year, holidays, makeup):
    schedule, errors = parse_schedule(year, holidays, makeup)
    assert (schedule is None) == bool(errors)
    if schedule:
        for d in schedule.makeup_days:
            assert d.weekday() >= 5 and d.year == year and d not in schedule.off_days()
