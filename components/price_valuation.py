"""The valuation helper's pieces (估价助手): its form declared once (the field names of
data.prices.valuation.ValuationInput), the query string's pre-fill, the link from a forest right on the
credit portrait, and the estimate's answer. No data access."""
from __future__ import annotations

from urllib.parse import urlencode

from dash import html

from components.form import Field, Form
from components.kpi import kpi_card
from domain.prices.codes import AGE_CLASSES, FOREST_TYPES, RIGHT_TYPES, SPECIES


def _yuan(v) -> str:
    return f"{int(v):,}"


def valuation_result(est: dict) -> html.Div:
    """The estimate: per mu and total with the interval, the period, the sample and the fit, the warnings."""
    level = round(float(est.get("level") or 0.9) * 100)
    warnings = est.get("warnings") or []
    if not est.get("available", True) or est.get("total_yuan") is None:
        return html.Div(id="pval-unavailable", className="alert alert-warning py-2 mb-0", children=[
            est.get("note") or "成交样本不足，无法估价", html.Br(),
            html.Small(f"所选范围：{est.get('region_name') or '本辖区'}，成交样本 {int(est.get('n') or 0):,} 宗。")])
    parcel = est.get("parcel") or {}
    facts = [f"{parcel['area_mu']} 亩" if parcel.get("area_mu") is not None else None,
             FOREST_TYPES.get(parcel.get("forest_type"), parcel.get("forest_type")), parcel.get("species"),
             AGE_CLASSES.get(parcel.get("age_class")),
             f"每亩蓄积 {parcel['volume_m3_per_mu']:g} 立方米" if parcel.get("volume_m3_per_mu") is not None else None,
             f"立地 {parcel['site_class']} 级" if parcel.get("site_class") else None,
             f"剩余 {parcel['term_years']} 年" if parcel.get("term_years") else None, RIGHT_TYPES.get(parcel.get("right_type"))]
    return html.Div(id="pval-estimate", children=[
        html.P("估价对象：" + "，".join(str(x) for x in facts if x), className="small mb-2", id="pval-parcel")
        if any(facts) else None,
        html.Div(className="row g-2 mb-2", children=[
            html.Div(kpi_card("pval-total", "估算总价", _yuan(est["total_yuan"]), "元",
                              f"约 {est['total_yuan'] / 10_000:,.2f} 万元；{level}% 区间 {_yuan(est['lower_total_yuan'])} – "
                              f"{_yuan(est['upper_total_yuan'])} 元"),
                     className="col-md-6"),
            html.Div(kpi_card("pval-per-mu", "估算单价", _yuan(est["per_mu_yuan"]), "元/亩",
                              f"{level}% 区间 {_yuan(est['lower_per_mu_yuan'])} – {_yuan(est['upper_per_mu_yuan'])} 元/亩"),
                     className="col-md-6"),
        ]),
        html.P(f"价格水平：{est.get('period') or '—'}（最近一个已发布期次）；模型样本：{est.get('region_name') or '本辖区'}"
               f" {int(est.get('n') or 0):,} 宗成交，R² {float(est.get('r2') or 0):.3f}"
               + (f"，数据截至 {est['as_of']}" if est.get("as_of") else "")
               + f"。区间为单宗成交价格的 {level}% 预测区间（含宗地个体差异）。",
               className="small text-muted mb-1", id="pval-basis"),
        html.Ul([html.Li(w) for w in warnings], className="small text-warning-emphasis mb-1", id="pval-warnings")
        if warnings else None,
        html.P("估价结果仅供参考，不作为抵押物价值的正式评估结论。", className="small text-muted mb-0"),
    ])


SITE_CLASSES = tuple((k, f"{k} 级" + {1: "（最好）", 5: "（最差）"}.get(k, "")) for k in range(1, 6))
#: the valuation helper's form, declared once: the names are data.prices.valuation.ValuationInput's
VALUATION_FORM = Form("pval", (
    Field("region_code", "pval-region", "所在区域", "select", placeholder="不限（按本辖区平均水平）",
          help="选县则按该县的价格水平估算"),
    Field("area_mu", "pval-area", "面积（亩）", "decimal", placeholder="0.01 – 100000", max_length=12),
    Field("forest_type", "pval-forest-type", "林种", "select", options=tuple(FOREST_TYPES.items()),
          placeholder="选择林种"),
    Field("species", "pval-species", "优势树种", "select", options=tuple((s, s) for s in SPECIES), placeholder="不详"),
    Field("age_class", "pval-age", "龄组", "select", options=tuple(AGE_CLASSES.items()), placeholder="不详"),
    Field("volume_m3_per_mu", "pval-volume", "每亩蓄积量（立方米/亩）", "decimal", placeholder="0 – 100", max_length=10,
          help="宗地蓄积量 ÷ 面积"),
    Field("site_class", "pval-site", "立地等级", "select", options=SITE_CLASSES, placeholder="不详"),
    Field("term_years", "pval-term", "剩余经营期限（年）", "numeric", placeholder="1 – 70", max_length=3),
    Field("right_type", "pval-right", "权利类型", "select", options=tuple(RIGHT_TYPES.items()), placeholder="不详"),
))
#: the query string's keys (a link from a forest right on the credit portrait) -> the form's fields
QUERY_KEYS = {"region": "region_code", "area_mu": "area_mu", "forest_type": "forest_type", "species": "species",
              "age_class": "age_class", "volume": "volume_m3_per_mu", "site_class": "site_class",
              "term": "term_years", "right_type": "right_type"}


def prefill(query: dict) -> tuple[dict[str, dict], list[str]]:
    """The form's values from the query string, as the page draws them (text clipped to the field's
    length; a select's value only when it is one of its fixed choices, digits as an integer), and
    what was left out, in Chinese. Unknown keys are ignored; the callback validates the rest."""
    values: dict[str, dict] = {}
    dropped: list[str] = []
    for key, name in QUERY_KEYS.items():
        raw = query.get(key)
        if isinstance(raw, list):
            raw = raw[0] if raw else None
        if raw is None or str(raw).strip() == "":
            continue
        f = VALUATION_FORM[name]
        value = str(raw).strip()[: f.max_length or 40]
        if f.kind == "select" and value.isdigit():
            value = int(value)
        if f.options and value not in {v for v, _ in f.options}:
            dropped.append(f"{f.label}“{value}”不是可选的选项，已忽略")
            continue
        values[name] = {"value": value}
    return values, dropped


def valuation_link(right: dict, region: int | None, today) -> str:
    """/prices/valuation with a forest right's characteristics (portrait's labels mapped back to
    codes): volume per mu = stock / area, term = whole years left to valid_until."""
    def code(table: dict, label):
        return next((k for k, v in table.items() if v == label or k == label), None)

    q: dict[str, object] = {}
    try:
        area = float(right.get("area_mu") or 0)
    except ValueError:
        area = 0.0
    if area > 0:
        q["area_mu"] = right["area_mu"]
    for key, table in (("forest_type", FOREST_TYPES), ("age_class", AGE_CLASSES), ("right_type", RIGHT_TYPES)):
        if (c := code(table, right.get(key))) is not None:
            q[key] = c
    if right.get("species"):
        q["species"] = right["species"]
    try:
        if right.get("stock_m3") and area > 0:
            q["volume"] = f"{float(right['stock_m3']) / area:.2f}"
    except ValueError:
        pass
    until = right.get("valid_until")
    if until:
        years = (int(until[:4]) - today.year) - ((int(until[5:7]), int(until[8:10])) < (today.month, today.day))
        if years >= 1:
            q["term"] = years
    if region is not None:
        q["region"] = region
    return "/prices/valuation?" + urlencode(q)
