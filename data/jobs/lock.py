"""One job process at a time, across machines: `held(url, name, ttl_s)`.

- A lease in `job_locks`: taken by an atomic compare-and-set (UPDATE … WHERE name = :n AND
  (holder = me OR the lease expired); the first taker INSERTs the row, a concurrent first taker
  loses on the primary key), renewed every ttl/3 by a thread while held, released on leaving. A
  holder that dies without releasing loses the lease when it expires (`ttl_s`).
- On PostgreSQL also `pg_try_advisory_lock` on a connection of its own held for the whole block:
  the server drops it the moment that session ends (a killed process, a lost machine), so even an
  expired-but-still-running holder cannot overlap with a new one.

    with held(url, "jobs", 60) as lease:
        if lease:            # False: another process holds it; do nothing this round
            ...
"""
from __future__ import annotations

import contextlib
import datetime as dt
import logging
import os
import socket
import threading
import zlib
from collections.abc import Iterator

from sqlalchemy import insert, text, update
from sqlalchemy.exc import IntegrityError

from data.db import engine_for, transaction
from data.models import JobLock, utcnow

log = logging.getLogger(__name__)


def me() -> str:
    """This process's name as a holder: host:pid (a thread of it shares the name)."""
    return f"{socket.gethostname()}:{os.getpid()}"


class Lease:
    def __init__(self, acquired: bool, holder: str):
        self.acquired = acquired
        self.holder = holder
        self.lost = False  # a renewal found the lease taken by someone else

    def __bool__(self) -> bool:
        return self.acquired and not self.lost


def _take(url: str, name: str, holder: str, ttl_s: float) -> bool:
    now = utcnow()
    until = now + dt.timedelta(seconds=ttl_s)
    t = JobLock.__table__
    try:
        with transaction(url) as s:
            got = s.execute(update(t).where(t.c.name == name, (t.c.holder == holder) | t.c.holder.is_(None)
                                            | t.c.expires_at.is_(None) | (t.c.expires_at < now))
                            .values(holder=holder, expires_at=until)).rowcount
            if got:
                return True
            if s.get(JobLock, name) is not None:
                return False
            s.execute(insert(t).values(name=name, holder=holder, expires_at=until))
            return True
    except IntegrityError:  # another process inserted the row first
        return False


def _release(url: str, name: str, holder: str) -> None:
    t = JobLock.__table__
    with transaction(url) as s:
        s.execute(update(t).where(t.c.name == name, t.c.holder == holder).values(holder=None, expires_at=None))


def holder_of(url: str, name: str) -> dict | None:
    from data.db import reading

    with reading(url) as s:
        row = s.get(JobLock, name)
        if row is None or row.holder is None or row.expires_at is None or row.expires_at < utcnow():
            return None
        return {"holder": row.holder, "expires_at": row.expires_at}


@contextlib.contextmanager
def held(url: str, name: str, ttl_s: float = 60.0, holder: str | None = None) -> Iterator[Lease]:
    """The lease `name` for the block (see the module's docstring); yields a Lease that is falsy
    when another holder has it."""
    holder = holder or f"{me()}:{threading.get_ident()}"
    pg_conn = None
    if not url.startswith("sqlite"):
        pg_conn = engine_for(url).connect()
        key = zlib.crc32(f"job_lock:{name}".encode())
        if not pg_conn.execute(text("SELECT pg_try_advisory_lock(:k)"), {"k": key}).scalar():
            pg_conn.rollback()
            pg_conn.close()
            yield Lease(False, holder)
            return
        pg_conn.commit()  # the advisory lock is the session's, not the transaction's
    try:
        if not _take(url, name, holder, ttl_s):
            yield Lease(False, holder)
            return
        lease = Lease(True, holder)
        stop = threading.Event()

        def renew():
            while not stop.wait(max(0.5, ttl_s / 3)):
                try:
                    if not _take(url, name, holder, ttl_s):
                        lease.lost = True
                        log.error("job lock %s was taken over while held by %s", name, holder)
                        return
                except Exception:  # the database is away for a moment: try again next round
                    log.exception("renewing job lock %s failed", name)

        thread = threading.Thread(target=renew, name=f"lease-{name}", daemon=True)
        thread.start()
        try:
            yield lease
        finally:
            stop.set()
            thread.join(timeout=5)
            try:
                _release(url, name, holder)
            except Exception:
                log.exception("releasing job lock %s failed (it expires in %s s)", name, ttl_s)
    finally:
        if pg_conn is not None:
            try:
                pg_conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": key})
                pg_conn.commit()
            finally:
                pg_conn.close()
