"""Business records around the ledger: organisations, members, assets, resources, meetings,
contracts with schedules, trades, annual checks, disclosures. Some records are planted to be
wrong (disposals without a resolution, overdue instalments, late asset checks, sales below the
reserve price) so that the supervision rules have something to find."""
from __future__ import annotations

import datetime as dt

import numpy as np
import polars as pl

from . import people

ASSET_CATEGORIES = [("building", "办公用房", False), ("building", "村级活动场所", False), ("facility", "晾晒场", True),
                    ("facility", "温室大棚", True), ("equipment", "农机具", True), ("facility", "灌溉泵站", True),
                    ("building", "仓储库房", True), ("facility", "村内道路", False), ("equipment", "办公设备", False),
                    ("investment", "入股合作社", True), ("building", "标准化厂房", True), ("land", "集体建设用地使用权", True)]
RESOURCE_TYPES = {22: [("耕地", 0.62), ("林地", 0.12), ("草地", 0.07), ("水面", 0.05), ("四荒地", 0.08), ("集体建设用地", 0.06)],
                  36: [("林地", 0.45), ("耕地", 0.3), ("园地", 0.08), ("水面", 0.07), ("四荒地", 0.05), ("集体建设用地", 0.05)]}
MEETING_KINDS = [("成员大会", 1.0), ("成员代表会议", 0.7), ("两委联席会议", 0.5), ("党员大会", 0.6)]
OFFICIALS = ["村书记（理事长）", "村集体监事长", "村报账员（出纳）", "村委会委员"]


def _date(d: np.datetime64) -> dt.date:
    return dt.date.fromisoformat(str(d)[:10])


def org_frames(rng, villages: pl.DataFrame, wealth_fen: np.ndarray, members_per_village: int, today: dt.date) -> dict:
    """collective_orgs, village_profiles, households, members, bank_accounts."""
    nv = villages.height
    codes = villages["code"].to_numpy()
    county6 = codes // 1_000_000
    org_ids = np.arange(1, nv + 1)
    orgs = pl.DataFrame({
        "id": org_ids, "region_code": codes,
        "name": [f"{n}股份经济合作社" for n in villages["name"].to_list()],
        "uscc": [people.uscc(rng, int(c), "N2") for c in county6],
        "org_type": "股份经济合作社",
        "established_on": [dt.date(2018 + int(y), 1 + int(m), 15) for y, m in zip(rng.integers(0, 4, nv), rng.integers(0, 12, nv))],
        "decision_threshold_fen": np.where(wealth_fen > 5e9, 10_000_000, 5_000_000).astype(np.int64),
        "cash_limit_fen": np.full(nv, 500_000, np.int64),
    })
    population = rng.integers(400, 3200, nv)
    profiles = pl.DataFrame({
        "id": org_ids, "org_id": org_ids, "population": population, "households": population // 3,
        "labour_force": (population * rng.uniform(0.45, 0.65, nv)).astype(int),
        "village_groups": rng.integers(3, 15, nv),
        "farmland_mu": [f"{x:.2f}" for x in rng.uniform(1500, 12000, nv)],
    })
    # members: a few officials and ordinary members per village
    m = members_per_village
    if m <= len(OFFICIALS):
        raise ValueError(f"members_per_village must exceed the {len(OFFICIALS)} officials")
    n = nv * m
    m_org = np.repeat(org_ids, m)
    ids = people.resident_ids(rng, codes, n)
    pos = np.tile(np.arange(m), nv)
    member_names = people.names(rng, n)
    households = pl.DataFrame({
        "id": np.arange(1, n // 2 + 1 + 1)[: (n + 1) // 2],
        "org_id": m_org[::2], "head_name": member_names[::2], "head_id_number": ids[::2],
        "size": rng.integers(1, 7, (n + 1) // 2), "group_name": [f"{g}组" for g in rng.integers(1, 9, (n + 1) // 2)],
    })
    members = pl.DataFrame({
        "id": np.arange(1, n + 1), "org_id": m_org, "household_id": (np.arange(n) // 2 + 1),
        "name": member_names, "id_number": ids,
        "gender": ["男" if int(x[16]) % 2 else "女" for x in ids],
        "birth_date": [dt.date(int(x[6:10]), int(x[10:12]), int(x[12:14])) for x in ids],
        "shares": rng.integers(1, 20, n), "is_official": pos < len(OFFICIALS),
        "official_title": [OFFICIALS[p] if p < len(OFFICIALS) else None for p in pos],
    })
    banks = ["中国农业银行", "吉林银行" if codes[0] // 10**10 == 22 else "江西银行", "农村商业银行", "中国邮政储蓄银行"]
    accounts = pl.DataFrame({
        "id": np.arange(1, 2 * nv + 1), "org_id": np.repeat(org_ids, 2), "kind": ["cash", "bank"] * nv,
        "name": ["库存现金", "基本存款账户"] * nv,
        "bank_name": [None if i % 2 == 0 else banks[(i // 2) % len(banks)] for i in range(2 * nv)],
        "account_no": [None if i % 2 == 0 else f"{rng.integers(10**15, 10**16)}" for i in range(2 * nv)],
        "ledger_code": np.tile([101, 102], nv).astype(np.int16),
    })
    return {"collective_orgs": orgs, "village_profiles": profiles, "households": households, "members": members,
            "bank_accounts": accounts}


def business_frames(rng, province: int, villages: pl.DataFrame, wealth_fen: np.ndarray, first: dt.date,
                    today: dt.date, density: float) -> dict:
    """assets (+events), resources, meetings (+resolutions), contracts (+instalments, receipts),
    trade listings (+bids), annual checks, disclosures. `density` scales record counts."""
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

    for vi, (code, w) in enumerate(zip(codes, wealth_fen)):
        org = vi + 1
        code = int(code)
        scale = float(np.clip((w / 8e8) ** 0.35, 0.5, 4.0)) * density
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
                                        held_on=held, expected=expected, attended=attended, agenda="审议集体资产、资源处置及重大事项"))
            rid = nid("resolutions")
            dtype = ["lease", "disposal", "payment", "borrowing", "plan"][int(rng.integers(0, 5))]
            out["resolutions"].append(dict(id=rid, meeting_id=mid, org_id=org, number=f"决议〔{held.year}〕{rid}号",
                                           subject={"lease": "集体资源发包租赁", "disposal": "闲置资产处置", "payment": "大额资金支出",
                                                    "borrowing": "借款事项", "plan": "年度财务计划"}[dtype],
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
                _contract(rng, out, nid, org, code, region6, res_row, area, res_ids, first, today)
        # --- trade listings
        for _ in range(int(rng.poisson(0.6 * scale))):
            _listing(rng, out, nid, org, code, region6, res_ids, first, today, planted)
        # --- annual asset check per year, due by 03-31 of the next year
        for year in range(first.year, today.year):
            due = dt.date(year + 1, 3, 31)
            if due > today:
                continue
            roll = rng.random()
            filed = None if roll < 0.003 else (due + dt.timedelta(days=int(rng.integers(1, 60))) if roll < 0.01
                                                else due - dt.timedelta(days=int(rng.integers(0, 80))))
            out["annual_checks"].append(dict(id=nid("annual_checks"), org_id=org, region_code=code, year=year,
                                             filed_on=filed, book_assets_fen=int(w), verified_assets_fen=int(w * rng.uniform(0.97, 1.0))))
        # --- quarterly disclosures for the last four quarters
        for q in range(4):
            qd = dt.date(today.year, ((today.month - 1) // 3) * 3 + 1, 1) - dt.timedelta(days=1 + 91 * q)
            period = f"{qd.year}Q{(qd.month - 1) // 3 + 1}"
            out["disclosures"].append(dict(id=nid("disclosures"), org_id=org, region_code=code, period=period, category="财务收支",
                                           title=f"{period}财务收支公开", content={"note": "季度财务收支明细"},
                                           reviewed_by_group=bool(rng.random() < 0.95),
                                           published_on=qd + dt.timedelta(days=int(rng.integers(5, 25)))))
    _ensure_faults(rng, out, nid, today)
    return {k: v for k, v in out.items()}


def _ensure_faults(rng, out, nid, today: dt.date) -> None:
    """Random faults may miss a small data set: make sure at least one of each kind exists."""
    assets = out["assets"]
    if assets and not any(a["status"] == "disposed" and a["resolution_id"] is None for a in assets):
        a = next((a for a in assets if a["status"] == "disposed"), None)
        if a is not None:
            a["resolution_id"] = None
            for e in out["asset_events"]:
                if e["asset_id"] == a["id"] and e["kind"] == "disposal":
                    e["resolution_id"] = None
        else:
            a = next(a for a in assets if a["status"] == "in_use")
            a.update(status="disposed", disposed_on=today - dt.timedelta(days=45), resolution_id=None)
            net = a["original_value_fen"] - a["accumulated_depreciation_fen"]
            out["asset_events"].append(dict(id=nid("asset_events"), asset_id=a["id"], region_code=a["region_code"],
                                            date=a["disposed_on"], kind="disposal",
                                            original_value_fen=a["original_value_fen"], net_value_fen=0,
                                            amount_fen=int(max(net, 0) * 0.5), resolution_id=None, note="资产处置"))
    checks = out["annual_checks"]
    if checks:  # the last year due: one village never filed, another filed late
        year = max(c["year"] for c in checks)
        last = [c for c in checks if c["year"] == year]
        due = dt.date(year + 1, 3, 31)
        if not any(c["filed_on"] is None for c in checks):
            last[0]["filed_on"] = None
        if len(last) > 1 and not any(c["filed_on"] is not None and c["filed_on"] > dt.date(c["year"] + 1, 3, 31)
                                     for c in checks):
            last[-1]["filed_on"] = due + dt.timedelta(days=12)
    contracts = out["contracts"]
    soon = today + dt.timedelta(days=90)
    if not any(c["status"] == "active" and today <= c["end_on"] <= soon for c in contracts):
        c = next((c for c in contracts if c["status"] == "active" and c["end_on"] > soon), None)
        if c is not None:  # one contract ends within 90 days: time to renew or re-let it
            c["end_on"] = today + dt.timedelta(days=45)
            out["contract_instalments"][:] = [i for i in out["contract_instalments"]
                                              if not (i["contract_id"] == c["id"] and i["due_on"] > c["end_on"])]
            c["amount_fen"] = sum(i["amount_fen"] for i in out["contract_instalments"] if i["contract_id"] == c["id"])
    if not any(c["status"] == "active" and c["end_on"] < today for c in contracts):
        c = next((c for c in contracts if c["status"] == "expired"), None)
        if c is not None:
            c["status"] = "active"  # expired but still carried as active: a warning


def _contract(rng, out, nid, org, code, region6, res_row, area, res_ids, first, today, listing_id=None, amount=None,
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


def _listing(rng, out, nid, org, code, region6, res_ids, first, today, planted):
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
    _contract(rng, out, nid, org, code, region6, row_res, area, res_ids, closes, today, listing_id=lid,
              amount=best["amount_fen"], counterparty=(best["bidder"], best["bidder_id"], "uscc"))


# ------------------------------------------------------------------------------------------------
# Payments with counterparties, decisions behind the large ones, and planted record faults
#: the voucher kinds (ledger TEMPLATES summaries) that pay someone, and who is paid
PAYMENT_KINDS = {"支付办公及误工补贴": "person", "现金支付办公用品": "person", "支付经营支出": "company",
                 "支付公益事业支出": "company", "现金支付其他支出": "person", "支付应付款": "company",
                 "购置固定资产": "company", "支付服务费及税金": "company", "支付村内道路硬化工程款": "company",
                 "支付零星工程款": "company"}
#: record faults planted in about `plant` of the villages (at least one each)
RECORD_FAULTS = ("cash_to_company", "duplicate", "paid_early", "official_payee", "big_payment_no_resolution",
                 "borrowing_no_resolution", "signed_late", "young_supplier", "official_contract", "cheap_lease",
                 "pledge_no_resolution")


def _next_id(frames: dict, table: str) -> int:
    f = frames.get(table)
    return int(f["id"].max()) + 1 if f is not None and f.height else 1


def _rows_frame(rows: list[dict], like: pl.DataFrame | None) -> pl.DataFrame:
    frame = pl.DataFrame(rows, infer_schema_length=None)
    if like is None:
        return frame
    return frame.with_columns(pl.col(c).cast(like.schema[c]) for c in frame.columns if c in like.schema)


def payment_frames(rng, ledger, frames: dict, today: dt.date, plant: float, requester_id: int = 1) -> dict:
    """Payment requests behind the ledger's payments of the last twelve months (requested, approved
    and posted, each with its payee), the meeting resolutions that large payments and borrowings
    need, and the planted faults of payments, borrowings, contracts and assets. Returns the frames
    to add or replace; the village indexes of each fault are under "planted"."""
    orgs = frames["collective_orgs"].select(pl.col("id").alias("org_id"), "region_code", "decision_threshold_fen")
    nv = orgs.height
    taken: set = set()
    from .ledger import _pick

    planted = {k: _pick(rng, nv, plant, taken) for k in RECORD_FAULTS}
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
    mid0, rid0 = _next_id(frames, "meetings"), _next_id(frames, "resolutions")

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
                                    amount_fen=max(r["amount_fen"], 150_000) if r["amount_fen"] < r["decision_threshold_fen"] else 150_000)
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
        out["meetings"] = pl.concat([frames["meetings"], _rows_frame(meetings, frames["meetings"])], how="diagonal_relaxed")
        out["resolutions"] = pl.concat([frames["resolutions"], _rows_frame(resolutions, frames["resolutions"])],
                                       how="diagonal_relaxed")
    out.update(_contract_and_asset_faults(rng, frames, planted, org_of, official_of, today))
    out["planted"] = {k: [int(i) for i in v] for k, v in planted.items()}
    return out


def _contract_and_asset_faults(rng, frames: dict, planted: dict, org_of, official_of: dict, today: dt.date) -> dict:
    out = {}
    con = frames["contracts"]
    changes: dict[int, dict] = {}

    def a_contract(org_id: int, **where):
        """A contract of the organisation (else of another one: every fault is planted somewhere),
        not yet changed by another planted fault."""
        free = con.filter(~pl.col("id").is_in(list(changes)))
        for k, val in where.items():
            free = free.filter(pl.col(k) == val)
        sub = free.filter(pl.col("org_id") == org_id)
        sub = sub if sub.height else free
        return sub.row(int(rng.integers(0, sub.height)), named=True) if sub.height else None

    for o in org_of(planted["signed_late"]):
        r = a_contract(o)
        if r:
            changes[r["id"]] = dict(signed_on=r["start_on"] + dt.timedelta(days=int(rng.integers(3, 40))))
    for o in org_of(planted["young_supplier"]):
        r = a_contract(o, counterparty_id_type="uscc") or a_contract(o)
        if r:
            name, cid = people.companies(rng, 1, np.array([r["region_code"] // 1_000_000]))[0]
            changes[r["id"]] = dict(counterparty=name, counterparty_id=cid, counterparty_id_type="uscc",
                                    counterparty_registered_on=r["signed_on"] + dt.timedelta(days=int(rng.integers(5, 90))))
    for o in org_of(planted["official_contract"]):
        r = a_contract(o)
        off = official_of.get(r["org_id"]) if r else None
        if r and off:
            changes[r["id"]] = dict(counterparty=off["name"], counterparty_id=off["id_number"],
                                    counterparty_id_type="resident")
    for o in org_of(planted["cheap_lease"]):
        r = a_contract(o)
        if r:
            changes[r["id"]] = dict(amount_fen=max(r["amount_fen"] // 6 // 100 * 100, 100))
    if changes:
        upd = pl.DataFrame([{"id": k, **v} for k, v in changes.items()], infer_schema_length=None)
        cols = [c for c in upd.columns if c != "id"]
        upd = upd.with_columns(pl.col(c).cast(con.schema[c]) for c in cols)
        out["contracts"] = con.join(upd, on="id", how="left", suffix="_new").with_columns(
            pl.coalesce(f"{c}_new", c).alias(c) for c in cols).drop([f"{c}_new" for c in cols])
    assets = frames["assets"]
    events = []
    eid = _next_id(frames, "asset_events")
    # an asset in use is pledged without a resolution, where the village keeps at least two others in use
    in_use = assets.filter(pl.col("status") == "in_use")
    roomy = in_use.filter(pl.len().over("org_id") >= 3).sort("id")
    for o in org_of(planted["pledge_no_resolution"]):
        sub = roomy.filter(pl.col("org_id") == o)
        sub = sub if sub.height else roomy.filter(~pl.col("id").is_in([e["asset_id"] for e in events]))
        if sub.height:
            a = sub.row(sub.height - 1, named=True)
            events.append(dict(id=eid + len(events), asset_id=a["id"], region_code=a["region_code"],
                               date=today - dt.timedelta(days=int(rng.integers(10, 200))), kind="pledge",
                               original_value_fen=a["original_value_fen"],
                               net_value_fen=a["original_value_fen"] - a["accumulated_depreciation_fen"],
                               amount_fen=None, resolution_id=None, note="资产抵押贷款"))
    if events:
        ids = [e["asset_id"] for e in events]
        out["assets"] = assets.with_columns(pl.when(pl.col("id").is_in(ids)).then(pl.lit("pledged"))
                                            .otherwise(pl.col("status")).alias("status"))
        out["asset_events"] = pl.concat([frames["asset_events"], _rows_frame(events, frames["asset_events"])],
                                        how="diagonal_relaxed")
    return out
