"""Receivables and payables outstanding for years (first in, first out)."""
from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

import polars as pl

from .base import Finding, Frames, RECEIVABLE, make_finding, iso_date, short_hash, titled, years_before, yuan


def aged_balances(arap: pl.DataFrame, today: dt.date, years: int, until_years: int | None) -> pl.DataFrame:
    """First-in-first-out ageing of receivables (112, debit increases) and payables (211, credit
    increases) per organisation, account and counterparty: the part of today's balance that arose
    `years` or more years ago (on or before the cut-off date) is the balance less what arose
    after the cut-off; with `until_years`, less the part older than that."""
    cut = years_before(today, years)
    inc = pl.when(pl.col("account_code") == RECEIVABLE).then(pl.col("debit_fen")).otherwise(pl.col("credit_fen"))
    dec = pl.when(pl.col("account_code") == RECEIVABLE).then(pl.col("credit_fen")).otherwise(pl.col("debit_fen"))
    key = ["org_id", "region_code", "account_code", "counterparty"]
    a = arap.filter(pl.col("date") <= today).with_columns(pl.col("counterparty").fill_null(""), inc.alias("inc"),
                                                         dec.alias("dec"))
    aggs = [(pl.col("inc") - pl.col("dec")).sum().alias("balance_fen"),
            pl.col("inc").filter(pl.col("date") > cut).sum().alias("recent_fen"),
            pl.col("dec").sum().alias("settled_fen")]
    if until_years:
        upper = years_before(today, until_years)
        aggs.append(pl.col("inc").filter(pl.col("date") > upper).sum().alias("recent_upper_fen"))
    g = a.group_by(key).agg(aggs).with_columns(
        (pl.col("balance_fen") - pl.col("recent_fen")).clip(lower_bound=0).alias("aged_fen"))
    if until_years:
        g = g.with_columns((pl.col("aged_fen") - (pl.col("balance_fen") - pl.col("recent_upper_fen")).clip(lower_bound=0))
                           .alias("aged_fen"))
    g = g.filter(pl.col("aged_fen") > 0)
    if g.is_empty():
        return g.with_columns(pl.lit(None, pl.Date).alias("oldest_on"), pl.lit(cut).alias("cutoff"))
    # the oldest item not yet settled (FIFO): the first date at which the running increases
    # exceed everything settled so far
    oldest = (a.join(g.select(key + ["settled_fen"]), on=key).sort("date")
              .with_columns(pl.col("inc").cum_sum().over(key).alias("cum_inc"))
              .filter(pl.col("cum_inc") > pl.col("settled_fen"))
              .group_by(key).agg(pl.col("date").min().alias("oldest_on")))
    return g.join(oldest, on=key, how="left").with_columns(pl.lit(cut).alias("cutoff"))


def check_aged(rule_id: str, label: str):
    def check(f: Frames, p: Mapping, today: dt.date) -> list[Finding]:
        rows = aged_balances(f["arap"], today, int(p["years"]), p.get("until_years")).filter(
            pl.col("aged_fen") >= p["min_fen"])
        out = []
        for r in rows.iter_rows(named=True):
            acct = "应收款" if r["account_code"] == RECEIVABLE else "应付款"
            who = titled(r["counterparty"], None) or "未列明往来单位"
            out.append(make_finding(rule_id, r, "org", r["org_id"],
                                    f"{acct}（{who}）{yuan(r['aged_fen'])}挂账{label}（最早{r['oldest_on']}形成）",
                                    {"account_code": r["account_code"], "counterparty": r["counterparty"],
                                     "aged_fen": r["aged_fen"], "balance_fen": r["balance_fen"],
                                     "cutoff": iso_date(r["cutoff"]), "oldest_on": iso_date(r["oldest_on"]),
                                     "years": int(p["years"])},
                                    f"{r['account_code']}-{short_hash(r['counterparty'])}"))
        return out
    return check
