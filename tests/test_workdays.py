"""Working-day deadlines follow the official holiday calendar (with 调休 weekend work days)."""
import datetime as dt

from domain.supervision.workdays import add_working_days, is_workday, working_days_between


def test_workdays001_national_day_holiday_and_make_up_day_are_respected():
    # 2026: 09-25 (中秋) and 10-01..10-07 off; Sunday 09-20 and Saturday 10-10 are make-up working days
    assert not is_workday(dt.date(2026, 10, 1)) and not is_workday(dt.date(2026, 9, 25))
    assert is_workday(dt.date(2026, 9, 20)) and is_workday(dt.date(2026, 10, 10))
    assert add_working_days(dt.date(2026, 9, 30), 1) == dt.date(2026, 10, 8)
    assert add_working_days(dt.date(2026, 11, 20), 1) == dt.date(2026, 11, 23)  # Friday -> Monday


def test_workdays002_unknown_years_fall_back_to_monday_to_friday():
    assert is_workday(dt.date(2031, 3, 3)) and not is_workday(dt.date(2031, 3, 1))
    assert add_working_days(dt.date(2031, 2, 28), 10) == dt.date(2031, 3, 14)


def test_workdays003_counting_between_dates_inverts_adding():
    start = dt.date(2026, 9, 25)
    for n in (0, 1, 5, 10, 30):
        assert working_days_between(start, add_working_days(start, n)) == n
