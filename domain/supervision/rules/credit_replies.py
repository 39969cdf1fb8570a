"""Forestry credit replies overdue (Jiangxi Art. X39, X40, X43, X48): every application for
conditional data, correction and data transfer is answered within ten working days of receipt
(its `answer_due`, counted on the working-day calendar when it was received). One still open
after that day raises a warning to the data unit's region — the province — with the request as
evidence; the warning resolves in the data once the request is answered."""
from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

import polars as pl

from domain.regions import province_root

from .base import Finding, Frames, make_finding

CREDIT_REQUEST_KINDS = {"application": "开放、共享数据申请", "correction": "数据修正申请", "transfer": "数据传输申请"}


def check_credit_reply_overdue(f: Frames, p: Mapping, today: dt.date) -> list[Finding]:
    frame = f["credit_replies"].filter(pl.col("answer_due") < today)
    out = []
    for r in frame.sort("answer_due", "kind", "id").iter_rows(named=True):
        label = CREDIT_REQUEST_KINDS.get(r["kind"], r["kind"])
        late = (today - r["answer_due"]).days
        row = {"region_code": province_root(int(r["region_code"]) // 10**10), "org_id": None}
        out.append(make_finding("credit_reply_overdue", row, f"credit_{r['kind']}", r["id"],
                                f"{label} #{r['id']} 应于{r['answer_due']}前答复，尚未答复（已逾期{late}天）",
                                {"kind": r["kind"], "request_id": int(r["id"]), "request_region": int(r["region_code"]),
                                 "received_on": r["received_on"].isoformat(), "answer_due": r["answer_due"].isoformat(),
                                 "status": r["status"]}))
    return out
