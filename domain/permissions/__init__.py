"""Roles and actions: the one access decision (Art. J8–J10, J16–J17, X30, X51).

`ROLES` names the roles of Art. J8 with the permission kinds of Art. J10 they hold; `ACTIONS` is
the one table of every act the platform allows — which roles may take it, on which resource, and
who may never take it on a given record (separation of duty: nobody approves, posts or verifies
their own work). `may(who, action, resource)` answers; `ensure(...)` enforces, raising
`PermissionDenied` and reporting the refusal to the security log. Pages, callbacks, data modules,
navigation and form visibility all ask these two; no other module compares role names.
Access is denied by default. The actions' names (`Action`) are in domain/actions.py, the
jurisdiction (`Scope`) and the permission kinds (`Perm`) in domain/scope.py; both re-exported here.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from domain.actions import Action as Action  # re-exported: the names beside the decision
from domain.regions import level_of
from domain.scope import PERM_LABELS as PERM_LABELS  # re-exported with the scope's names
from domain.scope import REFUSAL_SINKS, OutOfScope, Perm, PermissionDenied, Refused, Scope, report_refusal, scope_of  # noqa: F401

from .credit import CREDIT_ACTIONS, CREDIT_NOUNS
from .prices import PRICE_ACTIONS
from .roles import EVERYONE as EVERYONE
from .roles import ROLES, Role, at_levels, holders, role_label, role_perms  # noqa: F401
from .rules import COLLECTIVE_ACTIONS, NOUNS as _COLLECTIVE_NOUNS, Rule

#: The one table: every act the platform allows (the collective economy's, forestry credit's, price indexes').
ACTIONS: dict[Action, Rule] = {**COLLECTIVE_ACTIONS, **CREDIT_ACTIONS, **PRICE_ACTIONS}
#: the record a resource kind names in a refusal ("该申请不在您的管辖范围内")
NOUNS = {**_COLLECTIVE_NOUNS, **CREDIT_NOUNS}


@dataclass(frozen=True)
class Actor:
    """Who acts: the signed-in user, their scope and address."""

    user_id: int
    username: str
    scope: Scope
    ip: str | None = None

    @property
    def level(self) -> int:
        return level_of(self.scope.root)


def _field(resource, name: str):
    if isinstance(resource, dict):
        return resource.get(name)
    return getattr(resource, name, None)


def role_may(role: str, action: Action | str) -> bool:
    """The role's part of the decision alone (no resource): the table's answer for the matrix."""
    rule = ACTIONS.get(Action(action))
    return rule is not None and role in rule.roles


def roles_for(action: Action | str, level: int | None = None) -> tuple[str, ...]:
    """The roles that may take `action` (sitting at region `level`, when given), in table order."""
    rule = ACTIONS[Action(action)]
    return tuple(k for k, r in ROLES.items() if k in rule.roles and (level is None or r.level == level))


def refusal(who, action: Action | str, resource=None, *, noun: str | None = None) -> str | None:
    """Why `who` (an Actor or a Scope) may not take `action` on `resource`, in Chinese; None if allowed.
    `resource` is a record (model or dict) with `region_code` and the fields the rule's `not_by` names."""
    action = Action(action)
    rule = ACTIONS[action]
    scope = scope_of(who)
    if scope is None:
        return rule.refusal or f"缺少权限：{rule.label}"
    if resource is not None and scope.user_id is not None:  # nobody takes it on their own work
        for name in rule.not_by:
            done_by = _field(resource, name)
            if scope.user_id == done_by or (isinstance(done_by, (set, frozenset, list, tuple))
                                            and scope.user_id in done_by):
                return rule.own_message or f"不能{rule.label}本人经办的事项"
    if scope.role not in rule.roles:
        return rule.refusal or f"缺少权限：{rule.label}"
    if resource is not None:
        region = _field(resource, "region_code")
        if region is None or not scope.contains(int(region)):
            return f"{noun or NOUNS.get(rule.resource or '', '该记录')}不在您的管辖范围内"
    return None


def may(who, action: Action | str, resource=None) -> bool:
    """The one access decision: may `who` take `action` (on `resource`, when given)?"""
    return refusal(who, action, resource) is None


def ensure(who, action: Action | str, resource=None, *, noun: str | None = None) -> None:
    """Enforce the decision: raise `PermissionDenied` (an out-of-scope resource: `OutOfScope`) with
    the reason in Chinese; raising it reports the refusal to the security log."""
    action = Action(action)
    reason = refusal(who, action, resource, noun=noun)
    if reason is None:
        return
    scope = scope_of(who)
    in_role = scope is not None and scope.role in ACTIONS[action].roles
    raise (OutOfScope if in_role and reason.endswith("不在您的管辖范围内") else PermissionDenied)(reason, action)


def allowed(who, actions: Iterable[Action | str]) -> bool:
    """May `who` take any of `actions` (no resource)? For a page or callback serving several."""
    return any(may(who, a) for a in actions)


def matrix_markdown() -> str:
    """The role × action matrix for the README (generated from ACTIONS; a test keeps it current)."""
    roles = list(ROLES)
    head = "| 动作 | action | " + " | ".join(ROLES[r].label for r in roles) + " |"
    sep = "|---|---|" + "|".join(":-:" for _ in roles) + "|"
    rows = [head, sep]
    for action, rule in ACTIONS.items():
        marks = " | ".join("✓" if r in rule.roles else "" for r in roles)
        extra = f"（不得经办本人：{rule.own_message}）" if rule.not_by else ""
        rows.append(f"| {rule.label}{extra} | `{action.value}` | {marks} |")
    return "\n".join(rows)

