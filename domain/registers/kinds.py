"""The four registers: data-security incidents (Art. J39–J40, X57), data destruction (X22),
maintenance access (X52) and the devices connected to the data (X53)."""
from __future__ import annotations

from domain.permissions import Action
from domain.registers.base import Input, Register, Step
from domain.regions import PROVINCE

GRADES = (("IV", "一般（Ⅳ级）"), ("III", "较大（Ⅲ级）"), ("II", "重大（Ⅱ级）"), ("I", "特别重大（Ⅰ级）"))
LEVEL_NAMES = {1: "省级", 2: "市级", 3: "县级", 4: "乡镇", 5: "村级"}
YES = (("yes", "是"),)


def _opinion(what: str) -> tuple[Input, ...]:
    return (Input("opinion", f"{what}的理由", "textarea", max_length=300),)

INCIDENTS = Register(
    key="incident", title="数据安全事件台账", noun="该安全事件",
    states={"reported": "已报告", "responding": "响应处置中", "escalated": "已逐级上报", "closed": "已关闭"},
    create=Step("report", "报告", Action.INCIDENT_REPORT, (), "reported", (
        Input("title", "事件名称", max_length=60),
        Input("grade", "事件级别", "select", options=GRADES),
        Input("occurred_on", "发生日期", "date"),
        Input("description", "事件经过", "textarea", max_length=500),
        Input("affected_data", "涉及数据", max_length=200, placeholder="例如：成员花名册、银行账户"),
        Input("affected_regions", "涉及地区", max_length=200),
    )),
    steps=(
        Step("respond", "启动响应", Action.INCIDENT_HANDLE, ("reported",), "responding", (
            Input("measures", "响应措施", "textarea", max_length=500),)),
        Step("escalate", "逐级上报", Action.INCIDENT_HANDLE, ("responding", "escalated"), "escalated", (
            Input("situation", "事态进展", "textarea", max_length=500),)),
        Step("close", "关闭", Action.INCIDENT_HANDLE, ("responding", "escalated"), "closed", (
            Input("outcome", "处置结果", "textarea", max_length=500),
            Input("cause", "原因分析", "textarea", max_length=500),)),
    ),
    title_field="title", columns=(("grade_label", "级别"), ("occurred_on", "发生日期"), ("level_label", "已报至")),
)


def escalation_problem(level: int | None) -> str | None:
    """An incident is reported one level up at a time, village → township → county → city → province."""
    if level is None or level <= PROVINCE:
        return "该事件已上报至省级，不能再上报"
    return None


def level_label(level: int | None) -> str:
    return LEVEL_NAMES.get(level or 0, "")


METHODS = (("overwrite", "软件多次覆写"), ("degauss", "消磁"), ("shred", "物理粉碎"), ("delete", "数据库删除并清理备份"))

DESTRUCTION = Register(
    key="destruction", title="数据销毁台账", noun="该销毁记录",
    states={"proposed": "待研究决定", "decided": "已决定销毁", "inventoried": "已核对清点", "registered": "已登记造册",
            "executed": "已执行销毁", "refused": "不予销毁"},
    create=Step("propose", "提出", Action.DESTRUCTION_RECORD, (), "proposed", (
        Input("title", "销毁事项", max_length=60),
        Input("data_scope", "拟销毁数据", "textarea", max_length=500),
        Input("reason", "销毁理由", "textarea", max_length=300, placeholder="例如：已失去参考价值"),
    ), asks=True),
    steps=(
        Step("decide", "研究决定", Action.DESTRUCTION_APPROVE, ("proposed",), "decided", (
            Input("decision", "决定（会议或文号）", max_length=100),), approves=True),
        Step("refuse", "不予销毁", Action.DESTRUCTION_APPROVE, ("proposed",), "refused", _opinion("不予销毁"),
             approves=True),
        Step("inventory", "核对清点", Action.DESTRUCTION_RECORD, ("decided",), "inventoried", (
            Input("inventory", "清点清单（每行一项）", "textarea", max_length=1000),)),
        Step("register", "登记造册", Action.DESTRUCTION_RECORD, ("inventoried",), "registered", (
            Input("register_no", "造册编号", max_length=40),)),
        Step("execute", "执行销毁", Action.DESTRUCTION_RECORD, ("registered",), "executed", (
            Input("executed_by", "执行人（含外包技术团队）", max_length=100),
            Input("executed_on", "执行日期", "date"),
            Input("method", "销毁方式", "select", options=METHODS),)),
    ),
    title_field="title", columns=(("register_no", "造册编号"), ("executed_on", "执行日期")),
)

CHANNELS = (("remote", "远程维护"), ("onsite", "现场维护"))

ACCESS = Register(
    key="access", title="运维接入台账", noun="该运维接入记录",
    states={"requested": "待分管领导同意", "open": "接入中", "closed": "已关闭接入", "denied": "未获同意"},
    create=Step("request", "申请", Action.ACCESS_RECORD, (), "requested", (
        Input("person", "维护人员", max_length=60),
        Input("company", "所属单位", max_length=100),
        Input("hardware", "使用硬件型号", max_length=100),
        Input("channel", "接入方式", "select", options=CHANNELS),
        Input("purpose", "维护事由", "textarea", max_length=300),
    ), asks=True),
    steps=(
        Step("open", "同意并开放", Action.ACCESS_APPROVE, ("requested",), "open", (
            Input("port", "开放的端口或通道", max_length=60),), approves=True),
        Step("deny", "不同意", Action.ACCESS_APPROVE, ("requested",), "denied", _opinion("不同意"), approves=True),
        Step("close", "关闭接入", Action.ACCESS_RECORD, ("open",), "closed", (
            Input("work_done", "操作内容", "textarea", max_length=500),
            Input("port_closed", "远程端口已关闭", "select", options=YES),)),
    ),
    title_field="person", columns=(("company", "单位"), ("hardware", "硬件"), ("channel_label", "方式"),
                                   ("opened_at", "开放时间"), ("closed_at", "关闭时间")),
)

DEVICES = Register(
    key="device", title="数据使用设备登记台账", noun="该设备",
    states={"in_use": "在用", "leave_requested": "待批准外出", "out": "已离开办公场所", "disposal_requested": "待批准报废",
            "disposed": "已报废销毁"},
    create=Step("enrol", "登记", Action.DEVICE_RECORD, (), "in_use", (
        Input("name", "设备名称", max_length=60),
        Input("model", "型号", max_length=60),
        Input("serial_no", "编号", max_length=60),
        Input("user_name", "使用人员", max_length=40),
        Input("mac", "MAC 地址", "mac", max_length=17, placeholder="3C:52:82:1A:7F:09"),
        Input("location", "固定使用场所", max_length=100),
    )),
    steps=(
        Step("leave", "申请外出", Action.DEVICE_RECORD, ("in_use",), "leave_requested", (
            Input("reason", "外出事由", max_length=200),
            Input("custodian", "保管人", max_length=40),
            Input("data_cleared", "设备内数据已清理", "select", options=YES),), asks=True),
        Step("approve_leave", "批准外出", Action.DEVICE_APPROVE, ("leave_requested",), "out", approves=True),
        Step("deny_leave", "驳回外出", Action.DEVICE_APPROVE, ("leave_requested",), "in_use", _opinion("驳回外出"),
             approves=True),
        Step("return", "归还", Action.DEVICE_RECORD, ("out",), "in_use", (
            Input("returned_on", "归还日期", "date"),)),
        Step("dispose", "申请报废", Action.DEVICE_RECORD, ("in_use",), "disposal_requested", (
            Input("disposal_reason", "报废原因", max_length=200),
            Input("destroyer", "负责销毁的专人", max_length=40),), asks=True),
        Step("approve_disposal", "批准报废", Action.DEVICE_APPROVE, ("disposal_requested",), "disposed",
             approves=True),
        Step("deny_disposal", "驳回报废", Action.DEVICE_APPROVE, ("disposal_requested",), "in_use", _opinion("驳回报废"),
             approves=True),
    ),
    title_field="name", columns=(("model", "型号"), ("serial_no", "编号"), ("user_name", "使用人员"), ("mac", "MAC 地址")),
)

REGISTERS = {r.key: r for r in (INCIDENTS, DESTRUCTION, ACCESS, DEVICES)}
