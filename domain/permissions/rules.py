"""`Rule` (who may take an action, on which resource, never on their own work) and the
collective-economy part of the one table of actions. domain.permissions joins it with the forestry
credit part (domain.permissions.credit) into `ACTIONS`."""
from __future__ import annotations

from dataclasses import dataclass

from domain.actions import Action
from domain.citations import Cite
from domain.scope import Perm

from .roles import (
    ADMINS, BOOKKEEPERS, DATA_HANDLING, EVERYONE, GUIDANCE, HANDLING, MEMBERS, OVERSIGHT_GROUP, TOWNSHIP_APPROVERS,
    VILLAGE_HANDLING, at_levels,
)
from .roles import holders as _H


@dataclass(frozen=True)
class Rule:
    """Who may take an action. `resource` names what it acts on (None: a page or the platform);
    `not_by` lists the resource's fields naming who did the earlier work, whom the action is
    refused (separation of duty), with `own_message` as the refusal; `refusal` replaces the
    default message for a role that may not."""

    area: str
    label: str
    roles: frozenset[str]
    resource: str | None = None
    not_by: tuple[str, ...] = ()
    own_message: str = ""
    refusal: str = ""
    article: Cite | None = None  # what it rests on (the text per province: domain.citations.cite)



#: The collective-economy part of the one table (Jilin's rules and the platform's own acts).
COLLECTIVE_ACTIONS: dict[Action, Rule] = {
    Action.HOME_VIEW: Rule("通用", "打开首页", EVERYONE - MEMBERS, refusal="成员请使用“我的权益”页面"),
    Action.ACCOUNT_SELF: Rule("通用", "管理本人账号（密码、动态验证码）", EVERYONE),
    Action.DASHBOARD_VIEW: Rule("通用", "查看驾驶舱、保值增值、大屏和台账明细", _H(Perm.STATISTICAL_ANALYSIS),
                                article=Cite.PERMISSIONS),
    Action.BUSINESS_VIEW: Rule("通用", "打开业务办理页面", _H(Perm.BUSINESS_HANDLING, Perm.REVIEW_APPROVAL)),
    Action.ATTACHMENT_READ: Rule("通用", "查看附件", _H(Perm.BUSINESS_HANDLING, Perm.REVIEW_APPROVAL, Perm.DATA_ENTRY,
                                                   Perm.SUPERVISION_WARNING, Perm.BUSINESS_GUIDANCE, Perm.CREDIT_COLLECT,
                                                   Perm.CREDIT_MANAGE, Perm.CREDIT_STATS), "record"),
    Action.EXPORT_NOTE: Rule("通用", "登记图表下载", EVERYONE),
    Action.WARNING_READ: Rule("监督预警", "查看预警", _H(Perm.SUPERVISION_WARNING, Perm.BUSINESS_HANDLING,
                                                  Perm.REVIEW_APPROVAL, Perm.STATISTICAL_ANALYSIS), "warning"),
    Action.WARNING_WORK: Rule("监督预警", "打开预警处置", _H(Perm.SUPERVISION_WARNING, Perm.BUSINESS_HANDLING,
                                                    Perm.REVIEW_APPROVAL)),
    Action.WARNING_MAP_VIEW: Rule("监督预警", "查看预警热力图", _H(Perm.STATISTICAL_ANALYSIS, Perm.SUPERVISION_WARNING)),
    Action.FUNDS_REQUEST_CREATE: Rule("资金管理", "录入收付款申请", frozenset({"village_cashier"}), "organisation",
                                      refusal="只有村报账员可以录入收付款申请"),
    Action.FUNDS_REQUEST_APPROVE_SECRETARY: Rule(
        "资金管理", "审批收付款申请（理事长）", frozenset({"village_secretary"}), "payment_request", ("requested_by_id",),
        "不能审批本人提交的申请", "该步骤应由村书记（理事长）审批"),
    Action.FUNDS_REQUEST_APPROVE_SUPERVISOR: Rule(
        "资金管理", "审核收付款申请（监事长）", frozenset({"village_supervisor"}), "payment_request", ("requested_by_id",),
        "不能审批本人提交的申请", "该步骤应由村集体监事长审批"),
    Action.FUNDS_REQUEST_WITHDRAW: Rule("资金管理", "撤回本人提交、尚未审批的收付款申请", frozenset({"village_cashier"}),
                                        "payment_request", refusal="只有提交申请的村报账员可以撤回"),
    Action.VOUCHER_POST: Rule("资金管理", "记账（收付款申请、记账凭证）", BOOKKEEPERS, "organisation", ("requested_by_id",),
                              "不能为本人提交的申请记账", "只有乡镇代理会计可以记账"),
    Action.MONTH_CLOSE: Rule("资金管理", "结账", BOOKKEEPERS, "organisation", refusal="只有乡镇代理会计可以结账"),
    Action.MONTH_REOPEN: Rule("资金管理", "反结账", frozenset({"township_head"}), "period_close", ("closed_by_id",),
                              "结账人不能批准本人结账月份的反结账", "反结账须由乡镇主要领导审批"),
    Action.BANK_ACCOUNT_OPEN: Rule("资金管理", "登记收付账户", BOOKKEEPERS, "organisation",
                                   refusal="只有乡镇代理会计可以登记账户"),
    Action.BANK_STATEMENT_IMPORT: Rule("资金管理", "导入银行对账单并对账", BOOKKEEPERS | {"village_cashier"}, "bank_account",
                                       refusal="只有乡镇代理会计或村报账员可以导入银行对账单"),
    Action.ASSET_CARD_SAVE: Rule("资产资源", "登记、更正资产卡片", HANDLING, "organisation"),
    Action.ASSET_DISPOSE: Rule("资产资源", "处置资产", HANDLING, "asset", article=Cite.FUNCTIONS),
    Action.ASSET_LEASE: Rule("资产资源", "出租资产", HANDLING, "asset"),
    Action.ASSET_PLEDGE: Rule("资产资源", "抵押资产", HANDLING, "asset"),
    Action.ASSET_DEPRECIATE: Rule("资产资源", "计提折旧", HANDLING | BOOKKEEPERS, "organisation",
                                  refusal="只有乡镇代理会计或本组织业务办理人员可以计提折旧"),
    Action.ASSET_REVALUE: Rule("资产资源", "资产重估", HANDLING, "asset"),
    Action.RESOURCE_SAVE: Rule("资产资源", "登记、更正资源", HANDLING, "organisation"),
    Action.CONTRACT_SAVE: Rule("合同交易", "签订、更正合同及上传扫描件", HANDLING, "contract"),
    Action.CONTRACT_RECEIPT: Rule("合同交易", "登记合同收款", HANDLING, "contract"),
    Action.CONTRACT_RENEW: Rule("合同交易", "续签合同", HANDLING, "contract"),
    Action.CONTRACT_TERMINATE: Rule("合同交易", "终止合同", HANDLING, "contract"),
    Action.TRADE_LIST: Rule("合同交易", "产权交易挂牌", HANDLING, "organisation"),
    Action.TRADE_BID: Rule("合同交易", "登记竞价", HANDLING, "listing"),
    Action.TRADE_AWARD: Rule("合同交易", "确认成交", HANDLING, "listing"),
    Action.MEETING_RECORD: Rule("会议决策", "登记会议及决议", HANDLING, "organisation"),
    Action.MEETING_CONFIRM: Rule(
        "会议决策", "确认（退回）会议记录", frozenset({"village_supervisor", "township_head", "township_deputy",
                                               "township_agri_lead"}), "meeting", ("recorded_by_id",),
        "不能确认本人登记或修改的会议", "会议记录须由村集体监事长或乡镇领导、农经工作负责人确认"),
    Action.WARNING_ACKNOWLEDGE: Rule("监督预警", "签收预警", _H(Perm.BUSINESS_HANDLING, Perm.SUPERVISION_WARNING), "warning",
                                     refusal="缺少权限：签收预警须有业务办理或监督预警权限"),
    Action.WARNING_HANDLE: Rule("监督预警", "办理预警", _H(Perm.BUSINESS_HANDLING, Perm.SUPERVISION_WARNING), "warning",
                                refusal="缺少权限：办理预警须有业务办理或监督预警权限"),
    Action.WARNING_VERIFY: Rule("监督预警", "核实预警办理", _H(Perm.REVIEW_APPROVAL, Perm.SUPERVISION_WARNING), "warning",
                                ("handled_by",), "办理人不能核实本人办理的预警",
                                "缺少权限：核实预警须有审核（批）或监督预警权限"),
    Action.WARNING_CLOSE: Rule("监督预警", "关闭预警", _H(Perm.REVIEW_APPROVAL, Perm.SUPERVISION_WARNING), "warning",
                               ("handled_by",), "办理人不能关闭本人办理的预警",
                               "缺少权限：关闭预警须有审核（批）或监督预警权限"),
    Action.WARNING_REOPEN: Rule("监督预警", "退回重办", _H(Perm.REVIEW_APPROVAL, Perm.SUPERVISION_WARNING), "warning",
                                ("handled_by",), "办理人不能退回重办本人办理的预警",
                                "缺少权限：退回重办预警须有审核（批）或监督预警权限"),
    Action.ADMIN_VIEW: Rule("平台管理", "打开平台管理页面", ADMINS, article=Cite.PERMISSIONS),
    Action.ACCOUNT_TOTP: Rule("平台管理", "启用、停用本人动态验证码", ADMINS),
    Action.ACCOUNT_REQUEST: Rule("平台管理", "查看账号、申请新建或变更账号", ADMINS, "account", article=Cite.OVERSIGHT_ACCOUNTS),
    Action.ACCOUNT_APPROVE: Rule("平台管理", "审批账号申请", ADMINS, "account_request", ("requested_by_id",),
                                 "不能审批本人提交的申请", article=Cite.OVERSIGHT_ACCOUNTS),
    Action.ACCOUNT_DISABLE: Rule("平台管理", "停用、启用账号", ADMINS, "account"),
    Action.AUDIT_VIEW: Rule("平台管理", "查看、导出、校验安全日志", ADMINS, article=Cite.SECURITY_LOG),
    Action.AUDIT_REVIEW: Rule("平台管理", "安全日志月度审查", ADMINS, article=Cite.SECURITY_LOG),
    Action.SHARING_REQUEST: Rule("平台管理", "申请跨区域数据共享", frozenset({"city_admin", "county_admin"}),
                                 refusal="只有市、县级平台管理员可以申请共享本辖区数据", article=Cite.SHARING),
    Action.SHARING_APPROVE: Rule("平台管理", "审批跨区域数据共享", frozenset({"province_admin"}), "sharing", ("requested_by_id",),
                                 "不能审批本人提交的申请", "只有省级平台管理员可以审批数据共享", article=Cite.SHARING),
    Action.DATA_REQUEST_CREATE: Rule("平台管理", "登记数据共享（接口）申请",
                                     frozenset({"province_admin", "city_admin", "county_admin"}),
                                     refusal="只有省、市、县级平台管理员可以登记数据共享申请", article=Cite.DATA_REQUEST),
    Action.DATA_REQUEST_ASSESS: Rule("平台管理", "评估数据共享申请的风险", frozenset({"province_admin"}), "data_request",
                                     ("registered_by_id",), "不能评估本人登记的申请", "只有省级平台管理员可以评估数据共享风险",
                                     article=Cite.DATA_REQUEST),
    Action.DATA_REQUEST_DECIDE: Rule("平台管理", "审批数据共享（接口）申请", frozenset({"province_admin"}), "data_request",
                                     ("registered_by_id",), "不能审批本人登记的申请", "只有省级平台管理员可以审批数据共享申请",
                                     article=Cite.DATA_REQUEST),
    Action.DATA_KEY_MANAGE: Rule("平台管理", "查看接口调用日志，暂停、恢复、吊销接口密钥", frozenset({"province_admin"}),
                                 "data_key", refusal="只有省级平台管理员可以管理数据接口密钥", article=Cite.DATA_MISUSE),
    Action.MAINTENANCE_ANNOUNCE: Rule("平台管理", "发布停机公告", frozenset({"province_admin"}),
                                      refusal="只有省级平台管理员可以发布停机公告"),
    Action.MAINTENANCE_WORK: Rule("平台管理", "停机期间登录维护", ADMINS),
    Action.DATA_IMPORT: Rule("数据管理", "导入历史数据（账簿、基础数据、资产、资源、合同、成员）", _H(Perm.DATA_ENTRY),
                             refusal="只有具有数据录入权限的乡镇农经人员、代理会计或村报账员可以导入历史数据",
                             article=Cite.IMPORTS),
    Action.BASEDATA_VIEW: Rule("数据管理", "查看基础数据及其变更记录", _H(
        Perm.STATISTICAL_ANALYSIS, Perm.BUSINESS_HANDLING, Perm.REVIEW_APPROVAL, Perm.DATA_ENTRY, Perm.BUSINESS_GUIDANCE),
        "organisation", article=Cite.BASE_DATA),
    Action.BASEDATA_PROPOSE: Rule("数据管理", "发起一级基础数据变更（村级）", at_levels(DATA_HANDLING, 5), "organisation",
                                  refusal="一级基础数据变更须由村级录入或业务办理人员发起", article=Cite.BASE_DATA_UPDATE),
    Action.BASEDATA_APPROVE: Rule("数据管理", "审核一级基础数据变更（乡镇）", at_levels(_H(Perm.REVIEW_APPROVAL), 4),
                                  "basedata_change", ("proposed_by_id",), "不能审核本人发起的变更",
                                  "一级基础数据变更须由乡镇审核（批）人员审核", article=Cite.BASE_DATA_UPDATE),
    Action.BASEDATA_CORRECT: Rule("数据管理", "申请更正已锁定的基础数据（乡镇）", at_levels(DATA_HANDLING, 4), "organisation",
                                  refusal="锁定后的基础数据更正须由乡镇录入或业务办理人员申请", article=Cite.BASE_DATA_LOCK),
    Action.BASEDATA_CORRECTION_APPROVE: Rule(
        "数据管理", "审批基础数据更正（县级）", at_levels(GUIDANCE, 3), "basedata_change", ("proposed_by_id",),
        "不能审批本人申请的更正", "基础数据更正须经县级农业农村部门同意", article=Cite.BASE_DATA_LOCK),
    Action.BASEDATA_REVOKE: Rule("数据管理", "撤销依据不充分的基础数据更正（市、省）", at_levels(GUIDANCE, 1, 2),
                                 "basedata_change", ("proposed_by_id", "decided_by_id"), "不能撤销本人经办的更正",
                                 "只有市、省级农业农村部门可以撤销基础数据更正", article=Cite.BASE_DATA_LOCK),
    Action.BASEDATA_LOCK: Rule("数据管理", "结束试运行、锁定县级基础数据", frozenset({"province_admin"}), "region",
                               refusal="只有省级平台管理员可以结束试运行", article=Cite.BASE_DATA_LOCK),
    Action.OPS_VIEW: Rule("数据管理", "查看国家平台同步、数据备份与恢复演练", frozenset({"province_admin"}),
                          refusal="只有省级平台管理员可以查看同步与备份", article=Cite.BACKUP),
    Action.SYNC_EXPORT: Rule("数据管理", "向全国平台同步数据（生成并发送数据包）", frozenset({"province_admin"}),
                             refusal="只有省级平台管理员可以向全国平台同步数据", article=Cite.NATIONAL_PLATFORM),
    Action.BACKUP_RUN: Rule("数据管理", "立即备份数据库", frozenset({"province_admin"}),
                            refusal="只有省级平台管理员可以备份数据库", article=Cite.BACKUP),
    Action.BACKUP_RESTORE: Rule("数据管理", "从备份恢复数据库（恢复演练）", frozenset({"province_admin"}),
                                refusal="只有省级平台管理员可以恢复数据库", article=Cite.BACKUP),
    Action.CALENDAR_EDIT: Rule("平台管理", "录入、修订法定节假日安排（工作日历）", frozenset({"province_admin"}),
                               refusal="只有省级平台管理员可以录入法定节假日安排"),
    Action.INCIDENT_VIEW: Rule("安全台账", "查看数据安全事件台账", _H(Perm.PLATFORM_MAINTENANCE, Perm.SUPERVISION_WARNING,
                                                          Perm.BUSINESS_HANDLING, Perm.REVIEW_APPROVAL),
                               article=Cite.SECURITY_INCIDENTS),
    Action.INCIDENT_REPORT: Rule("安全台账", "报告数据安全事件", _H(Perm.PLATFORM_MAINTENANCE, Perm.SUPERVISION_WARNING,
                                                         Perm.BUSINESS_HANDLING),
                                 refusal="缺少权限：报告数据安全事件须有平台维护、监督预警或业务办理权限",
                                 article=Cite.SECURITY_INCIDENTS),
    Action.INCIDENT_HANDLE: Rule("安全台账", "响应、逐级上报、关闭数据安全事件",
                                 _H(Perm.PLATFORM_MAINTENANCE, Perm.SUPERVISION_WARNING, Perm.REVIEW_APPROVAL), "incident",
                                 refusal="缺少权限：处置数据安全事件须有平台维护、监督预警或审核（批）权限",
                                 article=Cite.SECURITY_INCIDENTS),
    Action.REGISTER_VIEW: Rule("安全台账", "查看数据销毁、运维接入、设备登记台账",
                               _H(Perm.PLATFORM_MAINTENANCE, Perm.SUPERVISION_WARNING), article=Cite.DEVICES),
    Action.DESTRUCTION_RECORD: Rule("安全台账", "登记数据销毁（提出、清点、登记造册、执行）", ADMINS, "destruction",
                                    refusal="只有平台管理员可以登记数据销毁", article=Cite.DESTRUCTION),
    Action.DESTRUCTION_APPROVE: Rule("安全台账", "研究决定数据销毁", ADMINS, "destruction", ("pending_by_id",),
                                     "不能批准本人提出的数据销毁", "只有平台管理员可以决定数据销毁",
                                     article=Cite.DESTRUCTION),
    Action.ACCESS_RECORD: Rule("安全台账", "登记运维接入（申请、关闭）", ADMINS, "access",
                               refusal="只有平台管理员可以登记运维接入", article=Cite.MAINTENANCE_ACCESS),
    Action.ACCESS_APPROVE: Rule("安全台账", "同意开放运维接入", ADMINS, "access", ("pending_by_id",),
                                "不能同意本人申请的运维接入", "只有平台管理员可以同意开放运维接入",
                                article=Cite.MAINTENANCE_ACCESS),
    Action.DEVICE_RECORD: Rule("安全台账", "登记数据使用设备及其外出、归还、报废申请", ADMINS, "device",
                               refusal="只有平台管理员可以登记数据使用设备", article=Cite.DEVICES),
    Action.DEVICE_APPROVE: Rule("安全台账", "批准设备离开办公场所、报废", ADMINS, "device", ("pending_by_id",),
                                "不能批准本人提出的设备申请", "只有平台管理员可以批准设备外出或报废", article=Cite.DEVICES),
    Action.DISCLOSURE_VIEW: Rule("阳光公开", "查看财务公开", _H(Perm.BUSINESS_HANDLING, Perm.REVIEW_APPROVAL),
                                 article=Cite.DISCLOSURE),
    Action.DISCLOSURE_PREPARE: Rule("阳光公开", "编制、修改、更正财务公开", HANDLING, "organisation",
                                    refusal="只有村或乡镇（代理会计）业务办理人员可以编制财务公开",
                                    article=Cite.DISCLOSURE),
    Action.DISCLOSURE_REVIEW: Rule("阳光公开", "民主理财小组审核（退回）财务公开", OVERSIGHT_GROUP, "disclosure",
                                   ("prepared_by_id",), "编制人不能审核本人编制的财务公开",
                                   "财务公开须由民主理财小组（村集体监事长登记）审核", article=Cite.DISCLOSURE),
    Action.DISCLOSURE_APPROVE: Rule("阳光公开", "乡镇审核同意（退回）财务公开", TOWNSHIP_APPROVERS, "disclosure",
                                    ("prepared_by_id",), "编制人不能审批本人编制的财务公开",
                                    "财务公开须由乡镇审核同意", article=Cite.DISCLOSURE),
    Action.DISCLOSURE_PUBLISH: Rule("阳光公开", "公开已审核同意的财务公开", HANDLING, "disclosure",
                                    refusal="只有村或乡镇业务办理人员可以公开", article=Cite.DISCLOSURE),
    Action.DISCLOSURE_ANSWER: Rule("阳光公开", "答复成员对财务公开的提问", VILLAGE_HANDLING, "disclosure_question",
                                   refusal="只有本村业务办理人员可以答复成员提问", article=Cite.DISCLOSURE),
    Action.PORTAL_VIEW: Rule("阳光公开", "查看本人权益与本组织财务公开（成员）", MEMBERS, article=Cite.DISCLOSURE),
    Action.PORTAL_ASK: Rule("阳光公开", "对本组织财务公开提问（成员）", MEMBERS, "disclosure",
                            refusal="只有本组织成员可以对财务公开提问", article=Cite.DISCLOSURE),
}

#: the record a resource kind names in a refusal ("该申请不在您的管辖范围内")
NOUNS = {"organisation": "该集体经济组织", "payment_request": "该申请", "period_close": "该结账记录",
         "bank_account": "该账户", "asset": "该资产", "contract": "该合同", "listing": "该挂牌项目", "meeting": "该会议",
         "warning": "该预警", "account": "该账号", "account_request": "该申请", "sharing": "该共享申请",
         "record": "该记录", "basedata_change": "该基础数据变更", "region": "该地区",
         "data_request": "该数据共享申请", "data_key": "该接口密钥", "incident": "该安全事件",
         "destruction": "该销毁记录", "access": "该运维接入记录", "device": "该设备",
         "disclosure": "该财务公开", "disclosure_question": "该提问"}

