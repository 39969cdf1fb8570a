"""The organisations of the demo villages and their people: collective organisations, village
profiles, households, members (a few officials each) and the cash and bank accounts."""
from __future__ import annotations

import datetime as dt

import numpy as np
import polars as pl

from . import people

OFFICIALS = ["村书记（理事长）", "村集体监事长", "村报账员（出纳）", "村委会委员"]


def org_frames(rng, villages: pl.DataFrame, wealth_fen: np.ndarray, members_per_village, today: dt.date) -> dict:
    """collective_orgs, village_profiles, households, members, bank_accounts. `members_per_village`: one
    number, or one per village."""
    nv = villages.height
    codes = villages["code"].to_numpy()
    county6 = codes // 1_000_000
    org_ids = np.arange(1, nv + 1)
    orgs = pl.DataFrame({
        "id": org_ids, "region_code": codes,
        "name": [f"{n}股份经济合作社" for n in villages["name"].to_list()],
        "uscc": [people.uscc(rng, int(c), "N2") for c in county6],
        "org_type": "股份经济合作社",
        "established_on": [dt.date(2018 + int(y), 1 + int(m), 15)
                           for y, m in zip(rng.integers(0, 4, nv), rng.integers(0, 12, nv))],
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
    m = np.broadcast_to(np.asarray(members_per_village, dtype=np.int64), (nv,))
    if m.min() <= len(OFFICIALS):
        raise ValueError(f"members_per_village must exceed the {len(OFFICIALS)} officials")
    n = int(m.sum())
    m_org = np.repeat(org_ids, m)
    ids = people.resident_ids(rng, codes, n)
    pos = np.arange(n) - np.repeat(np.cumsum(m) - m, m)  # position within the village's roll
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
