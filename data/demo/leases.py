"""Leases of collective resources: a contract with its yearly instalments and receipts (decided
by a meeting first, 四议两公开), and a trade listing with its bids whose award becomes a contract."""
from __future__ import annotations

import datetime as dt

from . import people


def lease_contract(rng, out, nid, org, code, region6, res_row, area, res_ids, first, today, listing_id=None, amount=None,
              counterparty=None):
    years = int(rng.choice([1, 3, 5, 10, 15]))
    if listing_id is not None:  # a contract from an award starts after the bidding window
        start = first + dt.timedelta(days=int(rng.integers(5, 30)))
    else:
        start = first + dt.timedelta(days=int(rng.integers(-720, max((today - first).days, 1))))
    end = dt.date(start.year + years, start.month, min(start.day, 28)) - dt.timedelta(days=1)
    per_mu = int(rng.uniform(450, 800)) * 100  # fen per mu per year (the going rate: no village far below)
    yearly = amount or max(int(area * per_mu) // 100 * 100, 50_000)
    if counterparty is None:
        if rng.random() < 0.6:
            name = people.names(rng, 1)[0]
            cid, ctype = people.resident_ids(rng, region6 * 1_000_000, 1)[0], "resident"
        else:
            name, cid = people.companies(rng, 1, region6)[0]
            ctype = "uscc"
    else:
        name, cid, ctype = counterparty
    signed = start - dt.timedelta(days=int(rng.integers(1, 30)))
    cands = [r for r in res_ids if r[1] == "lease" and r[2] <= signed]
    if not cands and rng.random() < 0.97:  # leasing collective land is decided first (四议两公开)
        held = signed - dt.timedelta(days=int(rng.integers(5, 40)))
        mid, rid = nid("meetings"), nid("resolutions")
        out["meetings"].append(dict(id=mid, org_id=org, region_code=code, kind="成员代表会议", title=f"{held.year}年成员代表会议",
                                    held_on=held, expected=40, attended=36, agenda=f"审议{res_row['name']}发包租赁"))
        out["resolutions"].append(dict(id=rid, meeting_id=mid, org_id=org, number=f"决议〔{held.year}〕{rid}号",
                                       subject=f"{res_row['name']}发包租赁", decision_type="lease",
                                       amount_limit_fen=None, votes_for=32, votes_against=2, votes_abstain=2, passed=True))
        cands = [(rid, "lease", held)]
    registered = None
    if ctype == "uscc":
        registered = signed - dt.timedelta(days=int(rng.integers(200, 5000)))
    cid_ = nid("contracts")
    status = "active" if end >= today or rng.random() < 0.15 else "expired"  # some expired yet still active
    out["contracts"].append(dict(id=cid_, org_id=org, region_code=code, number=f"HT{code % 10**6:06d}-{cid_}",
                                 title=f"{res_row['name']}租赁合同", kind="lease", counterparty=name,
                                 counterparty_id_type=ctype, counterparty_id=cid, counterparty_registered_on=registered,
                                 subject_type="resource", subject_id=res_row["id"], amount_fen=yearly * years,
                                 direction="income", signed_on=signed,
                                 start_on=start, end_on=end, status=status,
                                 resolution_id=cands[-1][0] if cands and rng.random() < 0.97 else None,
                                 listing_id=listing_id, renewed_from_id=None))
    res_row.update(contractor=name, contract_id=cid_, contracted_until=end)
    late_payer = rng.random() < 0.1
    for k in range(years):
        due = dt.date(start.year + k, start.month, min(start.day, 28))
        iid = nid("contract_instalments")
        received = 0
        if due <= today:
            received = yearly if not (late_payer and k >= years // 2) else int(yearly * rng.uniform(0, 0.6)) // 100 * 100
        out["contract_instalments"].append(dict(id=iid, contract_id=cid_, region_code=code, seq=k + 1, due_on=due,
                                                amount_fen=yearly, received_fen=received))
        if received:
            out["contract_receipts"].append(dict(id=nid("contract_receipts"), contract_id=cid_, instalment_id=iid,
                                                 received_on=min(due + dt.timedelta(days=int(rng.integers(0, 20))), today),
                                                 amount_fen=received, voucher_id=None))
    return cid_


def listing(rng, out, nid, org, code, region6, res_ids, first, today, planted):
    opens = first + dt.timedelta(days=int(rng.integers(0, max((today - first).days, 1))))
    closes = opens + dt.timedelta(days=20)
    area = float(rng.lognormal(4.0, 0.8))
    reserve = max(int(area * rng.uniform(450, 700)), 500) * 100  # a year's rent at the going rate
    lid = nid("trade_listings")
    res_id = nid("resources")
    res_row = dict(id=res_id, org_id=org, region_code=code, name=f"挂牌地块{lid}号", type="耕地", area_mu=f"{area:.2f}",
                   location="村集体", parcel_no=None, contracted=False, contractor=None, contract_id=None, contracted_until=None)
    out["resources"].append(res_row)
    cands = [r for r in res_ids if r[1] == "lease" and r[2] <= opens]
    row = dict(id=lid, org_id=org, region_code=code, title=f"{res_row['name']}经营权出租", kind="lease",
               subject_type="resource", subject_id=res_id, reserve_price_fen=reserve, term_months=60,
               resolution_id=cands[-1][0] if cands else None, opens_on=opens, closes_on=closes, status="open",
               awarded_bid_id=None, deal_price_fen=None)
    out["trade_listings"].append(row)
    if closes >= today:
        return
    bids = []
    # about one awarded deal in thirty goes far below the reserve price (a warning); the first
    # closed listing of the data set always does, so that even a small data set has one
    below = rng.random() < 0.03 or not planted["below_reserve"]
    planted["below_reserve"] = True
    for _ in range(int(rng.integers(1 if below else 0, 5))):
        amt = int(reserve * (rng.uniform(0.4, 0.7) if below else rng.uniform(1.0, 1.6))) // 100 * 100
        name, cid = people.companies(rng, 1, region6)[0]
        bid = dict(id=nid("bids"), listing_id=lid, bidder=name, bidder_id_type="uscc", bidder_id=cid, amount_fen=amt,
                   at=dt.datetime.combine(opens + dt.timedelta(days=int(rng.integers(0, 20))), dt.time(10), dt.UTC))
        bids.append(bid)
        out["bids"].append(bid)
    if not bids:
        row["status"] = "failed"
        return
    best = max(bids, key=lambda b: b["amount_fen"])
    row.update(status="awarded", awarded_bid_id=best["id"], deal_price_fen=best["amount_fen"])
    row_res = res_row
    row_res["contracted"] = True
    lease_contract(rng, out, nid, org, code, region6, row_res, area, res_ids, closes, today, listing_id=lid,
              amount=best["amount_fen"], counterparty=(best["bidder"], best["bidder_id"], "uscc"))
