"""Data transfers (Art. X41–X44) through the callback endpoint: the 数据申报审批表 validated (device
model and persons for a device transfer, internet only desensitised and encrypted with a
justification, the signed commitment); three signatures by three different people; a refusal
at any step ends it; the device linked to the device register; the device-cleared confirmation;
a stale version refused; an overdue one raises `credit_reply_overdue`."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

import callbacks.credit_requests.transfers as cb
from data.db import transaction
from data.models import CreditTransfer, RegisterEntry, Warning
from data.supervision.engine import run as run_rules
from tests.support.credit import RequestsEnv
from tests.support.http import call, outputs, props, text


UTC = dt.UTC


@pytest.fixture(scope="module")
def env(sqlite_settings, tmp_path_factory):
    e = RequestsEnv(tmp_path_factory.mktemp("credit_transfers"))
    e.app.server.config["NOW"] = lambda: dt.datetime(2026, 11, 20, 2, 0, tzinfo=UTC)
    with transaction(e.url) as s:  # the issue-14 device register has this model in use
        s.add(RegisterEntry(kind="device", region_code=e.province, state="in_use", title="专用移动硬盘",
                            fields={"name": "专用移动硬盘", "model": "WD-MyPassport-2T", "serial_no": "SN-001"}))
    return e


FORM = {"ctr-unit": "省自然资源厅", "ctr-data-range": "2025年全省林权登记数据（脱敏）", "ctr-use-range": "不动产登记数据比对",
        "ctr-confidentiality": "仅限本单位比对使用，不向第三方提供", "ctr-method": "device", "ctr-internet": [],
        "ctr-justification": None, "ctr-device": "WD-MyPassport-2T", "ctr-persons": "张三、李四",
        "ctr-commitment": ["yes"], "ctr-commitment-name": "王处长", "ctr-commitment-on": "2026-11-20"}


def apply(env, who="handler", **changes):
    values = {**FORM, **changes}
    state = props(*[(k, "date" if k == "ctr-commitment-on" else "value", v) for k, v in values.items()],
                  ("ctr-refresh", "data", 0))
    return outputs(call(env.app, env.client(who), cb.submit, props(("ctr-submit", "n_clicks", 1)), state))


def newest(env) -> CreditTransfer:
    with transaction(env.url) as s:
        row = s.scalar(select(CreditTransfer).order_by(CreditTransfer.id.desc()).limit(1))
        s.expunge(row)
        return row


def grid_row(env, who, tid) -> dict:
    out = outputs(call(env.app, env.client(who), cb.load, props(("ctr-refresh", "data", 0))))
    return next(r for r in out["ctr-grid"]["rowData"] if r["id"] == tid)


def sign(env, who, tid, approve="yes", opinion="同意", row=None):
    row = row or grid_row(env, "handler2", tid)
    out = outputs(call(env.app, env.client(who), cb.sign, props(("ctr-sign", "n_clicks", 1)), props(
        ("ctr-grid", "selectedRows", [row]), ("ctr-approve", "value", approve), ("ctr-opinion", "value", opinion),
        ("ctr-refresh", "data", 0))))
    return text(out["ctr-sign-result"]["children"]), out


def test_credit_transfers001_the_form_is_validated(env):
    out = apply(env, **{"ctr-device": "", "ctr-persons": "", "ctr-commitment": []})
    assert "设备型号" in (out["ctr-device-error"]["children"] or "")
    assert "人员名单" in (out["ctr-persons-error"]["children"] or "")
    assert "承诺书" in (out["ctr-commitment-error"]["children"] or "")
    out = apply(env, **{"ctr-method": "other", "ctr-internet": ["internet"]})
    assert "脱敏、加密" in (out["ctr-internet-error"]["children"] or "")
    assert "依据" in (out["ctr-justification-error"]["children"] or "")
    with transaction(env.url) as s:
        assert s.scalar(select(CreditTransfer.id).limit(1)) is None


def test_credit_transfers002_three_different_people_sign(env):
    out = apply(env, "handler")
    assert "已提交数据传输申请" in text(out["ctr-result"]["children"])
    t = newest(env)
    assert t.device_entry_id is not None and t.persons == ["张三", "李四"] and t.commitment_signed
    # the applicant never signs the preliminary opinion
    msg, _ = sign(env, "handler", t.id)
    assert "不能初审本人填报的申请" in msg and newest(env).status == "submitted"
    msg, out = sign(env, "handler2", t.id, opinion="")
    assert "初审意见" in (out["ctr-opinion-error"]["children"] or "")
    msg, _ = sign(env, "handler2", t.id, opinion="数据范围明确，同意")
    assert "待审核" in msg
    msg, _ = sign(env, "deputy", t.id, opinion="同意")
    assert "待审批" in msg
    msg, _ = sign(env, "head", t.id, opinion="同意传输")
    assert "已批准" in msg
    t = newest(env)
    assert len({t.applied_by_id, t.prelim_by_id, t.reviewed_by_id, t.approved_by_id}) == 4
    row = grid_row(env, "handler2", t.id)
    assert [s["step"] for s in row["signatures"]] == ["初审（经办部门）", "审核（分管领导）", "审批（主要领导）"]
    # afterwards the applicant confirms the device was cleared (Art. X41); nobody else may
    out = outputs(call(env.app, env.client("handler2"), cb.clear, props(("ctr-clear", "n_clicks", 1)), props(
        ("ctr-grid", "selectedRows", [grid_row(env, "handler2", t.id)]), ("ctr-clear-note", "value", "已清理"),
        ("ctr-refresh", "data", 0))))
    assert "只有填报该申请的单位人员" in text(out["ctr-clear-result"]["children"]) and newest(env).status == "approved"
    out = outputs(call(env.app, env.client("handler"), cb.clear, props(("ctr-clear", "n_clicks", 1)), props(
        ("ctr-grid", "selectedRows", [grid_row(env, "handler", t.id)]),
        ("ctr-clear-note", "value", "2026-11-21 由张三在机房清理 WD-MyPassport-2T"), ("ctr-refresh", "data", 0))))
    assert "已清理" in text(out["ctr-clear-result"]["children"])
    assert newest(env).status == "cleared"


def test_credit_transfers003_the_same_person_cannot_sign_two_steps(env):
    apply(env, "public")
    t = newest(env)
    assert t.unit == "省市场监督管理局"  # a public body applies for its own unit, whatever the form says
    sign(env, "handler2", t.id)
    with transaction(env.url) as s:  # the deputy's account also signed the preliminary opinion
        s.get(CreditTransfer, t.id).prelim_by_id = env.users["deputy"].user_id
    msg, _ = sign(env, "deputy", t.id)
    assert "三个不同的人" in msg and newest(env).status == "prelim"
    with transaction(env.url) as s:
        s.get(CreditTransfer, t.id).prelim_by_id = env.users["handler2"].user_id
    sign(env, "deputy", t.id)
    with transaction(env.url) as s:
        s.get(CreditTransfer, t.id).reviewed_by_id = env.users["head"].user_id
    msg, _ = sign(env, "head", t.id)
    assert "三个不同的人" in msg and newest(env).status == "reviewed"


def test_credit_transfers004_a_refusal_ends_it(env):
    apply(env, "handler")
    t = newest(env)
    msg, out = sign(env, "handler2", t.id, approve="no", opinion="")
    assert "不予批准的理由" in (out["ctr-opinion-error"]["children"] or "")
    sign(env, "handler2", t.id)
    msg, _ = sign(env, "deputy", t.id, approve="no", opinion="数据范围过大，应缩小至本县")
    assert "不予批准" in msg
    t = newest(env)
    assert t.status == "refused" and t.refused_at_step == "review"
    msg, _ = sign(env, "head", t.id, row={**grid_row(env, "handler2", t.id), "step": "approve"})
    assert "不能审批" in msg and newest(env).status == "refused"


def test_credit_transfers005_stale_version_refused(env):
    apply(env, "handler")
    t = newest(env)
    old = grid_row(env, "handler2", t.id)
    sign(env, "handler2", t.id)
    msg, _ = sign(env, "deputy", t.id, row={**old, "step": "review"})
    assert "已被他人修改" in msg and newest(env).status == "prelim"


def test_credit_transfers006_overdue_transfer_raises_the_warning(env):
    env.app.server.config["NOW"] = lambda: dt.datetime(2026, 10, 20, 2, 0, tzinfo=UTC)
    env.forget_clients()
    apply(env, "handler", **{"ctr-commitment-on": "2026-10-20"})
    late = newest(env)
    env.app.server.config["NOW"] = lambda: dt.datetime(2026, 11, 20, 2, 0, tzinfo=UTC)
    env.forget_clients()
    run_rules(env.url, env.key, today=dt.date(2026, 11, 20), rules=["credit_reply_overdue"],
              data_dir=env.settings.data_dir)
    with transaction(env.url) as s:
        w = s.scalar(select(Warning).where(Warning.fingerprint == f"credit_reply_overdue:credit_transfer:{late.id}:"))
    assert w is not None and w.region_code == env.province and w.evidence["kind"] == "transfer"
    assert grid_row(env, "handler2", late.id)["overdue"]


@pytest.mark.postgres
def test_credit_transfers007_the_overdue_frame_reads_on_postgres(postgres_server):
    """The engine's `credit_replies` read (a UNION over three tables) on PostgreSQL."""
    from data.db import upgrade
    from data.models import User
    from data.supervision.engine import frame_sql
    from domain.supervision.rules import check_credit_reply_overdue, conform
    import polars as pl
    from sqlalchemy import create_engine, text as sql

    url = postgres_server.create_database("credit_replies")
    upgrade(url)
    with transaction(url) as s:
        u = User(username="u", display_name="u", role="credit_handler", region_code=360000000000, password_hash="x")
        s.add(u)
        s.flush()
        s.add(CreditTransfer(region_code=360100000000, applied_by_id=u.id, unit="u", data_range="d", use_range="u",
                             confidentiality="c", method="interface", persons=[], commitment_signed=True,
                             received_on=dt.date(2026, 10, 1), answer_due=dt.date(2026, 10, 15), status="submitted"))
    engine = create_engine(url)
    with engine.connect() as c:
        frame = pl.DataFrame([dict(r._mapping) for r in c.execute(sql(frame_sql("credit_replies")))])
    engine.dispose()
    found = check_credit_reply_overdue({"credit_replies": conform("credit_replies", frame)}, {}, dt.date(2026, 11, 20))
    assert [(f.region_code, f.evidence["kind"]) for f in found] == [(360000000000, "transfer")]
