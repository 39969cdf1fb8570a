"""Record history (who changed which field, from what to what) and attachments (stored with a
SHA-256 that is checked on every read, scoped like their record)."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select, update

from data import attachments
from data.funds import requests as funds
from data.accounts import AccountError, Actor
from data.db import transaction
from data.history import history
from data.models import Attachment, RecordChange
from domain.permissions import PermissionDenied, Scope, role_perms
from tests.conftest import TODAY, make_settings, sign_in
from tests.test_funds import actor, draft, version, village_org


@pytest.fixture(scope="module")
def db(tmp_path_factory):
    from data.demo import generate

    settings = make_settings(tmp_path_factory.mktemp("history"))
    generate(settings, "test", today=TODAY, log=lambda *_: None)
    return settings


@pytest.fixture(scope="module")
def request_id(db):
    cashier = actor(db, "demo-village")
    org_id, bank_id = village_org(db, cashier.scope.root)
    return funds.submit(db.database_url, db.audit_key, cashier, org_id, draft(bank_id), TODAY)


def outsider(db) -> Actor:
    """A township accountant of another township of the same county."""
    cashier = actor(db, "demo-village")
    other = cashier.scope.root // 10**6 * 10**6 + 999_000
    return Actor(user_id=999, username="other", scope=Scope(root=other, perms=role_perms("township_accountant"),
                                                            role="township_accountant"))


def test_history_names_who_changed_which_field(db, request_id):
    url, key = db.database_url, db.audit_key
    secretary = actor(db, "demo-secretary")
    funds.decide(url, key, secretary, request_id, True, version(db, request_id), comment="同意")
    rows = history(url, secretary.scope, "payment_requests", request_id)
    assert [r["action"] for r in rows] == ["update", "insert"]
    assert rows[1]["by"] == "demo-village" and rows[1]["changes"]["amount_fen"] == [None, "123450"]
    assert rows[0]["by"] == "demo-secretary"
    assert rows[0]["changes"]["status"] == ["submitted", "secretary_approved"]
    assert "version" not in rows[0]["changes"] and "updated_at" not in rows[0]["changes"]
    with pytest.raises(PermissionDenied):
        history(url, outsider(db).scope, "payment_requests", request_id)


def test_a_refused_write_leaves_no_history(db, request_id):
    url, key = db.database_url, db.audit_key
    with transaction(url) as s:
        before = s.scalar(select(func.count()).select_from(RecordChange))
    with pytest.raises(PermissionDenied):  # the cashier may not approve her own request
        funds.decide(url, key, actor(db, "demo-village"), request_id, True, version(db, request_id))
    with transaction(url) as s:
        assert s.scalar(select(func.count()).select_from(RecordChange)) == before


def test_attachments_are_checked_scoped_and_refused_when_bad(db, request_id):
    url = db.database_url
    cashier = actor(db, "demo-village")
    with transaction(url, cashier) as s:
        aid = attachments.add(s, cashier, "payment_request", request_id, "发票.pdf", b"%PDF-1.4 invoice")
    name, ctype, content = attachments.fetch(url, cashier.scope, aid)
    assert (name, ctype, content) == ("发票.pdf", "application/pdf", b"%PDF-1.4 invoice")
    with transaction(url) as s:
        assert [r["filename"] for r in attachments.list_for(s, cashier.scope, "payment_request", request_id)] == ["发票.pdf"]
    with pytest.raises(PermissionDenied):
        attachments.fetch(url, outsider(db).scope, aid)
    bank = Scope(root=cashier.scope.root // 10**10 * 10**10, perms=role_perms("bank_user"), role="bank_user")
    with pytest.raises(PermissionDenied):  # a bank sees credit portraits, not the village's invoices
        attachments.fetch(url, bank, aid)

    def count():
        with transaction(url) as s:
            return s.scalar(select(func.count()).select_from(Attachment))

    before = count()
    for filename, content, why in (("病毒.exe", b"MZ", "只能上传"), ("空.pdf", b"", "空的"),
                                   ("大.pdf", b"x" * (attachments.MAX_BYTES + 1), "超过")):
        with pytest.raises(AccountError, match=why):
            with transaction(url, cashier) as s:
                attachments.add(s, cashier, "payment_request", request_id, filename, content)
    assert count() == before
    with transaction(url) as s:  # someone edits the stored bytes behind the platform's back
        s.execute(update(Attachment).where(Attachment.id == aid).values(content=b"%PDF-1.4 forged"))
    with pytest.raises(attachments.CorruptAttachment):
        attachments.fetch(url, cashier.scope, aid)


def test_download_route_serves_in_scope_and_logs(db, request_id):
    from app import create_app
    from data.query import QueryLayer
    from data.models import AuditLog

    url = db.database_url
    cashier = actor(db, "demo-village")
    with transaction(url, cashier) as s:
        aid = attachments.add(s, cashier, "payment_request", request_id, "合同扫描件.png", b"\x89PNG data")
    app = create_app(db, QueryLayer(db, today=TODAY).load())
    resp = sign_in(app.server, "demo-village").get(f"/api/attachments/{aid}")
    assert resp.status_code == 200 and resp.data == b"\x89PNG data"
    assert "attachment" in resp.headers["Content-Disposition"]
    assert sign_in(app.server, "demo-bank").get(f"/api/attachments/{aid}").status_code == 403
    assert app.server.test_client().get(f"/api/attachments/{aid}").status_code == 302  # not signed in
    with transaction(url) as s:
        kinds = s.execute(select(AuditLog.type, AuditLog.result).where(AuditLog.description.contains("附件"))).all()
    assert ("download", "success") in kinds and ("permission_denied", "denied") in kinds
