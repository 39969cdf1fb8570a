"""Payments with counterparties, decisions behind the large ones, and planted record faults."""
from __future__ import annotations

import datetime as dt

import numpy as np
import polars as pl

from . import people
from .faults import contract_and_asset_faults, next_id, rows_frame
from .ledger import pick

#: the voucher kinds (ledger TEMPLATES summaries) that pay someone, and who is paid
PAYMENT_KINDS = {"支付办公及误工补贴": "person", "现金支付办公用品": "person", "支付经营支出": "company",
                 "支付公益事业支出": "company", "现金支付其他支出": "person", "支付应付款": "company",
                 "购置固定资产": "company", "支付服务费及税金": "company", "支付村内道路硬化工程款": "company",
                 "支付零星工程款": "company"}
#: record faults planted in about `plant` of the villages (at least one each)
RECORD_FAULTS = ("cash_to_company", "duplicate", "paid_early", "official_payee", "big_payment_no_resolution",
                 "borrowing_no_resolution", "signed_late", "young_supplier", "official_contract", "cheap_lease",
                 "pledge_no_resolution")


def payment_frames(rng, ledger, frames: dict, today: dt.date, plant: float, requester_id: int = 1) -> dict:
    """Payment requests behind the ledger's payments of the last twelve months (requested, approved
    and posted, each with its payee), the meeting resolutions that large payments and borrowings
    need, and the planted faults of payments, borrowings, contracts and assets. Returns the frames
    to add or replace; the village indexes of each fault are under "planted"."""
    orgs = frames["collective_orgs"].select(pl.col("id").alias("org_id"), "region_code", "decision_threshold_fen")
    nv = orgs.height
    taken: set = set()
    planted = {k: pick(rng, nv, plant, taken) for k in RECORD_FAULTS}
    org_of = lambda idx: [int(i) + 1 for i in idx]
    since = today - dt.timedelta(days=365)
    lines = ledger.lines
    v = ledger.vouchers.filter((pl.col("date") > since) & pl.col("summary").is_in(list(PAYMENT_KINDS)))
    money = lines.join(v.select(pl.col("id").alias("voucher_id")), on="voucher_id", how="semi")
    paid = (money.filter(pl.col("account_code").is_in([101, 102]) & (pl.col("credit_fen") > 0))
            .select("voucher_id", pl.col("account_code").alias("money_account"), pl.col("credit_fen").alias("amount_fen")))
    charged = (money.filter(pl.col("line_no") == 1).select("voucher_id", pl.col("account_code").alias("expense_account")))
    pay = (v.select(pl.col("id").alias("voucher_id"), "org_id", "region_code", "date", "summary")
           .join(paid, on="voucher_id").join(charged, on="voucher_id").sort("voucher_id"))
    n = pay.height
    # payees: each county has its own pool of people and suppliers the villages keep paying
    counties = (pay["region_code"] // 1_000_000).unique().sort().to_list()
    pools = {}
    for c in counties:
        people_ = list(zip(people.names(rng, 300), people.resident_ids(rng, np.array([c * 1_000_000]), 300)))
        pools[c] = (people_, people.companies(rng, 60, np.array([c])))
    region6 = (pay["region_code"] // 1_000_000).to_numpy()
    person = pay["summary"].replace_strict(PAYMENT_KINDS).eq("person").to_numpy() | (pay["money_account"] == 101).to_numpy()
    pick_p = rng.integers(0, 300, n)
    pick_c = rng.integers(0, 60, n)
    names, ids, types = [], [], []
    for i in range(n):
        pool_p, pool_c = pools[int(region6[i])]
        name, cid = pool_p[pick_p[i]] if person[i] else pool_c[pick_c[i]]
        names.append(name)
        ids.append(cid)
        types.append("resident" if person[i] else "uscc")
    approve_lag = rng.integers(0, 4, n)
    request_lag = rng.integers(0, 6, n)
    pay = pay.with_columns(
        pl.Series("counterparty_name", names, pl.String), pl.Series("counterparty_id", ids, pl.String),
        pl.Series("counterparty_id_type", types, pl.String),
        (pl.col("date") - pl.duration(days=pl.Series(approve_lag))).alias("approved_on"),
    ).with_columns((pl.col("approved_on") - pl.duration(days=pl.Series(request_lag))).alias("request_date"))
    acct_of = frames["bank_accounts"].select(pl.col("id").alias("bank_account_id"), "org_id",
                                             pl.col("ledger_code").cast(pl.Int64).alias("money_account"))
    pay = pay.with_columns(pl.col("money_account").cast(pl.Int64)).join(acct_of, on=["org_id", "money_account"])
    pay = pay.sort("voucher_id").with_columns(pl.int_range(1, pl.len() + 1, dtype=pl.Int64).alias("id"))
    pay = pay.join(orgs.select("org_id", "decision_threshold_fen"), on="org_id")
    pay = pay.with_columns(pl.lit(None, pl.Int64).alias("resolution_id"))

    meetings, resolutions = [], []
    mid0, rid0 = next_id(frames, "meetings"), next_id(frames, "resolutions")

    def decide(org_id: int, region: int, held: dt.date, dtype: str, subject: str, amount: int) -> int:
        mid, rid = mid0 + len(meetings), rid0 + len(resolutions)
        meetings.append(dict(id=mid, org_id=org_id, region_code=region, kind="成员代表会议",
                             title=f"{held.year}年成员代表会议", held_on=held, expected=40, attended=35,
                             agenda=f"审议{subject}"))
        resolutions.append(dict(id=rid, meeting_id=mid, org_id=org_id, number=f"决议〔{held.year}〕{rid}号",
                                subject=subject, decision_type=dtype, subject_type=None, subject_id=None,
                                amount_limit_fen=int(amount), votes_for=31, votes_against=2, votes_abstain=2,
                                passed=True))
        return rid

    # large payments are decided first (四议两公开), except the planted ones
    big = pay.filter(pl.col("amount_fen") >= pl.col("decision_threshold_fen"))
    skip = set(org_of(planted["big_payment_no_resolution"]))
    res_of = {}
    first_skipped = set()
    for r in big.iter_rows(named=True):
        if r["org_id"] in skip and r["org_id"] not in first_skipped:
            first_skipped.add(r["org_id"])
            continue
        res_of[r["id"]] = decide(r["org_id"], r["region_code"], r["request_date"] - dt.timedelta(days=int(rng.integers(3, 30))),
                                 "payment", f"大额资金支出：{r['summary']}", r["amount_fen"])
    if res_of:
        pay = pay.with_columns(pl.col("id").replace_strict(res_of, default=None, return_dtype=pl.Int64).alias("resolution_id"))
    missing = [o for o in skip if o not in first_skipped]  # no large payment there: plant one
    extra = []
    for o in missing:
        row = pay.filter(pl.col("org_id") == o).head(1)
        if row.height:
            r = row.row(0, named=True)
            extra.append({**r, "amount_fen": max(int(r["decision_threshold_fen"]), r["amount_fen"]) + 100_00,
                          "resolution_id": None, "voucher_id": None, "summary": "支付村部维修工程款"})
    # borrowings above the threshold: a borrowing resolution before them, except the planted ones
    bv = ledger.vouchers.filter(pl.col("summary") == "取得短期借款").select(pl.col("id").alias("voucher_id"), "org_id",
                                                                          "region_code", "date")
    bl = lines.filter((pl.col("account_code") == 201) & (pl.col("credit_fen") > 0)).select("voucher_id", "credit_fen")
    bor = (bv.join(bl, on="voucher_id").join(orgs.select("org_id", "decision_threshold_fen"), on="org_id")
           .filter(pl.col("credit_fen") >= pl.col("decision_threshold_fen")))
    skip_b = set(org_of(planted["borrowing_no_resolution"]))
    for r in bor.iter_rows(named=True):
        if r["org_id"] in skip_b:
            continue
        decide(r["org_id"], r["region_code"], r["date"] - dt.timedelta(days=int(rng.integers(5, 60))), "borrowing",
               "借款事项", r["credit_fen"])
    # planted payment faults
    def one_of(org_id: int, **where) -> dict | None:
        sub = pay.filter(pl.col("org_id") == org_id)
        for k, val in where.items():
            sub = sub.filter(pl.col(k) == val)
        return sub.row(int(rng.integers(0, sub.height)), named=True) if sub.height else None

    cash_acct = dict(acct_of.filter(pl.col("money_account") == 101).select("org_id", "bank_account_id").iter_rows())
    changes: dict[int, dict] = {}
    for o in org_of(planted["cash_to_company"]):
        r = one_of(o)
        if r:
            name, cid = people.companies(rng, 1, np.array([r["region_code"] // 1_000_000]))[0]
            changes[r["id"]] = dict(bank_account_id=cash_acct[o], money_account=101, counterparty_name=name,
                                    counterparty_id=cid, counterparty_id_type="uscc",
                                    amount_fen=(max(r["amount_fen"], 150_000) if r["amount_fen"] < r["decision_threshold_fen"]
                                                else 150_000))
    for o in org_of(planted["paid_early"]):
        r = one_of(o)
        if r:
            changes[r["id"]] = dict(approved_on=r["date"] + dt.timedelta(days=int(rng.integers(1, 6))),
                                    request_date=r["date"] - dt.timedelta(days=2))
    officials = frames["members"].filter(pl.col("is_official")).group_by("org_id", maintain_order=True).first()
    official_of = {r["org_id"]: r for r in officials.iter_rows(named=True)}
    for o in org_of(planted["official_payee"]):
        r, off = one_of(o), official_of.get(o)
        if r and off:
            changes[r["id"]] = dict(counterparty_name=off["name"], counterparty_id=off["id_number"],
                                    counterparty_id_type="resident")
    if changes:
        upd = pl.DataFrame([{"id": k, **v} for k, v in changes.items()], infer_schema_length=None)
        cols = [c for c in upd.columns if c != "id"]
        pay = pay.join(upd, on="id", how="left", suffix="_new").with_columns(
            pl.coalesce(f"{c}_new", c).alias(c) for c in cols).drop([f"{c}_new" for c in cols])
    for o in org_of(planted["duplicate"]):  # the same payment entered and paid twice
        r = one_of(o, money_account=102)
        if r:
            extra.append({**r, "voucher_id": None, "date": min(r["date"] + dt.timedelta(days=int(rng.integers(3, 20))), today),
                          "resolution_id": r["resolution_id"]})
    if extra:
        nid0 = int(pay["id"].max()) + 1
        add = pl.DataFrame([{**e, "id": nid0 + i} for i, e in enumerate(extra)], schema=pay.schema)
        add = add.with_columns(pl.col("date").alias("approved_on"), pl.col("date").alias("request_date"))
        pay = pl.concat([pay, add])
    requests = pay.select(
        "id", "org_id", "region_code", pl.lit("payment").alias("kind"), "amount_fen", pl.col("summary").alias("purpose"),
        pl.col("expense_account").cast(pl.Int16), "bank_account_id", "counterparty_name", "counterparty_id_type",
        "counterparty_id", "request_date", pl.col("date").alias("paid_on"), "approved_on", pl.lit("posted").alias("status"),
        pl.lit(requester_id, pl.Int64).alias("requested_by_id"), pl.col("resolution_id").cast(pl.Int64),
        pl.col("voucher_id").cast(pl.Int64), pl.lit(None, pl.String).alias("note")).sort("id")
    out = {"payment_requests": requests}
    if meetings:
        out["meetings"] = pl.concat([frames["meetings"], rows_frame(meetings, frames["meetings"])], how="diagonal_relaxed")
        out["resolutions"] = pl.concat([frames["resolutions"], rows_frame(resolutions, frames["resolutions"])],
                                       how="diagonal_relaxed")
    out.update(contract_and_asset_faults(rng, frames, planted, org_of, official_of, today))
    out["planted"] = {k: [int(i) for i in v] for k, v in planted.items()}
    return out
