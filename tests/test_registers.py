"""The registers the security rules require (issue 14, item 10), through the real callbacks:
data-security incidents (reported, responded to, escalated level by level, closed), data
destruction (decided, inventoried, registered, carried out), maintenance access (approved, opened,
closed) and connected devices (enrolled with a validated MAC, leaving the office and disposal with
approval). Each: created, advanced in order (out of order refused), bad input refused in Chinese,
scoped to the jurisdiction, audited, exported with formulas neutralised."""
from __future__ import annotations

import base64
import datetime as dt
import io

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from callbacks.registers.common import CALLBACKS
from data.db import reading, transaction
from data.models import AuditLog, RegisterEntry, RegisterStep, User
from domain.admin import passwords
from domain.regions import truncate
from server.callbacks import callback_named
from tests.support.app import PASSWORD, build_app, generate_test_data, make_settings
from tests.support.http import dash_post, output, sign_in, text



@pytest.fixture(scope="module")
def own(tmp_path_factory):
    """A test database of its own (the session's may hold another module's share of the demo county
    with the neighbouring county) with a county administrator of that county, and its app."""
    settings = generate_test_data(make_settings(tmp_path_factory.mktemp("registers")))
    app = build_app(settings)
    ql = app.server.extensions["platform.query"]
    county = settings.demo_county
    other = next(int(c) for c in ql.tree.children(truncate(county, 2))["code"] if int(c) != county)
    with transaction(settings.database_url) as s:
        s.add(User(username="other-county", display_name="邻县管理员", role="county_admin", region_code=other,
                   password_hash=passwords.hash_password(PASSWORD),
                   password_changed_at=dt.datetime(2026, 11, 22, 4, tzinfo=dt.UTC)))
    return settings, app


def post(app, client, kind: str, name: str, values: dict, selected: dict | None = None):
    """The register callback `name` of `kind`, its inputs and states filled from `values` (by the
    field name after the step's prefix, e.g. "title"), the selected grid row from `selected`."""
    key = callback_named(app, CALLBACKS[(kind, name)])
    spec = app.callback_map[key]
    prefix = f"reg-{kind}-{name}-"

    def item(i):
        cid, prop = i["id"], i["property"]
        if prop == "n_clicks":
            v = 1
        elif prop == "selectedRows":
            v = [selected] if selected else None
        elif prop == "data":
            v = 0
        else:
            v = values.get(cid[len(prefix):]) if cid.startswith(prefix) else None
        return {"id": cid, "property": prop, "value": v}

    return dash_post(client, key, [item(i) for i in spec["inputs"]], [item(i) for i in spec.get("state", [])])


def entry(settings, eid: int) -> RegisterEntry:
    with reading(settings.database_url) as s:
        e = s.get(RegisterEntry, eid)
        s.expunge(e)
        return e


def newest(settings, kind: str) -> int:
    with reading(settings.database_url) as s:
        return s.scalar(select(func.max(RegisterEntry.id)).where(RegisterEntry.kind == kind))


def counts(settings) -> tuple[int, int]:
    with reading(settings.database_url) as s:
        return (s.scalar(select(func.count()).select_from(RegisterEntry)),
                s.scalar(select(func.count()).select_from(RegisterStep)))


def result(resp, kind, step) -> str:
    return text(output(resp, f"reg-{kind}-{step}-result", "children"))


def error(resp, kind, step, name) -> str:
    return text(output(resp, f"reg-{kind}-{step}-{name}-error", "children"))


def step(settings, app, client, kind, name, eid, values=None):
    e = entry(settings, eid)
    return post(app, client, kind, name, values or {}, {"id": eid, "version": e.version})


def logged(settings, eid: int) -> list[str]:
    with reading(settings.database_url) as s:
        rows = s.scalars(select(AuditLog).where(AuditLog.type == "register")).all()
        return [r.description for r in rows if (r.detail or {}).get("entry_id") == eid]


def grid(app, client, kind) -> list[dict]:
    return output(post(app, client, kind, "load", {}), f"reg-{kind}-grid", "rowData")


INCIDENT = {"title": "村报账电脑感染勒索病毒", "grade": "III", "occurred_on": "2026-11-20",
            "description": "报账电脑文件被加密，疑似通过邮件附件感染", "affected_data": "收付款凭证扫描件",
            "affected_regions": "本村"}


def test_registers001_an_incident_is_reported_responded_to_escalated_level_by_level_and_closed(own):
    settings, app = own
    village, secretary = sign_in(app.server, "demo-village"), sign_in(app.server, "demo-secretary")
    head, county = sign_in(app.server, "demo-township-head"), sign_in(app.server, "demo-county")
    city, province = sign_in(app.server, "demo-city"), sign_in(app.server, "demo-admin")
    resp = post(app, village, "incident", "report", INCIDENT)
    assert "已报告" in result(resp, "incident", "report")
    eid = newest(settings, "incident")
    assert entry(settings, eid).state == "reported" and entry(settings, eid).level == 5
    # out of order: closing before any response is refused and changes nothing
    before = counts(settings)
    resp = step(settings, app, secretary, "incident", "close", eid, {"outcome": "已处理", "cause": "钓鱼邮件"})
    assert "只有“响应处置中”、“已逐级上报”的记录才能关闭" in text(output(resp, "reg-incident-close-error", "children"))
    assert counts(settings) == before and entry(settings, eid).state == "reported"
    # a response needs its measures (a Chinese message under the field)
    resp = step(settings, app, secretary, "incident", "respond", eid, {"measures": "  "})
    assert error(resp, "incident", "respond", "measures") == "请填写响应措施" and counts(settings) == before
    assert "启动响应" in result(step(settings, app, secretary, "incident", "respond", eid,
                                     {"measures": "断网隔离，备份未加密数据"}), "incident", "respond")
    names = []
    for client in (secretary, head, county, city):  # village → township → county → city → province
        resp = step(settings, app, client, "incident", "escalate", eid, {"situation": "事态仍在扩大"})
        assert "逐级上报" in result(resp, "incident", "escalate"), result(resp, "incident", "escalate")
        names.append(entry(settings, eid).fields["reported_to"])
    assert entry(settings, eid).level == 1 and len(set(names)) == 4
    resp = step(settings, app, province, "incident", "escalate", eid, {"situation": "再报"})
    assert "已上报至省级，不能再上报" in text(output(resp, "reg-incident-escalate-error", "children"))
    # once at the province, a township no longer closes it
    resp = step(settings, app, head, "incident", "close", eid, {"outcome": "已恢复", "cause": "钓鱼邮件"})
    assert "须由省级或以上单位关闭" in text(output(resp, "reg-incident-close-error", "children"))
    resp = step(settings, app, province, "incident", "close", eid, {"outcome": "已恢复数据并加固", "cause": "钓鱼邮件"})
    assert "已关闭" in result(resp, "incident", "close") and entry(settings, eid).state == "closed"
    trail = text(output(post(app, province, "incident", "show", {}, {"id": eid, "version": 0, "state": "closed"}),
                        "reg-incident-detail", "children"))
    for word in ("报告", "启动响应", "逐级上报", "上报至", "关闭", "断网隔离", "已办结", *names):
        assert word in trail, word
    assert len(logged(settings, eid)) >= 7 and any("上报至" in d for d in logged(settings, eid))


def test_registers002_destruction_is_decided_by_another_administrator_then_inventoried_registered_carried_out(own):
    settings, app = own
    county, admin, admin_b = (sign_in(app.server, u) for u in ("demo-county", "demo-admin", "demo-admin-b"))
    resp = post(app, admin, "destruction", "propose", {"title": "2015 年过期备份磁带", "data_scope": "2015 年账套备份",
                                                        "reason": "已失去参考价值"})
    assert "已提出" in result(resp, "destruction", "propose")
    eid = newest(settings, "destruction")
    before = counts(settings)
    own_decision = step(settings, app, admin, "destruction", "decide", eid, {"decision": "厅务会决定"})
    assert "不能批准本人提出的数据销毁" in result(own_decision, "destruction", "decide") and counts(settings) == before
    early = step(settings, app, admin, "destruction", "execute", eid,
                 {"executed_by": "外包团队", "executed_on": "2026-11-21", "method": "shred"})
    assert "当前状态为“待研究决定”" in text(output(early, "reg-destruction-execute-error", "children"))
    assert counts(settings) == before
    assert "研究决定" in result(step(settings, app, admin_b, "destruction", "decide", eid, {"decision": "2026 年第 5 次厅务会"}),
                                "destruction", "decide")
    step(settings, app, admin, "destruction", "inventory", eid, {"inventory": "磁带 LTO-5 ×12\n移动硬盘 ×2"})
    step(settings, app, admin, "destruction", "register", eid, {"register_no": "XH-2026-001"})
    bad = step(settings, app, admin, "destruction", "execute", eid,
               {"executed_by": " ", "executed_on": "2099-01-01", "method": "shred"})
    assert error(bad, "destruction", "execute", "executed_on") == "执行日期不能晚于今天"
    assert error(bad, "destruction", "execute", "executed_by") == "请填写执行人（含外包技术团队）"
    bad = step(settings, app, admin, "destruction", "execute", eid,
               {"executed_by": "外包团队", "executed_on": "2026-11-21", "method": "burn"})  # not one of the choices
    assert error(bad, "destruction", "execute", "method") and entry(settings, eid).state == "registered"
    ok = step(settings, app, admin, "destruction", "execute", eid,
              {"executed_by": "张工（外包技术团队）、李科长", "executed_on": "2026-11-21", "method": "shred"})
    assert "已执行销毁" in result(ok, "destruction", "execute")
    e = entry(settings, eid)
    assert e.state == "executed" and e.fields["decide_by"] == "demo-admin-b" and e.fields["method_label"] == "物理粉碎"
    # the province's entry is not the county's to see
    assert eid not in {r["id"] for r in grid(app, county, "destruction")}
    assert eid in {r["id"] for r in grid(app, admin, "destruction")}
    resp = step(settings, app, county, "destruction", "inventory", eid, {"inventory": "x"})
    assert "该销毁记录不在您的管辖范围内" in result(resp, "destruction", "inventory")


def test_registers003_maintenance_access_is_approved_opened_and_closed(own):
    settings, app = own
    county, admin_b = sign_in(app.server, "demo-county"), sign_in(app.server, "demo-admin-b")
    resp = post(app, county, "access", "request", {"person": "王工", "company": "某某信息技术有限公司",
                                                    "hardware": "ThinkPad T14（资产号 A-17）", "channel": "remote",
                                                    "purpose": "数据库补丁升级"})
    assert "已申请" in result(resp, "access", "request")
    eid = newest(settings, "access")
    close_early = step(settings, app, county, "access", "close", eid, {"work_done": "升级", "port_closed": "yes"})
    assert "当前状态为“待分管领导同意”" in text(output(close_early, "reg-access-close-error", "children"))
    own_ok = step(settings, app, county, "access", "open", eid, {"port": "VPN 3389"})
    assert "不能同意本人申请的运维接入" in result(own_ok, "access", "open")
    assert "同意并开放" in result(step(settings, app, admin_b, "access", "open", eid, {"port": "VPN 3389"}), "access", "open")
    no_port = step(settings, app, county, "access", "close", eid, {"work_done": "升级 PostgreSQL 16.4", "port_closed": None})
    assert error(no_port, "access", "close", "port_closed") == "请选择远程端口已关闭"
    step(settings, app, county, "access", "close", eid, {"work_done": "升级 PostgreSQL 16.4", "port_closed": "yes"})
    e = entry(settings, eid)
    assert e.state == "closed" and e.fields["opened_at"] and e.fields["closed_at"] and e.fields["channel_label"] == "远程维护"
    other = sign_in(app.server, "other-county")
    assert eid not in {r["id"] for r in grid(app, other, "access")}
    assert eid in {r["id"] for r in grid(app, county, "access")}


def test_registers004_devices_have_a_valid_mac_and_leave_or_are_disposed_of_only_with_approval(own):
    settings, app = own
    county, city = sign_in(app.server, "demo-county"), sign_in(app.server, "demo-city")
    device = {"name": "农经站数据录入终端", "model": "联想 M720", "serial_no": "PC-5031", "user_name": "赵会计",
              "mac": "3c-52-82-1a-7f-59", "location": "县农经站 203 室"}
    before = counts(settings)
    for mac, message in (("3C:52:82:1A:7F", "格式应为 6 组两位十六进制数"), ("GG:52:82:1A:7F:09", "格式应为"),
                         ("FF:FF:FF:FF:FF:FF", "格式应为"), ("", "请填写MAC 地址")):
        resp = post(app, county, "device", "enrol", {**device, "mac": mac})
        assert message in error(resp, "device", "enrol", "mac"), mac
    assert counts(settings) == before
    assert "已登记" in result(post(app, county, "device", "enrol", device), "device", "enrol")
    eid = newest(settings, "device")
    assert entry(settings, eid).fields["mac"] == "3C:52:82:1A:7F:59"
    again = post(app, county, "device", "enrol", {**device, "serial_no": "PC-5032", "mac": "3C:52:82:1A:7F:59"})
    assert error(again, "device", "enrol", "mac") == "该 MAC 地址已绑定其他在用设备"
    no_clear = step(settings, app, county, "device", "leave", eid, {"reason": "下乡审计", "custodian": "赵会计"})
    assert error(no_clear, "device", "leave", "data_cleared") == "请选择设备内数据已清理"
    step(settings, app, county, "device", "leave", eid, {"reason": "下乡审计", "custodian": "赵会计", "data_cleared": "yes"})
    assert "不能批准本人提出的设备申请" in result(step(settings, app, county, "device", "approve_leave", eid), "device",
                                                  "approve_leave")
    dispose_now = step(settings, app, county, "device", "dispose", eid, {"disposal_reason": "老化", "destroyer": "钱师傅"})
    assert "当前状态为“待批准外出”" in text(output(dispose_now, "reg-device-dispose-error", "children"))
    step(settings, app, city, "device", "approve_leave", eid)
    assert entry(settings, eid).state == "out"
    step(settings, app, county, "device", "return", eid, {"returned_on": "2026-11-21"})
    step(settings, app, county, "device", "dispose", eid, {"disposal_reason": "主板损坏", "destroyer": "钱师傅"})
    step(settings, app, city, "device", "approve_disposal", eid)
    assert entry(settings, eid).state == "disposed"
    again = step(settings, app, county, "device", "leave", eid, {"reason": "x", "custodian": "y", "data_cleared": "yes"})
    assert "该设备（已报废销毁）已办结，不能再申请外出" == text(output(again, "reg-device-leave-error", "children"))
    steps = logged(settings, eid)
    assert len(steps) >= 6 and any("批准报废" in d for d in steps)


def test_registers009_approvals_can_be_refused_with_a_reason(own):
    settings, app = own
    county, city = sign_in(app.server, "demo-county"), sign_in(app.server, "demo-city")
    post(app, county, "access", "request", {"person": "周工", "company": "某公司", "hardware": "笔记本",
                                             "channel": "onsite", "purpose": "巡检"})
    eid = newest(settings, "access")
    blank = step(settings, app, city, "access", "deny", eid, {"opinion": ""})
    assert error(blank, "access", "deny", "opinion") == "请填写不同意的理由"
    step(settings, app, city, "access", "deny", eid, {"opinion": "未说明维护范围"})
    assert entry(settings, eid).state == "denied"
    late = step(settings, app, city, "access", "open", eid, {"port": "3389"})
    assert "该运维接入记录（未获同意）已办结，不能再同意并开放" in text(output(late, "reg-access-open-error", "children"))
    post(app, county, "device", "enrol", {"name": "备用终端", "model": "M70", "serial_no": "PC-7001", "user_name": "钱",
                                           "mac": "3C:52:82:1A:7F:71", "location": "203 室"})
    did = newest(settings, "device")
    step(settings, app, county, "device", "dispose", did, {"disposal_reason": "老化", "destroyer": "钱师傅"})
    own_deny = step(settings, app, county, "device", "deny_disposal", did, {"opinion": "仍可使用"})
    assert "不能批准本人提出的设备申请" in result(own_deny, "device", "deny_disposal")
    step(settings, app, city, "device", "deny_disposal", did, {"opinion": "仍可使用"})
    assert entry(settings, did).state == "in_use"


def test_registers005_roles_without_the_action_change_nothing_and_are_logged(own):
    settings, app = own
    bank, township = sign_in(app.server, "demo-bank"), sign_in(app.server, "demo-township")
    before = counts(settings)
    resp = post(app, bank, "incident", "report", INCIDENT)
    assert resp.status_code in (200, 204, 403) and counts(settings) == before
    resp = post(app, township, "device", "enrol", {"name": "x", "model": "y", "serial_no": "z", "user_name": "u",
                                                  "mac": "3C:52:82:1A:7F:10", "location": "l"})
    assert counts(settings) == before
    with reading(settings.database_url) as s:
        denied = s.scalar(select(func.count()).select_from(AuditLog).where(AuditLog.result == "denied"))
    assert denied > 0


def test_registers006_the_export_neutralises_formulas_and_is_logged(own):
    settings, app = own
    county = sign_in(app.server, "demo-county")
    post(app, county, "incident", "report", {**INCIDENT, "title": "=HYPERLINK(\"http://x\",\"点击\")",
                                              "affected_data": "+1+1"})
    resp = post(app, county, "incident", "export", {})
    data = output(resp, "reg-incident-download", "data")
    assert data["filename"].startswith("数据安全事件台账-") and data["filename"].endswith(".xlsx")
    ws = load_workbook(io.BytesIO(base64.b64decode(data["content"]))).active
    cells = [c for row in ws.iter_rows() for c in row if isinstance(c.value, str) and c.value.startswith(("=", "+"))]
    assert cells and all(c.data_type == "s" and c.quotePrefix for c in cells)
    headers = [c.value for c in ws[2]]
    assert {"事件名称", "事件级别", "响应措施", "处置结果", "状态"} <= set(headers)
    with reading(settings.database_url) as s:
        assert s.scalar(select(func.count()).select_from(AuditLog).where(AuditLog.type == "export",
                                                                          AuditLog.description.like("导出数据安全事件台账%")))


def test_registers007_the_demo_has_entries_in_every_register_in_several_states_and_no_2027_schedule(sqlite_settings):
    from data.models import WorkCalendarSchedule

    with reading(sqlite_settings.database_url) as s:
        states = s.execute(select(RegisterEntry.kind, RegisterEntry.state)).all()
        schedules = s.scalar(select(func.count()).select_from(WorkCalendarSchedule).where(WorkCalendarSchedule.year == 2027))
        trail = s.scalar(select(func.count()).select_from(RegisterStep))
    by_kind: dict[str, set] = {}
    for kind, state in states:
        by_kind.setdefault(kind, set()).add(state)
    assert set(by_kind) == {"incident", "destruction", "access", "device"}
    assert all(len(v) >= 3 for v in by_kind.values()), by_kind
    assert {"closed", "escalated"} <= by_kind["incident"] and "executed" in by_kind["destruction"]
    assert schedules == 0 and trail >= len(states)


def test_registers008_each_register_cites_its_province_rules():
    from domain.citations import Cite, cite

    assert cite(Cite.SECURITY_INCIDENTS, 22) == "《吉林省农村集体经济数字监管平台管理办法》第三十九条、第四十条"
    assert cite(Cite.SECURITY_INCIDENTS, 36) == "《江西省林业信用数据管理办法》第五十七条"
    assert cite(Cite.DESTRUCTION, 36).endswith("第二十二条") and cite(Cite.MAINTENANCE_ACCESS, 36).endswith("第五十二条")
    assert cite(Cite.DEVICES, 36) == "《江西省林业信用数据管理办法》第五十三条"
    assert cite(Cite.DEVICES, 22) == "《吉林省农村集体经济数字监管平台管理办法》第三十八条"
