"""The price index page's pieces (价格指数): the index with its 95 % band and the sample counts on a
second axis (suppressed periods are gaps, shaded, with the reason in the hover), the methods side by
side, the cost index, the grids' columns, the fit's cards and the suppression note. Figures are plain
dicts from polars frames of the data layer's shapes (data.prices.index); id-parameterised, no data
access. The valuation helper's pieces are in components/price_valuation.py."""
from __future__ import annotations

import polars as pl
from dash import html

from components.charts import FONT, empty_figure, quick_ticks
from components.kpi import kpi_card
from domain.prices.codes import MIN_COUNTIES, MIN_SALES

INDEX_COLOR = "#0b4f8a"
BAND_COLOR = "rgba(11, 79, 138, 0.16)"
COUNT_COLOR = "rgba(120, 144, 156, 0.45)"
SUPPRESSED_COLOR = "rgba(192, 57, 43, 0.55)"
GAP_FILL = "rgba(135, 150, 165, 0.12)"
METHODS = {"hedonic": "特征价格法（时间虚拟变量）", "median": "每亩价格中位数", "mix_adjusted": "分层加权法（按面积）"}
METHOD_COLORS = {"hedonic": "#0b4f8a", "median": "#e0a526", "mix_adjusted": "#1b7f3b"}
#: which columns draw each form of the index
FORMS = {"fixed": ("index", "lower", "upper", "定基指数（基期=100）"),
         "chained": ("chained", "chained_lower", "chained_upper", "环比指数（上期=100）")}
NO_SALES = "本区域、本林种暂无林权成交"
ALL_SUPPRESSED = (f"各期成交均不足发布条件（每期至少 {MIN_SALES} 宗、来自 {MIN_COUNTIES} 个县，县内为 {MIN_COUNTIES} 个乡镇），"
                  "不发布指数")

NUM = {"type": "rightAligned", "filter": "agNumberColumnFilter"}


def _fmt(places: int) -> dict:
    return {"function": f"params.value == null ? '—' : d3.format(',.{places}f')(params.value)"}


INDEX_COLUMNS = [
    {"field": "period", "headerName": "期次", "minWidth": 90},
    {"field": "index", "headerName": "定基指数", **NUM, "valueFormatter": _fmt(1)},
    {"field": "lower", "headerName": "95%下限", **NUM, "valueFormatter": _fmt(1)},
    {"field": "upper", "headerName": "95%上限", **NUM, "valueFormatter": _fmt(1)},
    {"field": "chained", "headerName": "环比指数", **NUM, "valueFormatter": _fmt(1)},
    {"field": "n", "headerName": "成交（宗）", **NUM, "maxWidth": 120},
    {"field": "counties", "headerName": "县（乡镇）数", **NUM, "maxWidth": 120},
    {"field": "status", "headerName": "发布状态", "minWidth": 220},
]
INDEX_EXPORT = [("period", "期次", None), ("index", "定基指数", None), ("lower", "定基指数95%下限", None),
                ("upper", "定基指数95%上限", None), ("chained", "环比指数", None),
                ("chained_lower", "环比指数95%下限", None), ("chained_upper", "环比指数95%上限", None),
                ("n", "成交宗数", None), ("counties", "有成交的县数（县内为乡镇数）", None), ("status", "发布状态", None)]
METHOD_COLUMNS = [
    {"field": "period", "headerName": "期次", "minWidth": 90},
    *({"field": m, "headerName": label, **NUM, "valueFormatter": _fmt(1)} for m, label in
      {"hedonic": "特征价格法", "median": "中位数法", "mix_adjusted": "分层加权法"}.items()),
    {"field": "n", "headerName": "成交（宗）", **NUM, "maxWidth": 120},
    {"field": "status", "headerName": "发布状态", "minWidth": 120},
]
COEFFICIENT_COLUMNS = [
    {"field": "label", "headerName": "解释变量", "minWidth": 150, "flex": 2},
    {"field": "coef", "headerName": "系数", **NUM, "minWidth": 80, "valueFormatter": _fmt(3)},
    {"field": "se", "headerName": "标准误", **NUM, "minWidth": 80, "valueFormatter": _fmt(3)},
    {"field": "t", "headerName": "t 值", **NUM, "minWidth": 70, "valueFormatter": _fmt(1)},
    {"field": "p", "headerName": "p 值", **NUM, "minWidth": 80, "valueFormatter": {
        "function": "params.value == null ? '—' : (params.value < 0.001 ? '<0.001' : d3.format('.3f')(params.value))"}},
    {"field": "stars", "headerName": "显著性", "minWidth": 70, "filter": False},
]
COEFFICIENT_EXPORT = [("term", "变量代码", None), ("label", "解释变量", None), ("coef", "系数", None), ("se", "标准误", None),
                      ("t", "t 值", None), ("p", "p 值", None), ("stars", "显著性", None)]
COST_COLUMNS = [
    {"field": "label", "headerName": "成本项目", "minWidth": 120},
    {"field": "unit", "headerName": "单位", "maxWidth": 130},
    {"field": "weight", "headerName": "基期权重", **NUM, "valueFormatter": {
        "function": "params.value == null ? '—' : d3.format('.1%')(params.value)"}},
    {"field": "latest", "headerName": "最新价比", "headerTooltip": "最新一年单位成本 ÷ 首年 × 100", **NUM,
     "valueFormatter": _fmt(1)},
    {"field": "period", "headerName": "最新期次", "maxWidth": 120},
]


def _layout(**extra) -> dict:
    return quick_ticks({"margin": {"l": 64, "r": 64, "t": 10, "b": 50}, "font": FONT, "hovermode": "closest",
                        "legend": {"orientation": "h", "y": 1.1, "x": 0}, "plot_bgcolor": "rgba(0,0,0,0)",
                        "paper_bgcolor": "rgba(0,0,0,0)", **extra})


def _period_axis(periods: list[str]) -> dict:
    """A category axis in the periods' own order (a trace that starts later must not reorder it)."""
    many = len(periods) > 16
    return {"type": "category", "categoryorder": "array", "categoryarray": periods, "title": {"text": "期次"},
            "tickangle": -45 if many else 0, **({"nticks": 24} if many else {"dtick": 1})}


def _segments(values: list) -> list[list[int]]:
    """Runs of positions whose value is not None (a suppressed period ends a run)."""
    runs, run = [], []
    for i, v in enumerate(values):
        if v is None:
            if run:
                runs.append(run)
            run = []
        else:
            run.append(i)
    if run:
        runs.append(run)
    return runs


def status(suppressed: bool, reason: str | None) -> str:
    return f"未发布：{reason or '样本不足'}" if suppressed else "已发布"


def with_status(table: pl.DataFrame) -> pl.DataFrame:
    """The index table with its suppressed periods' values blanked and a `status` text column."""
    if table.is_empty():
        return table.with_columns(status=pl.lit("", pl.Utf8))
    reason = pl.col("reason") if "reason" in table.columns else pl.lit(None, pl.Utf8)
    blank = [c for c in ("index", "lower", "upper", "chained", "chained_lower", "chained_upper", "hedonic", "median",
                         "mix_adjusted") if c in table.columns]
    return table.with_columns(
        *(pl.when(pl.col("suppressed")).then(None).otherwise(pl.col(c)).alias(c) for c in blank),
        status=pl.when(pl.col("suppressed")).then(pl.lit("未发布：") + reason.fill_null("样本不足"))
        .otherwise(pl.lit("已发布")))


def index_figure(table: pl.DataFrame, form: str = "fixed", area: str = "县") -> dict:
    """The index (`form` fixed: 定基 or chained: 环比) over the periods: its line, the 95 % band,
    the sales per period as bars on the right axis; a suppressed period has no point, a grey
    shade and a red bar whose hover gives the reason; 100 dashed. `area`: what the `counties`
    column counts (县, or 乡镇 for a sample inside one county)."""
    if table.is_empty():
        return empty_figure(NO_SALES)
    col, lo_col, hi_col, title = FORMS[form]
    t = with_status(table)
    periods = t["period"].to_list()
    ys, los, his = t[col].to_list(), t[lo_col].to_list(), t[hi_col].to_list()
    ns = t["n"].to_list()
    counties = t["counties"].to_list() if "counties" in t.columns else [None] * len(ns)
    sup = t["suppressed"].to_list()
    reasons = t["reason"].to_list() if "reason" in t.columns else [None] * len(ns)
    data: list[dict] = []
    for k, run in enumerate(_segments([None if y is None or lo is None or hi is None else y
                                       for y, lo, hi in zip(ys, los, his)])):
        xs = [periods[i] for i in run]
        data.append({"type": "scatter", "mode": "lines", "x": xs + xs[::-1],
                     "y": [his[i] for i in run] + [los[i] for i in run][::-1], "fill": "toself",
                     "fillcolor": BAND_COLOR, "line": {"width": 0}, "hoverinfo": "skip", "name": "95% 置信区间",
                     "legendgroup": "band", "showlegend": k == 0})
    where = [f"{c} 个{area}" if c is not None else "" for c in counties]
    data.append({"type": "scatter", "mode": "lines+markers", "x": periods, "y": ys, "name": title.split("（")[0],
                 "showlegend": not all(sup),
                 "connectgaps": False, "line": {"color": INDEX_COLOR, "width": 2.2}, "marker": {"size": 6},
                 "customdata": [[lo, hi, n, w] for lo, hi, n, w in zip(los, his, ns, where)],
                 "hovertemplate": "%{x}<br>指数 %{y:.1f}（95% 区间 %{customdata[0]:.1f}–%{customdata[1]:.1f}）"
                                  "<br>成交 %{customdata[2]:,} 宗，%{customdata[3]}<extra></extra>"})
    bar_text = [f"成交 {n:,} 宗" + (f"，{c} 个{area}" if c is not None else "")
                + (f"<br><b>未发布</b>：{r or '样本不足'}" if s else "") for n, c, s, r in zip(ns, counties, sup, reasons)]
    for name, color, keep in (("成交宗数（右轴）", COUNT_COLOR, False), ("未发布期次的成交宗数", SUPPRESSED_COLOR, True)):
        if (keep and not any(sup)) or (not keep and all(sup)):  # no legend entry for bars there are none of
            continue
        data.append({"type": "bar", "x": periods, "y": [n if s == keep else None for n, s in zip(ns, sup)],
                     "yaxis": "y2", "name": name, "marker": {"color": color}, "text": bar_text, "textposition": "none",
                     "hovertemplate": "%{x}<br>%{text}<extra></extra>"})
    shapes = [{"type": "rect", "xref": "x", "yref": "paper", "x0": i - 0.5, "x1": i + 0.5, "y0": 0, "y1": 1,
               "fillcolor": GAP_FILL, "line": {"width": 0}, "layer": "below"} for i, s in enumerate(sup) if s]
    if not all(sup):
        shapes.append({"type": "line", "xref": "paper", "yref": "y", "x0": 0, "x1": 1, "y0": 100, "y1": 100,
                       "line": {"color": "#8796a5", "width": 1, "dash": "dash"}, "layer": "below"})
    top = max((n for n in ns if n is not None), default=0) or 1
    layout = _layout(
        shapes=shapes, bargap=0.35, barmode="overlay", margin={"l": 64, "r": 64, "t": 10, "b": 80},
        xaxis=_period_axis(periods),
        yaxis={"title": {"text": title}, "zeroline": False},
        yaxis2={"title": {"text": "成交宗数（宗）"}, "overlaying": "y", "side": "right", "showgrid": False,
                "range": [0, top * 3], "tickmode": "auto", "nticks": 4, "tickformat": ",d"})
    if all(sup):
        layout["annotations"] = [{"text": ALL_SUPPRESSED, "showarrow": False,
                                  "xref": "paper", "yref": "paper", "x": 0.5, "y": 0.6, "font": {"size": 14,
                                                                                                 "color": "#8796a5"}}]
        layout["yaxis"] = {**layout["yaxis"], "visible": False}
    return {"data": data, "layout": layout}


def methods_figure(methods: pl.DataFrame) -> dict:
    """The three methods' indexes (first unsuppressed period = 100) as lines, gaps where suppressed."""
    if methods.is_empty():
        return empty_figure(NO_SALES)
    t = with_status(methods)
    periods = t["period"].to_list()
    data = [{"type": "scatter", "mode": "lines+markers", "x": periods, "y": t[m].to_list(), "name": label,
             "connectgaps": False, "line": {"color": METHOD_COLORS[m], "width": 2.4 if m == "hedonic" else 1.8,
                                            "dash": "solid" if m == "hedonic" else "dot" if m == "median" else "dash"},
             "marker": {"size": 5}, "hovertemplate": label + " %{y:.1f}<extra></extra>"}
            for m, label in METHODS.items() if m in t.columns]
    if not any(v is not None for tr in data for v in tr["y"]):
        return empty_figure(ALL_SUPPRESSED)
    shapes = [{"type": "rect", "xref": "x", "yref": "paper", "x0": i - 0.5, "x1": i + 0.5, "y0": 0, "y1": 1,
               "fillcolor": GAP_FILL, "line": {"width": 0}, "layer": "below"}
              for i, s in enumerate(t["suppressed"].to_list()) if s]
    shapes.append({"type": "line", "xref": "paper", "yref": "y", "x0": 0, "x1": 1, "y0": 100, "y1": 100,
                   "line": {"color": "#8796a5", "width": 1, "dash": "dash"}, "layer": "below"})
    return {"data": data, "layout": _layout(
        shapes=shapes, hovermode="x unified", margin={"l": 64, "r": 20, "t": 10, "b": 80},
        xaxis=_period_axis(periods), yaxis={"title": {"text": "定基指数（基期=100）"}})}


def cost_figure(table: pl.DataFrame, items: pl.DataFrame | None = None, labels: dict[str, str] | None = None) -> dict:
    """The cost index (Laspeyres, base year = 100) as a bold line, each item's price relative
    thin; suppressed years are gaps. `items`: period, item, relative (base = 100)."""
    if table.is_empty():
        return empty_figure("本区域暂无营林成本观测")
    t = with_status(table)
    periods = t["period"].to_list()
    data = []
    labels = labels or {}
    if items is not None and not items.is_empty():
        for item in items["item"].unique(maintain_order=True).to_list():
            part = items.filter(pl.col("item") == item)
            got = dict(zip(part["period"].to_list(), part["relative"].to_list()))
            name = labels.get(item, item)
            data.append({"type": "scatter", "mode": "lines", "x": periods, "y": [got.get(p) for p in periods],
                         "name": name, "line": {"width": 1.2}, "opacity": 0.8, "connectgaps": False,
                         "hovertemplate": name + " %{y:.1f}<extra></extra>"})
    data.append({"type": "scatter", "mode": "lines+markers", "x": periods, "y": t["index"].to_list(),
                 "name": "营林成本指数", "line": {"color": "#7a3e9d", "width": 3}, "marker": {"size": 7},
                 "connectgaps": False, "customdata": t["status"].to_list(),
                 "hovertemplate": "营林成本指数 %{y:.1f}（%{customdata}）<extra></extra>"})
    return {"data": data, "layout": _layout(
        hovermode="x unified", margin={"l": 64, "r": 20, "t": 10, "b": 50},
        legend={"orientation": "h", "y": -0.2, "x": 0},
        xaxis={**_period_axis(periods), "title": {"text": "年度"}}, yaxis={"title": {"text": "指数（基期=100）"}})}


def coefficient_rows(coefficients: pl.DataFrame) -> list[dict]:
    """The model's coefficients as grid rows, characteristics before the period dummies, with
    significance stars (*** p<0.01, ** <0.05, * <0.1)."""
    if coefficients.is_empty():
        return []
    # the characteristics first (what the official reads), the period dummies (the index itself) after
    coefficients = coefficients.with_row_index("_at").sort(pl.col("term").str.starts_with("period["), "_at").drop("_at")
    stars = (pl.when(pl.col("p") < 0.01).then(pl.lit("***")).when(pl.col("p") < 0.05).then(pl.lit("**"))
             .when(pl.col("p") < 0.1).then(pl.lit("*")).otherwise(pl.lit("")))
    return coefficients.with_columns(stars=stars).to_dicts()


def fit_cards(table: pl.DataFrame, fit: dict, method: str) -> list:
    """The view's key figures: the latest published index, the sales, the fit (R², errors), the
    published periods."""
    col = "col-6 col-md-3"
    if table.is_empty():
        return [html.Div(kpi_card("prc-kpi-latest", "最新指数", None), className=col)]
    shown = table.filter(~pl.col("suppressed"))
    if shown.height:
        last = shown.row(-1, named=True)
        latest = kpi_card("prc-kpi-latest", f"最新指数（{last['period']}）", f"{last['index']:.1f}", "",
                          f"95% 区间 {last['lower']:.1f}–{last['upper']:.1f}；基期 {shown['period'][0]} = 100；"
                          f"{METHODS.get(method, method)}")
    else:
        latest = kpi_card("prc-kpi-latest", "最新指数", None)
    n = int(table["n"].sum())
    cards = [latest, kpi_card("prc-kpi-n", "成交样本", f"{n:,}", "宗", f"共 {table.height} 期")]
    if fit.get("r2") is not None:
        cards.append(kpi_card("prc-kpi-r2", "特征价格模型 R²", f"{fit['r2']:.3f}", "",
                              f"调整后 R² {fit.get('adj_r2') or 0:.3f}；拟合 {fit.get('n') or 0:,} 宗；"
                              f"{fit.get('cov_type') or ''}"))
    suppressed = int(table["suppressed"].sum())
    cards.append(kpi_card("prc-kpi-published", "已发布期次", f"{table.height - suppressed}", f"/ {table.height} 期",
                          f"未发布 {suppressed} 期（每期至少 {fit.get('min_sales', MIN_SALES)} 宗、"
                          f"{fit.get('min_counties', MIN_COUNTIES)} 个{fit.get('area', '县')}）"))
    return [html.Div(c, className=col) for c in cards]


def suppression_note(table: pl.DataFrame) -> list:
    """The suppressed periods and why, below the chart: runs of consecutive periods with the same
    reason on one line ("2016Q4 至 2025Q4（37 期）：…"); nothing to say when every period is published."""
    if table.is_empty():
        return []
    gone = table.filter(pl.col("suppressed"))
    if not gone.height:
        return [html.P("各期均达到发布条件。", className="muted-note mb-0")]
    reasons = table["reason"].to_list() if "reason" in table.columns else [None] * table.height
    runs: list[list] = []  # [first, last, count, reason]
    for i, (period, sup, reason) in enumerate(zip(table["period"].to_list(), table["suppressed"].to_list(), reasons)):
        reason = reason or "样本不足"
        if not sup:
            continue
        last = runs[-1] if runs else None
        if last is not None and last[3] == reason and last[4] == i - 1:
            last[1], last[2], last[4] = period, last[2] + 1, i
        else:
            runs.append([period, period, 1, reason, i])
    items = [html.Li(f"{a}：{r}" if n == 1 else f"{a} 至 {b}（{n} 期）：{r}") for a, b, n, r, _ in runs]
    return [html.Div(f"以下 {gone.height} 期样本不足，未发布指数（图中灰色空档）：", className="small fw-semibold"),
            html.Ul(items, className="small text-muted mb-0 prc-suppressed-list")]
