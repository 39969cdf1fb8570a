"""data/forksafe.py: a lock another thread holds at the moment of a fork is free in the child."""
from __future__ import annotations

import os
import threading

import pytest

from data import forksafe


def _child_can_take(lock) -> bool:
    """Fork while another thread holds `lock`; whether the child takes it within two seconds."""
    held, release = threading.Event(), threading.Event()

    def holder():
        with lock:
            held.set()
            release.wait(10)

    t = threading.Thread(target=holder, daemon=True)
    t.start()
    held.wait(5)
    pid = os.fork()
    if pid == 0:  # the child: only this thread, and the lock as the fork found it
        os._exit(0 if lock.acquire(timeout=2) else 1)
    _, status = os.waitpid(pid, 0)
    release.set()
    t.join(5)
    return os.waitstatus_to_exitcode(status) == 0


@pytest.mark.parametrize("make", [forksafe.Lock, forksafe.RLock])
def test_forksafe001_a_lock_held_by_another_thread_is_free_in_the_child(make):
    lock = make()
    assert _child_can_take(lock)
    assert lock.acquire(blocking=False)  # and in the parent it works as a lock: released by its holder
    assert lock.locked()
    lock.release()
    assert not lock.locked()


def test_forksafe002_a_plain_lock_stays_held_in_the_child():
    """What forksafe prevents (so the test above can fail)."""
    assert not _child_can_take(threading.Lock())


def test_forksafe003_the_app_s_long_lived_locks_are_forksafe():
    from data.admin import audit_log
    from data.jobs import runner
    from data.runtime import shared

    for lock in (audit_log._HEAD_LOCK, audit_log._LOCK, runner._LOCAL_LOCK, shared._LOCK):
        assert isinstance(lock, forksafe._ForkSafe)
