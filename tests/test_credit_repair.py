"""Credit repair (信用修复) through the callback endpoint: refused before the minimum publicity period
(the day it opens named), without evidence, for another subject's record, twice at once, and on
one's own application; the data unit's approval ends the record's effect, re-evaluates the subject
in the same transaction and never lowers the score; a refusal of the application needs reasons."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

import callbacks.credit_repair.flow as flow
from data.db import reading, transaction
from data.models import AuditLog, CreditRecord, CreditRepair, CreditScore, CreditSubject, User
from domain.credit.publicity import publicity_end, repair_open_from
from domain.regions import truncate
from tests.support.app import TODAY
from tests.support.business import own_database, user_at
from tests.support.credit import make_record, make_subject
from tests.support.http import app_on, call, outputs, props, sign_in, text


NOW = dt.datetime(2026, 11, 22, 4, 0, tzinfo=dt.UTC)
PDF = "data:application/pdf;base64,JVBERi0xLjQgZXZpZGVuY2U="  # "%PDF-1.4 evidence"


@pytest.fixture(scope="module")
def env(tmp_path_factory):
    settings = own_database(tmp_path_factory, "credit_repair")
    county = settings.demo_county
    with reading(settings.database_url) as s:
        from data.models import CollectiveOrg
        from domain.regions import subtree_bounds

        lo, hi = subtree_bounds(county)
        village = int(s.scalar(select(func.min(CollectiveOrg.region_code)).where(CollectiveOrg.region_code.between(lo, hi))))
    me = make_subject(settings, village, name="张林生")
    other = make_subject(settings, village, name="李木根")
    serious_on = TODAY - dt.timedelta(days=400)
    ordinary_on = TODAY - dt.timedelta(days=30)
    ids = {
        "me": me, "other": other,
        "serious": make_record(settings, me, "dishonest", serious_on, title="违法采伐林木行政处罚", severity="serious",
                               subtype="admin_penalty", publicity_until=publicity_end("serious", serious_on)),
        "fresh": make_record(settings, me, "dishonest", ordinary_on, title="未按期缴纳罚款", severity="ordinary",
                             subtype="admin_penalty", publicity_until=publicity_end("ordinary", ordinary_on)),
        "good": make_record(settings, me, "good", TODAY - dt.timedelta(days=90), title="护林防火先进个人",
                            subtype="commendation"),
        "others": make_record(settings, other, "dishonest", serious_on, title="他人的失信信息", severity="serious",
                              subtype="admin_penalty", publicity_until=publicity_end("serious", serious_on)),
    }
    province = truncate(village, 1)
    user_at(settings, "cr-subject", "credit_subject", village)
    user_at(settings, "cr-county", "county_forestry", truncate(village, 3))
    user_at(settings, "cr-handler", "credit_handler", province)
    user_at(settings, "cr-deputy", "credit_deputy", province)
    with transaction(settings.database_url) as s:
        s.scalar(select(User).where(User.username == "cr-subject")).credit_subject_id = me
    from data.credit.evaluate import reevaluate

    with transaction(settings.database_url) as s:
        reevaluate(s, [me, other], TODAY, "batch")
    app = app_on(settings)
    app.server.config["NOW"] = lambda: NOW
    return {"settings": settings, "app": app, "ids": ids, "clients": {}}


def client(env, username):
    if username not in env["clients"]:
        env["clients"][username] = sign_in(env["app"].server, username)
    return env["clients"][username]


def apply(env, username, record_id, reason="已缴清罚款并补种林木，现申请信用修复", files=(PDF,), names=("缴款凭证.pdf",)):
    return call(env["app"], client(env, username), flow.apply, props(("cr-apply", "n_clicks", 1)), props(
        ("cr-record", "value", record_id), ("cr-reason", "value", reason), ("cr-evidence", "contents", list(files)),
        ("cr-evidence", "filename", list(names)), ("cr-refresh", "data", 0)))


def decide(env, username, repair_id, approve=True, comment="证明材料齐全，同意修复"):
    with reading(env["settings"].database_url) as s:
        version = s.get(CreditRepair, repair_id).version
    button = "cr-approve" if approve else "cr-reject"
    return call(env["app"], client(env, username), flow.decide,
                props(("cr-approve", "n_clicks", 1 if approve else None), ("cr-reject", "n_clicks", None if approve else 1)),
                props(("cr-grid", "selectedRows", [{"id": repair_id, "version": version}]), ("cr-comment", "value", comment),
                      ("cr-refresh", "data", 0)), changed=[f"{button}.n_clicks"])


def repairs(env) -> int:
    with reading(env["settings"].database_url) as s:
        return s.scalar(select(func.count()).select_from(CreditRepair))


def test_credit_repair001_refused_before_the_minimum_period_with_the_date(env):
    before = repairs(env)
    out = outputs(apply(env, "cr-subject", env["ids"]["fresh"]))
    opens = repair_open_from("ordinary", TODAY - dt.timedelta(days=30))
    assert opens.isoformat() in out["cr-record-error"]["children"] and "最短公示期未满" in out["cr-record-error"]["children"]
    assert repairs(env) == before


def test_credit_repair002_refused_without_evidence_or_reason(env):
    before = repairs(env)
    out = outputs(apply(env, "cr-subject", env["ids"]["serious"], files=(), names=()))
    assert "证明材料" in out["cr-evidence-error"]["children"]
    out = outputs(apply(env, "cr-subject", env["ids"]["serious"], reason=""))
    assert "申请理由" in out["cr-reason-error"]["children"]
    assert repairs(env) == before


def test_credit_repair003_a_subject_applies_only_for_their_own_records(env):
    before = repairs(env)
    resp = apply(env, "cr-subject", env["ids"]["others"])
    assert "只能为本人的失信信息申请信用修复" in text(outputs(resp)["cr-apply-result"]["children"])
    assert repairs(env) == before


def test_credit_repair004_the_subject_applies_once_and_the_list_shows_it(env):
    out = outputs(apply(env, "cr-subject", env["ids"]["serious"]))
    assert "已提交信用修复申请" in text(out["cr-apply-result"]["children"])
    again = outputs(apply(env, "cr-county", env["ids"]["serious"]))
    assert "已有待决定的修复申请" in again["cr-record-error"]["children"]
    rows = outputs(call(env["app"], client(env, "cr-subject"), flow.load, props(("cr-refresh", "data", 1))))
    grid = rows["cr-grid"]["rowData"]
    assert [r["record_id"] for r in grid] == [env["ids"]["serious"]] and grid[0]["evidence"] == 1
    assert rows["cr-decide-tools"]["hidden"] is True and rows["cr-apply-tools"]["hidden"] is False


def test_credit_repair005_nobody_decides_their_own_application(env):
    with reading(env["settings"].database_url) as s:
        handler = s.scalar(select(User.id).where(User.username == "cr-handler"))
    with transaction(env["settings"].database_url) as s:  # an application the handler registered (the model allows it)
        row = CreditRepair(record_id=env["ids"]["others"], subject_id=env["ids"]["other"],
                           region_code=s.get(CreditRecord, env["ids"]["others"]).region_code, applied_by_id=handler,
                           applied_at=NOW, reason="测试本人申请", status="submitted")
        s.add(row)
        s.flush()
        rid = row.id
    resp = decide(env, "cr-handler", rid)
    assert "不能决定本人提交的修复申请" in text(outputs(resp)["cr-decide-result"]["children"])
    with reading(env["settings"].database_url) as s:
        assert s.get(CreditRepair, rid).status == "submitted"
        assert s.get(CreditRecord, env["ids"]["others"]).status == "active"
    with transaction(env["settings"].database_url) as s:
        s.delete(s.get(CreditRepair, rid))


def test_credit_repair006_a_refusal_needs_reasons(env):
    with reading(env["settings"].database_url) as s:
        rid = s.scalar(select(CreditRepair.id).where(CreditRepair.record_id == env["ids"]["serious"]))
    out = outputs(decide(env, "cr-deputy", rid, approve=False, comment=""))
    assert "不予修复须写明理由" in out["cr-comment-error"]["children"]
    with reading(env["settings"].database_url) as s:
        assert s.get(CreditRepair, rid).status == "submitted"


def test_credit_repair007_approval_ends_the_effect_and_raises_the_score(env):
    url = env["settings"].database_url
    me, rec = env["ids"]["me"], env["ids"]["serious"]
    with reading(url) as s:
        rid = s.scalar(select(CreditRepair.id).where(CreditRepair.record_id == rec))
        before = s.get(CreditSubject, me).score
        scores = s.scalar(select(func.count()).select_from(CreditScore).where(CreditScore.subject_id == me))
        factors = s.scalars(select(CreditScore.factors).where(CreditScore.subject_id == me)
                            .order_by(CreditScore.id.desc())).first()
    assert any(rec in f["record_ids"] for f in factors)
    listed = outputs(call(env["app"], client(env, "cr-deputy"), flow.load, props(("cr-refresh", "data", 2))))
    mine = [r for r in listed["cr-grid"]["rowData"] if r["id"] == rid]
    shown = outputs(call(env["app"], client(env, "cr-deputy"), flow.select, props(("cr-grid", "selectedRows", mine))))
    line = text(shown["cr-preview"]["children"])
    assert f"当前信用分 {before} 分" in line and "批准后" in line and "合计（信用分）" in line
    out = outputs(decide(env, "cr-deputy", rid))
    assert "已批准信用修复" in text(out["cr-decide-result"]["children"])
    with reading(url) as s:
        r = s.get(CreditRecord, rec)
        assert (r.status, r.ended_on) == ("repaired", TODAY)
        assert s.get(CreditRepair, rid).status == "approved"
        after = s.get(CreditSubject, me).score
        last = s.scalars(select(CreditScore).where(CreditScore.subject_id == me).order_by(CreditScore.id.desc())).first()
        assert s.scalar(select(func.count()).select_from(CreditScore).where(CreditScore.subject_id == me)) == scores + 1
        logged = s.scalars(select(AuditLog.description).where(AuditLog.description.like(f"%信用修复 #{rid}%"))).all()
    assert after > before and last.reason == "repair" and last.score == after
    assert f"批准后 {after} 分" in line  # the preview said what the approval did
    assert sum(f["points"] for f in last.factors) == after
    assert not any(rec in f["record_ids"] for f in last.factors)
    assert any("申请信用修复" in d for d in logged) and any("批准信用修复" in d for d in logged)
    again = outputs(decide(env, "cr-deputy", rid))  # decided once only
    assert "已决定" in text(again["cr-decide-result"]["children"]) or "已被他人修改" in text(again["cr-decide-result"])


def test_credit_repair008_the_decider_downloads_the_evidence(env):
    with reading(env["settings"].database_url) as s:
        rid = s.scalar(select(CreditRepair.id).where(CreditRepair.record_id == env["ids"]["serious"]))
    out = outputs(call(env["app"], client(env, "cr-handler"), flow.select,
                       props(("cr-grid", "selectedRows", [{"id": rid, "version": 1}]))))
    files = out["cr-evidence-file"]["options"]
    assert len(files) == 1 and "缴款凭证.pdf" in files[0]["label"]
    got = outputs(call(env["app"], client(env, "cr-handler"), flow.download, props(("cr-evidence-download", "n_clicks", 1)),
                       props(("cr-grid", "selectedRows", [{"id": rid, "version": 1}]),
                             ("cr-evidence-file", "value", files[0]["value"]))))
    assert got["cr-download"]["data"]["filename"] == "缴款凭证.pdf"
