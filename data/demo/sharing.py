"""Demo data-sharing applications and API use (issue 14 item 4): a bank's application approved
with a key in use (its call log, a few refused calls among them), a research institute's assessed
and waiting for the decision of the second provincial administrator, the demo county's own
application waiting for its risk assessment, a refused one, and a key revoked after misuse. Made
through the data layer (a handful of records, well under a second); the calls are written
directly, as the API would have logged them."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from data.db import transaction
from data.models import DataApiCall, DataApiKey, User
from data.sharing import keys as key_store
from data.sharing import requests as applications
from domain.permissions import Actor, Scope, role_perms
from domain.regions import truncate
from domain.sharing.applications import Draft

PDF = b"%PDF-1.4\n% demo: signed confidentiality commitment\n"


def _actor(url: str, username: str) -> Actor:
    with transaction(url) as s:
        u = s.scalar(select(User).where(User.username == username))
        return Actor(user_id=u.id, username=u.username, ip="127.0.0.1",
                     scope=Scope(root=int(u.region_code), perms=role_perms(u.role), user_id=u.id, role=u.role))


def apply(settings, today: dt.date, now: dt.datetime, township: int) -> dict:
    url, key, province = settings.database_url, settings.audit_key, settings.province
    admin, second, county = (_actor(url, n) for n in ("demo-admin", "demo-admin-b", "demo-county"))
    county_code = truncate(township, 3)
    since = dt.date(today.year - 2, 1, 1)
    now = min(now, dt.datetime.combine(today, dt.time(2), dt.UTC))  # the calls end on the demo's day

    def draft(unit, contact, purpose, scope, regions, personal=False, days=180):
        return Draft(unit=unit, contact=contact, purpose=purpose, scope=scope, regions=regions, data_from=since,
                     data_to=today, valid_until=today + dt.timedelta(days=days), personal=personal)

    def register(who, d, ips="10.20.0.0/16, 127.0.0.1", rate=60) -> int:
        return applications.register(url, key, province, who, d, ips, rate, today)

    bank = register(admin, draft("中国农业银行省分行", "王经理 0431-8888 6666", "涉农信贷授信前的集体经济组织经营情况核查",
                                 {"organisations": ["region_code", "name", "uscc"],
                                  "funds_monthly": ["region_code", "period", "receipts_fen", "payments_fen"],
                                  "contracts": ["region_code", "number", "counterparty", "amount_fen", "signed_on"]},
                                 [county_code]))
    applications.attach_commitment(url, key, admin, bank, "外部单位数据共享与服务保密责任书（农行）.pdf", PDF)
    applications.assess(url, key, second, bank, None, "medium", "含合同相对方姓名，未申请明文，接口脱敏返回；限本县范围")
    _, bank_token = applications.decide(url, key, second, bank, None, True, "同意，限用于信贷核查")
    research = register(admin, draft("省农业科学院农村发展研究所", "李研究员 139 0000 1111", "村级集体经济发展水平研究",
                                     {"village_base": ["region_code", "org_name", "population", "farmland_mu"],
                                      "resources": ["region_code", "type", "area_mu"]}, [truncate(township, 2)]))
    applications.attach_commitment(url, key, admin, research, "保密责任书（农科院）.pdf", PDF)
    applications.assess(url, key, second, research, None, "low", "仅基础数据与资源面积，无个人信息")
    own = register(county, draft("", "县农经站 张站长", "与邻县联合开展资源发包情况比对",
                                 {"resources": ["region_code", "name", "type", "area_mu", "contracted"]}, [township]))
    refused = register(admin, draft("某数据科技有限公司", "赵先生", "商业数据产品开发",
                                    {"contracts": ["counterparty", "counterparty_id", "amount_fen"]}, [county_code],
                                    personal=True))
    applications.decide(url, key, second, refused, None, False, "用途超出公共管理和服务范围，且申请个人信息明文，不予共享")
    revoked = register(admin, draft("某保险公司省分公司", "孙经理", "农业保险承保核查",
                                    {"assets": ["region_code", "name", "category", "original_value_fen", "acquired_on"]},
                                    [county_code], days=90), rate=10)
    applications.attach_commitment(url, key, admin, revoked, "保密责任书（保险）.pdf", PDF)
    applications.assess(url, key, second, revoked, None, "medium", "资产数据，限本县")
    applications.decide(url, key, second, revoked, None, True, "同意")
    with transaction(url) as s:
        keys = {k.request_id: k.id for k in s.scalars(select(DataApiKey))}
        calls = []
        for i in range(36):  # the bank's calls over the last days: reads, and a few refused
            at = now - dt.timedelta(hours=3 * i + 1)
            status, dataset, err, misuse = 200, ("funds_monthly", "organisations", "contracts")[i % 3], None, False
            if i % 11 == 5:
                status, dataset, err, misuse = 403, "assets", "未获批使用数据集“资产概况”", True
            calls.append(DataApiCall(key_id=keys[bank], at=at, method="GET", path=f"/api/v1/datasets/{dataset}",
                                     dataset=dataset, params={"limit": "100"}, status=status,
                                     rows=100 if status == 200 else 0, ip="10.20.3.15", duration_ms=12 + i % 7,
                                     error=err, misuse=misuse))
        for i in range(6):  # the insurer's calls beyond its region, then over its rate
            calls.append(DataApiCall(key_id=keys[revoked], at=now - dt.timedelta(days=2, minutes=i), method="GET",
                                     path="/api/v1/datasets/assets", dataset="assets",
                                     params={"region": str(province * 10**10)}, status=403 if i < 4 else 429,
                                     rows=0, ip="10.20.9.9", duration_ms=3, misuse=True,
                                     error="区域不在获批范围内" if i < 4 else "调用过于频繁：每分钟最多 10 次"))
        s.add_all(calls)
        s.get(DataApiKey, keys[bank]).misuse_count = sum(c.misuse for c in calls if c.key_id == keys[bank])
        s.get(DataApiKey, keys[revoked]).misuse_count = 6
    key_store.set_status(url, key, admin, keys[revoked], "revoke", "多次超出获批区域调用并超过调用上限，终止提供数据")
    del bank_token  # shown once to the approver; the demo keeps none
    return {"applications": 5, "keys": len(keys), "calls": len(calls), "own": own, "research": research}
