"""Shipped boundaries: every prefecture and (almost) every county of both provinces has a valid,
compact polygon keyed by today's region code."""
from __future__ import annotations

import pytest
from shapely.geometry import shape

from data.maps import MAPS_DIR, load_geojson
from data.regions import load_region_tree
from domain.regions import CITY, COUNTY

BOX = {22: (121.0, 40.5, 131.5, 46.5), 36: (113.4, 24.4, 118.6, 30.2)}
#: units without a polygon in the 2017 source: Jilin's development zones, Jiangxi's 红谷滩区 (2019)
NO_POLYGON = {22: {220171, 220172, 220173, 220174, 220271, 220272, 220273, 220771, 220871}, 36: {360113}}


@pytest.mark.parametrize("province", [22, 36])
@pytest.mark.parametrize("level", [CITY, COUNTY])
def test_maps001_boundaries_cover_the_tree(province, level):
    tree = load_region_tree(province)
    units = set(tree.frame.filter(tree.frame["level"] == level)["code"].to_list())
    feats = load_geojson(province, level)["features"]
    ids = [int(f["id"]) for f in feats]
    assert len(ids) == len(set(ids)) and set(ids) <= units
    expected = units - {c * 10**6 for c in NO_POLYGON[province]} if level == COUNTY else units
    assert set(ids) == expected
    x0, y0, x1, y1 = BOX[province]
    for f in feats:
        g = shape(f["geometry"])
        assert g.is_valid and not g.is_empty
        bx0, by0, bx1, by1 = g.bounds
        assert x0 <= bx0 and bx1 <= x1 and y0 <= by0 and by1 <= y1, f["properties"]["name"]
        assert f["properties"]["name"] == tree.name(int(f["id"]))
    path = MAPS_DIR / f"{province}-{'city' if level == CITY else 'county'}.geojson"
    assert path.stat().st_size < 400_000


def test_maps002_map_legend_is_in_the_figure_and_matches_the_fills():
    """The colour legend is drawn in the figure (a PNG export keeps it): its bottom step has the
    smallest region's colour, its top step the largest's, and the labels carry the range and unit."""
    from components.charts import region_map

    geo = load_geojson(22, 2)
    codes = [int(f["id"]) for f in geo["features"]]
    values = {c: float(i * 100) for i, c in enumerate(codes)}
    fig, order = region_map(geo, values, {c: str(c) for c in codes}, unit="万元", label="资产总额")
    assert order == codes and len(fig["data"]) == len(codes)  # one trace a region, nothing else
    fills = {code: t["fillcolor"] for code, t in zip(order, fig["data"])}
    steps = [s for s in fig["layout"]["shapes"] if s["type"] == "rect"]
    assert steps[0]["fillcolor"] == fills[codes[0]] and steps[-1]["fillcolor"] == fills[codes[-1]]
    texts = [a["text"] for a in fig["layout"]["annotations"]]
    assert "0" in texts and f"{(len(codes) - 1) * 100:,}" in texts and "万元" in texts
