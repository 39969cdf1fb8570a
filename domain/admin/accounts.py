"""Account administration rules (Art. J8–J10): who may manage whom, who authorises a change,
and what a valid account looks like. Plain Python: the storage layer (`data/accounts.py`) and
the pages call these; no Dash, no SQL.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from domain.citations import Cite, citing
from domain.regions import CITY, COUNTY, PROVINCE, TOWNSHIP, VILLAGE, level_of, province_of, truncate
from domain.admin.passwords import password_problems
from domain.permissions import ROLES, Action, Scope, may

USERNAME_RE = re.compile(r"^[a-z][a-z0-9_.-]{2,31}$")


def role_level(role: str) -> int:
    return ROLES[role].level


def approver_for(role: str, region_code: int, requester: Scope | None = None) -> tuple[int, int]:
    """(approver level, approver region) for authorising `role` at `region_code`, asked by `requester`.

    Art. J10 names the unit: city and county users (and every province-level account) are
    authorised by the province, township and village users by their county. The requester never
    decides their own request, so when they are an administrator of that very unit (a county
    administrator asking for a village account) the request goes to the unit directly above it —
    the city, which oversees the county — and is never left waiting for someone who does not come.
    At the province, which has no unit above, another provincial administrator decides."""
    level = role_level(role)
    unit = COUNTY if level in (TOWNSHIP, VILLAGE) else PROVINCE
    region = truncate(region_code, unit)
    if requester is not None and requester.root == region and unit > PROVINCE:
        return unit - 1, truncate(region_code, unit - 1)
    return unit, region


#: the level of the administrators who decide, as the refusal names it
APPROVER_NAMES = {PROVINCE: "省级", CITY: "市级", COUNTY: "县级"}


def approver_name(approver_level: int) -> str:
    return APPROVER_NAMES.get(approver_level, "上级") + "平台管理员"


def may_administer(scope: Scope) -> bool:
    return may(scope, Action.ACCOUNT_REQUEST)


def within_remit(scope: Scope, actor_level: int, role: str, region_code: int) -> bool:
    """An administrator manages accounts inside their own jurisdiction and below their level
    (a province administrator also manages other province-level accounts)."""
    if not may_administer(scope) or role not in ROLES:
        return False
    if not scope.contains(region_code):
        return False
    level = role_level(role)
    return level > actor_level or actor_level == PROVINCE


def may_decide(scope: Scope, actor_id: int, approver_level: int, approver_region: int, requested_by_id: int) -> bool:
    """Only an administrator sitting at the approver's level and region decides, and never on
    a request they made themselves."""
    return (may(scope, Action.ACCOUNT_APPROVE, {"region_code": approver_region, "requested_by_id": requested_by_id})
            and actor_id != requested_by_id and scope.root == approver_region and level_of(scope.root) == approver_level)


@dataclass(frozen=True)
class AccountDraft:
    username: str
    display_name: str
    role: str
    region_code: int
    approval_ref: str | None = None
    institution: str | None = None
    password: str | None = None  # only when creating


def draft_problems(d: AccountDraft, *, creating: bool, region_exists) -> dict[str, str]:
    """Field -> what is wrong (Chinese). `region_exists(code)` says whether the code is a real unit."""
    errors: dict[str, str] = {}
    if not USERNAME_RE.match(d.username or ""):
        errors["username"] = "用户名须为3至32位小写字母、数字或 . _ -，以字母开头"
    if not (d.display_name or "").strip() or len(d.display_name) > 100:
        errors["display_name"] = "请填写姓名（不超过100字）"
    if d.role not in ROLES:
        errors["role"] = "请选择有效的角色"
    if not isinstance(d.region_code, int) or not region_exists(d.region_code):
        errors["region_code"] = "请选择有效的行政区划"
    elif d.role in ROLES:
        want = role_level(d.role)
        if level_of(d.region_code) != want:
            names = {PROVINCE: "省级", CITY: "市级", COUNTY: "县级", TOWNSHIP: "乡镇级", VILLAGE: "村级"}
            errors["region_code"] = f"{ROLES[d.role].label}须设在{names[want]}区划"
    if d.role in ROLES and ROLES[d.role].needs_approval_ref and not (d.approval_ref or "").strip():
        province = province_of(d.region_code) if isinstance(d.region_code, int) else None
        errors["approval_ref"] = citing("监督部门管理员须有省级审批文号", Cite.OVERSIGHT_ACCOUNTS, province)
    if d.role in ROLES and ROLES[d.role].needs_institution and not (d.institution or "").strip():
        errors["institution"] = "请填写所属金融机构"
    if creating:
        problems = password_problems(d.password or "", username=d.username)
        if problems:
            errors["password"] = "；".join(problems)
    return errors
