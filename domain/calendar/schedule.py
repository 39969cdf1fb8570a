"""Working days in mainland China as a value (`WorkCalendar`), for deadlines the rules count in
working days (warning handling; data requests answered within 10 working days, Art. X39–X40).

A year's State Council schedule (holidays and make-up weekend work days) comes, in this order,
from a schedule a platform administrator entered in the app (`Schedule`, stored by data/calendar),
else from `chinesecalendar` for the years it knows (2004–2026 in 1.11), else nowhere: such a year
is *unpublished* and counts Monday to Friday, and a deadline that runs through it is provisional
(`Deadline.provisional`). 1 January, 1 May and 1–3 October are never working days, in any year
and whatever a schedule says (`FIXED_HOLIDAYS`).

The process holds one installed calendar (`install`, `current`): data/calendar builds it from the
database and installs it at start and after every change; callers that want a particular one pass
it explicitly.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import lru_cache

import chinese_calendar

#: (month, day) never a working day (元旦, 劳动节, 国庆节 first three days)
FIXED_HOLIDAYS = frozenset({(1, 1), (5, 1), (10, 1), (10, 2), (10, 3)})


@dataclass(frozen=True)
class Holiday:
    name: str
    start: dt.date
    end: dt.date  # inclusive

    def days(self) -> list[dt.date]:
        return [self.start + dt.timedelta(days=i) for i in range((self.end - self.start).days + 1)]


@dataclass(frozen=True)
class Schedule:
    """One year's published schedule: its holidays (date ranges with names) and make-up work days."""

    year: int
    holidays: tuple[Holiday, ...]
    makeup_days: tuple[dt.date, ...] = ()
    revision: int = 1

    def off_days(self) -> frozenset[dt.date]:
        return frozenset(d for h in self.holidays for d in h.days())


@dataclass(frozen=True)
class Deadline:
    """A deadline and whether it is provisional (computed over a year without a published schedule)."""

    day: dt.date
    provisional: bool = False
    unpublished: tuple[int, ...] = ()  # the years without a schedule it ran through

    @property
    def note(self) -> str:
        return provisional_note(self.unpublished) if self.provisional else ""


def provisional_note(years) -> str:
    """（暂定：2027 年放假安排尚未发布）"""
    years = sorted(set(years))
    return f"（暂定：{'、'.join(str(y) for y in years)} 年放假安排尚未发布）" if years else ""


@lru_cache(maxsize=256)
def library_knows(year: int) -> bool:
    """Whether `chinesecalendar` has the State Council schedule of `year`."""
    try:
        chinese_calendar.is_workday(dt.date(year, 6, 1))
    except NotImplementedError:
        return False
    return True


@lru_cache(maxsize=8192)
def _library_workday(day: dt.date) -> bool:
    return chinese_calendar.is_workday(day)


def fixed_holiday(day: dt.date) -> bool:
    return (day.month, day.day) in FIXED_HOLIDAYS


@dataclass(frozen=True)
class WorkCalendar:
    """The working-day calendar: entered schedules by year, over the library's, over Monday–Friday."""

    schedules: dict[int, Schedule] = field(default_factory=dict)
    _years: dict = field(default_factory=dict, compare=False, repr=False)  # year -> (off, makeup) cache

    def published(self, year: int) -> bool:
        return year in self.schedules or library_knows(year)

    def source(self, year: int) -> str:
        """entered | library | none"""
        return "entered" if year in self.schedules else "library" if library_knows(year) else "none"

    def _sets(self, year: int):
        got = self._years.get(year)
        if got is None:
            s = self.schedules[year]
            got = self._years[year] = (s.off_days(), frozenset(s.makeup_days))
        return got

    def is_workday(self, day: dt.date) -> bool:
        if fixed_holiday(day):
            return False
        if day.year in self.schedules:
            off, makeup = self._sets(day.year)
            if day in makeup:
                return True
            return day not in off and day.weekday() < 5
        if library_knows(day.year):
            return _library_workday(day)
        return day.weekday() < 5

    def deadline(self, start: dt.date, days: int) -> Deadline:
        """`days` working days after `start` (start itself not counted; days >= 0), provisional when
        a day counted or passed over lies in a year without a published schedule."""
        if days < 0:
            raise ValueError("days must be >= 0")
        day, left = start, days
        while left:
            day += dt.timedelta(days=1)
            if self.is_workday(day):
                left -= 1
        first = (start + dt.timedelta(days=1)).year  # the days looked at: after start, up to day
        years = tuple(y for y in range(first, day.year + 1) if not self.published(y)) if days else ()
        return Deadline(day, bool(years), years)

    def add_working_days(self, start: dt.date, days: int) -> dt.date:
        return self.deadline(start, days).day

    def working_days_between(self, start: dt.date, end: dt.date) -> int:
        """Working days after `start` up to and including `end` (0 when end <= start)."""
        count, day = 0, start
        while day < end:
            day += dt.timedelta(days=1)
            count += self.is_workday(day)
        return count

    def provisional(self, day: dt.date | None) -> bool:
        """Whether a stored deadline on `day` was counted over a year without a published schedule."""
        return day is not None and not self.published(day.year)

    def note_for(self, day: dt.date | None) -> str:
        return provisional_note([day.year]) if self.provisional(day) else ""


_CURRENT: list[WorkCalendar] = [WorkCalendar()]


def install(calendar: WorkCalendar) -> None:
    """Make `calendar` the process's calendar (data/calendar does, at start and after a change)."""
    _CURRENT[0] = calendar


def current() -> WorkCalendar:
    return _CURRENT[0]
