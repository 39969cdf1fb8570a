"""A register declared once: the fields each step takes, the states in their order, and the
checks on what a person typed (Chinese refusals by field; nothing is written on a refusal).

An entry is created by the register's `create` step and then moves only along its `steps`: a step
applies from the states it names (`from_states`), so a step out of order is refused. A step that
`asks` an approval records who asked (`pending_by_id`); the step that `approves` it may not be
taken by that person (the action's `not_by`, domain.permissions).
"""
from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass, field

from domain.permissions import Action
from domain.text import put_text

_MAC = re.compile(r"^[0-9A-Fa-f]{2}([:-]?)[0-9A-Fa-f]{2}(?:\1[0-9A-Fa-f]{2}){4}$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}")


@dataclass(frozen=True)
class Input:
    """One value a step takes. kind: text | textarea | date | select | mac."""

    name: str
    label: str
    kind: str = "text"
    max_length: int = 100
    options: tuple[tuple[str, str], ...] = ()
    required: bool = True
    placeholder: str | None = None


@dataclass(frozen=True)
class Step:
    key: str
    label: str  # the verb on the button: 响应处置, 逐级上报 …
    action: Action
    from_states: tuple[str, ...]
    to_state: str
    inputs: tuple[Input, ...] = ()
    asks: bool = False  # records who asked: the approval that follows is not theirs
    approves: bool = False


@dataclass(frozen=True)
class Register:
    key: str
    title: str  # 数据安全事件台账
    noun: str  # 该安全事件 (refusals)
    states: dict[str, str]
    create: Step
    steps: tuple[Step, ...]
    title_field: str
    columns: tuple[tuple[str, str], ...] = ()  # (field, header) shown in the grid beside the state
    #: extra checks: (step, values, entry fields or None, entry state) -> {field: message}
    check: Callable | None = field(default=None, compare=False)

    def step(self, key: str) -> Step:
        if key == self.create.key:
            return self.create
        return next(s for s in self.steps if s.key == key)

    def all_steps(self) -> tuple[Step, ...]:
        return (self.create, *self.steps)

    def next_steps(self, state: str) -> list[Step]:
        return [s for s in self.steps if state in s.from_states]

    def state_label(self, state: str) -> str:
        return self.states.get(state, state)

    def order_problem(self, step: Step, state: str) -> str | None:
        """Why `step` may not be taken from `state` (out of order), or None."""
        if state in step.from_states:
            return None
        if not self.next_steps(state):
            return f"{self.noun}（{self.state_label(state)}）已办结，不能再{step.label}"
        allowed = "、".join(f"“{self.state_label(s)}”" for s in step.from_states)
        return f"当前状态为“{self.state_label(state)}”，只有{allowed}的记录才能{step.label}"


def normalise_mac(text: str) -> str | None:
    """AA:BB:CC:DD:EE:FF from 'aa-bb-cc-dd-ee-ff', 'aabb.ccdd.eeff' is refused; None when not a MAC."""
    text = text.strip()
    if not _MAC.match(text):
        return None
    digits = re.sub(r"[:-]", "", text).upper()
    if digits in ("000000000000", "FFFFFFFFFFFF"):
        return None
    return ":".join(digits[i:i + 2] for i in range(0, 12, 2))


def read_values(step: Step, raw: dict, today: dt.date) -> tuple[dict, dict[str, str]]:
    """The step's values from the form (trimmed, dates as ISO text, a MAC normalised), and the
    refusals by field."""
    errors: dict[str, str] = {}
    values: dict = {}
    for inp in step.inputs:
        v = raw.get(inp.name)
        if inp.kind in ("text", "textarea"):
            values[inp.name] = put_text(errors, inp.name, v, inp.label, inp.max_length, required=inp.required)
        elif inp.kind == "date":
            text = str(v or "").strip()[:10]
            day = None
            if _DATE.match(text):
                try:
                    day = dt.date.fromisoformat(text)
                except ValueError:
                    day = None
            if day is None:
                if text or inp.required:
                    errors[inp.name] = f"请填写{inp.label}（格式 2026-12-01）"
            elif day > today:
                errors[inp.name] = f"{inp.label}不能晚于今天"
            elif day.year < 2000:
                errors[inp.name] = f"{inp.label}不早于 2000 年"
            values[inp.name] = day.isoformat() if day else None
        elif inp.kind == "select":
            allowed = dict(inp.options)
            if v in (None, ""):
                if inp.required:
                    errors[inp.name] = f"请选择{inp.label}"
            elif str(v) not in allowed:
                errors[inp.name] = f"{inp.label}不在可选范围内"
            values[inp.name] = str(v) if v not in (None, "") else None
        elif inp.kind == "mac":
            text = str(v or "").strip()
            mac = normalise_mac(text) if text else None
            if not text:
                errors[inp.name] = f"请填写{inp.label}"
            elif mac is None:
                errors[inp.name] = f"{inp.label}格式应为 6 组两位十六进制数，例如 3C:52:82:1A:7F:09"
            values[inp.name] = mac or text[:17]
    return values, errors


def option_label(step: Step, name: str, value) -> str:
    inp = next((i for i in step.inputs if i.name == name), None)
    return dict(inp.options).get(value, value) if inp and inp.options else value
