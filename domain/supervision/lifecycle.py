"""The life of a supervision warning (监督预警处置, Art. J31, J41), in plain Python.

raised → pushed to the responsible region → acknowledged → handled (notes, attachments) →
verified by the level above → closed, or reopened (returned for redo). Deadlines count working
days; an overdue warning that nobody has handled yet goes one level up (village → township →
county → city → province) with a new deadline.

Who may take a step:
- acknowledge, handle: the operators of the assigned region — a user whose jurisdiction root is
  the assigned region itself, or an ancestor of it at township level or below (the township
  accountant or agri-economy staff handle for their villages; a county does not handle a village's
  warning unless it was escalated to the county) — holding business handling or supervision.
- verify, close, reopen: a user whose jurisdiction strictly contains both the assigned region and
  the region of whoever handled it (the level above the handler: a village's own handling is
  verified by its township, the township's by the county), holding review/approval or
  supervision — and never a person who handled the warning.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from domain.regions import PROVINCE, TOWNSHIP, is_in_subtree, level_of, parent_of
from domain import permissions
from domain.permissions import Action, Scope
from domain.supervision.rules import AREA_LABELS, DUE_WORKING_DAYS, RULES, article_text
from domain.supervision.workdays import add_working_days

STATUS_LABELS = {"raised": "已发现", "pushed": "已推送", "acknowledged": "已签收", "handled": "已办理",
                 "verified": "已核实", "closed": "已关闭", "reopened": "已退回重办"}
ACTION_LABELS = {"raise": "发现", "push": "推送", "acknowledge": "签收", "handle": "办理", "verify": "核实",
                 "close": "关闭", "reopen": "退回重办", "escalate": "逾期升级", "escalated": "逾期升级",
                 "resolved": "数据已消除"}

#: the statuses of a warning nobody has handled yet (what 未处理预警 counts and lists)
UNHANDLED = ("raised", "pushed", "acknowledged", "reopened")
#: the same as an SQL list, for the query layer's plain SQL
UNHANDLED_SQL = "(" + ", ".join(f"'{s}'" for s in UNHANDLED) + ")"

#: action -> (statuses it may start from, status afterwards)
TRANSITIONS: dict[str, tuple[frozenset[str], str]] = {
    "acknowledge": (frozenset({"raised", "pushed"}), "acknowledged"),
    "handle": (frozenset({"acknowledged", "reopened"}), "handled"),
    "verify": (frozenset({"handled"}), "verified"),
    "close": (frozenset({"verified"}), "closed"),
    "reopen": (frozenset({"handled", "verified"}), "reopened"),
}
#: the order the actions are offered in
ACTIONS = ("acknowledge", "handle", "verify", "close", "reopen")
#: each step's button, labelled with what it will do (办结 asks for confirmation first)
STEP_BUTTONS = {"acknowledge": "确认签收", "handle": "提交办理结果", "verify": "确认核实", "reopen": "退回重办",
                "close": "办结（关闭预警）…"}
HANDLER_ACTIONS = frozenset({"acknowledge", "handle"})
REVIEW_ACTIONS = frozenset({"verify", "close", "reopen"})
#: lifecycle step -> the action that takes it (who may: domain.permissions)
STEP_ACTIONS = {"acknowledge": Action.WARNING_ACKNOWLEDGE, "handle": Action.WARNING_HANDLE,
                "verify": Action.WARNING_VERIFY, "close": Action.WARNING_CLOSE, "reopen": Action.WARNING_REOPEN}

#: statuses in which the responsible region still owes the handling (the deadline runs)
AWAITING_HANDLING = frozenset({"raised", "pushed", "acknowledged", "reopened"})
OPEN = frozenset(STATUS_LABELS) - {"closed"}
#: the refusal of a warning outside the caller's jurisdiction: not even told whether it exists
NOT_VISIBLE = "该预警不存在或不在您的管辖范围内"
#: minimum length of the note each action needs (0: optional)
NOTE_MIN = {"acknowledge": 0, "handle": 10, "verify": 0, "close": 0, "reopen": 10}


@dataclass(frozen=True)
class WarningState:
    """What the rules need to know about one warning."""

    status: str
    region_code: int
    assigned_region: int
    severity: int = 2
    due_on: dt.date | None = None
    handled_by: frozenset[int] = frozenset()  # every user who ever handled it
    handler_region: int | None = None  # jurisdiction root of the last handler


def due_date(start: dt.date, severity: int) -> dt.date:
    """The deadline of a warning raised (or pushed, escalated, reopened) on `start`."""
    return add_working_days(start, DUE_WORKING_DAYS.get(int(severity), DUE_WORKING_DAYS[2]))


def overdue(warning, today: dt.date) -> bool:
    """Past its deadline while still awaiting handling (`warning`: a dict, model or WarningState)."""
    get = warning.get if isinstance(warning, dict) else lambda k: getattr(warning, k, None)
    due = get("due_on")
    if isinstance(due, str):
        due = dt.date.fromisoformat(due[:10])
    return get("status") in AWAITING_HANDLING and due is not None and today > due


def is_operator(scope: Scope, assigned_region: int) -> bool:
    """The scope's root is the assigned region, or an ancestor of it no higher than a township."""
    root, assigned = int(scope.root), int(assigned_region)
    if root == assigned:
        return True
    return level_of(root) >= TOWNSHIP and is_in_subtree(assigned, root)


def is_above(scope: Scope, region: int) -> bool:
    """The scope's root strictly contains `region`."""
    root = int(scope.root)
    return root != int(region) and level_of(root) < level_of(region) and is_in_subtree(region, root)


def status_problem(action: str, status: str) -> str | None:
    """Why `action` cannot be taken in the warning's present status (Chinese), or None."""
    if action not in TRANSITIONS:
        return "请选择操作"
    if status not in TRANSITIONS[action][0]:
        return f"预警当前为“{STATUS_LABELS.get(status, status)}”，不能{ACTION_LABELS[action]}"
    return None


def actor_problem(action: str, scope: Scope, user_id: int | None, w: WarningState) -> str | None:
    """Why this user may never take `action` on this warning (Chinese), or None."""
    if not scope.contains(w.region_code):
        return NOT_VISIBLE
    if action not in TRANSITIONS:
        return None
    label = ACTION_LABELS[action]
    problem = permissions.refusal(scope, STEP_ACTIONS[action], {"region_code": w.region_code, "handled_by": w.handled_by},
                      noun="该预警")
    if problem:
        return problem
    if action in HANDLER_ACTIONS:
        if not is_operator(scope, w.assigned_region):
            return f"只能由责任单位{label}：该预警现由上级或其他单位负责"
        return None
    if not is_above(scope, w.assigned_region) or (w.handler_region is not None
                                                  and not is_above(scope, w.handler_region)):
        return f"只能由办理单位的上级{label}"
    return None


def refusal(action: str, scope: Scope, user_id: int | None, w: WarningState) -> str | None:
    """Why this user may not take `action` on the warning now (Chinese), or None."""
    return actor_problem(action, scope, user_id, w) or status_problem(action, w.status)


def allowed_actions(scope: Scope, user_id: int | None, w: WarningState) -> list[str]:
    return [a for a in ACTIONS if refusal(a, scope, user_id, w) is None]


def note_problem(action: str, note: str | None) -> str | None:
    need = NOTE_MIN.get(action, 0)
    text = (note or "").strip()
    if need and len(text) < need:
        what = "办理说明（核查经过、整改措施和结果）" if action == "handle" else "退回理由"
        return f"请填写{what}，至少{need}个字"
    if len(text) > 2000:
        return "说明不能超过2000个字"
    return None


def next_status(action: str) -> str:
    return TRANSITIONS[action][1]


def escalation(w: WarningState, today: dt.date) -> tuple[int, dt.date] | None:
    """(the region one level up, the new deadline) for an overdue warning awaiting handling, or
    None when it is not overdue or already at the province."""
    if not overdue(w, today) or level_of(w.assigned_region) <= PROVINCE:
        return None
    return parent_of(w.assigned_region), due_date(today, w.severity)


def rule_info(rule_id: str, province: int | None = None) -> dict:
    """Name, cited article (as the deployment of `province` cites it: `domain.citations`),
    severity and area of a rule; the id itself for a rule no longer listed."""
    r = RULES.get(rule_id)
    if r is None:
        return {"id": rule_id, "name": rule_id, "article": "", "severity": None, "area": "", "description": ""}
    return {"id": r.id, "name": r.name, "article": article_text(r, province), "severity": r.severity,
            "area": AREA_LABELS.get(r.area, r.area), "description": r.description}
