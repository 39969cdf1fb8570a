"""The shipped region tree is the real NBS 2023 division of Jilin and Jiangxi, and codes behave as
integer ranges."""
from __future__ import annotations

import pytest

from data.regions import load_region_tree
from domain.regions import (CITY, COUNTY, PROVINCE, TOWNSHIP, VILLAGE, ancestors, is_in_subtree, level_of, parent_of,
                            subtree_bounds)

EXPECTED = {22: {CITY: 9, COUNTY: 69, TOWNSHIP: 1075, VILLAGE: 11860},
            36: {CITY: 11, COUNTY: 100, TOWNSHIP: 1767, VILLAGE: 22080}}


@pytest.mark.parametrize("province", [22, 36])
def test_regions001_counts_match_the_statistical_division(province):
    tree = load_region_tree(province)
    counts = tree.counts()
    assert counts[PROVINCE] == 1
    assert {lv: counts[lv] for lv in (CITY, COUNTY, TOWNSHIP, VILLAGE)} == EXPECTED[province]


@pytest.mark.parametrize("province", [22, 36])
def test_regions002_every_code_is_under_its_parent(province):
    tree = load_region_tree(province)
    f = tree.frame
    assert f["code"].is_unique().all()
    for code, level, parent in f.select("code", "level", "parent").iter_rows():
        assert level_of(code) == level
        assert parent == parent_of(code)
        assert parent is None or parent in tree


def test_regions003_known_names():
    jl, jx = load_region_tree(22), load_region_tree(36)
    assert jl.name(220000000000) == "吉林省" and jl.name(220100000000) == "长春市"
    assert jl.name(220122000000) == "农安县"
    assert jx.name(360000000000) == "江西省" and jx.name(360100000000) == "南昌市"
    assert [n for _, n in jl.path(220122100000)][:3] == ["吉林省", "长春市", "农安县"]


def test_regions004_subtree_is_a_range_and_levels_are_divisions():
    county = 220122000000
    lo, hi = subtree_bounds(county)
    assert (lo, hi) == (220122000000, 220122999999)
    tree = load_region_tree(22)
    villages = tree.descendants(county, level=VILLAGE)
    assert villages.height > 300
    assert all(is_in_subtree(v, county) and v // 10**6 * 10**6 == county for v in villages["code"])
    assert not is_in_subtree(220112000000, county)
    assert ancestors(220122100201) == [220000000000, 220100000000, 220122000000, 220122100000]
    assert tree.children(county).height == tree.descendants(county, level=TOWNSHIP).height


def test_regions005_other_provinces_are_refused():
    with pytest.raises(ValueError):
        load_region_tree(11)
    with pytest.raises(ValueError):
        level_of(12345)
