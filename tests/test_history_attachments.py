"""Record history (who changed which field, from what to what) and attachments (stored with a
SHA-256 that is checked on every read, scoped like their record); a caller of another township or
county sees neither, and a refused write leaves no history."""
from __future__ import annotations

import pytest
from sqlalchemy import select, update

from data import attachments, resources
from data.db import transaction
from data.errors import AccountError, StaleEdit
from data.history import history
from data.models import Asset, Attachment, AuditLog, RecordChange
from domain.contracts import ResourceDraft
from domain.permissions import Actor, PermissionDenied, Scope, role_perms
from tests.support.business import actor, counts, own_database, stranger
from tests.support.http import app_on

FILE = b"%PDF-1.4 invoice"


@pytest.fixture(scope="module")
def db(tmp_path_factory):
    return own_database(tmp_path_factory, "history")


@pytest.fixture(scope="module")
def app(db):
    return app_on(db)


@pytest.fixture(scope="module")
def resource_id(db):
    """A resource the demo secretary registered (version 1)."""
    org_id = own_org(db)
    return resources.create(db.database_url, db.audit_key, actor(db, "demo-secretary"), org_id,
                            ResourceDraft(name="历史测试地", type="耕地", area="12.5"))


@pytest.fixture(scope="module")
def asset_id(db):
    village = actor(db, "demo-village").scope.root
    with transaction(db.database_url) as s:
        return s.scalar(select(Asset.id).where(Asset.region_code == village).limit(1))


def own_org(db) -> int:
    return next(o["id"] for o in resources.orgs(db.database_url, actor(db, "demo-secretary")))


def outsider(db) -> Actor:
    """A township accountant of another township of the same county."""
    cashier = actor(db, "demo-village")
    other = cashier.scope.root // 10**6 * 10**6 + 999_000
    return Actor(user_id=999, username="other", scope=Scope(root=other, perms=role_perms("township_accountant"),
                                                            role="township_accountant"))


def test_history001_names_who_changed_which_field(db, resource_id):
    url, key = db.database_url, db.audit_key
    resources.edit(url, key, actor(db, "demo-village"), resource_id, ResourceDraft(name="历史测试地", type="林地",
                                                                                 area="12.5"), 1)
    rows = history(url, actor(db, "demo-secretary").scope, "resources", resource_id)
    assert [r["action"] for r in rows] == ["update", "insert"]
    assert rows[1]["by"] == "西关社区书记（演示）（demo-secretary）" and rows[1]["changes"]["area_mu"] == [None, "12.5"]
    assert rows[0]["by"].endswith("（demo-village）") and rows[0]["changes"] == {"type": ["耕地", "林地"]}
    assert "version" not in rows[0]["changes"] and "updated_at" not in rows[0]["changes"]
    for who in (outsider(db), stranger(db, "demo-secretary")):
        with pytest.raises(PermissionDenied, match="^该记录不在您的管辖范围内$"):
            history(url, who.scope, "resources", resource_id)


def test_history002_a_refused_write_leaves_no_history(db):
    url, key = db.database_url, db.audit_key
    rid = resources.create(url, key, actor(db, "demo-secretary"), own_org(db),
                           ResourceDraft(name="拒绝无历史地", type="耕地", area="3"))
    resources.edit(url, key, actor(db, "demo-village"), rid, ResourceDraft(name="拒绝无历史地", type="林地", area="3"), 1)
    elsewhere = stranger(db, "demo-secretary")
    before = counts(db, RecordChange)
    with pytest.raises(StaleEdit):  # the version the secretary opened before the cashier's correction
        resources.edit(url, key, actor(db, "demo-secretary"), rid, ResourceDraft(name="改", type="耕地", area="1"), 1)
    with pytest.raises(PermissionError, match="^该资源不在您的管辖范围内$"):  # a secretary of another county
        resources.edit(url, key, elsewhere, rid, ResourceDraft(name="改", type="耕地", area="1"), 2)
    assert counts(db, RecordChange) == before


def test_history003_attachments_are_checked_scoped_and_refused_when_bad(db, asset_id):
    url = db.database_url
    cashier = actor(db, "demo-village")
    with transaction(url, cashier) as s:
        aid = attachments.add(s, cashier, "asset", asset_id, "发票.pdf", FILE)
    name, ctype, content = attachments.fetch(url, cashier.scope, aid)
    assert (name, ctype, content) == ("发票.pdf", "application/pdf", FILE)
    with transaction(url) as s:
        assert "发票.pdf" in [r["filename"] for r in attachments.list_for(s, cashier.scope, "asset", asset_id)]
    for who in (outsider(db), stranger(db, "demo-village")):
        with pytest.raises(PermissionDenied, match="^附件不存在或不在您的管辖范围内$"):
            attachments.fetch(url, who.scope, aid)
    bank = Scope(root=cashier.scope.root // 10**10 * 10**10, perms=role_perms("bank_user"), role="bank_user")
    with pytest.raises(PermissionDenied):  # a bank sees credit portraits, not the village's invoices
        attachments.fetch(url, bank, aid)

    before = counts(db, Attachment)
    for filename, content, why in (("病毒.exe", b"MZ", "只能上传"), ("空.pdf", b"", "空的"),
                                   ("大.pdf", b"x" * (attachments.MAX_BYTES + 1), "超过")):
        with pytest.raises(AccountError, match=why):
            with transaction(url, cashier) as s:
                attachments.add(s, cashier, "asset", asset_id, filename, content)
    elsewhere = stranger(db, "demo-village")
    with pytest.raises(PermissionDenied, match="^该记录不在您的管辖范围内$"):  # a cashier of another county
        with transaction(url, elsewhere) as s:
            attachments.add(s, elsewhere, "asset", asset_id, "外县.pdf", FILE)
    assert counts(db, Attachment) == before
    with transaction(url) as s:  # someone edits the stored bytes behind the platform's back
        s.execute(update(Attachment).where(Attachment.id == aid).values(content=b"%PDF-1.4 forged"))
    with pytest.raises(attachments.CorruptAttachment):
        attachments.fetch(url, cashier.scope, aid)


def test_history004_download_route_serves_in_scope_and_logs(app, client_for, db, asset_id):
    url = db.database_url
    cashier = actor(db, "demo-village")
    with transaction(url, cashier) as s:
        aid = attachments.add(s, cashier, "asset", asset_id, "合同扫描件.png", b"\x89PNG data")
    resp = client_for("demo-village").get(f"/api/attachments/{aid}")
    assert resp.status_code == 200 and resp.data == b"\x89PNG data"
    assert "attachment" in resp.headers["Content-Disposition"]
    assert client_for("demo-bank").get(f"/api/attachments/{aid}").status_code == 403
    stranger(db, "demo-village")
    assert client_for("demo-village-elsewhere").get(f"/api/attachments/{aid}").status_code == 403
    assert app.server.test_client().get(f"/api/attachments/{aid}").status_code == 302  # not signed in
    with transaction(url) as s:
        kinds = s.execute(select(AuditLog.actor, AuditLog.type, AuditLog.result)
                          .where(AuditLog.description.contains("附件"))).all()
    assert ("demo-village", "download", "success") in kinds
    assert {("demo-bank", "permission_denied", "denied"),
            ("demo-village-elsewhere", "permission_denied", "denied")} <= set(kinds)
