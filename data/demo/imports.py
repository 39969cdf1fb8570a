"""Demo of the imports (Art. J18): the demo township's accountant imported the demo village's
resource register from a spreadsheet, and tried a 2004-chart ledger that could not be mapped (so
nothing of it was imported); both are in the import records, as the page lists them."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from data.db import reading
from data.imports import service
from data.models import User
from domain.permissions import Actor, Scope, role_perms

_RESOURCES = ("地区代码,资源名称,资源类型,面积（亩）,坐落\r\n"
              "{v},历史台账·北岗耕地,耕地,86.5,北岗\r\n{v},历史台账·西山林地,林地,240,西山\r\n"
              "{v},历史台账·南河水面,水面,12.25,南河\r\n")
_LEDGER_2004 = ("地区代码,日期,凭证号,摘要,科目代码,借方金额,贷方金额\r\n"
                "{v},2015-03-10,1,购入耕牛,131,6000.00,\r\n{v},2015-03-10,1,购入耕牛,102,,6000.00\r\n"
                "{v},2015-04-02,2,收到发包款,102,12000.00,\r\n{v},2015-04-02,2,收到发包款,511,,12000.00\r\n")


def generate(settings, today: dt.date) -> int:
    """The demo's import records; returns how many."""
    with reading(settings.database_url) as s:
        u = s.scalar(select(User).where(User.username == "demo-township"))
        village = s.scalar(select(User.region_code).where(User.username == "demo-village"))
        if u is None or village is None:
            return 0
        who = Actor(user_id=u.id, username=u.username, ip=None,
                    scope=Scope(root=int(u.region_code), perms=role_perms(u.role), user_id=u.id, role=u.role))
    url, key = settings.database_url, settings.audit_key
    service.commit(url, key, who, "resources", "资源台账（历史）.csv", _RESOURCES.format(v=village).encode("utf-8-sig"), today)
    try:
        service.commit(url, key, who, "ledger2004", "2015年账簿（2004科目）.csv", _LEDGER_2004.format(v=village).encode("gbk"),
                       today)
    except service.Rejected:
        pass  # 131 牲畜（禽）资产 and 511 发包及上交收入 have no one 2023 account: recorded, nothing imported
    return 2
