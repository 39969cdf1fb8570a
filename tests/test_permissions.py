"""The one access decision: the action table, may/refusal/ensure, separation of duty, and the
README's role × action matrix generated from it."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from domain.permissions import (ACTIONS, REFUSAL_SINKS, ROLES, Action, Actor, OutOfScope, PermissionDenied, Refused,
                                Scope, ensure, matrix_markdown, may, refusal, role_may, role_perms, roles_for)

README = Path(__file__).resolve().parent.parent / "README.md"
VILLAGE, OTHER_VILLAGE = 220122001001, 220122001002
TOWNSHIP = 220122001000


def scope(role: str, root: int = VILLAGE, user_id: int = 7) -> Scope:
    return Scope(root=root, perms=role_perms(role), user_id=user_id, role=role)


def test_perm001_readme_matrix_is_generated_from_the_table():
    text = README.read_text(encoding="utf-8")
    block = re.search(r"<!-- actions:begin -->\n(.*?)\n<!-- actions:end -->", text, re.S)
    assert block, "README lacks the generated role × action matrix"
    assert block.group(1) == matrix_markdown(), "README matrix is stale: run python -m domain.permissions"


def test_perm002_every_action_names_known_roles_and_a_chinese_label():
    for action, rule in ACTIONS.items():
        assert rule.roles <= set(ROLES), action
        assert rule.label and not rule.label.isascii(), action
    assert set(ACTIONS) == set(Action)


def test_perm003_role_decision_follows_the_table():
    assert may(scope("village_cashier"), Action.FUNDS_REQUEST_CREATE)
    assert not may(scope("village_secretary"), Action.FUNDS_REQUEST_CREATE)
    # the table, not a role list elsewhere, decides: the agricultural lead posts like the accountant
    assert may(scope("township_agri_lead", TOWNSHIP), Action.VOUCHER_POST)
    assert may(scope("township_accountant", TOWNSHIP), Action.VOUCHER_POST)
    assert not may(scope("township_head", TOWNSHIP), Action.VOUCHER_POST)
    assert not may(Scope(root=VILLAGE, perms=role_perms("village_cashier")), Action.FUNDS_REQUEST_CREATE)  # no role
    assert not may(None, Action.HOME_VIEW)


def test_perm004_resource_outside_the_scope_is_refused_with_its_noun():
    who = scope("village_secretary")
    inside, outside = {"region_code": VILLAGE, "requested_by_id": 1}, {"region_code": OTHER_VILLAGE}
    assert may(who, Action.FUNDS_REQUEST_APPROVE_SECRETARY, inside)
    assert refusal(who, Action.FUNDS_REQUEST_APPROVE_SECRETARY, outside) == "该申请不在您的管辖范围内"
    assert refusal(who, Action.ASSET_DISPOSE, {"region_code": OTHER_VILLAGE}, noun="该资产卡片") == \
        "该资产卡片不在您的管辖范围内"
    with pytest.raises(OutOfScope):
        ensure(who, Action.FUNDS_REQUEST_APPROVE_SECRETARY, outside)


@pytest.mark.parametrize("action", [a for a, r in ACTIONS.items() if r.not_by])
def test_perm005_nobody_takes_an_action_on_their_own_work(action):
    rule = ACTIONS[action]
    role = next(iter(sorted(rule.roles)))
    who = scope(role, root=22 * 10**10 if ROLES[role].level == 1 else VILLAGE, user_id=42)
    own = {"region_code": who.root, **dict.fromkeys(rule.not_by, 42)}
    other = {"region_code": who.root, **dict.fromkeys(rule.not_by, 43)}
    assert refusal(who, action, own) == rule.own_message
    assert refusal(who, action, other) is None
    if "handled_by" in rule.not_by:  # a set of every handler
        assert refusal(who, action, {"region_code": who.root, "handled_by": frozenset({1, 42})}) == rule.own_message


def test_perm006_ensure_raises_in_chinese_and_reports_the_refusal_once():
    seen = []
    REFUSAL_SINKS.append(lambda s, a, reason: seen.append((a, reason)) or True)
    try:
        with pytest.raises(PermissionDenied) as exc:
            ensure(scope("village_supervisor"), Action.MEETING_RECORD)
        assert str(exc.value) == "缺少权限：登记会议及决议" and exc.value.logged
        assert seen == [(Action.MEETING_RECORD, "缺少权限：登记会议及决议")]
        ensure(scope("village_secretary"), Action.MEETING_RECORD)  # allowed: nothing raised, nothing reported
        assert len(seen) == 1
        with pytest.raises(Refused):
            raise Refused("已由调用方记录", Action.ACCOUNT_APPROVE)
        assert len(seen) == 1  # a refusal its code logged itself is not reported again
    finally:
        REFUSAL_SINKS.pop()


def test_perm007_actor_and_scope_are_both_accepted():
    s = scope("village_cashier")
    assert may(Actor(user_id=7, username="x", scope=s), Action.FUNDS_REQUEST_CREATE) == may(s, Action.FUNDS_REQUEST_CREATE)
    assert role_may("village_cashier", Action.FUNDS_REQUEST_CREATE)
    assert roles_for(Action.WARNING_VERIFY, 3) == ("county_admin",)
