"""Demo faults of the cross-domain rule `credit_blacklisted_counterparty` (issue 15, lane E): a few
contract counterparties and payees of the generated collective economy made credit subjects with
a dishonest record (an administrative penalty) still in publicity on the demo's day, so that the
demo's one warning run raises the warning. Call `plant(url, today, seed)` after the collective
economy's records and the credit population are written and before the warning run: an
identifier that is already a credit subject gets the record, any other becomes a subject.

Deterministic: the records are picked by id with `random.Random(seed)`."""
from __future__ import annotations

import datetime as dt
import random

from sqlalchemy import select

from data.db import transaction
from data.models import Contract, CreditRecord, CreditSubject, PaymentRequest
from data.demo.credit_records import authority_code
from domain.citations import FOREST_LAW_PENALTY
from domain.credit.publicity import publicity_end

#: how many contracts and payees, per 1,000 of each (at least one each)
PER_MILLE = 2


def plant(url: str, today: dt.date, seed: int = 15) -> dict:
    rng = random.Random(seed)
    made = {"contracts": 0, "payments": 0}
    with transaction(url) as s:
        contracts = s.execute(select(Contract.id, Contract.region_code, Contract.counterparty, Contract.counterparty_id,
                                     Contract.counterparty_id_type)
                              .where(Contract.status == "active", Contract.counterparty_id.is_not(None))
                              .order_by(Contract.id)).all()
        payments = s.execute(select(PaymentRequest.id, PaymentRequest.region_code, PaymentRequest.counterparty_name,
                                    PaymentRequest.counterparty_id, PaymentRequest.counterparty_id_type,
                                    PaymentRequest.request_date)
                             .where(PaymentRequest.kind == "payment", PaymentRequest.status != "rejected")
                             .order_by(PaymentRequest.id)).all()
        picks = [("contracts", r, today - dt.timedelta(days=rng.randint(30, 200)))
                 for r in rng.sample(contracts, min(len(contracts), max(1, len(contracts) * PER_MILLE // 1000)))]
        picks += [("payments", r, min(r.request_date, today) - dt.timedelta(days=rng.randint(1, 60)))
                  for r in rng.sample(payments, min(len(payments), max(1, len(payments) * PER_MILLE // 1000)))]
        for what, r, decided in picks:
            ident = (r.counterparty_id or "").strip().upper()
            if not ident:
                continue
            subject = s.scalar(select(CreditSubject).where(CreditSubject.identifier == ident))
            if subject is None:
                natural = r.counterparty_id_type == "resident"
                subject = CreditSubject(region_code=r.region_code, kind="natural" if natural else "legal",
                                        id_type="resident" if natural else ("uscc" if r.counterparty_id_type == "uscc"
                                                                            else "other"),
                                        identifier=ident, name=(r[2] or "演示主体")[:200], unrated=True,
                                        provided_by="演示数据生成器")
                s.add(subject)
                s.flush()
            s.add(CreditRecord(subject_id=subject.id, region_code=subject.region_code, category="public", kind="dishonest",
                               subtype="admin_penalty", title="违法占用林地",
                               content="违法占用林地，依法作出罚款处罚决定", severity="serious", occurred_on=decided,
                               publicity_until=publicity_end("serious", decided), amount_fen=500_000,
                               document_no=f"林罚决字〔{decided.year}〕第{r.id % 1000:03d}号", source="platform",
                               produced_by="县林业局", open_class="unconditional", share_class="unconditional",
                               detail={"legal_basis": FOREST_LAW_PENALTY, "penalty_type": "罚款",
                                       "authority_code": authority_code(subject.region_code // 1_000_000)},
                               provided_by="演示数据生成器"))
            made[what] += 1
    return made
