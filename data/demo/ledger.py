"""Vectorised generation of a village ledger: balanced vouchers, seasonal cash flows,
heavy-tailed village wealth. Pure numpy/polars, no database.

Wealth follows a log-normal with sigma 1.8 and mean 8.2 million yuan per village, which puts
about three quarters of all assets in the richest 14% of villages (the 2019 national audit).
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import polars as pl

MEAN_ASSETS_YUAN = 8_200_000
WEALTH_SIGMA = 1.8

# (summary, debit account(s), credit account(s)) — one template a voucher kind.
# A template with two debit accounts makes a three-line voucher (the second debit gets 6%).
TEMPLATES: list[tuple[str, tuple[int, ...], int]] = [
    ("收到经营收入", (102,), 501),          # 0
    ("收取发包租金（现金）", (101,), 501),   # 1
    ("收到上级补助资金", (102,), 503),        # 2
    ("收到投资分红", (102,), 502),            # 3
    ("收到其他收入", (102,), 504),            # 4
    ("支付办公及误工补贴", (513,), 102),      # 5
    ("现金支付办公用品", (513,), 101),        # 6
    ("支付经营支出", (511,), 102),            # 7
    ("支付公益事业支出", (514,), 102),        # 8
    ("现金支付其他支出", (515,), 101),        # 9
    ("从银行提取现金", (101,), 102),          # 10
    ("将现金存入银行", (102,), 101),          # 11
    ("确认应收租金", (112,), 501),            # 12
    ("收回应收款", (102,), 112),              # 13
    ("确认应付工程款", (511,), 211),          # 14
    ("支付应付款", (211,), 102),              # 15
    ("购置固定资产", (151,), 102),            # 16
    ("支付服务费及税金", (513, 512), 102),    # 17
    ("取得短期借款", (102,), 201),            # 18
    ("归还借款", (201,), 102),                # 19
    ("对外长期投资", (141,), 102),            # 20
    ("计提固定资产折旧", (513,), 152),        # 21
    # derived or planted kinds (never drawn at random)
    ("收回期初应收款", (102,), 112),          # 22
    ("偿还期初应付款", (211,), 102),          # 23
    ("收取租金直接支付误工补贴", (513,), 501),  # 24 坐支: income netted against an expense
    ("支付村内道路硬化工程款", (514,), 102),    # 25 a one-off jump in spending
    ("支付零星工程款", (511,), 102),          # 26 fabricated amounts (Benford)
]
N_T = len(TEMPLATES)
# Relative frequency of each template, and its typical size as a share of yearly turnover.
# Deposits of cash takings (11), withdrawals for cash payments (10), collections of receivables
# (13) and payments of payables (15) are not drawn: they follow the voucher they settle.
FREQ = np.array([14, 6, 4, 2, 3, 12, 8, 9, 4, 3, 0, 0, 5, 0, 3, 0, 1.2, 6, 0.5, 0.5, 0.3, 0, 0, 0, 0, 0, 0], float)
SIZE = np.array([2.5, 0.08, 3.0, 1.2, 0.3, 0.25, 0.02, 0.6, 0.8, 0.02, 0.05, 0.04, 1.2, 1.0, 1.0, 0.9,
                 3.0, 0.2, 2.0, 2.0, 3.0, 0.0, 0, 0, 0, 0, 0])
INCOME_T = {0, 1, 2, 3, 4, 12}
SEASON_INCOME = np.array([1.6, 0.7, 1.3, 0.8, 0.8, 0.9, 0.8, 0.8, 1.2, 1.5, 1.4, 1.3])  # Jan..Dec
SEASON_SPEND = np.array([1.0, 0.6, 1.0, 1.2, 1.3, 1.2, 1.1, 1.0, 1.0, 1.0, 1.0, 1.6])

OPENING = [  # (account, share of total assets, side) — capital (301) balances the voucher
    (101, 0.0015, "d"), (102, 0.15, "d"), (112, 0.09, "d"), (121, 0.02, "d"), (141, 0.08, "d"),
    (151, 0.58, "d"), (152, 0.10, "c"), (161, 0.06, "d"), (132, 0.05, "d"), (153, 0.0685, "d"),
    (211, 0.07, "c"), (201, 0.03, "c"),
]
#: the share of vouchers drawn at random; the rest settle them (deposits, withdrawals, collections…)
DRAWN_SHARE = float(FREQ.sum() / (FREQ.sum() + 17))  # 17: the old weights of the settlement kinds
#: cash on hand at the opening stays within the usual limit (yuan), except where a fault is planted
OPENING_CASH_YUAN = (500, 4_000)
#: ledger faults the supervision rules must find; `plant` is the share of villages with each
LEDGER_FAULTS = ("cash_kept", "takings_kept", "sitting_payment", "old_receivable", "old_payable",
                 "very_old_receivable", "spending_jump", "fabricated_payments")


@dataclass
class Ledger:
    vouchers: pl.DataFrame  # id, region_code, org_id, date, period, number, summary, source
    lines: pl.DataFrame     # id, voucher_id, region_code, period, line_no, account_code, debit_fen, credit_fen, counterparty
    wealth_fen: np.ndarray  # opening total assets per village
    #: village indexes (into the codes) carrying each planted ledger fault
    planted: dict = field(default_factory=dict)


def periods(end: int, months: int) -> np.ndarray:
    y, m = divmod(end, 100)
    idx = y * 12 + (m - 1) - np.arange(months)[::-1]
    return (idx // 12) * 100 + idx % 12 + 1


def village_wealth(rng: np.random.Generator, n: int) -> np.ndarray:
    mu = np.log(MEAN_ASSETS_YUAN) - WEALTH_SIGMA**2 / 2
    yuan = rng.lognormal(mu, WEALTH_SIGMA, n)
    return (np.clip(yuan, 80_000, 2e10) * 100).astype(np.int64)


def pick(rng: np.random.Generator, n: int, share: float, taken: set) -> np.ndarray:
    """Villages for one planted fault: about `share` of them and at least one, preferring villages
    without another fault so that each fault stands on its own."""
    k = max(1, int(round(n * share)))
    free = np.array([i for i in range(n) if i not in taken] or list(range(n)))
    out = np.sort(rng.choice(free, size=min(k, len(free)), replace=False))
    taken.update(int(i) for i in out)
    return out


def generate_ledger(rng: np.random.Generator, village_codes: np.ndarray, org_ids: np.ndarray,
                    end_period: int, months: int, vouchers_per_month, last_day: int | None = None,
                    plant: float | None = None, summary: np.ndarray | None = None) -> Ledger:
    """Vouchers for every village × month. `vouchers_per_month` is the mean over villages (one number,
    or one per village: the mean of villages of the same wealth). `summary` (one flag per village):
    those villages keep their books as monthly summaries — one income and one spending voucher a
    month, close to a twelfth of their turnover, beside the monthly depreciation — instead of
    individual vouchers. With
    `plant`, about that share of villages (at least one) gets each fault of LEDGER_FAULTS."""
    nv = len(village_codes)
    pers = periods(end_period, months)
    wealth = village_wealth(rng, nv)
    # activity grows sub-linearly with wealth; turnover is 5–15% of assets a year, so that income
    # outruns expenses and depreciation and assets grow a few per cent a year
    act = (wealth / np.median(wealth)) ** 0.3
    act = act / act.mean() * vouchers_per_month
    turnover = wealth * rng.uniform(0.05, 0.15, nv)  # fen / year
    month_of = pers % 100 - 1
    lam = act[:, None] * ((SEASON_INCOME + SEASON_SPEND) / 2)[month_of][None, :]
    # + 1 depreciation voucher each month; the settlements (deposits, withdrawals, collections,
    # payments of payables: about a fifth of all vouchers) follow the drawn vouchers below
    counts = rng.poisson(np.maximum((lam - 1) * DRAWN_SHARE, 0.2)).astype(np.int64)
    if summary is not None:
        counts[summary] = 0
    dim_all = _days_in_month(pers)
    if last_day is not None:
        dim_all = np.where(pers == end_period, np.minimum(dim_all, last_day), dim_all)
    # --- ordinary vouchers
    vm = np.repeat(np.arange(nv * months), counts.ravel())
    v_idx, p_idx = vm // months, vm % months
    n_ord = len(vm)
    probs = FREQ / FREQ.sum()
    tmpl = rng.choice(N_T, size=n_ord, p=probs)
    season = np.where(np.isin(tmpl, list(INCOME_T)), SEASON_INCOME[month_of[p_idx]], SEASON_SPEND[month_of[p_idx]])
    per_voucher = turnover[v_idx] / np.maximum(act[v_idx] * 12, 1)
    amount = per_voucher * SIZE[tmpl] * season * rng.lognormal(-0.3, 0.8, n_ord)
    amount = np.where(np.isin(tmpl, [1, 6, 9]), np.minimum(amount, 300_000), amount)  # cash items stay small
    amount = (np.round(amount / 100) * 100).astype(np.int64)  # whole yuan
    amount = np.maximum(amount, 1_000)
    day = rng.integers(1, 29, n_ord) % dim_all[p_idx] + 1
    # --- settlements that follow the voucher they settle
    opening_amt = {acct: (wealth * share).astype(np.int64) // 100 * 100 for acct, share, _ in OPENING}
    cash_open = np.clip(opening_amt[101], OPENING_CASH_YUAN[0] * 100, OPENING_CASH_YUAN[1] * 100) // 100 * 100
    parts = [(v_idx, p_idx, day, tmpl, amount)]
    if summary is not None and summary.any():
        parts.extend(_summaries(rng, np.flatnonzero(summary), months, month_of, dim_all, turnover))

    def follow(mask, new_t, lag_lo, lag_hi, same_month_day_lag=None):
        vi, pi, di, am = v_idx[mask], p_idx[mask], day[mask], amount[mask]
        if same_month_day_lag is not None:  # a few days later, within the month
            d2 = np.minimum(di + rng.integers(0, same_month_day_lag + 1, len(vi)), dim_all[pi])
            parts.append((vi, pi, d2, np.full(len(vi), new_t), am))
            return
        lag = rng.integers(lag_lo, lag_hi + 1, len(vi))
        p2 = pi + lag
        ok = p2 < months
        p2 = p2[ok]
        d2 = rng.integers(1, 29, ok.sum()) % dim_all[p2] + 1
        d2 = np.where(lag[ok] == 0, np.maximum(d2, di[ok]), d2)
        d2 = np.minimum(d2, dim_all[p2])
        parts.append((vi[ok], p2, d2, np.full(ok.sum(), new_t), am[ok]))

    follow(tmpl == 1, 11, 0, 0, same_month_day_lag=2)      # cash takings deposited within two days
    # cash for the month's cash payments is drawn from the bank on the day of the first of them
    cash_out = np.flatnonzero(np.isin(tmpl, [6, 9]))
    if len(cash_out):
        key = v_idx[cash_out] * months + p_idx[cash_out]
        order_ = np.argsort(key, kind="stable")
        key_s = key[order_]
        starts = np.flatnonzero(np.r_[True, key_s[1:] != key_s[:-1]])
        total = np.add.reduceat(amount[cash_out][order_], starts)
        first_day = np.minimum.reduceat(day[cash_out][order_], starts)
        k = key_s[starts]
        parts.append((k // months, k % months, first_day, np.full(len(k), 10), total))
    follow(tmpl == 12, 13, 1, 6)                           # receivables collected within half a year
    follow(tmpl == 14, 15, 0, 3)                           # payables paid within a quarter
    # the opening receivables and payables are settled within the first year
    for acct, t in ((112, 22), (211, 23)):
        lag = rng.integers(1, min(12, months - 1) + 1, nv) if months > 1 else np.zeros(nv, np.int64)
        d = rng.integers(1, 29, nv) % dim_all[lag] + 1
        parts.append((np.arange(nv), lag, d, np.full(nv, t), opening_amt[acct]))
    planted: dict[str, np.ndarray] = {}
    old_items = []  # (village, date, account, amount, counterparty): carried-forward items of known age
    if plant:
        taken: set = set()
        planted = {k: pick(rng, nv, plant, taken) for k in LEDGER_FAULTS}
        last = months - 1
        cash_open[planted["cash_kept"]] = rng.integers(60, 200, len(planted["cash_kept"])) * 10_000
        for k, t, lo, hi in (("takings_kept", 1, 2_000, 8_000), ("sitting_payment", 24, 500, 3_000)):
            vi = planted[k]
            pi = np.full(len(vi), max(last - 1, 0))  # last month: its deadline has passed
            di = rng.integers(1, 29, len(vi)) % dim_all[pi] + 1
            parts.append((vi, pi, di, np.full(len(vi), t), rng.integers(lo, hi, len(vi)) * 100))
        vi = planted["spending_jump"]
        pi = np.full(len(vi), last)
        jump = np.maximum(turnover[vi] * 0.6, 3_000_000) // 100 * 100
        parts.append((vi, pi, np.minimum(np.full(len(vi), 2), dim_all[pi]), np.full(len(vi), 25), jump.astype(np.int64)))
        for vi_ in planted["fabricated_payments"]:  # 130 payments over two years crowding the digits 4-9
            n = 130
            pi = last - rng.integers(0, min(24, months), n)
            di = rng.integers(1, 29, n) % dim_all[pi] + 1
            am = rng.integers(48, 99, n) * 10_000 + rng.integers(0, 100, n) * 100
            parts.append((np.full(n, vi_), pi, di, np.full(n, 26), am))
        end_y, end_m = divmod(int(end_period), 100)
        end_day = np.datetime64(f"{end_y:04d}-{end_m:02d}-{min(last_day or 28, 28):02d}")
        for k, acct, years in (("old_receivable", 112, (3.3, 4.6)), ("old_payable", 211, (3.3, 4.6)),
                               ("very_old_receivable", 112, (5.5, 8.0))):
            for vi_ in planted[k]:
                age = int(rng.uniform(*years) * 365)
                amt = int(rng.integers(20, 400)) * 10_000
                who = (f"{['张', '王', '李', '刘'][int(rng.integers(0, 4))]}某某（历年欠款）" if acct == 112
                       else "某建筑队（历年工程尾款）")
                old_items.append((int(vi_), end_day - np.timedelta64(age, "D"), acct, amt, who))
    v_idx, p_idx, day, tmpl, amount = (np.concatenate(x) for x in zip(*parts))
    # --- one depreciation voucher per village-month (fixed assets / 40 years / 12)
    dep = np.maximum((wealth * 0.58 / 480).astype(np.int64) // 100 * 100, 100)
    d_v = np.repeat(np.arange(nv), months)
    d_p = np.tile(np.arange(months), nv)
    v_idx = np.concatenate([v_idx, d_v])
    p_idx = np.concatenate([p_idx, d_p])
    tmpl = np.concatenate([tmpl, np.full(len(d_v), 21)])
    amount = np.concatenate([amount, dep[d_v]])
    day = np.concatenate([day, dim_all[d_p]])
    # order by village, period (the ledger as it would be entered)
    order = np.lexsort((rng.random(len(v_idx)), p_idx, v_idx))
    v_idx, p_idx, tmpl, amount, day = v_idx[order], p_idx[order], tmpl[order], amount[order], day[order]
    per = pers[p_idx]
    vouchers = _voucher_frame(village_codes, org_ids, v_idx, per, day, tmpl)
    opening = _opening(village_codes, org_ids, wealth, pers[0], cash_open)
    lines = _lines(vouchers.height, tmpl, amount, village_codes[v_idx], per, opening)
    vouchers = pl.concat([opening["vouchers"], vouchers.with_columns(pl.col("id") + nv)])
    if old_items:
        vouchers, lines = _old_items(vouchers, lines, village_codes, org_ids, pers[0], old_items)
    lines = lines.with_columns(pl.int_range(1, pl.len() + 1, dtype=pl.Int64).alias("id"))
    return Ledger(vouchers=vouchers, lines=lines, wealth_fen=wealth,
                  planted={k: [int(i) for i in v] for k, v in planted.items()})


#: the monthly summary vouchers of a village that keeps summaries: (template, share of turnover)
SUMMARY = ((0, 0.62), (7, 0.34))


def _summaries(rng, villages: np.ndarray, months: int, month_of, dim_all, turnover) -> list[tuple]:
    """One voucher per village, month and SUMMARY row: its share of a twelfth of the turnover,
    seasonal, within ±15%, dated from the 20th (the current month only once it got there)."""
    vi = np.repeat(villages, months)
    pi = np.tile(np.arange(months), len(villages))
    closed = dim_all[pi] >= 20  # a month is summarised from its 20th day: not the one that has just begun
    vi, pi = vi[closed], pi[closed]
    out = []
    for t, share in SUMMARY:
        season = (SEASON_INCOME if t in INCOME_T else SEASON_SPEND)[month_of[pi]]
        amount = turnover[vi] * share / 12 * season * rng.uniform(0.85, 1.15, len(vi))
        day = np.minimum(rng.integers(20, 29, len(vi)), dim_all[pi])
        out.append((vi, pi, day, np.full(len(vi), t), np.maximum(np.round(amount / 100) * 100, 1_000).astype(np.int64)))
    return out


def _old_items(vouchers: pl.DataFrame, lines: pl.DataFrame, codes, orgs, first_period: int, items) -> tuple:
    """Carried-forward receivables/payables entered with the date they arose (before the books on
    the platform begin): booked in the first period against capital, dated by their origin."""
    first = int(vouchers["id"].max()) + 1
    vs, ls = [], []
    for k, (vi, day, acct, amt, who) in enumerate(items):
        vid = first + k
        vs.append(dict(id=vid, region_code=int(codes[vi]), org_id=int(orgs[vi]), date=day.astype("datetime64[D]").item(),
                       period=int(first_period), number=900 + k, summary="期初往来明细（历年挂账）", source="opening"))
        d, c = (acct, 301) if acct == 112 else (301, acct)
        for no, (a, dr, cr) in enumerate(((d, amt, 0), (c, 0, amt)), start=1):
            ls.append(dict(voucher_id=vid, region_code=int(codes[vi]), period=int(first_period), line_no=no,
                           account_code=a, debit_fen=dr, credit_fen=cr, counterparty=who if a == acct else None))
    vf = pl.DataFrame(vs, schema=vouchers.schema)
    lf = pl.DataFrame(ls, infer_schema_length=None).with_columns(id=pl.lit(0))
    lf = lf.select(pl.col(c).cast(t) for c, t in lines.schema.items())
    return pl.concat([vouchers, vf]), pl.concat([lines, lf])


def _days_in_month(per: np.ndarray) -> np.ndarray:
    y, m = per // 100, per % 100
    nxt = np.where(m == 12, (y + 1) * 12, y * 12 + m)  # month index of the next month
    first = ((y - 1970) * 12 + m - 1).astype("datetime64[M]").astype("datetime64[D]")
    first_next = (nxt - 1970 * 12).astype("datetime64[M]").astype("datetime64[D]")
    return (first_next - first).astype(np.int64)


def _voucher_frame(codes, orgs, v_idx, per, day, tmpl) -> pl.DataFrame:
    n = len(v_idx)
    # voucher number restarts every month per organisation
    key = v_idx.astype(np.int64) * 1_000_000 + per
    first = np.r_[True, key[1:] != key[:-1]]
    grp_start = np.maximum.accumulate(np.where(first, np.arange(n), 0))
    number = np.arange(n) - grp_start + 1
    dates = ((per // 100 - 1970) * 12 + per % 100 - 1).astype("datetime64[M]").astype("datetime64[D]") + (day - 1)
    return pl.DataFrame({
        "id": np.arange(1, n + 1, dtype=np.int64),
        "region_code": codes[v_idx].astype(np.int64),
        "org_id": orgs[v_idx].astype(np.int64),
        "date": dates,
        "period": per.astype(np.int32),
        "number": (number + (per == per.min())).astype(np.int32),  # no. 1 of the first month is the opening
        "summary": pl.Series(np.array([t[0] for t in TEMPLATES]))[tmpl] if n else pl.Series([], dtype=pl.Utf8),
        "source": "generated",
    })


def _opening(codes, orgs, wealth, first_period: int, cash_fen: np.ndarray | None = None) -> dict:
    nv = len(codes)
    date = np.datetime64(f"{first_period // 100:04d}-{first_period % 100:02d}-01")
    vouchers = pl.DataFrame({
        "id": np.arange(1, nv + 1, dtype=np.int64), "region_code": codes.astype(np.int64),
        "org_id": orgs.astype(np.int64), "date": np.full(nv, date), "period": np.full(nv, first_period, np.int32),
        "number": np.ones(nv, np.int32), "summary": "期初余额", "source": "opening",
    })
    rows = []
    debit_total = np.zeros(nv, np.int64)
    credit_total = np.zeros(nv, np.int64)
    for acct, share, side in OPENING:
        amt = (wealth * share).astype(np.int64) // 100 * 100
        if acct == 101 and cash_fen is not None:
            amt = np.asarray(cash_fen, np.int64)
        rows.append((acct, amt, side))
        if side == "d":
            debit_total += amt
        else:
            credit_total += amt
    rows.append((301, debit_total - credit_total, "c"))
    return {"vouchers": vouchers, "rows": rows}


def _lines(n_ord: int, tmpl, amount, region, per, opening) -> pl.DataFrame:
    nv = opening["vouchers"].height
    parts = []
    o_rc = opening["vouchers"]["region_code"].to_numpy()
    for i, (acct, amt, side) in enumerate(opening["rows"]):
        parts.append(dict(voucher_id=np.arange(1, nv + 1), region_code=o_rc,
                          period=np.full(nv, opening["vouchers"]["period"][0], np.int32), line_no=np.full(nv, i + 1),
                          account_code=np.full(nv, acct), debit_fen=amt if side == "d" else np.zeros(nv, np.int64),
                          credit_fen=amt if side == "c" else np.zeros(nv, np.int64)))
    vid = np.arange(1, n_ord + 1) + nv
    debit1 = np.array([t[1][0] for t in TEMPLATES])[tmpl]
    credit = np.array([t[2] for t in TEMPLATES])[tmpl]
    three = np.array([len(t[1]) == 2 for t in TEMPLATES])[tmpl]
    second = np.where(three, amount * 6 // 100, 0)
    zeros = np.zeros(n_ord, np.int64)
    parts.append(dict(voucher_id=vid, region_code=region, period=per, line_no=np.ones(n_ord), account_code=debit1,
                      debit_fen=amount - second, credit_fen=zeros))
    parts.append(dict(voucher_id=vid, region_code=region, period=per, line_no=np.full(n_ord, 2), account_code=credit,
                      debit_fen=zeros, credit_fen=amount))
    t3 = np.flatnonzero(three)
    parts.append(dict(voucher_id=vid[t3], region_code=region[t3], period=per[t3], line_no=np.full(len(t3), 3),
                      account_code=np.array([t[1][-1] for t in TEMPLATES])[tmpl[t3]], debit_fen=second[t3],
                      credit_fen=np.zeros(len(t3), np.int64)))
    frame = pl.concat([pl.DataFrame({k: np.asarray(v) for k, v in p.items()}) for p in parts], how="vertical_relaxed")
    frame = frame.with_columns(
        pl.col("voucher_id").cast(pl.Int64), pl.col("region_code").cast(pl.Int64), pl.col("period").cast(pl.Int32),
        pl.col("line_no").cast(pl.Int16), pl.col("account_code").cast(pl.Int16),
        pl.col("debit_fen").cast(pl.Int64), pl.col("credit_fen").cast(pl.Int64),
    ).sort("voucher_id", "line_no")
    return frame.with_columns(pl.lit(None, pl.Utf8).alias("counterparty"),
                              pl.int_range(1, pl.len() + 1, dtype=pl.Int64).alias("id"))
