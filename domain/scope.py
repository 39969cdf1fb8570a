"""Jurisdiction and permission kinds: `Perm` (the permission kinds of Art. J10), `Scope` (what a
caller may see: a region subtree plus approved shares, and the permissions held) and the two
refusals. The access decision itself, by role and action, is domain/permissions.py (which
re-exports these names)."""
from __future__ import annotations

from collections.abc import Callable
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
    # the forestry side (Jiangxi's rules, Art. X9, X13, X33, X39–X40, X43, X48)
    CREDIT_COLLECT = "credit_collect"  # 采集、录入、导入 (forestry departments: 谁产生、谁采集)
    CREDIT_MANAGE = "credit_manage"  # 数据管理单位：审核、答复、修正、传输审批
    CREDIT_STATS = "credit_stats"  # 信用统计分析、档案、联合惩戒名单
    LAW_ENFORCEMENT = "enforcement_inspection"  # 执法检查
    SHARED_DATA = "shared_data"  # 其他公共管理和服务机构：共享数据
    CREDIT_SELF = "credit_self"  # 信用主体：本人信用、授权、申请
    # any signed-in user: own profile, password change
    SIGNED_IN = "signed_in"


PERM_LABELS = {
    Perm.PLATFORM_MAINTENANCE: "平台维护", Perm.BUSINESS_GUIDANCE: "业务指导", Perm.STATISTICAL_ANALYSIS: "统计分析",
    Perm.SUPERVISION_WARNING: "监督预警", Perm.BUSINESS_HANDLING: "业务办理", Perm.REVIEW_APPROVAL: "审核（批）",
    Perm.DATA_ENTRY: "数据录入", Perm.CREDIT_PORTRAIT: "信用画像查询", Perm.SELF_SERVICE: "本人权益查询",
    Perm.CREDIT_COLLECT: "信用数据采集", Perm.CREDIT_MANAGE: "信用数据管理", Perm.CREDIT_STATS: "信用统计分析",
    Perm.LAW_ENFORCEMENT: "执法检查", Perm.SHARED_DATA: "共享数据使用", Perm.CREDIT_SELF: "本人信用查询",
    Perm.SIGNED_IN: "登录用户",
}


#: where refusals are reported (the app registers the security log); each gets (scope, action, reason)
REFUSAL_SINKS: list[Callable] = []


def scope_of(who):
    """The Scope of `who`: an Actor (anything with a `scope`) or a Scope itself (or None)."""
    return getattr(who, "scope", who)


def report_refusal(who, action, reason: str) -> bool:
    """Hand a refusal to the sinks (the security log). True if one recorded it."""
    scope = scope_of(who)
    recorded = False
    for sink in REFUSAL_SINKS:
        recorded = bool(sink(scope, action, reason)) or recorded
    return recorded


class PermissionDenied(PermissionError):
    """A refusal (in Chinese). Raising one reports it to the security log (`REFUSAL_SINKS`), so
    every refusal anywhere is recorded exactly once: `logged` says whether a sink took it."""

    def __init__(self, message: str = "", action=None, *, report: bool = True):
        super().__init__(message)
        self.action = action
        self.logged = report_refusal(None, action, message) if report else False


class OutOfScope(PermissionDenied):
    """A request for data outside the caller's jurisdiction: refused, never silently widened."""


class Refused(PermissionDenied):
    """A refusal the refusing code has already written to the security log itself."""

    def __init__(self, message: str, action=None):
        super().__init__(message, action, report=False)
        self.logged = True


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
