"""Forestry credit statistics (Art. X36) from the polars query layer: subjects and grades by region
(drill province → city → county → township) and by subject type, records by kind and by source,
dishonest records in publicity by severity, loans outstanding and overdue (fen).

The credit tables are aggregated once by the database (one GROUP BY pass each) into per-village
cubes held in memory (and their county roll-ups, read for a province or a city);
every statistics call aggregates a cube with polars, scoped to the caller (`data.scoped.scoped_frame`)
— milliseconds at a million subjects. The cubes are built once per token for the deployment: the process that builds them (the job
process's `columnar` job after data changes, else the first worker asking) publishes them in the
shared store (plain Arrow IPC + JSON, data/prices/cache.py `pack`; never a pickle) under a key of the
token, and every other worker whose token matches reads them instead of aggregating (a garbled or
foreign entry is ignored: rebuilt). The cubes are rebuilt when the data changed: a token of the
tables' highest ids (an insert anywhere, a re-evaluation writing `credit_scores`) and the day (what
is in publicity depends on it) is compared on every call (a few index look-ups), and a writer that
only updates rows calls `invalidate(url)` after its transaction: that bumps a version token in the
shared store (data/runtime/shared.py), part of the token too, so every worker and machine rebuilds
its cubes at its next call.
"""
from __future__ import annotations

import datetime as dt
import threading
from dataclasses import dataclass

import polars as pl
from sqlalchemy import text

from data.db import engine_for
from data.prices.cache import shared_get, shared_key, shared_put
from data.scoped import scoped_frame
from domain import clock
from domain.credit.codes import RECORD_KINDS, SEVERITIES, SOURCES, SUBJECT_KINDS
from domain.permissions import Action, ensure, scope_of
from domain.regions import VILLAGE, level_of
from data import forksafe

GRADES = ("A", "B", "C", "D")
UNRATED = "未评级"
_TAIL = {1: 10, 2: 8, 3: 6, 4: 3, 5: 0}
_TOKEN_TABLES = ("credit_subjects", "credit_records", "credit_repayments", "credit_scores", "forest_rights")


@dataclass
class Cubes:
    token: tuple
    subjects: pl.DataFrame  # region_code, kind, grade, n
    records: pl.DataFrame  # region_code, kind, source, n
    dishonest: pl.DataFrame  # region_code, severity, in_publicity, n
    loans: pl.DataFrame  # region_code, loans, open_loans, overdue_loans, outstanding_fen, overdue_fen
    rights: pl.DataFrame  # region_code, rights, area_mu (float, display only), mortgaged
    #: the same cubes by county, read for a province or a city
    by_county: dict[str, pl.DataFrame] | None = None

    def at(self, name: str, region: int) -> pl.DataFrame:
        return self.by_county[name] if self.by_county and level_of(region) <= 2 else getattr(self, name)


_CACHE: dict[str, Cubes] = {}
_LOCK = forksafe.Lock()
_GENERATION = {"n": 0}


def invalidate(url: str | None = None) -> None:
    """Forget the cubes (of `url` in every process, through the shared token; or all of this
    process's): the next call reloads them."""
    if url is not None:
        from data.runtime.shared import for_url

        for_url(url).bump("credit-cubes")  # part of every process's token (and of the published cubes' key)
    with _LOCK:
        if url is None:
            _GENERATION["n"] += 1  # this process only: it no longer reads cubes published before
            _CACHE.clear()
        else:
            _CACHE.pop(url, None)


def _token(url: str, today: dt.date) -> tuple:
    sql = "SELECT " + ", ".join(f"(SELECT MAX(id) FROM {t})" for t in _TOKEN_TABLES)
    with engine_for(url).connect() as c:
        ids = c.execute(text(sql)).one()
    from data.runtime.shared import for_url

    return (*ids, today.isoformat(), _GENERATION["n"], for_url(url).version("credit-cubes"))


def read_frame(url: str, sql: str, **params) -> pl.DataFrame:
    """A (small, aggregated) query result as a polars frame."""
    with engine_for(url).connect() as c:
        return pl.read_database(text(sql), c, execute_options={"parameters": params}, infer_schema_length=None)


def _rollup(frame: pl.DataFrame, keys: list[str]) -> pl.DataFrame:
    """The same cube by county (the statistics of a province or a city read it: far fewer rows)."""
    span = 10 ** _TAIL[3]
    sums = [pl.col(c).sum() for c in frame.columns if c not in (*keys, "region_code")]
    return frame.with_columns(region_code=pl.col("region_code") // span * span).group_by("region_code", *keys).agg(sums)


def _load(url: str, token: tuple, today: dt.date) -> Cubes:
    """The cubes, aggregated by the database (one pass over each table) and folded by polars."""
    sqlite = engine_for(url).dialect.name == "sqlite"
    day = today.isoformat() if sqlite else today
    subjects = read_frame(url, "SELECT region_code, kind, COALESCE(grade, '') AS grade, COUNT(*) AS n FROM credit_subjects "
                               "GROUP BY region_code, kind, COALESCE(grade, '')").with_columns(
        grade=pl.when(pl.col("grade") == "").then(pl.lit(UNRATED)).otherwise("grade"))
    records = read_frame(url, "SELECT region_code, kind, source, COUNT(*) AS n FROM credit_records "
                              "GROUP BY region_code, kind, source")
    dishonest = read_frame(url, "SELECT region_code, severity, CASE WHEN publicity_until >= :d AND status = 'active' "
                                "THEN 1 ELSE 0 END AS in_publicity, COUNT(*) AS n FROM credit_records "
                                "WHERE kind = 'dishonest' GROUP BY 1, 2, 3", d=day).with_columns(
        in_publicity=pl.col("in_publicity") == 1)
    loans = read_frame(url, "SELECT region_code, COUNT(*) AS loans, SUM(CASE WHEN o > 0 THEN 1 ELSE 0 END) AS open_loans, "
                            "SUM(CASE WHEN d > 0 THEN 1 ELSE 0 END) AS overdue_loans, SUM(o) AS outstanding_fen, "
                            "SUM(d) AS overdue_fen FROM (SELECT MIN(region_code) AS region_code, "
                            "SUM(CASE WHEN paid_on IS NULL THEN due_fen ELSE 0 END) AS o, "
                            "SUM(CASE WHEN paid_on IS NULL AND due_on < :d THEN due_fen ELSE 0 END) AS d "
                            "FROM credit_repayments GROUP BY record_id) per_loan GROUP BY region_code", d=day)
    rights = read_frame(url, "SELECT f.region_code, COUNT(*) AS rights, SUM(CAST(f.area_mu AS FLOAT)) AS area_mu, "
                             "SUM(CASE WHEN m.right_id IS NULL THEN 0 ELSE 1 END) AS mortgaged FROM forest_rights f "
                             "LEFT JOIN (SELECT DISTINCT right_id FROM forest_encumbrances WHERE kind = 'mortgage' "
                             "AND released_on IS NULL) m ON m.right_id = f.id GROUP BY f.region_code")
    ints = dict.fromkeys(("n", "loans", "open_loans", "overdue_loans", "outstanding_fen", "overdue_fen", "rights",
                          "mortgaged"), pl.Int64)
    fix = [f.with_columns(pl.col(c).fill_null(0).cast(t) for c, t in ints.items() if c in f.columns)
           .with_columns(pl.col("region_code").cast(pl.Int64)) for f in (subjects, records, dishonest, loans, rights)]
    subjects, records, dishonest, loans, rights = fix
    rights = rights.with_columns(pl.col("area_mu").cast(pl.Float64).fill_null(0))
    return Cubes(token, subjects, records, dishonest, loans, rights,
                 by_county={"subjects": _rollup(subjects, ["kind", "grade"]), "records": _rollup(records, ["kind", "source"]),
                            "dishonest": _rollup(dishonest, ["severity", "in_publicity"]), "loans": _rollup(loans, []),
                            "rights": _rollup(rights, [])})


_NAMES = ("subjects", "records", "dishonest", "loans", "rights")
#: how many times this process aggregated the cubes itself (tests: a published copy builds nothing)
BUILDS = {"n": 0}


def _shared_key(url: str, token: tuple) -> str:
    return shared_key("credit-cubes", url, token)


def _published(url: str, token: tuple) -> Cubes | None:
    """The cubes another process published for `token` (None: none, or unreadable: rebuild)."""
    got = shared_get(url, _shared_key(url, token))
    if got is None:
        return None
    meta, frames = got
    try:
        if tuple(meta.get("token", ())) != tuple(token):
            return None
        for name in _NAMES:  # the columns every reader uses, else the entry is not ours
            need = {"subjects": {"region_code", "kind", "grade", "n"}, "records": {"region_code", "kind", "source", "n"},
                    "dishonest": {"region_code", "severity", "in_publicity", "n"},
                    "loans": {"region_code", "loans", "open_loans", "overdue_loans", "outstanding_fen", "overdue_fen"},
                    "rights": {"region_code", "rights", "area_mu", "mortgaged"}}[name]
            if not need <= set(frames[name].columns) or not need <= set(frames["county_" + name].columns):
                return None
        return Cubes(token, *(frames[n] for n in _NAMES), by_county={n: frames["county_" + n] for n in _NAMES})
    except (KeyError, TypeError, ValueError):
        return None


def _publish(url: str, c: Cubes) -> None:
    frames = {n: getattr(c, n) for n in _NAMES} | {"county_" + n: c.by_county[n] for n in _NAMES}
    shared_put(url, _shared_key(url, c.token), {"token": list(c.token)}, frames)


def _build(url: str, token: tuple, today: dt.date) -> Cubes:
    got = _published(url, token)
    if got is not None:
        return got
    BUILDS["n"] += 1
    got = _load(url, token, today)
    _publish(url, got)
    return got


def cubes(url: str, today: dt.date | None = None) -> Cubes:
    """The cubes of `url` for the current token: this process's, else the copy another process
    (the job process's `columnar` job, or the first worker that needed them) published in the
    shared store under the token, else aggregated here (and published)."""
    today = today or clock.today()
    token = _token(url, today)
    got = _CACHE.get(url)
    if got is not None and got.token == token:
        return got
    with _LOCK:
        got = _CACHE.get(url)
        if got is None or got.token != token:
            _CACHE.pop(url, None)  # the old cubes go before the new ones are read
            got = _CACHE[url] = _build(url, token, today)
    return got


def warm(url: str) -> threading.Thread:
    """Builds the cubes in a background thread (at start: the first statistics page need not wait)."""
    t = threading.Thread(target=lambda: cubes(url), name="credit-stats-warm", daemon=True)
    t.start()
    return t


def _child(level: int) -> pl.Expr:
    """The region code truncated to the level below `level` (a village stays itself)."""
    span = 10 ** _TAIL[min(level + 1, VILLAGE)]
    return (pl.col("region_code") // span * span).alias("code")


def _within(frame: pl.DataFrame, who, region: int) -> pl.DataFrame:
    span = 10 ** _TAIL[level_of(region)]
    inside = frame.filter(pl.col("region_code").is_between(region, region + span - 1))
    return scoped_frame(inside, who) if inside.height else inside


def _prepare(url: str, who, region: int | None, today: dt.date | None):
    region = int(region if region is not None else scope_of(who).root)
    ensure(who, Action.CREDIT_STATS_VIEW, {"region_code": region}, noun=f"区域 {region}")
    return cubes(url, today), region


def kpis(url: str, who, region: int | None = None, today: dt.date | None = None) -> dict:
    """The headline figures of `region` (default the caller's root)."""
    c, region = _prepare(url, who, region, today)
    s = _within(c.at("subjects", region), who, region)
    rec = _within(c.at("records", region), who, region)
    d = _within(c.at("dishonest", region), who, region)
    lo = _within(c.at("loans", region), who, region)
    ri = _within(c.at("rights", region), who, region)
    total = int(s["n"].sum())
    graded = int(s.filter(pl.col("grade") != UNRATED)["n"].sum())
    return dict(region=region, subjects=total, natural=int(s.filter(pl.col("kind") == "natural")["n"].sum()),
                graded=graded, unrated=total - graded, records=int(rec["n"].sum()),
                dishonest_in_publicity=int(d.filter(pl.col("in_publicity"))["n"].sum()),
                loans=int(lo["loans"].sum()), open_loans=int(lo["open_loans"].sum()),
                overdue_loans=int(lo["overdue_loans"].sum()), outstanding_fen=int(lo["outstanding_fen"].sum()),
                overdue_fen=int(lo["overdue_fen"].sum()), rights=int(ri["rights"].sum()),
                mortgaged_rights=int(ri["mortgaged"].sum()), area_mu=round(float(ri["area_mu"].sum()), 2))


def grades_by_region(url: str, who, region: int | None = None, today: dt.date | None = None) -> pl.DataFrame:
    """One row per child of `region`: code, subjects by grade (A…D, 未评级), total, loans figures."""
    c, region = _prepare(url, who, region, today)
    level = level_of(region)
    s = _within(c.at("subjects", region), who, region).with_columns(_child(level))
    wide = s.group_by("code", "grade").agg(pl.col("n").sum()).pivot("grade", index="code", values="n")
    for g in (*GRADES, UNRATED):
        if g not in wide.columns:
            wide = wide.with_columns(pl.lit(0, pl.UInt32).alias(g))
    wide = wide.with_columns(pl.col(g).fill_null(0).cast(pl.Int64) for g in (*GRADES, UNRATED))
    wide = wide.with_columns(total=pl.sum_horizontal(*GRADES, UNRATED))
    lo = _within(c.at("loans", region), who, region).with_columns(_child(level)).group_by("code").agg(
        pl.col("loans", "overdue_loans", "outstanding_fen", "overdue_fen").sum())
    d = _within(c.at("dishonest", region), who, region).filter(pl.col("in_publicity")).with_columns(_child(level)).group_by(
        "code").agg(dishonest=pl.col("n").sum())
    out = wide.join(lo, on="code", how="left").join(d, on="code", how="left").with_columns(
        pl.col("loans", "overdue_loans", "outstanding_fen", "overdue_fen", "dishonest").fill_null(0).cast(pl.Int64))
    out = out.select("code", *GRADES, UNRATED, "total", "dishonest", "loans", "overdue_loans", "outstanding_fen",
                     "overdue_fen").sort("code")
    return out.clear() if level >= VILLAGE else out  # a village has no lower level


def grades_by_kind(url: str, who, region: int | None = None, today: dt.date | None = None) -> pl.DataFrame:
    """Subjects by type and grade: kind (label), grade, n."""
    c, region = _prepare(url, who, region, today)
    s = _within(c.at("subjects", region), who, region).group_by("kind", "grade").agg(pl.col("n").sum().cast(pl.Int64))
    return s.with_columns(label=pl.col("kind").replace_strict(SUBJECT_KINDS, default=pl.col("kind"))).sort("kind", "grade")


def records_by(url: str, who, region: int | None = None, today: dt.date | None = None) -> pl.DataFrame:
    """Records by kind and source: kind, source (codes and labels), n."""
    c, region = _prepare(url, who, region, today)
    r = _within(c.at("records", region), who, region).group_by("kind", "source").agg(pl.col("n").sum().cast(pl.Int64))
    kinds = {k: v[1] for k, v in RECORD_KINDS.items()}
    return r.with_columns(kind_label=pl.col("kind").replace_strict(kinds, default=pl.col("kind")),
                          source_label=pl.col("source").replace_strict(SOURCES, default=pl.col("source"))
                          ).sort("kind", "source")


def dishonest_by_severity(url: str, who, region: int | None = None, today: dt.date | None = None) -> pl.DataFrame:
    """Dishonest records by severity: in publicity and ended (severity, label, in_publicity, ended)."""
    c, region = _prepare(url, who, region, today)
    d = _within(c.at("dishonest", region), who, region)
    out = pl.DataFrame({"severity": list(SEVERITIES), "label": list(SEVERITIES.values())})
    agg = d.group_by("severity").agg(in_publicity=pl.col("n").filter(pl.col("in_publicity")).sum().cast(pl.Int64),
                                     ended=pl.col("n").filter(~pl.col("in_publicity")).sum().cast(pl.Int64))
    return out.join(agg, on="severity", how="left").with_columns(pl.col("in_publicity", "ended").fill_null(0))
