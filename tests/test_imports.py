"""Imports of historical data (issue 14 item 3, Art. J18) through the real callbacks: the preview
lists every error by row and column, the background commit writes all or nothing, the same file
twice is refused, rows outside the importer's jurisdiction and base data of a locked region are
refused and logged, a 2004 ledger is mapped to the 2023 chart (what cannot be mapped is reported
and blocks the import)."""
from __future__ import annotations

import datetime as dt
import hashlib
from decimal import Decimal

import pytest
from sqlalchemy import func, select, update

from data.db import reading, transaction
from data.models import (Asset, AuditLog, CollectiveOrg, Contract, Member, PeriodClose, Region, Resource, VillageProfile,
                         Voucher, VoucherLine)
from domain.imports import cells
from domain.imports.chart2004 import NAMES_2004, TO_2023, map_2004
from domain.funds.chart import CHART
from tests.support.accounts import actor, audit_count
from tests.support.funds import app_for, own_database
from tests.support.http import output, sign_in, text
from tests.support.imports import (LEDGER_HEADER, commit, csv_bytes, import_records, imported_vouchers, ledger_rows, preview,
                                   result_text, villages, xls_bytes, xlsx_bytes)

USER = "demo-township"


@pytest.fixture(scope="module")
def settings(tmp_path_factory):
    return own_database(tmp_path_factory, "imports")


@pytest.fixture(scope="module")
def app(settings):
    return app_for(settings)


@pytest.fixture(scope="module")
def client(app):
    return sign_in(app.server, USER)


@pytest.fixture(scope="module")
def regions(settings):
    return villages(settings, actor(settings, USER).scope)


def _lines(settings, summary: str) -> list[tuple[int, int, int]]:
    with reading(settings.database_url) as s:
        return [tuple(r) for r in s.execute(
            select(VoucherLine.account_code, VoucherLine.debit_fen, VoucherLine.credit_fen)
            .join(Voucher, Voucher.id == VoucherLine.voucher_id)
            .where(Voucher.summary == summary).order_by(VoucherLine.id))]


def test_imports001_cells_are_read_exactly():
    assert cells.money("1,234.56") == (123456, None)
    assert cells.money("0.1") == (10, None)
    assert cells.money("") == (0, None)
    assert cells.money("￥88.00") == (8800, None)
    for bad in ("1e3", "12.345", "abc", "NaN", "-5"):
        assert cells.money(bad)[0] is None
    assert str(cells.date("2019年3月5日")[0]) == "2019-03-05" and str(cells.date("2019-03-05 00:00:00")[0]) == "2019-03-05"
    assert cells.date("2019-02-30")[1] == "日期不存在"
    assert cells.region("220102001001.0") == (220102001001, None)
    assert cells.region("22010200100")[1]
    assert cells.resident_id("110101199003070011", dt.date(2026, 1, 1))[1] is None
    assert cells.resident_id("110101199003070012", dt.date(2026, 1, 1))[1] == "身份证号码校验位不正确"
    assert cells.area("12.3456", 4) == (Decimal("12.3456"), None)


def test_imports002_the_2004_chart_maps_one_to_one_or_not_at_all():
    assert len(NAMES_2004) == 33
    mapped = [v for v in TO_2023.values() if v is not None]
    assert all(v in CHART for v in mapped) and len(mapped) == len(set(mapped))
    assert map_2004(153) == (154, None) and map_2004(154) == (153, None) and map_2004(202) == (211, None)
    assert map_2004(131) == (None, "科目 131 牲畜（禽）资产 无法对应到 2023 年科目表")
    assert map_2004(999)[0] is None


@pytest.mark.parametrize("encoding", ["utf-8-sig", "gbk"])
def test_imports003_a_good_csv_in_utf8_or_gbk_is_previewed_then_imported(app, client, settings, regions, encoding):
    summary = f"发包款{encoding}"
    content = csv_bytes(LEDGER_HEADER, ledger_rows(regions[0][0], 6, year=2018 if encoding == "gbk" else 2017,
                                                   summary=summary), encoding)
    resp = preview(app, client, "ledger", f"账簿-{encoding}.csv", content)
    assert "共 12 行，6 张凭证；无误 12 行，错误 0 处" in text(output(resp, "imp-summary", "children"))
    assert output(resp, "imp-commit", "disabled") is False
    assert output(resp, "imp-preview", "rowData")[0]["摘要"] == summary
    final, progress = commit(app, client, "ledger", f"账簿-{encoding}.csv", content)
    assert "已导入历史账簿（2023年科目表） 12 行（6 张凭证）" in result_text(final)
    assert progress and progress[-1]["imp-progress.value"] == 100
    assert imported_vouchers(settings, summary) == 6
    assert _lines(settings, summary)[:2] == [(102, 500000, 0), (501, 0, 500000)]
    sha = hashlib.sha256(content).hexdigest()
    assert import_records(settings, sha) == [(f"账簿-{encoding}.csv", "committed")]


def test_imports004_xlsx_and_xls_files_are_imported(app, client, settings, regions):
    village = regions[0][1]
    assets = xlsx_bytes(["地区代码", "资产编号", "资产名称", "资产类别", "经营性", "原值", "累计折旧", "取得日期"],
                        [[village, "IMP-A-1", "导入的仓库", "房屋建筑物", "是", 250000.5, "1000", "2015-06-30"],
                         [str(village), "IMP-A-2", "导入的拖拉机", "机器设备", "否", "86000.00", "", "2016-01-01"]])
    final, _ = commit(app, client, "assets", "资产.xlsx", assets)
    assert "已导入资产 2 行" in result_text(final)
    with reading(settings.database_url) as s:
        got = dict(s.execute(select(Asset.code, Asset.original_value_fen).where(Asset.code.like("IMP-A-%"))).all())
    assert got == {"IMP-A-1": 25000050, "IMP-A-2": 8600000}
    members = xls_bytes(["地区代码", "姓名", "身份证号", "股份数"],
                        [[str(village), "导入甲", "110101199003070011", 2], [str(village), "导入乙", "110101199003070038", 1]])
    final, _ = commit(app, client, "members", "成员.xls", members)
    assert "已导入集体经济组织成员 2 行" in result_text(final)
    with reading(settings.database_url) as s:
        got = s.execute(select(Member.name, Member.shares, Member.gender).where(Member.name.like("导入%"))
                        .order_by(Member.name)).all()
    assert [tuple(r) for r in got] == [("导入乙", 1, "男"), ("导入甲", 2, "男")]
    resources = csv_bytes(["地区代码", "资源名称", "资源类型", "面积（亩）"], [[str(village), "导入的东岗地", "耕地", "12.3456"]])
    commit(app, client, "resources", "资源.csv", resources)
    contracts = csv_bytes(["地区代码", "合同编号", "合同名称", "合同类型", "对方名称", "对方证件类型", "对方证件号码", "合同金额",
                           "收支方向", "签订日期", "开始日期", "结束日期"],
                          [[str(village), "IMP-HT-1", "导入的发包合同", "发包", "王某", "居民身份证", "110101199003070011",
                            "36000.00", "收入", "2019-01-10", "2019-01-01", "2023-12-31"]])
    commit(app, client, "contracts", "合同.csv", contracts)
    profile = xlsx_bytes(["地区代码", "总人口", "总户数", "劳动力", "村民小组数", "耕地面积（亩）"],
                         [[str(village), "1860", "520", "980", "8", "6200.50"]])
    final, _ = commit(app, client, "basedata", "基本情况.xlsx", profile)
    assert "已导入村基本情况（一级基础数据） 1 行" in result_text(final)
    with reading(settings.database_url) as s:
        assert s.scalar(select(Resource.area_mu).where(Resource.name == "导入的东岗地")) == Decimal("12.3456")
        assert s.scalar(select(Contract.amount_fen).where(Contract.number == "IMP-HT-1")) == 3600000
        p = s.execute(select(VillageProfile.population, VillageProfile.farmland_mu).join(
            CollectiveOrg, CollectiveOrg.id == VillageProfile.org_id).where(CollectiveOrg.region_code == village)).one()
    assert tuple(p) == (1860, Decimal("6200.50"))


def test_imports005_one_bad_row_commits_nothing_and_names_row_and_column(app, client, settings, regions):
    rows = ledger_rows(regions[0][0], 5, year=2016, summary="有一行坏账")
    rows[6][5] = "12.3x"  # file row 8 (the header is row 1)
    content = csv_bytes(LEDGER_HEADER, rows)
    resp = preview(app, client, "ledger", "坏账.csv", content)
    errors = output(resp, "imp-errors", "rowData")
    assert {"row": 8, "column": "借方金额", "message": "不是有效金额"}.items() <= errors[0].items()
    assert output(resp, "imp-commit", "disabled") is True
    final, _ = commit(app, client, "ledger", "坏账.csv", content)  # committed anyway (a forged click)
    assert "未导入：有 2 处错误，整份未导入" in result_text(final)
    assert final["response"]["imp-errors"]["rowData"][0]["row"] == 8
    assert imported_vouchers(settings, "有一行坏账") == 0
    assert import_records(settings, hashlib.sha256(content).hexdigest()) == [("坏账.csv", "rejected")]


def test_imports006_the_same_file_twice_is_refused_naming_the_earlier_import(app, client, settings, regions):
    content = csv_bytes(LEDGER_HEADER, ledger_rows(regions[0][0], 2, year=2015, summary="重复的文件"))
    commit(app, client, "ledger", "第一次.csv", content)
    resp = preview(app, client, "ledger", "第二次.csv", content)
    summary = text(output(resp, "imp-summary", "children"))
    assert "该文件已于" in summary and "第一次.csv" in summary and "不能重复导入" in summary
    final, _ = commit(app, client, "ledger", "第二次.csv", content)
    assert "不能重复导入" in result_text(final) and "导入记录第" in result_text(final)
    assert imported_vouchers(settings, "重复的文件") == 2
    assert import_records(settings, hashlib.sha256(content).hexdigest()) == [("第一次.csv", "committed"),
                                                                             ("第二次.csv", "refused")]


def test_imports007_rows_outside_the_jurisdiction_are_refused_and_logged(app, client, settings, regions):
    inside, outside = regions
    rows = ledger_rows(inside[0], 2, year=2014, summary="越权导入") + ledger_rows(outside[0], 1, year=2014, first=9,
                                                                               summary="越权导入")
    content = csv_bytes(LEDGER_HEADER, rows)
    resp = preview(app, client, "ledger", "越权.csv", content)
    assert any(e["row"] == 6 and e["column"] == "地区代码" and "不在您的管辖范围内" in e["message"]
               for e in output(resp, "imp-errors", "rowData"))
    before = audit_count(settings, "permission_denied", USER)
    final, _ = commit(app, client, "ledger", "越权.csv", content)
    assert "不在您管辖范围内" in result_text(final)
    assert imported_vouchers(settings, "越权导入") == 0
    assert audit_count(settings, "permission_denied", USER) == before + 1


def test_imports008_base_data_of_a_locked_region_is_refused_and_logged(app, client, settings, regions):
    village = regions[0][2]
    with transaction(settings.database_url) as s:
        s.execute(update(Region).where(Region.code == village).values(base_data_locked=True))
    try:
        content = csv_bytes(["地区代码", "姓名", "身份证号"], [[str(village), "锁定村成员", "110101199003070011"]])
        resp = preview(app, client, "members", "锁定.csv", content)
        assert "已结束试运行期，基础数据已锁定" in output(resp, "imp-errors", "rowData")[0]["message"]
        before = audit_count(settings, "permission_denied", USER)
        final, _ = commit(app, client, "members", "锁定.csv", content)
        assert "基础数据已锁定" in result_text(final) and "整份未导入" in result_text(final)
        with reading(settings.database_url) as s:
            assert s.scalar(select(func.count()).select_from(Member).where(Member.name == "锁定村成员")) == 0
            last = s.scalar(select(AuditLog).where(AuditLog.type == "permission_denied").order_by(AuditLog.id.desc()))
        assert audit_count(settings, "permission_denied", USER) == before + 1 and "锁定" in last.description
        # a ledger is no base data: the lock does not stop it
        ledger = csv_bytes(LEDGER_HEADER, ledger_rows(village, 1, year=2013, summary="锁定村的账"))
        commit(app, client, "ledger", "锁定村账.csv", ledger)
        assert imported_vouchers(settings, "锁定村的账") == 1
    finally:
        with transaction(settings.database_url) as s:
            s.execute(update(Region).where(Region.code == village).values(base_data_locked=False))


def test_imports009_a_2004_ledger_is_mapped_and_what_cannot_be_mapped_blocks_it(app, client, settings, regions):
    village = regions[0][0]
    old = ledger_rows(village, 2, year=2012, summary="2004科目", debit=154, credit=202)  # 在建工程 / 应付款
    final, _ = commit(app, client, "ledger2004", "旧账.csv", csv_bytes(LEDGER_HEADER, old))
    assert "已导入" in result_text(final)
    assert {a for a, _, _ in _lines(settings, "2004科目")} == {153, 211}
    bad = ledger_rows(village, 2, year=2011, summary="牲畜资产", debit=131, credit=202)
    resp = preview(app, client, "ledger2004", "牲畜.csv", csv_bytes(LEDGER_HEADER, bad))
    summary = text(output(resp, "imp-summary", "children"))
    assert "科目 131 牲畜（禽）资产 无法对应到 2023 年科目表" in summary
    assert output(resp, "imp-errors", "rowData")[0] | {"key": ""} == {
        "key": "", "row": 2, "column": "科目代码", "message": "科目 131 牲畜（禽）资产 无法对应到 2023 年科目表"}
    commit(app, client, "ledger2004", "牲畜.csv", csv_bytes(LEDGER_HEADER, bad))
    assert imported_vouchers(settings, "牲畜资产") == 0


def test_imports010_balancing_closed_months_and_taken_numbers_are_checked(app, client, settings, regions):
    village = regions[0][0]
    rows = ledger_rows(village, 2, year=2010, summary="不平的凭证")
    rows[1][6] = "4999.99"
    resp = preview(app, client, "ledger", "不平.csv", csv_bytes(LEDGER_HEADER, rows))
    assert "借贷不平（借方 5,000.00，贷方 4,999.99）" in output(resp, "imp-errors", "rowData")[0]["message"]
    with reading(settings.database_url) as s:
        org_id, period = s.execute(select(Voucher.org_id, Voucher.period).where(Voucher.region_code == village)
                                   .order_by(Voucher.id).limit(1)).one()
    with transaction(settings.database_url) as s:
        from data.models import User, utcnow
        uid = s.scalar(select(User.id).where(User.username == USER))
        if s.scalar(select(PeriodClose.id).where(PeriodClose.org_id == org_id, PeriodClose.period == 200905)) is None:
            s.add(PeriodClose(org_id=org_id, region_code=village, period=200905, closed_by_id=uid, closed_at=utcnow()))
    closed = [[str(village), "2009-05-06", "1", "已结账月份", "102", "1.00", ""],
              [str(village), "2009-05-06", "1", "已结账月份", "501", "", "1.00"]]
    errors = output(preview(app, client, "ledger", "结账.csv", csv_bytes(LEDGER_HEADER, closed)), "imp-errors", "rowData")
    assert errors[0]["column"] == "日期" and "已结账" in errors[0]["message"]
    # the test takes its own numbers (not another test's import, which an ordering may not have run yet)
    first = csv_bytes(LEDGER_HEADER, ledger_rows(village, 1, year=2008, summary="号在先"))
    if imported_vouchers(settings, "号在先") == 0:
        assert "已导入" in result_text(commit(app, client, "ledger", "号在先.csv", first)[0])
    assert imported_vouchers(settings, "号在先") == 1
    taken = ledger_rows(village, 1, year=2008, summary="号已占用")  # 2008 number 1 is taken just above
    errors = output(preview(app, client, "ledger", "占号.csv", csv_bytes(LEDGER_HEADER, taken)), "imp-errors", "rowData")
    assert errors and errors[0]["column"] == "凭证号" and "凭证已存在" in errors[0]["message"]


def test_imports011_templates_download_and_read_back(app, client):
    from tests.support.http import call, props
    from callbacks.imports import flow

    for fmt, button in (("xlsx", "imp-template-xlsx"), ("csv", "imp-template-csv")):
        resp = call(app, client, flow.template, props(("imp-template-xlsx", "n_clicks", 1), ("imp-template-csv", "n_clicks", 1)),
                    props(("imp-kind", "value", "members")), changed=[f"{button}.n_clicks"])
        data = output(resp, "imp-template-download", "data")
        assert data["filename"] == f"导入模板-集体经济组织成员.{fmt}"
        import base64
        content = base64.b64decode(data["content"]) if data.get("base64") else data["content"].encode("utf-8")
        got = preview(app, client, "members", data["filename"], content)
        # the template's own example row is read (its region has no organisation here)
        assert "共 1 行" in text(output(got, "imp-summary", "children"))


def test_imports012_wrong_files_are_reported_whole(app, client):
    assert "只能导入" in output(preview(app, client, "ledger", "a.txt", b"x"), "imp-errors", "rowData")[0]["message"]
    resp = preview(app, client, "ledger", "a.xlsx", b"PK\x03\x04 broken")
    assert "无法读取该 Excel 文件" in output(resp, "imp-errors", "rowData")[0]["message"]
    resp = preview(app, client, "ledger", "a.csv", csv_bytes(["地区代码", "日期"], [["1", "2"]]))
    assert any(e["column"] == "凭证号" and "缺少该列" in e["message"] for e in output(resp, "imp-errors", "rowData"))


def test_imports013_a_role_without_the_action_is_refused(app, settings):
    from tests.support.imports import start_commit

    secretary = sign_in(app.server, "demo-secretary")
    content = csv_bytes(LEDGER_HEADER, ledger_rows(123, 1))
    assert preview(app, secretary, "ledger", "x.csv", content).status_code == 403
    resp, _, _ = start_commit(app, secretary, "ledger", "x.csv", content)
    assert resp.status_code == 403


def test_imports014_a_background_import_with_a_refused_value_never_starts(app, client, settings):
    from tests.support.imports import start_commit

    before = import_records(settings)
    resp, handles, _ = start_commit(app, client, {"kind": "ledger"}, "x.csv", b"x")  # a dict where a value belongs
    assert resp.status_code == 400 and resp.get_json()["error"].startswith("输入无效") and handles is None
    assert import_records(settings) == before
