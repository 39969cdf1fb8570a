"""The credit portrait's test world (tests/test_credit_portrait*.py): a subject in the demo county
with records of every kind, a score history, a forest right with a polygon and a mortgage, the
subject's own account, a second bank and forestry officials in and out of the county's scope."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from data.db import transaction
from data.models import CreditRepayment, CreditScore, ForestEncumbrance, User
from tests.support.business import actor, user_at
from tests.support.credit import make_record, make_right, make_subject, resident_id

BANK, OTHER_BANK = "合作金融机构", "另一农商银行"
NAME, PHONE, ADDRESS = "张林生", "13912345678", "吉林省长春市农安县合隆镇陈家店村三组"


def portrait_world(settings) -> dict:
    """A subject in the demo county with records of every kind, a score history, a forest right
    with a polygon and a mortgage; its own account; a second bank; officials in and out of scope."""
    county = settings.demo_county
    with transaction(settings.database_url) as s:
        bank = s.scalar(select(User).where(User.username == "demo-bank"))
        assert bank.institution == BANK
        village = int(s.scalar(select(User.region_code).where(User.username == "demo-village")))
    ident = resident_id(county, n=7)
    sid = make_subject(settings, village, name=NAME, identifier=ident, phone=PHONE, address=ADDRESS,
                       registered_on=dt.date(2020, 3, 1), score=742, grade="B", unrated=False,
                       evaluated_at=dt.datetime(2026, 9, 1, 2, 0, tzinfo=dt.UTC),
                       statement="本人按期还款，特此声明。")
    other_sid = make_subject(settings, village, name="李木森", identifier=resident_id(county, n=8))
    rec = {}
    rec["good"] = make_record(settings, sid, "good", dt.date(2025, 5, 1), title="县级造林绿化先进个人", subtype="commendation",
                              open_class="unconditional")
    rec["dishonest"] = make_record(settings, sid, "dishonest", dt.date(2026, 6, 1), title="违规采伐林木行政处罚",
                                   subtype="admin_penalty", severity="ordinary", publicity_until=dt.date(2027, 5, 31),
                                   amount_fen=500_000, document_no="农林罚〔2026〕12号", open_class="unconditional")
    rec["expired"] = make_record(settings, sid, "dishonest", dt.date(2025, 1, 10), title="过期的轻微处罚",
                                 subtype="admin_penalty", severity="minor", publicity_until=dt.date(2025, 4, 9))
    rec["loan"] = make_record(settings, sid, "loan", dt.date(2025, 3, 1), title="林权抵押贷款", amount_fen=12_345_600,
                              counterparty="农安县农村信用合作联社", document_no="借字2025-001", open_class="none",
                              content="贷款合同详情")
    rec["insurance"] = make_record(settings, sid, "insurance", dt.date(2025, 8, 1), title="森林保险理赔",
                                   amount_fen=880_000, counterparty="人保财险农安支公司", open_class="conditional")
    rec["transfer"] = make_record(settings, sid, "transfer", dt.date(2024, 9, 1), title="林地经营权流转",
                                  amount_fen=3_000_000, counterparty="王大山", open_class="conditional")
    rid = make_right(settings, sid, lon=125.18432, lat=44.43217,
                     polygon=[[125.183, 44.431], [125.186, 44.431], [125.186, 44.433], [125.183, 44.433], [125.183, 44.431]])
    with transaction(settings.database_url) as s:
        for due, paid_on, paid in ((dt.date(2025, 9, 1), dt.date(2025, 8, 30), 2_000_000),
                                   (dt.date(2026, 3, 1), None, 0)):
            s.add(CreditRepayment(record_id=rec["loan"], region_code=village, due_on=due, due_fen=2_000_000,
                                  paid_on=paid_on, paid_fen=paid))
        s.add(ForestEncumbrance(right_id=rid, region_code=village, kind="mortgage", holder="农安县农村信用合作联社",
                                amount_fen=12_345_600, registered_on=dt.date(2025, 3, 1), until=dt.date(2028, 2, 28),
                                loan_record_id=rec["loan"]))
        for i, (score, grade) in enumerate(((700, "B"), (725, "B"), (742, "B"))):
            s.add(CreditScore(subject_id=sid, region_code=village, as_of=dt.date(2026, 1 + 4 * i, 1), score=score,
                              grade=grade, model_version="test-1", reason="scheduled",
                              factors=[{"factor": "base", "label": "基础分", "points": 600, "record_ids": []},
                                       {"factor": "good", "label": "优良信息", "points": score - 600,
                                        "record_ids": [rec["good"]]}]))
    subject_user = user_at(settings, "credit-me", "credit_subject", village)
    other_bank = user_at(settings, "other-bank", "bank_user", 220000000000)
    with transaction(settings.database_url) as s:
        s.scalar(select(User).where(User.username == "credit-me")).credit_subject_id = sid
        s.scalar(select(User).where(User.username == "other-bank")).institution = OTHER_BANK
        s.scalar(select(User).where(User.username == "other-bank")).display_name = "另一银行信贷员"
    official = user_at(settings, "county-forest", "county_forestry", county)
    far = user_at(settings, "far-forest", "county_forestry", 220200000000 if str(county)[:4] != "2202" else 220100000000)
    return {"sid": sid, "other_sid": other_sid, "ident": ident, "rec": rec, "rid": rid, "village": village,
            "bank": actor(settings, "demo-bank"), "other_bank": other_bank, "me": subject_user,
            "official": official, "far": far, "other_bank_actor": other_bank}
