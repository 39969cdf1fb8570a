"""Chinese everywhere a person looks (issue 13, item 3): one label table per code domain
(`domain/labels.py`) covering every code the platform stores or logs, labels and account names in
grids and exports, China time to the minute, 未处理预警 holding only unhandled warnings, and the 404
and refused pages as Chinese pages in the app's frame."""
from __future__ import annotations

import base64
import datetime as dt
import io
import re
from pathlib import Path

import openpyxl
import polars as pl
import pytest
from sqlalchemy import func, select

import callbacks.records
from data.db import reading
from data.models import (AccountRequest, Asset, AssetEvent, AuditLog, BaseDataChange, Contract, Meeting, PaymentRequest,
                         Resolution, SharingApproval, TradeListing, User, Voucher, Warning, WarningEvent, WarningRun)
from domain import labels
from domain.supervision.lifecycle import STATUS_LABELS, UNHANDLED
from tests.support.app import TODAY
from tests.support.http import call, output, props

ROOT = Path(__file__).resolve().parents[1]
CJK = re.compile(r"[\u4e00-\u9fff]")

#: every stored code column -> its label domain
STORED = {
    (Asset, "status"): "asset_status", (Asset, "category"): "asset_category", (AssetEvent, "kind"): "asset_event",
    (Contract, "kind"): "contract_kind", (Contract, "status"): "contract_status",
    (Contract, "counterparty_id_type"): "id_type",
    (TradeListing, "kind"): "trade_kind", (TradeListing, "status"): "listing_status",
    (Meeting, "status"): "meeting_status", (Resolution, "decision_type"): "decision_type",
    (Warning, "status"): "warning_status", (Warning, "severity"): "severity", (WarningEvent, "action"): "warning_action",
    (WarningRun, "kind"): "warning_run_kind", (WarningRun, "status"): "warning_run_status",
    (PaymentRequest, "status"): "request_status", (PaymentRequest, "kind"): "request_kind",
    (Voucher, "source"): "voucher_source", (Voucher, "status"): "voucher_status",
    (AuditLog, "type"): "audit_event", (AuditLog, "result"): "audit_result",
    (AccountRequest, "status"): "account_request_status", (AccountRequest, "kind"): "account_request_kind",
    (SharingApproval, "status"): "sharing_status", (BaseDataChange, "status"): "base_change_status", (User, "role"): "role",
}


def test_chinese001_every_code_of_every_domain_has_a_chinese_label():
    for domain, table in labels.DOMAINS.items():
        assert table, domain
        for code, text in table.items():
            assert isinstance(text, str) and CJK.search(text), (domain, code, text)
    assert labels.label("asset_status", "in_use") == "在用" and labels.label("audit_result", "denied") == "拒绝"
    assert labels.label("region_level", "2") == "市（州）" and labels.label("account", 102) == "102 银行存款"
    assert labels.label("warning_status", None) == "—"
    assert {"in_use", "building", "lease", "awarded", "handled", "success", "denied", "warning_run"} <= labels.code_values()


def test_chinese002_every_code_the_generated_database_holds_has_a_label(sqlite_settings):
    """Fails on a new stored code without a label (the shared database also holds what other tests wrote)."""
    missing = []
    with reading(sqlite_settings.database_url) as s:
        for (model, column), domain in STORED.items():
            for (value,) in s.execute(select(getattr(model, column)).distinct()).all():
                if value is not None and value not in labels.DOMAINS[domain]:
                    missing.append((model.__tablename__, column, value))
    assert missing == []


def test_chinese003_every_event_type_and_result_the_code_logs_has_a_label():
    source = "\n".join(p.read_text(encoding="utf-8") for d in ("server", "data", "callbacks") for p in (ROOT / d).rglob("*.py"))
    types = set(re.findall(r'log_event\("([a-z_]+)"', source)) | set(re.findall(r'\btype="([a-z_]+)"', source))
    types -= {"date", "hidden", "number", "password", "submit", "month", "text", "lease", "resident", "resource", "uscc"}
    results = (set(re.findall(r'result="([a-z_]+)"', source))
               | set(re.findall(r'log_event\("[a-z_]+", [^\n]*?, "([a-z_]+)"', source)))
    assert types and results
    assert types - labels.AUDIT_EVENTS.keys() == set()
    assert results - labels.AUDIT_RESULTS.keys() == set()


def test_chinese004_times_are_china_time_to_the_minute():
    at = dt.datetime(2026, 11, 11, 16, 32, 0, tzinfo=dt.UTC)
    assert labels.time_text(at) == "2026-11-12 00:32"
    assert labels.time_text("2026-11-11 16:32:00.000000+00:00") == "2026-11-12 00:32"
    assert labels.time_text(dt.datetime(2026, 11, 11, 16, 32)) == "2026-11-12 00:32"  # naive: UTC, as stored
    assert labels.time_text(None) == "—"
    frame = pl.DataFrame({"at": [at], "status": ["handled"], "ok": [True]})
    shown = labels.for_people(frame, [("at", "时间", "time"), ("status", "状态", "warning_status"), ("ok", "是否", "yes_no")])
    assert shown.row(0) == ("2026-11-12 00:32", "已办理", "是")


def _records(app, client, kind: str, region: int):
    hash_ = f"#region={region}&kind={kind}"
    return call(app, client, callbacks.records.show, props(("url", "hash", hash_), ("records-kind", "value", kind)))


def test_chinese005_records_grid_and_export_show_labels_account_names_and_china_time(app, client_for, sqlite_settings):
    client, county = client_for("demo-county"), sqlite_settings.demo_county
    assets = output(_records(app, client, "assets", county), "records-grid", "rowData")
    assert assets and {r["status"] for r in assets} <= set(labels.DOMAINS["asset_status"].values())
    assert {r["category"] for r in assets} <= set(labels.DOMAINS["asset_category"].values())
    ledger = output(_records(app, client, "ledger", county), "records-grid", "rowData")
    assert "102 银行存款" in {r["account_code"] for r in ledger}
    warnings = output(_records(app, client, "warnings", county), "records-grid", "rowData")
    assert warnings and all(re.fullmatch(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}", r["raised_at"]) for r in warnings)
    assert {r["status"] for r in warnings} <= {STATUS_LABELS[s] for s in UNHANDLED}
    exported = {}
    for kind, column, domain in [("ledger", 4, "account"), ("assets", 6, "asset_status")]:
        resp = call(app, client, callbacks.records.export, props(("records-export", "n_clicks", 1)),
                    props(("url", "hash", f"#region={county}&kind={kind}"), ("records-kind", "value", kind)))
        ws = openpyxl.load_workbook(io.BytesIO(base64.b64decode(output(resp, "records-download", "data")["content"]))).active
        exported[kind] = {ws.cell(r, column).value for r in range(3, ws.max_row + 1)}
        assert exported[kind] and exported[kind] <= set(labels.DOMAINS[domain].values()), (kind, sorted(exported[kind])[:5])
    assert "102 银行存款" in exported["ledger"]  # a voucher export names the account, not only its code


def test_chinese006_security_log_grid_and_csv_show_labels_and_minutes(app, client_for):
    import callbacks.admin.audit as audit

    client = client_for("demo-admin")
    client_for("demo-village").get("/admin/audit")  # a refusal to find in the log
    state = props(("log-dates", "start_date", None), ("log-dates", "end_date", None), ("log-types", "value", None),
                  ("log-actor", "value", None), ("log-result", "value", None))
    rows = output(call(app, client, audit.search, props(("log-search", "n_clicks", 1)), state), "log-grid", "rowData")
    assert {"成功", "拒绝"} <= {r["result_label"] for r in rows}
    assert all(re.fullmatch(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}", r["at"]) for r in rows)
    assert not {r["type_label"] for r in rows} & labels.code_values()
    csv = output(call(app, client, audit.export, props(("log-export", "n_clicks", 1)), state), "log-download", "data")
    assert '"成功"' in csv["content"] and '"success"' not in csv["content"] and '"denied"' not in csv["content"]


def test_chinese007_unhandled_warnings_are_only_the_ones_nobody_handled(app, sqlite_settings):
    """未处理预警: the cockpit's count and the records list hold raised, pushed, acknowledged and
    returned warnings, never handled, verified or closed ones."""
    from data.records import records
    from domain.permissions import Scope, role_perms

    county = sqlite_settings.demo_county
    scope = Scope(root=county, perms=role_perms("county_admin"), role="county_admin")
    frame, _ = records(sqlite_settings.database_url, scope, "warnings", county, today=TODAY)
    assert set(frame["status"]) <= set(UNHANDLED)
    with reading(sqlite_settings.database_url) as s:
        n = s.scalar(select(func.count()).select_from(Warning).where(
            Warning.status.in_(UNHANDLED), Warning.region_code.between(county, county + 10**6 - 1)))
    assert frame.height == n


@pytest.mark.parametrize("username, path, status, text", [
    ("demo-village", "/no-such-page", 404, "页面不存在"), ("demo-village", "/404", 404, "页面不存在"),
    ("demo-village", "/admin/audit", 403, "不能打开“安全日志”页面"), ("demo-bank", "/cockpit", 403, "无权访问"),
    ("demo-admin", "/funds", 403, "不能打开“资金管理”页面"),
])
def test_chinese008_unknown_and_refused_pages_are_chinese_pages_in_the_app_frame(app, client_for, username, path,
                                                                                status, text):
    resp = client_for(username).get(path)
    body = resp.get_data(as_text=True)
    assert resp.status_code == status and resp.mimetype == "text/html"
    assert text in body and "\\u" not in body
    assert 'class="app-header"' in body and 'id="app-nav"' in body and 'href="/account"' in body  # the user's own nav
    assert 'id="user-name"' in body and "退出" in body


def test_chinese009_json_answers_carry_chinese_as_text(app, client_for):
    from tests.support.http import dash_post

    resp = dash_post(client_for("demo-village"), "some-undeclared.children", props(("url", "search", "")))
    assert resp.status_code == 403 and "已拒绝" in resp.get_data(as_text=True)
    assert "\\u" not in resp.get_data(as_text=True)
