"""Planted faults: make sure a small data set has at least one of each business-record fault, and
plant the contract and asset faults of the record-fault villages (frame helpers shared with
data/demo/payments.py)."""
from __future__ import annotations

import datetime as dt

import numpy as np
import polars as pl

from . import people


def ensure_faults(out, nid, today: dt.date) -> None:
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


def next_id(frames: dict, table: str) -> int:
    f = frames.get(table)
    return int(f["id"].max()) + 1 if f is not None and f.height else 1


def rows_frame(rows: list[dict], like: pl.DataFrame | None) -> pl.DataFrame:
    frame = pl.DataFrame(rows, infer_schema_length=None)
    if like is None:
        return frame
    return frame.with_columns(pl.col(c).cast(like.schema[c]) for c in frame.columns if c in like.schema)


def contract_and_asset_faults(rng, frames: dict, planted: dict, org_of, official_of: dict, today: dt.date) -> dict:
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
    eid = next_id(frames, "asset_events")
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
        out["asset_events"] = pl.concat([frames["asset_events"], rows_frame(events, frames["asset_events"])],
                                        how="diagonal_relaxed")
    return out
