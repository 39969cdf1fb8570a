"""What the funds tests share: a database of their own, the demo users as actors, a request in
each state, a passed resolution to cite."""
from __future__ import annotations

import base64
import datetime as dt

from sqlalchemy import func, select

from data.db import transaction
from data.models import (Attachment, BankAccount, BankStatementImport, BankStatementLine, CollectiveOrg, PaymentRequest,
                         PeriodClose, RecordChange, User, Voucher, VoucherLine)
from domain.funds import requests as rules
from domain.permissions import Actor, Scope, role_perms
from tests.conftest import TODAY, make_settings

GOOD_ID = "11010519491231002X"
INVOICE_UPLOAD = "data:application/pdf;base64," + base64.b64encode(b"%PDF-1.4 invoice 2000").decode()


def own_database(tmp_path_factory, name: str):
    """A `test`-scale database of its own (funds tests post vouchers that other tests' figures must not see)."""
    from tests.support.app import generate_test_data

    return generate_test_data(make_settings(tmp_path_factory.mktemp(name)))


def app_for(settings):
    from app import create_app
    from data.query import QueryLayer

    return create_app(settings, QueryLayer(settings, today=TODAY).load())


def actor(settings, username) -> Actor:
    with transaction(settings.database_url) as s:
        u = s.scalar(select(User).where(User.username == username))
        return Actor(user_id=u.id, username=u.username, ip="127.0.0.1",
                     scope=Scope(root=int(u.region_code), perms=role_perms(u.role), user_id=u.id, role=u.role))


def village_org(settings, village: int):
    """(organisation id, its first bank account id) of a village."""
    with transaction(settings.database_url) as s:
        org = s.scalar(select(CollectiveOrg).where(CollectiveOrg.region_code == village))
        bank = s.scalar(select(BankAccount).where(BankAccount.org_id == org.id, BankAccount.kind == "bank")
                        .order_by(BankAccount.id))
        return org.id, bank.id


def snapshot(settings):
    """Everything a refused step must leave as it was: row counts of the funds tables, every
    request's status and version, and the record history."""
    with transaction(settings.database_url) as s:
        tables = (PaymentRequest, Voucher, VoucherLine, Attachment, PeriodClose, BankStatementImport, BankStatementLine,
                  RecordChange)
        n = tuple(s.scalar(select(func.count()).select_from(t)) for t in tables)
        states = tuple(s.execute(select(PaymentRequest.id, PaymentRequest.status, PaymentRequest.version)
                                 .order_by(PaymentRequest.id)).all())
        closes = tuple(s.execute(select(PeriodClose.id, PeriodClose.status, PeriodClose.version)).all())
        return n, states, closes


def draft(bank_id, **kw) -> rules.RequestDraft:
    base = dict(kind="payment", amount="1,234.50", purpose="购买办公用品", account=513, bank_account_id=bank_id,
                counterparty_name="王伟", counterparty_id_type="resident", counterparty_id=GOOD_ID, request_date=TODAY)
    base.update(kw)
    return rules.RequestDraft(**base)


def version(settings, rid):
    with transaction(settings.database_url) as s:
        return s.get(PaymentRequest, rid).version


def approved_request(settings, request_date: dt.date, approved_on: dt.date, **change) -> int:
    """A request of the demo village entered by its cashier and approved by both approvers."""
    from data.funds import requests as funds

    url, key = settings.database_url, settings.audit_key
    cashier = actor(settings, "demo-village")
    org_id, bank_id = village_org(settings, cashier.scope.root)
    rid = funds.submit(url, key, cashier, org_id, draft(bank_id, request_date=request_date, **change), TODAY)
    funds.decide(url, key, actor(settings, "demo-secretary"), rid, True, version(settings, rid), today=approved_on)
    funds.decide(url, key, actor(settings, "demo-supervisor"), rid, True, version(settings, rid), today=approved_on)
    return rid


def payment_resolution(settings, number: str, limit: str | None = None, held_on: dt.date | None = None,
                       decision_type: str = "payment", kind: str = "成员代表会议") -> int:
    """A resolution of the demo village voted at a meeting (30 due, 25 attend, 24 for): recorded
    with its minutes and sign-in sheet by its secretary through data.meetings.record and
    confirmed by its supervisory chair. Returns the resolution's id."""
    from data import meetings
    from data.models import Resolution
    from domain import meetings as meeting_rules
    from tests.support.business import MEETING_FILES, confirm, enrol

    secretary = actor(settings, "demo-secretary")
    org_id, _ = village_org(settings, secretary.scope.root)
    enrol(settings, org_id, 30)
    d = meeting_rules.MeetingDraft(kind=kind, title=f"{number}审议会议", held_on=held_on or TODAY - dt.timedelta(days=5),
                                   expected=30, attended=25, agenda="审议村部道路硬化工程款支付")
    r = meeting_rules.ResolutionDraft(number=number, subject="村部道路硬化工程款支付", decision_type=decision_type,
                                      votes_for=24, votes_against=1, amount_limit=limit)
    confirm(settings, meetings.record(settings.database_url, settings.audit_key, secretary, org_id, d, [r], TODAY,
                                      MEETING_FILES))
    with transaction(settings.database_url) as s:
        return s.scalar(select(Resolution.id).where(Resolution.org_id == org_id, Resolution.number == number))


def outsider(settings) -> Actor:
    """A township accountant of another township of the demo village's county."""
    other = actor(settings, "demo-village").scope.root // 10**6 * 10**6 + 999_000
    return Actor(user_id=999, username="other", scope=Scope(root=other, perms=role_perms("township_accountant"),
                                                            role="township_accountant"))
