"""Shipped prefecture and county boundaries (see scripts/build_maps.py for source and mapping)."""
from __future__ import annotations

import json
from functools import cache
from pathlib import Path

MAPS_DIR = Path(__file__).resolve().parent / "reference" / "maps"
_LEVEL_FILE = {2: "city", 3: "county"}


@cache
def load_geojson(province: int, level: int) -> dict:
    """FeatureCollection of the province's units at `level` (2 city, 3 county); each feature's
    `id` is the 12-digit region code as a string."""
    if level not in _LEVEL_FILE:
        return {"type": "FeatureCollection", "features": []}
    path = MAPS_DIR / f"{province}-{_LEVEL_FILE[level]}.geojson"
    if not path.exists():
        return {"type": "FeatureCollection", "features": []}
    return json.loads(path.read_text(encoding="utf-8"))


@cache
def codes_with_geometry(province: int, level: int) -> frozenset[int]:
    return frozenset(int(f["id"]) for f in load_geojson(province, level)["features"])
