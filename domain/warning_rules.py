"""Supervision rules (监督预警, Art. J31, J41) as data: each rule has an id, a Chinese name, the
article or practice it enforces, a severity, its parameters (per-province overrides in
`PROVINCE_PARAMS`) and a plain check function.

A check takes the frames the engine read (polars DataFrames named and shaped as in
`FRAME_COLUMNS`), the rule's parameters and today's date, and returns a list of `Finding`s: the
village, the offending record, a one-line Chinese title with the figures, the evidence (ids, dates,
amounts in fen and the threshold used) and a stable fingerprint (rule + subject + period) so that
a re-run raises nothing twice. Checks are vectorised polars over whole frames (a province has
~12k villages and tens of millions of ledger lines): Python only builds the findings.

The ledger-derived frames (`cash`, `voucher_mix`, `payment_lines`, `spending`, `arap`,
`borrowings`) are built once per run from the raw ledger by `ledger_frames`.

Plain Python, no Dash and no database: `data/warning_engine.py` reads the frames and stores the
warnings.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import math
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Callable, Mapping

import numpy as np
import polars as pl

SEVERITY_LABELS = {1: "低", 2: "中", 3: "高"}
AREA_LABELS = {"funds": "资金", "assets": "资产", "resources": "资源", "contracts": "合同", "trading": "产权交易",
               "meetings": "会议决策", "statistics": "统计分析"}
#: working days a village has to handle a warning, by severity (kept as data)
DUE_WORKING_DAYS = {3: 5, 2: 10, 1: 15}

CASH, BANK = 101, 102
RECEIVABLE, PAYABLE = 112, 211
BORROWING_ACCOUNTS = (201, 221)
INCOME_ACCOUNTS = (501, 502, 503, 504)
EXPENSE_ACCOUNTS = (511, 512, 513, 514, 515)
#: the ledger accounts the engine reads
LEDGER_ACCOUNTS = (CASH, BANK, RECEIVABLE, PAYABLE, *BORROWING_ACCOUNTS, *INCOME_ACCOUNTS, *EXPENSE_ACCOUNTS)

#: The frames a check may read, their columns and types (dates pl.Date, money int64 fen).
I64, STR, DATE, BOOL = pl.Int64, pl.String, pl.Date, pl.Boolean
FRAME_SCHEMAS: dict[str, dict[str, pl.DataType]] = {
    # raw ledger, input of `ledger_frames`
    "ledger_lines": {"voucher_id": I64, "account_code": I64, "debit_fen": I64, "credit_fen": I64, "counterparty": STR},
    "ledger_vouchers": {"voucher_id": I64, "org_id": I64, "region_code": I64, "date": DATE, "opening": BOOL},
    # derived from the ledger
    "cash": {"org_id": I64, "region_code": I64, "voucher_id": I64, "date": DATE, "kind": STR, "in_fen": I64,
             "out_fen": I64},
    "voucher_mix": {"org_id": I64, "region_code": I64, "voucher_id": I64, "date": DATE, "income_fen": I64,
                    "expense_fen": I64},
    "payment_lines": {"org_id": I64, "region_code": I64, "voucher_id": I64, "date": DATE, "amount_fen": I64},
    "spending": {"org_id": I64, "region_code": I64, "period": I64, "spend_fen": I64},
    "arap": {"org_id": I64, "region_code": I64, "voucher_id": I64, "date": DATE, "account_code": I64, "debit_fen": I64,
             "credit_fen": I64, "counterparty": STR},
    "borrowings": {"org_id": I64, "region_code": I64, "voucher_id": I64, "date": DATE, "account_code": I64,
                   "amount_fen": I64},
    # business records
    "orgs": {"org_id": I64, "region_code": I64, "decision_threshold_fen": I64, "cash_limit_fen": I64},
    "payments": {"id": I64, "org_id": I64, "region_code": I64, "kind": STR, "amount_fen": I64, "purpose": STR,
                 "counterparty_name": STR, "counterparty_id_type": STR, "counterparty_id": STR, "request_date": DATE,
                 "approved_on": DATE, "paid_on": DATE, "status": STR, "resolution_id": I64, "money_kind": STR},
    "resolutions": {"resolution_id": I64, "org_id": I64, "decision_type": STR, "subject_type": STR, "subject_id": I64,
                    "amount_limit_fen": I64, "passed": BOOL, "held_on": DATE},
    "asset_acts": {"id": I64, "asset_id": I64, "org_id": I64, "region_code": I64, "date": DATE, "kind": STR,
                   "original_value_fen": I64, "amount_fen": I64, "resolution_id": I64},
    "contracts": {"id": I64, "org_id": I64, "region_code": I64, "number": STR, "kind": STR, "counterparty": STR,
                  "counterparty_id_type": STR, "counterparty_id": STR, "counterparty_registered_on": DATE,
                  "amount_fen": I64, "direction": STR, "signed_on": DATE, "start_on": DATE, "end_on": DATE,
                  "status": STR, "resolution_id": I64},
    "instalments": {"id": I64, "contract_id": I64, "region_code": I64, "seq": I64, "due_on": DATE, "amount_fen": I64,
                    "received_fen": I64},
    "receipts": {"contract_id": I64, "received_on": DATE, "amount_fen": I64},
    "listings": {"id": I64, "org_id": I64, "region_code": I64, "title": STR, "kind": STR, "reserve_price_fen": I64,
                 "deal_price_fen": I64, "status": STR, "closes_on": DATE},
    "leases": {"id": I64, "org_id": I64, "region_code": I64, "number": STR, "kind": STR, "direction": STR,
               "status": STR, "amount_fen": I64, "start_on": DATE, "end_on": DATE, "resource_type": STR,
               "area_cmu": I64},
    "officials": {"org_id": I64, "member_id": I64, "name": STR, "id_number": STR, "official_title": STR},
    "annual_checks": {"id": I64, "org_id": I64, "region_code": I64, "year": I64, "filed_on": DATE},
}
FRAME_COLUMNS: dict[str, tuple[str, ...]] = {k: tuple(v) for k, v in FRAME_SCHEMAS.items()}


def conform(name: str, frame: pl.DataFrame | None = None) -> pl.DataFrame:
    """`frame` (or an empty frame) with exactly the columns and types of FRAME_SCHEMAS[name];
    ISO date text (SQLite) becomes pl.Date, 0/1 becomes bool."""
    schema = FRAME_SCHEMAS[name]
    if frame is None or frame.is_empty() and not frame.columns:
        return pl.DataFrame(schema=schema)
    casts = []
    for col, dtype in schema.items():
        if col not in frame.columns:
            casts.append(pl.lit(None, dtype).alias(col))
            continue
        have = frame.schema[col]
        c = pl.col(col)
        if dtype == DATE and have == pl.String:
            casts.append(c.str.slice(0, 10).str.to_date("%Y-%m-%d").alias(col))
        elif dtype == DATE and isinstance(have, pl.Datetime):
            casts.append(c.dt.date().alias(col))
        elif dtype == BOOL and have != pl.Boolean:
            casts.append((c.cast(pl.Int64) != 0).alias(col))
        else:
            casts.append(c.cast(dtype).alias(col))
    return frame.with_columns(casts).select(list(schema))


LEDGER_DERIVED = ("cash", "voucher_mix", "payment_lines", "spending", "arap", "borrowings")


@dataclass(frozen=True)
class Finding:
    region_code: int  # the village
    org_id: int | None
    subject_type: str
    subject_id: int | None
    title: str
    evidence: dict
    fingerprint: str
    period: str = ""


Frames = Mapping[str, pl.DataFrame]
Check = Callable[[Frames, Mapping, dt.date], list[Finding]]


# ---------------------------------------------------------------------------------- helpers
def yuan(fen: int) -> str:
    """12345 -> '123.45元' (exact, from integer fen)."""
    fen = int(fen)
    sign = "-" if fen < 0 else ""
    fen = abs(fen)
    return f"{sign}{fen // 100:,}.{fen % 100:02d}元"


def years_before(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def period_of(day: dt.date) -> int:
    return day.year * 100 + day.month


def months_back(period: int, months: int) -> int:
    """The period `months` months before `period` (yyyymm)."""
    idx = period // 100 * 12 + period % 100 - 1 - months
    return idx // 12 * 100 + idx % 12 + 1


def _iso(value) -> str | None:
    return value.isoformat() if value is not None else None


def fingerprint(rule_id: str, subject_type: str, subject_id, period: str | int = "") -> str:
    """Stable identity of a fault: the same fault found again maps to the same warning. The
    period is the last `:`-separated part (the engine reads it back for windowed rules)."""
    return f"{rule_id}:{subject_type}:{subject_id}:{period}"


def fingerprint_period(fp: str) -> str:
    return fp.rsplit(":", 1)[-1]


def _short(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:12]


def _finding(rule_id: str, row: dict, subject_type: str, subject_id, title: str, evidence: dict,
             period: str | int = "") -> Finding:
    return Finding(region_code=int(row["region_code"]), org_id=int(row["org_id"]) if row.get("org_id") is not None else None,
                   subject_type=subject_type, subject_id=int(subject_id) if subject_id is not None else None,
                   title=title, evidence=evidence, fingerprint=fingerprint(rule_id, subject_type, subject_id, period),
                   period=str(period))


def _ids(values, cap: int = 20) -> list[int]:
    return [int(v) for v in list(values)[:cap]]


def _thresholds(orgs: pl.DataFrame, column: str, default: int) -> pl.DataFrame:
    return orgs.select("org_id", pl.col(column).fill_null(default).cast(pl.Int64).alias("threshold_fen"))


# ---------------------------------------------------------------------------------- ledger
def ledger_frames(lines: pl.DataFrame | pl.LazyFrame, vouchers: pl.DataFrame | pl.LazyFrame) -> dict[str, pl.DataFrame]:
    """The ledger-derived frames from raw lines (of LEDGER_ACCOUNTS) and their vouchers.

    Voucher ids are dense (1..n): the voucher of each line and the per-voucher flags (has a bank
    line, receives money, earns income, spends) are found by array indexing, not by joins — at
    province scale (20M+ lines) that is several times faster. Sparse ids fall back to joins."""
    lines = lines.collect() if isinstance(lines, pl.LazyFrame) else lines
    vouchers = vouchers.collect() if isinstance(vouchers, pl.LazyFrame) else vouchers
    if lines.is_empty() or vouchers.is_empty():
        return _ledger_frames_join(lines, vouchers)
    vid = lines["voucher_id"].to_numpy()
    vv = vouchers["voucher_id"].to_numpy()
    size = int(max(vv.max(), vid.max())) + 1
    if size > 4 * (len(vv) + len(vid)) + 1_000_000 or vid.min() < 0 or vv.min() < 0:
        return _ledger_frames_join(lines, vouchers)
    acct = lines["account_code"].to_numpy()
    debit = lines["debit_fen"].to_numpy()
    credit = lines["credit_fen"].to_numpy()
    pos = np.full(size, -1, np.int64)
    pos[vv] = np.arange(len(vv))
    row = pos[vid]
    known = row >= 0

    def flag(mask: np.ndarray) -> np.ndarray:
        out = np.zeros(size, bool)
        out[vid[mask]] = True
        return out

    def among(codes) -> np.ndarray:  # np.isin by a lookup table (account codes are small integers)
        lut = np.zeros(max(int(acct.max()), max(codes)) + 1, bool)
        lut[list(codes)] = True
        return lut[acct]

    is_money = among([CASH, BANK])
    is_income = among(INCOME_ACCOUNTS)
    is_expense = among(EXPENSE_ACCOUNTS)
    has_bank = flag(acct == BANK)
    money_in = flag(is_money & (debit > 0))
    mix_voucher = flag(is_income & (credit > 0)) & flag(is_expense & (debit > 0)) & ~flag(is_money)
    opening = np.zeros(len(vid), bool)
    opening[known] = vouchers["opening"].cast(pl.Boolean).to_numpy()[row[known]]
    v_cols = vouchers.select("org_id", "region_code", "date")

    def frame(mask: np.ndarray, **cols) -> tuple[pl.DataFrame, np.ndarray]:
        idx = np.flatnonzero(mask & known)
        base = v_cols[row[idx]]
        return base.with_columns(voucher_id=pl.Series(vid[idx]),
                                 **{k: (pl.Series(v[idx]) if isinstance(v, np.ndarray) else v.gather(idx))
                                    for k, v in cols.items()}), idx

    cash, idx = frame(acct == CASH, in_fen=debit, out_fen=credit)
    bank_v = has_bank[vid[idx]]
    cash = cash.with_columns(kind=pl.Series(np.select(
        [opening[idx], (debit[idx] > 0) & bank_v, debit[idx] > 0, bank_v],
        ["opening", "withdrawal", "receipt", "deposit"], "payment")))
    mix = (frame(mix_voucher[vid] & (is_income | is_expense), account_code=acct, debit_fen=debit, credit_fen=credit)[0]
           .group_by("voucher_id", "org_id", "region_code", "date")
           .agg(pl.when(pl.col("account_code").is_in(INCOME_ACCOUNTS)).then(pl.col("credit_fen")).otherwise(0)
                .sum().alias("income_fen"),
                pl.when(pl.col("account_code").is_in(EXPENSE_ACCOUNTS)).then(pl.col("debit_fen")).otherwise(0)
                .sum().alias("expense_fen")))
    payment_lines = frame(is_money & (credit > 0) & ~opening & ~money_in[vid], amount_fen=credit)[0]
    spending = (frame(is_expense & (debit > 0), spend_fen=debit)[0]
                .group_by("org_id", "region_code",
                          (pl.col("date").dt.year().cast(pl.Int64) * 100 + pl.col("date").dt.month().cast(pl.Int64))
                          .alias("period"))
                .agg(pl.col("spend_fen").sum()))
    arap = frame(among([RECEIVABLE, PAYABLE]), account_code=acct, debit_fen=debit, credit_fen=credit,
                 counterparty=lines["counterparty"])[0]
    borrowings = frame(among(BORROWING_ACCOUNTS) & (credit > 0) & ~opening, account_code=acct, amount_fen=credit)[0]
    out = {"cash": cash, "voucher_mix": mix, "payment_lines": payment_lines, "spending": spending, "arap": arap,
           "borrowings": borrowings}
    return {k: out[k].select(list(FRAME_SCHEMAS[k])).cast(FRAME_SCHEMAS[k]) for k in LEDGER_DERIVED}


def _ledger_frames_join(lines: pl.DataFrame | pl.LazyFrame, vouchers: pl.DataFrame | pl.LazyFrame) -> dict[str, pl.DataFrame]:
    """`ledger_frames` by joins (any voucher ids)."""
    lines = lines.lazy() if isinstance(lines, pl.DataFrame) else lines
    v = (vouchers.lazy() if isinstance(vouchers, pl.DataFrame) else vouchers).select(
        "voucher_id", "org_id", "region_code", "date", pl.col("opening").cast(pl.Boolean))
    led = lines.join(v, on="voucher_id", how="inner")
    acct, debit, credit = pl.col("account_code"), pl.col("debit_fen"), pl.col("credit_fen")
    money = led.filter(acct.is_in([CASH, BANK]))
    bank_ids = led.filter(acct == BANK).select("voucher_id").unique().with_columns(bank=pl.lit(True))
    money_in_ids = money.filter(debit > 0).select("voucher_id").unique()
    cash = (led.filter(acct == CASH).join(bank_ids, on="voucher_id", how="left")
            .with_columns(pl.col("bank").fill_null(False))
            .select("org_id", "region_code", "voucher_id", "date",
                    pl.when(pl.col("opening")).then(pl.lit("opening"))
                    .when((debit > 0) & pl.col("bank")).then(pl.lit("withdrawal"))
                    .when(debit > 0).then(pl.lit("receipt"))
                    .when(pl.col("bank")).then(pl.lit("deposit"))
                    .otherwise(pl.lit("payment")).alias("kind"),
                    debit.alias("in_fen"), credit.alias("out_fen")))
    income = led.filter(acct.is_in(INCOME_ACCOUNTS) & (credit > 0))
    expense = led.filter(acct.is_in(EXPENSE_ACCOUNTS) & (debit > 0))
    cand = (income.select("voucher_id").unique().join(expense.select("voucher_id").unique(), on="voucher_id")
            .join(money.select("voucher_id").unique(), on="voucher_id", how="anti"))
    mix = (led.join(cand, on="voucher_id", how="semi")
           .group_by("voucher_id", "org_id", "region_code", "date")
           .agg(pl.when(acct.is_in(INCOME_ACCOUNTS)).then(credit).otherwise(0).sum().alias("income_fen"),
                pl.when(acct.is_in(EXPENSE_ACCOUNTS)).then(debit).otherwise(0).sum().alias("expense_fen"))
           .select(list(FRAME_SCHEMAS["voucher_mix"])))
    payment_lines = (money.filter((credit > 0) & ~pl.col("opening")).join(money_in_ids, on="voucher_id", how="anti")
                     .select("org_id", "region_code", "voucher_id", "date", credit.alias("amount_fen")))
    spending = (expense.with_columns((pl.col("date").dt.year().cast(pl.Int32) * 100
                                      + pl.col("date").dt.month().cast(pl.Int32)).alias("period"))
                .group_by("org_id", "region_code", "period").agg(debit.sum().alias("spend_fen")))
    arap = led.filter(acct.is_in([RECEIVABLE, PAYABLE])).select(list(FRAME_SCHEMAS["arap"]))
    borrowings = (led.filter(acct.is_in(BORROWING_ACCOUNTS) & (credit > 0) & ~pl.col("opening"))
                  .select("org_id", "region_code", "voucher_id", "date", "account_code", credit.alias("amount_fen")))
    out = dict(zip(("cash", "voucher_mix", "payment_lines", "spending", "arap", "borrowings"),
                   pl.collect_all([cash, mix, payment_lines, spending, arap, borrowings])))
    return {k: out[k].select(list(FRAME_SCHEMAS[k])).cast(FRAME_SCHEMAS[k]) for k in LEDGER_DERIVED}


# ---------------------------------------------------------------------------------- funds
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
        out.append(_finding("cash_over_limit", r, "org", r["org_id"],
                            f"库存现金余额{yuan(r['balance_fen'])}，超过限额{yuan(r['limit_fen'])}（{r['since']}起超限）",
                            {"balance_fen": r["balance_fen"], "limit_fen": r["limit_fen"], "as_of": _iso(r["date"]),
                             "since": _iso(r["since"]), "peak_fen": r["peak_fen"]}, r["since"].isoformat()))
    return out


def check_cash_payment_to_org(f: Frames, p: Mapping, today: dt.date) -> list[Finding]:
    """A payment from the cash account to an organisation (unified social credit code) of
    `min_fen` or more."""
    rows = f["payments"].filter((pl.col("kind") == "payment") & pl.col("paid_on").is_not_null()
                                & (pl.col("money_kind") == "cash") & (pl.col("counterparty_id_type") == "uscc")
                                & (pl.col("amount_fen") >= p["min_fen"]))
    return [_finding("cash_payment_to_org", r, "payment_request", r["id"],
                     f"{r['paid_on']}以现金向单位“{r['counterparty_name']}”支付{yuan(r['amount_fen'])}（限额{yuan(p['min_fen'])}以上须转账）",
                     {"payment_request_id": r["id"], "paid_on": _iso(r["paid_on"]), "amount_fen": r["amount_fen"],
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
        return (frame.sort(on).join_asof(dep, left_on=on, right_on="date", by="org_id", strategy="backward", check_sortedness=False,
                                         suffix="_dep")
                .with_columns(pl.col("cum").fill_null(0).alias(name)).drop("cum", "date_dep", strict=False))

    rows = cum_at(cum_at(receipts, "deadline", "cum_end"), "before", "cum_before").with_columns(
        (pl.col("cum_end") - pl.col("cum_before")).alias("deposited_fen")).filter(
        pl.col("deposited_fen") < pl.col("amount_fen"))
    return [_finding("cash_not_deposited", r, "org", r["org_id"],
                     f"{r['date']}收取现金{yuan(r['amount_fen'])}，{days}日内仅存入银行{yuan(r['deposited_fen'])}",
                     {"date": _iso(r["date"]), "amount_fen": r["amount_fen"], "deposited_fen": r["deposited_fen"],
                      "deadline": _iso(r["deadline"]), "days": days, "voucher_ids": _ids(r["vouchers"]),
                      "min_fen": p["min_fen"]}, r["date"].isoformat())
            for r in rows.iter_rows(named=True)]


def check_cash_sitting_payment(f: Frames, p: Mapping, today: dt.date) -> list[Finding]:
    """坐支: one voucher credits income and debits an expense with no cash or bank line."""
    rows = f["voucher_mix"].filter(pl.min_horizontal("income_fen", "expense_fen") >= p["min_fen"])
    return [_finding("cash_sitting_payment", r, "voucher", r["voucher_id"],
                     f"{r['date']}凭证以收入{yuan(r['income_fen'])}直接抵顶支出{yuan(r['expense_fen'])}，未经现金或银行账户",
                     {"voucher_id": r["voucher_id"], "date": _iso(r["date"]), "income_fen": r["income_fen"],
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
    return [_finding("duplicate_payment", r, "payment_request", r["id"],
                     f"向“{r['counterparty_name']}”支付{yuan(r['amount_fen'])}（{r['what']}），与{r['prev_day']}的付款重复",
                     {"payment_request_id": r["id"], "previous_id": r["prev_id"], "date": _iso(r["day"]),
                      "previous_date": _iso(r["prev_day"]), "amount_fen": r["amount_fen"], "purpose": r["what"],
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
        out.append(_finding("official_counterparty", r, "payment_request", r["id"],
                            f"{'付款' if r['kind'] == 'payment' else '收款'}{yuan(r['amount_fen'])}的对方“{r['counterparty_name']}”是本村{r['official_title']}",
                            {"payment_request_id": r["id"], "amount_fen": r["amount_fen"], "member_id": r["member_id"],
                             "official": r["official"], "official_title": r["official_title"],
                             "date": _iso(r["paid_on"] or r["request_date"])}))
    con = (f["contracts"].with_columns(pl.col("counterparty_id").str.strip_chars().str.to_uppercase().alias("cid"))
           .join(off, on=["org_id", "cid"]))
    for r in con.iter_rows(named=True):
        out.append(_finding("official_counterparty", r, "contract", r["id"],
                            f"合同{r['number']}（{yuan(r['amount_fen'])}）的相对方“{r['counterparty']}”是本村{r['official_title']}",
                            {"contract_id": r["id"], "amount_fen": r["amount_fen"], "member_id": r["member_id"],
                             "official": r["official"], "official_title": r["official_title"],
                             "signed_on": _iso(r["signed_on"])}))
    return out


# ---------------------------------------------------------------------------------- decisions
def _valid_resolution(frame: pl.DataFrame, res: pl.DataFrame, date_col: str, types: pl.Expr,
                      subject: str | None = None) -> pl.DataFrame:
    """`frame` with a boolean `resolved`: its `resolution_id` names a passed resolution of the same
    organisation, of an allowed decision type (`types`, an expression over the row), held no
    later than `date_col`, and (for assets) about this asset or none. The resolution's amount
    limit is not tested, as in the entry forms (domain.funds, domain.assets, data.trading)."""
    r = res.select("resolution_id", pl.col("org_id").alias("res_org"), "decision_type", "passed", "held_on",
                   "amount_limit_fen", pl.col("subject_type").alias("res_subject_type"),
                   pl.col("subject_id").alias("res_subject_id"))
    j = frame.join(r, on="resolution_id", how="left")
    ok = (pl.col("res_org") == pl.col("org_id")) & pl.col("passed").fill_null(False) & types \
        & (pl.col("held_on") <= pl.col(date_col))
    if subject:
        ok = ok & ((pl.col("res_subject_type") != "asset").fill_null(True) | pl.col("res_subject_id").is_null()
                   | (pl.col("res_subject_id") == pl.col(subject)))
    return j.with_columns(ok.fill_null(False).alias("resolved"))


CONTRACT_DECISION = {"lease": "lease", "contracting": "lease", "transfer": "transfer"}
ACT_LABELS = {"disposal": "处置", "lease": "出租", "pledge": "抵押"}


def check_no_resolution(f: Frames, p: Mapping, today: dt.date) -> list[Finding]:
    """Payments, lease/transfer contracts and borrowings of the organisation's decision threshold
    or more (>=, as `domain.funds.needs_resolution`), and every asset disposal, lease or pledge
    (as `domain.assets`), without a passed resolution that voted that kind of decision before."""
    th = _thresholds(f["orgs"], "decision_threshold_fen", p["default_threshold_fen"])
    res = f["resolutions"]
    out: list[Finding] = []

    pay = (f["payments"].filter((pl.col("kind") == "payment") & (pl.col("status") != "rejected"))
           .with_columns(pl.coalesce("paid_on", "request_date").alias("day"))
           .join(th, on="org_id", how="left").with_columns(pl.col("threshold_fen").fill_null(p["default_threshold_fen"]))
           .filter(pl.col("amount_fen") >= pl.col("threshold_fen")))
    pay = _valid_resolution(pay, res, "day", pl.col("decision_type") == "payment").filter(~pl.col("resolved"))
    for r in pay.iter_rows(named=True):
        out.append(_finding("no_resolution", r, "payment_request", r["id"],
                            f"付款{yuan(r['amount_fen'])}（{r['purpose']}）达到决策限额{yuan(r['threshold_fen'])}，无有效会议决议",
                            {"payment_request_id": r["id"], "amount_fen": r["amount_fen"], "date": _iso(r["day"]),
                             "threshold_fen": r["threshold_fen"], "resolution_id": r["resolution_id"]}))

    acts = f["asset_acts"].filter(pl.col("kind").is_in(list(ACT_LABELS)))
    acts = _valid_resolution(acts, res, "date", pl.col("decision_type") == pl.col("kind"),
                             subject="asset_id").filter(~pl.col("resolved"))
    for r in acts.iter_rows(named=True):
        out.append(_finding("no_resolution", r, "asset_event", r["id"],
                            f"{r['date']}资产{ACT_LABELS[r['kind']]}（原值{yuan(r['original_value_fen'])}）无有效会议决议",
                            {"asset_event_id": r["id"], "asset_id": r["asset_id"], "act": r["kind"],
                             "original_value_fen": r["original_value_fen"], "date": _iso(r["date"]),
                             "resolution_id": r["resolution_id"]}))

    con = (f["contracts"].filter(pl.col("kind").is_in(list(CONTRACT_DECISION)) & (pl.col("direction") == "income")
                                 & (pl.col("status") != "terminated"))
           .join(th, on="org_id", how="left").with_columns(pl.col("threshold_fen").fill_null(p["default_threshold_fen"]))
           .filter(pl.col("amount_fen") >= pl.col("threshold_fen"))
           .with_columns(pl.col("kind").replace_strict(CONTRACT_DECISION, default=None).alias("needed")))
    con = _valid_resolution(con, res, "signed_on", pl.col("decision_type") == pl.col("needed")).filter(~pl.col("resolved"))
    for r in con.iter_rows(named=True):
        out.append(_finding("no_resolution", r, "contract", r["id"],
                            f"合同{r['number']}（{yuan(r['amount_fen'])}）达到决策限额{yuan(r['threshold_fen'])}，无有效会议决议",
                            {"contract_id": r["id"], "amount_fen": r["amount_fen"], "signed_on": _iso(r["signed_on"]),
                             "threshold_fen": r["threshold_fen"], "resolution_id": r["resolution_id"]}))

    window = int(p.get("borrowing_window_days", 365))
    bor = (f["borrowings"].join(th, on="org_id", how="left")
           .with_columns(pl.col("threshold_fen").fill_null(p["default_threshold_fen"]))
           .filter(pl.col("amount_fen") >= pl.col("threshold_fen")))
    if bor.height:
        br = res.filter((pl.col("decision_type") == "borrowing") & pl.col("passed")).select(
            "org_id", "held_on", "amount_limit_fen")
        ok = (bor.join(br, on="org_id").filter(
            (pl.col("held_on") <= pl.col("date")) & (pl.col("held_on") >= pl.col("date") - pl.duration(days=window))
            ).select("voucher_id", "account_code").unique())
        for r in bor.join(ok, on=["voucher_id", "account_code"], how="anti").iter_rows(named=True):
            out.append(_finding("no_resolution", r, "voucher", r["voucher_id"],
                                f"{r['date']}借入款项{yuan(r['amount_fen'])}达到决策限额{yuan(r['threshold_fen'])}，此前{window}日内无借款决议",
                                {"voucher_id": r["voucher_id"], "account_code": r["account_code"],
                                 "amount_fen": r["amount_fen"], "date": _iso(r["date"]),
                                 "threshold_fen": r["threshold_fen"], "window_days": window}))
    return out


def check_paid_before_approval(f: Frames, p: Mapping, today: dt.date) -> list[Finding]:
    """Paid before the request was entered, before its final approval, or before the meeting
    whose resolution it cites."""
    pay = f["payments"].filter((pl.col("kind") == "payment") & pl.col("paid_on").is_not_null())
    pay = pay.join(f["resolutions"].select("resolution_id", "held_on"), on="resolution_id", how="left").filter(
        (pl.col("paid_on") < pl.col("request_date")) | (pl.col("paid_on") < pl.col("approved_on")).fill_null(False)
        | (pl.col("paid_on") < pl.col("held_on")).fill_null(False))
    out = []
    for r in pay.iter_rows(named=True):
        if r["paid_on"] < r["request_date"]:
            why = f"早于申请日期{r['request_date']}"
        elif r["approved_on"] is not None and r["paid_on"] < r["approved_on"]:
            why = f"早于审批通过日期{r['approved_on']}"
        else:
            why = f"早于决议会议日期{r['held_on']}"
        out.append(_finding("paid_before_approval", r, "payment_request", r["id"],
                            f"{r['paid_on']}付款{yuan(r['amount_fen'])}（{r['purpose']}），{why}",
                            {"payment_request_id": r["id"], "paid_on": _iso(r["paid_on"]),
                             "request_date": _iso(r["request_date"]), "approved_on": _iso(r["approved_on"]),
                             "held_on": _iso(r["held_on"]), "resolution_id": r["resolution_id"],
                             "amount_fen": r["amount_fen"]}))
    return out


# ---------------------------------------------------------------------------------- contracts
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
        out.append(_finding("contract_expired_active", r, "contract", r["id"],
                            f"合同{r['number']}已于{r['end_on']}到期，" + "，".join(reasons),
                            {"contract_id": r["id"], "end_on": _iso(r["end_on"]), "status": r["status"],
                             "owed_fen": r["owed_fen"], "late_receipts": r["late_receipts"],
                             "last_receipt": _iso(r["last_receipt"])}))
    return out


def check_instalment_overdue(f: Frames, p: Mapping, today: dt.date) -> list[Finding]:
    """An instalment whose due date plus `grace_days` is before today, not fully received."""
    grace = int(p["grace_days"])
    con = f["contracts"].filter(pl.col("status") != "terminated").select(
        pl.col("id").alias("contract_id"), "org_id", "number", "counterparty")
    rows = (f["instalments"].filter((pl.col("received_fen") < pl.col("amount_fen"))
                                    & (pl.col("due_on") + pl.duration(days=grace) < today))
            .join(con, on="contract_id"))
    return [_finding("instalment_overdue", r, "instalment", r["id"],
                     f"合同{r['number']}第{r['seq']}期应收{yuan(r['amount_fen'])}，已收{yuan(r['received_fen'])}，"
                     f"逾期{(today - r['due_on']).days}天",
                     {"instalment_id": r["id"], "contract_id": r["contract_id"], "due_on": _iso(r["due_on"]),
                      "amount_fen": r["amount_fen"], "received_fen": r["received_fen"],
                      "days_overdue": (today - r["due_on"]).days, "grace_days": grace})
            for r in rows.iter_rows(named=True)]


def check_contract_expiring(f: Frames, p: Mapping, today: dt.date) -> list[Finding]:
    """An active contract ending between today and `days` days from today (inclusive)."""
    days = int(p["days"])
    rows = f["contracts"].filter((pl.col("status") == "active") & (pl.col("end_on") >= today)
                                 & (pl.col("end_on") <= today + dt.timedelta(days=days)))
    return [_finding("contract_expiring", r, "contract", r["id"],
                     f"合同{r['number']}（{r['counterparty']}）将于{r['end_on']}到期，剩余{(r['end_on'] - today).days}天",
                     {"contract_id": r["id"], "end_on": _iso(r["end_on"]), "days_left": (r["end_on"] - today).days,
                      "days": days}, r["end_on"].isoformat())
            for r in rows.iter_rows(named=True)]


def check_contract_signed_after_start(f: Frames, p: Mapping, today: dt.date) -> list[Finding]:
    rows = f["contracts"].filter(pl.col("signed_on") > pl.col("start_on"))
    return [_finding("contract_signed_after_start", r, "contract", r["id"],
                     f"合同{r['number']}于{r['signed_on']}签订，晚于{r['start_on']}开始履行{(r['signed_on'] - r['start_on']).days}天",
                     {"contract_id": r["id"], "signed_on": _iso(r["signed_on"]), "start_on": _iso(r["start_on"])})
            for r in rows.iter_rows(named=True)]


def check_supplier_registered_after_contract(f: Frames, p: Mapping, today: dt.date) -> list[Finding]:
    rows = f["contracts"].filter(pl.col("counterparty_registered_on") > pl.col("signed_on"))
    return [_finding("supplier_registered_after_contract", r, "contract", r["id"],
                     f"合同{r['number']}相对方“{r['counterparty']}”{r['counterparty_registered_on']}才登记成立，晚于签订日期{r['signed_on']}",
                     {"contract_id": r["id"], "counterparty": r["counterparty"], "counterparty_id": r["counterparty_id"],
                      "registered_on": _iso(r["counterparty_registered_on"]), "signed_on": _iso(r["signed_on"])})
            for r in rows.iter_rows(named=True)]


# ---------------------------------------------------------------------------------- receivables
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


def _check_aged(rule_id: str, label: str):
    def check(f: Frames, p: Mapping, today: dt.date) -> list[Finding]:
        rows = aged_balances(f["arap"], today, int(p["years"]), p.get("until_years")).filter(
            pl.col("aged_fen") >= p["min_fen"])
        out = []
        for r in rows.iter_rows(named=True):
            acct = "应收款" if r["account_code"] == RECEIVABLE else "应付款"
            who = r["counterparty"] or "未列明往来单位"
            out.append(_finding(rule_id, r, "org", r["org_id"],
                                f"{acct}（{who}）{yuan(r['aged_fen'])}挂账{label}（最早{r['oldest_on']}形成）",
                                {"account_code": r["account_code"], "counterparty": r["counterparty"],
                                 "aged_fen": r["aged_fen"], "balance_fen": r["balance_fen"],
                                 "cutoff": _iso(r["cutoff"]), "oldest_on": _iso(r["oldest_on"]),
                                 "years": int(p["years"])},
                                f"{r['account_code']}-{_short(r['counterparty'])}"))
        return out
    return check


# ---------------------------------------------------------------------------------- trading
def check_price_below_reserve(f: Frames, p: Mapping, today: dt.date) -> list[Finding]:
    """An awarded deal below `percent`% of the listing's reserve price (exact integer test)."""
    pct = int(p["percent"])
    rows = f["listings"].filter((pl.col("status") == "awarded") & pl.col("deal_price_fen").is_not_null()
                                & (pl.col("deal_price_fen") * 100 < pl.col("reserve_price_fen") * pct))
    return [_finding("price_below_reserve", r, "listing", r["id"],
                     f"“{r['title']}”成交价{yuan(r['deal_price_fen'])}，仅为底价{yuan(r['reserve_price_fen'])}的"
                     f"{r['deal_price_fen'] * 100 // r['reserve_price_fen']}%",
                     {"listing_id": r["id"], "deal_price_fen": r["deal_price_fen"],
                      "reserve_price_fen": r["reserve_price_fen"], "percent": pct})
            for r in rows.iter_rows(named=True)]


def lease_rates(leases: pl.DataFrame) -> pl.DataFrame:
    """Yearly rent per mu (fen, integer) of lease contracts on resources, with the county's lower
    median for the same resource type and the number of such leases in the county."""
    rows = (leases.filter(pl.col("kind").is_in(["lease", "contracting"]) & (pl.col("direction") == "income")
                          & (pl.col("status") != "terminated") & (pl.col("area_cmu") > 0))
            .with_columns(((pl.col("end_on") - pl.col("start_on")).dt.total_days() + 1).alias("days"))
            .filter(pl.col("days") > 0)
            .with_columns((pl.col("amount_fen") * 365 // pl.col("days")).alias("yearly_fen"),
                          (pl.col("region_code") // 1_000_000 * 1_000_000).alias("county"))
            .with_columns((pl.col("yearly_fen") * 100 // pl.col("area_cmu")).alias("per_mu_fen")))
    peers = rows.group_by("county", "resource_type").agg(
        pl.col("per_mu_fen").quantile(0.5, "lower").cast(pl.Int64).alias("median_fen"), pl.len().alias("peers"))
    return rows.join(peers, on=["county", "resource_type"])


def check_price_below_going_rate(f: Frames, p: Mapping, today: dt.date) -> list[Finding]:
    """A lease whose yearly rent per mu is below `percent`% of the county's median for the same
    resource type (at least `min_peers` leases to compare with)."""
    pct = int(p["percent"])
    rows = lease_rates(f["leases"]).filter((pl.col("peers") >= p["min_peers"])
                                           & (pl.col("per_mu_fen") * 100 < pl.col("median_fen") * pct))
    return [_finding("price_below_going_rate", r, "contract", r["id"],
                     f"合同{r['number']}{r['resource_type']}年租金每亩{yuan(r['per_mu_fen'])}，"
                     f"低于本县同类中位数{yuan(r['median_fen'])}的{pct}%",
                     {"contract_id": r["id"], "per_mu_fen": r["per_mu_fen"], "median_fen": r["median_fen"],
                      "peers": r["peers"], "resource_type": r["resource_type"], "area_cmu": r["area_cmu"],
                      "yearly_fen": r["yearly_fen"], "percent": pct})
            for r in rows.iter_rows(named=True)]


# ---------------------------------------------------------------------------------- assets
def check_annual_check_not_filed(f: Frames, p: Mapping, today: dt.date) -> list[Finding]:
    """Every organisation files the year's asset check by `due_month`/`due_day` of the next year:
    for every year from the first year on record whose deadline has passed, a check filed late
    or not at all."""
    checks = f["annual_checks"]
    orgs = f["orgs"].select("org_id", "region_code")
    last_year = today.year - 1 if today > dt.date(today.year, p["due_month"], p["due_day"]) else today.year - 2
    first_year = int(checks["year"].min()) if checks.height else last_year
    if p.get("first_year"):
        first_year = max(first_year, int(p["first_year"]))
    if last_year < first_year or orgs.is_empty():
        return []
    years = pl.DataFrame({"year": list(range(first_year, last_year + 1))}, schema={"year": pl.Int64})
    grid = (orgs.join(years, how="cross")
            .join(checks.select("org_id", pl.col("year").cast(pl.Int64), "filed_on", pl.col("id").alias("check_id")),
                  on=["org_id", "year"], how="left")
            .with_columns(pl.date(pl.col("year") + 1, p["due_month"], p["due_day"]).alias("due_on"))
            .filter(pl.col("filed_on").is_null() | (pl.col("filed_on") > pl.col("due_on"))))
    out = []
    for r in grid.iter_rows(named=True):
        state = f"至今未报送" if r["filed_on"] is None else f"{r['filed_on']}才报送，逾期{(r['filed_on'] - r['due_on']).days}天"
        out.append(_finding("annual_check_not_filed", r, "org", r["org_id"],
                            f"{r['year']}年度资产清查应于{r['due_on']}前报送，{state}",
                            {"year": r["year"], "due_on": _iso(r["due_on"]), "filed_on": _iso(r["filed_on"]),
                             "annual_check_id": r["check_id"]}, r["year"]))
    return out


# ---------------------------------------------------------------------------------- statistics
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
            .filter((pl.col("period") < pl.col("p")))
            .with_columns(((pl.col("p") // 100 * 12 + pl.col("p") % 100) - (pl.col("period") // 100 * 12 + pl.col("period") % 100))
                          .alias("lag"))
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
        out.append(_finding("spending_jump", r, "org", r["org_id"],
                            f"{r['p'] // 100}年{r['p'] % 100}月支出{yuan(r['spend_fen'])}，为本村此前{r['months']}个月中位数"
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
        out.append(_finding("benford", r, "org", r["org_id"],
                            f"{start}以来{r['n']}笔支付首位数字偏离本福特分布（χ²={r['chi2']:.1f}，p={r['p_value']:.2g}，"
                            f"MAD={r['mad']:.4f}，{nigrini_band(r['mad'])}）",
                            {"n": r["n"], "counts": counts, "expected_share": [round(e, 4) for e in BENFORD],
                             "chi2": round(r["chi2"], 3), "dof": 8, "p_value": r["p_value"], "mad": round(r["mad"], 5),
                             "band": nigrini_band(r["mad"]), "since": start.isoformat(), "min_count": p["min_count"],
                             "p_threshold": p["p_value"], "mad_threshold": p["mad"]}, today.year))
    return out


# ---------------------------------------------------------------------------------- registry
@dataclass(frozen=True)
class Rule:
    id: str
    name: str
    article: str
    severity: int  # 1 低 / 2 中 / 3 高
    area: str
    params: Mapping = field(default_factory=dict)
    check: Check = None  # type: ignore[assignment]
    #: the frames the check reads (the engine reads only what the selected rules need)
    needs: tuple[str, ...] = ()
    description: str = ""
    #: for rules that look at a recent window only: (params, today) -> the earliest period key
    #: (the fingerprint's last part) the check still examines; older warnings are left alone
    horizon: Callable[[Mapping, dt.date], str] | None = None

    def __post_init__(self):
        object.__setattr__(self, "params", MappingProxyType(dict(self.params)))


CASH_ART = "《农村集体经济组织财务制度》《农村集体经济组织会计制度》现金管理；吉林规则第三十一条、第四十一条"
DECISION_ART = "四议两公开（村级重大事项民主决策）；《农村集体经济组织财务制度》；吉林规则第三条"
CONTRACT_ART = "农村集体经济合同管理规定；吉林规则第三条（合同管理）、第四十一条"
ARAP_ART = "《农村集体经济组织会计制度》应收款、应付款核算；清产核资（往来款项清理）"
ASSET_CHECK_ART = "农村集体资产年度清查制度（12月31日盘点、次年3月31日前上报）；吉林规则第二十六条"

_RULES: list[Rule] = [
    Rule("cash_over_limit", "库存现金超过限额", CASH_ART, 2, "funds", {"limit_fen": 500_000},
         check_cash_over_limit, ("orgs", "cash"),
         "最近一日库存现金余额超过本组织核定的现金限额（未核定时按默认限额5000元），超出部分应及时存入银行。"),
    Rule("cash_payment_to_org", "现金支付单位款项1000元以上", CASH_ART, 2, "funds", {"min_fen": 100_000},
         check_cash_payment_to_org, ("payments",),
         "以现金账户向单位（统一社会信用代码）支付1000元及以上款项；应通过银行转账。"),
    Rule("cash_not_deposited", "现金收入未及时存入银行", CASH_ART, 2, "funds", {"days": 3, "min_fen": 100_000},
         check_cash_not_deposited, ("cash",),
         "一日收取现金1000元及以上，收款当日起3日内存入银行的合计不足收款金额。"),
    Rule("cash_sitting_payment", "坐支现金（以收抵支）", CASH_ART, 3, "funds", {"min_fen": 1},
         check_cash_sitting_payment, ("voucher_mix",),
         "一张凭证直接以收入抵顶支出，收入未经现金或银行账户入账即被支出（坐支）。"),
    Rule("no_resolution", "重大事项未经民主决策（四议两公开）", DECISION_ART, 3, "meetings",
         {"default_threshold_fen": 5_000_000, "borrowing_window_days": 365},
         check_no_resolution, ("orgs", "payments", "resolutions", "asset_acts", "contracts", "borrowings"),
         "达到本组织决策限额的付款、出租（发包）、转让合同和借款，以及每一项资产处置、出租、抵押，没有引用此前通过的同类会议决议。"),
    Rule("contract_expired_active", "合同已到期仍在履行或仍有欠款", CONTRACT_ART, 2, "contracts", {},
         check_contract_expired_active, ("contracts", "instalments", "receipts"),
         "合同到期后仍标记为履行中、到期后仍在收款，或到期时仍有未收清的款项。"),
    Rule("instalment_overdue", "合同款项逾期未收", CONTRACT_ART, 2, "contracts", {"grace_days": 0},
         check_instalment_overdue, ("contracts", "instalments"),
         "合同约定的应收款项已过期限仍未收齐。"),
    Rule("contract_expiring", "合同即将到期（90日内）", CONTRACT_ART, 1, "contracts", {"days": 90},
         check_contract_expiring, ("contracts",),
         "履行中的合同将在90日内到期，应提前做好续签或重新发包（经民主决策）。"),
    Rule("receivable_aged_3y", "往来款项挂账3年以上", ARAP_ART, 2, "funds", {"years": 3, "until_years": 5, "min_fen": 100},
         _check_aged("receivable_aged_3y", "3年以上"), ("arap",),
         "应收款（112）或应付款（211）中3年以上、不满5年仍未结清的部分（按往来单位先进先出核算账龄）。"),
    Rule("receivable_aged_5y", "往来款项挂账5年以上", ARAP_ART, 3, "funds", {"years": 5, "until_years": None, "min_fen": 100},
         _check_aged("receivable_aged_5y", "5年以上"), ("arap",),
         "应收款（112）或应付款（211）中5年以上仍未结清的部分（按往来单位先进先出核算账龄）。"),
    Rule("contract_signed_after_start", "合同签订晚于履行开始", CONTRACT_ART, 2, "contracts", {},
         check_contract_signed_after_start, ("contracts",),
         "合同签订日期晚于租赁（履行）开始日期：先履行后签约。"),
    Rule("paid_before_approval", "先支付后审批", DECISION_ART, 3, "funds", {},
         check_paid_before_approval, ("payments", "resolutions"),
         "付款日期早于申请日期、审批通过日期，或早于所引用决议的会议日期。"),
    Rule("supplier_registered_after_contract", "相对方登记成立晚于合同签订", CONTRACT_ART, 2, "contracts", {},
         check_supplier_registered_after_contract, ("contracts",),
         "合同相对方（单位）的登记成立日期晚于合同签订日期。"),
    Rule("duplicate_payment", "疑似重复支付", "《农村集体经济组织财务制度》资金支付审核", 2, "funds", {"window_days": 30},
         check_duplicate_payment, ("payments",),
         "同一收款人、同一金额、同一用途的付款在30日内出现多次。"),
    Rule("official_counterparty", "本村干部为收款人或合同相对方", "村干部回避及关联交易监督；四议两公开", 3, "funds", {},
         check_official_counterparty, ("officials", "payments", "contracts"),
         "收付款对方或合同相对方的身份证号与本集体经济组织的村干部相同。"),
    Rule("price_below_reserve", "成交价远低于挂牌底价", "农村产权交易管理办法（底价制度）；吉林规则第三条（产权交易）", 3, "trading",
         {"percent": 80},
         check_price_below_reserve, ("listings",),
         "产权交易成交价低于挂牌底价的80%。"),
    Rule("price_below_going_rate", "租金远低于本地同类水平", "农村产权交易管理办法；集体资源发包", 2, "resources",
         {"percent": 50, "min_peers": 5},
         check_price_below_going_rate, ("leases",),
         "资源出租每亩年租金低于本县同类资源出租中位数的50%（同类至少5宗）。"),
    Rule("annual_check_not_filed", "年度资产清查未按期报送", ASSET_CHECK_ART, 2, "assets", {"due_month": 3, "due_day": 31},
         check_annual_check_not_filed, ("orgs", "annual_checks"),
         "上年度资产清查结果未在次年3月31日前报送（逾期报送或至今未报）。"),
    Rule("spending_jump", "支出异常波动", "统计分析：与本村历史支出比较", 1, "statistics",
         {"recent_months": 3, "history_months": 36, "min_history_months": 12, "ratio_percent": 400, "z": 6.0,
          "min_fen": 2_000_000},
         check_spending_jump, ("spending",),
         "近3个月中某月支出达到本村此前各月中位数的4倍以上，且超出中位数6个稳健标准差（1.4826×MAD）。",
         horizon=lambda p, today: str(months_back(period_of(today), int(p["recent_months"]) - 1))),
    Rule("benford", "支付金额首位数字分布异常（本福特定律）", "统计分析：本福特定律首位数字检验（Nigrini）", 1, "statistics",
         {"months": 36, "min_count": 100, "min_amount_fen": 1_000, "p_value": 0.001, "mad": 0.015},
         check_benford, ("payment_lines",),
         "本村近36个月10元以上支付金额（至少100笔）的首位数字分布与本福特定律显著不符：卡方检验p<0.001且平均绝对偏差超过0.015（Nigrini不符合区间）。",
         horizon=lambda p, today: str(today.year)),
]

RULES: dict[str, Rule] = {r.id: r for r in _RULES}

#: Per-province overrides of rule parameters: {province: {rule_id: {param: value}}}. The
#: defaults above follow common practice; a province's own figures go here.
PROVINCE_PARAMS: dict[int, dict[str, dict]] = {22: {}, 36: {}}


def params_for(rule: Rule | str, province: int | None = None) -> dict:
    """The rule's parameters with the province's overrides applied."""
    rule = RULES[rule] if isinstance(rule, str) else rule
    out = dict(rule.params)
    out.update(PROVINCE_PARAMS.get(province or 0, {}).get(rule.id, {}))
    return out


def needed_frames(rules) -> set[str]:
    out: set[str] = set()
    for r in rules:
        out.update(r.needs)
    return out
