"""Roles, permissions and jurisdiction scope (Art. J8–J10, J16–J17, X30, X51).

One table (ROLE_PERMISSIONS) says which role holds which permission. Pages and callbacks
ask for permissions, never for role names. Access is denied by default.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from domain.regions import level_of, subtree_bounds


class Perm(StrEnum):
    # administrators (Art. J10)
    PLATFORM_MAINTENANCE = "platform_maintenance"
    BUSINESS_GUIDANCE = "business_guidance"
    STATISTICAL_ANALYSIS = "statistical_analysis"
    SUPERVISION_WARNING = "supervision_warning"
    # operators (Art. J10)
    BUSINESS_HANDLING = "business_handling"
    REVIEW_APPROVAL = "review_approval"
    DATA_ENTRY = "data_entry"
    # outside users (design card, Art. X30, J19)
    CREDIT_PORTRAIT = "credit_portrait"
    SELF_SERVICE = "self_service"
    # any signed-in user: own profile, password change
    SIGNED_IN = "signed_in"


PERM_LABELS = {
    Perm.PLATFORM_MAINTENANCE: "平台维护", Perm.BUSINESS_GUIDANCE: "业务指导", Perm.STATISTICAL_ANALYSIS: "统计分析",
    Perm.SUPERVISION_WARNING: "监督预警", Perm.BUSINESS_HANDLING: "业务办理", Perm.REVIEW_APPROVAL: "审核（批）",
    Perm.DATA_ENTRY: "数据录入", Perm.CREDIT_PORTRAIT: "信用画像查询", Perm.SELF_SERVICE: "本人权益查询",
    Perm.SIGNED_IN: "登录用户",
}


@dataclass(frozen=True)
class Role:
    key: str
    label: str
    kind: str  # admin | operator | leader | institution | member
    level: int  # region level the role sits at (1 province … 5 village)
    perms: frozenset[Perm]


_A = Perm
ADMIN_ALL = frozenset({_A.PLATFORM_MAINTENANCE, _A.BUSINESS_GUIDANCE, _A.STATISTICAL_ANALYSIS, _A.SUPERVISION_WARNING})
OPERATOR_ALL = frozenset({_A.BUSINESS_HANDLING, _A.REVIEW_APPROVAL, _A.DATA_ENTRY, _A.STATISTICAL_ANALYSIS})

#: The one table: role -> permissions. Art. J8 names the roles, Art. J10 the permission kinds.
ROLES: dict[str, Role] = {r.key: r for r in [
    Role("province_leader", "省级领导（驾驶舱）", "leader", 1, frozenset({_A.STATISTICAL_ANALYSIS})),
    Role("province_admin", "省级平台管理员", "admin", 1, ADMIN_ALL),
    Role("city_admin", "市级平台管理员", "admin", 2, ADMIN_ALL),
    Role("county_admin", "县级组织管理员", "admin", 3, ADMIN_ALL),
    # Oversight departments (纪委监委、组织、社工、财政、审计) only with provincial approval (Art. J9):
    Role("oversight_admin", "监督部门管理员", "admin", 1, frozenset({_A.STATISTICAL_ANALYSIS, _A.SUPERVISION_WARNING})),
    Role("township_head", "乡镇主要领导", "operator", 4, frozenset({_A.REVIEW_APPROVAL, _A.STATISTICAL_ANALYSIS})),
    Role("township_deputy", "乡镇分管领导", "operator", 4, frozenset({_A.REVIEW_APPROVAL, _A.STATISTICAL_ANALYSIS})),
    Role("township_agri_lead", "乡镇农经工作负责人", "operator", 4, OPERATOR_ALL),
    Role("township_agri_staff", "乡镇农经人员", "operator", 4,
         frozenset({_A.BUSINESS_HANDLING, _A.DATA_ENTRY, _A.STATISTICAL_ANALYSIS})),
    Role("township_accountant", "乡镇代理会计", "operator", 4, OPERATOR_ALL),
    Role("village_secretary", "村书记（理事长）", "operator", 5,
         frozenset({_A.REVIEW_APPROVAL, _A.BUSINESS_HANDLING, _A.STATISTICAL_ANALYSIS})),
    Role("village_supervisor", "村集体监事长", "operator", 5, frozenset({_A.REVIEW_APPROVAL, _A.STATISTICAL_ANALYSIS})),
    Role("village_cashier", "村报账员（出纳）", "operator", 5, frozenset({_A.BUSINESS_HANDLING, _A.DATA_ENTRY})),
    Role("bank_user", "金融机构用户", "institution", 1, frozenset({_A.CREDIT_PORTRAIT})),
    Role("member", "集体经济组织成员", "member", 5, frozenset({_A.SELF_SERVICE})),
]}


def role_perms(role: str) -> frozenset[Perm]:
    r = ROLES.get(role)
    return (r.perms | {Perm.SIGNED_IN}) if r else frozenset()


def role_label(role: str) -> str:
    r = ROLES.get(role)
    return r.label if r else role


class OutOfScope(PermissionError):
    """A request for data outside the caller's jurisdiction: refused, never silently widened."""


class PermissionDenied(PermissionError):
    pass


@dataclass(frozen=True)
class Scope:
    """What a caller may see: a region subtree (plus approved shares) and permissions.

    A subtree is a contiguous integer range of 12-digit region codes.
    """

    root: int
    perms: frozenset[Perm] = field(default_factory=frozenset)
    shared: tuple[int, ...] = ()  # extra roots shared with provincial approval (Art. J17)
    user_id: int | None = None
    role: str = ""

    @classmethod
    def for_user(cls, user, shared: tuple[int, ...] = ()) -> Scope:
        return cls(root=int(user.region_code), perms=role_perms(user.role), shared=tuple(shared),
                   user_id=user.id, role=user.role)

    @property
    def roots(self) -> tuple[int, ...]:
        return (self.root, *self.shared)

    @property
    def ranges(self) -> tuple[tuple[int, int], ...]:
        return tuple(subtree_bounds(r) for r in self.roots)

    @property
    def level(self) -> int:
        return level_of(self.root)

    def contains(self, code: int) -> bool:
        code = int(code)
        return any(lo <= code <= hi for lo, hi in self.ranges)

    def require(self, code: int) -> int:
        if not self.contains(code):
            raise OutOfScope(f"区域 {code} 不在您的管辖范围内")
        return int(code)

    def has(self, perm) -> bool:
        """Holds `perm`; given several (a tuple or set), holds any of them."""
        if isinstance(perm, (tuple, list, set, frozenset)):
            return any(Perm(p) in self.perms for p in perm)
        return Perm(perm) in self.perms

    def require_perm(self, perm: Perm | str) -> None:
        if not self.has(perm):
            raise PermissionDenied(f"缺少权限：{PERM_LABELS.get(Perm(perm), perm)}")

    def cache_key(self) -> str:
        """Folded into every cache key, so two scopes never share a cached answer."""
        return f"{'+'.join(map(str, self.roots))}|{','.join(sorted(self.perms))}"
