"""The credit statistics page's pieces: KPI cards, the grade bars (stacked, 户/个), the records and
severity bars, the region table's columns (id-parameterised, no data access)."""
from __future__ import annotations

from dash import html

from components.charts import FONT, empty_figure, quick_ticks
from components.kpi import kpi_card

GRADE_COLORS = {"A": "#1b7f3b", "B": "#5aa469", "C": "#e0a526", "D": "#c0392b", "未评级": "#9aa5b1"}
GRADES = list(GRADE_COLORS)
MONEY = {"function": "d3.format(',.2f')(params.value / 100)"}
NUM = {"type": "rightAligned", "filter": "agNumberColumnFilter"}
REGION_COLUMNS = [
    {"field": "name", "headerName": "区域", "minWidth": 140, "cellClass": "link-cell"},
    *({"field": g, "headerName": f"{g}级" if g != "未评级" else g, **NUM, "maxWidth": 110} for g in GRADES),
    {"field": "total", "headerName": "主体合计", **NUM},
    {"field": "dishonest", "headerName": "公示期内失信（条）", **NUM},
    {"field": "loans", "headerName": "贷款（笔）", **NUM},
    {"field": "overdue_loans", "headerName": "逾期贷款（笔）", **NUM},
    {"field": "outstanding_fen", "headerName": "贷款余额（元）", **NUM, "valueFormatter": MONEY},
    {"field": "overdue_fen", "headerName": "逾期金额（元）", **NUM, "valueFormatter": MONEY},
]
#: the export's columns (data.query.credit's frame; money in fen written as yuan)
EXPORT_COLUMNS = [("name", "区域", None), ("code", "区划代码", None), *((g, f"{g}级" if g != "未评级" else g, None)
                                                                     for g in GRADES),
                  ("total", "主体合计", None), ("dishonest", "公示期内失信（条）", None), ("loans", "贷款（笔）", None),
                  ("overdue_loans", "逾期贷款（笔）", None), ("outstanding_fen", "贷款余额（元）", "fen"),
                  ("overdue_fen", "逾期金额（元）", "fen")]


def _yuan(fen: int) -> str:
    return f"{fen / 1_000_000:,.2f}"


def kpi_cards(k: dict) -> list:
    col = "col-6 col-md-4 col-xl-2"
    if not k["subjects"]:
        return [kpi_card("cst-kpi-subjects", "信用主体", None)]
    graded = f"已评级 {k['graded']:,}，未评级 {k['unrated']:,}"

    cards = [
        kpi_card("cst-kpi-subjects", "信用主体", f"{k['subjects']:,}", "户/个", f"其中自然人 {k['natural']:,} 户；{graded}"),
        kpi_card("cst-kpi-records", "信用记录", f"{k['records']:,}", "条"),
        kpi_card("cst-kpi-dishonest", "公示期内失信信息", f"{k['dishonest_in_publicity']:,}", "条"),
        kpi_card("cst-kpi-rights", "林权宗地", f"{k['rights']:,}", "宗", f"面积 {k['area_mu']:,.0f} 亩，抵押中 "
                                                                    f"{k['mortgaged_rights']:,} 宗"),
        kpi_card("cst-kpi-outstanding", "贷款余额", _yuan(k["outstanding_fen"]), "万元",
                 f"{k['open_loans']:,} 笔未结清（共 {k['loans']:,} 笔）"),
        kpi_card("cst-kpi-overdue", "逾期金额", _yuan(k["overdue_fen"]), "万元", f"逾期贷款 {k['overdue_loans']:,} 笔"),
    ]
    return [html.Div(c, className=col) for c in cards]


def _layout(x_title: str, y_title: str, **extra) -> dict:
    return quick_ticks({"barmode": "stack", "margin": {"l": 60, "r": 10, "t": 10, "b": 70}, "font": FONT,
                        "legend": {"orientation": "h", "y": -0.25}, "plot_bgcolor": "rgba(0,0,0,0)",
                        "paper_bgcolor": "rgba(0,0,0,0)", "xaxis": {"title": {"text": x_title}},
                        "yaxis": {"title": {"text": y_title}, "rangemode": "tozero"}, **extra})


def grade_bars(names: list[str], by_grade: dict[str, list[int]], x_title: str, empty: str) -> dict:
    """Stacked bars of subjects by grade (户/个) for each name."""
    if not names or not any(sum(v) for v in by_grade.values()):
        return empty_figure(empty)
    traces = [{"type": "bar", "name": f"{g}级" if g != "未评级" else g, "x": names, "y": by_grade[g],
               "marker": {"color": GRADE_COLORS[g]},
               "hovertemplate": "%{x}<br>" + g + " %{y:,} 户/个<extra></extra>"} for g in GRADES if g in by_grade]
    return {"data": traces, "layout": _layout(x_title, "信用主体（户/个）")}


def count_bars(names: list[str], series: dict[str, list[int]], x_title: str, unit: str, empty: str,
               colors: list[str] | None = None) -> dict:
    """Stacked bars of counts (`unit`) per name, one trace per series."""
    if not names or not any(sum(v) for v in series.values()):
        return empty_figure(empty)
    palette = colors or ["#0b4f8a", "#4c8dc4", "#9cc3e4", "#e0a526"]
    traces = [{"type": "bar", "name": label, "x": names, "y": ys, "marker": {"color": palette[i % len(palette)]},
               "hovertemplate": "%{x}<br>" + label + " %{y:,} " + unit + "<extra></extra>"}
              for i, (label, ys) in enumerate(series.items())]
    return {"data": traces, "layout": _layout(x_title, f"数量（{unit}）")}
