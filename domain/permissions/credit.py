"""The forestry-credit part of the one table of actions (Jiangxi's rules, Art. X9–X62).

Who does what: county forestry bureaus collect (谁产生、谁采集, Art. X13) and carry out corrections
(县级实施, Art. X46); the data management unit (江西省林业经济发展中心, Art. X9) reviews through its
handling department, decides at its meeting (head or deputy head) and signs transfers in three steps
(Art. X43: handling department, deputy head, head — three different people); the provincial bureau
approves major or batch corrections (Art. X48); law enforcement draws inspection plans (Art. X33);
financial institutions see a portrait only under the holder's live authorisation (Art. X30, X61);
other public bodies reach shared data only (Art. X40); credit subjects see and govern their own.
"""
from __future__ import annotations

from domain.actions import Action

from .roles import (
    BANKS, CREDIT_ANALYSTS, CREDIT_COLLECTORS, CREDIT_MANAGERS, CREDIT_OFFICIALS, CREDIT_SUBJECTS, ENFORCERS, EVERYONE,
    MEMBERS, PUBLIC_BODIES,
)
from .rules import Rule

_AREA = "林业信用"
_HANDLER = frozenset({"credit_handler"})
_DEPUTY = frozenset({"credit_deputy"})
_HEAD = frozenset({"credit_head"})
_LEADERS = _DEPUTY | _HEAD
_BUREAU = frozenset({"forestry_bureau"})
_COUNTY = frozenset({"county_forestry"})

CREDIT_ACTIONS: dict[Action, Rule] = {
    Action.CREDIT_SUBJECT_VIEW: Rule(_AREA, "查看本辖区信用主体、信用记录与林权", CREDIT_OFFICIALS | ENFORCERS, "credit_subject"),
    Action.CREDIT_SUBJECT_SAVE: Rule(_AREA, "登记、更正信用主体", CREDIT_COLLECTORS, "credit_subject",
                                     refusal="只有林业主管部门可以登记信用主体"),
    Action.CREDIT_RECORD_SAVE: Rule(_AREA, "录入信用记录", CREDIT_COLLECTORS, "credit_subject",
                                    refusal="只有林业主管部门可以录入信用记录"),
    Action.CREDIT_RECORD_IMPORT: Rule(_AREA, "依有效文件批量导入信用数据", CREDIT_COLLECTORS,
                                      refusal="只有林业主管部门可以批量导入信用数据"),
    Action.CREDIT_RECORD_RECLASS: Rule(_AREA, "调整信用记录的开放、共享属性（脱敏或权利人同意）", CREDIT_MANAGERS,
                                       "credit_record",
                                       refusal="只有数据管理单位可以调整开放、共享属性"),
    Action.FOREST_RIGHT_SAVE: Rule(_AREA, "登记林权宗地及抵押、限制备注", CREDIT_COLLECTORS, "forest_right",
                                   refusal="只有林业主管部门可以登记林权"),
    Action.CREDIT_EVALUATE: Rule(_AREA, "重新评价全部信用主体", CREDIT_MANAGERS, refusal="只有数据管理单位可以发起全量信用评价"),
    Action.CREDIT_REPAIR_APPLY: Rule(_AREA, "申请信用修复", CREDIT_SUBJECTS | CREDIT_COLLECTORS, "credit_record",
                                     refusal="信用修复须由信用主体本人或林业主管部门代为申请"),
    Action.CREDIT_REPAIR_DECIDE: Rule(_AREA, "决定信用修复申请", CREDIT_MANAGERS, "credit_repair", ("applied_by_id",),
                                      "不能决定本人提交的修复申请", "只有数据管理单位可以决定信用修复"),
    Action.CREDIT_AUTHORISE: Rule(_AREA, "授权、撤销金融机构查询本人信用画像，填写本人声明", CREDIT_SUBJECTS, "credit_subject",
                                  refusal="只有信用主体本人可以授权金融机构"),
    Action.CREDIT_SELF_VIEW: Rule(_AREA, "查看本人信用画像、授权与查询记录", CREDIT_SUBJECTS),
    Action.CREDIT_PORTRAIT_VIEW: Rule(_AREA, "查看本辖区信用主体的信用画像", CREDIT_OFFICIALS, "credit_subject"),
    Action.CREDIT_PORTRAIT_AUTHORISED: Rule(_AREA, "经权利人授权查看信用画像（金融机构）", BANKS,
                                            refusal="只有经权利人授权的金融机构可以查看信用画像"),
    Action.CREDIT_STATS_VIEW: Rule(_AREA, "查看林业信用统计分析", CREDIT_ANALYSTS),
    Action.CREDIT_PUNISHMENT_VIEW: Rule(_AREA, "查看联合惩戒名单", CREDIT_ANALYSTS | ENFORCERS | PUBLIC_BODIES),
    Action.CREDIT_INSPECTION_PLAN: Rule(_AREA, "按信用等级抽取执法检查对象", ENFORCERS, "region",
                                        refusal="只有林业执法部门可以编制执法检查计划"),
    Action.CREDIT_PUSH_EXPORT: Rule(_AREA, "生成双公示推送数据（信用中国）", CREDIT_MANAGERS,
                                    refusal="只有数据管理单位可以推送公共信用数据"),
    Action.CREDIT_ARCHIVE_VIEW: Rule(_AREA, "查看信用档案（记录及其依据文件）", CREDIT_OFFICIALS, "credit_subject"),
    Action.CREDIT_OPEN_DOWNLOAD: Rule(_AREA, "下载无条件开放的林业信用数据", EVERYONE - MEMBERS),
    Action.CREDIT_OPEN_APPLY: Rule(_AREA, "申请有条件开放数据（信用主体）", CREDIT_SUBJECTS,
                                   refusal="只有信用主体可以申请有条件开放数据"),
    Action.CREDIT_SHARED_READ: Rule(_AREA, "获取无条件共享数据（公共管理和服务机构）", PUBLIC_BODIES),
    Action.CREDIT_SHARE_APPLY: Rule(_AREA, "申请有条件共享数据（公共管理和服务机构）", PUBLIC_BODIES,
                                    refusal="只有公共管理和服务机构可以申请共享数据"),
    Action.CREDIT_APPLICATION_DECIDE: Rule(_AREA, "答复开放、共享数据申请", CREDIT_MANAGERS, "credit_application",
                                           ("applied_by_id",), "不能答复本人提交的申请", "只有数据管理单位可以答复数据申请"),
    Action.CREDIT_CORRECTION_APPLY: Rule(_AREA, "申请修正林业信用数据", CREDIT_COLLECTORS | CREDIT_SUBJECTS, "credit_subject",
                                         refusal="修正申请须由林业主管部门或信用主体提出"),
    Action.CREDIT_CORRECTION_REVIEW: Rule(_AREA, "审核数据修正申请（经办部门）", _HANDLER, "credit_correction",
                                          ("applied_by_id",), "不能审核本人提交的修正申请",
                                          "修正申请须由数据管理单位经办部门审核"),
    Action.CREDIT_CORRECTION_DECIDE: Rule(_AREA, "会议决定数据修正申请", _LEADERS, "credit_correction",
                                          ("applied_by_id", "reviewed_by_id"), "不能决定本人经办的修正申请",
                                          "修正申请须由数据管理单位会议决定（主要或分管领导登记）"),
    Action.CREDIT_CORRECTION_BUREAU: Rule(_AREA, "审议重大或批量数据修正（省林业局）", _BUREAU, "credit_correction",
                                          ("applied_by_id",), "不能审议本人提交的修正申请", "重大或批量修正须报省林业局审议"),
    Action.CREDIT_CORRECTION_EXECUTE: Rule(_AREA, "实施已批准的数据修正（县级）", _COUNTY, "credit_correction",
                                           refusal="数据修正由县级林业主管部门实施"),
    Action.CREDIT_TRANSFER_APPLY: Rule(_AREA, "填报数据传输申请", CREDIT_COLLECTORS | CREDIT_MANAGERS | PUBLIC_BODIES,
                                       refusal="缺少权限：填报数据传输申请"),
    Action.CREDIT_TRANSFER_PRELIM: Rule(_AREA, "数据传输初审（经办部门）", _HANDLER, "credit_transfer",
                                        ("applied_by_id",), "不能初审本人填报的申请", "初审须由数据管理单位经办部门签署"),
    Action.CREDIT_TRANSFER_REVIEW: Rule(_AREA, "数据传输审核（分管领导）", _DEPUTY, "credit_transfer",
                                        ("applied_by_id", "prelim_by_id"), "初审、审核、审批须由三个不同的人签署",
                                        "审核须由数据管理单位分管领导签署"),
    Action.CREDIT_TRANSFER_APPROVE: Rule(_AREA, "数据传输审批（主要领导）", _HEAD, "credit_transfer",
                                         ("applied_by_id", "prelim_by_id", "reviewed_by_id"),
                                         "初审、审核、审批须由三个不同的人签署", "审批须由数据管理单位主要领导签署"),
}

CREDIT_NOUNS = {"credit_subject": "该信用主体", "credit_record": "该信用记录", "forest_right": "该林权",
                "credit_repair": "该信用修复申请", "credit_application": "该数据申请", "credit_correction": "该修正申请",
                "credit_transfer": "该数据传输申请", "price_sale": "该成交样本"}
