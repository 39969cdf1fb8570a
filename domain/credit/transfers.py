"""Data transfers (数据传输, Jiangxi Art. X41–X44): the 数据申报审批表 and its three signatures.

The applying unit names the data range, the use range, its confidentiality duty and the transfer
method (专用存储设备 / 接口 / 其他). Art. X41: a download goes by a named person on a dedicated
storage device, cleared afterwards — so a device transfer names the device model and the transfer
persons, and the transfer ends with a "data cleared from the device" confirmation. Art. X42: no
internet transfer, except (flagged, with a justification) for authorised bodies needing bulk data
without a network link — and then only desensitised and encrypted. Art. X44: the applicant signs
the 数据使用保管承诺书.

Art. X43: preliminary opinion by the handling department (`prelim`), review by the deputy head
(`review`), approval by the head (`approve`): three different people (the action table's not_by
fields applied_by_id, prelim_by_id, reviewed_by_id); a refusal at any step ends it with reasons.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from domain.text import put_text
from domain.citations import credit_article

ANSWER_WORKING_DAYS = 10
METHODS = {"device": "专用存储设备", "interface": "接口", "other": "其他"}
STATES = {"submitted": "待初审", "prelim": "待审核", "reviewed": "待审批", "approved": "已批准", "refused": "不予批准",
          "cleared": "已传输并清理设备"}
OPEN_STATES = frozenset({"submitted", "prelim", "reviewed"})
STEPS = {"prelim": ("submitted", "prelim", "初审"), "review": ("prelim", "reviewed", "审核"),
         "approve": ("reviewed", "approved", "审批")}
MAX_PERSONS = 10


@dataclass
class Draft:
    unit: str = ""
    data_range: str = ""
    use_range: str = ""
    confidentiality: str = ""
    method: str = ""
    internet: bool = False
    justification: str = ""
    desensitised: bool = False
    encrypted: bool = False
    device_model: str = ""
    persons: list = field(default_factory=list)
    commitment: bool = False
    commitment_name: str = ""
    commitment_on: dt.date | None = None


def parse_persons(text) -> list[str]:
    """"张三、李四" / one per line -> the named transfer persons."""
    raw = str(text or "").replace("，", "、").replace(",", "、").replace("\n", "、")
    return [p.strip() for p in raw.split("、") if p.strip()]


def draft_problems(d: Draft, today: dt.date) -> dict[str, str]:
    errors: dict[str, str] = {}
    put_text(errors, "unit", d.unit, "申请（传输）单位", 100)
    put_text(errors, "data_range", d.data_range, "传输数据范围", 1000)
    put_text(errors, "use_range", d.use_range, "应用范围", 1000)
    put_text(errors, "confidentiality", d.confidentiality, "保密责任", 1000)
    if d.method not in METHODS:
        errors["method"] = "请选择传输方式"
    if d.method == "device":
        put_text(errors, "device_model", d.device_model, "传输设备型号", 60)
        if not d.persons:
            errors["persons"] = "请填写负责传输人员名单"
        elif len(d.persons) > MAX_PERSONS or any(len(p) > 40 for p in d.persons):
            errors["persons"] = f"传输人员不超过{MAX_PERSONS}人，每人姓名不超过40字"
    if d.internet:
        put_text(errors, "justification", d.justification, "通过互联网传输的依据（有权机关或双方约定、无网络对接）", 500)
        if not (d.desensitised and d.encrypted):
            errors["internet"] = f"通过互联网传输的数据必须经过脱敏、加密（{credit_article('internet')}）"
    if d.commitment is not True:
        errors["commitment"] = f"请阅读并勾选签署《数据使用保管承诺书》（{credit_article('commitment')}）"
    put_text(errors, "commitment_name", d.commitment_name, "签署人姓名", 50)
    if d.commitment_on is None:
        errors["commitment_on"] = "请填写签署日期"
    elif d.commitment_on > today:
        errors["commitment_on"] = "签署日期不能晚于今天"
    return errors


def step_problems(step: str, status: str, approve: bool, opinion) -> dict[str, str]:
    need, _, label = STEPS[step]
    if status != need:
        return {"decision": f"该申请当前为“{STATES.get(status, status)}”，不能{label}"}
    errors: dict[str, str] = {}
    put_text(errors, "opinion", opinion, f"{label}意见" if approve else "不予批准的理由", 1000)
    return errors


def clear_problems(status: str, method: str, note) -> dict[str, str]:
    if status != "approved":
        return {"decision": "只有已批准的传输才能确认清理"}
    errors: dict[str, str] = {}
    put_text(errors, "note", note, "清理情况（设备、时间、清理人）", 300, required=method == "device")
    return errors
