"""价格指数 and 估价助手 (issue 16, lane C): the figure factories on hand-made frames of the data
layer's shapes (band only over published periods, gaps shaded, the reason in the hover; the fully
suppressed and the empty view say so), the callbacks through the test client on the generated test
database (the demo's sales), refusals (nothing answered, logged), bad query strings and form input
answered with Chinese messages under the fields (never a 500), the export, the portrait's link."""
from __future__ import annotations

import datetime as dt
import io
import json
from urllib.parse import parse_qs, urlparse

import openpyxl
import pytest

from components import price_valuation as valuation_parts
from components import prices as comp
from tests.support.callbacks import call, output
from tests.support.prices_frames import coefficients, index_table, methods_table



def text(value) -> str:
    """A component tree (or a callback's JSON answer) as text, for `in` checks."""
    from plotly.utils import PlotlyJSONEncoder

    return json.dumps(value, cls=PlotlyJSONEncoder, ensure_ascii=False)


# ---------------------------------------------------------------- the figures, on hand-made frames


def test_price_pages001_index_figure_band_gaps_counts_and_reasons():
    t = index_table(12, thin=(0, 1, 7))
    fig = comp.index_figure(t)
    bands = [tr for tr in fig["data"] if tr.get("fill") == "toself"]
    # one polygon per run of published periods: 2–6 and 8–11 (the suppressed 7 splits the band)
    assert [len(b["x"]) // 2 for b in bands] == [5, 4]
    assert all(set(b["x"]).isdisjoint({"2016Q1", "2016Q2", "2017Q4"}) for b in bands)
    assert sum(b["showlegend"] for b in bands) == 1
    line = next(tr for tr in fig["data"] if tr["name"] == "定基指数")
    assert line["y"][0] is None and line["y"][7] is None and line["y"][2] == pytest.approx(100)
    assert line["connectgaps"] is False and "95% 区间" in line["hovertemplate"]
    bars, thin_bars = [tr for tr in fig["data"] if tr["type"] == "bar"]
    assert bars["yaxis"] == thin_bars["yaxis"] == "y2" and fig["layout"]["barmode"] == "overlay"
    assert bars["y"][0] is None and bars["y"][2] == 46 and thin_bars["y"][0] == 4 and thin_bars["y"][2] is None
    assert "未发布" in bars["text"][7] and "少于 10 宗不发布" in bars["text"][7] and "未发布" not in bars["text"][3]
    assert bars["marker"]["color"] != thin_bars["marker"]["color"] and thin_bars["name"] == "未发布期次的成交宗数"
    assert fig["layout"]["xaxis"]["categoryarray"] == t["period"].to_list()  # the band must not reorder the axis
    gaps = [s for s in fig["layout"]["shapes"] if s["type"] == "rect"]
    assert [(g["x0"], g["x1"]) for g in gaps] == [(-0.5, 0.5), (0.5, 1.5), (6.5, 7.5)]
    assert fig["layout"]["yaxis"]["title"]["text"] == "定基指数（基期=100）"
    assert fig["layout"]["yaxis2"]["title"]["text"] == "成交宗数（宗）"
    chained = comp.index_figure(t, "chained")
    assert chained["layout"]["yaxis"]["title"]["text"] == "环比指数（上期=100）"
    c_line = next(tr for tr in chained["data"] if tr["name"] == "环比指数")
    assert c_line["y"][2] is None and c_line["y"][3] == pytest.approx(100 * 2.718281828 ** 0.02, rel=1e-6)


def test_price_pages002_empty_and_fully_suppressed_views_say_so():
    empty = comp.index_figure(index_table(12).clear())
    assert empty["data"] == [] and empty["layout"]["annotations"][0]["text"] == comp.NO_SALES
    none = comp.index_figure(index_table(4, thin=(0, 1, 2, 3)))
    assert not [tr for tr in none["data"] if tr.get("fill") == "toself"]
    assert none["layout"]["annotations"][0]["text"].startswith("各期成交均不足发布条件")
    assert comp.methods_figure(methods_table(4, thin=(0, 1, 2, 3)))["layout"]["annotations"][0]["text"] == \
        comp.ALL_SUPPRESSED
    note = comp.suppression_note(index_table(12, thin=(0, 7)))
    assert "2016Q1：本期仅 4 宗成交" in text(note) and "2017Q4：" in text(note) and "以下 2 期" in text(note)
    runs = text(comp.suppression_note(index_table(12, thin=(0, 1, 2, 7))))
    assert "2016Q1 至 2016Q3（3 期）：本期仅 4 宗成交" in runs and "2017Q4：本期仅 4 宗成交" in runs
    assert "各期均达到发布条件" in text(comp.suppression_note(index_table(6, thin=())))


def test_price_pages003_methods_coefficients_and_cards():
    fig = comp.methods_figure(methods_table())
    assert [tr["name"] for tr in fig["data"]] == list(comp.METHODS.values())
    assert all(tr["y"][7] is None for tr in fig["data"])
    rows = comp.coefficient_rows(coefficients())
    assert [r["stars"] for r in rows] == ["***", "***", "*"]
    import polars as pl

    mixed = pl.concat([pl.DataFrame({"term": ["period[2016Q2]"], "label": ["时期：2016Q2"], "coef": [0.02], "se": [0.01],
                                     "t": [2.0], "p": [0.04]}), coefficients()])
    assert [r["term"] for r in comp.coefficient_rows(mixed)] == ["ln_volume", "age[mature]", "site[2]", "period[2016Q2]"]
    cards = text(comp.fit_cards(index_table(), {"r2": 0.877, "adj_r2": 0.875, "n": 500, "cov_type": "按县聚类稳健标准误",
                                                "min_sales": 10, "min_counties": 3}, "hedonic"))
    assert "0.877" in cards and "未发布 3 期" in cards and "2016Q3 = 100" in cards


def test_price_pages004_query_string_prefill_and_portrait_link():
    right = {"area_mu": "12.50", "forest_type": "用材林", "age_class": "成熟林", "right_type": "林木经营权",
             "species": "落叶松", "stock_m3": "100", "valid_until": "2050-06-30"}
    link = valuation_parts.valuation_link(right, 220102000000, dt.date(2026, 12, 2))
    q = {k: v[0] for k, v in parse_qs(urlparse(link).query).items()}
    assert urlparse(link).path == "/prices/valuation"
    assert q == {"area_mu": "12.50", "forest_type": "timber", "age_class": "mature", "right_type": "management",
                 "species": "落叶松", "volume": "8.00", "term": "23", "region": "220102000000"}
    values, dropped = valuation_parts.prefill(q)
    assert values["volume_m3_per_mu"] == {"value": "8.00"} and values["region_code"] == {"value": 220102000000}
    assert values["site_class"] if "site_class" in values else dropped == []
    assert valuation_parts.prefill({"area_mu": "x" * 500, "nonsense": "1"}) == ({"area_mu": {"value": "x" * 12}}, [])
    values, dropped = valuation_parts.prefill({"forest_type": "bamboo", "site_class": "9", "age_class": "mature"})
    assert values == {"age_class": {"value": "mature"}}
    assert dropped == ["林种“bamboo”不是可选的选项，已忽略", "立地等级“9”不是可选的选项，已忽略"]


# ---------------------------------------------------------------- the callbacks, on the test database


def _load(app, client, **kw):
    from callbacks.prices import index

    values = {("prc-region", "value"): kw.get("region"), ("prc-forest-type", "value"): kw.get("forest_type"),
              ("prc-period", "value"): kw.get("period", "year"), ("prc-method", "value"): kw.get("method", "hedonic"),
              ("prc-form", "active_tab"): kw.get("form", "fixed")}
    return call(client, app, index.load, values)


def _refusals(settings) -> int:
    from sqlalchemy import func, select

    from data.db import transaction
    from data.models import AuditLog

    with transaction(settings.database_url) as s:
        return s.scalar(select(func.count()).select_from(AuditLog).where(AuditLog.result.in_(("denied", "failure"))))


def test_price_pages005_index_view_for_the_forestry_bureau_and_the_bank(app, client_for):
    for user in ("demo-forestry", "demo-bank"):
        resp = _load(app, client_for(user))
        fig = output(resp, "prc-index", "figure")
        line = next(tr for tr in fig["data"] if tr.get("name") == "定基指数")
        published = [y for y in line["y"] if y is not None]
        assert published and published[0] == pytest.approx(100), user
        assert any(tr.get("fill") == "toself" for tr in fig["data"])
        rows = output(resp, "prc-table", "rowData")
        assert sum(r["n"] for r in rows) > 1000 and all(r["status"] for r in rows)
        assert output(resp, "prc-coef", "rowData"), user
        assert "R²" in text(output(resp, "prc-kpis", "children"))
        methods = output(resp, "prc-methods", "figure")
        assert len(methods["data"]) == 3
    quarter = _load(app, client_for("demo-forestry"), period="quarter")
    rows = output(quarter, "prc-table", "rowData")
    thin = [r for r in rows if r["status"] != "已发布"]
    assert thin and all(r["index"] is None and "未发布" in r["status"] for r in thin)  # the generator's thin start
    assert "未发布指数" in text(output(quarter, "prc-note", "children"))


def test_price_pages006_selectors_chained_form_and_cost_index(app, client_for):
    from callbacks.prices import index

    client = client_for("demo-forestry")
    resp = call(client, app, index.choices, {("url", "pathname"): "/prices"})
    options = output(resp, "prc-region", "options")
    assert len(options) > 3 and output(resp, "prc-region", "value") == options[0]["value"]
    bases = output(resp, "prc-cost-base", "options")
    assert bases
    county = options[-1]["value"]
    one = _load(app, client, region=county, forest_type="timber", form="chained")
    assert output(one, "prc-index", "figure")["layout"]  # a figure (maybe all suppressed), never an error
    cost = call(client, app, index.cost, {("prc-region", "value"): None, ("prc-cost-base", "value"): bases[0]["value"]})
    fig = output(cost, "prc-cost", "figure")
    assert any(tr["name"] == "营林成本指数" for tr in fig["data"])
    items = output(cost, "prc-cost-items", "rowData")
    assert {r["label"] for r in items} >= {"造林", "抚育", "管护", "采伐", "劳务"}
    assert "基期" in text(output(cost, "prc-cost-note", "children"))
    # a value the selectors do not offer is refused by the input guard before the callback runs (never a 500)
    odd = _load(app, client, period="decade", method="guess", forest_type="bamboo!")
    assert odd.status_code == 400 and "prc-index" not in odd.get_data(as_text=True)


def test_price_pages007_refused_roles_get_nothing(app, client_for, sqlite_settings):
    from callbacks.prices import index, valuation

    before = _refusals(sqlite_settings)
    for user in ("demo-village", "demo-member"):
        resp = _load(app, client_for(user))
        assert resp.status_code == 403 and "prc-index" not in resp.get_data(as_text=True)
    resp = call(client_for("demo-county"), app, valuation.estimate,
                {("pval-area", "value"): "10", ("pval-forest-type", "value"): "timber", ("pval-go", "n_clicks"): 1},
                triggered=["pval-go.n_clicks"])
    assert resp.status_code == 403 and "pval-estimate" not in resp.get_data(as_text=True)
    assert _refusals(sqlite_settings) > before
    # the county official sees only its county: another county is refused
    options = output(call(client_for("demo-county-forestry"), app, index.choices, {("url", "pathname"): "/prices"}),
                     "prc-region", "options")
    mine = {o["value"] for o in options}
    other = next(o["value"] for o in output(call(client_for("demo-forestry"), app, index.choices,
                                                 {("url", "pathname"): "/prices"}), "prc-region", "options")
                 if o["value"] not in mine and o["value"] % 10**6 == 0 and o["value"] % 10**8)
    resp = _load(app, client_for("demo-county-forestry"), region=other)
    assert resp.status_code == 403 and "prc-index" not in resp.get_data(as_text=True)


def test_price_pages008_export_index_and_coefficients(app, client_for):
    from callbacks.prices import index

    client = client_for("demo-bank")
    for button, header in (("prc-export-index", "定基指数"), ("prc-export-coef", "解释变量")):
        resp = call(client, app, index.export, {(button, "n_clicks"): 1, ("prc-period", "value"): "year",
                                                ("prc-method", "value"): "hedonic"}, triggered=[f"{button}.n_clicks"])
        data = output(resp, "prc-download", "data")
        assert data["filename"].endswith(".xlsx")
        import base64

        wb = openpyxl.load_workbook(io.BytesIO(base64.b64decode(data["content"])))
        ws = wb.active
        assert header in [c.value for c in ws[2]] and ws.max_row > 3


def _estimate(app, client, click=True, **fields):
    from callbacks.prices import valuation

    ids = {f.name: f.id for f in valuation_parts.VALUATION_FORM.fields}
    values = {(ids[k], "value"): v for k, v in fields.items()}
    values[("pval-go", "n_clicks")] = 1 if click else None
    return call(client, app, valuation.estimate, values, triggered=["pval-go.n_clicks"] if click else None)


def test_price_pages009_valuation_estimates_with_its_interval(app, client_for):
    parcel = dict(area_mu="30", forest_type="timber", age_class="mature", volume_m3_per_mu="8.6", site_class=2,
                  term_years="30", right_type="management", species="落叶松")
    resp = _estimate(app, client_for("demo-bank"), **parcel)
    shown = text(output(resp, "pval-result", "children"))
    assert "pval-estimate" in shown and "90% 区间" in shown and "元/亩" in shown and "估算总价" in shown, shown[:400]
    assert "估价对象：30.00 亩，用材林，落叶松，成熟林" in shown
    est = json.loads(shown)
    # the total and its interval as the page prints them: lower < estimate < upper
    cards = [c for c in json.dumps(est, ensure_ascii=False).split('"') if c.endswith(" 元") and "区间" in c]
    lo, hi = (int(x.replace(",", "")) for x in cards[0].split("区间 ")[1].removesuffix(" 元").split(" – "))
    assert lo < hi
    # a county's own sales come from one county: the models' thin-market rule (3 counties) leaves no
    # model to fit, and the helper says so instead of estimating
    resp = _estimate(app, client_for("demo-county-forestry"), **parcel)
    shown = text(output(resp, "pval-result", "children"))
    assert "pval-estimate" in shown or "pval-unavailable" in shown and "样本" in shown, shown[:400]
    # nothing filled and not clicked: the hint, no estimate
    resp = _estimate(app, client_for("demo-bank"), click=False)
    assert "填写宗地特征" in text(output(resp, "pval-result", "children"))


@pytest.mark.parametrize("fields, field_id, message", [
    ({"area_mu": "abc", "forest_type": "timber"}, "pval-area", "面积应为数字"),
    ({"area_mu": "0", "forest_type": "timber"}, "pval-area", "面积应在"),
    ({"area_mu": "10", "forest_type": "timber", "volume_m3_per_mu": "500"}, "pval-volume", "每亩蓄积量应在"),
    ({"area_mu": "10", "forest_type": "timber", "term_years": "2.5"}, "pval-term", "剩余期限应为整数"),
    ({"area_mu": "10", "forest_type": "bamboo"}, "pval-forest-type", "不是可选的选项"),  # the input guard's
    ({"area_mu": "10", "forest_type": "timber", "site_class": 9}, "pval-site", "不是可选的选项"),
    ({"area_mu": "10"}, "pval-forest-type", "请选择林种"),
    ({"area_mu": "10", "forest_type": "timber", "region_code": "12345"}, "pval-region", "区划代码"),
])
def test_price_pages010_bad_input_is_explained_in_chinese_under_the_field(app, client_for, fields, field_id, message):
    resp = _estimate(app, client_for("demo-bank"), **fields)
    assert message in text(output(resp, f"{field_id}-error", "children"))
    assert "pval-estimate" not in text(resp.get_json()["response"].get("pval-result"))


def test_price_pages011_query_string_prefills_and_bad_query_strings_never_500(app, client_for):
    client = client_for("demo-bank")
    ok = client.get("/prices/valuation?area_mu=12.5&forest_type=timber&age_class=mature&volume=8&term=20")
    assert ok.status_code == 200
    router = ".._pages_content.children..._pages_store.data.."
    from tests.support.http import dash_post

    for search in ("?area_mu=12.5&forest_type=timber&volume=8&term=20&site_class=2",
                   "?area_mu=%3Cscript%3E&forest_type=%27%3B--&volume=-1&term=999&site_class=9&region=abc",
                   "?" + "area_mu=" + "9" * 3000):
        resp = dash_post(client, router, [{"id": "_pages_location", "property": "pathname", "value": "/prices/valuation"},
                                          {"id": "_pages_location", "property": "search", "value": search}])
        assert resp.status_code in (200, 400), (search[:40], resp.status_code)
        if resp.status_code == 200 and "site_class=2" in search:
            body = resp.get_data(as_text=True)
            assert '"value":"12.5"' in body.replace(" ", "") and '"value":2' in body.replace(" ", "")
    # the pre-filled values go through the same check: bad ones come back under their fields
    # (a select's value that is not a choice is left out by the page, see prefill)
    resp = _estimate(app, client, click=False, area_mu="<script>", volume_m3_per_mu="-1", term_years="999")
    assert "面积应为数字" in text(output(resp, "pval-area-error", "children"))
    assert "请选择林种" in text(output(resp, "pval-forest-type-error", "children"))
    assert "每亩蓄积量应在 0 至 100" in text(output(resp, "pval-volume-error", "children"))
    assert "剩余期限应在 1 至 70" in text(output(resp, "pval-term-error", "children"))
    assert "pval-estimate" not in text(output(resp, "pval-result", "children"))


def test_price_pages012_portrait_links_each_forest_right_to_the_helper_only_for_valuers():
    from components.credit_portrait import _rights_table

    right = {"id": 7, "unit_code": "220102001001GB00001W00000001", "right_type": "林木经营权", "area_mu": "20.00",
             "forest_type": "用材林", "species": "落叶松", "age_class": "中龄林", "stock_m3": "80", "valid_until": "2046-01-01",
             "encumbrances": []}
    shown = text(_rights_table([right], (220102000000, dt.date(2026, 11, 22))))
    assert "credit-value-7" in shown and "/prices/valuation?area_mu=20.00" in shown and "volume=4.00" in shown
    assert "term=19" in shown and "估价" in shown
    assert "credit-value-7" not in text(_rights_table([right])) and "估价" not in text(_rights_table([right]))


def test_price_pages013_valuation_region_outside_the_scope(app, client_for, sqlite_settings):
    from callbacks.prices import index, valuation

    mine = {o["value"] for o in output(call(client_for("demo-county-forestry"), app, valuation.choices,
                                            {("url", "pathname"): "/prices/valuation"}), "pval-region", "options")}
    every = output(call(client_for("demo-forestry"), app, index.choices, {("url", "pathname"): "/prices"}),
                   "prc-region", "options")
    other = next(o["value"] for o in every if o["value"] not in mine and o["value"] % 10**6 == 0 and o["value"] % 10**8)
    # a link's region that is not among the viewer's choices: named, left out
    resp = call(client_for("demo-county-forestry"), app, valuation.choices,
                {("url", "pathname"): "/prices/valuation", ("pval-query", "data"): {"region_code": other}})
    assert output(resp, "pval-region", "value") is None and "不在可选范围内" in output(resp, "pval-region-note", "children")
    mine_one = next(iter(mine))
    resp = call(client_for("demo-county-forestry"), app, valuation.choices,
                {("url", "pathname"): "/prices/valuation", ("pval-query", "data"): {"region_code": mine_one}})
    assert output(resp, "pval-region", "value") == mine_one and output(resp, "pval-ready", "data") == 1
    # posted anyway: refused under the field (and logged), nothing estimated
    before = _refusals(sqlite_settings)
    resp = _estimate(app, client_for("demo-county-forestry"), area_mu="10", forest_type="timber", region_code=other)
    assert "不在您的管辖范围内" in text(output(resp, "pval-region-error", "children"))
    assert "pval-estimate" not in text(output(resp, "pval-result", "children"))
    assert _refusals(sqlite_settings) > before
