"""Issue 12 item 4: the security log — refusals shown inside a form are logged, deleting the newest
entries is detected through the signed head in DATA_DIR, PostgreSQL refuses UPDATE and DELETE
on the log (except the purge), and chart-download reports are the server's own text."""
from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import pytest
from sqlalchemy import func, select, text

import callbacks.trading
from data.admin import audit_log
from data.db import reading, transaction, upgrade
from data.models import AuditLog, Resource
from domain.admin import audit
from server.exports import EXPORT_KINDS, EXPORT_LIMIT
from tests.support.accounts import actor, audit_count
from tests.support.app import make_settings
from tests.support.http import call, output, props, sign_in, text as text_of

ROOT = Path(__file__).resolve().parents[1]


# ------------------------------------------------------------------ (a) refusals inside callbacks

def test_auditlog001_a_refusal_shown_as_a_form_message_is_logged(app, sqlite_settings):
    """The trading form catches OutOfScope and shows it; the refusal is still in the log, once."""
    county = sqlite_settings.demo_county
    with reading(sqlite_settings.database_url) as s:
        foreign = s.scalar(select(Resource.id).where((Resource.region_code < county) | (Resource.region_code >= county
                                                                                          + 10**6)).limit(1))
    assert foreign is not None
    c = sign_in(app.server, "demo-township")
    before = audit_count(sqlite_settings, "permission_denied", "demo-township")
    resp = call(app, c, callbacks.trading.create, props(("list-submit", "n_clicks", 1)),
                props(("list-resource", "value", f"{foreign}:x"), ("list-kind", "value", "lease"),
                      ("list-reserve", "value", "1000"), ("list-term", "value", 12), ("list-resolution", "value", None),
                      ("list-opens", "date", None), ("list-closes", "date", None), ("trade-refresh", "data", 0)))
    shown = text_of(output(resp, "list-result", "children"))
    assert shown and "挂牌" not in shown.replace("未挂牌", "")  # a refusal, not a listing
    assert audit_count(sqlite_settings, "permission_denied", "demo-township") == before + 1


# ------------------------------------------------------------------ (b) the signed head

@pytest.fixture
def log_db(tmp_path):
    settings = make_settings(tmp_path)
    upgrade(settings.database_url)
    audit_log.use_head_file(settings.database_url, settings.data_dir)
    return settings


def _append(settings, n: int) -> None:
    for i in range(n):  # one commit each, as the app writes them
        with transaction(settings.database_url) as s:
            audit_log.record(s, settings.audit_key, actor="t", type="data_change", description=f"第 {i} 条",
                             result="success")


def _cli(settings, monkeypatch, capsys, *args) -> tuple[int, str]:
    monkeypatch.setenv("DATABASE_URL", settings.database_url)
    monkeypatch.setenv("AUDIT_KEY", settings.audit_key)
    monkeypatch.setenv("DATA_DIR", str(settings.data_dir))
    code = audit_log.main(list(args))
    return code, capsys.readouterr().out


def test_auditlog002_deleting_the_newest_three_entries_is_reported(log_db, monkeypatch, capsys):
    _append(log_db, 8)
    assert _cli(log_db, monkeypatch, capsys, "verify") == (0, "安全日志完整：已校验 8 条记录\n")
    with transaction(log_db.database_url) as s:
        last = s.scalar(select(func.max(AuditLog.id)))
        s.execute(text("DELETE FROM audit_log WHERE id > :i"), {"i": last - 3})
    code, out = _cli(log_db, monkeypatch, capsys, "verify")
    assert code == 1 and out.startswith("安全日志末尾记录被删除：") and f"id={last}" in out, out
    _append(log_db, 5)  # new entries chained onto the shortened log do not hide it
    code, out = _cli(log_db, monkeypatch, capsys, "verify")
    assert code == 1 and "末尾记录被删除" in out, out


def test_auditlog003_head_rule_behind_tampered_missing(log_db, monkeypatch, capsys):
    _append(log_db, 3)
    head = audit_log.use_head_file(log_db.database_url, log_db.data_dir)
    saved = head.read_bytes()
    _append(log_db, audit.HEAD_SLACK)
    head.write_bytes(saved)  # behind by HEAD_SLACK entries that verify: accepted
    assert _cli(log_db, monkeypatch, capsys, "verify")[0] == 0
    _append(log_db, 1)
    head.write_bytes(saved)  # one more than the slack
    code, out = _cli(log_db, monkeypatch, capsys, "verify")
    assert code == 1 and "链头落后" in out
    forged = json.loads(saved)
    forged["id"] += 1
    head.write_text(json.dumps(forged))
    assert "链头文件被篡改" in _cli(log_db, monkeypatch, capsys, "verify")[1]
    head.unlink()
    assert "链头文件缺失" in _cli(log_db, monkeypatch, capsys, "verify")[1]
    _append(log_db, 1)  # the next append writes it again
    assert _cli(log_db, monkeypatch, capsys, "verify")[0] == 0


def test_auditlog004_purge_keeps_the_head_and_the_chain(log_db, monkeypatch, capsys):
    start = dt.datetime(2026, 1, 5, 4, 0, tzinfo=dt.UTC)
    with transaction(log_db.database_url) as s:
        for i in range(6):
            audit_log.record(s, log_db.audit_key, actor="t", type="data_change", description=f"旧 {i}",
                             result="success", at=start + dt.timedelta(days=30 * i))
    assert _cli(log_db, monkeypatch, capsys, "purge", "--today", "2026-12-31")[0] == 0
    assert _cli(log_db, monkeypatch, capsys, "verify")[0] == 0


@pytest.mark.postgres
def test_auditlog005_postgres_refuses_update_and_delete_but_not_the_purge(postgres_server, tmp_path):
    settings = make_settings(tmp_path, postgres_server.create_database("auditlog_append_only"))
    upgrade(settings.database_url)
    audit_log.use_head_file(settings.database_url, settings.data_dir)
    start = dt.datetime(2026, 1, 5, 4, 0, tzinfo=dt.UTC)
    with transaction(settings.database_url) as s:
        for i in range(4):
            audit_log.record(s, settings.audit_key, actor="t", type="data_change", description=f"旧 {i}",
                             result="success", at=start + dt.timedelta(days=60 * i))
        first = s.scalar(select(func.min(AuditLog.id)))
    for sql in ("UPDATE audit_log SET description = 'x' WHERE id = :i", "DELETE FROM audit_log WHERE id = :i",
                "TRUNCATE audit_log"):
        with pytest.raises(Exception, match="append-only"):
            with transaction(settings.database_url) as s:
                s.execute(text(sql), {"i": first})
    with pytest.raises(Exception, match="append-only"):  # the setting only lets a DELETE through
        with transaction(settings.database_url) as s:
            s.execute(text("SET LOCAL platform.audit_purge = 'on'"))
            s.execute(text("UPDATE audit_log SET description = 'x' WHERE id = :i"), {"i": first})
    with transaction(settings.database_url) as s:
        assert audit_log.purge(s, settings.audit_key, dt.date(2026, 12, 31)) == 3
    with transaction(settings.database_url) as s:
        assert audit_log.verify(s, settings.audit_key).ok
        with pytest.raises(Exception, match="append-only"):  # and the purge's setting ended with it
            with s.begin_nested():
                s.execute(text("DELETE FROM audit_log"))


# ------------------------------------------------------------------ (c) chart-download reports

def test_auditlog006_export_kinds_are_the_charts_the_pages_have():
    found = {}
    for path in (ROOT / "pages").rglob("*.py"):
        src = path.read_text()
        page = re.search(r'register_page\(__name__,[^)]*?\bpath="([^"]+)"', src, re.S)
        for gid, name in re.findall(r'dcc\.Graph\(id="([^"]+)", config=graph_config\("([^"]+)"\)', src):
            found[gid] = (page.group(1), name)
    assert found == EXPORT_KINDS


def _exports(settings, username):
    with reading(settings.database_url) as s:
        return s.execute(select(AuditLog.description, AuditLog.detail).where(
            AuditLog.type == "export", AuditLog.actor == username).order_by(AuditLog.id)).all()


def _fresh_export_limit(settings, username) -> None:
    """Forget the user's export reports counted so far (the count is in the shared store)."""
    import server.exports
    from data.runtime.shared import store

    store(settings).delete("hit:" + server.exports.limit_key(actor(settings, username).user_id))


def test_auditlog007_export_reports_store_the_servers_text_only(app, sqlite_settings):
    _fresh_export_limit(sqlite_settings, "demo-city")
    c = sign_in(app.server, "demo-city")
    before = len(_exports(sqlite_settings, "demo-city"))
    bad = [{"kind": "任意文字" * 50, "page": "/cockpit"}, {"kind": "cockpit-map", "page": "/asset-growth"},
           {"kind": "cockpit-map", "page": "/nowhere"}, {"kind": ["cockpit-map"], "page": "/cockpit"},
           {"what": "自由文本", "page": "/cockpit"}, {"kind": "cockpit-map"}, {"kind": "cockpit-map", "page": 7}]
    assert [c.post("/api/export-log", json=b).status_code for b in bad] == [400] * len(bad)
    assert c.post("/api/export-log", json=["x"]).status_code == 400
    ok = c.post("/api/export-log", json={"kind": "wmap-trend", "page": "/warning-map/", "what": "伪造的说明"})
    assert ok.status_code == 200
    rows = _exports(sqlite_settings, "demo-city")
    assert len(rows) == before + 1
    assert rows[-1].description == "导出图表PNG：预警热力图 · 预警趋势"
    assert rows[-1].detail == {"kind": "wmap-trend", "page": "/warning-map", "format": "png"}


def test_auditlog008_export_reports_are_rate_limited_per_user(app, sqlite_settings):
    for username in ("demo-county", "demo-township"):
        _fresh_export_limit(sqlite_settings, username)
    c, other = sign_in(app.server, "demo-county"), sign_in(app.server, "demo-township")
    report = {"kind": "cockpit-trend", "page": "/cockpit"}
    codes = [c.post("/api/export-log", json=report).status_code for _ in range(EXPORT_LIMIT + 1)]
    assert codes == [200] * EXPORT_LIMIT + [429]
    assert other.post("/api/export-log", json=report).status_code == 200
