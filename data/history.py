"""Record history: every insert, change and deletion of a business record (a `Record` subclass)
is written to `record_changes` in the same transaction — which fields changed, from what to what,
by whom. Nothing has to remember to call it: one SQLAlchemy `after_flush` listener sees every
unit of work.

Who acted comes from the transaction (`transaction(url, actor=...)` puts it in `session.info`) or,
failing that, from the signed-in user of the callback being served (`acting_as`, set by the
callback wrapper in server/callbacks.py).
"""
from __future__ import annotations

import contextlib
import contextvars
import datetime as dt
from decimal import Decimal

from sqlalchemy import event, insert, inspect, select
from sqlalchemy.orm import Session

from data.models import RecordChange, utcnow
from data.models.base import Record
from domain import privacy

#: never copied into the history: secrets and bookkeeping columns
SKIP_FIELDS = frozenset({"password_hash", "totp_secret", "created_at", "updated_at", "version", "content"})
#: the user acting in this context: (user_id, username)
_ACTING: contextvars.ContextVar[tuple[int | None, str | None] | None] = contextvars.ContextVar("acting", default=None)


@contextlib.contextmanager
def acting_as(user_id: int | None, username: str | None):
    token = _ACTING.set((user_id, username))
    try:
        yield
    finally:
        _ACTING.reset(token)


def _text(value) -> str | None:
    if value is None:
        return None
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, bool):
        return "是" if value else "否"
    return str(value)


def _who(session: Session) -> tuple[int | None, str | None]:
    actor = session.info.get("actor")
    if actor is not None:
        return actor.user_id, actor.username
    return _ACTING.get() or (None, None)


def _changes(obj, action: str) -> dict[str, list]:
    state = inspect(obj)
    out = {}
    for attr in state.mapper.column_attrs:
        key = attr.key
        if key in SKIP_FIELDS:
            continue
        hist = state.attrs[key].history
        if action == "insert":
            value = getattr(obj, key)
            if value is not None:
                out[key] = [None, _text(value)]
        elif action == "delete":
            out[key] = [_text(getattr(obj, key)), None]
        elif hist.has_changes():
            old = hist.deleted[0] if hist.deleted else None
            new = hist.added[0] if hist.added else None
            if _text(old) != _text(new):
                out[key] = [_text(old), _text(new)]
    return out


@event.listens_for(Session, "after_flush")
def _record_history(session: Session, _flush_context) -> None:
    rows = []
    by_id, by_name = None, None
    for action, objs in (("insert", session.new), ("update", session.dirty), ("delete", session.deleted)):
        for obj in objs:
            if not isinstance(obj, Record):
                continue
            if action == "update" and not session.is_modified(obj, include_collections=False):
                continue
            changes = _changes(obj, action)
            if not changes:
                continue
            if by_id is None and by_name is None:
                by_id, by_name = _who(session)
            rows.append(dict(table_name=obj.__tablename__, record_id=obj.id, version=getattr(obj, "version", None),
                             action=action, by_id=by_id, by_name=by_name, at=utcnow(),
                             region_code=getattr(obj, "region_code", None), changes=changes))
    if rows:
        session.connection().execute(insert(RecordChange.__table__), rows)


#: table -> the record kind whose handlers and reviewers see its personal fields (domain.privacy)
KIND_OF_TABLE = {"payment_requests": "payment_request", "contracts": "contract", "bids": "bid",
                 "resources": "resource", "assets": "asset", "meetings": "meeting", "resolutions": "meeting"}


def _redacted(changes: list[dict], purpose) -> list[dict]:
    """`changes` (newest first) with each counterparty's name and ID as `purpose` shows them; the
    ID type in force at each version is followed from the oldest change on."""
    id_types: dict[str, str | None] = {}
    for c in reversed(changes):
        before = dict(id_types)
        for _name, _id, type_key in privacy.PARTIES:
            if type_key and type_key in c["changes"]:
                id_types[type_key] = c["changes"][type_key][1]
        redacted = {}
        for field, (old, new) in c["changes"].items():
            old_row = privacy.redact({**before, field: old}, purpose)
            new_row = privacy.redact({**id_types, field: new}, purpose)
            redacted[field] = [old_row[field], new_row[field]]
        c["changes"] = redacted
    return changes


def people_named(session, user_ids) -> dict[int, str]:
    """user id -> how people know that user: display name (username), for history columns."""
    from data.models import User

    if not user_ids:
        return {}
    rows = session.execute(select(User.id, User.display_name, User.username).where(User.id.in_(user_ids))).all()
    return {uid: f"{name}（{login}）" if name and name != login else login for uid, name, login in rows}


def history(url: str, scope, table: str, record_id: int, limit: int = 500) -> list[dict]:
    """The changes of one record, newest first. The record must lie in the caller's scope (the
    region it carries, or its organisation's); records without a region are refused. Personal
    fields come as the caller's relation to the record allows (domain.privacy.relation)."""
    from data.db import reading
    from data.models import CollectiveOrg
    from domain.permissions import PermissionDenied

    with reading(url) as s:
        changes = s.scalars(select(RecordChange).where(RecordChange.table_name == table,
                                                       RecordChange.record_id == int(record_id))
                            .order_by(RecordChange.id.desc()).limit(limit)).all()
        if not changes:
            return []
        region = next((c.region_code for c in changes if c.region_code is not None), None)
        if region is None:
            org_id = next((c.changes.get("org_id", [None, None])[1] for c in reversed(changes)), None)
            org = s.get(CollectiveOrg, int(org_id)) if org_id else None
            region = org.region_code if org else None
        if region is None or not scope.contains(region):
            raise PermissionDenied("该记录不在您的管辖范围内")
        names = people_named(s, {c.by_id for c in changes if c.by_id})
        rows = [{"at": c.at, "by": names.get(c.by_id) or c.by_name or "系统", "action": c.action,
                 "version": c.version, "changes": dict(c.changes)} for c in changes]
    return _redacted(rows, privacy.relation(scope, KIND_OF_TABLE.get(table, "")))

