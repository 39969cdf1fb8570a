"""The per-worker caches out of private memory (issue 17, lane F): the credit statistics' cubes and
the price/cost index answers are built once and published in the shared store (JSON + Arrow IPC,
data/prices/cache.py `pack`), so another process answers from them without aggregating or fitting;
a changed token rebuilds; a garbled or foreign entry is ignored (rebuilt, never a 500)."""
from __future__ import annotations

import json
import os
import pickle
import subprocess
import sys
from pathlib import Path

import polars as pl
import pytest

from data.prices import cache, frames, index as ix
from data.query import credit as stats
from data.runtime.shared import for_url
from domain import clock
from domain.permissions import Actor, Scope, role_perms
from tests.support.app import TODAY
from tests.support.http import dash_post, output, props, sign_in
from tests.support.prices import counties, empty_settings, sales, write_costs, write_sales

ROOT = Path(__file__).resolve().parents[1]
COUNTIES = counties(n=24)

#: a second process: reads the credit statistics and the price/cost index and says what it built
SECOND = r"""
import json, sys
from data.prices import index as ix
from data.query import credit as stats
from domain.permissions import Actor, Scope, role_perms
import datetime as dt

credit_url, credit_root, prices_url, prices_root, today = sys.argv[1:6]
def who(role, root):
    return Actor(user_id=None, username=role, scope=Scope(root=int(root), perms=role_perms(role), role=role))
k = stats.kpis(credit_url, who("forestry_bureau", credit_root), today=dt.date.fromisoformat(today))
v = ix.index_view(prices_url, who("province_leader", prices_root))
c = ix.cost_view(prices_url, who("province_leader", prices_root))
print(json.dumps({"credit_builds": stats.BUILDS["n"], "subjects": k["subjects"], "outstanding": k["outstanding_fen"],
                  "misses": ix.SHARED_MISSES, "fits": ix._FITS.builds, "samples": ix._SAMPLES.builds,
                  "n": int(v["table"]["n"].sum()), "periods": v["table"].height, "r2": v["fit"]["r2"],
                  "cost_rows": c["table"].height, "base_year": c["base_year"]}))
"""


def actor(role: str, root: int) -> Actor:
    return Actor(user_id=None, username=role, scope=Scope(root=root, perms=role_perms(role), role=role))


@pytest.fixture(scope="module")
def prices_db(tmp_path_factory):
    s = empty_settings(tmp_path_factory.mktemp("shared-prices"))
    write_sales(s, sales(31, COUNTIES, 1500))
    write_costs(s, 17, COUNTIES[:10])
    return s


def _root(s) -> int:
    return s.province * 10**10


def _fresh():
    """A fresh in-memory state of this process (what a new worker starts with)."""
    stats._CACHE.clear()
    ix.clear()


def test_shared_caches001_a_second_process_answers_from_the_published_copies(sqlite_settings, prices_db):
    url, purl = sqlite_settings.database_url, prices_db.database_url
    stats.invalidate(url)  # a new token: nothing published for it yet
    builds = stats.BUILDS["n"]
    mine = stats.kpis(url, actor("forestry_bureau", _root(sqlite_settings)), today=TODAY)
    assert stats.BUILDS["n"] == builds + 1  # built here, once, and published
    misses = dict(ix.SHARED_MISSES)
    view = ix.index_view(purl, actor("bank_user", _root(prices_db)))
    cost = ix.cost_view(purl, actor("bank_user", _root(prices_db)))
    assert ix.SHARED_MISSES == {"index": misses["index"] + 1, "cost": misses["cost"] + 1}
    env = {k: v for k, v in os.environ.items() if k != "REDIS_URL"} | {"PYTHONPATH": str(ROOT)}
    out = subprocess.run([sys.executable, "-c", SECOND, url, str(_root(sqlite_settings)), purl, str(_root(prices_db)),
                          TODAY.isoformat()], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr[-3000:]
    got = json.loads(out.stdout.strip().splitlines()[-1])
    # the other process aggregated nothing, fitted nothing, read no sample: the same figures
    assert got["credit_builds"] == 0 and got["subjects"] == mine["subjects"] > 0
    assert got["outstanding"] == mine["outstanding_fen"]
    assert got["misses"] == {"index": 0, "cost": 0} and got["fits"] == 0 and got["samples"] == 0
    assert got["n"] == int(view["table"]["n"].sum()) > 0 and got["periods"] == view["table"].height
    assert got["r2"] == pytest.approx(view["fit"]["r2"])
    assert got["cost_rows"] == cost["table"].height > 0 and got["base_year"] == cost["base_year"]


def test_shared_caches002_a_changed_token_rebuilds(sqlite_settings, prices_db):
    url, purl = sqlite_settings.database_url, prices_db.database_url
    who = actor("forestry_bureau", _root(sqlite_settings))
    before = stats.kpis(url, who, today=TODAY)
    builds = stats.BUILDS["n"]
    _fresh()
    assert stats.kpis(url, who, today=TODAY) == before and stats.BUILDS["n"] == builds  # the published cubes
    stats.invalidate(url)  # a writer's invalidate: every process's token changes
    _fresh()
    assert stats.kpis(url, who, today=TODAY) == before and stats.BUILDS["n"] == builds + 1
    bank = actor("bank_user", _root(prices_db))
    first = ix.index_view(purl, bank)
    misses = ix.SHARED_MISSES["index"]
    _fresh()
    ix.index_view(purl, bank)
    assert ix.SHARED_MISSES["index"] == misses  # published for this token
    write_sales(prices_db, sales(32, COUNTIES, 1))  # a new sale: a new token
    _fresh()
    again = ix.index_view(purl, bank)
    assert ix.SHARED_MISSES["index"] == misses + 1
    assert int(again["table"]["n"].sum()) == int(first["table"]["n"].sum()) + 1


def test_shared_caches003_a_garbled_or_foreign_entry_is_ignored(sqlite_settings, prices_db):
    url, purl = sqlite_settings.database_url, prices_db.database_url
    who = actor("forestry_bureau", _root(sqlite_settings))
    good = stats.kpis(url, who, today=TODAY)
    key = stats._shared_key(url, stats._token(url, TODAY))
    store = for_url(url)
    bad_frames = {"subjects": pl.DataFrame({"x": [1]})}
    for blob in (b"SHC1\x00\x00\x00\x09{garbled", pickle.dumps({"subjects": 1}), b"",
                 cache.pack({"token": ["other"]}, bad_frames), cache.pack({"token": list(stats._token(url, TODAY))},
                                                                           bad_frames)):
        store.set(key, blob)
        _fresh()
        builds = stats.BUILDS["n"]
        assert stats.kpis(url, who, today=TODAY) == good and stats.BUILDS["n"] == builds + 1  # rebuilt, republished
    _fresh()
    builds = stats.BUILDS["n"]
    assert stats.kpis(url, who, today=TODAY) == good and stats.BUILDS["n"] == builds  # the republished copy is good
    bank = actor("bank_user", _root(prices_db))
    want = ix.index_view(purl, bank)
    pkey = ix._index_key(purl, frames.ranges(bank, _root(prices_db)), None, "quarter", frames.current(purl))
    for blob in (b"SHC1" + os.urandom(64), cache.pack({"fit": {}}, {"t_hedonic": pl.DataFrame({"x": [1]})})):
        for_url(purl).set(pkey, blob)
        _fresh()
        misses = ix.SHARED_MISSES["index"]
        got = ix.index_view(purl, bank)
        assert ix.SHARED_MISSES["index"] == misses + 1 and got["table"].equals(want["table"])


def test_shared_caches004_the_credit_page_answers_over_a_garbled_entry(app, sqlite_settings):
    url = sqlite_settings.database_url
    for_url(url).set(stats._shared_key(url, stats._token(url, clock.today())), b"SHC1\xff\xff\xff\xff")
    stats._CACHE.clear()
    resp = dash_post(sign_in(app.server, "demo-forestry"),
                     "..cst-breadcrumb.children...cst-asof.children...cst-kpis.children...cst-grade-region.figure..."
                     "cst-grade-kind.figure...cst-records.figure...cst-dishonest.figure...cst-table.rowData..."
                     "cst-empty.children...cst-up.disabled...cst-up.href..", props(("url", "hash", "")))
    assert resp.status_code == 200 and output(resp, "cst-table", "rowData")


def test_shared_caches005_pack_is_plain_data():
    frame = pl.DataFrame({"a": [1, 2], "b": ["x", None], "c": [True, False]})
    meta, got = cache.unpack(cache.pack({"k": [1, "二"]}, {"f": frame}))
    assert meta == {"k": [1, "二"]} and got["f"].equals(frame)
    blob = cache.pack({}, {"f": frame})
    assert cache.unpack(blob[:-3]) is None and cache.unpack(blob + b"x") is None  # truncated / trailing bytes
    assert cache.unpack(pickle.dumps(frame)) is None  # never unpickled
