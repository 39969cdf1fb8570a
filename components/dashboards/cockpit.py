"""驾驶舱 factories: the KPI strip and the newest warnings as HTML strings (html slots), the
monthly trend, the children grid's rows, the map (or bars) of the next level down and the top and
bottom villages as plain-dict figures (see README "Dashboards" for why)."""
from __future__ import annotations

from collections.abc import Callable
from html import escape

import polars as pl

from components.charts import FONT, empty_figure, quick_ticks, ranked_bars, value_axis
from components.format import mu
from components.kpi import kpi_card_html
from components.region_table import CHILD_COLUMNS
from domain.money import money_auto, period_label, wan, wan_number

from .common import map_or_bars

KPIS = [("total_assets", "资产总额"), ("funds", "货币资金"), ("receivables", "应收款项"), ("liabilities", "负债总额"),
        ("income_operating", "本年经营收入"), ("net_profit", "本年收益")]
SEVERITY = {1: ("低", "secondary"), 2: ("中", "warning"), 3: ("高", "danger")}


def kpi_row(k: dict, link: Callable[[str], str | None] | None = None) -> str:
    """The KPI cards as one HTML string; with `link` (key -> the address of the records behind the
    figure; the cockpit gives one at village level) every card links there. A region without books
    up to the month (`k["has_books"]`) says 暂无数据 on the ledger's cards, one without business
    records (`k["has_records"]`) on the others: a real zero still reads 0.00.

    One string prop instead of ~70 Dash components: mounting the cards anew took dash-renderer
    40-60 ms of every drill-down click (measured in headless Chromium at province scale)."""
    link = link or (lambda key: None)

    def card(id_, label, value, unit="", sub=None, *, key, data):
        return kpi_card_html(id_, label, value if data else None, unit, sub, href=link(key))

    books, records = k["has_books"], k["has_records"]
    cards = [card(f"kpi-{key}", label, *money_auto(k[key]), key=key, data=books) for key, label in KPIS]
    cards += [
        card("kpi-villages", "村集体经济组织", f"{k['orgs']:,}", "个",
             f"经营收入超10万元 {k['villages_income_over_100k']:,} 个，超50万元 "
             f"{k['villages_income_over_500k']:,} 个", key="villages", data=books or records),
        card("kpi-resources", "资源面积", mu(k["resource_area_cmu"]), "亩",
             f"已发包 {mu(k['contracted_area_cmu'])} 亩", key="resources", data=records),
        card("kpi-contracts", "在执行合同", f"{k['contracts_active']:,}", "份",
             f"逾期未收 {wan(k['overdue_fen'])} 万元，90天内到期 {k['expiring_90d']:,} 份", key="contracts", data=records),
        card("kpi-trades", "产权交易", f"{k['deals']:,}", "宗",
             f"挂牌 {k['listings']:,} 宗，成交 {wan(k['deal_fen'])} 万元", key="trades", data=records),
        card("kpi-warnings", "未处理预警", f"{k['warnings_open']:,}", "条", key="warnings", data=books or records),
        card("kpi-asset-net", "资产台账净值", *money_auto(k["asset_net_fen"]), f"资产 {k['asset_count']:,} 项",
             key="asset-net", data=records),
    ]
    return "".join(cards)


def trend_figure(monthly, period: int | None, dark: bool = False) -> dict:
    """Monthly income and expense bars with total assets on a second axis (a plain-dict figure);
    no months: the empty chart. Both axes' ticks are nice numbers that never repeat a label."""
    if monthly.is_empty():
        return empty_figure(dark=dark)
    x = [period_label(p) for p in monthly["period"]]
    periods = monthly["period"].to_list()

    def series(key):
        return [wan_number(v) for v in monthly[key]]

    # total assets on the right axis in 亿元 once they reach 10 亿元 (eight-digit 万元 ticks crowd the title)
    assets, asset_unit = series("total_assets"), "万元"
    if assets and max(abs(v) for v in assets) >= 100_000:
        assets, asset_unit = [v / 10_000 for v in assets], "亿元"
    income, expense = series("total_income"), series("total_expense")
    data = [
        {"type": "bar", "x": x, "y": income, "name": "总收入", "marker": {"color": "#1d8f6e"},
         "customdata": periods, "hovertemplate": "%{x}<br>总收入 %{y:,.2f} 万元<extra></extra>"},
        {"type": "bar", "x": x, "y": expense, "name": "总支出", "marker": {"color": "#e67e22"},
         "customdata": periods, "hovertemplate": "%{x}<br>总支出 %{y:,.2f} 万元<extra></extra>"},
        {"type": "scatter", "x": x, "y": assets, "name": "资产总额", "yaxis": "y2", "mode": "lines",
         "customdata": periods, "line": {"color": "#5dade2" if dark else "#0b4f8a", "width": 2},
         "hovertemplate": "%{x}<br>资产总额 %{y:,.2f} " + asset_unit + "<extra></extra>"},
    ]
    shapes = []
    if period and period in periods:
        i = periods.index(period)
        shapes.append({"type": "line", "xref": "x", "yref": "paper", "x0": i, "x1": i, "y0": 0, "y1": 1,
                       "line": {"color": "#f39c12", "width": 2, "dash": "dot"}})
    fg = "#e8eef5" if dark else "#1f2d3d"
    layout = {"margin": {"l": 60, "r": 70, "t": 10, "b": 40}, "barmode": "group", "shapes": shapes,
              "legend": {"orientation": "h", "y": 1.1}, "hovermode": "x unified", "clickmode": "event",
              "xaxis": {"nticks": 18, "tickangle": -30},  # a fixed angle: no measuring of every label
              "yaxis": {"title": {"text": "收支（万元）"}, **value_axis(income + expense, include_zero=True)},
              "yaxis2": {"title": {"text": f"资产总额（{asset_unit}）"}, "overlaying": "y", "side": "right", "showgrid": False,
                         **value_axis(assets)},
              "plot_bgcolor": "rgba(0,0,0,0)", "paper_bgcolor": "rgba(0,0,0,0)", "font": {**FONT, "color": fg}}
    return {"data": data, "layout": quick_ticks(layout)}


def children_rows(kids) -> list[dict]:
    """One grid row per child region; money in 万元 for display and sorting (exports stay exact),
    None (shown as —) for a child without books. No child with books: no rows (the grid says 暂无数据)."""
    if "has_books" in kids.columns and not kids["has_books"].any():
        return []
    rows = []
    for r in kids.iter_rows(named=True):
        booked = r.get("has_books", True)
        row = {"code": str(r["code"]), "name": r["name"], "villages": r["villages"]}
        row.update({key: wan_number(r[key]) if booked else None for key, _ in CHILD_COLUMNS})
        rows.append(row)
    return rows


def assets_map_or_bars(kids, geojson: dict, dark: bool = False) -> tuple[dict, list[int]]:
    """Total assets of the next level down: on the map where `geojson` (the children's boundaries;
    empty below county level) has them, else as ranked bars; both drill down on a click. Children
    without books are grey on the map and left out of the bars."""
    if "has_books" in kids.columns:
        kids = kids.with_columns(pl.when(pl.col("has_books")).then(pl.col("total_assets")).alias("total_assets"))
    return map_or_bars(kids, "total_assets", geojson, unit="万元", label="资产总额", number=wan_number, dark=dark)


def top_bottom(villages, dark: bool = False) -> dict:
    """The five villages with the highest and the five with the lowest 本年收益 (none: the empty chart)."""
    ranked = villages.sort("net_profit", descending=True)
    pick = ranked.head(5) if ranked.height <= 10 else ranked.head(5).vstack(ranked.tail(5))
    colors = ["#1d8f6e" if v >= 0 else "#c0392b" for v in pick["net_profit"]]
    return ranked_bars(pick["name"].to_list(), [wan_number(v) for v in pick["net_profit"]], unit="万元",
                       label="本年收益", codes=pick["code"].to_list(), dark=dark, color=colors)


def warnings_table(frame, tree, link: bool = False) -> str:
    """The newest warnings as HTML (an html slot: mounting ~60 table components took dash-renderer
    tens of milliseconds a drill-down); with `link` (the user may open 预警处置) each warning opens there."""
    if frame.is_empty():
        return '<p class="text-muted mb-0" id="warnings-empty">辖区内暂无未处理的预警。</p>'

    def title(r) -> str:
        text = escape(r["title"])
        return f'<a class="spa-link" href="/warnings#warning={int(r["id"])}">{text}</a>' if link else text

    rows = []
    for r in frame.iter_rows(named=True):
        level, color = SEVERITY.get(r["severity"], ("—", "secondary"))
        rows.append(f'<tr><td><span class="badge bg-{color}">{escape(level)}</span></td>'
                    f'<td>{title(r)}</td>'
                    f'<td>{escape(tree.name(r["code"]))}</td>'
                    f'<td class="text-nowrap">{escape(str(r["raised_at"])[:10])}</td></tr>')
    return ('<table class="table table-sm mb-0" id="warnings-table"><thead><tr>'
            '<th class="text-nowrap">级别</th><th>预警</th><th>村</th>'
            f'<th>时间</th></tr></thead><tbody>{"".join(rows)}</tbody></table>')
