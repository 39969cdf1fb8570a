"""价格指数 (pages/prices/index.py): the selectors' choices, the index view of the chosen region,
forest type, period and method (data.prices.index.index_view: the fits are cached there), the cost
index (cost_view) and the Excel export of the index table and the coefficients. The data functions
check the action and the region's scope themselves; a region outside the scope is refused (403)."""
from __future__ import annotations

import polars as pl
from dash import Input, Output, State, ctx, html, no_update

from components.export import send_table
from components.prices import METHODS as METHOD_LABELS
from components.prices import (COEFFICIENT_EXPORT, INDEX_EXPORT, cost_figure, coefficient_rows, fit_cards,
                               index_figure, methods_figure, suppression_note, with_status)
from data.prices import index as prices
from domain.permissions import Action
from domain.prices.codes import COST_ITEMS, FOREST_TYPES, PERIODS
from domain.prices.cost import BASE_WEIGHTS
from server.callbacks import secure_callback
from server.context import log_export, query_layer, settings

from ..common import current_actor

METHODS = ("hedonic", "median", "mix_adjusted")


def params(region, forest_type, period, method) -> dict:
    """The selectors' values as index_view's keywords (anything unknown: the default)."""
    return {"region": region if isinstance(region, int) and not isinstance(region, bool) else None,
            "forest_type": forest_type if forest_type in FOREST_TYPES else None,
            "period": period if period in PERIODS else "quarter",
            "method": method if method in METHODS else "hedonic"}


@secure_callback(Action.PRICE_INDEX_VIEW, Output("prc-region", "options"), Output("prc-region", "value"),
                 Output("prc-cost-base", "options"), Input("url", "pathname"))
def choices(pathname):
    if pathname not in (None, "/prices"):
        return no_update, no_update, no_update
    who = current_actor()
    options = [{"label": name, "value": code} for code, name in prices.regions(settings().database_url, who)]
    return options, who.scope.root, [{"label": f"{y} 年 = 100", "value": y} for y in sorted(BASE_WEIGHTS)]


@secure_callback(Action.PRICE_INDEX_VIEW, Output("prc-kpis", "children"), Output("prc-index", "figure"),
                 Output("prc-note", "children"), Output("prc-table", "rowData"), Output("prc-methods", "figure"),
                 Output("prc-methods-table", "rowData"), Output("prc-coef", "rowData"), Output("prc-fit", "children"),
                 Output("prc-empty", "children"), Output("prc-asof", "children"),
                 Input("prc-region", "value"), Input("prc-forest-type", "value"), Input("prc-period", "value"),
                 Input("prc-method", "value"), Input("prc-form", "active_tab"))
def load(region, forest_type, period, method, form):
    p = params(region, forest_type, period, method)
    view = prices.index_view(settings().database_url, current_actor(), **p)
    table, methods, fit = view["table"], view["methods"], view["fit"]
    empty = ""
    if table.is_empty() or bool(table["suppressed"].all()) or view.get("note"):
        hint = "可选择更大的区域、全部林种或按年度查看。" if table.height or view.get("note") else ""
        empty = html.Div(f"{view.get('note') or '本区域、本林种暂无林权成交，无法编制指数'}。{hint}",
                         className="alert alert-warning py-2 mb-2", id="prc-empty-note")
    fit_text = ""
    if p["method"] == "hedonic" and fit.get("n"):
        fit_text = (f"被解释变量 ln(每亩价格)；R² {fit['r2']:.3f}，调整后 R² {fit['adj_r2']:.3f}，样本 {fit['n']:,} 宗，"
                    f"{fit['cov_type']}。期次虚拟变量的系数即指数的对数。")
    elif p["method"] != "hedonic" and fit.get("n"):
        fit_text = "当前方法不是特征价格法；下表为同一视图的特征价格模型。"
    elif not fit.get("n"):
        fit_text = "本视图未拟合特征价格模型（成交样本不足发布条件）。"
    methods_rows = with_status(methods).to_dicts() if not methods.is_empty() else []
    asof = f"截至 {view['as_of']}" if view.get("as_of") else ""
    figure = index_figure(table, "chained" if form == "chained" else "fixed", fit.get("area", "县"))
    return (fit_cards(table, fit, p["method"]), figure,
            suppression_note(table), with_status(table).to_dicts(), methods_figure(methods), methods_rows,
            coefficient_rows(view["coefficients"]), fit_text, empty, asof)


@secure_callback(Action.PRICE_INDEX_VIEW, Output("prc-cost", "figure"), Output("prc-cost-items", "rowData"),
                 Output("prc-cost-note", "children"), Input("prc-region", "value"), Input("prc-cost-base", "value"))
def cost(region, base_year):
    region = region if isinstance(region, int) and not isinstance(region, bool) else None
    base = base_year if base_year in BASE_WEIGHTS else None
    view = prices.cost_view(settings().database_url, current_actor(), region=region, base_year=base)
    table, items = view["table"], view["items"]
    used = view.get("base_year")
    weights = (view.get("weights") or {}).get(used) or {}
    labels = {k: v[0] for k, v in COST_ITEMS.items()}
    rows = []
    for item, (label, unit) in COST_ITEMS.items():
        mine = items.filter(pl.col("item") == item).drop_nulls("relative") if items.height else items
        last = mine.row(-1, named=True) if mine.height else {}
        rows.append({"item": item, "label": label, "unit": unit, "weight": weights.get(item),
                     "latest": last.get("relative"), "period": last.get("period")})
    note = view.get("note") or ""
    if used:
        note = (f"拉氏指数：Σ 基期权重 × 本年单位成本 / 基期单位成本 × 100，基期 {used} 年 = 100；更换基期时在新基期年"
                f"链接，序列连续。{note}")
    return cost_figure(table, items, labels), rows, note


@secure_callback(Action.PRICE_INDEX_VIEW, Output("prc-download", "data"), Input("prc-export-index", "n_clicks"),
                 Input("prc-export-coef", "n_clicks"), State("prc-region", "value"), State("prc-forest-type", "value"),
                 State("prc-period", "value"), State("prc-method", "value"), prevent_initial_call=True)
def export(_index, _coef, region, forest_type, period, method):
    p = params(region, forest_type, period, method)
    who = current_actor()
    view = prices.index_view(settings().database_url, who, **p)
    place = query_layer().tree.name(p["region"] or who.scope.root)
    kind = FOREST_TYPES.get(p["forest_type"], "全部林种")
    scope = f"{place}{kind}（{PERIODS[p['period']]}）"
    if ctx.triggered_id == "prc-export-coef":
        rows = pl.DataFrame(coefficient_rows(view["coefficients"])) if view["coefficients"].height else \
            view["coefficients"].with_columns(stars=pl.lit(""))
        data = send_table(rows, COEFFICIENT_EXPORT, f"{scope}林权价格特征价格模型系数")
        log_export("林权价格模型系数", rows.height, p["region"] or who.scope.root)
        return data
    rows = with_status(view["table"])
    data = send_table(rows, INDEX_EXPORT, f"{scope}林权价格指数（{METHOD_LABELS[p['method']]}）")
    log_export("林权价格指数", rows.height, p["region"] or who.scope.root)
    return data
