"""The price samples (issue 16, lane D): the platform's transfer records kept as sales by the record
hook (made, updated, removed when withdrawn), the sales and cost imports (good file → rows with
import_id; one bad row → nothing, the row and column named; the same file again refused; rows of
another county refused), the scoped sample list, its callbacks, and the demo's samples."""
from __future__ import annotations

import base64
import datetime as dt
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from callbacks.prices import sales as cb
from data.credit import corrections, records
from data.db import transaction
from data.models import AuditLog, CostObservation, CreditRecord, DataImport, PriceSale
from data.prices import imports, platform
from data.prices.sales import export_rows, sales_page
from domain.credit.drafts import RecordDraft
from domain.permissions import OutOfScope, PermissionDenied, Refused
from domain.regions import COUNTY, subtree_bounds, truncate
from tests.support.business import actor
from tests.support.credit import make_record, make_right, make_subject
from tests.support.credit_entry import TODAY, credit_env
from tests.support.http import output, text


HEADER = ("地区代码,成交日期,成交类型,面积（亩）,成交价格（元）,林种,优势树种,龄组,每亩蓄积量（立方米）,立地等级,"
          "经营期限（年）,权利类型")


@pytest.fixture(scope="module")
def env(tmp_path_factory):
    return credit_env(tmp_path_factory, "price_sales")


@pytest.fixture(autouse=True)
def hooks_registered():
    """Other modules' tests clear the record hooks when they run in this process: put ours back."""
    for hooks in (records.AFTER_RECORD_WRITE, corrections.AFTER_CORRECTION):
        if platform.hook not in hooks:
            hooks.append(platform.hook)
    yield


def _count(env, model, *where) -> int:
    with transaction(env.url) as s:
        return s.scalar(select(func.count()).select_from(model).where(*where))


def _csv(*lines: str) -> bytes:
    return ("\r\n".join([HEADER, *lines]) + "\r\n").encode("utf-8-sig")


def _line(region: int, n: int = 0, price: str = "182000.00", area: str = "45.50") -> str:
    return f"{region},2024-05-{10 + n % 18:02d},流转,{area},{price},用材林,落叶松,中龄林,4.20,3,30,林木经营权"


# ---------------------------------------------------------------- the transfer-record hook


def test_hook_transfer_record_made_updated_withdrawn(env):
    sid = make_subject(env.settings, env.village, name="流转林户")
    rid = make_right(env.settings, sid, area_mu="35.50", stock_m3=Decimal("213.00"), species="落叶松",
                     age_class="mature", right_type="management", valid_until=dt.date(2054, 6, 30))
    occurred = dt.date(2024, 6, 30)
    rec = make_record(env.settings, sid, "transfer", occurred, title="林地经营权流转", amount_fen=14_200_000,
                      detail={"right_id": rid, "site_class": 2})
    plain = make_record(env.settings, sid, "transfer", occurred, title="无林权的流转", amount_fen=500_000)
    assert _count(env, PriceSale, PriceSale.record_id == rec) == 0  # written behind the hooks' back
    # a record write through the platform runs the hooks: the subject's transfers become sales
    who = actor(env.settings, "cc-county")
    records.create_record(env.url, "k", who, sid, RecordDraft(kind="good", subtype="commendation", title="先进个人",
                                                              occurred_on=TODAY, produced_by="县林业局"), TODAY)
    with transaction(env.url) as s:
        sale = s.scalar(select(PriceSale).where(PriceSale.record_id == rec))
        assert sale is not None and sale.source == "platform" and sale.kind == "transfer"
        assert (sale.region_code, sale.deal_on, sale.price_fen, sale.area_mu) == (env.village, occurred, 14_200_000,
                                                                                  Decimal("35.50"))
        assert sale.volume_m3_per_mu == pytest.approx(6.0) and sale.term_years == 30 and sale.site_class == 2
        assert (sale.forest_type, sale.species, sale.age_class, sale.right_type, sale.right_id) == (
            "timber", "落叶松", "mature", "management", rid)
        assert s.scalar(select(func.count()).select_from(PriceSale).where(PriceSale.record_id == plain)) == 0
        first_id = sale.id
    # an update of the record (its amount, its date) updates the one sale
    with transaction(env.url) as s:
        r = s.get(CreditRecord, rec)
        r.amount_fen, r.occurred_on = 15_000_000, dt.date(2024, 7, 2)
        s.flush()
        records.after_write(s, [sid], TODAY)
    with transaction(env.url) as s:
        sales = s.scalars(select(PriceSale).where(PriceSale.record_id == rec)).all()
        assert [(p.id, p.price_fen, p.deal_on, p.version) for p in sales] == [(first_id, 15_000_000,
                                                                                dt.date(2024, 7, 2), 2)]
    # withdrawn (a correction applied): the sale leaves the sample in the same transaction
    with transaction(env.url) as s:
        s.get(CreditRecord, rec).status = "withdrawn"
        s.flush()
        for hook in corrections.AFTER_CORRECTION:
            hook(s, [sid], TODAY)
        assert s.scalar(select(func.count()).select_from(PriceSale).where(PriceSale.record_id == rec)) == 0
    assert _count(env, PriceSale, PriceSale.record_id == rec) == 0


def test_hook_refuses_a_right_of_another_subject_and_a_bad_part(env):
    sid = make_subject(env.settings, env.village, name="他人林权")
    other = make_subject(env.settings, env.village, name="林权人")
    rid = make_right(env.settings, other)
    rec = make_record(env.settings, sid, "transfer", dt.date(2023, 3, 1), amount_fen=900_000, detail={"right_id": rid})
    own = make_right(env.settings, sid, area_mu="10.00")
    part = make_record(env.settings, sid, "transfer", dt.date(2023, 3, 1), amount_fen=900_000,
                       detail={"right_id": own, "area_mu": "12.5"})  # more than the parcel
    with transaction(env.url) as s:
        assert platform.sync_subjects(s, [sid]) == {"created": 0, "updated": 0, "removed": 0}
    assert _count(env, PriceSale, PriceSale.record_id.in_([rec, part])) == 0


def test_a_transfer_entered_through_the_record_form_becomes_a_sale(env):
    """The record form's 流转的林权 / 流转面积 / 立地等级: a transfer entered on the subject's page is a
    price sample at once; a right of someone else, a part larger than the parcel or a site class out
    of 1–5 are refused with the field named and nothing written."""
    from data.errors import AccountError

    sid = make_subject(env.settings, env.village, name="表单流转户")
    rid = make_right(env.settings, sid, area_mu="20.00", stock_m3=Decimal("120.00"), valid_until=dt.date(2050, 12, 31))
    stranger = make_right(env.settings, make_subject(env.settings, env.village, name="他人"))
    who = actor(env.settings, "cc-county")

    def draft(**kw):
        return RecordDraft(**{"kind": "transfer", "title": "林地经营权流转", "occurred_on": dt.date(2025, 3, 1),
                              "amount": "96000", "produced_by": "县林业局", "right_id": str(rid), **kw})

    for bad, field in ((dict(right_id=str(stranger)), "right_id"), (dict(transfer_area="25"), "transfer_area"),
                       (dict(transfer_area="-1"), "transfer_area"), (dict(site_class="7"), "site_class"),
                       (dict(kind="good", subtype="commendation"), "right_id")):
        before = _count(env, CreditRecord, CreditRecord.subject_id == sid)
        with pytest.raises(AccountError) as err:
            records.create_record(env.url, "k", who, sid, draft(**bad), TODAY)
        assert field in err.value.errors, (bad, err.value.errors)
        assert _count(env, CreditRecord, CreditRecord.subject_id == sid) == before
    rec = records.create_record(env.url, "k", who, sid, draft(transfer_area="12.5", site_class="2"), TODAY)
    with transaction(env.url) as s:
        sale = s.scalar(select(PriceSale).where(PriceSale.record_id == rec))
        assert sale is not None and sale.source == "platform" and sale.right_id == rid
        assert (sale.price_fen, sale.area_mu, sale.site_class) == (9_600_000, Decimal("12.50"), 2)
        assert sale.volume_m3_per_mu == pytest.approx(6.0) and sale.term_years == 26


# ---------------------------------------------------------------- imports


def test_import_good_file_rows_carry_import_id_and_audited(env):
    who = actor(env.settings, "cc-county")
    content = _csv(*(_line(env.village, n) for n in range(5)))
    p = imports.preview(env.url, who, "price_sales", "成交.csv", content, TODAY)
    assert (p["rows"], p["valid_rows"], p["error_count"], p["duplicate"]) == (5, 5, 0, "")
    before = _count(env, PriceSale)
    out = imports.commit(env.url, "k", who, "price_sales", "成交.csv", content, TODAY)
    assert out["rows"] == 5 and _count(env, PriceSale) == before + 5
    with transaction(env.url) as s:
        rows = s.scalars(select(PriceSale).where(PriceSale.import_id == out["import_id"])).all()
        assert len(rows) == 5 and {r.source for r in rows} == {"import"}
        assert {(r.price_fen, r.area_mu, r.forest_type, r.age_class, r.right_type, r.site_class) for r in rows} == {
            (18_200_000, Decimal("45.50"), "timber", "middle", "management", 3)}
        rec = s.get(DataImport, out["import_id"])
        assert (rec.kind, rec.result, rec.rows) == ("price_sales", "committed", 5)
        assert s.scalar(select(func.count()).select_from(AuditLog).where(
            AuditLog.type == "data_import", AuditLog.description.like("导入林权成交样本：成交.csv%")))
    # the same file again: refused, nothing written
    with pytest.raises(imports.Rejected) as exc:
        imports.commit(env.url, "k", who, "price_sales", "再次.csv", content, TODAY)
    assert "不能重复导入" in exc.value.summary["message"] and _count(env, PriceSale) == before + 5
    assert "不能重复导入" in imports.preview(env.url, who, "price_sales", "再次.csv", content, TODAY)["duplicate"]


def test_import_one_bad_row_writes_nothing_and_names_row_and_column(env):
    who = actor(env.settings, "cc-county")
    content = _csv(_line(env.village, 1), _line(env.village, 2, price="-3"), _line(env.village, 3, area="0"),
                   f"{env.village},2024-13-01,流转,5,1000,竹林,,,,,,", f"{env.village},2030-01-01,流转,5,1000,用材林,,,,,,")
    before = (_count(env, PriceSale), _count(env, DataImport, DataImport.result == "committed"))
    with pytest.raises(imports.Rejected) as exc:
        imports.commit(env.url, "k", who, "price_sales", "坏行.csv", content, TODAY)
    errors = {(e["row"], e["column"]): e["message"] for e in exc.value.summary["errors"]}
    assert errors[(3, "成交价格（元）")] == "金额不能为负数"
    assert "面积" in errors[(4, "面积（亩）")]
    assert (5, "成交日期") in errors and errors[(5, "林种")].startswith("应为：用材林")
    assert errors[(6, "成交日期")] == "成交日期不能晚于今天"
    assert (2, "地区代码") not in errors
    assert (_count(env, PriceSale), _count(env, DataImport, DataImport.result == "committed")) == before
    assert _count(env, DataImport, DataImport.filename == "坏行.csv", DataImport.result == "rejected") == 1
    missing = ("地区代码,成交日期\r\n" + f"{env.village},2024-01-01\r\n").encode()
    p = imports.preview(env.url, who, "price_sales", "缺列.csv", missing, TODAY)
    assert {e["column"] for e in p["errors"] if e["row"] == 1} >= {"面积（亩）", "成交价格（元）", "林种"}


def test_import_rows_of_another_county_refused_whole(env):
    who = actor(env.settings, "cc-county")
    content = _csv(_line(env.village, 4), _line(env.other_village, 5))
    p = imports.preview(env.url, who, "price_sales", "越界.csv", content, TODAY)
    assert any(e["row"] == 3 and "不在您的管辖范围内" in e["message"] for e in p["errors"])
    before = (_count(env, PriceSale), _count(env, AuditLog, AuditLog.result == "denied"))
    with pytest.raises(Refused):
        imports.commit(env.url, "k", who, "price_sales", "越界.csv", content, TODAY)
    assert _count(env, PriceSale) == before[0]
    assert _count(env, AuditLog, AuditLog.result == "denied") > before[1]
    # the province's bureau may import both counties
    out = imports.commit(env.url, "k", actor(env.settings, "cc-bureau"), "price_sales", "越界.csv", content, TODAY)
    assert out["rows"] == 2


def test_import_costs_stored_by_county(env):
    who = actor(env.settings, "cc-county")
    content = ("地区代码,观测日期,成本项目,单位成本（元）\r\n"
               f"{env.village},2024-06-30,造林,960.00\r\n{env.county},2024-06-30,劳务,150.5\r\n").encode("gbk")
    out = imports.commit(env.url, "k", who, "price_costs", "成本.csv", content, TODAY)
    with transaction(env.url) as s:
        rows = s.scalars(select(CostObservation).where(CostObservation.import_id == out["import_id"])
                         .order_by(CostObservation.item)).all()
        assert [(r.region_code, r.item, r.unit_cost_fen, r.source) for r in rows] == [
            (env.county, "labour", 15_050, "import"), (env.county, "planting", 96_000, "import")]
    bad = ("地区代码,观测日期,成本项目,单位成本（元）\r\n" f"{env.county},2024-06-30,修路,0\r\n").encode()
    with pytest.raises(imports.Rejected) as exc:
        imports.commit(env.url, "k", who, "price_costs", "坏成本.csv", bad, TODAY)
    cols = {e["column"] for e in exc.value.summary["errors"]}
    assert cols == {"成本项目", "单位成本（元）"}


def test_import_refused_to_roles_without_the_action(env):
    with pytest.raises(PermissionDenied):
        imports.preview(env.url, actor(env.settings, "cc-handler"), "price_sales", "x.csv", _csv(), TODAY)


# ---------------------------------------------------------------- the sample list


def test_list_is_scoped(env):
    county = actor(env.settings, "cc-county")
    lo, hi = subtree_bounds(env.county)
    page = sales_page(env.url, county, limit=1000)
    assert page["total"] == _count(env, PriceSale, PriceSale.region_code.between(lo, hi)) > 100
    assert all(lo <= r["region_code"] <= hi for r in page["rows"])
    bureau = sales_page(env.url, actor(env.settings, "cc-bureau"), limit=10)
    assert bureau["total"] == _count(env, PriceSale) > page["total"]
    with pytest.raises(OutOfScope):
        sales_page(env.url, county, region=truncate(env.other_village, COUNTY))
    with pytest.raises(PermissionDenied):
        sales_page(env.url, actor(env.settings, "cc-cashier"))


def test_list_filters_sort_page_and_export(env):
    who = actor(env.settings, "cc-bureau")
    a = sales_page(env.url, who, forest_type="economic", sort="price_fen", descending=False, limit=50)
    prices = [r["price_fen"] for r in a["rows"]]
    assert prices == sorted(prices) and {r["forest_type"] for r in a["rows"]} == {"economic"}
    b = sales_page(env.url, who, forest_type="economic", sort="price_fen", descending=False, offset=50, limit=50)
    assert b["rows"][0]["price_fen"] >= prices[-1] and not {r["id"] for r in a["rows"]} & {r["id"] for r in b["rows"]}
    span = sales_page(env.url, who, date_from=dt.date(2020, 1, 1), date_to=dt.date(2020, 12, 31), limit=1000)
    assert span["total"] and all(r["deal_on"].year == 2020 for r in span["rows"])
    rows = export_rows(env.url, who, forest_type="economic")
    assert len(rows) == a["total"]
    r = rows[0]
    assert r["price_per_mu"] == (Decimal(r["price_fen"]) / 100 / r["area_mu"]).quantize(Decimal("0.01"))
    with pytest.raises(ValueError):
        sales_page(env.url, who, kind="gift")


def test_callbacks_list_preview_commit(env):
    resp = env.post("county", cb.listing, {"ps-region": env.county, "ps-sort": "deal_on", "ps-order": "desc",
                                           "ps-offset": 0, "ps-list-refresh": 0})
    rows = output(resp, "ps-grid", "rowData")
    assert len(rows) == 100 and "共" in text(output(resp, "ps-summary-line", "children"))
    assert output(resp, "ps-prev", "disabled") is True and output(resp, "ps-next", "disabled") is False
    nxt = env.post("county", cb.listing, {"ps-region": env.county, "ps-sort": "deal_on", "ps-order": "desc",
                                          "ps-offset": 0, "ps-list-refresh": 0, "ps-next": 1}, clicked="ps-next")
    assert output(nxt, "ps-offset", "data") == 100 and output(nxt, "ps-grid", "rowData")[0]["id"] != rows[0]["id"]
    denied = _count(env, AuditLog, AuditLog.result == "denied")
    other = env.post("county", cb.listing, {"ps-region": truncate(env.other_village, COUNTY), "ps-offset": 0})
    assert output(other, "ps-grid", "rowData") == [] and "不在您的管辖范围内" in text(
        output(other, "ps-summary-line", "children"))
    assert _count(env, AuditLog, AuditLog.result == "denied") > denied  # the refusal is in the security log
    assert env.post("cashier", cb.listing, {"ps-region": env.county}).status_code == 403
    content = _csv(_line(env.village, 7, price="abc"))
    url = "data:text/csv;base64," + base64.b64encode(content).decode()
    p = env.post("county", cb.preview, {("ps-file", "contents"): url, ("ps-file", "filename"): "页面.csv",
                                        "ps-imp-kind": "price_sales"})
    assert output(p, "ps-commit", "disabled") is True
    assert [(e["row"], e["column"]) for e in output(p, "ps-errors", "rowData")] == [(2, "成交价格（元）")]
    good = "data:text/csv;base64," + base64.b64encode(_csv(_line(env.village, 8, price="99000"))).decode()
    c = env.post("county", cb.commit, {("ps-file", "contents"): good, ("ps-file", "filename"): "页面.csv",
                                       "ps-imp-kind": "price_sales", "ps-commit": 1, "ps-list-refresh": 0},
                 clicked="ps-commit")
    assert "已导入林权成交样本 1 行" in text(output(c, "ps-commit-result", "children"))
    t = env.post("county", cb.template, {"ps-template-csv": 1, "ps-imp-kind": "price_costs"}, clicked="ps-template-csv")
    data = output(t, "ps-template-download", "data")
    assert data["filename"].endswith(".csv") and data["content"].lstrip("\ufeff").startswith('"地区代码","观测日期","成本项目"')


# ---------------------------------------------------------------- the demo's samples


def test_demo_samples(env):
    with transaction(env.url) as s:
        n, counties = s.execute(select(func.count(), func.count(func.distinct(PriceSale.region_code / 1_000_000)))
                                .where(PriceSale.source == "demo")).one()
        assert n >= 3_500 and counties >= 20
        linked = s.execute(select(PriceSale.record_id, CreditRecord.kind, CreditRecord.amount_fen, PriceSale.price_fen)
                           .join(CreditRecord, CreditRecord.id == PriceSale.record_id)
                           .where(PriceSale.source == "platform", PriceSale.import_id.is_(None))).all()
        assert linked and all(k == "transfer" and a == p for _, k, a, p in linked)
        assert s.scalar(select(func.count()).select_from(CostObservation).where(CostObservation.source == "demo")) > 1000


def test_import_excel_file_and_the_excel_template(env):
    import io

    from openpyxl import Workbook, load_workbook

    who = actor(env.settings, "cc-county")
    wb = Workbook()
    ws = wb.active
    ws.append(["林权成交样本导入"])  # a title above the header, as the downloaded template has
    ws.append(HEADER.split(","))
    ws.append([str(env.village), "2023-09-30", "出租", "18.25", "54750", "经济林", "红松", "近熟林", "6.1", "2", "20",
               "林地使用权"])
    buf = io.BytesIO()
    wb.save(buf)
    out = imports.commit(env.url, "k", who, "price_sales", "样本.xlsx", buf.getvalue(), TODAY)
    with transaction(env.url) as s:
        sale = s.scalar(select(PriceSale).where(PriceSale.import_id == out["import_id"]))
        assert (sale.kind, sale.area_mu, sale.price_fen, sale.volume_m3_per_mu, sale.right_type) == (
            "lease", Decimal("18.25"), 5_475_000, 6.1, "use")
    t = env.post("county", cb.template, {"ps-template-xlsx": 1, "ps-imp-kind": "price_sales"}, clicked="ps-template-xlsx")
    data = output(t, "ps-template-download", "data")
    book = load_workbook(io.BytesIO(base64.b64decode(data["content"])))
    rows = [[c.value for c in r] for r in book.active.iter_rows()]
    header = next(r for r in rows if r and r[0] == "地区代码")
    assert header[:5] == ["地区代码", "成交日期", "成交类型", "面积（亩）", "成交价格（元）"]
