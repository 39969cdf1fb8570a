"""A year's State Council schedule as an administrator types it (/admin/calendar), checked.

Holidays: one a line, "名称 起始日期 至 结束日期" (or one date for a one-day holiday); make-up work
days: dates separated by spaces, commas or new lines. The refusals name the line, in Chinese.
"""
from __future__ import annotations

import datetime as dt
import re

from domain.calendar.schedule import Holiday, Schedule, fixed_holiday

MIN_YEAR, MAX_YEAR = 2000, 2100
MAX_HOLIDAY_DAYS = 15
MAX_LINES = 30
_DATE = r"(\d{4}-\d{1,2}-\d{1,2})"
_LINE = re.compile(rf"^(?P<name>[^\s\d][^\s]{{0,19}})\s+{_DATE}(?:\s*(?:至|到|~|～|—|－)\s*{_DATE})?$")
_SPLIT = re.compile(r"[\s,，、;；]+")
WEEKDAYS = "一二三四五六日"


def _date(text: str) -> dt.date | None:
    try:
        y, m, d = (int(x) for x in text.split("-"))
        return dt.date(y, m, d)
    except ValueError:
        return None


def day_text(day: dt.date) -> str:
    return f"{day.isoformat()}（星期{WEEKDAYS[day.weekday()]}）"


def parse_schedule(year, holidays_text: str | None, makeup_text: str | None) -> tuple[Schedule | None, dict[str, str]]:
    """The schedule typed for `year`, or the refusals by field (year, holidays, makeup_days)."""
    errors: dict[str, str] = {}
    try:
        year = int(year)
    except (TypeError, ValueError):
        year = None
    if year is None or not MIN_YEAR <= year <= MAX_YEAR:
        errors["year"] = f"请填写 {MIN_YEAR}–{MAX_YEAR} 之间的年份"
    holidays, problems = [], []
    lines = [x.strip() for x in (holidays_text or "").splitlines() if x.strip()]
    if not lines:
        errors["holidays"] = "请至少填写一个节假日（每行：名称 起始日期 至 结束日期）"
    elif len(lines) > MAX_LINES:
        errors["holidays"] = f"节假日不超过 {MAX_LINES} 行"
        lines = []
    for n, line in enumerate(lines, start=1):
        m = _LINE.match(line)
        start = _date(m.group(2)) if m else None
        end = (_date(m.group(3)) if m.group(3) else start) if m else None
        if m is None or start is None or end is None:
            problems.append(f"第 {n} 行格式应为“名称 起始日期 至 结束日期”，例如“春节 2027-02-06 至 2027-02-13”")
        elif end < start:
            problems.append(f"第 {n} 行：结束日期早于起始日期")
        elif year is not None and (start.year != year or end.year != year):
            problems.append(f"第 {n} 行：日期须在 {year} 年内")
        elif (end - start).days + 1 > MAX_HOLIDAY_DAYS:
            problems.append(f"第 {n} 行：一次放假不超过 {MAX_HOLIDAY_DAYS} 天")
        else:
            clash = next(((k, o) for k, o in enumerate(holidays, start=1) if start <= o.end and o.start <= end), None)
            if clash:
                problems.append(f"第 {n} 行与“{clash[1].name}”的日期重叠")
            holidays.append(Holiday(m.group("name"), start, end))
    if problems:
        errors["holidays"] = "\n".join(problems)
    makeup, bad = [], []
    off = {d for h in holidays for d in h.days()}
    for token in (x for x in _SPLIT.split(makeup_text or "") if x):
        day = _date(token) if re.fullmatch(_DATE, token) else None
        if day is None:
            bad.append(f"“{token[:20]}”不是日期（格式 2027-02-20）")
        elif year is not None and day.year != year:
            bad.append(f"{day.isoformat()} 不在 {year} 年内")
        elif day.weekday() < 5:
            bad.append(f"{day_text(day)} 不是周末，调休上班日须为周六或周日")
        elif fixed_holiday(day):
            bad.append(f"{day.isoformat()} 是法定节日（元旦、劳动节、国庆节），不能调休上班")
        elif day in off:
            bad.append(f"{day.isoformat()} 已在放假日期内，不能同时为调休上班日")
        elif day in makeup:
            bad.append(f"{day.isoformat()} 重复")
        else:
            makeup.append(day)
    if len(makeup) + len(bad) > MAX_LINES:
        bad.append(f"调休上班日不超过 {MAX_LINES} 天")
    if bad:
        errors["makeup_days"] = "\n".join(bad)
    if errors:
        return None, errors
    return Schedule(year, tuple(sorted(holidays, key=lambda h: h.start)), tuple(sorted(makeup))), {}


def holidays_text(schedule: Schedule) -> str:
    """The schedule's holidays as the form shows them (what `parse_schedule` reads back)."""
    return "\n".join(f"{h.name} {h.start.isoformat()}" + (f" 至 {h.end.isoformat()}" if h.end != h.start else "")
                     for h in schedule.holidays)


def makeup_text(schedule: Schedule) -> str:
    return "\n".join(d.isoformat() for d in schedule.makeup_days)
