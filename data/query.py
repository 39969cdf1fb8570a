"""The polars query layer: the only read path for dashboards.

Design (see shared/PERFORMANCE.md):
- The ledger is append-only, so the layer keeps *movement* roll-ups per region level × month
  (22 measures as int64 fen), built once and then advanced incrementally from the lines whose id
  is above a watermark. Balances are cumulative sums over a region's months at query time.
- Each level's frame is sorted by (code, period): a region subtree is a contiguous slice found by
  binary search, so every query touches hundreds of rows, not millions.
- Bulk reads from the database go through connectorx (Arrow-native; on SQLite in a child
  process, see `QueryLayer._read`). Roll-ups are snapshotted to
  Parquet beside the data so a restart with tens of millions of ledger lines takes seconds.
- Every public query takes a `Scope` and refuses (OutOfScope) a region outside it; results are
  filtered to the scope's ranges once more before they are returned.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import subprocess
import sys
import tempfile
import threading
import time
from domain import clock
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import polars as pl

from data.db import engine_for, to_arrow_uri
from domain.regions import VILLAGE, level_of, subtree_bounds
from data.regions import load_region_tree
from domain.accounting import BALANCE_KEYS, DERIVED, FLOW_KEYS, MEASURES
from domain.permissions import Scope
from settings import Settings

MEASURE_KEYS = BALANCE_KEYS + FLOW_KEYS
LEVEL_DIVISOR = {1: 10**10, 2: 10**8, 3: 10**6, 4: 10**3, 5: 1}
SNAPSHOT_FORMAT = 1
FACT_COLUMNS = ("orgs", "resource_count", "resource_area_cmu", "contracted_area_cmu", "asset_count",
                "asset_original_fen", "asset_net_fen", "contracts_active", "contract_amount_fen",
                "instalments_overdue", "overdue_fen", "expiring_90d", "listings", "deals", "deal_fen", "warnings_open")


def _measure_exprs() -> list[pl.Expr]:
    net = pl.col("debit_fen") - pl.col("credit_fen")
    exprs = []
    for m in MEASURES:
        signs = set(m.accounts.values())
        assert len(signs) == 1, m.key
        exprs.append(pl.when(pl.col("account_code").is_in(list(m.accounts))).then(net * signs.pop())
                     .otherwise(0).alias(m.key))
    return exprs


def village_rollup(lines: pl.LazyFrame | pl.DataFrame) -> pl.DataFrame:
    """Ledger lines (region_code, period, account_code, debit_fen, credit_fen) -> village × month movements."""
    lf = lines.lazy() if isinstance(lines, pl.DataFrame) else lines
    return (lf.select(pl.col("region_code").alias("code"), pl.col("period").cast(pl.Int32), *_measure_exprs())
            .group_by("code", "period").agg(pl.col(k).sum() for k in MEASURE_KEYS)
            .sort("code", "period").collect(engine="streaming"))


def roll_up(frame: pl.DataFrame, level: int) -> pl.DataFrame:
    div = LEVEL_DIVISOR[level]
    return (frame.lazy().with_columns((pl.col("code") // div * div).alias("code"))
            .group_by("code", "period").agg(pl.col(k).sum() for k in MEASURE_KEYS)
            .sort("code", "period").collect())


def all_levels(village: pl.DataFrame) -> dict[int, pl.DataFrame]:
    out = {VILLAGE: village}
    for level in (4, 3, 2, 1):
        out[level] = roll_up(out[level + 1], level)
    return out


@dataclass(frozen=True)
class _State:
    rollups: dict[int, pl.DataFrame]
    watermark: int
    generation: str
    facts: pl.DataFrame
    facts_version: int
    periods: tuple[int, ...] = field(default=())
    #: derived values memoised for this state (a refresh makes a new state, so it never goes stale)
    cache: dict = field(default_factory=dict)


def _period_seq(first: int, last: int) -> list[int]:
    out, p = [], first
    while p <= last:
        out.append(p)
        p = p + 1 if p % 100 < 12 else (p // 100 + 1) * 100 + 1
    return out


class QueryLayer:
    def __init__(self, settings: Settings, today: dt.date | None = None):
        self.settings = settings
        self.url = settings.database_url
        self.uri = to_arrow_uri(self.url)
        self.tree = load_region_tree(settings.province)
        self.today = today
        self._lock = threading.Lock()
        self._state: _State | None = None
        self._last_check = 0.0
        self.load_seconds: float | None = None

    # ------------------------------------------------------------------ loading
    @property
    def _sqlite(self) -> bool:
        return self.url.startswith("sqlite")

    def _read(self, sql: str) -> pl.DataFrame:
        """A small read (marks, aggregated facts, ledger deltas).

        On SQLite it goes through the process's own SQLite library: a second copy of SQLite in
        the same process (connectorx and ADBC bundle theirs) would break the POSIX locks of the
        first one and can corrupt a WAL database (sqlite.org/howtocorrupt.html §2.2)."""
        if self._sqlite:
            with engine_for(self.url).connect() as conn:
                return pl.read_database(sql, conn, infer_schema_length=None)
        return pl.read_database_uri(sql, self.uri, engine="connectorx")

    def _read_bulk(self, sql: str) -> pl.DataFrame:
        """A large read, Arrow-native through connectorx. On SQLite it runs in a child process
        (see `_read`) that hands the result back as an Arrow IPC file."""
        if not self._sqlite:
            return pl.read_database_uri(sql, self.uri, engine="connectorx")
        with tempfile.TemporaryDirectory(dir=self.settings.data_dir) as tmp:
            out = Path(tmp) / "read.arrow"
            subprocess.run([sys.executable, "-m", "data.arrow_export", self.uri, sql, str(out)], check=True,
                           cwd=Path(__file__).resolve().parent.parent)
            return pl.read_ipc(out)

    def _snapshot_dir(self):
        key = hashlib.sha256(self.url.encode()).hexdigest()[:12]
        return self.settings.snapshot_dir / key

    def _db_generation(self) -> str:
        df = self._read("SELECT value FROM platform_settings WHERE key = 'ledger_generation'")
        return json.loads(df["value"][0])["id"] if df.height else ""

    def _db_marks(self) -> tuple[int, int]:
        df = self._read("SELECT (SELECT COALESCE(MAX(id), 0) FROM voucher_lines) AS wm, "
                        "(SELECT value FROM platform_settings WHERE key = 'facts_version') AS fv")
        fv = df["fv"][0]
        return int(df["wm"][0]), int(json.loads(fv)["v"]) if fv else 0

    def build_snapshot_from_frame(self, lines: pl.DataFrame, generation: str) -> None:
        """Used by the generator, which has the ledger in memory already."""
        rollups = all_levels(village_rollup(lines))
        self._save_snapshot(rollups, int(lines["id"].max() or 0), generation)

    def _save_snapshot(self, rollups: dict[int, pl.DataFrame], watermark: int, generation: str) -> None:
        d = self._snapshot_dir()
        d.mkdir(parents=True, exist_ok=True)
        for level, frame in rollups.items():
            frame.write_parquet(d / f"level{level}.parquet.tmp", compression="lz4")
            (d / f"level{level}.parquet.tmp").replace(d / f"level{level}.parquet")
        (d / "meta.json").write_text(json.dumps({"format": SNAPSHOT_FORMAT, "watermark": watermark,
                                                 "generation": generation}))

    def _load_snapshot(self, generation: str) -> tuple[dict[int, pl.DataFrame], int] | None:
        d = self._snapshot_dir()
        try:
            meta = json.loads((d / "meta.json").read_text())
        except (FileNotFoundError, ValueError):
            return None
        if meta.get("format") != SNAPSHOT_FORMAT or meta.get("generation") != generation:
            return None
        return {lv: pl.read_parquet(d / f"level{lv}.parquet") for lv in (1, 2, 3, 4, 5)}, int(meta["watermark"])

    def cold_build(self) -> tuple[dict[int, pl.DataFrame], int]:
        lines = self._read_bulk("SELECT id, region_code, period, account_code, debit_fen, credit_fen FROM voucher_lines")
        watermark = int(lines["id"].max() or 0) if lines.height else 0
        return all_levels(village_rollup(self._typed(lines))), watermark

    @staticmethod
    def _typed(lines: pl.DataFrame) -> pl.DataFrame:
        if lines.is_empty():
            return pl.DataFrame(schema={"region_code": pl.Int64, "period": pl.Int32, "account_code": pl.Int16,
                                        "debit_fen": pl.Int64, "credit_fen": pl.Int64})
        return lines.with_columns(pl.col("region_code").cast(pl.Int64), pl.col("period").cast(pl.Int32),
                                  pl.col("account_code").cast(pl.Int16))

    def load(self) -> QueryLayer:
        t0 = time.perf_counter()
        generation = self._db_generation()
        snap = self._load_snapshot(generation)
        if snap is None:
            rollups, watermark = self.cold_build()
            self._save_snapshot(rollups, watermark, generation)
        else:
            rollups, watermark = snap
        with self._lock:
            self._state = _State(rollups=rollups, watermark=watermark, generation=generation,
                                 facts=self._load_facts(), facts_version=self._db_marks()[1])
        self.refresh(force=True)
        self.load_seconds = time.perf_counter() - t0
        return self

    # ------------------------------------------------------------------ refresh
    def refresh(self, force: bool = False) -> int:
        """Advance the roll-ups with ledger lines posted since the watermark (by any process) and
        reload the per-village facts when they changed. Returns the number of new lines."""
        state = self.state
        wm, fv = self._db_marks()
        if not force and wm <= state.watermark and fv == state.facts_version:
            self._last_check = time.monotonic()  # nothing new: keep the state and its memoised answers
            return 0
        new_lines = 0
        rollups = state.rollups
        if wm > state.watermark:
            lines = self._typed(self._read(
                f"SELECT id, region_code, period, account_code, debit_fen, credit_fen FROM voucher_lines "
                f"WHERE id > {int(state.watermark)} AND id <= {int(wm)}"))
            new_lines = lines.height
            rollups = self._apply_delta(rollups, village_rollup(lines))
        facts = state.facts if (fv == state.facts_version and not force) else self._load_facts()
        with self._lock:
            self._state = _State(rollups=rollups, watermark=max(wm, state.watermark), generation=state.generation,
                                 facts=facts, facts_version=fv)
        self._last_check = time.monotonic()
        return new_lines

    def maybe_refresh(self, min_interval: float = 2.0) -> None:
        if time.monotonic() - self._last_check >= min_interval:
            self.refresh()

    @staticmethod
    def _apply_delta(rollups: dict[int, pl.DataFrame], delta_village: pl.DataFrame) -> dict[int, pl.DataFrame]:
        out = {}
        for level, frame in rollups.items():
            delta = delta_village if level == VILLAGE else roll_up(delta_village, level)
            touched = delta.get_column("code").unique().sort()
            parts, pos = [], 0
            codes = frame.get_column("code")
            for code in touched:
                i0 = int(codes.search_sorted(code, side="left"))
                i1 = int(codes.search_sorted(code, side="right"))
                parts.append(frame.slice(pos, i0 - pos))
                merged = (pl.concat([frame.slice(i0, i1 - i0), delta.filter(pl.col("code") == code)])
                          .group_by("code", "period").agg(pl.col(k).sum() for k in MEASURE_KEYS).sort("period"))
                parts.append(merged.select(frame.columns))
                pos = i1
            parts.append(frame.slice(pos))
            out[level] = pl.concat(parts, rechunk=len(parts) > 64)
        return out

    def _load_facts(self) -> pl.DataFrame:
        today = (self.today or clock.today()).isoformat()
        soon = ((self.today or clock.today()) + dt.timedelta(days=90)).isoformat()
        q = {
            "orgs": "SELECT region_code AS code, COUNT(*) AS orgs FROM collective_orgs GROUP BY region_code",
            "res": "SELECT region_code AS code, COUNT(*) AS resource_count, "
                   "CAST(ROUND(SUM(area_mu) * 100) AS BIGINT) AS resource_area_cmu, "
                   "CAST(ROUND(SUM(CASE WHEN contracted THEN area_mu ELSE 0 END) * 100) AS BIGINT) AS contracted_area_cmu "
                   "FROM resources GROUP BY region_code",
            "assets": "SELECT region_code AS code, COUNT(*) AS asset_count, SUM(original_value_fen) AS asset_original_fen, "
                      "SUM(original_value_fen - accumulated_depreciation_fen) AS asset_net_fen FROM assets "
                      "WHERE status <> 'disposed' GROUP BY region_code",
            "contracts": "SELECT region_code AS code, COUNT(*) AS contracts_active, SUM(amount_fen) AS contract_amount_fen, "
                         f"SUM(CASE WHEN end_on >= '{today}' AND end_on <= '{soon}' THEN 1 ELSE 0 END) AS expiring_90d "
                         "FROM contracts WHERE status = 'active' GROUP BY region_code",
            "overdue": "SELECT region_code AS code, COUNT(*) AS instalments_overdue, "
                       "SUM(amount_fen - received_fen) AS overdue_fen FROM contract_instalments "
                       f"WHERE due_on < '{today}' AND received_fen < amount_fen GROUP BY region_code",
            "trades": "SELECT region_code AS code, COUNT(*) AS listings, "
                      "SUM(CASE WHEN status = 'awarded' THEN 1 ELSE 0 END) AS deals, "
                      "SUM(COALESCE(deal_price_fen, 0)) AS deal_fen FROM trade_listings GROUP BY region_code",
            "warnings": "SELECT region_code AS code, COUNT(*) AS warnings_open FROM warnings "
                        "WHERE status <> 'closed' GROUP BY region_code",
        }
        frame = self.tree.frame.filter(pl.col("level") == VILLAGE).select("code")
        for sql in q.values():
            part = self._read(sql)
            if part.height:
                part = part.with_columns(pl.all().cast(pl.Int64))
                frame = frame.join(part, on="code", how="left")
            else:
                frame = frame.with_columns(pl.lit(0, pl.Int64).alias(c) for c in
                                           self._cols_of(sql))
        return frame.with_columns(pl.col(c).fill_null(0).cast(pl.Int64) for c in FACT_COLUMNS).sort("code")

    @staticmethod
    def _cols_of(sql: str) -> list[str]:
        head = sql.split(" FROM ")[0]
        return [c for c in FACT_COLUMNS if f"AS {c}" in head]

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
        return _period_seq(int(frame["period"].min()), int(frame["period"].max()))

    def _cut(self, which: int | str, lo: int, hi: int) -> pl.DataFrame:
        """Rows of a roll-up level (or the facts) whose code lies in [lo, hi]: a binary search on
        the sorted code column, memoised as numpy for the current state."""
        state = self.state
        frame = state.facts if which == "facts" else state.rollups[which]
        codes = state.cache.get(("codes", which))
        if codes is None:
            codes = state.cache[("codes", which)] = frame.get_column("code").to_numpy()
        i0, i1 = int(np.searchsorted(codes, lo, "left")), int(np.searchsorted(codes, hi, "right"))
        return frame.slice(i0, i1 - i0)

    def _rows(self, region: int, level: int | None = None) -> pl.DataFrame:
        level = level or level_of(region)
        lo, hi = subtree_bounds(region)
        return self._cut(level, lo, hi)

    @staticmethod
    def _figures(rows: pl.DataFrame, period: int, by_code: bool = False) -> tuple[np.ndarray, dict[str, np.ndarray]]:
        """Balances at the end of `period`, year-to-date and month flows, derived figures: one
        value per measure, or one per code when `by_code` (the rows are sorted by code, period).
        Returns (codes, {measure: int64 array}).

        Computed with numpy over the (small) slice: a few hundred rows × 44 measures, where the
        planning overhead of a polars group-by with ~70 expressions would dominate."""
        ystart = period // 100 * 100 + 1
        per = rows.get_column("period").to_numpy()
        upto = per <= period
        ytd = upto & (per >= ystart)
        month = per == period
        codes = rows.get_column("code").to_numpy()
        if by_code:
            starts = np.flatnonzero(np.r_[True, codes[1:] != codes[:-1]]) if len(codes) else np.zeros(0, np.int64)
            codes = codes[starts]

            def total(values: np.ndarray, mask: np.ndarray) -> np.ndarray:
                if not len(starts):
                    return np.zeros(0, np.int64)
                return np.add.reduceat(np.where(mask, values, 0), starts)
        else:
            codes = np.zeros(1, np.int64)

            def total(values: np.ndarray, mask: np.ndarray) -> np.ndarray:
                return np.array([np.where(mask, values, 0).sum()], dtype=np.int64)
        out: dict[str, np.ndarray] = {}
        for k in BALANCE_KEYS:
            out[k] = total(rows.get_column(k).to_numpy(), upto)
        for k in FLOW_KEYS:
            v = rows.get_column(k).to_numpy()
            out[k] = total(v, ytd)
            out[f"{k}_month"] = total(v, month)
        for key, (_, parts) in DERIVED.items():
            out[key] = sum(out[k] * sign for k, sign in parts.items())
        return codes, out

    def _facts_sum(self, lo: int, hi: int, by_level: int | None = None) -> tuple[np.ndarray, dict[str, np.ndarray]]:
        """Per-village facts summed over [lo, hi], or per unit of `by_level`."""
        facts = self._cut("facts", lo, hi)
        codes = facts.get_column("code").to_numpy()
        if by_level is None:
            out = {c: np.array([facts.get_column(c).sum()], dtype=np.int64) for c in FACT_COLUMNS}
            out["villages"] = np.array([facts.height], dtype=np.int64)
            return np.zeros(1, np.int64), out
        div = LEVEL_DIVISOR[by_level]
        groups = codes // div * div
        starts = np.flatnonzero(np.r_[True, groups[1:] != groups[:-1]]) if len(groups) else np.zeros(0, np.int64)
        if not len(starts):
            return np.zeros(0, np.int64), {c: np.zeros(0, np.int64) for c in (*FACT_COLUMNS, "villages")}
        out = {c: np.add.reduceat(facts.get_column(c).to_numpy(), starts) for c in FACT_COLUMNS}
        out["villages"] = np.diff(np.r_[starts, len(groups)]).astype(np.int64)
        return groups[starts], out

    def kpis(self, scope: Scope, region: int, period: int | None = None) -> dict:
        """Headline figures of one region at the end of `period` (default: latest month)."""
        region = scope.require(region)
        period = period or self.latest_period()
        key = ("kpis", scope.cache_key(), region, period)  # the scope is part of every cache key
        hit = self.state.cache.get(key)
        if hit is None:
            hit = self.state.cache[key] = self._kpis(region, period)
        return dict(hit)

    def _kpis(self, region: int, period: int) -> dict:
        _, figs = self._figures(self._rows(region), period)
        lo, hi = subtree_bounds(region)
        _, facts = self._facts_sum(lo, hi)
        out = {"region": region, "name": self.tree.name(region), "level": level_of(region), "period": period}
        out.update({k: int(v[0]) for k, v in figs.items()})
        out.update({k: int(v[0]) for k, v in facts.items()})
        out.update(self._income_bands(region, period))
        return out

    def _village_ytd_income(self, period: int) -> tuple[np.ndarray, np.ndarray]:
        """(village codes, year-to-date operating income) for every village; cached per period
        on the current state, so a region's bands are a binary-searched slice."""
        state = self.state
        hit = state.cache.get(("ytd_income", period))
        if hit is None:
            ystart = period // 100 * 100 + 1
            rows = state.rollups[VILLAGE]
            codes = rows.get_column("code").to_numpy()
            per = rows.get_column("period").to_numpy()
            vals = np.where((per >= ystart) & (per <= period), rows.get_column("income_operating").to_numpy(), 0)
            starts = np.flatnonzero(np.r_[True, codes[1:] != codes[:-1]]) if len(codes) else np.zeros(0, np.int64)
            hit = (codes[starts], np.add.reduceat(vals, starts) if len(starts) else np.zeros(0, np.int64))
            state.cache[("ytd_income", period)] = hit
        return hit

    def _income_bands(self, region: int, period: int) -> dict:
        """Villages by year-to-date operating income: above 100k and 500k yuan."""
        lo, hi = subtree_bounds(region)
        codes, income = self._village_ytd_income(period)
        part = income[np.searchsorted(codes, lo, "left"):np.searchsorted(codes, hi, "right")]
        return {"villages_income_over_100k": int((part > 10_000_000).sum()),
                "villages_income_over_500k": int((part > 50_000_000).sum())}

    @staticmethod
    def _aligned(keys: np.ndarray, *parts: tuple[np.ndarray, dict[str, np.ndarray]]) -> dict[str, np.ndarray]:
        """Put each part's per-code values on the rows of `keys` (sorted); codes without values get 0."""
        out: dict[str, np.ndarray] = {}
        for codes, values in parts:
            idx = np.searchsorted(keys, codes)
            ok = (idx < len(keys)) & (keys[np.minimum(idx, len(keys) - 1)] == codes) if len(keys) else idx < 0
            for name, v in values.items():
                col = np.zeros(len(keys), np.int64)
                col[idx[ok]] = v[ok]
                out[name] = col
        return out

    def children(self, scope: Scope, region: int, period: int | None = None) -> pl.DataFrame:
        """The next level down with their figures (drill-down), including children without data."""
        region = scope.require(region)
        level = level_of(region)
        if level >= VILLAGE:
            raise ValueError("村级以下没有下级区域")
        period = period or self.latest_period()
        lo, hi = subtree_bounds(region)
        kids = self._scoped(scope, self.tree.children(region))
        keys = kids.get_column("code").to_numpy()
        values = self._aligned(keys, self._figures(self._rows(region, level + 1), period, by_code=True),
                               self._facts_sum(lo, hi, by_level=level + 1))
        return kids.select("code", "name", "level").hstack([pl.Series(k, v, pl.Int64) for k, v in values.items()])

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
            (pl.col("total_assets") / pl.col("total_assets").shift(12) - 1).alias("yoy_growth"))

    def villages(self, scope: Scope, region: int, period: int | None = None) -> pl.DataFrame:
        """Every village under `region` with its figures (for rankings and concentration)."""
        region = scope.require(region)
        period = period or self.latest_period()
        lo, hi = subtree_bounds(region)
        every = self._all_villages(period)
        codes = every.get_column("code").to_numpy()
        i0, i1 = int(np.searchsorted(codes, lo, "left")), int(np.searchsorted(codes, hi, "right"))
        return self._scoped(scope, every.slice(i0, i1 - i0))

    def _all_villages(self, period: int) -> pl.DataFrame:
        """The figures of every village with books at `period`, sorted by code; computed once per
        state and period (a ranking of a city's 1,500 villages is then a slice)."""
        state = self.state
        hit = state.cache.get(("villages", period))
        if hit is None:
            codes, figs = self._figures(state.rollups[VILLAGE], period, by_code=True)
            frame = pl.DataFrame({"code": codes, **figs}, schema=dict.fromkeys(("code", *figs), pl.Int64))
            names = self.tree.frame.filter(pl.col("level") == VILLAGE).select("code", "name")
            hit = state.cache[("villages", period)] = names.join(frame, on="code", how="inner").sort("code")
        return hit

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
                f"WHERE region_code BETWEEN {int(lo)} AND {int(hi)} AND status <> 'closed' ")
        frame = self._read(base + f"AND raised_at >= '{since}' ORDER BY severity DESC, raised_at DESC, id DESC "
                                  f"LIMIT {int(limit)}")
        if frame.is_empty():
            frame = self._read(base + f"ORDER BY raised_at DESC, id DESC LIMIT {int(limit)}")
        if frame.is_empty():
            return pl.DataFrame(schema={"id": pl.Int64, "rule_id": pl.String, "code": pl.Int64, "severity": pl.Int64,
                                        "status": pl.String, "title": pl.String, "raised_at": pl.String})
        return self._scoped(scope, frame.with_columns(pl.col("code").cast(pl.Int64)))

    @staticmethod
    def _scoped(scope: Scope, frame: pl.DataFrame) -> pl.DataFrame:
        """Defence in depth: whatever was computed, only rows inside the scope leave."""
        codes = frame.get_column("code").to_numpy()
        inside = np.zeros(len(codes), dtype=bool)
        for lo, hi in scope.ranges:
            inside |= (codes >= lo) & (codes <= hi)
        return frame if inside.all() else frame.filter(pl.Series(inside))

    # ------------------------------------------------------------------ stats
    def info(self) -> dict:
        s = self.state
        return {"watermark": s.watermark, "rows": {lv: f.height for lv, f in s.rollups.items()},
                "latest_period": self.latest_period(), "load_seconds": self.load_seconds}
