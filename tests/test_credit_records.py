"""Credit subjects, records and forest rights through the callback endpoint (issue 15, items 1–3):
identifiers checked (a bad check digit refused in Chinese), one subject per identifier, scope,
dishonest records with their publicity period, loans with a schedule, forest rights (the unit
code's county is the parcel's), restriction notes that leave the ownership data alone, a right
made from a contracted forest resource (the resource unchanged), the collective-economy records
of the same identifier, and the data unit's reclassification rules (Art. X11–X12)."""
from __future__ import annotations

import base64
import datetime as dt
import json

import pytest
from sqlalchemy import func, select

from callbacks.credit_records import subject, subject_forms, subjects
from data.db import transaction
from data.models import (AuditLog, Contract, CreditRecord, CreditRepayment, CreditSubject, ForestEncumbrance, ForestRight,
                         Member, Resource)
from domain.credit.drafts import default_classes
from tests.support.credit import make_record, make_right, make_subject, resident_id, unit_code, uscc
from tests.support.credit_entry import TODAY, credit_env
from tests.support.http import output, text



@pytest.fixture(scope="module")
def env(tmp_path_factory):
    return credit_env(tmp_path_factory, "credit_records")


def _body(resp) -> str:
    """The whole answer as text (Chinese unescaped): an alert, or the 403's error."""
    data = resp.get_json(silent=True)
    return json.dumps(data, ensure_ascii=False) if data is not None else resp.get_data(as_text=True)


def _count(env, model, *where) -> int:
    with transaction(env.url) as s:
        return s.scalar(select(func.count()).select_from(model).where(*where))


def _create(env, who, **values):
    form = {"cs-new-submit": 1, "cs-new-kind": "natural", "cs-new-name": "李青山", "cs-new-region": str(env.village),
            "cs-refresh": 0}
    form.update({f"cs-new-{k.replace('_', '-')}": v for k, v in values.items()})
    return env.post(who, subjects.create, form)


def test_subject_bad_check_digit_refused_in_chinese(env):
    good = resident_id(env.county)
    bad = good[:-1] + ("0" if good[-1] != "0" else "1")
    before = _count(env, CreditSubject)
    resp = _create(env, "county", identifier=bad)
    assert "校验" in text(output(resp, "cs-new-identifier-error", "children"))
    assert _count(env, CreditSubject) == before
    code = uscc(env.county)
    resp = _create(env, "county", kind="legal", identifier=code[:-1] + ("0" if code[-1] != "0" else "1"),
                   legal_rep="王五")
    err = text(output(resp, "cs-new-identifier-error", "children"))
    assert "校验" in err and _count(env, CreditSubject) == before


def test_subject_created_once_per_identifier(env):
    ident = resident_id(env.county)
    resp = _create(env, "county", identifier=ident, phone="0791-8888888")
    assert "已登记信用主体" in text(output(resp, "cs-new-result", "children"))
    with transaction(env.url) as s:
        row = s.scalar(select(CreditSubject).where(CreditSubject.identifier == ident))
        assert row.region_code == env.village and row.unrated and row.id_type == "resident"
        assert s.scalar(select(func.count()).select_from(AuditLog).where(AuditLog.description.like("登记信用主体：李青山%")))
    before = _count(env, CreditSubject)
    resp = _create(env, "bureau", identifier=ident, name="李青山二")
    msg = text(output(resp, "cs-new-identifier-error", "children"))
    assert "已登记为信用主体：李青山" in msg and f"主体编号 {row.id}" in msg
    assert _count(env, CreditSubject) == before


def test_subject_out_of_scope_refused(env):
    before = (_count(env, CreditSubject), _count(env, AuditLog, AuditLog.result == "denied"))
    resp = _create(env, "county", identifier=resident_id(env.county), region=str(env.other_village))
    assert resp.status_code in (200, 403)
    assert "不在您的管辖范围内" in _body(resp)
    assert _count(env, CreditSubject) == before[0]
    assert _count(env, AuditLog, AuditLog.result == "denied") > before[1]
    # a collective-economy role never reaches the callback
    resp = _create(env, "cashier", identifier=resident_id(env.county))
    assert resp.status_code != 200 or "已登记" not in _body(resp)
    assert _count(env, CreditSubject) == before[0]


def _record(env, who, sid, **values):
    form = {"csd-rec-submit": 1, "csd-subject-id": sid, "csd-rec-kind": "dishonest", "csd-rec-subtype": "admin_penalty",
            "csd-rec-title": "擅自改变林地用途", "csd-rec-date": "2026-03-10", "csd-rec-severity": "ordinary",
            "csd-rec-source": "platform", "csd-rec-produced": "测试县林业局", "csd-refresh": 0}
    form.update({f"csd-rec-{k}": v for k, v in values.items()})
    return env.post(who, subject.add_record, form)


def test_dishonest_record_with_publicity_period(env):
    sid = make_subject(env.settings, env.village, name="赵木")
    resp = _record(env, "county", sid, months="6", amount="5,000.00", docno="林罚〔2026〕3号")
    assert "已录入信用记录" in text(output(resp, "csd-rec-result", "children"))
    with transaction(env.url) as s:
        r = s.scalar(select(CreditRecord).where(CreditRecord.subject_id == sid))
        assert r.publicity_until == dt.date(2026, 9, 9) and r.amount_fen == 500_000 and r.category == "public"
        assert (r.open_class, r.share_class) == ("unconditional", "unconditional")  # 双公示, even for a person
        assert r.produced_by == "测试县林业局" and r.collected_by_id is not None and r.source == "platform"
    for months, expect in (("1", "一般失信信息的公示期应为3至12个月"), ("13", "3至12个月")):
        resp = _record(env, "county", sid, months=months)
        assert expect in text(output(resp, "csd-rec-months-error", "children"))
    resp = _record(env, "county", sid, severity=None)
    assert "严重程度" in text(output(resp, "csd-rec-severity-error", "children"))
    assert _count(env, CreditRecord, CreditRecord.subject_id == sid) == 1


def test_loan_with_schedule_and_default_classes(env):
    sid = make_subject(env.settings, env.village, name="钱贷")
    resp = _record(env, "county", sid, kind="loan", subtype=None, severity=None, title="林权抵押贷款",
                   amount="12,000.00", counterparty="测试农商银行", term="12", date="2026-01-15")
    assert "已录入" in text(output(resp, "csd-rec-result", "children"))
    with transaction(env.url) as s:
        r = s.scalar(select(CreditRecord).where(CreditRecord.subject_id == sid))
        assert (r.open_class, r.share_class) == ("none", "conditional") and r.detail == {"term_months": 12}
        pays = s.scalars(select(CreditRepayment).where(CreditRepayment.record_id == r.id)).all()
        assert len(pays) == 12 and sum(p.due_fen for p in pays) == 1_200_000
    resp = _record(env, "county", sid, kind="loan", subtype=None, severity=None, title="信用贷款", amount="100.00",
                   counterparty="测试农商银行", term="2", date="2026-01-15",
                   schedule="2026-02-15,60.00\n2026-03-15,30.00")
    assert "之和应等于贷款本金" in text(output(resp, "csd-rec-schedule-error", "children"))
    # a person's good record is open; a legal person's transfer conditional; a person's transfer not open
    assert default_classes("good", "commendation", True) == ("unconditional", "unconditional")
    assert default_classes("transfer", None, False) == ("conditional", "conditional")
    assert default_classes("transfer", None, True) == ("none", "conditional")
    resp = _record(env, "county", sid, kind="transfer", subtype=None, severity=None, title="林权流转",
                   open=None)
    assert "已录入" in text(output(resp, "csd-rec-result", "children"))


def _right(env, who, sid, **values):
    form = {"csd-right-submit": 1, "csd-subject-id": sid, "csd-right-code": unit_code(env.county),
            "csd-right-region": str(env.village), "csd-right-type": "contracting", "csd-right-area": "35.5",
            "csd-right-forest": "timber", "csd-right-species": "杉木", "csd-right-age-class": "middle",
            "csd-right-age": "14", "csd-right-stock": "210.40", "csd-refresh": 0}
    form.update({f"csd-right-{k}": v for k, v in values.items()})
    return env.post(who, subject_forms.add_right, form)


def test_forest_right_unit_code_checked(env):
    sid = make_subject(env.settings, env.village, name="孙林")
    code = unit_code(env.county)
    bad = code[:14] + "00000" + code[19:]
    resp = _right(env, "county", sid, code=bad)
    assert "第15至19位（宗地顺序号）" in text(output(resp, "csd-right-code-error", "children"))
    other = unit_code(env.other_village)
    resp = _right(env, "county", sid, code=other)
    assert "与宗地所在县" in text(output(resp, "csd-right-code-error", "children"))
    resp = _right(env, "county", sid, code=code[:6] + " " + code[6:12] + " " + code[12:19] + " " + code[19:],
                  polygon="[[125.1,44.1],[125.2,44.1],[125.2,44.2],[125.1,44.1]]")
    assert "已登记林权" in text(output(resp, "csd-right-result", "children"))
    with transaction(env.url) as s:
        r = s.scalar(select(ForestRight).where(ForestRight.subject_id == sid))
        assert r.unit_code == code and str(r.area_mu) == "35.50" and r.lon == pytest.approx(125.1666667)
    resp = _right(env, "county", sid, code=code)
    assert "已登记" in text(output(resp, "csd-right-code-error", "children"))
    resp = _right(env, "county", sid, code=unit_code(env.county), area="0", lon="10", lat="10")
    assert "面积" in text(output(resp, "csd-right-area-error", "children"))
    assert "不在本省范围内" in text(output(resp, "csd-right-lon-error", "children"))


def test_restriction_note_leaves_ownership_unchanged(env):
    sid = make_subject(env.settings, env.village, name="周权")
    rid = make_right(env.settings, sid)
    fields = ("subject_id", "unit_code", "right_type", "area_mu", "certificate_no", "valid_from", "valid_until", "version")
    with transaction(env.url) as s:
        before = tuple(getattr(s.get(ForestRight, rid), f) for f in fields)
    resp = env.post("county", subject_forms.add_encumbrance, {
        "csd-enc-submit": 1, "csd-enc-right": rid, "csd-enc-kind": "restriction", "csd-enc-date": "2026-11-01",
        "csd-enc-note": "因权属争议，暂停办理流转（赣林〔2026〕5号）", "csd-refresh": 0})
    assert "已登记" in text(output(resp, "csd-enc-result", "children"))
    resp = env.post("county", subject_forms.add_encumbrance, {
        "csd-enc-submit": 1, "csd-enc-right": rid, "csd-enc-kind": "mortgage", "csd-enc-date": "2026-11-01",
        "csd-enc-holder": "测试农商银行", "csd-enc-amount": "80,000", "csd-enc-until": "2029-10-31", "csd-refresh": 0})
    assert "已登记" in text(output(resp, "csd-enc-result", "children"))
    resp = env.post("county", subject_forms.add_encumbrance, {
        "csd-enc-submit": 1, "csd-enc-right": rid, "csd-enc-kind": "restriction", "csd-enc-date": "2026-11-01",
        "csd-refresh": 0})
    assert "备注内容" in text(output(resp, "csd-enc-note-error", "children"))
    with transaction(env.url) as s:
        assert tuple(getattr(s.get(ForestRight, rid), f) for f in fields) == before
        kinds = sorted(e.kind for e in s.scalars(select(ForestEncumbrance).where(ForestEncumbrance.right_id == rid)))
        assert kinds == ["mortgage", "restriction"]


def test_right_from_contracted_forest_resource(env):
    with transaction(env.url) as s:
        res = s.scalar(select(Resource).where(Resource.region_code.between(env.county * 1, env.county + 10**6 - 1))
                       .limit(1))
        res.type, res.contracted, res.contractor = "林地", True, "吴承包"
        res_id, before = res.id, None
    with transaction(env.url) as s:
        r = s.get(Resource, res_id)
        before = (r.name, r.type, r.area_mu, r.contracted, r.contractor, r.version)
    resp = env.post("county", subject_forms.prefill, {"csd-right-resource": res_id})
    area = output(resp, "csd-right-area", "value")
    assert area and "吴承包" in text(output(resp, "csd-right-resource-note", "children"))
    sid = make_subject(env.settings, env.village, name="吴承包")
    resp = _right(env, "county", sid, resource=res_id, area=area,
                  region=output(resp, "csd-right-region", "value"))
    assert "已登记林权" in text(output(resp, "csd-right-result", "children")), _body(resp)[:400]
    with transaction(env.url) as s:
        assert s.scalar(select(ForestRight.resource_id).where(ForestRight.subject_id == sid)) == res_id
        r = s.get(Resource, res_id)
        assert (r.name, r.type, r.area_mu, r.contracted, r.contractor, r.version) == before


def test_linked_collective_records(env):
    with transaction(env.url) as s:
        c = s.scalar(select(Contract).where(Contract.region_code.between(env.county, env.county + 10**6 - 1),
                                            Contract.counterparty_id.is_not(None)).limit(1))
        ident, region = c.counterparty_id, int(c.region_code)
        m = s.scalar(select(Member).limit(1))
        m_ident = m.id_number
    if len(ident) != 18:
        pytest.skip("no resident-ID counterparty in the test data")
    with transaction(env.url) as s:
        sub = s.scalar(select(CreditSubject).where(CreditSubject.identifier == ident))
    sid = sub.id if sub else make_subject(env.settings, region, name="合同相对方", identifier=ident)
    resp = env.post("county", subject.load, {"csd-subject-id": str(sid), "csd-refresh": 0})
    linked = output(resp, "csd-linked", "rowData")
    assert any(r["kind"] == "合同相对方" for r in linked)
    # out of the caller's scope: nothing of it, and the page is refused
    resp = env.post("other", subject.load, {"csd-subject-id": str(sid), "csd-refresh": 0})
    assert "不在您的管辖范围内" in _body(resp)
    assert m_ident


def _reclass(env, who, rid, **values):
    with transaction(env.url) as s:
        version = s.get(CreditRecord, rid).version
    form = {"csd-rc-submit": 1, "csd-records": [{"id": rid, "version": version}], "csd-refresh": 0}
    form.update({f"csd-rc-{k}": v for k, v in values.items()})
    return env.post(who, subject.reclassify, form)


PDF = "data:application/pdf;base64," + base64.b64encode(b"%PDF-1.4 consent").decode()


def test_reclassification_rules(env):
    sid = make_subject(env.settings, env.village, name="郑开放")
    rid = make_record(env.settings, sid, "transfer", TODAY - dt.timedelta(days=30), open_class="none",
                      share_class="conditional")
    resp = _reclass(env, "handler", rid, open="unconditional", share="conditional")
    assert "须有依据" in text(output(resp, "csd-rc-ground-error", "children"))
    resp = _reclass(env, "handler", rid, open="conditional", share="conditional", ground="consent")
    assert "同意书" in text(output(resp, "csd-rc-file-error", "children"))
    resp = _reclass(env, "county", rid, open="conditional", share="conditional", ground="desensitised")
    assert resp.status_code == 403  # the guard: the county bureau never reaches the callback
    with transaction(env.url) as s:
        r = s.get(CreditRecord, rid)
        assert (r.open_class, r.masked, r.reclass_rule) == ("none", False, None)
    resp = _reclass(env, "handler", rid, open="conditional", share="conditional", ground="desensitised",
                    note="已隐去身份证号")
    assert "已调整" in text(output(resp, "csd-rc-result", "children"))
    with transaction(env.url) as s:
        r = s.get(CreditRecord, rid)
        assert r.open_class == "conditional" and r.masked and "依法经过脱敏处理" in r.reclass_rule
    resp = env.post("handler", subject.reclassify, {
        "csd-rc-submit": 1, "csd-records": [{"id": rid, "version": _version(env, rid)}], "csd-refresh": 0,
        "csd-rc-open": "unconditional", "csd-rc-share": "unconditional", "csd-rc-ground": "consent",
        ("csd-rc-file", "contents"): PDF, ("csd-rc-file", "filename"): "同意书.pdf"})
    assert "已调整" in text(output(resp, "csd-rc-result", "children"))
    resp = env.post("handler", subject.detail, {"csd-records": [{"id": rid, "version": _version(env, rid)}]})
    assert "同意书.pdf" in text(output(resp, "csd-record-detail", "children"))
    resp = _reclass(env, "handler", rid, open="none", share="none")
    assert "须说明理由" in text(output(resp, "csd-rc-note-error", "children"))
    resp = _reclass(env, "handler", rid, open="none", share="none", note="权利人撤回同意")
    assert "已调整" in text(output(resp, "csd-rc-result", "children"))
    with transaction(env.url) as s:
        r = s.get(CreditRecord, rid)
        assert (r.open_class, r.share_class) == ("none", "none") and "权利人撤回同意" in r.reclass_rule
        assert s.scalar(select(func.count()).select_from(AuditLog).where(AuditLog.description.like(f"调整信用记录 #{rid}%"))) == 3


def _version(env, rid) -> int:
    with transaction(env.url) as s:
        return s.get(CreditRecord, rid).version


def test_subject_page_and_list(env):
    sid = make_subject(env.settings, env.village, name="列表测试")
    resp = env.post("county", subjects.load, {"cs-refresh": 0, "cs-text": "列表测试"})
    rows = output(resp, "cs-grid", "rowData")
    assert [r["id"] for r in rows] == [sid] and rows[0]["grade"] == "未评级" and "*" in rows[0]["identifier"]
    assert output(resp, "cs-form-panel", "hidden") is False
    resp = env.post("handler", subjects.load, {"cs-refresh": 0, "cs-text": "列表测试"})
    assert output(resp, "cs-form-panel", "hidden") is True
    resp = env.post("other", subjects.load, {"cs-refresh": 0, "cs-text": "列表测试"})
    assert output(resp, "cs-grid", "rowData") == []
    resp = env.post("county", subject.load, {"csd-subject-id": str(sid), "csd-refresh": 0})
    assert "列表测试" in text(output(resp, "csd-identity", "children"))
    assert output(resp, "csd-rc-panel", "hidden") is True and output(resp, "csd-rec-panel", "hidden") is False


def test_archive_export_neutralises_formulas(env):
    import io

    from openpyxl import load_workbook

    from callbacks.credit_records import archive

    sid = make_subject(env.settings, env.village, name="档案导出")
    make_record(env.settings, sid, "good", TODAY - dt.timedelta(days=3), title="=HYPERLINK(\"http://x\")", subtype="volunteer")
    resp = env.post("county", archive.export, {"ca-export": 1, "ca-subject": sid})
    data = output(resp, "ca-download", "data")
    ws = load_workbook(io.BytesIO(base64.b64decode(data["content"]))).active
    cell = next(c for row in ws.iter_rows() for c in row if isinstance(c.value, str) and "HYPERLINK" in c.value)
    assert cell.data_type == "s" and cell.quotePrefix
    resp = env.post("other", archive.export, {"ca-export": 1, "ca-subject": sid})
    assert resp.status_code == 403


def test_updates_are_locked_and_record_hooks_run(env):
    from data.credit import records, rights
    from data.credit import subjects as store
    from data.errors import StaleEdit
    from domain.credit.drafts import RecordDraft, SubjectDraft
    from domain.credit.forest import ForestRightDraft
    from tests.support.business import actor

    who = actor(env.settings, "cc-county")
    ident = resident_id(env.county)
    sid = store.create_subject(env.url, "k", who, SubjectDraft(kind="natural", identifier=ident, name="更正前",
                                                               region_code=env.village), TODAY)
    v2 = store.update_subject(env.url, "k", who, sid, SubjectDraft(kind="natural", identifier=ident, name="更正后",
                                                                   region_code=env.village), 1, TODAY)
    assert v2 == 2
    with pytest.raises(StaleEdit):
        store.update_subject(env.url, "k", who, sid, SubjectDraft(kind="natural", identifier=ident, name="旧副本",
                                                                  region_code=env.village), 1, TODAY)
    rid = make_right(env.settings, sid)
    draft = ForestRightDraft(unit_code=unit_code(env.county), right_type="use", region_code=env.village, area="8",
                             forest_type="economic", species="油茶", age_class="mature")
    assert rights.update_right(env.url, "k", who, rid, draft, 1) == 2
    with pytest.raises(StaleEdit):
        rights.update_right(env.url, "k", who, rid, draft, 1)
    calls = []
    records.AFTER_RECORD_WRITE.append(lambda s, ids, as_of: calls.append((ids, as_of, s.get(CreditSubject, ids[0]).name)))
    try:
        records.create_record(env.url, "k", who, sid, RecordDraft(kind="good", subtype="commendation", title="先进个人",
                                                                  occurred_on=TODAY, produced_by="县林业局"), TODAY)
    finally:
        records.AFTER_RECORD_WRITE.clear()
    assert calls == [([sid], TODAY, "更正后")]


def test_record_on_a_subject_out_of_scope_refused_and_list_export(env):
    other_sid = make_subject(env.settings, env.other_village, name="邻县林户")
    before = _count(env, CreditRecord)
    resp = _record(env, "county", other_sid, months="6")
    assert "不在您的管辖范围内" in _body(resp) and _count(env, CreditRecord) == before
    resp = env.post("county", subjects.export, {"cs-export": 1, "cs-text": "赵木"})
    data = output(resp, "cs-download", "data")
    assert data["filename"] == "信用主体.xlsx" and data["base64"]


def test_subject_correction_through_the_page(env):
    sid = make_subject(env.settings, env.village, name="待更正", identifier=resident_id(env.county))
    resp = env.post("county", subject.load, {"csd-subject-id": str(sid), "csd-refresh": 0})
    editing = output(resp, "csd-subject", "data")
    ident = output(resp, "csd-edit-identifier", "value")
    form = {"csd-edit-submit": 1, "csd-subject": editing, "csd-edit-identifier": ident, "csd-edit-name": "已更正",
            "csd-edit-region": str(env.village), "csd-edit-phone": "13800000000", "csd-refresh": 0}
    resp = env.post("county", subject.correct, form)
    assert "已保存更正" in text(output(resp, "csd-edit-result", "children"))
    resp = env.post("county", subject.correct, {**form, "csd-edit-name": "旧副本"})
    assert "已被他人修改" in text(output(resp, "csd-edit-result", "children"))
    with transaction(env.url) as s:
        r = s.get(CreditSubject, sid)
        assert (r.name, r.phone, r.version) == ("已更正", "13800000000", 2)
