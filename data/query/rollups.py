"""The ledger's movement roll-ups: region level × month, 22 measures as int64 fen, each level's
frame sorted by (code, period). Built from ledger lines, advanced by the lines of a delta."""
from __future__ import annotations

import polars as pl

from domain.accounting import BALANCE_KEYS, FLOW_KEYS, MEASURES
from domain.regions import VILLAGE

MEASURE_KEYS = BALANCE_KEYS + FLOW_KEYS
LEVEL_DIVISOR = {1: 10**10, 2: 10**8, 3: 10**6, 4: 10**3, 5: 1}
#: the columns of the ledger lines a roll-up is built from
LINE_COLUMNS = "id, region_code, period, account_code, debit_fen, credit_fen"


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


def typed_lines(lines: pl.DataFrame) -> pl.DataFrame:
    """Ledger lines as read, with the roll-up's types (an empty read: an empty frame of them)."""
    if lines.is_empty():
        return pl.DataFrame(schema={"region_code": pl.Int64, "period": pl.Int32, "account_code": pl.Int16,
                                    "debit_fen": pl.Int64, "credit_fen": pl.Int64})
    return lines.with_columns(pl.col("region_code").cast(pl.Int64), pl.col("period").cast(pl.Int32),
                              pl.col("account_code").cast(pl.Int16))


def apply_delta(rollups: dict[int, pl.DataFrame], delta_village: pl.DataFrame) -> dict[int, pl.DataFrame]:
    """The roll-ups with the village × month movements `delta_village` added: only the codes the
    delta touches are re-aggregated, the rest of each level's frame is sliced around them."""
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


def period_seq(first: int, last: int) -> list[int]:
    """Every month (yyyymm) from `first` to `last`."""
    out, p = [], first
    while p <= last:
        out.append(p)
        p = p + 1 if p % 100 < 12 else (p // 100 + 1) * 100 + 1
    return out
