"""大屏 map: the cockpit's region map (shipped GeoJSON, no tiles) with every region's name and value
drawn at its centroid and glowing borders; below county level (no boundaries) ranked bars."""
from __future__ import annotations

import polars as pl
from plotly.colors import sample_colorscale

from components.charts import BAR_SCALE, region_map

from .screen import BASE_FONT, empty, rank_figure

BORDER = "rgba(93, 214, 255, .85)"
#: dark navy (the least) to bright cyan (the most): readable white labels on every area
WALL_SCALE = [[0, "#0a2a5c"], [0.5, "#0d6fb8"], [1, "#19d3ff"]]
MAP_TOP = 20  # regions in the bars that stand in for the map below county level


def _ring_centroid(ring) -> tuple[float, float, float]:
    """(area, x, y) of a closed ring (the shoelace formula; the mean of its points when flat)."""
    a = cx = cy = 0.0
    for (x0, y0), (x1, y1) in zip(ring, ring[1:]):
        cross = x0 * y1 - x1 * y0
        a += cross
        cx += (x0 + x1) * cross
        cy += (y0 + y1) * cross
    if abs(a) < 1e-12:
        xs, ys = [p[0] for p in ring], [p[1] for p in ring]
        return 0.0, sum(xs) / len(xs), sum(ys) / len(ys)
    return abs(a) / 2, cx / (3 * a), cy / (3 * a)


def centroid(geometry: dict) -> tuple[float, float]:
    """Where a region's label goes: the centroid of its largest polygon's outer ring."""
    polys = geometry["coordinates"] if geometry["type"] == "MultiPolygon" else [geometry["coordinates"]]
    best = max((_ring_centroid(p[0]) for p in polys if p and len(p[0]) > 2), default=(0.0, 0.0, 0.0))
    return best[1], best[2]


def label_trace(geojson: dict, names: dict[int, str], values: dict[int, float]) -> dict:
    """A text trace: each region's name and value (万元, no decimals) at its centroid; a click on a
    label reports the region's code (customdata), like a click on its area."""
    xs, ys, text, codes = [], [], [], []
    for f in geojson["features"]:
        code = int(f["id"])
        if code not in names:
            continue
        x, y = centroid(f["geometry"])
        v = values.get(code)
        xs.append(x)
        ys.append(y)
        text.append(f"<b>{names[code]}</b><br>{v:,.0f}" if v is not None else f"<b>{names[code]}</b><br>—")
        codes.append(code)
    return {"type": "scatter", "mode": "text", "x": xs, "y": ys, "text": text, "customdata": codes,
            "textposition": "middle center", "hoverinfo": "none", "showlegend": False, "name": "区域名称",
            "textfont": {"size": BASE_FONT - 1, "color": "#ffffff"}}


def recolour(fig: dict, values: list[float | None]) -> None:
    """The map's areas and its colour legend in WALL_SCALE (the cockpit's light blues wash out white
    labels on a dark wall), borders glowing."""
    nums = [v for v in values if v is not None]
    lo, hi = (min(nums), max(nums)) if nums else (0.0, 1.0)
    span = (hi - lo) or 1.0
    for trace, v in zip(fig["data"], values):
        trace["fillcolor"] = sample_colorscale(WALL_SCALE, [(v - lo) / span])[0] if v is not None else "#243447"
        trace["line"] = {**trace["line"], "color": BORDER, "width": 1.2}
    steps = len(BAR_SCALE)
    legend = [s for s in fig["layout"].get("shapes", ()) if s.get("type") == "rect"][:steps]
    for shape, colour in zip(legend, sample_colorscale(WALL_SCALE, [i / (steps - 1) for i in range(steps)])):
        shape["fillcolor"] = colour


def wall_map(kids: pl.DataFrame, geojson: dict, *, column: str, label: str, number) -> tuple[dict, list[int]]:
    """The children of a region (`kids`: code, name, `column`) on the map with their names and values,
    or as ranked bars where there are no boundaries; returns the figure and the region code of each
    area trace (a click reports its number)."""
    codes, names_ = kids["code"].to_list(), kids["name"].to_list()
    names = dict(zip(codes, names_))
    values = {c: number(v) for c, v in zip(codes, kids[column].to_list()) if v is not None}
    if names.keys() & {int(f["id"]) for f in geojson["features"]}:
        fig, area_codes = region_map(geojson, values, names, unit="万元", label=label, dark=True)
        recolour(fig, [values.get(c) for c in area_codes])
        fig["data"].append(label_trace(geojson, names, values))
        drawn = {int(f["id"]) for f in geojson["features"]}
        missing = [c for c in codes if c not in drawn]
        if missing:
            fig["layout"]["annotations"].append({
                "text": f"另有 {len(missing)} 个区域无地图边界（见经营收入排名）", "xref": "paper", "yref": "paper",
                "x": 0, "y": 1, "xanchor": "left", "yanchor": "top", "showarrow": False,
                "font": {"size": BASE_FONT - 2, "color": "#8fb8d8"}})
        fig["layout"]["title"] = {**fig["layout"]["title"], "text": ""}
        fig["layout"]["margin"] = {"l": 4, "r": 4, "t": 4, "b": 4}
        return fig, area_codes
    bars = kids.filter(pl.col(column).is_not_null() & (pl.col(column) != 0)).sort(column, descending=True).head(MAP_TOP)
    if bars.is_empty():
        return empty(), []
    return rank_figure(bars["name"].to_list(), [number(v) for v in bars[column]], bars["code"].to_list(),
                       unit="万元", label=label), []
