"""The one clock: now (aware UTC) and today (China time, +08:00), injectable in tests.

Every module asks this clock instead of calling ``datetime.now`` itself, so a test (or the app,
through its ``NOW`` setting, installed per request by the server) can move time for everything at
once: ``with clock.frozen(at): ...`` or ``token = clock.use(fn)`` … ``clock.reset(token)``.
"""
from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Callable, Iterator
from contextvars import ContextVar, Token

#: China Standard Time; the platform shows and counts days in it.
CST = dt.timezone(dt.timedelta(hours=8), "+08:00")


def system_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


_source: ContextVar[Callable[[], dt.datetime] | None] = ContextVar("platform_clock", default=None)


def now() -> dt.datetime:
    """The current instant, timezone-aware (UTC)."""
    fn = _source.get()
    return (fn or system_now)()


def china_now() -> dt.datetime:
    return now().astimezone(CST)


def today() -> dt.date:
    """Today's date in China."""
    return china_now().date()


def use(fn: Callable[[], dt.datetime] | None) -> Token:
    """Make `fn` the clock of the current context (a request, a test); undo with `reset`."""
    return _source.set(fn)


def reset(token: Token) -> None:
    _source.reset(token)


@contextlib.contextmanager
def frozen(at: dt.datetime) -> Iterator[None]:
    """Time stands at `at` (aware) inside the block."""
    token = use(lambda: at)
    try:
        yield
    finally:
        reset(token)


def china_date(at: dt.datetime | None) -> dt.date | None:
    """The date in China of the aware instant `at` (None stays None)."""
    return at.astimezone(CST).date() if at else None
