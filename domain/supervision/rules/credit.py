"""A collective-economy contract counterparty or payee on the joint-punishment list (联合惩戒,
Jiangxi Art. X34): the forestry credit data used across domains.

The list on the run date: subjects with a dishonest credit record that is in effect (status
active) and still in its publicity period (decided on or before today, today on or before its last
day, domain.credit.publicity.in_publicity). A contract in force (or signed on or after the
record's decision) or a payment request (not rejected, dated on or after the decision) whose
counterparty's resident ID or credit code is such a subject's identifier raises a warning for the
contract's or payment's village, with both records as evidence.

The credit record is shown to the village as public 双公示 data would show it: the decision's
document number, the offence (title), the type, the decision date, the publicity end and the
deciding department — never its severity, content, amount or the record's classes.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

import polars as pl

from domain.credit.codes import DISHONEST_TYPES

from .base import Finding, Frames, iso_date, make_finding, titled, yuan


def on_list(punished: pl.DataFrame, today: dt.date) -> pl.DataFrame:
    """The dishonest records in publicity on `today` (the boundary: through the last day)."""
    return (punished.filter((pl.col("status") == "active") & pl.col("publicity_until").is_not_null()
                            & (pl.col("occurred_on") <= today) & (pl.col("publicity_until") >= today))
            .with_columns(pl.col("identifier").str.strip_chars().str.to_uppercase().alias("cid")))


def _credit_evidence(r: dict) -> dict:
    return {"credit_record_id": r["record_id"], "credit_subject_id": r["subject_id"],
            "credit_title": r["title"], "credit_type": DISHONEST_TYPES.get(r["subtype"] or "", "失信信息"),
            "credit_document_no": r["document_no"], "credit_decided_on": iso_date(r["occurred_on"]),
            "publicity_until": iso_date(r["publicity_until"]), "credit_department": r["produced_by"]}


def _text(r: dict) -> str:
    return (f"{titled(r['subject_name'], r['id_type'])}在联合惩戒名单上（{r['title']}，"
            f"{r['document_no'] or '无文书号'}，公示至{r['publicity_until']}）")


def check_credit_blacklisted_counterparty(f: Frames, p: Mapping, today: dt.date) -> list[Finding]:
    listed = on_list(f["credit_punished"], today)
    if listed.is_empty():
        return []
    out = []
    con = (f["contracts"].with_columns(pl.col("counterparty_id").str.strip_chars().str.to_uppercase().alias("cid"))
           .join(listed, on="cid")
           .filter((pl.col("status") == "active") | (pl.col("signed_on") >= pl.col("occurred_on")))
           .sort("region_code", "id", "record_id"))
    for r in con.iter_rows(named=True):
        out.append(make_finding(
            "credit_blacklisted_counterparty", r, "contract", r["id"],
            f"合同{r['number']}（{yuan(r['amount_fen'])}）的相对方{_text(r)}",
            {"contract_id": r["id"], "counterparty": r["counterparty"],
             "counterparty_id_type": r["counterparty_id_type"], "counterparty_id": r["counterparty_id"],
             "amount_fen": r["amount_fen"], "signed_on": iso_date(r["signed_on"]), "end_on": iso_date(r["end_on"]),
             "contract_status": r["status"], **_credit_evidence(r)}, r["record_id"]))
    pay = (f["payments"].filter(pl.col("status") != "rejected")
           .with_columns(pl.col("counterparty_id").str.strip_chars().str.to_uppercase().alias("cid"),
                         pl.coalesce("paid_on", "request_date").alias("day"))
           .join(listed, on="cid")
           .filter(pl.col("day") >= pl.col("occurred_on"))
           .sort("region_code", "id", "record_id"))
    for r in pay.iter_rows(named=True):
        what = "付款" if r["kind"] == "payment" else "收款"
        out.append(make_finding(
            "credit_blacklisted_counterparty", r, "payment_request", r["id"],
            f"{what}{yuan(r['amount_fen'])}（{r['purpose']}）的对方{_text(r)}",
            {"payment_request_id": r["id"], "counterparty_name": r["counterparty_name"],
             "counterparty_id_type": r["counterparty_id_type"], "counterparty_id": r["counterparty_id"],
             "amount_fen": r["amount_fen"], "purpose": r["purpose"], "date": iso_date(r["day"]),
             "payment_status": r["status"], **_credit_evidence(r)}, r["record_id"]))
    return out
