"""Maintenance closures (Art. J43): the province announces a closure with a date; everyone sees
the banner from the announcement on; from the start time until it ends only users holding
platform maintenance may sign in or keep working."""
from __future__ import annotations

import datetime as dt

from domain.text import put_text
from domain.clock import CST
from dataclasses import dataclass

from domain.permissions import Action, Scope, may



@dataclass(frozen=True)
class Closure:
    starts_at: dt.datetime
    ends_at: dt.datetime | None
    message: str
    announced_by: str = ""

    @classmethod
    def from_value(cls, value: dict | None) -> Closure | None:
        if not value or not value.get("starts_at"):
            return None
        return cls(starts_at=dt.datetime.fromisoformat(value["starts_at"]),
                   ends_at=dt.datetime.fromisoformat(value["ends_at"]) if value.get("ends_at") else None,
                   message=value.get("message", ""), announced_by=value.get("announced_by", ""))

    def to_value(self) -> dict:
        return {"starts_at": self.starts_at.isoformat(), "ends_at": self.ends_at.isoformat() if self.ends_at else None,
                "message": self.message, "announced_by": self.announced_by}

    def is_over(self, now: dt.datetime) -> bool:
        return self.ends_at is not None and now >= self.ends_at

    def in_force(self, now: dt.datetime) -> bool:
        return self.starts_at <= now and not self.is_over(now)

    def banner(self, now: dt.datetime) -> str | None:
        if self.is_over(now):
            return None
        start = self.starts_at.astimezone(CST).strftime("%Y年%m月%d日 %H:%M")
        end = f"至 {self.ends_at.astimezone(CST).strftime('%Y年%m月%d日 %H:%M')} " if self.ends_at else ""
        state = "平台正在停机维护" if self.in_force(now) else "平台将停机维护"
        return f"{state}：{start} {end}（北京时间）。{self.message}".strip()


def validate(starts_at: dt.datetime | None, ends_at: dt.datetime | None, message: str,
             now: dt.datetime) -> dict[str, str]:
    errors = {}
    if starts_at is None:
        errors["starts_at"] = "请填写停机开始时间"
    elif starts_at <= now:
        errors["starts_at"] = "停机时间须晚于当前时间（须提前公告）"
    if ends_at is not None and starts_at is not None and ends_at <= starts_at:
        errors["ends_at"] = "结束时间须晚于开始时间"
    put_text(errors, "message", message, "公告内容", 500)
    return errors


def may_work_during(scope: Scope | None) -> bool:
    return scope is not None and may(scope, Action.MAINTENANCE_WORK)


def may_announce(scope: Scope | None) -> bool:
    """Only the province closes the platform (Art. J43)."""
    return scope is not None and may(scope, Action.MAINTENANCE_ANNOUNCE)
