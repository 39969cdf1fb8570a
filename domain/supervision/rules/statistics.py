"""Statistical anomalies: spending jumps and Benford's first-digit test."""
from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping

import polars as pl

from domain.money import period_label, period_of

from .base import Finding, Frames, make_finding, months_back, yuan


def check_spending_jump(f: Frames, p: Mapping, today: dt.date) -> list[Finding]:
    """A month among the last `recent_months` whose spending is at least `ratio_percent`% of the
    village's median month over the previous `history_months` (at least `min_history_months` of
    them) and more than `z` robust standard deviations (1.4826 x MAD) above it."""
    sp = f["spending"].filter(pl.col("period") <= period_of(today))
    now = period_of(today)
    first_recent = months_back(now, int(p["recent_months"]) - 1)
    recent = sp.filter((pl.col("period") >= first_recent) & (pl.col("spend_fen") >= p["min_fen"]))
    if recent.is_empty():
        return []
    hist = (recent.select("org_id", pl.col("period").alias("p"), "spend_fen").rename({"spend_fen": "spend"})
            .join(sp.select("org_id", "period", "spend_fen"), on="org_id")
            .filter(pl.col("period") < pl.col("p"))
            .with_columns(((pl.col("p") // 100 * 12 + pl.col("p") % 100)
                           - (pl.col("period") // 100 * 12 + pl.col("period") % 100)).alias("lag"))
            .filter(pl.col("lag") <= p["history_months"]))
    med = hist.group_by("org_id", "p").agg(pl.col("spend_fen").quantile(0.5, "lower").cast(pl.Int64).alias("median_fen"),
                                           pl.len().alias("months"))
    mad = (hist.join(med, on=["org_id", "p"]).group_by("org_id", "p")
           .agg((pl.col("spend_fen") - pl.col("median_fen")).abs().quantile(0.5, "lower").cast(pl.Int64).alias("mad_fen")))
    rows = (recent.rename({"period": "p"}).join(med, on=["org_id", "p"]).join(mad, on=["org_id", "p"])
            .filter((pl.col("months") >= p["min_history_months"])
                    & (pl.col("spend_fen") * 100 >= pl.col("median_fen") * p["ratio_percent"])
                    & ((pl.col("spend_fen") - pl.col("median_fen")) > pl.col("mad_fen") * 1.4826 * p["z"])))
    out = []
    for r in rows.iter_rows(named=True):
        robust = None if not r["mad_fen"] else round((r["spend_fen"] - r["median_fen"]) / (1.4826 * r["mad_fen"]), 2)
        out.append(make_finding("spending_jump", r, "org", r["org_id"],
                                f"{period_label(r['p'])}支出{yuan(r['spend_fen'])}，为本村此前{r['months']}个月中位数"
                                f"{yuan(r['median_fen'])}的{r['spend_fen'] * 100 // max(r['median_fen'], 1)}%",
                                {"period": r["p"], "spend_fen": r["spend_fen"], "median_fen": r["median_fen"],
                                 "mad_fen": r["mad_fen"], "robust_z": robust, "months": r["months"],
                                 "ratio_percent": p["ratio_percent"], "z": p["z"]}, r["p"]))
    return out


BENFORD = [math.log10(1 + 1 / d) for d in range(1, 10)]


def chi2_sf_8(x: float) -> float:
    """P(X >= x) for a chi-square variable with 8 degrees of freedom: the regularised upper
    gamma Q(4, x/2), which for an integer shape has the closed form e^-y (1 + y + y^2/2 + y^3/6)."""
    if x <= 0:
        return 1.0
    y = x / 2
    return math.exp(-y) * (1 + y + y * y / 2 + y ** 3 / 6)


def nigrini_band(mad: float) -> str:
    """Nigrini's first-digit conformity bands for the mean absolute deviation."""
    if mad <= 0.006:
        return "高度符合"
    if mad <= 0.012:
        return "可接受的符合"
    if mad <= 0.015:
        return "勉强符合"
    return "不符合"


def benford_stats(counts: list[int]) -> dict:
    """Chi-square (8 dof), its p-value and the MAD of first-digit counts (digits 1..9)."""
    n = sum(counts)
    chi2 = sum((o - n * e) ** 2 / (n * e) for o, e in zip(counts, BENFORD))
    mad = sum(abs(o / n - e) for o, e in zip(counts, BENFORD)) / 9
    return {"n": n, "chi2": chi2, "p_value": chi2_sf_8(chi2), "mad": mad, "band": nigrini_band(mad)}


def check_benford(f: Frames, p: Mapping, today: dt.date) -> list[Finding]:
    """First digits of a village's payments of `min_amount_fen` or more over the last `months`
    months (at least `min_count` of them) against Benford's law: chi-square p-value below
    `p_value` and MAD above `mad` (Nigrini's nonconformity)."""
    start = dt.date(*divmod(months_back(period_of(today), int(p["months"]) - 1), 100), 1)
    pay = f["payment_lines"].filter((pl.col("date") >= start) & (pl.col("date") <= today)
                                    & (pl.col("amount_fen") >= p["min_amount_fen"]))
    if pay.is_empty():
        return []
    digits = (pay.with_columns(pl.col("amount_fen").cast(pl.String).str.slice(0, 1).cast(pl.Int8).alias("d"))
              .group_by("org_id", "region_code", "d").agg(pl.len().alias("c")))
    wide = digits.pivot(on="d", index=["org_id", "region_code"], values="c", sort_columns=True)
    for d in range(1, 10):
        if str(d) not in wide.columns:
            wide = wide.with_columns(pl.lit(0, pl.UInt32).alias(str(d)))
    cols = [str(d) for d in range(1, 10)]
    n = pl.sum_horizontal([pl.col(c).fill_null(0) for c in cols])
    chi2 = pl.sum_horizontal([(pl.col(c).fill_null(0) - n * e) ** 2 / (n * e) for c, e in zip(cols, BENFORD)])
    mad = pl.sum_horizontal([(pl.col(c).fill_null(0) / n - e).abs() for c, e in zip(cols, BENFORD)]) / 9
    y = chi2 / 2
    pval = (-y).exp() * (1 + y + y * y / 2 + y ** 3 / 6)
    stats = (wide.with_columns(n.alias("n")).filter(pl.col("n") >= p["min_count"])
             .with_columns(chi2.alias("chi2"), mad.alias("mad"))
             .with_columns(pval.alias("p_value"))
             .filter((pl.col("p_value") < p["p_value"]) & (pl.col("mad") > p["mad"])))
    out = []
    for r in stats.iter_rows(named=True):
        counts = [int(r[c] or 0) for c in cols]
        out.append(make_finding("benford", r, "org", r["org_id"],
                                f"{start}以来{r['n']}笔支付首位数字偏离本福特分布（χ²={r['chi2']:.1f}，p={r['p_value']:.2g}，"
                                f"MAD={r['mad']:.4f}，{nigrini_band(r['mad'])}）",
                                {"n": r["n"], "counts": counts, "expected_share": [round(e, 4) for e in BENFORD],
                                 "chi2": round(r["chi2"], 3), "dof": 8, "p_value": r["p_value"], "mad": round(r["mad"], 5),
                                 "band": nigrini_band(r["mad"]), "since": start.isoformat(), "min_count": p["min_count"],
                                 "p_threshold": p["p_value"], "mad_threshold": p["mad"]}, today.year))
    return out
