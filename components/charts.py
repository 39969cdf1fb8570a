"""Chart factories for the dashboards: every chart has units, a legend or colour bar and a hover.

The region map draws the shipped GeoJSON polygons as filled scatter traces: no plotly geo
basemap, no topojson and no tiles, so nothing is requested from outside the app's origin.
"""
from __future__ import annotations

import math

from plotly.colors import sample_colorscale

from domain.ticks import distinct_labels, nice_axis

FONT = {"family": "Noto Sans CJK SC, Source Han Sans SC, Microsoft YaHei, sans-serif"}
COLORSCALE = "Blues"
MAP_NOTE = "边界示意，仅供参考（约2017年行政区划）"
#: the colour legend's steps: the same stretch of Python's "Blues" that fills the regions
#: (plotly.js has a different built-in scale under that name)
BAR_SCALE = [[t / 8, c] for t, c in enumerate(sample_colorscale(COLORSCALE, [0.15 + 0.85 * i / 8 for i in range(9)]))]


EMPTY_TEXT = "暂无数据"
#: what a chart of the next level down says at a village
NO_LOWER_LEVEL = "村级为最末一级，无下级区域"


def empty_figure(text: str = EMPTY_TEXT, *, height: int | None = None, dark: bool = False) -> dict:
    """The one chart with nothing to draw: no axes, no grid, `text` in the middle; as tall as the
    chart it stands in for (the graph's own height, or `height`)."""
    layout = {"xaxis": {"visible": False}, "yaxis": {"visible": False}, "font": FONT, "showlegend": False,
              "margin": {"l": 0, "r": 0, "t": 0, "b": 0}, "plot_bgcolor": "rgba(0,0,0,0)",
              "paper_bgcolor": "rgba(0,0,0,0)",
              "annotations": [{"text": text, "showarrow": False, "xref": "paper", "yref": "paper", "x": 0.5, "y": 0.5,
                               "xanchor": "center", "yanchor": "middle", "name": "empty",
                               "font": {"size": 15, "color": "#b8c4d0" if dark else "#8796a5"}}]}
    if height is not None:
        layout["height"] = height
    return {"data": [], "layout": layout}


def value_axis(values, *, include_zero: bool = False) -> dict:
    """Axis properties for a value axis over `values` whose tick labels never repeat
    (`domain.ticks.nice_axis`; bars need `include_zero`); {} when there is no number."""
    axis = nice_axis(values, include_zero=include_zero)
    return axis.plotly() if axis else {}


def quick_ticks(layout: dict) -> dict:
    """Let tick labels overflow instead of measuring each one: plotly's default for numeric axes
    ("hide past div") takes a forced layout per tick label on every redraw (~50 ms a drill-down
    on the cockpit); our margins are set so that labels fit."""
    for key, axis in list(layout.items()):
        if key.startswith(("xaxis", "yaxis")) and isinstance(axis, dict):
            layout[key] = {"ticklabeloverflow": "allow", **axis}
    return layout


def _rings(geometry: dict):
    if geometry["type"] == "Polygon":
        yield from geometry["coordinates"]
    elif geometry["type"] == "MultiPolygon":
        for poly in geometry["coordinates"]:
            yield from poly


def scale_legend(lo: float, hi: float, unit: str, *, places: int = 0, dark: bool = False,
                 x0: float = 0.86, x1: float = 0.875) -> tuple[list[dict], list[dict]]:
    """The colour scale drawn as layout shapes and labels (bottom lo, top hi, the unit above): part of
    the figure, so a PNG export keeps it, and about 25 ms cheaper a redraw than plotly's colour bar
    (its own axis, ticks and text measurement) in software-rendered Chromium. The three labels have
    at least `places` decimals and as many more as keep them apart."""
    steps = len(BAR_SCALE)
    bottom, top = 0.12, 0.88
    h = (top - bottom) / steps
    shapes = [{"type": "rect", "xref": "paper", "yref": "paper", "x0": x0, "x1": x1, "y0": bottom + i * h,
               "y1": bottom + (i + 1) * h, "fillcolor": color, "line": {"width": 0}, "layer": "above"}
              for i, (_, color) in enumerate(BAR_SCALE)]
    fg = "#e8eef5" if dark else "#1f2d3d"
    texts = distinct_labels([hi, (lo + hi) / 2, lo], places)  # 23, 23, 24 would say nothing

    def label(y, text, anchor):
        return {"text": text, "xref": "paper", "yref": "paper", "x": x1 + 0.008, "y": y, "showarrow": False,
                "xanchor": "left", "yanchor": anchor, "font": {"color": fg}}  # size: the figure's (scaled on 大屏)

    notes = [label(top, texts[0], "top"), label((top + bottom) / 2, texts[1], "middle"),
             label(bottom, texts[2], "bottom"),
             {"text": unit, "xref": "paper", "yref": "paper", "x": x0, "y": top + 0.02, "showarrow": False,
              "xanchor": "left", "yanchor": "bottom", "font": {"color": fg}}]
    return shapes, notes


def region_map(geojson: dict, values: dict[int, float], names: dict[int, str], *, unit: str, label: str,
               dark: bool = False, selected: int | None = None, floor: float | None = None,
               places: int = 0) -> tuple[dict, list[int]]:
    """A choropleth of `values` (code -> number) over the features of `geojson`; with `floor` the
    colour scale starts there (e.g. 0 for counts) instead of at the smallest value; its labels have
    `places` decimals (or more, see `scale_legend`); a region without a value is grey, 暂无数据.

    Returns the figure (a plain dict: building plotly objects validates every property, which
    costs more than the query) and the region code of each trace, in order, so that a click (which
    reports the trace's `curveNumber`) can be turned into a drill-down."""
    feats = [f for f in geojson["features"] if int(f["id"]) in names]
    present = [values.get(int(f["id"])) for f in feats]
    nums = [v for v in present if v is not None]
    lo, hi = (min(nums), max(nums)) if nums else (0.0, 1.0)
    if floor is not None:
        lo, hi = min(lo, floor), max(hi, floor)
    if lo == hi:  # one value (or all the same): the scale runs from 0 to it, so its labels differ
        lo, hi = min(lo, 0.0), max(hi, 0.0) if hi != 0 else 1.0
    span = hi - lo
    traces: list[dict] = []
    codes: list[int] = []
    lat_sum, lat_n = 0.0, 0
    line = "#1b2838" if dark else "#ffffff"
    # one colour-scale lookup for every region (plotly resolves the named scale on each call)
    colors = iter(sample_colorscale(COLORSCALE, [0.15 + 0.85 * (v - lo) / span for v in nums]) if nums else [])
    for f, v in zip(feats, present):
        code = int(f["id"])
        xs, ys = [], []
        for ring in _rings(f["geometry"]):
            xs += [p[0] for p in ring] + [None]
            ys += [p[1] for p in ring] + [None]
            lat_sum += sum(p[1] for p in ring)
            lat_n += len(ring)
        color = next(colors) if v is not None else "#d9dee4"
        value_text = f"{v:,.2f} {unit}" if v is not None else EMPTY_TEXT
        traces.append({"type": "scatter", "x": xs, "y": ys, "fill": "toself", "fillcolor": color, "mode": "lines",
                       "hoveron": "fills", "name": names[code], "hoverinfo": "text", "showlegend": False,
                       "line": {"color": "#f39c12" if code == selected else line,
                                "width": 2.5 if code == selected else 0.8},
                       "text": f"{names[code]}<br>{label}：{value_text}<br>点击查看下级"})
        codes.append(code)
    shapes, notes = scale_legend(lo, hi, unit, places=places, dark=dark)
    mid = lat_sum / lat_n if lat_n else 40.0
    axis = {"visible": False, "fixedrange": True}
    layout = {
        "margin": {"l": 0, "r": 0, "t": 24, "b": 0}, "xaxis": {**axis, "domain": [0, 0.84]}, "dragmode": False,
        "hovermode": "closest", "shapes": shapes,
        "yaxis": {**axis, "scaleanchor": "x", "scaleratio": 1 / math.cos(math.radians(mid))},
        "plot_bgcolor": "rgba(0,0,0,0)", "paper_bgcolor": "rgba(0,0,0,0)",
        "font": {**FONT, "color": "#e8eef5" if dark else "#1f2d3d"},
        "title": {"text": label + f"（{unit}）", "font": {"size": 13}, "x": 0.01, "y": 0.99},
        "annotations": [{"text": MAP_NOTE, "xref": "paper", "yref": "paper", "x": 0, "y": 0, "showarrow": False,
                         "font": {"size": 10, "color": "#8796a5"}, "xanchor": "left", "yanchor": "bottom"}, *notes]}
    return {"data": traces, "layout": quick_ticks(layout)}, codes


def ranked_bars(names: list[str], values: list[float], *, unit: str, label: str, codes: list[int] | None = None,
                dark: bool = False, color: str | list[str] = "#0b4f8a") -> dict:
    """Horizontal bars, largest on top (a plain-dict figure); no bars: the empty chart."""
    if not values:
        return empty_figure(dark=dark)
    bar = {"type": "bar", "x": values, "y": names, "orientation": "h", "marker": {"color": color}, "name": label,
           "customdata": codes, "hovertemplate": "%{y}<br>" + label + " %{x:,.2f} " + unit + "<extra></extra>"}
    # the names' own width (no automargin: it costs a second layout pass per draw): a CJK character
    # at the 12 px font is about 13 px wide
    left = min(max(60, 13 * max(len(str(n)) for n in names) + 16), 320)
    layout = {"margin": {"l": left, "r": 20, "t": 10, "b": 40}, "showlegend": False,
              "xaxis": {"title": {"text": f"{label}（{unit}）"}, **value_axis(values, include_zero=True)},
              "yaxis": {"autorange": "reversed", "automargin": False},
              "plot_bgcolor": "rgba(0,0,0,0)", "paper_bgcolor": "rgba(0,0,0,0)",
              "font": {**FONT, "color": "#e8eef5" if dark else "#1f2d3d"}}
    return {"data": [bar], "layout": quick_ticks(layout)}


def graph_config(filename: str) -> dict:
    """Modebar with a PNG download named after the chart (the download is logged, see assets/export-log.js)."""
    return {"displaylogo": False, "modeBarButtonsToRemove": ["lasso2d", "select2d"],
            "toImageButtonOptions": {"format": "png", "filename": filename, "scale": 2}}


def count_heatmap(row_names: list[str], col_names: list[str], z: list[list[int]], *, row_codes: list[int],
                  col_ids: list[str], unit: str = "条", label: str = "未处理预警") -> dict:
    """Rows × columns of counts (regions × warning rules); a click reports the cell's
    `customdata` = [row code, column id]. Zero cells stay white so the hot spots stand out."""
    custom = [[[code, cid] for cid in col_ids] for code in row_codes]
    top = max((v for row in z for v in row), default=0) or 1
    heat = {"type": "heatmap", "z": z, "x": col_names, "y": row_names, "customdata": custom, "xgap": 1, "ygap": 1,
            "colorscale": [[0, "#ffffff"], [1e-9, "#fde0c5"], [0.5, "#f08a4b"], [1, "#b2182b"]], "zmin": 0,
            "zmax": top, "colorbar": {"title": {"text": unit}, "thickness": 12, "tickformat": ",d"},
            "hovertemplate": "%{y}<br>%{x}<br>" + label + " %{z:,d} " + unit + "<br>点击查看预警<extra></extra>"}
    height_rows = max(len(row_names), 1)
    layout = {"margin": {"l": 120, "r": 20, "t": 10, "b": 150}, "font": FONT,
              "xaxis": {"tickangle": -40, "side": "bottom", "automargin": True},
              "yaxis": {"autorange": "reversed", "automargin": True, "nticks": min(height_rows, 40)},
              "plot_bgcolor": "rgba(0,0,0,0)", "paper_bgcolor": "rgba(0,0,0,0)"}
    return {"data": [heat], "layout": quick_ticks(layout)}


def monthly_lines(periods: list[str], series: dict[str, list], *, unit: str, colors: dict[str, str] | None = None) -> dict:
    """One line per series over months, with a legend, units on the axis and a unified hover."""
    colors = colors or {}
    data = [{"type": "scatter", "mode": "lines+markers", "x": periods, "y": values, "name": name,
             "line": {"color": colors.get(name), "width": 2}, "marker": {"size": 5},
             "hovertemplate": "%{x}<br>" + name + " %{y:,d} " + unit + "<extra></extra>"}
            for name, values in series.items()]
    layout = {"margin": {"l": 60, "r": 20, "t": 10, "b": 40}, "legend": {"orientation": "h", "y": 1.12},
              "hovermode": "x unified", "yaxis": {"title": {"text": unit}, "tickformat": ",d", "rangemode": "tozero"},
              "xaxis": {}, "plot_bgcolor": "rgba(0,0,0,0)", "paper_bgcolor": "rgba(0,0,0,0)", "font": FONT}
    return {"data": data, "layout": quick_ticks(layout)}
