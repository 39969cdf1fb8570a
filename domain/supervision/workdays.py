"""Working days in mainland China (法定节假日 and 调休 weekend work days), for deadlines that the
rules count in working days (warning handling, data requests answered within 10 working days).

The calendar itself is a value, `domain.calendar.schedule.WorkCalendar` (schedules entered by a
platform administrator over `chinesecalendar`'s years over Monday–Friday); these functions ask
the process's installed one, or the one passed in. `deadline` also says whether the result is
provisional (it ran through a year whose schedule is not published yet).
"""
from __future__ import annotations

import datetime as dt

from domain.calendar.schedule import Deadline, WorkCalendar, current


def is_workday(day: dt.date, calendar: WorkCalendar | None = None) -> bool:
    return (calendar or current()).is_workday(day)


def deadline(start: dt.date, days: int, calendar: WorkCalendar | None = None) -> Deadline:
    """The date `days` working days after `start` (start itself not counted; days >= 0) and
    whether it is provisional."""
    return (calendar or current()).deadline(start, days)


def add_working_days(start: dt.date, days: int, calendar: WorkCalendar | None = None) -> dt.date:
    """The date `days` working days after `start` (start itself not counted); days >= 0."""
    return deadline(start, days, calendar).day


def working_days_between(start: dt.date, end: dt.date, calendar: WorkCalendar | None = None) -> int:
    """Working days after `start` up to and including `end` (0 when end <= start)."""
    return (calendar or current()).working_days_between(start, end)
