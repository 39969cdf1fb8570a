"""Pieces the dashboards share: a region's children on the map or as ranked bars."""
from __future__ import annotations

from collections.abc import Callable

import polars as pl

from components.charts import EMPTY_TEXT, empty_figure, ranked_bars, region_map


def map_or_bars(kids: pl.DataFrame, column: str, geojson: dict, *, unit: str, label: str,
                number: Callable = lambda v: v, ranked: bool = False, dark: bool = False,
                floor: float | None = None, places: int = 0, color: str = "#0b4f8a",
                empty_text: str = EMPTY_TEXT, top: int = 30) -> tuple[dict, list[int]]:
    """A region's children (`kids`: code, name and `column`) on the map where `geojson` has a
    boundary for any of them, else as ranked bars (the `top` largest; `ranked`: `kids` is already
    in rank order, else it is sorted by `column`, largest first). `number` turns a value into what
    is drawn (e.g. fen into 万元); children without a value are left out (grey on the map). Returns
    the figure and, for the map, the region code of each trace (a click reports the trace's number);
    both drill down on a click. No bars to draw: the empty chart with `empty_text`."""
    codes, names_ = kids["code"].to_list(), kids["name"].to_list()
    names = dict(zip(codes, names_))
    values = {c: number(v) for c, v in zip(codes, kids[column].to_list()) if v is not None}
    if names.keys() & {int(f["id"]) for f in geojson["features"]}:
        return region_map(geojson, values, names, unit=unit, label=label, dark=dark, floor=floor, places=places)
    bars = kids.filter(pl.col(column).is_not_null())
    bars = (bars if ranked else bars.sort(column, descending=True)).head(top)
    if bars.is_empty():
        return empty_figure(empty_text, dark=dark), []
    return ranked_bars(bars["name"].to_list(), [number(v) for v in bars[column]], unit=unit, label=label,
                       codes=bars["code"].to_list(), dark=dark, color=color), []
