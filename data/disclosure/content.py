"""What a disclosure shows, generated from the books (never typed in): the period's income and
spending by account, the fund balances, claims and debts at its end, its major spending items and
the income distributed to members. Also each organisation's yearly distribution to members.

The distribution to members is read from the accounts (财会〔2023〕14号): a voucher debiting 322
收益分配 and crediting 211 应付款 books what the members are owed out of the year's income; its 211
credits are the year's distribution. A member's part is that total by shares (members.shares over
the organisation's total shares): `domain.disclosure.share_of`.
"""
from __future__ import annotations

import datetime as dt

from sqlalchemy import and_, func, select

from data.funds.ledger import org_lines
from data.models import CollectiveOrg, Voucher, VoucherLine
from domain.disclosure import MAJOR_ITEM_FEN, MAJOR_ITEMS, period_bounds
from domain.funds.chart import CHART
from domain.money import period_of

INCOME = (501, 502, 503, 504)
SPENDING = (511, 512, 513, 514, 515, 521)
FUNDS = (101, 102)
CLAIMS = (112,)
DEBTS = (201, 211, 212, 213, 214, 221)
DISTRIBUTION, PAYABLE = 322, 211


def _name(code: int) -> str:
    a = CHART.get(int(code))
    return a.name if a else str(code)


def _in_days(q, first: dt.date, last: dt.date):
    return q.where(VoucherLine.period.between(period_of(first), period_of(last)),
                   Voucher.date.between(first, last), Voucher.status == "posted")


def generate(s, org: CollectiveOrg, kind: str, period: str) -> dict:
    """The content of a disclosure of `org` for `period` from its posted books."""
    first, last = period_bounds(kind, period)
    sub = _in_days(org_lines(org), first, last).subquery()
    sums = {int(c): (int(d or 0), int(k or 0)) for c, d, k in s.execute(
        select(sub.c.account_code, func.sum(sub.c.debit_fen), func.sum(sub.c.credit_fen)).group_by(sub.c.account_code))}
    income = [{"code": c, "name": _name(c), "fen": sums[c][1] - sums[c][0]} for c in INCOME if c in sums]
    spending = [{"code": c, "name": _name(c), "fen": sums[c][0] - sums[c][1]} for c in SPENDING if c in sums]
    closing = org_lines(org).where(VoucherLine.period <= period_of(last), Voucher.date <= last,
                                   Voucher.status == "posted").subquery()
    bal = {int(c): int(v or 0) for c, v in s.execute(
        select(closing.c.account_code, func.sum(closing.c.debit_fen - closing.c.credit_fen))
        .where(closing.c.account_code.in_(FUNDS + CLAIMS + DEBTS)).group_by(closing.c.account_code))}
    major_q = (_in_days(select(Voucher.date, VoucherLine.account_code, VoucherLine.debit_fen,
                               func.coalesce(VoucherLine.summary, Voucher.summary), VoucherLine.counterparty)
                        .join(Voucher, Voucher.id == VoucherLine.voucher_id)
                        .where(VoucherLine.region_code == org.region_code, Voucher.org_id == org.id,
                               VoucherLine.account_code.in_(SPENDING), VoucherLine.debit_fen >= MAJOR_ITEM_FEN),
                        first, last).order_by(VoucherLine.debit_fen.desc(), VoucherLine.id).limit(MAJOR_ITEMS))
    major = [{"date": d.isoformat(), "account": _name(a), "fen": int(f), "summary": sm or "", "counterparty": cp or ""}
             for d, a, f, sm, cp in s.execute(major_q)]
    return {"start": first.isoformat(), "end": last.isoformat(), "income": income, "spending": spending,
            "income_fen": sum(r["fen"] for r in income), "spending_fen": sum(r["fen"] for r in spending),
            "funds": [{"code": c, "name": _name(c), "fen": bal.get(c, 0)} for c in FUNDS],
            "claims_fen": sum(bal.get(c, 0) for c in CLAIMS), "debts_fen": -sum(bal.get(c, 0) for c in DEBTS),
            "major": major, "distribution_fen": distributed(s, org, first, last)}


def distributed(s, org: CollectiveOrg, first: dt.date, last: dt.date) -> int:
    """Income distributed to members between `first` and `last`: the 211 credits of vouchers that
    debit 322 收益分配."""
    dist = (select(VoucherLine.voucher_id).where(VoucherLine.region_code == org.region_code,
                                                 VoucherLine.account_code == DISTRIBUTION, VoucherLine.debit_fen > 0)
            .scalar_subquery())
    q = (select(func.coalesce(func.sum(VoucherLine.credit_fen), 0)).join(Voucher, Voucher.id == VoucherLine.voucher_id)
         .where(VoucherLine.region_code == org.region_code, Voucher.org_id == org.id, Voucher.status == "posted",
                VoucherLine.account_code == PAYABLE, VoucherLine.voucher_id.in_(dist),
                and_(Voucher.date >= first, Voucher.date <= last)))
    return int(s.scalar(q) or 0)


def yearly_distributions(s, org: CollectiveOrg) -> dict[int, int]:
    """year -> income distributed to the organisation's members that year (fen)."""
    dist = (select(VoucherLine.voucher_id).where(VoucherLine.region_code == org.region_code,
                                                 VoucherLine.account_code == DISTRIBUTION, VoucherLine.debit_fen > 0)
            .scalar_subquery())
    q = (select(Voucher.period, func.sum(VoucherLine.credit_fen)).join(Voucher, Voucher.id == VoucherLine.voucher_id)
         .where(VoucherLine.region_code == org.region_code, Voucher.org_id == org.id, Voucher.status == "posted",
                VoucherLine.account_code == PAYABLE, VoucherLine.voucher_id.in_(dist)).group_by(Voucher.period))
    out: dict[int, int] = {}
    for period, fen in s.execute(q):
        out[int(period) // 100] = out.get(int(period) // 100, 0) + int(fen or 0)
    return out


def quarterly_flows(s, org: CollectiveOrg, since_period: int) -> list[dict]:
    """Income and spending of the organisation by quarter from `since_period` (yyyymm), for charts."""
    sub = org_lines(org).where(VoucherLine.period >= since_period, Voucher.status == "posted",
                               VoucherLine.account_code.in_(INCOME + SPENDING)).subquery()
    rows = s.execute(select(sub.c.period, sub.c.account_code, func.sum(sub.c.debit_fen), func.sum(sub.c.credit_fen))
                     .group_by(sub.c.period, sub.c.account_code)).all()
    out: dict[str, dict] = {}
    for period, code, d, k in rows:
        q = f"{int(period) // 100}Q{(int(period) % 100 - 1) // 3 + 1}"
        row = out.setdefault(q, {"quarter": q, "income_fen": 0, "spending_fen": 0, "by_account": {}})
        if int(code) in INCOME:
            row["income_fen"] += int(k or 0) - int(d or 0)
        else:
            amount = int(d or 0) - int(k or 0)
            row["spending_fen"] += amount
            row["by_account"][_name(int(code))] = row["by_account"].get(_name(int(code)), 0) + amount
    return [out[k] for k in sorted(out)]
