"""Applications for conditional-open (Art. X39) and conditional-shared (Art. X40) credit data,
through the callback endpoint: the reply is due ten working days after receipt on the working-day
calendar (across a holiday); a refusal needs reasons; a grant limits the read to its scope (asking
outside is refused and logged); no access without the signed commitment (Art. X44); an overdue
reply raises `credit_reply_overdue` to the province."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

import callbacks.credit_requests.applications as cb
from data.calendar.store import current as work_calendar
from data.credit import requests as store
from data.db import transaction
from data.models import AuditLog, CreditApplication, Warning
from data.supervision.engine import run as run_rules
from domain.credit.requests import Ask
from domain.permissions import PermissionDenied
from tests.support.credit import RequestsEnv, make_record
from tests.support.http import call, outputs, props, text


UTC = dt.UTC
TODAY = dt.date(2026, 11, 22)


@pytest.fixture(scope="module")
def env(sqlite_settings, tmp_path_factory):
    e = RequestsEnv(tmp_path_factory.mktemp("credit_requests"))
    e.app.server.config["NOW"] = lambda: dt.datetime(2026, 11, 20, 2, 0, tzinfo=UTC)
    # the subject's own records: conditional-open dishonest and good, one not open; another subject's
    # (the session database also holds the demo credit population: a read inside the region is
    # compared on the test's own records, `e.own_records`)
    e.own_records = {
        make_record(e.settings, e.subject_id, "dishonest", dt.date(2025, 3, 1), title="行政处罚（滥伐）",
                    severity="ordinary", open_class="conditional", share_class="conditional"),
        make_record(e.settings, e.subject_id, "good", dt.date(2025, 6, 1), title="县级表彰", open_class="conditional",
                    share_class="unconditional"),
        make_record(e.settings, e.subject_id, "loan", dt.date(2025, 7, 1), title="林权抵押贷款", open_class="none"),
        make_record(e.settings, e.other_subject, "dishonest", dt.date(2025, 4, 1), title="他人的处罚",
                    open_class="conditional", share_class="conditional"),
    }
    return e


def at(env, day: dt.date):
    """Move the app's clock (sessions signed in at another time are signed in again)."""
    env.app.server.config["NOW"] = lambda: dt.datetime.combine(day, dt.time(2, 0), tzinfo=UTC)
    env.forget_clients()


def apply(env, who: str, kinds=("dishonest", "good"), regions=None, fields=None, purpose="办理林权抵押贷款",
          basis=None, commitment=False, to="2026-11-01"):
    state = props(("capp-kinds", "value", list(kinds)), ("capp-from", "date", "2024-01-01"),
                  ("capp-to", "date", to), ("capp-regions", "value", regions),
                  ("capp-fields", "value", fields), ("capp-purpose", "value", purpose), ("capp-basis", "value", basis),
                  ("capp-commitment", "value", ["yes"] if commitment else []),
                  ("capp-commitment-name", "value", "李林生" if commitment else None),
                  ("capp-commitment-on", "date", "2026-11-20" if commitment else None),
                  ("capp-kind", "data", "share" if who == "public" else "open"), ("capp-refresh", "data", 0))
    return outputs(call(env.app, env.client(who), cb.submit, props(("capp-submit", "n_clicks", 1)), state))


def newest(env) -> CreditApplication:
    with transaction(env.url) as s:
        row = s.scalar(select(CreditApplication).order_by(CreditApplication.id.desc()).limit(1))
        s.expunge(row)
        return row


def grid_row(env, who: str, aid: int) -> dict:
    out = outputs(call(env.app, env.client(who), cb.load, props(("capp-refresh", "data", 0))))
    return next(r for r in out["capp-grid"]["rowData"] if r["id"] == aid)


def decide(env, who: str, aid: int, decision="grant", kinds=None, fields=None, valid_until="2027-05-31", reason="同意",
           period=(None, None), regions=None):
    row = grid_row(env, "handler", aid)
    state = props(("capp-grid", "selectedRows", [row]), ("capp-decision", "value", decision),
                  ("capp-grant-kinds", "value", kinds), ("capp-grant-fields", "value", fields),
                  ("capp-grant-from", "date", period[0]), ("capp-grant-to", "date", period[1]),
                  ("capp-grant-regions", "value", regions),
                  ("capp-valid-until", "date", valid_until), ("capp-reason", "value", reason),
                  ("capp-refresh", "data", 0))
    return outputs(call(env.app, env.client(who), cb.decide, props(("capp-decide", "n_clicks", 1)), state))


def fetch(env, who: str, aid: int):
    row = {"id": aid}
    return outputs(call(env.app, env.client(who), cb.fetch, props(("capp-fetch", "n_clicks", 1)),
                        props(("capp-grid", "selectedRows", [row]))))


def denials(env) -> int:
    with transaction(env.url) as s:
        return s.scalar(select(func.count()).select_from(AuditLog).where(AuditLog.type == "credit_request",
                                                                         AuditLog.result == "denied"))


def test_credit_requests001_answer_due_is_ten_working_days_across_a_holiday(env):
    at(env, dt.date(2026, 9, 28))  # a Monday; 国庆 1–7 October
    out = apply(env, "subject", to="2026-09-01")
    assert "已提交申请" in text(out["capp-result"]["children"])
    row = newest(env)
    assert row.received_on == dt.date(2026, 9, 28) and row.kind == "open" and row.subject_id == env.subject_id
    assert row.answer_due == work_calendar(env.url).add_working_days(dt.date(2026, 9, 28), 10)
    # ten weekdays would be 12 October; the holiday week pushes it on
    assert row.answer_due > dt.date(2026, 10, 12)
    at(env, dt.date(2026, 11, 20))


def test_credit_requests002_a_refusal_needs_reasons(env):
    apply(env, "subject")
    aid = newest(env).id
    out = decide(env, "handler", aid, decision="refuse", reason="  ")
    assert "不予提供的理由" in (out["capp-reason-error"]["children"] or "")
    assert newest(env).status == "submitted"
    out = decide(env, "handler", aid, decision="refuse", reason="申请的数据含第三方商业秘密")
    assert "不予提供" in text(out["capp-decide-result"]["children"])
    row = newest(env)
    assert row.status == "refused" and row.reason == "申请的数据含第三方商业秘密" and row.decided_by_id


def test_credit_requests003_no_access_without_the_signed_commitment(env):
    apply(env, "subject", commitment=False)
    aid = newest(env).id
    decide(env, "handler", aid, kinds=["dishonest"])
    assert newest(env).status == "granted"
    before = denials(env)
    out = fetch(env, "subject", aid)
    assert "承诺书" in text(out["capp-fetch-result"]["children"]) and out["capp-data"]["rowData"] == []
    assert denials(env) == before + 1
    row = grid_row(env, "subject", aid)
    sign = outputs(call(env.app, env.client("subject"), cb.sign, props(("capp-sign", "n_clicks", 1)), props(
        ("capp-grid", "selectedRows", [row]), ("capp-commitment", "value", ["yes"]),
        ("capp-commitment-name", "value", "李林生"), ("capp-commitment-on", "date", "2026-11-20"),
        ("capp-refresh", "data", 0))))
    assert "已签署" in text(sign["capp-fetch-result"]["children"])
    data = fetch(env, "subject", aid)["capp-data"]["rowData"]
    # granted: dishonest only; the subject's own records only; never another subject's
    assert [r["title"] for r in data] == ["行政处罚（滥伐）"]


def test_credit_requests004_a_grant_limits_the_read_to_its_scope(env):
    apply(env, "subject", commitment=True)
    aid = newest(env).id
    out = decide(env, "handler", aid, kinds=["good", "loan"])  # loan was not asked
    assert "超出" in (out["capp-grant-kinds-error"]["children"] or "")
    out = decide(env, "handler", aid, kinds=["good"], period=("2023-01-01", "2026-11-01"))
    assert "期间超出" in (out["capp-grant-kinds-error"]["children"] or "")
    decide(env, "handler", aid, kinds=["good", "dishonest"], period=("2025-05-01", "2026-11-01"))
    assert newest(env).granted["date_from"] == "2025-05-01"
    who = env.users["subject"]
    rows = store.granted_records(env.url, env.key, who, aid, today=TODAY)
    assert [r["title"] for r in rows] == ["县级表彰"]
    before = denials(env)
    outside = Ask(["dishonest"], dt.date(2024, 1, 1), dt.date(2026, 11, 1))
    with pytest.raises(PermissionDenied, match="超出同意范围"):
        store.granted_records(env.url, env.key, who, aid, outside, today=TODAY)
    with pytest.raises(PermissionDenied, match="期间超出"):
        store.granted_records(env.url, env.key, who, aid, Ask(["good"], dt.date(2020, 1, 1), dt.date(2026, 1, 1)),
                              today=TODAY)
    # someone else's application: refused; after the validity: refused
    with pytest.raises(PermissionDenied):
        store.granted_records(env.url, env.key, env.users["public"], aid, today=TODAY)
    with pytest.raises(PermissionDenied, match="有效期"):
        store.granted_records(env.url, env.key, who, aid, today=dt.date(2027, 6, 1))
    assert denials(env) == before + 4
    with transaction(env.url) as s:
        logged = s.scalars(select(AuditLog.description).where(AuditLog.type == "credit_request",
                                                              AuditLog.result == "success")).all()
    assert any("同意范围内的数据 1 条" in d for d in logged)


def test_credit_requests005_a_public_body_for_its_own_unit_with_regions_and_fields(env):
    out = apply(env, "public", kinds=["dishonest"], regions=[env.county], fields=["subject_name", "title"],
                basis=None, commitment=True)
    assert "履职依据" in (out["capp-basis-error"]["children"] or "")
    apply(env, "public", kinds=["dishonest"], regions=[env.county], fields=["subject_name", "title"],
          basis="《江西省社会信用条例》第二十条", purpose="联合惩戒核查", commitment=True)
    row = newest(env)
    assert row.kind == "share" and row.applicant_unit == "省市场监督管理局" and row.subject_id is None
    decide(env, "head", row.id, kinds=["dishonest"], fields=["title"])
    data = store.granted_records(env.url, env.key, env.users["public"], row.id, today=TODAY)
    assert sorted(r["title"] for r in data if r["id"] in env.own_records) == ["他人的处罚", "行政处罚（滥伐）"]
    assert all(set(r) == {"id", "title"} for r in data)  # only the granted field
    with pytest.raises(PermissionDenied, match="字段超出"):
        store.granted_records(env.url, env.key, env.users["public"], row.id,
                              Ask(["dishonest"], dt.date(2024, 1, 1), dt.date(2026, 11, 1), [env.county],
                                  ["title", "identifier"]), today=TODAY)
    # the subject's list never shows the public body's application
    subject_rows = outputs(call(env.app, env.client("subject"), cb.load, props(("capp-refresh", "data", 0))))
    assert row.id not in {r["id"] for r in subject_rows["capp-grid"]["rowData"]}


def test_credit_requests006_the_data_unit_never_decides_its_own_and_others_cannot_decide(env):
    apply(env, "subject")
    aid = newest(env).id
    resp = call(env.app, env.client("subject"), cb.decide, props(("capp-decide", "n_clicks", 1)), props(
        ("capp-grid", "selectedRows", [grid_row(env, "handler", aid)]), ("capp-decision", "value", "grant"),
        ("capp-grant-kinds", "value", ["good"]), ("capp-grant-fields", "value", []),
        ("capp-grant-from", "date", None), ("capp-grant-to", "date", None), ("capp-grant-regions", "value", None),
        ("capp-valid-until", "date", "2027-01-01"),
        ("capp-reason", "value", "同意"), ("capp-refresh", "data", 0)))
    assert resp.status_code == 403 and newest(env).status == "submitted"
    # the handler who applied (for the test: an application registered by the handler's account) never decides it
    with transaction(env.url) as s:
        s.get(CreditApplication, aid).applied_by_id = env.users["handler"].user_id
    out = decide(env, "handler", aid, kinds=["good"])
    assert "不能答复本人提交的申请" in text(out["capp-decide-result"]["children"])
    assert newest(env).status == "submitted"


def test_credit_requests007_stale_version_refused(env):
    apply(env, "subject")
    aid = newest(env).id
    row = grid_row(env, "handler", aid)
    store.sign_commitment(env.url, env.key, env.users["subject"], aid, None, True, "李林生", TODAY, TODAY)
    out = outputs(call(env.app, env.client("handler"), cb.decide, props(("capp-decide", "n_clicks", 1)), props(
        ("capp-grid", "selectedRows", [row]), ("capp-decision", "value", "grant"),
        ("capp-grant-kinds", "value", ["good"]), ("capp-grant-fields", "value", []),
        ("capp-grant-from", "date", None), ("capp-grant-to", "date", None), ("capp-grant-regions", "value", None),
        ("capp-valid-until", "date", "2027-01-01"),
        ("capp-reason", "value", "同意"), ("capp-refresh", "data", 0))))
    assert "已被他人修改" in text(out["capp-decide-result"]["children"])
    assert newest(env).status == "submitted"


def test_credit_requests008_overdue_replies_raise_credit_reply_overdue(env):
    at(env, dt.date(2026, 9, 28))  # its own application due across the 国庆 holiday (not test001's)
    apply(env, "subject", kinds=["good"], purpose="逾期测试（跨节假日）", to="2026-09-01")
    across = newest(env)
    at(env, dt.date(2026, 11, 2))
    apply(env, "subject", kinds=["good"], purpose="逾期测试")
    late = newest(env)
    at(env, dt.date(2026, 11, 20))
    assert late.answer_due < TODAY
    run_rules(env.url, env.key, today=TODAY, rules=["credit_reply_overdue"], data_dir=env.settings.data_dir)
    with transaction(env.url) as s:
        w = s.scalar(select(Warning).where(Warning.fingerprint == f"credit_reply_overdue:credit_application:{late.id}:"))
        assert w is not None and w.region_code == env.province and w.assigned_region == env.province
        assert w.evidence["request_id"] == late.id and w.evidence["answer_due"] == late.answer_due.isoformat()
        # the application due across the holiday was never answered either
        fingerprints = {f"credit_reply_overdue:credit_application:{a.id}:" for a in (across, late)}
        assert s.scalar(select(func.count()).select_from(Warning).where(
            Warning.rule_id == "credit_reply_overdue", Warning.fingerprint.in_(fingerprints))) == 2
    row = grid_row(env, "handler", late.id)
    assert row["overdue"] and "已超期" in row["due"]
    # answered: the fault is gone from the data
    decide(env, "handler", late.id, decision="refuse", reason="数据不存在")
    run_rules(env.url, env.key, today=TODAY, rules=["credit_reply_overdue"], data_dir=env.settings.data_dir)
    with transaction(env.url) as s:
        w = s.scalar(select(Warning).where(Warning.fingerprint == f"credit_reply_overdue:credit_application:{late.id}:"))
        assert w.resolved_in_data_at is not None
