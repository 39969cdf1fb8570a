"""Publicity periods of dishonest records (《信用修复管理办法》, in force 2026-04-01), as data.

A dishonest record is published, and counts against its subject, from its decision date through
the last day of its publicity period, then stops counting by itself. The period is chosen within
its severity's bounds (the maximum by default): 轻微 at most 3 months (normally not published),
一般 3 months to 1 year, 严重 1 to 3 years. After the minimum period the subject may apply for
credit repair; several penalties in one decision take the longest period.

Dates: a period of n months from day d ends on the day before d + n months (2026-01-15 + 3 months:
the last day is 2026-04-14); the record counts on that day and not on the next.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from domain.credit.codes import SEVERITIES, add_months


@dataclass(frozen=True)
class Period:
    min_months: int
    max_months: int
    published: bool  # minor records are normally not published


PERIODS = {"minor": Period(0, 3, False), "ordinary": Period(3, 12, True), "serious": Period(12, 36, True)}


def period_problem(severity: str, months: int | None) -> str | None:
    """None if `months` (None: the maximum) is allowed for `severity`, else why in Chinese."""
    if severity not in PERIODS:
        return "失信信息的严重程度应为轻微、一般或严重"
    if months is None:
        return None
    p = PERIODS[severity]
    if not p.min_months <= months <= p.max_months or months < 1:
        return f"{SEVERITIES[severity]}失信信息的公示期应为{max(p.min_months, 1)}至{p.max_months}个月"
    return None


def publicity_end(severity: str, decided_on: dt.date, months: int | None = None) -> dt.date:
    """The last day a dishonest record decided on `decided_on` is published and counts."""
    problem = period_problem(severity, months)
    if problem:
        raise ValueError(problem)
    n = PERIODS[severity].max_months if months is None else months
    return add_months(decided_on, n) - dt.timedelta(days=1)


def longest(severities) -> str:
    """Several penalties in one decision: the severity with the longest period."""
    return max(severities, key=lambda s: PERIODS[s].max_months)


def in_publicity(publicity_until: dt.date | None, as_of: dt.date) -> bool:
    """Does a record with this end date still count on `as_of`? (Through its last day, not after.)"""
    return publicity_until is not None and as_of <= publicity_until


def repair_open_from(severity: str, decided_on: dt.date) -> dt.date:
    """The first day the subject may apply for credit repair: after the minimum period."""
    return add_months(decided_on, PERIODS[severity].min_months)
