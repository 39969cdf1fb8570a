"""The State Council schedules a platform administrator entered (/admin/calendar), stored
append-only (every save a new revision of its year), and the process's working-day calendar.

Several processes (web workers, the warning engine's scheduler) each hold an installed calendar.
`current(url)` keeps it fresh with a cheap check: it reads the largest schedule id (one indexed
row; every save inserts a row, so the id is the calendar's version) and rebuilds the calendar only
when that differs from what the process last loaded for that database. Every code path that
computes or shows a deadline calls it first; a save reloads at once in the saving process.
"""
from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select

from data.admin import audit_log
from data.db import reading, transaction
from data.errors import AccountError, StaleEdit
from data.models import WorkCalendarSchedule
from domain.calendar.entry import parse_schedule
from domain.calendar.schedule import Holiday, Schedule, WorkCalendar, install, library_knows
from domain.permissions import Action, Actor, ensure
from data import forksafe

_LOCK = forksafe.Lock()
_LOADED: dict = {"url": None, "marker": None, "calendar": WorkCalendar()}


def _schedule(row: WorkCalendarSchedule) -> Schedule:
    day = dt.date.fromisoformat
    return Schedule(int(row.year), tuple(Holiday(h["name"], day(h["start"]), day(h["end"])) for h in row.holidays),
                    tuple(day(d) for d in row.makeup_days), int(row.revision))


def _latest(s) -> dict[int, WorkCalendarSchedule]:
    latest = (select(WorkCalendarSchedule.year, func.max(WorkCalendarSchedule.revision).label("rev"))
              .group_by(WorkCalendarSchedule.year).subquery())
    rows = s.scalars(select(WorkCalendarSchedule).join(
        latest, (WorkCalendarSchedule.year == latest.c.year) & (WorkCalendarSchedule.revision == latest.c.rev)))
    return {int(r.year): r for r in rows}


def load_calendar(url: str) -> WorkCalendar:
    with reading(url) as s:
        return WorkCalendar({y: _schedule(r) for y, r in _latest(s).items()})


def _marker(url: str) -> int:
    with reading(url) as s:
        return int(s.scalar(select(func.max(WorkCalendarSchedule.id))) or 0)


def current(url: str) -> WorkCalendar:
    """The working-day calendar of the database at `url`, installed as the process's calendar;
    rebuilt only when a schedule was saved since (by any process)."""
    marker = _marker(url)
    with _LOCK:
        if _LOADED["url"] != url or _LOADED["marker"] != marker:
            _LOADED.update(url=url, marker=marker, calendar=load_calendar(url))
        install(_LOADED["calendar"])
        return _LOADED["calendar"]


def save_schedule(url: str, key: str, actor: Actor, year, holidays_text: str | None, makeup_text: str | None,
                  read_revision: int | None) -> int:
    """Enter (or revise) `year`'s schedule; `read_revision`: the revision the form showed (0: none
    yet). Returns the new revision. Bad input raises AccountError (field → Chinese) and writes nothing."""
    ensure(actor, Action.CALENDAR_EDIT)
    schedule, errors = parse_schedule(year, holidays_text, makeup_text)
    if errors:
        raise AccountError(errors)
    with transaction(url, actor) as s:
        now_rev = int(s.scalar(select(func.max(WorkCalendarSchedule.revision))
                               .where(WorkCalendarSchedule.year == schedule.year)) or 0)
        if read_revision is not None and int(read_revision) != now_rev:
            raise StaleEdit(f"{schedule.year} 年放假安排已被他人修改，请刷新后再保存")
        row = WorkCalendarSchedule(
            year=schedule.year, revision=now_rev + 1, entered_by_id=actor.user_id, entered_by=actor.username,
            holidays=[{"name": h.name, "start": h.start.isoformat(), "end": h.end.isoformat()} for h in schedule.holidays],
            makeup_days=[d.isoformat() for d in schedule.makeup_days])
        s.add(row)
        s.flush()
        off = sum((h.end - h.start).days + 1 for h in schedule.holidays)
        audit_log.record(s, key, actor=actor.username, actor_id=actor.user_id, type="calendar",
                         description=f"{'修订' if now_rev else '录入'}{schedule.year} 年放假安排（第 {row.revision} 版）："
                                     f"{len(schedule.holidays)} 个节假日共 {off} 天，调休上班 {len(schedule.makeup_days)} 天",
                         result="success", region_code=actor.scope.root, ip=actor.ip,
                         detail={"year": schedule.year, "revision": row.revision, "holidays": row.holidays,
                                 "makeup_days": row.makeup_days})
        revision = row.revision
    current(url)
    return revision


def refuse(url: str, key: str, actor: Actor, year, reason: str) -> None:
    """Log a refused save (bad input or a stale form): the schedule stays as it was."""
    with transaction(url) as s:
        audit_log.record(s, key, actor=actor.username, actor_id=actor.user_id, type="calendar",
                         description=f"录入 {year} 年放假安排未保存：{reason[:300]}", result="failure",
                         region_code=actor.scope.root, ip=actor.ip, detail={"year": str(year)[:10]})


def years(url: str, today: dt.date) -> list[dict]:
    """The years around today and every entered year, with where their schedule comes from."""
    with reading(url) as s:
        entered = _latest(s)
    shown = sorted(set(range(today.year - 1, today.year + 3)) | set(entered))
    out = []
    for y in shown:
        r = entered.get(y)
        source = "管理员录入" if r else "内置日历" if library_knows(y) else "尚未发布（期限暂定）"
        out.append({"id": y, "year": y, "source": source, "revision": int(r.revision) if r else None,
                    "holidays": len(r.holidays) if r else None, "makeup_days": len(r.makeup_days) if r else None,
                    "entered_by": r.entered_by if r else "", "entered_at": r.entered_at if r else None,
                    "published": bool(r) or library_knows(y)})
    return out


def history(url: str, year: int) -> list[dict]:
    """Every revision of `year`'s entered schedule, newest first."""
    with reading(url) as s:
        rows = s.scalars(select(WorkCalendarSchedule).where(WorkCalendarSchedule.year == int(year))
                         .order_by(WorkCalendarSchedule.revision.desc()))
        return [{"revision": r.revision, "entered_by": r.entered_by, "entered_at": r.entered_at,
                 "schedule": _schedule(r)} for r in rows]
