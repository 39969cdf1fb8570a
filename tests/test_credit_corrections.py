"""Data corrections (Art. X45–X48) through the callback endpoint: the chain end to end (apply with
evidence → review → meeting → county) with before/after, the target changed only at the county's
step; a major correction cannot skip the provincial bureau; a restriction note never changes
ownership; the target's version is checked; separation of duty; the AFTER_CORRECTION hook."""
from __future__ import annotations

import base64
import datetime as dt

import pytest
from sqlalchemy import select

import callbacks.credit_requests.corrections as cb
from data.credit import corrections as store
from data.db import transaction
from data.models import Attachment, CreditCorrection, CreditRecord, ForestEncumbrance, ForestRight, RecordChange
from tests.support.credit import RequestsEnv, make_record, make_right, resident_id
from tests.support.http import call, outputs, props, text


UTC = dt.UTC
TODAY = dt.date(2026, 11, 20)
PDF = "data:application/pdf;base64," + base64.b64encode(b"%PDF-1.4 evidence").decode()


@pytest.fixture(scope="module")
def env(sqlite_settings, tmp_path_factory):
    e = RequestsEnv(tmp_path_factory.mktemp("credit_corrections"))
    e.app.server.config["NOW"] = lambda: dt.datetime(2026, 11, 20, 2, 0, tzinfo=UTC)
    return e


def record(env, **kw) -> int:
    return make_record(env.settings, env.subject_id, "dishonest", dt.date(2025, 3, 1), title="行政处罚（滥伐）",
                       severity="serious", open_class="conditional", **kw)


def apply(env, who, target, ids, ground, changes: dict, files=True, description="处罚决定已被撤销，附撤销决定书",
          note=None):
    pairs = list(changes.items()) + [(None, None)] * (3 - len(changes))
    state = props(("ccor-target", "value", target), ("ccor-ids", "value", ", ".join(map(str, ids))),
                  ("ccor-ground", "value", ground),
                  *[(f"ccor-field{n + 1}", "value", f) for n, (f, _) in enumerate(pairs)],
                  *[(f"ccor-value{n + 1}", "value", v) for n, (_, v) in enumerate(pairs)],
                  ("ccor-note", "value", note), ("ccor-description", "value", description),
                  ("ccor-files", "contents", [PDF] if files else None),
                  ("ccor-files", "filename", ["撤销决定书.pdf"] if files else None), ("ccor-refresh", "data", 0))
    return outputs(call(env.app, env.client(who), cb.submit, props(("ccor-submit", "n_clicks", 1)), state))


def newest(env) -> CreditCorrection:
    with transaction(env.url) as s:
        row = s.scalar(select(CreditCorrection).order_by(CreditCorrection.id.desc()).limit(1))
        s.expunge(row)
        return row


def grid_row(env, who, cid) -> dict:
    out = outputs(call(env.app, env.client(who), cb.load, props(("ccor-refresh", "data", 0))))
    return next(r for r in out["ccor-grid"]["rowData"] if r["id"] == cid)


def act(env, who, cid, approve="yes", opinion="经核实，同意修正", meeting_on=None, minutes=None, row=None):
    row = row or grid_row(env, "handler", cid)
    state = props(("ccor-grid", "selectedRows", [row]), ("ccor-approve", "value", approve),
                  ("ccor-opinion", "value", opinion), ("ccor-meeting-on", "date", meeting_on),
                  ("ccor-minutes", "value", minutes), ("ccor-refresh", "data", 0))
    out = outputs(call(env.app, env.client(who), cb.act, props(("ccor-act", "n_clicks", 1)), state))
    return text(out["ccor-act-result"]["children"]), out


def title_of(env, rid) -> str:
    with transaction(env.url) as s:
        return s.get(CreditRecord, rid).title


def test_credit_corrections001_evidence_is_required(env):
    rid = record(env)
    out = apply(env, "county", "record", [rid], "4", {"title": "行政处罚（已撤销）"}, files=False)
    assert "证明材料" in (out["ccor-files-error"]["children"] or "")
    out = apply(env, "county", "record", [rid], None, {"severity": "很重"})
    assert "修正情形" in (out["ccor-ground-error"]["children"] or "")
    assert "失信程度须为" in (out["ccor-value1-error"]["children"] or "")


def test_credit_corrections002_the_chain_end_to_end_with_before_and_after(env):
    hook_calls = []
    store.AFTER_CORRECTION.append(lambda s, subjects, as_of: hook_calls.append((subjects, as_of)))
    try:
        rid = record(env)
        out = apply(env, "county", "record", [rid], "4", {"title": "行政处罚（已撤销）", "status": "withdrawn"})
        assert "已提交修正申请" in text(out["ccor-result"]["children"])
        c = newest(env)
        assert c.status == "submitted" and not c.major and c.answer_due > TODAY
        with transaction(env.url) as s:
            assert s.scalar(select(Attachment.filename).where(Attachment.owner_type == "credit_correction",
                                                              Attachment.owner_id == c.id)) == "撤销决定书.pdf"
        msg, out = act(env, "handler", c.id, opinion="")
        assert "意见" in (out["ccor-opinion-error"]["children"] or "")
        msg, _ = act(env, "handler", c.id)
        assert "待会议决定" in msg and title_of(env, rid) == "行政处罚（滥伐）"
        # the meeting: date and minutes reference required
        msg, out = act(env, "deputy", c.id, opinion="会议同意")
        assert "会议日期" in (out["ccor-meeting-on-error"]["children"] or "")
        assert "会议纪要编号" in (out["ccor-minutes-error"]["children"] or "")
        msg, _ = act(env, "deputy", c.id, opinion="会议同意", meeting_on="2026-11-19", minutes="林信会〔2026〕12号")
        assert "待县级实施" in msg and title_of(env, rid) == "行政处罚（滥伐）"  # not changed before the county
        msg, _ = act(env, "county", c.id)
        assert "已修正" in msg
        c = newest(env)
        assert c.status == "applied" and c.executed_by_id == env.users["county"].user_id
        assert c.before == {str(rid): {"title": "行政处罚（滥伐）", "status": "active"}}
        assert c.after == {str(rid): {"title": "行政处罚（已撤销）", "status": "withdrawn"}}
        with transaction(env.url) as s:
            r = s.get(CreditRecord, rid)
            assert (r.title, r.status) == ("行政处罚（已撤销）", "withdrawn")
            hist = s.scalars(select(RecordChange).where(RecordChange.table_name == "credit_records",
                                                        RecordChange.record_id == rid)).all()
        assert any("title" in (h.changes or {}) for h in hist)
        assert hook_calls == [([env.subject_id], TODAY)]
        # the chain as the page shows it: who, when, opinion at each step, and before/after
        row = grid_row(env, "handler", c.id)
        assert [s["step"] for s in row["chain"]] == ["申请", "经办部门审核", "会议决定", "县级实施"]
        shown = outputs(call(env.app, env.client("handler"), cb.show, props(("ccor-grid", "selectedRows", [row]))))
        page = text(shown["ccor-detail"]["children"])
        assert "林信会〔2026〕12号" in page and "行政处罚（滥伐）" in page and "行政处罚（已撤销）" in page
    finally:
        store.AFTER_CORRECTION.clear()


def test_credit_corrections003_a_major_correction_cannot_skip_the_bureau(env):
    right = make_right(env.settings, env.subject_id)
    newcomer = resident_id(env.village)
    from tests.support.credit import make_subject

    make_subject(env.settings, env.village, name="赵新户", identifier=newcomer)
    apply(env, "county", "right", [right], "1", {"holder_identifier": newcomer}, description="原发证系统登记的权利人有误")
    c = newest(env)
    assert c.major and "权属" in c.major_reason
    act(env, "handler", c.id)
    msg, _ = act(env, "head", c.id, opinion="会议同意，报省林业局", meeting_on="2026-11-19", minutes="林信会〔2026〕13号")
    assert "待省林业局审议" in msg
    # the county cannot apply it yet (asking for the county's step on the bureau's)
    msg, _ = act(env, "county", c.id, row={**grid_row(env, "county", c.id), "step": "execute"})
    assert "不能办理此步骤" in msg
    with transaction(env.url) as s:
        assert s.get(ForestRight, right).subject_id == env.subject_id
    msg, _ = act(env, "bureau", c.id, opinion="审议同意")
    assert "待县级实施" in msg
    act(env, "county", c.id)
    with transaction(env.url) as s:
        holder = s.get(ForestRight, right).subject_id
    assert holder != env.subject_id and newest(env).status == "applied"


def test_credit_corrections004_a_batch_is_major(env):
    ids = [record(env) for _ in range(11)]
    apply(env, "county", "record", ids, "4", {"produced_by": "某县林业局（机构改革后）"})
    c = newest(env)
    assert c.major and "批量" in c.major_reason


def test_credit_corrections005_a_restriction_note_never_changes_ownership(env):
    right = make_right(env.settings, env.subject_id)
    out = apply(env, "county", "right", [right], "3", {"right_type": "use"}, note="承包经营权实际未落户")
    assert "不得改变" in (out["ccor-value1-error"]["children"] or "")
    apply(env, "county", "right", [right], "3", {}, note="承包经营权实际未落户，村委会出具说明")
    c = newest(env)
    assert not c.major
    act(env, "handler", c.id)
    act(env, "deputy", c.id, meeting_on="2026-11-19", minutes="林信会〔2026〕14号")
    act(env, "county", c.id)
    with transaction(env.url) as s:
        r = s.get(ForestRight, right)
        assert (r.subject_id, r.right_type) == (env.subject_id, "contracting")
        notes = s.scalars(select(ForestEncumbrance.note).where(ForestEncumbrance.right_id == right,
                                                               ForestEncumbrance.kind == "restriction")).all()
    assert notes == ["承包经营权实际未落户，村委会出具说明"]


def test_credit_corrections006_stale_target_and_stale_correction_refused(env):
    rid = record(env)
    apply(env, "county", "record", [rid], "5", {"title": "更正后的标题"})
    c = newest(env)
    act(env, "handler", c.id)
    act(env, "deputy", c.id, meeting_on="2026-11-19", minutes="林信会〔2026〕15号")
    row = grid_row(env, "county", c.id)
    with transaction(env.url) as s:  # the record changed after the application
        s.get(CreditRecord, rid).content = "补充内容"
    msg, _ = act(env, "county", c.id, row=row)
    assert "已被修改" in msg and title_of(env, rid) == "行政处罚（滥伐）" and newest(env).status == "approved"
    # a stale correction (the grid row read before another step)
    rid2 = record(env)
    apply(env, "county", "record", [rid2], "5", {"title": "再次更正"})
    c2 = newest(env)
    old = grid_row(env, "handler", c2.id)
    act(env, "handler", c2.id)
    msg, _ = act(env, "deputy", c2.id, meeting_on="2026-11-19", minutes="林信会〔2026〕16号",
                 row={**old, "step": "decide"})
    assert "已被他人修改" in msg and newest(env).status == "reviewed"


def test_credit_corrections007_separation_of_duty_and_the_subjects_own(env):
    rid = record(env)
    out = apply(env, "subject", "record", [rid], "5", {"title": "本人认为标题有误"})
    assert "已提交" in text(out["ccor-result"]["children"])
    c = newest(env)
    assert c.applicant_kind == "subject"
    other = make_record(env.settings, env.other_subject, "dishonest", dt.date(2025, 3, 1), title="他人记录",
                        severity="minor")
    out = apply(env, "subject", "record", [other], "5", {"title": "改别人的"})
    assert "本人" in (out["ccor-ids-error"]["children"] or "")
    # the reviewer never also decides at the meeting
    act(env, "handler", c.id)
    with transaction(env.url) as s:
        s.get(CreditCorrection, c.id).reviewed_by_id = env.users["deputy"].user_id
    msg, _ = act(env, "deputy", c.id, meeting_on="2026-11-19", minutes="林信会〔2026〕17号")
    assert "不能决定本人经办的修正申请" in msg and newest(env).status == "reviewed"
    # the subject sees the corrections of its own data, never another subject's
    apply(env, "county", "record", [other], "4", {"title": "他人记录（更正）"})
    theirs = newest(env).id
    mine = outputs(call(env.app, env.client("subject"), cb.load, props(("ccor-refresh", "data", 0))))
    seen = {r["id"] for r in mine["ccor-grid"]["rowData"]}
    assert c.id in seen and theirs not in seen


def test_credit_corrections008_an_unanswered_correction_raises_the_overdue_warning(env):
    from data.models import Warning
    from data.supervision.engine import run as run_rules

    rid = record(env)
    cid = store.apply(env.url, env.key, env.users["county"], "record", [rid], "6", {"title": "逾期测试"}, "其他情况",
                      [("说明.pdf", b"%PDF-1.4 z")], dt.date(2026, 10, 20))
    run_rules(env.url, env.key, today=TODAY, rules=["credit_reply_overdue"], data_dir=env.settings.data_dir)
    with transaction(env.url) as s:
        w = s.scalar(select(Warning).where(Warning.fingerprint == f"credit_reply_overdue:credit_correction:{cid}:"))
    assert w is not None and w.region_code == env.province and w.evidence["status"] == "submitted"
    row = grid_row(env, "handler", cid)
    assert row["overdue"] and "已超期" in row["due"]
