"""Password rules, lockout arithmetic and the tamper-evident security log (domain modules alone)."""
from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest
from sqlalchemy import func, select, text, update

from data.admin import audit_log
from data.db import transaction, upgrade
from data.models import AuditLog
from domain import clock
from domain.admin import audit, passwords
from settings import Settings

NOW = dt.datetime(2026, 11, 22, 9, 0, tzinfo=dt.UTC)


@pytest.mark.parametrize("pw, ok", [
    ("Demo@2026!", True), ("短密码1!", False), ("abcdefgh", False), ("abcd1234", False), ("abcd!@#$", False),
    ("Password@123", False),                      # common
    ("Zl9#" + "x" * 100, True),                   # long passwords are fine
])
def test_passwords001_password_rules(pw, ok):
    assert (passwords.password_problems(pw) == []) is ok


def test_passwords002_long_passwords_are_not_truncated():
    pw = "Qz7!" + "a" * 96
    h = passwords.hash_password(pw)
    assert passwords.verify_password(h, pw)
    assert not passwords.verify_password(h, pw[:-1])
    assert not passwords.verify_password(h, pw[:72])


def test_passwords003_hash_is_argon2id_at_owasp_minimum():
    h = passwords.hash_password("Demo@2026!")
    assert h.startswith("$argon2id$") and "m=19456,t=2,p=1" in h


def test_passwords004_lockout_after_five_failures_for_thirty_minutes():
    u = SimpleNamespace(failed_attempts=0, locked_until=None)
    for _ in range(4):
        passwords.register_failure(u, NOW)
    assert not passwords.is_locked(u, NOW)
    passwords.register_failure(u, NOW)
    assert passwords.is_locked(u, NOW + dt.timedelta(minutes=29))
    assert not passwords.is_locked(u, NOW + dt.timedelta(minutes=30))


def test_passwords005_expiry_after_365_days():
    assert not passwords.password_expired(NOW - dt.timedelta(days=364), NOW)
    assert passwords.password_expired(NOW - dt.timedelta(days=365), NOW)


@pytest.fixture
def log_db(tmp_path):
    s = Settings(province=22, database_url="", data_dir=tmp_path, secret_key="k", audit_key="audit-key")
    upgrade(s.database_url)
    return s


def _write(settings, n, start=NOW, step=dt.timedelta(days=1)):
    with transaction(settings.database_url) as s:
        for i in range(n):
            audit_log.record(s, settings.audit_key, actor="demo-county", type="data_change", description=f"修改合同 {i}",
                         result="success", region_code=220122000000, detail={"i": i}, at=start + i * step)


def test_audit001_chain_verifies_and_names_the_first_tampered_row(log_db):
    _write(log_db, 5)
    url, key = log_db.database_url, log_db.audit_key
    with transaction(url) as s:
        assert audit_log.verify(s, key).ok and audit_log.verify(s, key).checked == 5
        third = s.scalars(select(AuditLog.id).order_by(AuditLog.id)).all()[2]
        s.execute(update(AuditLog).where(AuditLog.id == third).values(description="篡改"))
    with transaction(url) as s:
        v = audit_log.verify(s, key)
        assert not v.ok and v.first_bad_id == third
    with transaction(url) as s:  # deleting a row breaks the next link
        s.execute(update(AuditLog).where(AuditLog.id == third).values(description="修改合同 2"))
        assert audit_log.verify(s, key).ok
        s.execute(text("DELETE FROM audit_log WHERE id = :i"), {"i": third})
    with transaction(url) as s:
        v = audit_log.verify(s, key)
        assert not v.ok and v.first_bad_id == third + 1
        assert not audit_log.verify(s, "another-key").ok


def test_audit002_purge_keeps_six_calendar_months(log_db):
    start = dt.datetime(2026, 6, 25, 4, 0, tzinfo=dt.UTC)  # 12:00 +08:00
    _write(log_db, 10, start=start)  # 2026-06-25 … 2026-07-04
    with transaction(log_db.database_url) as s:
        deleted = audit_log.purge(s, log_db.audit_key, dt.date(2026, 12, 31))
    assert deleted == 5  # 25–29 June go; 30 June and later stay
    with transaction(log_db.database_url) as s:
        first = s.scalar(select(func.min(AuditLog.at)))
        assert first.astimezone(clock.CST).date() == dt.date(2026, 6, 30)
        assert audit_log.verify(s, log_db.audit_key).ok
    assert audit.retention_cutoff(dt.date(2026, 8, 31)) == dt.date(2026, 2, 28)
