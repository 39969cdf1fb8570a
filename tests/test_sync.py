"""The national sync (Art. J26) through the real callbacks: the format's JSON Schemas, the
validation report, the package in the outbox with its checksummed manifest, the balance checks on
the generated data, and a deliberately unbalanced village reported and left out, never exported
silently."""
from __future__ import annotations

import base64
import hashlib
import io
import json
import zipfile
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator
from sqlalchemy import func, select, text

from domain.sync.schema import DIALECT, FORMAT_VERSION, TABLES, all_schemas
from tests.support.jobs import export_now
from tests.support.http import call, output, sign_in, text as text_of
from tests.support.ops import private_copy



@pytest.fixture(scope="module")
def env(tmp_path_factory):
    settings, app = private_copy(tmp_path_factory, "sync")
    return settings, app, sign_in(app.server, "demo-admin")


def _validate(app, client, year):
    from callbacks.ops import sync

    return call(app, client, sync.validate, [{"id": "ops-validate", "property": "n_clicks", "value": 1}],
                [{"id": "ops-year", "property": "value", "value": year}])


def _export(app, client, year):
    return export_now(app, client, year)  # queued, run by the job runner, polled (tests/support/jobs.py)


def _latest_sync(settings):
    from data.db import reading
    from data.models import NationalSync

    with reading(settings.database_url) as s:
        return s.scalars(select(NationalSync).order_by(NationalSync.id.desc()).limit(1)).first()


def _package(settings, sync) -> zipfile.ZipFile:
    blob = (Path(settings.outbox_dir) / sync.package_name).read_bytes()
    assert hashlib.sha256(blob).hexdigest() == sync.package_sha256
    return zipfile.ZipFile(io.BytesIO(blob))


def test_sync001_every_table_has_a_draft_2020_12_schema():
    schemas = all_schemas()
    assert set(schemas) == {t.name for t in TABLES}
    for t in TABLES:
        schema = schemas[t.name]
        Draft202012Validator.check_schema(schema)
        assert schema["$schema"] == DIALECT and FORMAT_VERSION in schema["$id"]
        assert set(schema["required"]) == {f.name for f in t.fields} and schema["additionalProperties"] is False
    v = Draft202012Validator(schemas["balance_sheet"])
    assert not v.is_valid({"region_code": 220102001001, "year": 2025})  # required fields
    good = {f.name: 0 for f in TABLES[1].fields} | {"region_code": 220102001001, "year": 2025,
                                                     "check_book_assets_fen": None, "verified_assets_fen": None}
    assert v.is_valid(good)
    assert not v.is_valid(good | {"cash_fen": 1.5})  # money is integer fen, never a float


def test_sync002_export_validates_against_its_own_schema_and_balances(env):
    settings, app, client = env
    resp = _validate(app, client, 2025)
    assert "全部通过" in text_of(output(resp, "ops-validate-result", "children"))
    assert output(resp, "ops-report-grid", "rowData") == []
    resp = _export(app, client, 2025)
    assert "已写入发件箱" in text_of(output(resp, "ops-sync-result", "children"))
    sync = _latest_sync(settings)
    assert (sync.status, sync.year, sync.villages_failed, sync.by_name) == ("sent", 2025, 0, "demo-admin")
    z = _package(settings, sync)
    manifest = json.loads(z.read("manifest.json"))
    assert (manifest["format_version"], manifest["province"], manifest["year"]) == (FORMAT_VERSION, 22, 2025)
    for entry in manifest["files"]:  # every file's checksum and size as the manifest says
        data = z.read(entry["name"])
        assert (hashlib.sha256(data).hexdigest(), len(data)) == (entry["sha256"], entry["bytes"])
    for entry in manifest["tables"]:
        schema = json.loads(z.read(entry["schema"]))  # the package's own schema
        rows = [json.loads(line) for line in z.read(entry["name"]).decode().splitlines()]
        assert len(rows) == entry["rows"] > 0
        v = Draft202012Validator(schema)
        assert all(v.is_valid(r) for r in rows), next(iter(v.iter_errors(rows[0])), None)
        if entry["table"] == "balance_sheet":
            assert all(r["total_assets_fen"] == r["liabilities_fen"] + r["equity_fen"] for r in rows)
            assert any(r["total_assets_fen"] > 0 for r in rows)
        if entry["table"] == "income_distribution":
            assert all(r["net_profit_fen"] == r["operating_profit_fen"] + r["income_subsidy_fen"] + r["income_other_fen"]
                       - r["expense_public_fen"] - r["expense_other_fen"] - r["expense_income_tax_fen"] for r in rows)
    assert manifest["excluded"] == [] and sync.files == manifest["tables"]


def test_sync003_an_unbalanced_village_is_reported_and_not_exported(env):
    settings, app, client = env
    from data.db import transaction
    from data.models import Voucher

    with transaction(settings.database_url) as s:  # one debit line without its credit, straight into the ledger
        v = s.scalars(select(Voucher).where(Voucher.period.between(202401, 202412)).order_by(Voucher.id).limit(1)).one()
        village = int(v.region_code)
        s.execute(text("INSERT INTO voucher_lines (voucher_id, region_code, period, line_no, account_code, debit_fen, "
                       "credit_fen) VALUES (:v, :r, :p, 99, 101, 12345, 0)"),
                  {"v": v.id, "r": village, "p": v.period})
    resp = _validate(app, client, 2024)
    assert "未通过 1 个" in text_of(output(resp, "ops-validate-result", "children"))
    rows = output(resp, "ops-report-grid", "rowData")
    assert [(r["region_code"], r["check"], r["difference"]) for r in rows] == [(village, "balance", "123.45")]
    assert "资产总计" in rows[0]["message"] and rows[0]["label"] == "资产 = 负债 + 所有者权益"
    resp = _export(app, client, 2024)
    assert "1 个村未通过校验已排除" in text_of(output(resp, "ops-sync-result", "children"))
    sync = _latest_sync(settings)
    assert (sync.status, sync.villages_failed) == ("sent", 1)
    assert sync.report["problems"][0]["region_code"] == village
    z = _package(settings, sync)
    manifest = json.loads(z.read("manifest.json"))
    assert manifest["excluded"] == [{"region_code": village, "checks": ["balance"]}]
    for entry in manifest["tables"]:
        codes = {json.loads(line)["region_code"] for line in z.read(entry["name"]).decode().splitlines()}
        assert village not in codes, entry["table"]
    report = json.loads(z.read("validation_report.json"))
    assert report["villages_failed"] == 1 and report["problems"][0]["region_code"] == village


def test_sync004_the_package_downloads_through_the_export_path_and_is_logged(env):
    settings, app, client = env
    from callbacks.ops import sync as cb
    from data.db import reading
    from data.models import AuditLog

    _export(app, client, 2025)
    sync = _latest_sync(settings)
    resp = call(app, client, cb.download, [{"id": "ops-download-btn", "property": "n_clicks", "value": 1}],
                [{"id": "ops-sync-grid", "property": "selectedRows", "value": [{"id": sync.id}]}])
    sent = output(resp, "ops-download", "data")
    assert sent["filename"] == sync.package_name and sent["base64"]
    assert hashlib.sha256(base64.b64decode(sent["content"])).hexdigest() == sync.package_sha256
    with reading(settings.database_url) as s:
        last = s.scalars(select(AuditLog).order_by(AuditLog.id.desc()).limit(1)).one()
    assert last.type == "export" and sync.package_name in last.description


def test_sync005_others_may_not_export_and_nothing_is_recorded(env):
    settings, app, _ = env
    from data.db import reading
    from data.models import NationalSync

    with reading(settings.database_url) as s:
        before = s.scalar(select(func.count()).select_from(NationalSync))
    for username in ("demo-county", "demo-province"):
        resp = _export(app, sign_in(app.server, username), 2025)
        assert resp.status_code in (401, 403), resp.status_code
    with reading(settings.database_url) as s:
        assert s.scalar(select(func.count()).select_from(NationalSync)) == before


def test_sync006_a_year_without_a_choice_is_refused_under_the_field(env):
    _, app, client = env
    resp = _validate(app, client, None)
    assert output(resp, "ops-year-error", "children") == "请选择年度"
