"""大屏 figure factories: fonts computed from the viewport width, the ranking with full names, the
asset-structure donut. All plain-dict figures (no plotly object validation on every refresh)."""
from __future__ import annotations

import copy

from plotly.colors import sample_colorscale

from components.charts import FONT, quick_ticks

from .common import empty_figure

#: the width the base sizes are for; a 3840-px wall gets twice the size
BASE_WIDTH = 1920
BASE_FONT = 16
MIN_SCALE, MAX_SCALE = 0.6, 3.0
#: names longer than this are cut with … on the ranking's axis (the hover has the full name)
NAME_CHARS = 10
RANK_ROWS = 8  # bars keep this slim with fewer regions
TEXT = "#e8eef5"
GRID = "rgba(93, 173, 226, .18)"
PALETTE = ["#00d2ff", "#1de9b6", "#ffc400", "#ff7043", "#b388ff", "#40c4ff", "#69f0ae", "#ffd740", "#ff8a80",
           "#90a4ae"]
EMPTY = "暂无数据"


def scale_of(width) -> float:
    """The figures' size factor for a viewport `width` px wide (1 at 1920, 2 at 3840)."""
    try:
        w = float(width)
    except (TypeError, ValueError):
        w = BASE_WIDTH
    return max(MIN_SCALE, min(w / BASE_WIDTH, MAX_SCALE))


def font_size(scale: float, base: int = BASE_FONT) -> int:
    return max(9, round(base * scale))


def big_figure(fig: dict, scale: float, revision: str) -> dict:
    """A copy of `fig` (a plain-dict figure) for the wall: fonts and margins `scale` times the base
    size, light text on the panel, grid lines faint, auto-sized to its panel and keeping its user
    state across refreshes (`revision`: the same for the same region)."""
    fig = copy.deepcopy(fig)
    lay = fig.setdefault("layout", {})
    size = font_size(scale)
    hover = {"font": {"size": size, "color": "#ffffff"}, "bgcolor": "rgba(4, 28, 60, .92)", "bordercolor": "#00e4ff"}
    lay.update(font={**FONT, "size": size, "color": TEXT}, paper_bgcolor="rgba(0,0,0,0)", plot_bgcolor="rgba(0,0,0,0)",
               autosize=True, uirevision=revision, hoverlabel=hover)
    lay.pop("height", None)
    lay.pop("width", None)
    lay["legend"] = {**lay.get("legend", {}), "font": {"size": size}}
    margin = lay.get("margin") or {}
    lay["margin"] = {k: round(margin.get(k, d) * scale) for k, d in (("l", 40), ("r", 20), ("t", 20), ("b", 30))}
    title = lay.get("title")
    if isinstance(title, dict) and title.get("text"):
        title["font"] = {**title.get("font", {}), "size": font_size(scale, BASE_FONT + 1)}
    for a in lay.get("annotations") or ():
        a["font"] = {**a.get("font", {}), "size": round(a.get("font", {}).get("size", BASE_FONT) * scale)}
    for key, axis in lay.items():
        if key.startswith(("xaxis", "yaxis")) and isinstance(axis, dict):
            axis.setdefault("gridcolor", GRID)
            axis.setdefault("zerolinecolor", GRID)
            t = axis.get("title")
            if isinstance(t, dict):
                t["font"] = {**t.get("font", {}), "size": size}
    for trace in fig.get("data", ()):
        if "textfont" in trace:
            trace["textfont"] = {**trace["textfont"], "size": round(trace["textfont"].get("size", BASE_FONT) * scale)}
    return fig


def empty(text: str = EMPTY) -> dict:
    """No data: no axes, 暂无数据 in the middle."""
    fig = empty_figure(text)
    fig["layout"]["annotations"][0]["font"] = {"size": BASE_FONT + 4, "color": "#7fa7c9"}
    return fig


def short_name(name: str, limit: int = NAME_CHARS) -> str:
    """`name` as the ranking's axis shows it: whole up to `limit` characters, else cut with …."""
    return name if len(name) <= limit else name[:limit - 1] + "…"


def bar_colours(values: list[float]) -> list[str]:
    """Each bar's colour: deep blue (the least) to cyan (the most)."""
    lo, hi = (min(values), max(values)) if values else (0.0, 1.0)
    span = (hi - lo) or 1.0
    return sample_colorscale([[0, "#1565c0"], [1, "#00e5ff"]], [(v - lo) / span for v in values])


def rank_figure(names: list[str], values: list[float], codes: list[int], *, unit: str, label: str) -> dict:
    """Horizontal bars, largest on top, every name in full (cut with … beyond NAME_CHARS; the hover
    has the whole name). The bars sit at positions 0…n-1 with the names as tick text, so two names
    cut to the same text stay two bars; a click reports the region's code (customdata)."""
    if not names:
        return empty()
    n = len(names)
    ticks = list(range(n))
    bar = {"type": "bar", "orientation": "h", "x": values, "y": ticks, "customdata": codes, "hovertext": names,
           "name": label, "text": [f"{v:,.1f}" for v in values], "textposition": "outside", "cliponaxis": False,
           "textfont": {"size": BASE_FONT, "color": "#ffd34d"},
           "marker": {"color": bar_colours(values), "line": {"color": "#5dd6ff", "width": 1}},
           "hovertemplate": "%{hovertext}<br>" + label + " %{x:,.2f} " + unit + "<extra></extra>"}
    layout = {"margin": {"l": 10, "r": 60, "t": 10, "b": 10}, "showlegend": False, "bargap": 0.35,
              "clickmode": "event", "dragmode": False,
              "xaxis": {"title": {"text": f"{label}（{unit}）"}, "tickformat": ",.0f", "automargin": True,
                        "fixedrange": True, "rangemode": "tozero"},
              "yaxis": {"tickmode": "array", "tickvals": ticks, "ticktext": [short_name(s) for s in names],
                        "range": [max(n, RANK_ROWS) - 0.5, -0.5], "automargin": True, "fixedrange": True}}
    return {"data": [bar], "layout": quick_ticks(layout)}


def donut_figure(labels: list[str], values: list[float], *, unit: str, centre: str) -> dict:
    """The shares of `values` as a donut, its total (`centre`) in the hole and a legend beside it."""
    pairs = [(lab, v) for lab, v in zip(labels, values) if v and v > 0]
    if not pairs:
        return empty()
    pie = {"type": "pie", "labels": [p[0] for p in pairs], "values": [p[1] for p in pairs], "hole": 0.62,
           "sort": False, "direction": "clockwise", "textinfo": "percent", "textposition": "inside",
           "insidetextorientation": "horizontal", "marker": {"colors": PALETTE, "line": {"color": "#07182e", "width": 2}},
           "domain": {"x": [0, 0.58]}, "hovertemplate": "%{label}<br>%{value:,.2f} " + unit + "（%{percent}）<extra></extra>"}
    layout = {"margin": {"l": 4, "r": 4, "t": 4, "b": 4}, "showlegend": True,
              "legend": {"orientation": "v", "x": 0.62, "xanchor": "left", "y": 0.5, "yanchor": "middle"},
              "annotations": [{"text": centre, "x": 0.29, "y": 0.5, "xref": "paper", "yref": "paper",
                               "showarrow": False, "font": {"size": BASE_FONT, "color": "#ffffff"}}]}
    return {"data": [pie], "layout": layout}


def trend_for_wall(fig: dict) -> dict:
    """The cockpit's monthly trend with its legend above the plot and ticks thinned for a panel."""
    if not fig.get("data") or not any(any(t.get("y") or ()) for t in fig["data"]):
        return empty()
    lay = fig["layout"]
    lay["legend"] = {"orientation": "h", "x": 0, "y": 1.02, "yanchor": "bottom"}
    lay["margin"] = {"l": 10, "r": 10, "t": 34, "b": 10}
    lay["xaxis"] = {**lay.get("xaxis", {}), "nticks": 7, "automargin": True}
    for key in ("yaxis", "yaxis2"):
        if key in lay:
            lay[key] = {**lay[key], "automargin": True, "nticks": 5}
    lay["hovermode"] = "x unified"
    return fig
