"""Writing checked import rows, inside the commit's one transaction: Core bulk inserts (executemany;
vouchers with RETURNING so their lines can name them), chunk by chunk with a progress report. Each
row carries the record columns (timestamps, version, provenance: provided by the file)."""
from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import insert, select

from data.imports.check import Checked
from data.models import Asset, Contract, Member, Resource, Voucher, VoucherLine, VillageProfile, utcnow
from domain.identifiers import birth_date_of, sex_of

CHUNK = 5000
Progress = Callable[[int, int], None]


def record_columns(actor, c: Checked) -> dict:
    now = utcnow()
    return {"created_at": now, "updated_at": now, "version": 1, "collected_by_id": actor.user_id,
            "provided_by": f"导入：{c.filename}"[:100], "responsible_by": actor.username}


def chunks(items: list, progress: Progress | None, total: int, done: int = 0):
    for i in range(0, len(items), CHUNK):
        yield items[i:i + CHUNK]
        done += len(items[i:i + CHUNK])
        if progress:
            progress(done, total)


def ledger(s, actor, c: Checked, progress: Progress | None) -> int:
    base = record_columns(actor, c)
    total, done = sum(len(g.lines) for g in c.vouchers), 0
    for part in [c.vouchers[i:i + CHUNK // 2] for i in range(0, len(c.vouchers), CHUNK // 2)]:
        ids = s.execute(insert(Voucher).returning(Voucher.id, sort_by_parameter_order=True), [
            {**base, "org_id": c.orgs[g.region_code], "region_code": g.region_code, "date": g.date, "period": g.period,
             "number": g.number, "summary": g.summary, "status": "posted", "source": "import",
             "posted_by_id": actor.user_id, "posted_at": base["created_at"]} for g in part]).scalars().all()
        lines = [{"voucher_id": vid, "region_code": g.region_code, "period": g.period, "line_no": n,
                  "account_code": ln["account"], "debit_fen": ln["debit_fen"], "credit_fen": ln["credit_fen"],
                  "summary": ln["summary"], "counterparty": ln.get("counterparty")}
                 for vid, g in zip(ids, part) for n, ln in enumerate(g.lines, start=1)]
        _insert_lines(s, lines)
        done += len(lines)
        if progress:
            progress(done, total)
    return len(c.vouchers)


_LINE_COLUMNS = ("voucher_id", "region_code", "period", "line_no", "account_code", "debit_fen", "credit_fen", "summary",
                 "counterparty")


def _insert_lines(s, lines: list[dict]) -> None:
    """Voucher lines: COPY on PostgreSQL (on the session's own connection: the same transaction),
    executemany elsewhere."""
    conn = s.connection()
    if conn.dialect.name != "postgresql":
        s.execute(insert(VoucherLine), lines)
        return
    raw = conn.connection.driver_connection
    with raw.cursor() as cur, cur.copy(f"COPY voucher_lines ({', '.join(_LINE_COLUMNS)}) FROM STDIN") as copy:
        for ln in lines:
            copy.write_row(tuple(ln[c] for c in _LINE_COLUMNS))


_PROFILE = ("population", "households", "labour_force", "village_groups", "farmland_mu")


def basedata(s, actor, c: Checked, progress: Progress | None) -> int:
    orgs = {c.orgs[r["region_code"]]: r for r in c.rows}
    have = {p.org_id: p for p in s.scalars(select(VillageProfile).where(VillageProfile.org_id.in_(list(orgs))))}
    base = record_columns(actor, c)
    for n, (org_id, r) in enumerate(orgs.items(), start=1):
        p = have.get(org_id)
        if p is None:
            s.add(VillageProfile(org_id=org_id, **{k: r[k] for k in _PROFILE}, collected_by_id=actor.user_id,
                                 provided_by=base["provided_by"], responsible_by=actor.username))
        else:  # an ORM update: the record history keeps before and after
            for k in _PROFILE:
                setattr(p, k, r[k])
            p.provided_by = base["provided_by"]
        if progress and n % 500 == 0:
            s.flush()
            progress(n, len(orgs))
    s.flush()
    return len(orgs)


def _bulk(s, model, actor, c: Checked, progress, shape, region: bool = True) -> int:
    base = record_columns(actor, c)
    rows = [{**base, "org_id": c.orgs[r["region_code"]], **({"region_code": r["region_code"]} if region else {}),
             **shape(r)} for r in c.rows]
    for part in chunks(rows, progress, len(rows)):
        s.execute(insert(model), part)
    return len(rows)


def assets(s, actor, c, progress) -> int:
    return _bulk(s, Asset, actor, c, progress, lambda r: {
        "code": r["code"], "name": r["name"], "category": r["category"], "operating": r["operating"],
        "original_value_fen": r["original_value_fen"], "accumulated_depreciation_fen": r["accumulated_depreciation_fen"] or 0,
        "acquired_on": r["acquired_on"], "useful_life_months": r["useful_life_months"] or 240, "residual_rate_bp": 500,
        "location": r["location"], "custodian": r["custodian"], "status": "in_use"})


def resources(s, actor, c, progress) -> int:
    return _bulk(s, Resource, actor, c, progress, lambda r: {
        "name": r["name"], "type": r["type"], "area_mu": r["area_mu"], "location": r["location"],
        "parcel_no": r["parcel_no"], "contracted": False})


def contracts(s, actor, c, progress) -> int:
    return _bulk(s, Contract, actor, c, progress, lambda r: {
        "number": r["number"], "title": r["title"], "kind": r["kind"], "counterparty": r["counterparty"],
        "counterparty_id_type": r["counterparty_id_type"], "counterparty_id": r["counterparty_id"],
        "amount_fen": r["amount_fen"], "direction": r["direction"], "signed_on": r["signed_on"],
        "start_on": r["start_on"], "end_on": r["end_on"], "status": "active"})


def members(s, actor, c, progress) -> int:
    return _bulk(s, Member, actor, c, progress, lambda r: {
        "name": r["name"], "id_number": r["id_number"], "shares": r["shares"] or 0,
        "gender": sex_of(r["id_number"]), "birth_date": birth_date_of(r["id_number"]), "is_official": False},
        region=False)


WRITERS = {"ledger": ledger, "ledger2004": ledger, "basedata": basedata, "assets": assets, "resources": resources,
           "contracts": contracts, "members": members}
