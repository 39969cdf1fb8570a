"""Confirming a meeting record (会议确认): the second person of a meeting's record. Whoever
recorded a meeting, changed it or its resolutions, or uploaded its files may not confirm it
(`Action.MEETING_CONFIRM`, separation of duty on `recorded_by_id`, here the set of all of them);
the supervisory chair or the township confirms it — its resolutions may then be cited and it no
longer changes — or returns it with a reason to be corrected and confirmed again.
"""
from __future__ import annotations

from sqlalchemy import select

from data.admin.audit_log import log_change
from data.db import reading, transaction
from data.errors import AccountError
from data.meetings import OWNER_TYPES
from data.models import Attachment, Meeting, RecordChange, Resolution, utcnow
from data.scoped import load_for_write
from domain import meetings as rules
from domain.permissions import Action, Actor, ensure, refusal
from domain.text import put_text


#: the fields a confirmation or a return changes (not an edit of the record)
CONFIRMING = {"status", "confirmed_by_id", "confirmed_at", "return_note", "version", "updated_at"}


def _hands(s, m: Meeting) -> set[int]:
    """Everyone who recorded or changed the meeting or its resolutions (a return is no change),
    or uploaded its files: none of them may confirm it."""
    res = list(s.scalars(select(Resolution.id).where(Resolution.meeting_id == m.id)))
    changed = select(RecordChange.by_id, RecordChange.changes).where(
        ((RecordChange.table_name == "meetings") & (RecordChange.record_id == m.id))
        | ((RecordChange.table_name == "resolutions") & RecordChange.record_id.in_(res)))
    uploaded = select(Attachment.uploaded_by_id).where(Attachment.owner_type.in_(list(OWNER_TYPES.values())),
                                                       Attachment.owner_id == m.id)
    edits = {by for by, changes in s.execute(changed) if set(changes or {}) - CONFIRMING}
    people = {m.recorded_by_id, m.collected_by_id, *edits, *s.scalars(uploaded)}
    return {p for p in people if p is not None}


def _file_kinds(s, meeting_id: int) -> set[str]:
    owners = {v: k for k, v in OWNER_TYPES.items()}
    q = select(Attachment.owner_type).where(Attachment.owner_type.in_(list(owners)), Attachment.owner_id == meeting_id)
    return {owners[o] for o in s.scalars(q)}


def confirm(url: str, key: str, actor: Actor, meeting_id, expected_version: int, approve: bool = True,
            note: str | None = None) -> str:
    """Confirm a recorded meeting (its resolutions may then be cited, and it no longer changes) or
    return it to be corrected (`approve=False`, with the reason `note`). Refused to whoever
    recorded or changed it. Returns the new status."""
    ensure(actor, Action.MEETING_CONFIRM)
    errors: dict[str, str] = {}
    note = put_text(errors, "note", note, "退回理由" if not approve else "确认意见", 500, required=not approve) or None
    with transaction(url, actor) as s:
        m = load_for_write(s, Meeting, meeting_id, actor, expected_version, noun="该会议",
                           stale="该会议记录已被他人修改，请刷新后再操作")
        ensure(actor, Action.MEETING_CONFIRM, {"region_code": m.region_code, "recorded_by_id": _hands(s, m)},
               noun="该会议")
        if problem := rules.confirm_problem(m.status, m.kind, _file_kinds(s, m.id), approve=approve):
            raise AccountError({"_": problem})
        if errors:
            raise AccountError(errors)
        if approve:
            m.status, m.confirmed_by_id, m.confirmed_at = "confirmed", actor.user_id, utcnow()
        else:
            m.status, m.return_note = "returned", note
        s.flush()
        log_change(s, key, actor, m.region_code,
             f"{'确认' if approve else '退回'}会议记录 #{m.id}“{m.title}”（{m.kind}，{m.held_on}）"
             + (f"：{note}" if note else ""), meeting_id=m.id, status=m.status)
        return m.status


def confirm_refusal(url: str, actor: Actor, meeting_id) -> str | None:
    """Why `actor` may not confirm (or return) the meeting now, or None: for the page's buttons."""
    with reading(url) as s:
        m = load_for_write(s, Meeting, meeting_id, actor, noun="该会议")
        why = refusal(actor, Action.MEETING_CONFIRM, {"region_code": m.region_code, "recorded_by_id": _hands(s, m)},
                      noun="该会议")
        return why or rules.confirm_problem(m.status, m.kind, _file_kinds(s, m.id), approve=False)
