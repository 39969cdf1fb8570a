"""Timing of the rule `credit_blacklisted_counterparty` on synthetic province-size frames (README,
林业信用): 1 million subjects, 30,000 dishonest records, 600,000 contracts, 3 million payments.
Run from the repository: `PYTHONPATH=. python scripts/bench_credit_warning.py`."""
from __future__ import annotations

import datetime as dt
import time

import numpy as np
import polars as pl

from domain.supervision.rules import RULES, conform
from domain.supervision.rules.credit import on_list

TODAY = dt.date(2026, 11, 22)
N_SUB, N_REC, N_CON, N_PAY = 1_000_000, 30_000, 600_000, 3_000_000


def days(rng, start: str, n: int, span: int):
    return np.datetime64(start) + rng.integers(0, span, n).astype("timedelta64[D]")


def frames(rng) -> dict[str, pl.DataFrame]:
    ids = np.array([f"{i:018d}" for i in range(N_SUB)])
    sub = rng.integers(0, N_SUB, N_REC)
    decided = days(rng, "2023-01-01", N_REC, 1400)
    punished = pl.DataFrame({
        "record_id": np.arange(N_REC), "subject_id": sub, "identifier": ids[sub], "id_type": "resident",
        "subject_name": "张三", "title": "滥伐林木", "subtype": "admin_penalty", "document_no": "林罚〔2026〕1号",
        "occurred_on": decided, "publicity_until": decided + rng.integers(90, 1095, N_REC).astype("timedelta64[D]"),
        "produced_by": "县林业局", "status": "active"})
    contracts = pl.DataFrame({
        "id": np.arange(N_CON), "org_id": rng.integers(0, 12000, N_CON),
        "region_code": 360000000000 + rng.integers(0, 10**9, N_CON), "number": "HT", "kind": "lease",
        "counterparty": "某", "counterparty_id_type": "resident", "counterparty_id": ids[rng.integers(0, N_SUB, N_CON)],
        "amount_fen": 100000, "direction": "income", "signed_on": days(rng, "2020-01-01", N_CON, 2500), "status": "active"})
    payments = pl.DataFrame({
        "id": np.arange(N_PAY), "org_id": rng.integers(0, 12000, N_PAY),
        "region_code": 360000000000 + rng.integers(0, 10**9, N_PAY), "kind": "payment", "amount_fen": 5000,
        "purpose": "劳务费", "counterparty_name": "某", "counterparty_id_type": "resident",
        "counterparty_id": ids[rng.integers(0, N_SUB, N_PAY)], "request_date": days(rng, "2022-01-01", N_PAY, 1700),
        "status": "posted"})
    return {"credit_punished": conform("credit_punished", punished), "contracts": conform("contracts", contracts),
            "payments": conform("payments", payments)}


def main() -> None:
    f = frames(np.random.default_rng(1))
    rule = RULES["credit_blacklisted_counterparty"]
    for _ in range(2):
        t = time.perf_counter()
        found = rule.check(f, rule.params, TODAY)
        print(f"rule: {len(found)} findings in {time.perf_counter() - t:.2f} s")
    t = time.perf_counter()
    listed = on_list(f["credit_punished"], TODAY)
    for name in ("contracts", "payments"):
        f[name].with_columns(pl.col("counterparty_id").str.strip_chars().str.to_uppercase().alias("cid")).join(listed, on="cid")
    print(f"joins alone: {time.perf_counter() - t:.2f} s")


if __name__ == "__main__":
    main()
