"""Pieces the dashboards share: an empty chart with a note, and a region's children on the map or
as ranked bars."""
from __future__ import annotations

from collections.abc import Callable

import polars as pl

from components.charts import FONT, ranked_bars, region_map


def empty_figure(text: str) -> dict:
    """A chart with nothing to draw: no axes, `text` in the middle."""
    return {"data": [], "layout": {
        "xaxis": {"visible": False}, "yaxis": {"visible": False}, "font": FONT,
        "plot_bgcolor": "rgba(0,0,0,0)", "paper_bgcolor": "rgba(0,0,0,0)",
        "annotations": [{"text": text, "showarrow": False, "xref": "paper", "yref": "paper", "x": 0.5, "y": 0.5,
                         "font": {"size": 14, "color": "#8796a5"}}]}}


def map_or_bars(kids: pl.DataFrame, column: str, geojson: dict, *, unit: str, label: str,
                number: Callable = lambda v: v, ranked: bool = False, dark: bool = False,
                floor: float | None = None, tickformat: str = ",.0f", color: str = "#0b4f8a",
                empty_text: str | None = None, top: int = 30) -> tuple[dict, list[int]]:
    """A region's children (`kids`: code, name and `column`) on the map where `geojson` has a
    boundary for any of them, else as ranked bars (the `top` largest; `ranked`: `kids` is already
    in rank order, else it is sorted by `column`, largest first). `number` turns a value into what
    is drawn (e.g. fen into 万元); children without a value are left out. Returns the figure and,
    for the map, the region code of each trace (a click reports the trace's number); both drill
    down on a click. With `empty_text`, no bars to draw gives an empty chart with that note."""
    codes, names_ = kids["code"].to_list(), kids["name"].to_list()
    names = dict(zip(codes, names_))
    values = {c: number(v) for c, v in zip(codes, kids[column].to_list()) if v is not None}
    if names.keys() & {int(f["id"]) for f in geojson["features"]}:
        return region_map(geojson, values, names, unit=unit, label=label, dark=dark, floor=floor,
                          tickformat=tickformat)
    bars = kids.filter(pl.col(column).is_not_null())
    bars = (bars if ranked else bars.sort(column, descending=True)).head(top)
    if bars.is_empty() and empty_text is not None:
        return empty_figure(empty_text), []
    fig = ranked_bars(bars["name"].to_list(), [number(v) for v in bars[column]], unit=unit, label=label,
                      codes=bars["code"].to_list(), dark=dark, color=color)
    fig["layout"]["xaxis"]["tickformat"] = tickformat
    return fig, []
