"""Backups and restore drills on SQLite (Art. J37, X20–X21), through the real callbacks: back up,
change data, restore, verify equality; a corrupted or truncated backup is refused and leaves the
database as it was; a failing verification rolls back; the manifest; the files are never served;
the schedule and the command line."""
from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from sqlalchemy import func, select, text

from tests.support.http import call, output, sign_in, text as text_of
from tests.support.jobs import backup_now
from tests.support.ops import chain_ok, dump, private_copy



@pytest.fixture(scope="module")
def env(tmp_path_factory):
    settings, app = private_copy(tmp_path_factory, "backup")
    return settings, app, sign_in(app.server, "demo-admin")


def _change(settings) -> None:
    """Delete some ledger lines, rename an organisation, add a bank account: a day's work to undo."""
    from data.db import transaction

    with transaction(settings.database_url) as s:
        s.execute(text("DELETE FROM bank_statement_lines"))
        s.execute(text("UPDATE collective_orgs SET name = '改过的名称' WHERE id = (SELECT MIN(id) FROM collective_orgs)"))
        s.execute(text("DELETE FROM voucher_lines WHERE id IN (SELECT id FROM voucher_lines ORDER BY id DESC LIMIT 5)"))


def _backup_now(app, client) -> dict:
    resp = backup_now(app, client)  # queued, run by the job runner, polled (tests/support/jobs.py)
    assert "已备份" in text_of(output(resp, "ops-backup-result", "children"))
    return _last(app, "Backup")


def _restore(app, client, backup_id: int):
    from callbacks.ops import backups

    resp = call(app, client, backups.confirm, [{"id": "ops-restore-confirm", "property": "n_clicks", "value": 1}],
                [{"id": "ops-restore-pending", "property": "data", "value": {"id": backup_id}},
                 {"id": "ops-refresh", "property": "data", "value": 0}])
    return text_of(output(resp, "ops-backup-result", "children")), _last(app, "RestoreDrill")


def _last(app, model: str):
    import data.models as m
    from data.db import reading

    cls = getattr(m, model)
    with reading(app.server.config["PLATFORM_SETTINGS"].database_url) as s:
        return s.scalars(select(cls).order_by(cls.id.desc()).limit(1)).one()


def _count(settings, model: str, **where) -> int:
    import data.models as m
    from data.db import reading

    cls = getattr(m, model)
    with reading(settings.database_url) as s:
        return s.scalar(select(func.count()).select_from(cls).filter_by(**where))


def test_backup001_drill_back_up_change_restore_equal(env):
    settings, app, client = env
    backup = _backup_now(app, client)
    assert backup.status == "ok" and backup.kind == "manual" and backup.by_name == "demo-admin"
    saved = dump(settings.database_url)
    _change(settings)
    assert dump(settings.database_url) != saved
    message, drill = _restore(app, client, backup.id)
    assert drill.result == "restored", (message, drill.checks)
    assert "恢复成功" in message or "已从备份" in message
    assert dump(settings.database_url) == saved  # every restored table equals the backup
    assert all(c["ok"] for c in drill.checks) and len(drill.checks) >= 10
    pre = _last(app, "Backup")
    assert (pre.kind, pre.id) == ("pre_restore", drill.pre_backup_id)  # the state before it was backed up first
    assert chain_ok(settings)  # the security log carried over and still verifies against its signed head
    from callbacks.ops import backups

    resp = call(app, client, backups.load, [{"id": "ops-refresh", "property": "data", "value": 1}])
    drills = output(resp, "ops-drill-grid", "rowData")
    assert drills[0]["id"] == drill.id and drills[0]["result_label"] == "恢复成功"
    shown = {b["id"]: b for b in output(resp, "ops-backup-grid", "rowData")}
    assert shown[backup.id]["sha256"] == backup.sha256 and shown[backup.id]["chain_head"].startswith("#")


def test_backup002_manifest_names_the_file_its_checksum_rows_and_log_head(env):
    settings, app, client = env
    from data.backup import engines
    from data.db import reading
    from data.models import AuditLog

    with reading(settings.database_url) as s:
        head = s.execute(select(AuditLog.id, AuditLog.mac).order_by(AuditLog.id.desc()).limit(1)).one()
    backup = _backup_now(app, client)
    path = Path(settings.backup_dir) / backup.filename
    manifest = json.loads(path.with_name(path.name + ".manifest.json").read_text())
    assert engines.sha256_file(path) == (manifest["sha256"], manifest["bytes"]) == (backup.sha256, backup.size_bytes)
    assert manifest["security_log_head"] == {"id": head[0], "mac": head[1]}
    assert manifest["integrity"] == "ok" and manifest["chain_ok"]
    assert manifest["tables"]["voucher_lines"] == _count(settings, "VoucherLine") > 0
    assert oct(Path(settings.backup_dir).stat().st_mode & 0o777) == "0o700"


@pytest.mark.parametrize("damage", ["corrupted", "truncated"])
def test_backup003_a_damaged_backup_is_refused_and_changes_nothing(env, damage):
    settings, app, client = env
    backup = _backup_now(app, client)
    path = Path(settings.backup_dir) / backup.filename
    blob = bytearray(path.read_bytes())
    if damage == "corrupted":
        blob[len(blob) // 2:len(blob) // 2 + 64] = bytes(64)  # same size, different bytes
    else:
        blob = blob[: len(blob) // 3]
    path.write_bytes(bytes(blob))
    _change(settings)
    before, backups = dump(settings.database_url), _count(settings, "Backup")
    message, drill = _restore(app, client, backup.id)
    assert drill.result == "refused" and "已拒绝恢复" in message
    failed = [c["check"] for c in drill.checks if not c["ok"]]
    assert failed == (["SHA-256 与记录一致"] if damage == "corrupted" else ["文件大小与记录一致"])
    assert dump(settings.database_url) == before  # the database as it was
    assert _count(settings, "Backup") == backups and drill.pre_backup_id is None  # nothing was even backed up


def test_backup004_a_corrupt_file_with_a_matching_record_fails_the_scratch_read(env):
    """Even a file whose checksum was recorded wrongly is read from a scratch copy first."""
    settings, app, client = env
    from data.backup import engines
    from data.db import transaction
    from data.models import Backup

    backup = _backup_now(app, client)
    path = Path(settings.backup_dir) / backup.filename
    path.write_bytes(b"not a database" * 1000)
    digest, size = engines.sha256_file(path)
    with transaction(settings.database_url) as s:
        s.get(Backup, backup.id).sha256, s.get(Backup, backup.id).size_bytes = digest, size
    before = dump(settings.database_url)
    _, drill = _restore(app, client, backup.id)
    assert drill.result == "refused" and not drill.checks[-1]["ok"]
    assert dump(settings.database_url) == before


def test_backup005_a_failing_verification_rolls_back(env, monkeypatch):
    settings, app, client = env
    from data.backup import restore

    backup = _backup_now(app, client)
    _change(settings)
    changed = dump(settings.database_url)
    real, calls = restore.verify_restored, []

    def failing_once(cfg, manifest, checks):
        calls.append(1)
        if len(calls) == 1:
            real(cfg, manifest, checks)
            return checks.add("模拟：恢复后校验不通过", False, "test")
        return real(cfg, manifest, checks)

    monkeypatch.setattr(restore, "verify_restored", failing_once)
    message, drill = _restore(app, client, backup.id)
    assert drill.result == "rolled_back" and "已回滚" in message, drill.checks
    assert dump(settings.database_url) == changed  # back to the state before the restore
    assert len(calls) == 2 and chain_ok(settings)


def test_backup006_backup_files_are_never_served(env):
    settings, app, client = env
    backup = _backup_now(app, client)
    content = (Path(settings.backup_dir) / backup.filename).read_bytes()[:64]
    name = backup.filename
    for path in (f"/backups/{name}", f"/var/backups/{name}", f"/assets/{name}", f"/assets/../backups/{name}",
                 f"/assets/..%2Fbackups%2F{name}", f"/_dash-component-suites/{name}", f"/api/attachments/{name}",
                 f"/{name}", f"/outbox/{name}", f"/assets/..%2F..%2Fvar%2Fbackups%2F{name}"):
        for c in (client, app.server.test_client()):
            resp = c.get(path)  # a refusal, a sign-in redirect or the app's own page: never the file
            assert content not in resp.get_data() and b"SQLite format 3" not in resp.get_data(), path
            assert resp.status_code != 200 or resp.mimetype == "text/html", (path, resp.status_code, resp.mimetype)


def test_backup007_others_may_not_back_up_or_restore(env):
    settings, app, client = env
    from callbacks.ops import backups

    backup = _backup_now(app, client)
    before = (_count(settings, "Backup"), _count(settings, "RestoreDrill"))
    for username in ("demo-county", "demo-province", "demo-village"):
        other = sign_in(app.server, username)
        r1 = call(app, other, backups.backup_now, [{"id": "ops-backup-now", "property": "n_clicks", "value": 1}])
        r2 = call(app, other, backups.confirm, [{"id": "ops-restore-confirm", "property": "n_clicks", "value": 1}],
                  [{"id": "ops-restore-pending", "property": "data", "value": {"id": backup.id}},
                   {"id": "ops-refresh", "property": "data", "value": 0}])
        assert r1.status_code in (401, 403) and r2.status_code in (401, 403)
    assert (_count(settings, "Backup"), _count(settings, "RestoreDrill")) == before


def test_backup008_schedule_and_keep_period():
    from data.backup.schedule import next_run, parse
    from domain.clock import CST

    at = parse("02:30")
    assert parse("") is None
    with pytest.raises(ValueError):
        parse("25:00")
    now = dt.datetime(2026, 11, 22, 1, 0, tzinfo=CST)
    assert next_run(now, at) == dt.datetime(2026, 11, 22, 2, 30, tzinfo=CST)
    assert next_run(now.replace(hour=2, minute=30), at) == dt.datetime(2026, 11, 23, 2, 30, tzinfo=CST)
    assert next_run(dt.datetime(2026, 11, 21, 19, 0, tzinfo=dt.UTC), at) == dt.datetime(2026, 11, 23, 2, 30, tzinfo=CST)


def test_backup009_scheduled_only_when_set(env):
    settings, _app, _ = env
    from data.jobs.runner import schedules

    assert "backup" not in {s.kind for s in schedules(settings)}  # tests: BACKUP_SCHEDULE is empty
    (item,) = [s for s in schedules(settings.with_(backup_schedule="03:00")) if s.kind == "backup"]
    assert item.daily_at.hour == 3 and item.daily_at.minute == 0


def test_backup010_expired_files_are_pruned_and_their_records_kept(env):
    settings, app, client = env
    from data.backup import store
    from data.db import transaction
    from data.models import Backup

    backup = _backup_now(app, client)
    path = Path(settings.backup_dir) / backup.filename
    with transaction(settings.database_url) as s:
        s.get(Backup, backup.id).started_at = dt.datetime.now(dt.UTC) - dt.timedelta(days=settings.backup_keep_days + 1)
    assert store.prune(settings) >= 1
    assert not path.exists() and _last(app, "Backup").id >= backup.id
    with transaction(settings.database_url) as s:
        assert s.get(Backup, backup.id).status == "expired"
    _, drill = _restore(app, client, backup.id)
    assert drill.result == "refused"


def test_backup011_command_line(env, monkeypatch, capsys):
    settings, _app, _ = env
    from data.backup.__main__ import main

    monkeypatch.setenv("DATA_DIR", str(settings.data_dir))
    monkeypatch.setenv("DATABASE_URL", settings.database_url)
    monkeypatch.setenv("AUDIT_KEY", settings.audit_key)
    monkeypatch.setenv("SECRET_KEY", "x")
    assert main(["backup"]) == 0
    line = capsys.readouterr().out
    bid = int(line.split()[0].lstrip("#"))
    assert main(["check", str(bid)]) == 0
    assert "✓ SHA-256 与记录一致" in capsys.readouterr().out
    assert main(["restore", str(bid)]) == 2  # not without --yes
    assert main(["list"]) == 0 and f"#{bid}" in capsys.readouterr().out
