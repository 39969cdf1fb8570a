"""Demo entries of the four security registers (issue 14, item 10), in various states, entered
through the registers' own data layer as the demo users who would have made them (so every step
has its trail and security-log entry), then dated back over the weeks before `today`.

The working-day calendar gets nothing: the 2027 schedule is not entered, so deadlines that run
into 2027 show as provisional in the demo (an administrator enters it at /admin/calendar)."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import select, update

from data.db import transaction
from data.models import RegisterEntry, RegisterStep, User
from data.registers import store
from domain.permissions import Actor, Scope, role_perms

#: (register, creating user, values, [(step, user, values)])
PLAN = [
    ("incident", "demo-village", {"title": "村报账电脑感染勒索病毒", "grade": "III", "occurred_on": -40,
                                  "description": "报账电脑文件被加密，疑似通过邮件附件感染", "affected_data": "收付款凭证扫描件",
                                  "affected_regions": "本村"},
     [("respond", "demo-secretary", {"measures": "立即断网隔离，停止使用该电脑，保全日志"}),
      ("escalate", "demo-secretary", {"situation": "同一邮件已转发至乡镇农经站"}),
      ("escalate", "demo-township-head", {"situation": "乡镇两台终端出现同样提示"}),
      ("close", "demo-county", {"outcome": "已从备份恢复凭证扫描件，终端重装并加固", "cause": "钓鱼邮件附件"})]),
    ("incident", "demo-village", {"title": "成员花名册疑似被拍照外传", "grade": "IV", "occurred_on": -6,
                                  "description": "有成员反映花名册照片出现在微信群",
                                  "affected_data": "成员花名册（姓名、身份证号）", "affected_regions": "本村"},
     [("respond", "demo-secretary", {"measures": "核实传播范围，要求删除，提醒相关人员"})]),
    ("incident", "demo-township", {"title": "乡镇机房断电导致数据同步中断", "grade": "IV", "occurred_on": -2,
                                   "description": "雷雨天气断电约 3 小时，期间凭证未同步", "affected_data": "当日凭证",
                                   "affected_regions": "本乡镇"}, []),
    ("incident", "demo-county", {"title": "县级账号异常登录", "grade": "II", "occurred_on": -12,
                                 "description": "凌晨出现多次失败登录后成功登录", "affected_data": "县级汇总数据",
                                 "affected_regions": "本县"},
     [("respond", "demo-county", {"measures": "停用该账号，重置密码并启用动态验证码"}),
      ("escalate", "demo-county", {"situation": "疑似撞库，已报市级"})]),
    ("destruction", "demo-admin", {"title": "2015 年过期备份磁带", "data_scope": "2015 年全省账套备份磁带",
                                   "reason": "已超过保存期限，失去参考价值"},
     [("decide", "demo-admin-b", {"decision": "2026 年第 5 次厅务会研究决定"}),
      ("inventory", "demo-admin", {"inventory": "LTO-5 磁带 ×12\n移动硬盘 ×2"}),
      ("register", "demo-admin", {"register_no": "XH-2026-001"}),
      ("execute", "demo-admin", {"executed_by": "某某信息技术有限公司（外包技术团队）、信息科李科长",
                                 "executed_on": -24, "method": "shred"})]),
    ("destruction", "demo-county", {"title": "县农经站旧服务器硬盘", "data_scope": "2012–2016 年县级报表",
                                    "reason": "已迁移至省平台，原件失去参考价值"},
     [("decide", "demo-city", {"decision": "市农业农村局局务会"}),
      ("inventory", "demo-county", {"inventory": "SAS 硬盘 ×6"}),
      ("register", "demo-county", {"register_no": "XH-2026-017"})]),
    ("destruction", "demo-admin-b", {"title": "测试环境导出数据", "data_scope": "2026 年 6 月测试环境导出文件",
                                     "reason": "测试结束"}, []),
    ("access", "demo-county", {"person": "王工", "company": "某某信息技术有限公司", "hardware": "ThinkPad T14（资产号 A-17）",
                               "channel": "remote", "purpose": "数据库补丁升级"},
     [("open", "demo-city", {"port": "VPN 专线 3389"}),
      ("close", "demo-county", {"work_done": "升级数据库补丁并重启服务，核对数据一致", "port_closed": "yes"})]),
    ("access", "demo-admin", {"person": "刘工", "company": "某某信息技术有限公司", "hardware": "维护笔记本 HP 840 G8",
                              "channel": "onsite", "purpose": "更换存储阵列故障盘"},
     [("open", "demo-admin-b", {"port": "机房现场"})]),
    ("access", "demo-admin-b", {"person": "陈工", "company": "某某网络安全公司", "hardware": "漏洞扫描设备 NSFOCUS RSAS",
                                "channel": "remote", "purpose": "年度等保测评漏洞扫描"}, []),
    ("device", "demo-county", {"name": "农经站数据录入终端", "model": "联想 M720", "serial_no": "PC-0031",
                               "user_name": "赵会计", "mac": "3C:52:82:1A:7F:09", "location": "县农经站 203 室"}, []),
    ("device", "demo-county", {"name": "审计用笔记本", "model": "ThinkPad X1", "serial_no": "NB-0007", "user_name": "孙审计",
                               "mac": "A4:83:E7:2B:10:5C", "location": "县农经站 205 室"},
     [("leave", "demo-county", {"reason": "下乡开展村级财务审计", "custodian": "孙审计", "data_cleared": "yes"}),
      ("approve_leave", "demo-city", {})]),
    ("device", "demo-admin", {"name": "省平台备份服务器", "model": "浪潮 NF5280M6", "serial_no": "SRV-0102",
                              "user_name": "信息科周工", "mac": "00:1B:21:3A:4C:5D", "location": "省厅机房"},
     [("dispose", "demo-admin", {"disposal_reason": "主板故障，超过保修期", "destroyer": "信息科周工"})]),
    ("device", "demo-admin", {"name": "移动存储硬盘", "model": "西部数据 2TB", "serial_no": "HD-0011",
                              "user_name": "信息科吴工", "mac": "00:0E:C6:88:12:34", "location": "省厅机房"},
     [("dispose", "demo-admin", {"disposal_reason": "坏道，无法读取", "destroyer": "信息科吴工"}),
      ("approve_disposal", "demo-admin-b", {})]),
]


def _actors(url: str) -> dict[str, Actor]:
    with transaction(url) as s:
        return {u.username: Actor(user_id=u.id, username=u.username,
                                  scope=Scope(root=int(u.region_code), perms=role_perms(u.role), user_id=u.id, role=u.role))
                for u in s.scalars(select(User).where(User.username.like("demo-%")))}


def _dated(values: dict, today: dt.date) -> dict:
    return {k: (today + dt.timedelta(days=v)).isoformat() if isinstance(v, int) else v for k, v in values.items()}


def generate(url: str, key: str, today: dt.date, now: dt.datetime) -> dict:
    """Enter the plan; each entry's steps dated a few days apart, ending some days before `now`."""
    actors = _actors(url)
    base = min(now, dt.datetime.combine(today, dt.time(1, 30), tzinfo=dt.UTC))  # 09:30 in China on `today`
    made = {}
    for n, (kind, who, values, steps) in enumerate(PLAN):
        eid = store.create(url, key, actors[who], kind, _dated(values, today), today)
        for step, by, more in steps:
            version = _version(url, eid)
            store.advance(url, key, actors[by], kind, eid, version, step, _dated(more, today), today)
        made[kind] = made.get(kind, 0) + 1
        occurred = values.get("occurred_on")  # an incident is reported the day after it happened
        ago = -occurred - 1 if isinstance(occurred, int) else 3 + 5 * (len(PLAN) - n) // 2
        _date_back(url, eid, base - dt.timedelta(days=max(ago, 0)), len(steps))
    return made


def _version(url: str, eid: int) -> int:
    with transaction(url) as s:
        return s.get(RegisterEntry, eid).version


def _date_back(url: str, eid: int, start: dt.datetime, steps: int) -> None:
    """The entry created at `start`, each later step about a day after the one before."""
    with transaction(url) as s:
        ids = s.scalars(select(RegisterStep.id).where(RegisterStep.entry_id == eid).order_by(RegisterStep.id)).all()
        for i, sid in enumerate(ids):
            s.execute(update(RegisterStep).where(RegisterStep.id == sid).values(at=start + dt.timedelta(hours=26 * i)))
        s.execute(update(RegisterEntry).where(RegisterEntry.id == eid).values(created_at=start))
