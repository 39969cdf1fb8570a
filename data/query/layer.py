"""`QueryLayer`: the roll-ups, the per-village facts and every dashboard query over them (see the
package's docstring for the design)."""
from __future__ import annotations

import datetime as dt
import logging
import threading
import time
from dataclasses import dataclass, field

import numpy as np
import polars as pl

from data.regions import load_region_tree
from data.scoped import scoped_frame
from domain import clock
from domain.accounting import BALANCE_KEYS, DERIVED
from domain.permissions import Scope
from domain.regions import VILLAGE, level_of, subtree_bounds
from domain.supervision.lifecycle import UNHANDLED_SQL
from settings import Settings

from . import columnar
from .facts import FACT_COLUMNS, load_facts
from .figures import aligned, facts_sum, figures, village_ytd_income
from .reads import Reader
from .rollups import LINE_COLUMNS, MEASURE_KEYS, all_levels, period_seq, typed_lines, village_rollup
from data import forksafe

log = logging.getLogger("platform.query")


@dataclass(frozen=True)
class _State:
    rollups: dict[int, pl.DataFrame]
    watermark: int
    generation: str
    facts: pl.DataFrame
    facts_version: int
    periods: tuple[int, ...] = field(default=())
    #: the roll-ups the state starts from: the mapped columnar copy's (shared), or private ones
    base: dict[int, pl.DataFrame] = field(default_factory=dict)
    base_watermark: int = 0
    #: village × month movements of the lines posted since `base_watermark` (private, small)
    delta: pl.DataFrame | None = None
    #: the name of the mapped copy (None: private roll-ups, no copy could be built)
    copy: str | None = None
    facts_day: str = ""
    #: derived values memoised for this state (a refresh makes a new state, so it never goes stale)
    cache: dict = field(default_factory=dict)
    #: held while a memoised value over every village is computed: the worker's other threads wait
    #: for that answer instead of each computing (and allocating) the same one at once
    fill: threading.RLock = field(default_factory=threading.RLock)


def _memo(state: _State, key, compute):
    """state.cache[key], computed once: by the first thread asking, the others waiting for it."""
    hit = state.cache.get(key)
    if hit is None:
        with state.fill:
            hit = state.cache.get(key)
            if hit is None:
                hit = state.cache[key] = compute()
    return hit


class QueryLayer:
    """The dashboards' queries over the roll-ups. The roll-ups come from the one columnar copy
    every worker maps (columnar.py), plus the lines posted since its watermark, applied here; a
    write through any process is seen after the next `refresh` (at most `refresh_interval_s`)."""

    def __init__(self, settings: Settings, today: dt.date | None = None):
        self.settings = settings
        self.url = settings.database_url
        self.reader = Reader(self.url, settings.data_dir)
        self.uri = self.reader.uri
        self.tree = load_region_tree(settings.province)
        self.today = today
        self._lock = forksafe.Lock()
        self._refreshing = forksafe.RLock()  # re-entered by load() from a refresh
        self._state: _State | None = None
        self._last_check = 0.0
        self.load_seconds: float | None = None

    # ------------------------------------------------------------------ loading
    def _day(self) -> dt.date:
        return self.today or clock.today()

    def build_snapshot_from_frame(self, lines: pl.DataFrame, generation: str) -> None:
        """The columnar copy from the ledger lines the generator has in memory already."""
        rollups = all_levels(village_rollup(lines))
        columnar.write(self.settings, rollups, int(lines["id"].max() or 0), generation)

    def cold_build(self) -> tuple[dict[int, pl.DataFrame], int]:
        lines = self.reader.read_bulk(f"SELECT {LINE_COLUMNS} FROM voucher_lines")
        watermark = int(lines["id"].max() or 0) if lines.height else 0
        return all_levels(village_rollup(typed_lines(lines))), watermark

    def _open_copy(self, generation: str, fv: int) -> columnar.Copy | None:
        """The live columnar copy, published first when there is none (or it is damaged), or its
        facts are missing (the generator's copy) or stale."""
        copy = columnar.open_current(self.settings, generation)
        if copy is None or copy.facts is None or copy.facts_version != fv or copy.facts_day != self._day().isoformat():
            try:
                columnar.publish(self.settings, self._day())
            except Exception:  # no copy (a read-only directory, a full disk): private roll-ups instead
                log.exception("columnar copy could not be published; this process builds its own roll-ups")
            copy = columnar.open_current(self.settings, generation)
        return copy

    def load(self) -> QueryLayer:
        t0 = time.perf_counter()
        wm, fv, generation = columnar.db_marks(self.reader)
        copy = self._open_copy(generation, fv)
        if copy is None:
            base, base_wm = self.cold_build()
        else:
            base, base_wm = copy.rollups, copy.watermark
        facts, day = self._facts_for(copy, fv)
        with self._lock:
            self._state = _State(rollups=base, watermark=base_wm, generation=generation, facts=facts,
                                 facts_version=fv, base=base, base_watermark=base_wm,
                                 copy=copy.name if copy else None, facts_day=day)
        self.refresh(force=True)
        self.load_seconds = time.perf_counter() - t0
        return self

    def _facts_for(self, copy: columnar.Copy | None, fv: int) -> tuple[pl.DataFrame, str]:
        """The copy's facts when they are of this version and day (shared), else read here."""
        day = self._day().isoformat()
        if copy is not None and copy.facts is not None and copy.facts_version == fv and copy.facts_day == day:
            return copy.facts, day
        return self._load_facts(), day

    # ------------------------------------------------------------------ refresh
    def refresh(self, force: bool = False) -> int:
        """Advance the roll-ups with ledger lines posted since the watermark (by any process), map
        a newer columnar copy when one was published, and reload the per-village facts when they
        changed. Returns the number of new lines. A refresh already running in another thread is
        not repeated (this one returns 0 at once and the current state keeps answering)."""
        if not self._refreshing.acquire(blocking=force):
            return 0
        try:
            with self.reader.pinned():  # the watermark and the lines up to it from one database
                return self._refresh(force)
        finally:
            self._refreshing.release()

    def _refresh(self, force: bool) -> int:
        state = self.state
        wm, fv, generation = columnar.db_marks(self.reader)
        if generation != state.generation:  # the ledger was replaced (a restore): start again
            self.load()
            return 0
        name = columnar.pointer(columnar.root(self.settings))
        if not force and name == state.copy and wm <= state.watermark and fv == state.facts_version \
                and state.facts_day == self._day().isoformat():
            self._last_check = time.monotonic()  # nothing new: keep the state and its memoised answers
            return 0
        base, base_wm, delta, copy_name, facts, day = (state.base, state.base_watermark, state.delta, state.copy,
                                                       state.facts, state.facts_day)
        remapped = False
        if name is not None and name != state.copy:
            copy = self._newer_copy(name, generation)
            if copy is not None:
                base, base_wm, delta, copy_name, remapped = copy.rollups, copy.watermark, None, copy.name, True
                if copy.facts is not None and copy.facts_version == fv and copy.facts_day == self._day().isoformat():
                    facts, day = copy.facts, copy.facts_day
        after = base_wm if remapped else state.watermark
        new_lines = 0
        if wm > after:
            lines = columnar.read_lines(self.reader, after, wm)
            new_lines = lines.height
            delta = columnar.merge_delta(delta, village_rollup(lines))
        rollups = columnar.overlay(base, delta) if delta is not None else base
        if fv != state.facts_version or day != self._day().isoformat():
            facts, day = self._load_facts(), self._day().isoformat()
        with self._lock:
            self._state = _State(rollups=rollups, watermark=max(wm, after), generation=generation, facts=facts,
                                 facts_version=fv, base=base, base_watermark=base_wm, delta=delta, copy=copy_name,
                                 facts_day=day)
        self._last_check = time.monotonic()
        return new_lines

    def _newer_copy(self, name: str, generation: str) -> columnar.Copy | None:
        try:
            copy = columnar.open_copy(columnar.root(self.settings), name)
        except (columnar.CorruptCopy, OSError) as exc:  # keep the mapped copy; the publisher replaces this one
            log.warning("columnar copy %s not mapped: %s", name, exc)
            return None
        return copy if copy.generation == generation else None

    def maybe_refresh(self, min_interval: float | None = None) -> None:
        interval = self.settings.refresh_interval_s if min_interval is None else min_interval
        if time.monotonic() - self._last_check >= interval:
            self.refresh()

    def _load_facts(self) -> pl.DataFrame:
        return load_facts(self.reader.read, self.tree, self._day())

    @property
    def state(self) -> _State:
        if self._state is None:
            raise RuntimeError("query layer not loaded")
        return self._state

    # ------------------------------------------------------------------ queries
    def latest_period(self) -> int:
        frame = self.state.rollups[1]
        return int(frame["period"].max()) if frame.height else 0

    def periods(self) -> list[int]:
        frame = self.state.rollups[1]
        if not frame.height:
            return []
        return period_seq(int(frame["period"].min()), int(frame["period"].max()))

    def _cut(self, which: int | str, lo: int, hi: int) -> pl.DataFrame:
        """Rows of a roll-up level (or the facts) whose code lies in [lo, hi]: a binary search on
        the sorted code column, memoised as numpy for the current state."""
        state = self.state
        frame = state.facts if which == "facts" else state.rollups[which]
        codes = _memo(state, ("codes", which), lambda: frame.get_column("code").to_numpy())
        i0, i1 = int(np.searchsorted(codes, lo, "left")), int(np.searchsorted(codes, hi, "right"))
        return frame.slice(i0, i1 - i0)

    def _rows(self, region: int, level: int | None = None) -> pl.DataFrame:
        level = level or level_of(region)
        lo, hi = subtree_bounds(region)
        return self._cut(level, lo, hi)

    def _facts_sum(self, lo: int, hi: int, by_level: int | None = None) -> tuple[np.ndarray, dict[str, np.ndarray]]:
        """Per-village facts summed over [lo, hi], or per unit of `by_level`."""
        return facts_sum(self._cut("facts", lo, hi), by_level)

    def kpis(self, scope: Scope, region: int, period: int | None = None) -> dict:
        """Headline figures of one region at the end of `period` (default: latest month); `has_books`
        and `has_records` tell whether it has any ledger up to then and any business records."""
        region = scope.require(region)
        period = period or self.latest_period()
        key = ("kpis", scope.cache_key(), region, period)  # the scope is part of every cache key
        hit = self.state.cache.get(key)
        if hit is None:
            hit = self.state.cache[key] = self._kpis(region, period)
        return dict(hit)

    def _kpis(self, region: int, period: int) -> dict:
        rows = self._rows(region)
        _, figs = figures(rows, period)
        lo, hi = subtree_bounds(region)
        _, facts = self._facts_sum(lo, hi)
        # whether the figures are data: books up to `period`, business records (else 暂无数据, not 0.00)
        out = {"region": region, "name": self.tree.name(region), "level": level_of(region), "period": period,
               "has_books": bool((rows.get_column("period").to_numpy() <= period).any()),
               "has_records": any(int(facts[c][0]) for c in FACT_COLUMNS)}
        out.update({k: int(v[0]) for k, v in figs.items()})
        out.update({k: int(v[0]) for k, v in facts.items()})
        out.update(self._income_bands(region, period))
        return out

    def _village_ytd_income(self, period: int) -> tuple[np.ndarray, np.ndarray]:
        """(village codes, year-to-date operating income) for every village; cached per period
        on the current state, so a region's bands are a binary-searched slice."""
        state = self.state
        return _memo(state, ("ytd_income", period), lambda: village_ytd_income(state.rollups[VILLAGE], period))

    def _income_bands(self, region: int, period: int) -> dict:
        """Villages by year-to-date operating income: above 100k and 500k yuan."""
        lo, hi = subtree_bounds(region)
        codes, income = self._village_ytd_income(period)
        part = income[np.searchsorted(codes, lo, "left"):np.searchsorted(codes, hi, "right")]
        return {"villages_income_over_100k": int((part > 10_000_000).sum()),
                "villages_income_over_500k": int((part > 50_000_000).sum())}

    def children(self, scope: Scope, region: int, period: int | None = None) -> pl.DataFrame:
        """The next level down with their figures (drill-down), including children without data."""
        region = scope.require(region)
        level = level_of(region)
        if level >= VILLAGE:
            raise ValueError("村级以下没有下级区域")
        period = period or self.latest_period()
        lo, hi = subtree_bounds(region)
        kids = scoped_frame(self.tree.children(region), scope, "code")
        keys = kids.get_column("code").to_numpy()
        rows = self._rows(region, level + 1)
        values = aligned(keys, figures(rows, period, by_code=True), self._facts_sum(lo, hi, by_level=level + 1))
        booked = np.unique(rows.get_column("code").to_numpy()[rows.get_column("period").to_numpy() <= period])
        return kids.select("code", "name", "level").hstack(
            [pl.Series(k, v, pl.Int64) for k, v in values.items()]
            + [pl.Series("has_books", np.isin(keys, booked), pl.Boolean)])

    def monthly(self, scope: Scope, region: int, start: int | None = None, end: int | None = None) -> pl.DataFrame:
        """Monthly series of one region: flows of the month and balances at month end."""
        region = scope.require(region)
        rows = self._rows(region).filter(pl.col("code") == region).sort("period")
        seq = pl.DataFrame({"period": self.periods()}, schema={"period": pl.Int32})
        full = seq.join(rows.drop("code"), on="period", how="left").with_columns(
            pl.col(k).fill_null(0) for k in MEASURE_KEYS).sort("period")
        full = full.with_columns(pl.col(k).cum_sum() for k in BALANCE_KEYS).with_columns(
            pl.sum_horizontal(pl.col(k) * s for k, s in parts.items()).cast(pl.Int64).alias(key)
            for key, (_, parts) in DERIVED.items())
        if start:
            full = full.filter(pl.col("period") >= start)
        if end:
            full = full.filter(pl.col("period") <= end)
        return full

    def asset_value(self, scope: Scope, region: int) -> pl.DataFrame:
        """Total and per-category collective assets at each month end, with year-on-year growth."""
        from domain.accounting import ASSET_KEYS

        m = self.monthly(scope, region).select("period", *ASSET_KEYS, "total_assets")
        return m.with_columns(
            pl.when(pl.col("total_assets").shift(12) > 0)
            .then(pl.col("total_assets") / pl.col("total_assets").shift(12) - 1).otherwise(None).alias("yoy_growth"))

    def villages(self, scope: Scope, region: int, period: int | None = None) -> pl.DataFrame:
        """Every village under `region` with its figures (for rankings and concentration)."""
        region = scope.require(region)
        period = period or self.latest_period()
        lo, hi = subtree_bounds(region)
        every = self._all_villages(period)
        codes = every.get_column("code").to_numpy()
        i0, i1 = int(np.searchsorted(codes, lo, "left")), int(np.searchsorted(codes, hi, "right"))
        return scoped_frame(every.slice(i0, i1 - i0), scope, "code")

    def _all_villages(self, period: int) -> pl.DataFrame:
        """The figures of every village with books at `period`, sorted by code; computed once per
        state and period (a ranking of a city's 1,500 villages is then a slice)."""
        state = self.state

        def compute() -> pl.DataFrame:
            codes, figs = figures(state.rollups[VILLAGE], period, by_code=True)
            frame = pl.DataFrame({"code": codes, **figs}, schema=dict.fromkeys(("code", *figs), pl.Int64))
            names = self.tree.frame.filter(pl.col("level") == VILLAGE).select("code", "name")
            return names.join(frame, on="code", how="inner").sort("code")

        return _memo(state, ("villages", period), compute)

    def growth(self, scope: Scope, region: int, period: int | None = None) -> pl.DataFrame:
        """Children of `region` with total assets now and twelve months earlier and the growth
        rate (保值增值 ranking). Growth is null where there was nothing a year ago."""
        region = scope.require(region)
        period = period or self.latest_period()
        year_ago = period - 100
        now = self.children(scope, region, period).select("code", "name", "total_assets", "villages")
        before = self.children(scope, region, year_ago).select("code", pl.col("total_assets").alias("total_assets_prev"))
        return now.join(before, on="code", how="left").with_columns(
            pl.when(pl.col("total_assets_prev") > 0)
            .then(pl.col("total_assets") / pl.col("total_assets_prev") - 1).otherwise(None).alias("growth"))

    def concentration(self, scope: Scope, region: int, period: int | None = None) -> dict:
        """How concentrated assets are: the share held by the richest 14% / 10% of villages and
        the Lorenz curve (cumulative share of villages vs of assets, poorest first)."""
        frame = self.villages(scope, region, period).select("total_assets").filter(pl.col("total_assets") > 0)
        values = np.sort(frame.get_column("total_assets").to_numpy())
        n, total = len(values), int(values.sum()) if len(values) else 0
        if not n or total <= 0:
            return {"villages": 0, "top14_share": None, "top10_share": None, "gini": None, "lorenz": ([0.0], [0.0])}
        cum = np.cumsum(values) / total
        top = lambda q: float(values[n - max(int(round(n * q)), 1):].sum() / total)
        gini = float(1 - 2 * (cum.sum() - cum[-1] / 2) / n)
        idx = np.unique(np.linspace(0, n - 1, min(n, 200)).astype(int))
        return {"villages": n, "top14_share": top(0.14), "top10_share": top(0.10), "gini": gini,
                "lorenz": ([0.0, *((idx + 1) / n).tolist()], [0.0, *cum[idx].tolist()])}

    def warnings(self, scope: Scope, region: int, limit: int = 10, recent_days: int = 30) -> pl.DataFrame:
        """The open warnings of the subtree of `region` raised in the last `recent_days`, most severe
        first (a rule run raises many at once); the newest overall when none is that recent."""
        region = scope.require(region)
        lo, hi = subtree_bounds(region)
        since = ((self.today or clock.today()) - dt.timedelta(days=recent_days)).isoformat()
        base = ("SELECT id, rule_id, region_code AS code, severity, status, title, raised_at FROM warnings "
                f"WHERE region_code BETWEEN {int(lo)} AND {int(hi)} AND status IN {UNHANDLED_SQL} ")
        frame = self.reader.read(base + f"AND raised_at >= '{since}' ORDER BY severity DESC, raised_at DESC, id DESC "
                                        f"LIMIT {int(limit)}")
        if frame.is_empty():
            frame = self.reader.read(base + f"ORDER BY raised_at DESC, id DESC LIMIT {int(limit)}")
        if frame.is_empty():
            return pl.DataFrame(schema={"id": pl.Int64, "rule_id": pl.String, "code": pl.Int64, "severity": pl.Int64,
                                        "status": pl.String, "title": pl.String, "raised_at": pl.String})
        return scoped_frame(frame.with_columns(pl.col("code").cast(pl.Int64)), scope, "code")

    # ------------------------------------------------------------------ stats
    def info(self) -> dict:
        s = self.state
        return {"watermark": s.watermark, "rows": {lv: f.height for lv, f in s.rollups.items()},
                "latest_period": self.latest_period(), "load_seconds": self.load_seconds, "copy": s.copy,
                "copy_watermark": s.base_watermark}
