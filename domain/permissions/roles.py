"""The roles (Art. J8 for the collective economy, Art. X9, X30, X40, X51 for forestry credit) with
the permission kinds (Art. J10) they hold, and the named groups of roles the rules use. Part of
the one access decision (domain.permissions, which re-exports every name here)."""
from __future__ import annotations

from dataclasses import dataclass

from domain.scope import Perm


@dataclass(frozen=True)
class Role:
    key: str
    label: str
    kind: str  # admin | operator | leader | institution | member | forestry | subject
    level: int  # region level the role sits at (1 province … 5 village)
    perms: frozenset[Perm]
    needs_approval_ref: bool = False  # an account needs a provincial approval reference (Art. J9)
    needs_institution: bool = False  # an account names its institution (banks)


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
    Role("oversight_admin", "监督部门管理员", "admin", 1, frozenset({_A.STATISTICAL_ANALYSIS, _A.SUPERVISION_WARNING}),
         needs_approval_ref=True),
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
    Role("bank_user", "金融机构用户", "institution", 1, frozenset({_A.CREDIT_PORTRAIT}), needs_institution=True),
    Role("member", "集体经济组织成员", "member", 5, frozenset({_A.SELF_SERVICE})),
    # the forestry side (Art. X9: the provincial bureau and its data management unit, 江西省林业经济发展中心;
    # Art. X43 names the unit's handling department, deputy head and head; county bureaus collect and correct)
    Role("forestry_bureau", "省级林业主管部门", "forestry", 1, frozenset({_A.CREDIT_STATS, _A.CREDIT_COLLECT})),
    Role("credit_handler", "数据管理单位经办部门", "forestry", 1, frozenset({_A.CREDIT_MANAGE, _A.CREDIT_STATS})),
    Role("credit_deputy", "数据管理单位分管领导", "forestry", 1, frozenset({_A.CREDIT_MANAGE, _A.CREDIT_STATS})),
    Role("credit_head", "数据管理单位主要领导", "forestry", 1, frozenset({_A.CREDIT_MANAGE, _A.CREDIT_STATS})),
    Role("county_forestry", "县级林业主管部门", "forestry", 3, frozenset({_A.CREDIT_COLLECT, _A.CREDIT_STATS})),
    Role("law_enforcement", "林业执法部门", "forestry", 3, frozenset({_A.LAW_ENFORCEMENT})),
    Role("public_body", "其他公共管理和服务机构", "institution", 1, frozenset({_A.SHARED_DATA}), needs_institution=True),
    Role("credit_subject", "信用主体（林权权利人）", "subject", 5, frozenset({_A.CREDIT_SELF})),
]}


def role_perms(role: str) -> frozenset[Perm]:
    r = ROLES.get(role)
    return (r.perms | {Perm.SIGNED_IN}) if r else frozenset()


def role_label(role: str) -> str:
    r = ROLES.get(role)
    return r.label if r else role


# ---------------------------------------------------------------- the actions


def holders(*perms: Perm) -> frozenset[str]:
    """The roles holding any of `perms` (a rule stated by permission kind, Art. J10)."""
    return frozenset(k for k, r in ROLES.items() if r.perms & set(perms))


EVERYONE = frozenset(ROLES)


HANDLING = holders(Perm.BUSINESS_HANDLING)
BOOKKEEPERS = frozenset({"township_accountant", "township_agri_lead"})
ADMINS = holders(Perm.PLATFORM_MAINTENANCE)
#: the members themselves (self-service only): their portal is their home
MEMBERS = holders(Perm.SELF_SERVICE)
#: business handling at the village (who answers the members)
VILLAGE_HANDLING = frozenset(k for k in HANDLING if ROLES[k].level == 5)
#: the members' financial oversight group (民主理财小组) as the platform knows it: a village role
#: that reviews but does not handle the village's business (the supervisory board's chair)
OVERSIGHT_GROUP = frozenset(k for k in holders(Perm.REVIEW_APPROVAL)
                             if ROLES[k].level == 5 and Perm.BUSINESS_HANDLING not in ROLES[k].perms)
#: the township's reviewers and approvers
TOWNSHIP_APPROVERS = frozenset(k for k in holders(Perm.REVIEW_APPROVAL) if ROLES[k].level == 4)


def at_levels(roles: frozenset[str], *levels: int) -> frozenset[str]:
    """Those of `roles` sitting at one of `levels` (1 province … 5 village)."""
    return frozenset(k for k in roles if ROLES[k].level in levels)


DATA_HANDLING = holders(Perm.DATA_ENTRY, Perm.BUSINESS_HANDLING)
GUIDANCE = holders(Perm.BUSINESS_GUIDANCE)

# the forestry side's groups
CREDIT_COLLECTORS = holders(Perm.CREDIT_COLLECT)
CREDIT_MANAGERS = holders(Perm.CREDIT_MANAGE)
CREDIT_ANALYSTS = holders(Perm.CREDIT_STATS)
CREDIT_OFFICIALS = CREDIT_COLLECTORS | CREDIT_MANAGERS | CREDIT_ANALYSTS
CREDIT_SUBJECTS = holders(Perm.CREDIT_SELF)
BANKS = holders(Perm.CREDIT_PORTRAIT)
PUBLIC_BODIES = holders(Perm.SHARED_DATA)
ENFORCERS = holders(Perm.LAW_ENFORCEMENT)
