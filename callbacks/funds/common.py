"""What the funds callbacks share: dates as typed, chosen file names, and the refusal shown to the user."""
from __future__ import annotations

import datetime as dt

from data.attachments import clean_name

from ..common import alert


def iso_date(text) -> dt.date | None:
    try:
        return dt.date.fromisoformat(text) if text else None
    except (TypeError, ValueError):
        return None


def chosen(filenames) -> str:
    names = filenames if isinstance(filenames, list) else [filenames] if filenames else []
    return "已选择：" + "、".join(clean_name(n) for n in names) if names else ""


def refused(exc: PermissionError):
    """A refusal (wrong role, own work, out of scope) as the alert under the form; written to the
    security log once (the raising code usually has)."""
    if not getattr(exc, "logged", False):
        from server.auth import log_event

        log_event("permission_denied", f"资金管理：{exc}", "denied",
                  detail={"action": str(getattr(exc, "action", "") or "")})
        exc.logged = True
    return alert(str(exc), "danger")


def bump(counter) -> int:
    """The next value of a refresh counter (a dcc.Store the grids listen to)."""
    return (counter or 0) + 1
