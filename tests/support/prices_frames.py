"""Hand-made frames of data.prices.index's shapes (for the figure factories' tests only)."""
from __future__ import annotations

import math

import polars as pl


def index_table(periods: int = 12, thin: tuple[int, ...] = (0, 1, 7)) -> pl.DataFrame:
    names = [f"{2016 + i // 4}Q{i % 4 + 1}" for i in range(periods)]
    idx = [100 * math.exp(0.02 * i) for i in range(periods)]
    sup = [i in thin for i in range(periods)]
    first = next((i for i in range(periods) if not sup[i]), 0)
    idx = [v / idx[first] * 100 for v in idx]
    chained = [None if s or i == 0 or sup[i - 1] else idx[i] / idx[i - 1] * 100 for i, s in enumerate(sup)]
    return pl.DataFrame({
        "period": names, "index": [None if s else v for v, s in zip(idx, sup)],
        "lower": [None if s else v * 0.95 for v, s in zip(idx, sup)],
        "upper": [None if s else v * 1.05 for v, s in zip(idx, sup)],
        "chained": chained, "chained_lower": [c and c * 0.96 for c in chained],
        "chained_upper": [c and c * 1.04 for c in chained],
        "n": pl.Series([4 if s else 40 + 3 * i for i, s in enumerate(sup)], dtype=pl.Int64),
        "counties": pl.Series([2 if s else 8 for s in sup], dtype=pl.Int64),
        "suppressed": sup,
        "reason": [("本期仅 4 宗成交（少于 10 宗不发布）" if s else None) for s in sup],
    }, schema_overrides={"index": pl.Float64, "lower": pl.Float64, "upper": pl.Float64, "chained": pl.Float64,
                         "chained_lower": pl.Float64, "chained_upper": pl.Float64, "reason": pl.Utf8})


def methods_table(periods: int = 12, thin: tuple[int, ...] = (0, 1, 7)) -> pl.DataFrame:
    t = index_table(periods, thin)
    return t.select("period", hedonic="index", median=pl.col("index") * (1 + pl.int_range(pl.len()) * 0.02),
                    mix_adjusted=pl.col("index") * 1.01, n="n", suppressed="suppressed")


def coefficients() -> pl.DataFrame:
    return pl.DataFrame({"term": ["ln_volume", "age[mature]", "site[2]"],
                         "label": ["ln(每亩蓄积量)", "龄组：成熟林", "立地：2 级"],
                         "coef": [0.55, 0.10, 0.15], "se": [0.01, 0.02, 0.05], "t": [55.0, 5.0, 3.0],
                         "p": [0.0, 0.00001, 0.07]})
