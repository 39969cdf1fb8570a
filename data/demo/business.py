"""Business records around the ledger: assets, resources, meetings, contracts with schedules,
trades, annual checks, disclosures. Some records are planted to be wrong (disposals without a
resolution, overdue instalments, late asset checks, sales below the reserve price) so that the
supervision rules have something to find."""
from __future__ import annotations

import datetime as dt

import numpy as np
import polars as pl

from domain.disclosure import period_bounds, previous_quarters

from .faults import ensure_faults
from .leases import lease_contract, listing

ASSET_CATEGORIES = [("building", "办公用房", False), ("building", "村级活动场所", False), ("facility", "晾晒场", True),
                    ("facility", "温室大棚", True), ("equipment", "农机具", True), ("facility", "灌溉泵站", True),
                    ("building", "仓储库房", True), ("facility", "村内道路", False), ("equipment", "办公设备", False),
                    ("investment", "入股合作社", True), ("building", "标准化厂房", True), ("land", "集体建设用地使用权", True)]
RESOURCE_TYPES = {22: [("耕地", 0.62), ("林地", 0.12), ("草地", 0.07), ("水面", 0.05), ("四荒地", 0.08), ("集体建设用地", 0.06)],
                  36: [("林地", 0.45), ("耕地", 0.3), ("园地", 0.08), ("水面", 0.07), ("四荒地", 0.05), ("集体建设用地", 0.05)]}
RESOLUTION_SUBJECTS = {"lease": "集体资源发包租赁", "disposal": "闲置资产处置", "payment": "大额资金支出",
                       "borrowing": "借款事项", "plan": "年度财务计划"}
MEETING_KINDS = [("成员大会", 1.0), ("成员代表会议", 0.7), ("两委联席会议", 0.5), ("党员大会", 0.6)]


def business_frames(rng, province: int, villages: pl.DataFrame, wealth_fen: np.ndarray, first: dt.date,
                    today: dt.date, density) -> dict:
    """assets (+events), resources, meetings (+resolutions), contracts (+instalments, receipts),
    trade listings (+bids), annual checks, disclosures. `density` (one number or one per village)
    scales record counts."""
    out: dict[str, list[dict]] = {k: [] for k in ("assets", "asset_events", "resources", "meetings", "resolutions",
                                                  "contracts", "contract_instalments", "contract_receipts",
                                                  "trade_listings", "bids", "annual_checks", "disclosures")}
    codes = villages["code"].to_numpy()
    region6 = np.unique(codes // 1_000_000)
    rtypes, rprobs = zip(*RESOURCE_TYPES.get(province, RESOURCE_TYPES[22]))
    rprobs = np.array(rprobs) / sum(rprobs)
    span_days = (today - first).days
    ids = dict.fromkeys(out, 0)

    def nid(table):
        ids[table] += 1
        return ids[table]

    planted = {"below_reserve": False}

    densities = np.broadcast_to(np.asarray(density, dtype=float), (len(codes),))
    for vi, (code, w, dens) in enumerate(zip(codes, wealth_fen, densities)):
        org = vi + 1
        code = int(code)
        scale = float(np.clip((w / 8e8) ** 0.35, 0.5, 4.0)) * float(dens)
        # --- meetings and resolutions: a few a year
        res_ids = []
        n_meet = max(1, int(rng.poisson(3 * scale * max(span_days, 365) / 365)))
        for _ in range(n_meet):
            kind = MEETING_KINDS[rng.integers(0, len(MEETING_KINDS))][0]
            held = first + dt.timedelta(days=int(rng.integers(0, max(span_days, 1))))
            expected = int(rng.integers(25, 120))
            attended = int(expected * rng.uniform(0.55, 1.0))
            mid = nid("meetings")
            out["meetings"].append(dict(id=mid, org_id=org, region_code=code, kind=kind, title=f"{held.year}年{kind}",
                                        held_on=held, expected=expected, attended=attended,
                                        agenda="审议集体资产、资源处置及重大事项"))
            rid = nid("resolutions")
            dtype = ["lease", "disposal", "payment", "borrowing", "plan"][int(rng.integers(0, 5))]
            out["resolutions"].append(dict(id=rid, meeting_id=mid, org_id=org, number=f"决议〔{held.year}〕{rid}号",
                                           subject=RESOLUTION_SUBJECTS[dtype],
                                           decision_type=dtype, amount_limit_fen=int(w * 0.05),
                                           votes_for=int(attended * 0.8), votes_against=int(attended * 0.1),
                                           votes_abstain=attended - int(attended * 0.8) - int(attended * 0.1), passed=True))
            res_ids.append((rid, dtype, held))
        # --- assets
        n_assets = int(np.clip(rng.poisson(5 * scale), 2, 40))
        fixed_total = w * 0.58
        shares = rng.dirichlet(np.ones(n_assets))
        for j in range(n_assets):
            cat, nm, operating = ASSET_CATEGORIES[int(rng.integers(0, len(ASSET_CATEGORIES)))]
            value = max(int(fixed_total * shares[j]) // 100 * 100, 60_000)
            acquired = first - dt.timedelta(days=int(rng.integers(0, 3650)))
            life = int(rng.choice([60, 120, 240, 360]))
            months = (today.year - acquired.year) * 12 + today.month - acquired.month
            dep = 0 if cat in ("land", "investment") else int(value * 0.95 * min(months, life) / life) // 100 * 100
            status = "in_use"
            disposed_on, res = None, None
            roll = rng.random()
            if roll < 0.04:
                status = "disposed"
                disposed_on = first + dt.timedelta(days=int(rng.integers(0, max(span_days, 1))))
                cands = [r for r in res_ids if r[1] == "disposal" and r[2] <= disposed_on]
                if cands and rng.random() < 0.8:  # one in five disposals has no resolution: a warning
                    res = cands[-1][0]
            elif roll < 0.12:
                status = "leased"
            elif roll < 0.15:
                status = "idle"
            elif roll < 0.17:
                status = "pledged"
            aid = nid("assets")
            out["assets"].append(dict(id=aid, org_id=org, region_code=code, code=f"ZC{code % 10**6:06d}{j + 1:03d}",
                                      name=nm, category=cat, operating=operating, original_value_fen=value,
                                      accumulated_depreciation_fen=dep, acquired_on=acquired, useful_life_months=life,
                                      residual_rate_bp=500, location=f"{j % 9 + 1}组", custodian=None, status=status,
                                      disposed_on=disposed_on, resolution_id=res))
            out["asset_events"].append(dict(id=nid("asset_events"), asset_id=aid, region_code=code, date=acquired,
                                            kind="acquire", original_value_fen=value, net_value_fen=value, amount_fen=value,
                                            resolution_id=None, note="购置入账"))
            for year in range(max(acquired.year, first.year), today.year + 1):
                m = (year - acquired.year) * 12 + 12 - acquired.month
                if cat in ("land", "investment") or m <= 0:
                    continue
                d = int(value * 0.95 * min(m, life) / life)
                out["asset_events"].append(dict(id=nid("asset_events"), asset_id=aid, region_code=code,
                                                date=min(dt.date(year, 12, 31), today), kind="depreciation",
                                                original_value_fen=value, net_value_fen=value - d, amount_fen=None,
                                                resolution_id=None, note="年末折旧"))
            if disposed_on:
                out["asset_events"].append(dict(id=nid("asset_events"), asset_id=aid, region_code=code, date=disposed_on,
                                                kind="disposal", original_value_fen=value, net_value_fen=0,
                                                amount_fen=int(max(value - dep, 0) * rng.uniform(0.3, 1.1)),
                                                resolution_id=res, note="资产处置"))
        # --- resources, some contracted out by contracts
        n_res = int(np.clip(rng.poisson(5 * scale), 2, 30))
        for j in range(n_res):
            rtype = rtypes[int(rng.choice(len(rtypes), p=rprobs))]
            area = float(rng.lognormal(4.2, 1.0))
            rid = nid("resources")
            contracted = rng.random() < 0.6
            res_row = dict(id=rid, org_id=org, region_code=code, name=f"{j % 9 + 1}组{rtype}{j + 1}号",
                           type=rtype, area_mu=f"{max(area, 0.5):.2f}", location=f"{j % 9 + 1}组",
                           parcel_no=f"{code % 10**9:09d}JA{j + 1:05d}" if rtype == "林地" else None,
                           contracted=contracted, contractor=None, contract_id=None, contracted_until=None)
            out["resources"].append(res_row)
            if contracted:
                lease_contract(rng, out, nid, org, code, region6, res_row, area, res_ids, first, today)
        # --- trade listings
        for _ in range(int(rng.poisson(0.6 * scale))):
            listing(rng, out, nid, org, code, region6, res_ids, first, today, planted)
        # --- annual asset check per year, due by 03-31 of the next year
        for year in range(first.year, today.year):
            due = dt.date(year + 1, 3, 31)
            if due > today:
                continue
            roll = rng.random()
            filed = None if roll < 0.003 else (due + dt.timedelta(days=int(rng.integers(1, 60))) if roll < 0.01
                                                else due - dt.timedelta(days=int(rng.integers(0, 80))))
            out["annual_checks"].append(dict(id=nid("annual_checks"), org_id=org, region_code=code, year=year,
                                             filed_on=filed, book_assets_fen=int(w),
                                             verified_assets_fen=int(w * rng.uniform(0.97, 1.0))))
        # --- quarterly disclosures for the last four quarters
        for period in previous_quarters(today, 4):  # (data/demo/disclosure.py gives them their workflow)
            qd = period_bounds("quarter", period)[1]
            out["disclosures"].append(dict(id=nid("disclosures"), org_id=org, region_code=code, period=period,
                                           category="财务收支", title=f"{period}财务收支公开",
                                           content={"note": "季度财务收支明细"},
                                           reviewed_by_group=bool(rng.random() < 0.95),
                                           published_on=qd + dt.timedelta(days=int(rng.integers(5, 25)))))
    ensure_faults(out, nid, today)
    return dict(out)
