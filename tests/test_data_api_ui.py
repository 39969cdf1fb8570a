"""数据共享申请 and 数据接口 through the real callbacks: a provincial administrator registers an
external unit's application, uploads the signed commitment; another assesses the risk and approves
it, which shows the key once; the key reads the API; the province suspends it from 数据接口 and
the next call is refused; every call is in the log the page shows and exports. The registrar can
neither assess nor decide their own application; a county registers for itself; the answer
deadline is ten working days from receipt (Art. X39–X40)."""
from __future__ import annotations

import base64
import datetime as dt

import pytest
from sqlalchemy import func, select

import callbacks.admin.data_api as data_api_page
import callbacks.admin.data_requests as requests_page
from data.db import transaction
from data.models import AuditLog, DataApiKey, DataRequest
from domain.supervision.workdays import add_working_days
from tests.conftest import TODAY
from tests.support.business import own_database
from tests.support.http import app_on, call, output, props, sign_in, text
from tests.test_data_api import township_of

NOW = dt.datetime.combine(TODAY, dt.time(2), dt.UTC)
PDF = "data:application/pdf;base64," + base64.b64encode(b"%PDF-1.4 signed").decode()


@pytest.fixture(scope="module")
def settings(tmp_path_factory):
    return own_database(tmp_path_factory, "data-api-ui")


@pytest.fixture(scope="module")
def app(settings):
    app = app_on(settings)
    app.server.config["NOW"] = lambda: NOW
    return app


def form(settings, **over) -> list[dict]:
    values = {"dreq-submit": ("n_clicks", 1), "dreq-unit": ("value", "吉农科研院"), "dreq-contact": ("value", "李研究员 139"),
              "dreq-purpose": ("value", "集体经济发展研究"),
              "dreq-fields": ("value", ["resources.region_code", "resources.name", "resources.area_mu"]),
              "dreq-regions": ("value", [township_of(settings)]), "dreq-from": ("date", "2020-01-01"),
              "dreq-to": ("date", TODAY.isoformat()), "dreq-until": ("date", (TODAY + dt.timedelta(days=60)).isoformat()),
              "dreq-personal": ("value", False), "dreq-ips": ("value", "127.0.0.1"), "dreq-rate": ("value", 30),
              "dreq-refresh": ("data", 0)}
    values.update({k: (values[k][0], v) for k, v in over.items()})
    return props(*[(k, p, v) for k, (p, v) in values.items()])


def submit(app, client, settings, **over):
    items = form(settings, **over)
    return call(app, client, requests_page.submit, items[:1], items[1:])


def newest(settings) -> DataRequest:
    with transaction(settings.database_url) as s:
        r = s.scalar(select(DataRequest).order_by(DataRequest.id.desc()).limit(1))
        s.expunge(r)
        return r


def rows(app, client) -> list[dict]:
    return output(call(app, client, requests_page.load, props(("dreq-refresh", "data", 0))), "dreq-grid", "rowData")


def test_data_api_ui001_register_commit_assess_approve_show_key_once_then_suspend(app, settings):
    a, b = sign_in(app.server, "demo-admin"), sign_in(app.server, "demo-admin-b")
    resp = submit(app, a, settings)
    assert "已登记" in text(output(resp, "dreq-submit-result", "children"))
    req = newest(settings)
    assert req.scope == {"resources": ["region_code", "name", "area_mu"]} and req.unit == "吉农科研院"
    row = next(r for r in rows(app, a) if r["id"] == req.id)
    assert row["answer_due"] == add_working_days(TODAY, 10).isoformat() and "剩10个工作日" in row["deadline"]
    selected = [{"id": req.id, "version": req.version}]
    up = call(app, a, requests_page.upload, props(("dreq-commit", "n_clicks", 1)),
              props(("dreq-commitment", "contents", PDF), ("dreq-commitment", "filename", "保密责任书.pdf"),
                    ("dreq-grid", "selectedRows", selected), ("dreq-refresh", "data", 0)))
    assert "已为申请" in text(output(up, "dreq-result", "children"))
    # the registrar may not assess their own application: refused, logged, nothing written
    with transaction(settings.database_url) as s:
        denied = s.scalar(select(func.count()).select_from(AuditLog).where(AuditLog.result == "denied"))
    own = call(app, a, requests_page.assess, props(("dreq-assess", "n_clicks", 1)),
               props(("dreq-risk-level", "value", "low"), ("dreq-risk-notes", "value", "无个人信息"),
                     ("dreq-grid", "selectedRows", selected), ("dreq-refresh", "data", 0)))
    assert "不能评估本人登记的申请" in text(output(own, "dreq-result", "children"))
    assert newest(settings).status == "submitted"
    with transaction(settings.database_url) as s:
        assert s.scalar(select(func.count()).select_from(AuditLog).where(AuditLog.result == "denied")) > denied
    ok = call(app, b, requests_page.assess, props(("dreq-assess", "n_clicks", 1)),
              props(("dreq-risk-level", "value", "low"), ("dreq-risk-notes", "value", "无个人信息"),
                    ("dreq-grid", "selectedRows", selected), ("dreq-refresh", "data", 0)))
    assert "已记录" in text(output(ok, "dreq-result", "children"))
    req = newest(settings)
    assert req.status == "assessed" and req.assessed_by_id != req.registered_by_id
    pending = {"decision": "approve", "id": req.id, "version": req.version}
    resp = call(app, b, requests_page.decide, props(("dreq-decide-confirm", "n_clicks", 1)),
                props(("dreq-decide-pending", "data", pending), ("dreq-decide-opinion", "value", "同意"),
                      ("dreq-refresh", "data", 0)))
    token = output(resp, "dreq-key", "children")
    assert output(resp, "dreq-key-modal", "is_open") is True and token.startswith("njk_")
    assert newest(settings).status == "approved"
    # shown once: the grid and the keys page carry only its prefix
    keys = output(call(app, a, data_api_page.load, props(("dapi-refresh", "data", 0))), "dapi-keys", "rowData")
    assert token not in str(keys) and token not in str(rows(app, a))
    mine = next(k for k in keys if k["request_id"] == req.id)
    assert mine["prefix"] == token[:10] + "…"
    api = app.server.test_client()
    auth = {"Authorization": f"Bearer {token}"}
    assert api.get("/api/v1/datasets/resources", headers=auth).status_code == 200
    assert api.get("/api/v1/datasets/contracts", headers=auth).status_code == 403
    # 暂停 on 数据接口: the next call is refused
    act = call(app, a, data_api_page.act, props(("dapi-suspend", "n_clicks", 1), ("dapi-resume", "n_clicks", None),
                                                ("dapi-revoke", "n_clicks", None)),
               props(("dapi-keys", "selectedRows", [mine]), ("dapi-reason", "value", "核查越权调用"),
                     ("dapi-refresh", "data", 0)), changed=["dapi-suspend.n_clicks"])
    assert "已暂停" in text(output(act, "dapi-result", "children"))
    assert api.get("/api/v1/datasets/resources", headers=auth).status_code == 401
    log = output(call(app, a, data_api_page.calls, props(("dapi-keys", "selectedRows", [mine]), ("dapi-refresh", "data", 0))),
                 "dapi-calls", "rowData")
    assert [c["status"] for c in log] == [401, 403, 200] and log[1]["misuse"] == "是"
    assert all(c["purpose"] == "集体经济发展研究" for c in log)
    keys = output(call(app, a, data_api_page.load, props(("dapi-refresh", "data", 0))), "dapi-keys", "rowData")
    assert next(k for k in keys if k["request_id"] == req.id)["misuse_count"] == 1
    exported = call(app, a, data_api_page.export, props(("dapi-export", "n_clicks", 1)),
                    props(("dapi-keys", "selectedRows", [mine])))
    assert output(exported, "dapi-download", "data")["filename"] == "数据接口调用日志.xlsx"


def test_data_api_ui002_approval_needs_assessment_and_commitment_and_a_county_applies_for_itself(app, settings):
    county, b = sign_in(app.server, "demo-county"), sign_in(app.server, "demo-admin-b")
    resp = submit(app, county, settings, **{"dreq-unit": "任意名称"})
    assert "已登记" in text(output(resp, "dreq-submit-result", "children"))
    req = newest(settings)
    assert req.applicant_kind == "region" and req.unit != "任意名称" and req.region_code == settings.demo_county
    pending = {"decision": "approve", "id": req.id, "version": req.version}
    resp = call(app, b, requests_page.decide, props(("dreq-decide-confirm", "n_clicks", 1)),
                props(("dreq-decide-pending", "data", pending), ("dreq-decide-opinion", "value", ""),
                      ("dreq-refresh", "data", 0)))
    assert "须先完成风险评估" in text(output(resp, "dreq-result", "children"))
    assert output(resp, "dreq-key-modal", "is_open") is False
    with transaction(settings.database_url) as s:
        assert s.scalar(select(func.count()).select_from(DataApiKey).where(DataApiKey.request_id == req.id)) == 0
    # the county sees its own application, not the province's external ones
    mine = rows(app, county)
    assert req.id in {r["id"] for r in mine} and all(r["kind"] == "市县" for r in mine)
    with transaction(settings.database_url) as s:
        external = set(s.scalars(select(DataRequest.id).where(DataRequest.applicant_kind == "external")))
    assert external and not external & {r["id"] for r in mine}
    # a refusal with reasons
    pending = {"decision": "reject", "id": req.id, "version": req.version}
    resp = call(app, b, requests_page.decide, props(("dreq-decide-confirm", "n_clicks", 1)),
                props(("dreq-decide-pending", "data", pending), ("dreq-decide-opinion", "value", "用途不明确"),
                      ("dreq-refresh", "data", 0)))
    assert "已驳回" in text(output(resp, "dreq-result", "children"))
    assert newest(settings).decision_comment == "用途不明确"


def test_data_api_ui003_bad_input_is_refused_under_its_field_and_writes_nothing(app, settings):
    a = sign_in(app.server, "demo-admin")
    with transaction(settings.database_url) as s:
        before = s.scalar(select(func.count()).select_from(DataRequest))
    resp = submit(app, a, settings, **{"dreq-fields": ["nope.field"], "dreq-ips": "999.1.1.1", "dreq-rate": 0,
                                       "dreq-from": "2026-12-31", "dreq-purpose": ""})
    assert "未知的数据集" in output(resp, "dreq-fields-error", "children")
    assert "无效的IP" in output(resp, "dreq-ips-error", "children")
    assert output(resp, "dreq-rate-error", "children") and output(resp, "dreq-to-error", "children")
    assert output(resp, "dreq-purpose-error", "children") == "请填写数据用途"
    with transaction(settings.database_url) as s:
        assert s.scalar(select(func.count()).select_from(DataRequest)) == before


def test_data_api_ui004_garbage_into_every_data_sharing_callback_as_the_province_changes_nothing(app, settings):
    """The house fuzz (tests/test_fuzz_callbacks.py) signs in as operators, whom these callbacks
    refuse at the door; here the provincial administrator, who passes it, sends the garbage."""
    from tests.test_fuzz_callbacks import _fuzz, _patterns, counts

    app.server.config["PROPAGATE_EXCEPTIONS"] = False
    client = sign_in(app.server, "demo-admin")
    keys = [k for k in app.server.extensions["platform.callback_actions"] if any(
        i in k for i in ("dreq-", "dapi-"))]
    assert len(keys) >= 9
    patterns, before = _patterns(app, keys), counts(settings.database_url)
    for key in keys:
        _fuzz(client, app, key, patterns)
        assert counts(settings.database_url) == before, key
