"""Contract rules: expired but active, instalments overdue, expiring soon, dates out of order."""
from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

import polars as pl

from .base import Finding, Frames, make_finding, titled, iso_date, yuan


def check_contract_expired_active(f: Frames, p: Mapping, today: dt.date) -> list[Finding]:
    """Past its end date (end_on < today) and still marked active, still receiving money, or
    with money still owed on its schedule."""
    con = f["contracts"].filter(pl.col("end_on") < today)
    if con.is_empty():
        return []
    owed = (f["instalments"].join(con.select(pl.col("id").alias("contract_id")), on="contract_id", how="semi")
            .group_by("contract_id").agg((pl.col("amount_fen") - pl.col("received_fen")).clip(lower_bound=0).sum()
                                         .alias("owed_fen")))
    late = (f["receipts"].join(con.select(pl.col("id").alias("contract_id"), "end_on"), on="contract_id")
            .filter(pl.col("received_on") > pl.col("end_on"))
            .group_by("contract_id").agg(pl.len().alias("late_receipts"), pl.col("received_on").max().alias("last_receipt")))
    rows = (con.join(owed, left_on="id", right_on="contract_id", how="left")
            .join(late, left_on="id", right_on="contract_id", how="left")
            .with_columns(pl.col("owed_fen").fill_null(0), pl.col("late_receipts").fill_null(0).cast(pl.Int64))
            .filter((pl.col("status") == "active") | (pl.col("owed_fen") > 0) | (pl.col("late_receipts") > 0)))
    out = []
    for r in rows.iter_rows(named=True):
        reasons = []
        if r["status"] == "active":
            reasons.append("仍为履行中")
        if r["late_receipts"]:
            reasons.append(f"到期后仍收款{r['late_receipts']}笔")
        if r["owed_fen"]:
            reasons.append(f"尚欠{yuan(r['owed_fen'])}")
        out.append(make_finding("contract_expired_active", r, "contract", r["id"],
                                f"合同{r['number']}已于{r['end_on']}到期，" + "，".join(reasons),
                                {"contract_id": r["id"], "end_on": iso_date(r["end_on"]), "status": r["status"],
                                 "owed_fen": r["owed_fen"], "late_receipts": r["late_receipts"],
                                 "last_receipt": iso_date(r["last_receipt"])}))
    return out


def check_instalment_overdue(f: Frames, p: Mapping, today: dt.date) -> list[Finding]:
    """An instalment whose due date plus `grace_days` is before today, not fully received."""
    grace = int(p["grace_days"])
    con = f["contracts"].filter(pl.col("status") != "terminated").select(
        pl.col("id").alias("contract_id"), "org_id", "number", "counterparty")
    rows = (f["instalments"].filter((pl.col("received_fen") < pl.col("amount_fen"))
                                    & (pl.col("due_on") + pl.duration(days=grace) < today))
            .join(con, on="contract_id"))
    return [make_finding("instalment_overdue", r, "instalment", r["id"],
                         f"合同{r['number']}第{r['seq']}期应收{yuan(r['amount_fen'])}，已收{yuan(r['received_fen'])}，"
                         f"逾期{(today - r['due_on']).days}天",
                         {"instalment_id": r["id"], "contract_id": r["contract_id"], "due_on": iso_date(r["due_on"]),
                          "amount_fen": r["amount_fen"], "received_fen": r["received_fen"],
                          "days_overdue": (today - r["due_on"]).days, "grace_days": grace})
            for r in rows.iter_rows(named=True)]


def check_contract_expiring(f: Frames, p: Mapping, today: dt.date) -> list[Finding]:
    """An active contract ending between today and `days` days from today (inclusive)."""
    days = int(p["days"])
    rows = f["contracts"].filter((pl.col("status") == "active") & (pl.col("end_on") >= today)
                                 & (pl.col("end_on") <= today + dt.timedelta(days=days)))
    return [make_finding("contract_expiring", r, "contract", r["id"],
                         f"合同{r['number']}（{titled(r['counterparty'], r['counterparty_id_type'])}）将于{r['end_on']}到期，"
                         f"剩余{(r['end_on'] - today).days}天",
                         {"contract_id": r["id"], "end_on": iso_date(r["end_on"]), "days_left": (r["end_on"] - today).days,
                          "days": days}, r["end_on"].isoformat())
            for r in rows.iter_rows(named=True)]


def check_contract_signed_after_start(f: Frames, p: Mapping, today: dt.date) -> list[Finding]:
    rows = f["contracts"].filter(pl.col("signed_on") > pl.col("start_on"))
    return [make_finding("contract_signed_after_start", r, "contract", r["id"],
                         f"合同{r['number']}于{r['signed_on']}签订，"
                         f"晚于{r['start_on']}开始履行{(r['signed_on'] - r['start_on']).days}天",
                         {"contract_id": r["id"], "signed_on": iso_date(r["signed_on"]), "start_on": iso_date(r["start_on"])})
            for r in rows.iter_rows(named=True)]


def check_supplier_registered_after_contract(f: Frames, p: Mapping, today: dt.date) -> list[Finding]:
    rows = f["contracts"].filter(pl.col("counterparty_registered_on") > pl.col("signed_on"))
    return [make_finding("supplier_registered_after_contract", r, "contract", r["id"],
                         f"合同{r['number']}相对方“{titled(r['counterparty'], r['counterparty_id_type'])}”"
                         f"{r['counterparty_registered_on']}才登记成立，晚于签订日期{r['signed_on']}",
                         {"contract_id": r["id"], "counterparty": r["counterparty"], "counterparty_id": r["counterparty_id"],
                          "registered_on": iso_date(r["counterparty_registered_on"]), "signed_on": iso_date(r["signed_on"])})
            for r in rows.iter_rows(named=True)]
