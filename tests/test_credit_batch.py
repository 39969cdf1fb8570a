"""The batch import of credit data on an authoritative document (Art. X18), through the callbacks:
without the document nothing enters (not even the batch row) and the refusal says why; a file with
a bad row enters not at all and the error names its row and column; with the document every
record (or forest right) lands with the batch and the document visible from each one (依据文件,
served by the attachment route to the credit officials). A PostgreSQL variant of the happy path."""
from __future__ import annotations

import base64
import json

import pytest
from sqlalchemy import func, select

from callbacks.credit_records import archive, imports, subject
from data.db import transaction
from data.models import Attachment, CreditImportBatch, CreditRecord, CreditSubject, ForestRight
from tests.support.credit import resident_id, unit_code, uscc
from tests.support.credit_entry import credit_env, credit_env_on
from tests.support.http import output, text


SUBSIDY = ["地区代码", "主体类型", "证件号码", "名称", "项目名称", "发放日期", "金额（元）", "产生部门"]
RIGHTS = ["地区代码", "主体类型", "证件号码", "名称", "不动产单元代码", "权利类型", "面积（亩）", "林种", "优势树种", "龄组"]
PDF = b"%PDF-1.4 document of the batch"


def _url(content: bytes, kind: str) -> str:
    return f"data:{kind};base64," + base64.b64encode(content).decode()


def csv(header, rows) -> bytes:
    return ("\r\n".join(",".join(r) for r in [header, *rows]) + "\r\n").encode("utf-8-sig")


def subsidy_rows(env, n: int, amount: str = "1280.50", tag: str = "补偿") -> list[list[str]]:
    return [[str(env.village), "自然人", resident_id(env.county), f"林户{tag}{i}", f"2026年生态公益林{tag}", "2026-06-30",
             amount, "测试县林业局"] for i in range(n)]


DOC = {"ci-doc-title": "关于下达2026年生态公益林补偿资金的通知", "ci-doc-number": "赣林发〔2026〕12号",
       "ci-doc-issuer": "测试县林业局", "ci-doc-date": "2026-07-01"}


def commit(env, who, kind, content, filename="批量.csv", document=True, **doc):
    values = {"ci-commit": 1, "ci-kind": kind, ("ci-file", "contents"): _url(content, "text/csv"),
              ("ci-file", "filename"): filename, "ci-refresh": 0}
    if document:
        values.update({("ci-doc", "contents"): _url(PDF, "application/pdf"), ("ci-doc", "filename"): "依据文件.pdf", **DOC})
    values.update(doc)
    return env.post(who, imports.commit, values)


def counts(env) -> tuple:
    with transaction(env.url) as s:
        return tuple(s.scalar(select(func.count()).select_from(m)) for m in (CreditImportBatch, CreditRecord,
                                                                          CreditSubject, ForestRight, Attachment))


@pytest.fixture(scope="module")
def env(tmp_path_factory):
    return credit_env(tmp_path_factory, "credit_batch")


def test_no_document_nothing_enters(env):
    before = counts(env)
    resp = commit(env, "county", "subsidy", csv(SUBSIDY, subsidy_rows(env, 3)), document=False)
    msg = text(output(resp, "ci-result", "children"))
    assert "缺少依据文件" in msg and "整批数据一条也未导入" in msg
    assert counts(env) == before
    # a document without its number or date: refused whole too, the fields named
    resp = commit(env, "county", "subsidy", csv(SUBSIDY, subsidy_rows(env, 3)), **{"ci-doc-number": "", "ci-doc-date": None})
    assert "文号" in text(output(resp, "ci-doc-number-error", "children"))
    assert "发文日期" in text(output(resp, "ci-doc-date-error", "children"))
    assert counts(env) == before
    # a spreadsheet is not an authoritative document
    resp = env.post("county", imports.commit, {
        "ci-commit": 1, "ci-kind": "subsidy", ("ci-file", "contents"): _url(csv(SUBSIDY, subsidy_rows(env, 1)), "text/csv"),
        ("ci-file", "filename"): "a.csv", ("ci-doc", "contents"): _url(b"x,y", "text/csv"), ("ci-doc", "filename"): "doc.csv",
        **DOC})
    assert "PDF" in text(output(resp, "ci-doc-error", "children")) and counts(env) == before


def test_bad_row_nothing_enters_row_and_column_named(env):
    rows = subsidy_rows(env, 4)
    rows[2][6] = "12.345"  # row 4 of the file (the header is row 1)
    rows[1][2] = rows[1][2][:-1] + ("0" if rows[1][2][-1] != "0" else "1")
    content = csv(SUBSIDY, rows)
    resp = env.post("county", imports.check, {("ci-file", "contents"): _url(content, "text/csv"),
                                              ("ci-file", "filename"): "坏.csv", "ci-kind": "subsidy"})
    errors = output(resp, "ci-errors", "rowData")
    assert any(e["row"] == 4 and e["column"] == "金额（元）" and "两位小数" in e["message"] for e in errors), errors
    assert any(e["row"] == 3 and e["column"] == "证件号码" for e in errors), errors
    before = counts(env)
    resp = commit(env, "county", "subsidy", content)
    assert "整批数据一条也未导入" in text(output(resp, "ci-result", "children"))
    assert any(e["row"] == 4 and e["column"] == "金额（元）" for e in output(resp, "ci-errors", "rowData"))
    assert counts(env) == before
    # a row outside the importer's jurisdiction: named too
    rows = subsidy_rows(env, 2)
    rows[1][0] = str(env.other_village)
    resp = commit(env, "county", "subsidy", csv(SUBSIDY, rows))
    assert any(e["row"] == 3 and e["column"] == "地区代码" and "不在您的管辖范围内" in e["message"]
               for e in output(resp, "ci-errors", "rowData"))
    assert counts(env) == before


def _happy(env, who="county"):
    rows = subsidy_rows(env, 5, tag="到户")
    existing = rows[0][2]
    with transaction(env.url) as s:
        s.add(CreditSubject(region_code=env.village, kind="natural", id_type="resident", identifier=existing,
                            name="已登记林户"))
    resp = commit(env, who, "subsidy", csv(SUBSIDY, rows))
    msg = text(output(resp, "ci-result", "children"))
    assert "已导入资金到户（补贴发放） 5 行" in msg and "新登记信用主体 4 个" in msg, msg
    with transaction(env.url) as s:
        batch = s.scalars(select(CreditImportBatch).order_by(CreditImportBatch.id.desc())).first()
        recs = s.scalars(select(CreditRecord).where(CreditRecord.batch_id == batch.id)).all()
        att = s.get(Attachment, batch.attachment_id)
        assert batch.rows == 5 and batch.document_no == "赣林发〔2026〕12号" and att.content == PDF
        assert (att.owner_type, att.owner_id) == ("credit_import_batch", batch.id)
        assert len(recs) == 5 and all(r.source == "import" and r.batch_id == batch.id and r.amount_fen == 128_050
                                      for r in recs)
        assert {r.kind for r in recs} == {"subsidy"}
        subject_id, rid = recs[0].subject_id, recs[0].id
    return batch.id, batch.attachment_id, subject_id, rid


def test_with_document_every_record_carries_it(env):
    batch_id, att_id, subject_id, rid = _happy(env)
    resp = env.post("county", subject.detail, {"csd-records": [{"id": rid, "version": 1}]})
    shown = json.dumps(output(resp, "csd-record-detail", "children"), ensure_ascii=False)
    assert "依据文件" in shown and "关于下达2026年生态公益林补偿资金的通知" in shown and f"/api/attachments/{att_id}" in shown
    for who in ("county", "handler"):
        got = env.client(who).get(f"/api/attachments/{att_id}")
        assert got.status_code == 200 and got.data == PDF, who
    assert env.client("other").get(f"/api/attachments/{att_id}").status_code in (403, 404)
    resp = env.post("county", archive.show, {"ca-subject": subject_id})
    rows = output(resp, "ca-records", "rowData")
    assert rows and all(r["batch_id"] == batch_id and "赣林发" not in r["document_link"] and
                        f"/api/attachments/{att_id}" in r["document_link"] for r in rows if r["batch_id"])
    assert [b["id"] for b in output(resp, "ca-batches", "rowData")] == [batch_id]
    resp = env.post("county", archive.export, {"ca-export": 1, "ca-subject": subject_id})
    assert output(resp, "ca-download", "data")["filename"].endswith(".xlsx")
    resp = env.post("county", imports.batches, {"ci-refresh": 1})
    assert any(b["id"] == batch_id for b in output(resp, "ci-batches", "rowData"))


def test_forest_rights_batch_and_templates(env):
    rows = [[str(env.village), "自然人", resident_id(env.county), f"林权户{i}", unit_code(env.county), "林地承包经营权",
             "12.5", "用材林", "杉木", "中龄林"] for i in range(3)]
    rows.append([str(env.village), "法人", uscc(env.county), "测试林业公司", unit_code(env.county), "林木经营权",
                 "100", "经济林", "油茶", "成熟林"])
    before = counts(env)
    resp = commit(env, "bureau", "forest_right", csv(RIGHTS, rows))
    assert "已导入林权登记 4 行" in text(output(resp, "ci-result", "children"))
    with transaction(env.url) as s:
        batch_id = s.scalar(select(func.max(CreditImportBatch.id)))
        assert s.scalar(select(func.count()).select_from(ForestRight).where(ForestRight.batch_id == batch_id)) == 4
    assert counts(env)[3] == before[3] + 4
    dup = [rows[0][:4] + [rows[0][4]] + rows[0][5:]]
    resp = commit(env, "bureau", "forest_right", csv(RIGHTS, dup))
    assert any(e["column"] == "不动产单元代码" and "已登记" in e["message"] for e in output(resp, "ci-errors", "rowData"))
    for fmt in ("xlsx", "csv"):
        resp = env.post("county", imports.template, {f"ci-template-{fmt}": 1, "ci-kind": "other"},
                        clicked=f"ci-template-{fmt}")
        assert output(resp, "ci-template-download", "data")["filename"].endswith(fmt)


def test_collective_economy_roles_cannot_import(env):
    before = counts(env)
    resp = commit(env, "cashier", "subsidy", csv(SUBSIDY, subsidy_rows(env, 1)))
    assert resp.status_code == 403 and counts(env) == before
    body = json.dumps(resp.get_json(), ensure_ascii=False)
    assert "拒绝" in body


@pytest.mark.postgres
def test_batch_postgres_happy_path(postgres_server, tmp_path_factory):
    from tests.support.app import generate_test_data, make_settings

    settings = generate_test_data(make_settings(tmp_path_factory.mktemp("pg-credit"),
                                                postgres_server.create_database("credit_batch")))
    pg = credit_env_on(settings)
    _happy(pg)
    before = counts(pg)
    commit(pg, "county", "subsidy", csv(SUBSIDY, subsidy_rows(pg, 2)), document=False)
    assert counts(pg) == before


def test_batch_runs_the_record_hooks_once(env):
    from data.credit import records

    calls = []
    records.AFTER_RECORD_WRITE.append(lambda s, ids, as_of: calls.append(sorted(ids)))
    try:
        resp = commit(env, "county", "subsidy", csv(SUBSIDY, subsidy_rows(env, 3, tag="钩子")))
    finally:
        records.AFTER_RECORD_WRITE.clear()
    assert "已导入" in text(output(resp, "ci-result", "children"))
    with transaction(env.url) as s:
        ids = sorted(s.scalars(select(CreditSubject.id).where(CreditSubject.name.like("林户钩子%"))))
    assert calls == [ids] and len(ids) == 3


def test_xlsx_with_a_title_row_and_numeric_cells(env):
    """The downloaded template has a title above its header; a spreadsheet may hold codes and amounts as numbers."""
    from tests.support.imports import xlsx_bytes

    rows = [[env.village, "法人", uscc(env.county), "测试林业合作社", "省级林业龙头企业", "2026年度省级林业龙头企业名单",
             "2026-05-20", "省林业局"]]
    header = ["地区代码", "主体类型", "证件号码", "名称", "名单类型", "名单名称", "认定日期", "产生部门"]
    content = xlsx_bytes(header, rows, title="信用数据导入模板")
    resp = env.post("bureau", imports.commit, {
        "ci-commit": 1, "ci-kind": "list", ("ci-file", "contents"): _url(content, "application/vnd.ms-excel"),
        ("ci-file", "filename"): "名单.xlsx", ("ci-doc", "contents"): _url(PDF, "application/pdf"),
        ("ci-doc", "filename"): "认定文件.pdf", **DOC})
    assert "已导入龙头企业、示范林场、示范合作社名单 1 行" in text(output(resp, "ci-result", "children"))
    with transaction(env.url) as s:
        r = s.scalars(select(CreditRecord).order_by(CreditRecord.id.desc())).first()
        assert (r.kind, r.subtype, r.source) == ("list", "provincial_leading", "import") and r.batch_id
