"""Cash and payment rules: cash over the limit, cash to organisations, takings not deposited, 坐支,
duplicates, officials as payees."""
from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

import polars as pl

from .base import Finding, Frames, make_finding, titled, first_ids, iso_date, yuan


def check_cash_over_limit(f: Frames, p: Mapping, today: dt.date) -> list[Finding]:
    """The cash balance at the end of the latest day with cash movements is above the
    organisation's limit (its own `cash_limit_fen`, else the rule's `limit_fen`). One warning per
    episode: the fingerprint carries the first day of the current run of days above the limit."""
    cash = f["cash"].filter(pl.col("date") <= today)
    if cash.is_empty():
        return []
    limits = f["orgs"].select("org_id", pl.col("cash_limit_fen").fill_null(p["limit_fen"]).alias("limit_fen"))
    daily = (cash.group_by("org_id", "region_code", "date").agg((pl.col("in_fen") - pl.col("out_fen")).sum().alias("net"))
             .sort("org_id", "date")
             .with_columns(pl.col("net").cum_sum().over("org_id").alias("balance_fen"))
             .join(limits, on="org_id", how="left").with_columns(pl.col("limit_fen").fill_null(p["limit_fen"]))
             .with_columns((pl.col("balance_fen") > pl.col("limit_fen")).alias("over")))
    last = daily.group_by("org_id", maintain_order=True).last().filter(pl.col("over"))
    if last.is_empty():
        return []
    last_ok = daily.filter(~pl.col("over")).group_by("org_id").agg(pl.col("date").max().alias("last_ok"))
    episodes = (daily.join(last.select("org_id"), on="org_id", how="semi").join(last_ok, on="org_id", how="left")
                .filter(pl.col("last_ok").is_null() | (pl.col("date") > pl.col("last_ok")))
                .group_by("org_id").agg(pl.col("date").min().alias("since"), pl.col("balance_fen").max().alias("peak_fen")))
    rows = last.join(episodes, on="org_id")
    out = []
    for r in rows.iter_rows(named=True):
        out.append(make_finding("cash_over_limit", r, "org", r["org_id"],
                                f"库存现金余额{yuan(r['balance_fen'])}，超过限额{yuan(r['limit_fen'])}（{r['since']}起超限）",
                                {"balance_fen": r["balance_fen"], "limit_fen": r["limit_fen"], "as_of": iso_date(r["date"]),
                                 "since": iso_date(r["since"]), "peak_fen": r["peak_fen"]}, r["since"].isoformat()))
    return out


def check_cash_payment_to_org(f: Frames, p: Mapping, today: dt.date) -> list[Finding]:
    """A payment from the cash account to an organisation (unified social credit code) of
    `min_fen` or more."""
    rows = f["payments"].filter((pl.col("kind") == "payment") & pl.col("paid_on").is_not_null()
                                & (pl.col("money_kind") == "cash") & (pl.col("counterparty_id_type") == "uscc")
                                & (pl.col("amount_fen") >= p["min_fen"]))
    return [make_finding("cash_payment_to_org", r, "payment_request", r["id"],
                         f"{r['paid_on']}以现金向单位“{r['counterparty_name']}”支付{yuan(r['amount_fen'])}（限额{yuan(p['min_fen'])}以上须转账）",
                         {"payment_request_id": r["id"], "paid_on": iso_date(r["paid_on"]), "amount_fen": r["amount_fen"],
                          "counterparty": r["counterparty_name"], "counterparty_id": r["counterparty_id"],
                          "min_fen": p["min_fen"]})
            for r in rows.iter_rows(named=True)]


def check_cash_not_deposited(f: Frames, p: Mapping, today: dt.date) -> list[Finding]:
    """Cash takings of a day (cash debits not from the bank) of `min_fen` or more, not covered by
    deposits into the bank from that day to `days` days later, once that deadline has passed."""
    days = int(p["days"])
    cash = f["cash"]
    receipts = (cash.filter(pl.col("kind") == "receipt")
                .group_by("org_id", "region_code", "date")
                .agg(pl.col("in_fen").sum().alias("amount_fen"), pl.col("voucher_id").sort().alias("vouchers"))
                .with_columns((pl.col("date") + pl.duration(days=days)).alias("deadline"),
                              (pl.col("date") - pl.duration(days=1)).alias("before"))
                .filter((pl.col("amount_fen") >= p["min_fen"]) & (pl.col("deadline") < today)))
    if receipts.is_empty():
        return []
    deposits = (cash.filter(pl.col("kind") == "deposit").group_by("org_id", "date").agg(pl.col("out_fen").sum())
                .sort("org_id", "date").with_columns(pl.col("out_fen").cum_sum().over("org_id").alias("cum")))
    dep = deposits.select("org_id", "date", "cum").sort("date")

    def cum_at(frame: pl.DataFrame, on: str, name: str) -> pl.DataFrame:
        return (frame.sort(on).join_asof(dep, left_on=on, right_on="date", by="org_id", strategy="backward",
                                         check_sortedness=False, suffix="_dep")
                .with_columns(pl.col("cum").fill_null(0).alias(name)).drop("cum", "date_dep", strict=False))

    rows = cum_at(cum_at(receipts, "deadline", "cum_end"), "before", "cum_before").with_columns(
        (pl.col("cum_end") - pl.col("cum_before")).alias("deposited_fen")).filter(
        pl.col("deposited_fen") < pl.col("amount_fen"))
    return [make_finding("cash_not_deposited", r, "org", r["org_id"],
                         f"{r['date']}收取现金{yuan(r['amount_fen'])}，{days}日内仅存入银行{yuan(r['deposited_fen'])}",
                         {"date": iso_date(r["date"]), "amount_fen": r["amount_fen"], "deposited_fen": r["deposited_fen"],
                          "deadline": iso_date(r["deadline"]), "days": days, "voucher_ids": first_ids(r["vouchers"]),
                          "min_fen": p["min_fen"]}, r["date"].isoformat())
            for r in rows.iter_rows(named=True)]


def check_cash_sitting_payment(f: Frames, p: Mapping, today: dt.date) -> list[Finding]:
    """坐支: one voucher credits income and debits an expense with no cash or bank line."""
    rows = f["voucher_mix"].filter(pl.min_horizontal("income_fen", "expense_fen") >= p["min_fen"])
    return [make_finding("cash_sitting_payment", r, "voucher", r["voucher_id"],
                         f"{r['date']}凭证以收入{yuan(r['income_fen'])}直接抵顶支出{yuan(r['expense_fen'])}，未经现金或银行账户",
                         {"voucher_id": r["voucher_id"], "date": iso_date(r["date"]), "income_fen": r["income_fen"],
                          "expense_fen": r["expense_fen"]})
            for r in rows.iter_rows(named=True)]


def check_duplicate_payment(f: Frames, p: Mapping, today: dt.date) -> list[Finding]:
    """Two payments with the same payee (ID, else name), amount and purpose within `window_days`."""
    window = int(p["window_days"])
    pay = (f["payments"].filter((pl.col("kind") == "payment") & (pl.col("status") != "rejected"))
           .with_columns(pl.coalesce("paid_on", "request_date").alias("day"),
                         pl.coalesce(pl.col("counterparty_id").str.strip_chars().str.to_uppercase(),
                                     pl.col("counterparty_name").str.strip_chars()).alias("payee"),
                         pl.col("purpose").str.strip_chars().alias("what"))
           .sort("org_id", "payee", "amount_fen", "what", "day", "id"))
    key = ["org_id", "payee", "amount_fen", "what"]
    pay = pay.with_columns(pl.col("day").shift(1).over(key).alias("prev_day"),
                           pl.col("id").shift(1).over(key).alias("prev_id"))
    rows = pay.filter(pl.col("prev_day").is_not_null() & ((pl.col("day") - pl.col("prev_day")).dt.total_days() <= window))
    return [make_finding("duplicate_payment", r, "payment_request", r["id"],
                         f"向“{titled(r['counterparty_name'], r['counterparty_id_type'])}”"
                         f"支付{yuan(r['amount_fen'])}（{r['what']}），与{r['prev_day']}的付款重复",
                         {"payment_request_id": r["id"], "previous_id": r["prev_id"], "date": iso_date(r["day"]),
                          "previous_date": iso_date(r["prev_day"]), "amount_fen": r["amount_fen"], "purpose": r["what"],
                          "payee": r["counterparty_name"], "window_days": window})
            for r in rows.iter_rows(named=True)]


def check_official_counterparty(f: Frames, p: Mapping, today: dt.date) -> list[Finding]:
    """A payee or contract counterparty whose ID number is that of an official of the same
    organisation."""
    off = f["officials"].select("org_id", pl.col("id_number").str.to_uppercase().alias("cid"),
                                pl.col("name").alias("official"), "official_title", "member_id")
    out = []
    pay = (f["payments"].filter(pl.col("status") != "rejected")
           .with_columns(pl.col("counterparty_id").str.strip_chars().str.to_uppercase().alias("cid"))
           .join(off, on=["org_id", "cid"]))
    for r in pay.iter_rows(named=True):
        out.append(make_finding("official_counterparty", r, "payment_request", r["id"],
                                f"{'付款' if r['kind'] == 'payment' else '收款'}{yuan(r['amount_fen'])}"
                                f"的对方“{titled(r['counterparty_name'], 'resident')}”是本村{r['official_title']}",
                                {"payment_request_id": r["id"], "amount_fen": r["amount_fen"], "member_id": r["member_id"],
                                 "official": r["official"], "official_title": r["official_title"],
                                 "date": iso_date(r["paid_on"] or r["request_date"])}))
    con = (f["contracts"].with_columns(pl.col("counterparty_id").str.strip_chars().str.to_uppercase().alias("cid"))
           .join(off, on=["org_id", "cid"]))
    for r in con.iter_rows(named=True):
        out.append(make_finding("official_counterparty", r, "contract", r["id"],
                                f"合同{r['number']}（{yuan(r['amount_fen'])}）"
                                f"的相对方“{titled(r['counterparty'], 'resident')}”是本村{r['official_title']}",
                                {"contract_id": r["id"], "amount_fen": r["amount_fen"], "member_id": r["member_id"],
                                 "official": r["official"], "official_title": r["official_title"],
                                 "signed_on": iso_date(r["signed_on"])}))
    return out
