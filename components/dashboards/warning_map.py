"""预警热力图 factories: the region × rule heatmap, the KPI cards, open warnings per village on the
map (or bars), raised vs closed by month and the mean time to close by region."""
from __future__ import annotations

import math

from dash import html

from components.charts import count_heatmap, empty_figure, monthly_lines, ranked_bars
from components.kpi import kpi_card
from domain.money import period_label

from .common import map_or_bars


def whole_step(top: int, ticks: int = 6) -> int:
    """A tick step that keeps a count axis on whole numbers."""
    return max(1, math.ceil(top / ticks))


def heatmap_figure(hm: dict, status: str) -> dict:
    """The region × rule heatmap, as tall as its rows need; a note names the regions left out."""
    what = "未关闭的预警" if status == "open" else "预警"
    if not hm["col_ids"]:
        return empty_figure(f"辖区内暂无{what}", height=260)
    fig = count_heatmap(hm["row_names"], hm["col_names"], hm["z"], row_codes=hm["row_codes"], col_ids=hm["col_ids"],
                        unit="条", label="未关闭预警" if status == "open" else "预警")
    top = max((v for row in hm["z"] for v in row), default=1)
    fig["data"][0]["colorbar"]["dtick"] = whole_step(top, 5)
    fig["layout"]["xaxis"]["dtick"] = 1  # every rule named, however many
    fig["layout"]["height"] = 200 + 32 * max(len(hm["row_codes"]), 4)
    if hm["quiet"]:
        fig["layout"]["annotations"] = [{
            "text": f"另有{hm['quiet']}个下级区域无{what}，未列出", "xref": "paper", "yref": "paper", "x": 0,
            "y": 1.0, "yanchor": "bottom", "xanchor": "left", "showarrow": False,
            "font": {"size": 11, "color": "#8796a5"}}]
        fig["layout"]["margin"] = {**fig["layout"]["margin"], "t": 26}
    return fig


def kpi_row(k: dict, has_data: bool = True) -> list:
    """The six KPI cards (counts of warnings and of red / amber / green villages) as Dash columns;
    a region without any village on the platform (`has_data` false) says 暂无数据 on each."""
    col = "col-6 col-md-3 col-xl"
    mean = f"平均办结 {k['mean_close_days']:,.1f} 天" if k["mean_close_days"] is not None else "暂无已关闭的预警"

    def count(key):
        return f"{k[key]:,}" if has_data else None

    cards = [
        kpi_card("wkpi-open", "未关闭预警", count("open"), "条", f"其中高级别 {k['high']:,} 条"),
        kpi_card("wkpi-overdue", "逾期未办理", count("overdue"), "条", f"升级督办中 {k['escalated']:,} 条"),
        kpi_card("wkpi-closed", "已关闭预警", count("closed"), "条", mean),
        kpi_card("wkpi-red", "红色村", count("red"), "个", "有高级别预警或预警较多"),
        kpi_card("wkpi-amber", "黄色村", count("amber"), "个", "有未关闭的预警"),
        kpi_card("wkpi-green", "绿色村", count("green"), "个", "无未关闭的预警"),
    ]
    return [html.Div(c, className=col) for c in cards]


def warnings_map_or_bars(per, geojson: dict) -> tuple[dict, list[int]]:
    """Open warnings per village of each child (`per`, worst first): on the map where `geojson`
    (the children's boundaries; empty below county level) has them, below that as ranked bars;
    both drill down on a click."""
    return map_or_bars(per, "per_village", geojson, unit="条/村", label="每村平均未关闭预警", ranked=True,
                       floor=0.0, places=1, color="#c0392b")


def trend_figure(t: dict) -> dict:
    """Warnings raised and closed per month (`t`: periods as "yyyy-mm", raised, closed)."""
    labels = [period_label(int(p.replace("-", ""))) for p in t["periods"]]
    trend = monthly_lines(labels, {"新发现": t["raised"], "已关闭": t["closed"]}, unit="条",
                          colors={"新发现": "#c0392b", "已关闭": "#1d8f6e"})
    trend["layout"]["xaxis"] = {**trend["layout"].get("xaxis", {}), "type": "category", "nticks": 12}
    trend["layout"]["yaxis"]["dtick"] = whole_step(max(t["raised"] + t["closed"], default=0))
    return trend


def close_time_figure(ct) -> dict:
    """Mean days from raising to closing a warning, per child region (`ct`: code, name, days, closed)."""
    if ct.is_empty():
        return empty_figure("暂无已关闭的预警")
    close = ranked_bars(ct["name"].to_list(), [round(d, 1) for d in ct["days"].to_list()], unit="天",
                        label="平均办结时长", codes=ct["code"].to_list(), color="#e67e22")
    close["data"][0]["text"] = [f"{n:,} 条" for n in ct["closed"].to_list()]
    close["data"][0]["hovertemplate"] = "%{y}<br>平均办结时长 %{x:,.1f} 天<br>已关闭 %{text}<extra></extra>"
    close["data"][0]["textposition"] = "none"
    return close
