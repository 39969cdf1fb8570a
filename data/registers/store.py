"""The four security registers in the system of record: create an entry, move it one step along
its register's order, list and export a jurisdiction's entries, and each entry's trail.

Every write is one transaction with its trail step and security-log entry; a refusal (out of
order, bad input, a stale form, not the caller's to take) writes nothing but its log entry.
"""
from __future__ import annotations

import datetime as dt

import polars as pl
from sqlalchemy import select

from data.admin import audit_log
from data.db import reading, transaction
from data.errors import AccountError
from data.models import RegisterEntry, RegisterStep, User, utcnow
from data.regions import load_region_tree
from data.scoped import load_for_write, scoped
from domain.labels import time_text
from domain.permissions import Actor, OutOfScope, ensure
from domain.registers import kinds
from domain.registers.base import Register, Step, option_label, read_values
from domain.regions import level_of, truncate

LIMIT = 2000


def _derived(register: Register, fields: dict, entry: RegisterEntry | None, step: Step, now: dt.datetime) -> None:
    """The grid's readable columns kept beside the typed values."""
    for inp in step.inputs:
        if inp.options and fields.get(inp.name) is not None:
            fields[f"{inp.name}_label"] = option_label(step, inp.name, fields[inp.name])
    if register.key == "access" and step.key == "open":
        fields["opened_at"] = time_text(now)
    if register.key == "access" and step.key == "close":
        fields["closed_at"] = time_text(now)


def _refusal_logged(url, key, actor: Actor, register: Register, what: str, reason: str, entry_id=None) -> None:
    with transaction(url) as s:
        audit_log.record(s, key, actor=actor.username, actor_id=actor.user_id, type="register",
                         description=f"{register.title}：{what}未办理：{reason[:300]}", result="failure",
                         region_code=actor.scope.root, ip=actor.ip, detail={"register": register.key, "entry_id": entry_id})


def _duplicate_device(s, values: dict) -> dict[str, str]:
    errors = {}
    rows = s.scalars(select(RegisterEntry.fields).where(RegisterEntry.kind == "device",
                                                        RegisterEntry.state != "disposed"))
    for f in rows:
        if values.get("serial_no") and f.get("serial_no") == values["serial_no"]:
            errors["serial_no"] = "该编号已登记在用设备"
        if values.get("mac") and f.get("mac") == values["mac"]:
            errors["mac"] = "该 MAC 地址已绑定其他在用设备"
    return errors


def create(url: str, key: str, actor: Actor, kind: str, raw: dict, today: dt.date) -> int:
    """A new entry of register `kind` in the actor's own region, from the create step's values."""
    register = kinds.REGISTERS[kind]
    step = register.create
    ensure(actor, step.action)
    values, errors = read_values(step, raw, today)
    try:
        with transaction(url, actor) as s:
            if kind == "device" and not errors:
                errors.update(_duplicate_device(s, values))
            if errors:
                raise AccountError(errors)
            now = utcnow()
            fields = dict(values)
            _derived(register, fields, None, step, now)
            region = int(actor.scope.root)
            level = level_of(region) if kind == "incident" else None
            if level is not None:
                fields["level_label"] = kinds.level_label(level)
            entry = RegisterEntry(kind=kind, region_code=region, state=step.to_state,
                                  title=str(values.get(register.title_field) or "")[:200], level=level, fields=fields,
                                  pending_by_id=actor.user_id if step.asks else None, collected_by_id=actor.user_id,
                                  provided_by=actor.username, responsible_by=actor.username)
            s.add(entry)
            s.flush()
            s.add(RegisterStep(entry_id=entry.id, step=step.key, from_state=None, to_state=step.to_state, values=values,
                               by_id=actor.user_id, by_name=actor.username, at=now))
            audit_log.record(s, key, actor=actor.username, actor_id=actor.user_id, type="register",
                             description=f"{register.title}：{step.label} #{entry.id} {entry.title[:80]}",
                             result="success", region_code=region, ip=actor.ip,
                             detail={"register": kind, "entry_id": entry.id, "step": step.key})
            return entry.id
    except AccountError as exc:
        _refusal_logged(url, key, actor, register, step.label, str(exc))
        raise


def advance(url: str, key: str, actor: Actor, kind: str, entry_id, version, step_key: str, raw: dict,
            today: dt.date) -> str:
    """Take step `step_key` on entry `entry_id` (read at `version`); returns the new state."""
    register = kinds.REGISTERS[kind]
    step = register.step(step_key)
    ensure(actor, step.action)
    values, errors = read_values(step, raw, today)
    try:
        with transaction(url, actor) as s:
            entry = load_for_write(s, RegisterEntry, entry_id, actor, None, noun=register.noun, action=step.action)
            if entry.kind != kind:
                raise OutOfScope(f"{register.noun}不在您的管辖范围内", step.action)
            if version is not None and entry.version != _int(version):
                raise AccountError(f"{register.noun}已被他人修改，请刷新后再操作")
            if problem := register.order_problem(step, entry.state):
                raise AccountError(problem)
            level = entry.level
            if kind == "incident":
                if actor.level > (entry.level or 5):
                    raise AccountError(f"该事件已上报至{kinds.level_label(entry.level)}，须由{kinds.level_label(entry.level)}"
                                       f"或以上单位{step.label}")
                if step.key == "escalate":
                    if problem := kinds.escalation_problem(entry.level):
                        raise AccountError(problem)
                    level = entry.level - 1
            if errors:
                raise AccountError(errors)
            now = utcnow()
            fields = {**entry.fields, **values}
            _derived(register, fields, entry, step, now)
            step_values = dict(values)
            if level != entry.level:
                tree = load_region_tree(int(entry.region_code) // 10**10)
                target = truncate(int(entry.region_code), level)
                step_values["reported_to"] = tree.name(target)
                fields["level_label"] = kinds.level_label(level)
                fields["reported_to"] = tree.name(target)
            if step.approves:
                fields[f"{step.key}_by"] = actor.username
            before = entry.state
            entry.state, entry.level, entry.fields = step.to_state, level, fields
            entry.pending_by_id = actor.user_id if step.asks else None
            s.add(RegisterStep(entry_id=entry.id, step=step.key, from_state=before, to_state=step.to_state,
                               values=step_values, by_id=actor.user_id, by_name=actor.username, at=now))
            audit_log.record(s, key, actor=actor.username, actor_id=actor.user_id, type="register",
                             description=f"{register.title}：{step.label} #{entry.id} {entry.title[:80]}"
                                         f"（{register.state_label(before)}→{register.state_label(step.to_state)}）"
                                         + (f"，上报至{step_values['reported_to']}" if "reported_to" in step_values else ""),
                             result="success", region_code=int(entry.region_code), ip=actor.ip,
                             detail={"register": kind, "entry_id": entry.id, "step": step.key})
            return entry.state
    except AccountError as exc:
        _refusal_logged(url, key, actor, register, step.label, str(exc), _int(entry_id))
        raise


def _int(v):
    try:
        return int(v)
    except (TypeError, ValueError):
        return None


def list_entries(url: str, actor: Actor, kind: str, view_action) -> list[dict]:
    """The register's entries inside the actor's jurisdiction, newest first."""
    ensure(actor, view_action)
    register = kinds.REGISTERS[kind]
    tree = load_region_tree(int(actor.scope.root) // 10**10)
    with reading(url) as s:
        q = scoped(select(RegisterEntry).where(RegisterEntry.kind == kind), RegisterEntry, actor)
        rows = s.scalars(q.order_by(RegisterEntry.id.desc()).limit(LIMIT)).all()
        return [{"id": r.id, "version": r.version, "title": r.title, "state": r.state,
                 "state_label": register.state_label(r.state), "region_code": int(r.region_code),
                 "region_name": tree.name(int(r.region_code)), "created_at": time_text(r.created_at),
                 "recorded_by": r.provided_by or "", "pending_by_id": r.pending_by_id, "level": r.level,
                 **{k: v for k, v in (r.fields or {}).items() if not isinstance(v, (dict, list))}} for r in rows]


def trail(url: str, actor: Actor, kind: str, entry_id, view_action) -> list[dict]:
    """Every step of one entry (in the actor's jurisdiction), oldest first."""
    ensure(actor, view_action)
    register = kinds.REGISTERS[kind]
    with reading(url) as s:
        entry = s.get(RegisterEntry, _int(entry_id)) if _int(entry_id) is not None else None
        if entry is None or entry.kind != kind or not actor.scope.contains(int(entry.region_code)):
            raise OutOfScope(f"{register.noun}不在您的管辖范围内", view_action)
        rows = s.execute(select(RegisterStep, User.display_name).outerjoin(User, User.id == RegisterStep.by_id)
                         .where(RegisterStep.entry_id == entry.id).order_by(RegisterStep.id)).all()
        out = []
        for st, who in rows:
            step = register.step(st.step)
            labels = {i.name: i.label for i in step.inputs} | {"reported_to": "上报至"}
            facts = [(labels.get(k, k), option_label(step, k, v)) for k, v in (st.values or {}).items() if v not in (None, "")]
            out.append({"step": step.label, "to": register.state_label(st.to_state), "at": time_text(st.at),
                        "by": who or st.by_name or "", "facts": facts})
        return out


def export_frame(url: str, actor: Actor, kind: str, view_action) -> tuple[pl.DataFrame, list[tuple[str, str, None]]]:
    """The register as a table for components.export.send_table: every field of every step."""
    register = kinds.REGISTERS[kind]
    rows = list_entries(url, actor, kind, view_action)
    cols = [("id", "编号"), ("region_name", "单位"), ("state_label", "状态")]
    seen = {c for c, _ in cols}
    for step in register.all_steps():
        for inp in step.inputs:
            name = f"{inp.name}_label" if inp.options else inp.name
            if name not in seen:
                cols.append((name, inp.label))
                seen.add(name)
    cols += [(c, h) for c, h in register.columns if c not in seen] + [("recorded_by", "登记人"), ("created_at", "登记时间")]
    frame = pl.DataFrame([{c: (None if r.get(c) is None else str(r.get(c))) for c, _ in cols} for r in rows],
                         schema={c: pl.String for c, _ in cols})
    return frame, [(c, h, None) for c, h in cols]


def log_export(url: str, key: str, actor: Actor, kind: str, rows: int) -> None:
    register = kinds.REGISTERS[kind]
    with transaction(url) as s:
        audit_log.record(s, key, actor=actor.username, actor_id=actor.user_id, type="export",
                         description=f"导出{register.title}（{rows} 条）", result="success",
                         region_code=actor.scope.root, ip=actor.ip, detail={"register": kind, "rows": rows})
