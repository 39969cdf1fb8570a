"""The ledger-derived frames the checks read, built once per run from the raw ledger."""
from __future__ import annotations


import numpy as np
import polars as pl

from .base import (
    BANK, BORROWING_ACCOUNTS, CASH, EXPENSE_ACCOUNTS, FRAME_SCHEMAS, INCOME_ACCOUNTS, LEDGER_DERIVED, PAYABLE,
    RECEIVABLE,
)


def ledger_frames(lines: pl.DataFrame | pl.LazyFrame, vouchers: pl.DataFrame | pl.LazyFrame) -> dict[str, pl.DataFrame]:
    """The ledger-derived frames from raw lines (of LEDGER_ACCOUNTS) and their vouchers.

    Voucher ids are dense (1..n): the voucher of each line and the per-voucher flags (has a bank
    line, receives money, earns income, spends) are found by array indexing, not by joins — at
    province scale (20M+ lines) that is several times faster. Sparse ids fall back to joins."""
    lines = lines.collect() if isinstance(lines, pl.LazyFrame) else lines
    vouchers = vouchers.collect() if isinstance(vouchers, pl.LazyFrame) else vouchers
    if lines.is_empty() or vouchers.is_empty():
        return ledger_frames_by_joins(lines, vouchers)
    vid = lines["voucher_id"].to_numpy()
    vv = vouchers["voucher_id"].to_numpy()
    size = int(max(vv.max(), vid.max())) + 1
    if size > 4 * (len(vv) + len(vid)) + 1_000_000 or vid.min() < 0 or vv.min() < 0:
        return ledger_frames_by_joins(lines, vouchers)
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


def ledger_frames_by_joins(lines: pl.DataFrame | pl.LazyFrame, vouchers: pl.DataFrame | pl.LazyFrame) -> dict[str, pl.DataFrame]:
    """`ledger_frames` by joins: the fallback for sparse voucher ids, and the reference the index path is tested against."""
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
