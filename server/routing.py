"""Which database a request reads from (data.db.read_url): the replica, unless the user wrote lately.

A write (`data.db.transaction()`) marks the request's context; after the request the time of the
user's last write goes into the signed session cookie (so it holds on every worker and every
machine behind the load balancer, with no sticky sessions), and every request of theirs starts
from it: for `settings.read_own_writes_s` after a write their reads go to the primary, so a saved
form, an imported file or a posted voucher is there on the next page even when the replica lags.

The session check itself (server.auth.load_session_user: the session row, the user, their
sharing grants) always reads the primary, so a revoked session or a disabled account ends at once
on every worker, whatever the replica's lag; its bookkeeping write (last_seen_at every 30 s) is not
the user's own write and does not send their reads to the primary.
"""
from __future__ import annotations

from flask import Flask, current_app, g, request, session
from flask_login import current_user

from data.db import has_replica, primary_reads, reset_last_write, use_last_write
from data.db import last_write as context_last_write
from server.guard import PUBLIC_PREFIXES

#: the session cookie's entry: time.time() of the user's last committed write
SESSION_KEY = "_wrote"


def init_routing(server: Flask) -> None:
    """The request hooks. Register after server.auth's (its clock hook runs first) and before the
    guard's (which loads the signed-in user)."""

    @server.before_request
    def _reads_follow_writes():
        at = session.get(SESSION_KEY)
        g.wrote_before = at if isinstance(at, int | float) else None
        g.last_write_token = use_last_write(g.wrote_before)
        if not request.path.startswith(PUBLIC_PREFIXES):
            with primary_reads():
                getattr(current_user, "is_authenticated", False)  # loads the session's user from the primary
            use_last_write(g.wrote_before)  # its last_seen_at update is bookkeeping, not the user's write

    @server.after_request
    def _remember_write(resp):
        at = context_last_write()
        if (at is not None and at != g.get("wrote_before") and getattr(current_user, "is_authenticated", False)
                and has_replica(current_app.config["PLATFORM_SETTINGS"].database_url)):  # no replica: nothing to say
            session[SESSION_KEY] = round(at, 3)
        return resp

    @server.teardown_request
    def _end_reads(_exc):
        token = g.pop("last_write_token", None)
        if token is not None:
            try:
                reset_last_write(token)
            except ValueError:  # torn down in another context than it began: nothing to restore there
                pass
