"""Backups and restore drills on PostgreSQL (pg_dump -Fc, pg_restore --list, a scratch restore,
pg_restore --clean --single-transaction), through the real callbacks, on a database of its own:
back up, change data, restore, verify equality; a corrupted or truncated backup is refused and
leaves the database as it was; a failing verification rolls back."""
from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import text

from tests.support.app import build_app, generate_test_data, make_settings
from tests.support.http import call, output, sign_in, text as text_of
from tests.support.ops import chain_ok, dump



@pytest.fixture(scope="module")
def pg(postgres_server, tmp_path_factory):
    settings = generate_test_data(make_settings(tmp_path_factory.mktemp("pgbackup"),
                                                postgres_server.create_database("backupdrill")))
    app = build_app(settings)
    return settings, app, sign_in(app.server, "demo-admin")


def _latest(settings, model):
    import data.models as m
    from sqlalchemy import select

    from data.db import reading

    cls = getattr(m, model)
    with reading(settings.database_url) as s:
        return s.scalars(select(cls).order_by(cls.id.desc()).limit(1)).one()


def _backup(app, client):
    from tests.support.jobs import backup_now

    resp = backup_now(app, client)  # queued, run by the job runner, polled
    assert "已备份" in text_of(output(resp, "ops-backup-result", "children"))
    return _latest(app.server.config["PLATFORM_SETTINGS"], "Backup")


def _restore(app, client, backup_id):
    from callbacks.ops import backups

    resp = call(app, client, backups.confirm, [{"id": "ops-restore-confirm", "property": "n_clicks", "value": 1}],
                [{"id": "ops-restore-pending", "property": "data", "value": {"id": backup_id}},
                 {"id": "ops-refresh", "property": "data", "value": 0}])
    output(resp, "ops-backup-result", "children")
    return _latest(app.server.config["PLATFORM_SETTINGS"], "RestoreDrill")


def _change(settings):
    from data.db import transaction

    with transaction(settings.database_url) as s:
        s.execute(text("UPDATE collective_orgs SET name = '改过的名称' WHERE id = (SELECT MIN(id) FROM collective_orgs)"))
        s.execute(text("DELETE FROM bank_statement_lines"))
        s.execute(text("DELETE FROM voucher_lines WHERE id IN (SELECT id FROM voucher_lines ORDER BY id DESC LIMIT 5)"))


def test_backup_pg001_drill_back_up_change_restore_equal(pg):
    settings, app, client = pg
    backup = _backup(app, client)
    assert backup.engine == "postgresql" and backup.status == "ok"
    assert "pg_restore --list" in backup.check_result and "试恢复到临时数据库：成功" in backup.check_result
    assert Path(settings.backup_dir, backup.filename).read_bytes()[:5] == b"PGDMP"  # pg_dump's custom format
    saved = dump(settings.database_url)
    _change(settings)
    assert dump(settings.database_url) != saved
    drill = _restore(app, client, backup.id)
    assert drill.result == "restored", drill.checks
    assert dump(settings.database_url) == saved
    assert chain_ok(settings)
    after = _backup(app, client)  # the serials continue after the carried catalogue
    assert after.id > drill.pre_backup_id


@pytest.mark.parametrize("damage", ["corrupted", "truncated"])
def test_backup_pg002_a_damaged_backup_is_refused_and_changes_nothing(pg, damage):
    settings, app, client = pg
    backup = _backup(app, client)
    path = Path(settings.backup_dir, backup.filename)
    blob = bytearray(path.read_bytes())
    if damage == "corrupted":
        blob[len(blob) // 2:len(blob) // 2 + 32] = bytes(32)
    else:
        blob = blob[: len(blob) // 2]
    path.write_bytes(bytes(blob))
    _change(settings)
    before = dump(settings.database_url)
    drill = _restore(app, client, backup.id)
    assert drill.result == "refused" and drill.pre_backup_id is None
    assert dump(settings.database_url) == before


def test_backup_pg003_a_failing_verification_rolls_back(pg, monkeypatch):
    settings, app, client = pg
    from data.backup import restore

    backup = _backup(app, client)
    _change(settings)
    changed = dump(settings.database_url)
    real, calls = restore.verify_restored, []

    def failing_once(cfg, manifest, checks):
        calls.append(1)
        ok = real(cfg, manifest, checks)
        return checks.add("模拟：恢复后校验不通过", False, "test") if len(calls) == 1 else ok

    monkeypatch.setattr(restore, "verify_restored", failing_once)
    drill = _restore(app, client, backup.id)
    assert drill.result == "rolled_back", drill.checks
    assert dump(settings.database_url) == changed and chain_ok(settings)


def test_backup_pg004_the_national_export_validates_and_balances_on_postgresql(pg):
    """The sync's aggregate reads on PostgreSQL (booleans, numeric sums) give the same checks."""
    settings, app, client = pg
    from callbacks.ops import sync

    resp = call(app, client, sync.validate, [{"id": "ops-validate", "property": "n_clicks", "value": 1}],
                [{"id": "ops-year", "property": "value", "value": 2025}])
    assert "全部通过" in text_of(output(resp, "ops-validate-result", "children"))
    from tests.support.jobs import export_now

    resp = export_now(app, client, 2025)
    assert "已写入发件箱" in text_of(output(resp, "ops-sync-result", "children"))
    sync_row = _latest(settings, "NationalSync")
    assert sync_row.status == "sent" and sync_row.villages_failed == 0
    assert {f["table"]: f["rows"] for f in sync_row.files}["resources"] > 0
