"""Working days in mainland China (法定节假日 and 调休 weekend work days), for deadlines that the
rules count in working days (warning handling, data requests answered within 10 working days).

The official calendar comes from `chinesecalendar`, which knows the years the State Council has
published. For a year it does not know yet, Monday to Friday count as working days.
"""
from __future__ import annotations

import datetime as dt
from functools import lru_cache

import chinese_calendar


@lru_cache(maxsize=4096)
def is_workday(day: dt.date) -> bool:
    try:
        return chinese_calendar.is_workday(day)
    except NotImplementedError:  # a year the calendar does not cover yet
        return day.weekday() < 5


def add_working_days(start: dt.date, days: int) -> dt.date:
    """The date `days` working days after `start` (start itself not counted); days >= 0."""
    if days < 0:
        raise ValueError("days must be >= 0")
    day = start
    while days:
        day += dt.timedelta(days=1)
        if is_workday(day):
            days -= 1
    return day


def working_days_between(start: dt.date, end: dt.date) -> int:
    """Working days after `start` up to and including `end` (0 when end <= start)."""
    count, day = 0, start
    while day < end:
        day += dt.timedelta(days=1)
        count += is_workday(day)
    return count
