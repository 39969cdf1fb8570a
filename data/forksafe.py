"""Locks that are whole again in a forked child.

A background callback's job is a fork of the web process (data/runtime/bg_manager.py). A lock
held by another thread of the parent at the moment of the fork (the in-process job runner, a
warning run after a write, a cache being filled) stays held forever in the child, which has only
the forking thread: the child's first `with _LOCK:` never returns. Python re-initialises its own
locks after a fork (threading, logging), not ours, so every module-level or long-lived lock of
the app is made here: after a fork, in the child, each is replaced by a new, released one (the
state it guarded is the parent's snapshot, consistent or not, as with any fork).
"""
from __future__ import annotations

import os
import threading
import weakref


class _ForkSafe:
    __slots__ = ("__weakref__", "_factory", "_lock")

    def __init__(self, factory):
        self._factory = factory
        self._lock = factory()
        _ALL.add(self)

    def _renew(self) -> None:
        self._lock = self._factory()

    def acquire(self, blocking: bool = True, timeout: float = -1) -> bool:
        return self._lock.acquire(blocking, timeout)

    def release(self) -> None:
        self._lock.release()

    def locked(self) -> bool:
        inner = self._lock
        if hasattr(inner, "locked"):
            return inner.locked()
        return repr(inner).startswith("<locked")  # an RLock (3.11 has no RLock.locked; held by anyone)

    def __enter__(self) -> bool:
        return self._lock.acquire()

    def __exit__(self, *exc) -> None:
        self._lock.release()


_ALL: weakref.WeakSet[_ForkSafe] = weakref.WeakSet()


def Lock() -> _ForkSafe:
    return _ForkSafe(threading.Lock)


def RLock() -> _ForkSafe:
    return _ForkSafe(threading.RLock)


def _after_fork_in_child() -> None:
    for lock in list(_ALL):
        lock._renew()


os.register_at_fork(after_in_child=_after_fork_in_child)
