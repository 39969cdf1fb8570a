"""The cross-domain warning (issue 15, item 7): a collective-economy contract counterparty or a
payee whose ID / credit code is a subject on the joint-punishment list on the run date raises
`credit_blacklisted_counterparty` for the village, through the engine's real run path, with both
records as evidence; after the publicity end it does not (the boundary day still does)."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from data.db import transaction
from data.models import Contract, PaymentRequest, Warning
from data.supervision import engine
from domain.supervision.rules import RULES
from tests.conftest import TODAY
from tests.support.business import own_database
from tests.support.credit import make_record, make_subject

RULE = "credit_blacklisted_counterparty"


@pytest.fixture(scope="module")
def settings(tmp_path_factory):
    return own_database(tmp_path_factory, "credit-warning")


def run(settings, today=TODAY, **kw):
    return engine.run(settings.database_url, settings.audit_key, today=today, rules=[RULE], data_dir=settings.data_dir, **kw)


def warning(settings, fingerprint: str) -> Warning | None:
    with transaction(settings.database_url) as s:
        return s.scalar(select(Warning).where(Warning.fingerprint == fingerprint))


def _contract(settings, skip=()):
    with transaction(settings.database_url) as s:
        return s.scalars(select(Contract).where(Contract.status == "active", Contract.counterparty_id.is_not(None),
                                                Contract.id.not_in(list(skip) or [0]))
                         .order_by(Contract.id)).first()


def _punish(settings, identifier: str, region: int, *, kind: str, until: dt.date, decided: dt.date) -> tuple[int, int]:
    sid = make_subject(settings, region, name="失信相对方", kind=kind, identifier=identifier)
    rid = make_record(settings, sid, "dishonest", decided, title="擅自改变林地用途", subtype="admin_penalty",
                      severity="ordinary", publicity_until=until, document_no="赣林罚〔2026〕8号", amount_fen=200_000,
                      content="内部备注：罚款已缴", open_class="unconditional")
    return sid, rid


@pytest.fixture(scope="module")
def planted(settings):
    c = _contract(settings)
    kind = "natural" if c.counterparty_id_type == "resident" else "legal"
    until = TODAY + dt.timedelta(days=10)
    sid, rid = _punish(settings, c.counterparty_id.strip().upper(), c.region_code, kind=kind, until=until,
                       decided=TODAY - dt.timedelta(days=60))
    return {"contract": c, "subject": sid, "record": rid, "until": until}


def test_credit_warning001_the_rule_is_declared_as_data():
    r = RULES[RULE]
    assert r.severity == 3 and r.area == "credit" and set(r.needs) == {"credit_punished", "contracts", "payments"}
    assert "第三十四条" in r.article.text


def test_credit_warning002_a_counterparty_on_the_list_raises_it_with_both_records(settings, planted):
    c, rid = planted["contract"], planted["record"]
    summary = run(settings)
    assert summary["per_rule"][RULE]["raised"] >= 1
    w = warning(settings, f"{RULE}:contract:{c.id}:{rid}")
    assert w is not None and w.region_code == c.region_code and w.assigned_region == c.region_code
    assert w.severity == 3 and w.status == "pushed" and "联合惩戒名单" in w.title
    ev = w.evidence
    # the contract
    assert ev["contract_id"] == c.id and c.number in w.title and ev["signed_on"] == c.signed_on.isoformat()
    # the dishonest record, as public 双公示 data shows it
    assert ev["credit_record_id"] == rid and ev["credit_title"] == "擅自改变林地用途"
    assert ev["credit_document_no"] == "赣林罚〔2026〕8号" and ev["publicity_until"] == planted["until"].isoformat()
    assert ev["credit_decided_on"] == (TODAY - dt.timedelta(days=60)).isoformat() and ev["credit_type"] == "行政处罚"
    assert not {"severity", "content", "credit_content", "open_class"} & set(ev)
    assert "罚款已缴" not in str(ev)
    assert run(settings)["raised"] == 0  # a re-run raises nothing twice


def test_credit_warning003_on_the_last_day_it_counts_the_day_after_it_does_not(settings, planted):
    c, rid, until = planted["contract"], planted["record"], planted["until"]
    fp = f"{RULE}:contract:{c.id}:{rid}"
    run(settings, today=until)
    assert warning(settings, fp).resolved_in_data_at is None
    summary = run(settings, today=until + dt.timedelta(days=1))
    assert summary["resolved"] >= 1 and warning(settings, fp).resolved_in_data_at is not None
    run(settings)  # back to today: the fault shows again
    assert warning(settings, fp).resolved_in_data_at is None


def test_credit_warning004_after_the_publicity_end_no_warning(settings, planted):
    c = _contract(settings, skip=[planted["contract"].id])
    while c.counterparty_id.strip().upper() == planted["contract"].counterparty_id.strip().upper():
        c = _contract(settings, skip=[planted["contract"].id, c.id])
    _, rid = _punish(settings, c.counterparty_id.strip().upper(), c.region_code,
                     kind="natural" if c.counterparty_id_type == "resident" else "legal",
                     until=TODAY - dt.timedelta(days=1), decided=TODAY - dt.timedelta(days=400))
    run(settings)
    assert warning(settings, f"{RULE}:contract:{c.id}:{rid}") is None


def test_credit_warning005_a_payee_on_the_list_raises_it(settings):
    with transaction(settings.database_url) as s:
        p = s.scalars(select(PaymentRequest).where(PaymentRequest.kind == "payment", PaymentRequest.status != "rejected",
                                                   PaymentRequest.counterparty_id_type == "uscc")
                      .order_by(PaymentRequest.id.desc())).first()
    day = p.paid_on or p.request_date
    _, rid = _punish(settings, p.counterparty_id.strip().upper(), p.region_code, kind="legal",
                     until=TODAY + dt.timedelta(days=30), decided=day - dt.timedelta(days=5))
    # through the incremental path a write would take (the payee's village only)
    run(settings, kind="incremental", region_root=p.region_code)
    w = warning(settings, f"{RULE}:payment_request:{p.id}:{rid}")
    assert w is not None and w.region_code == p.region_code
    assert w.evidence["payment_request_id"] == p.id and w.evidence["amount_fen"] == p.amount_fen
    assert w.evidence["credit_record_id"] == rid and w.evidence["publicity_until"] == (TODAY + dt.timedelta(days=30)).isoformat()


def _fresh_contract(settings):
    """An active contract whose counterparty is not yet a credit subject."""
    from data.models import CreditSubject

    with transaction(settings.database_url) as s:
        taken = set(s.scalars(select(CreditSubject.identifier)))
        for c in s.scalars(select(Contract).where(Contract.status == "active", Contract.counterparty_id.is_not(None))
                           .order_by(Contract.id.desc())):
            if c.counterparty_id.strip().upper() not in taken:
                return c
    raise AssertionError("no contract left")


def test_credit_warning006_a_repaired_record_leaves_the_list(settings):
    c = _fresh_contract(settings)
    sid = make_subject(settings, c.region_code, name="已修复主体", kind="legal", identifier=c.counterparty_id.strip().upper())
    rid = make_record(settings, sid, "dishonest", TODAY - dt.timedelta(days=30), subtype="admin_penalty",
                      severity="ordinary", publicity_until=TODAY + dt.timedelta(days=90), status="repaired")
    run(settings)
    assert warning(settings, f"{RULE}:contract:{c.id}:{rid}") is None
