"""The warning engine's reads: the SQL of every frame a rule may read, and `load_frames` — a
full run reads in bulk (connectorx; on SQLite in a child process) with the raw ledger from the
engine's own copy plus what was posted since (data/supervision/ledger_cache.py); an incremental
run reads one region subtree in process."""
from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import polars as pl

from data.credit.common import CREDIT_REPLIES_SQL
from data.credit.punishment import CREDIT_PUNISHED_SQL
from data.query import Reader
from domain.regions import COUNTY, level_of, subtree_bounds, truncate
from domain.supervision.rules import LEDGER_ACCOUNTS, LEDGER_DERIVED, PAYABLE, RECEIVABLE, conform, ledger_frames
from settings import Settings

#: frames read from the ledger (the derived frames are built from these)
_LEDGER_RAW = ("ledger_lines", "ledger_arap_lines", "ledger_vouchers")

#: SQL of each frame; {w} is " WHERE <col> BETWEEN lo AND hi" (or empty), {a} the same with AND
_SQL = {
    "orgs": ("SELECT id AS org_id, region_code, decision_threshold_fen, cash_limit_fen FROM collective_orgs{w}",
             "region_code"),
    "ledger_vouchers": ("SELECT id AS voucher_id, org_id, region_code, date, "
                        "CASE WHEN source = 'opening' THEN 1 ELSE 0 END AS opening FROM vouchers{w}", "region_code"),
    # the counterparty only matters on receivables and payables: two reads, so that the long one
    # carries no text column
    "ledger_lines": ("SELECT voucher_id, account_code, debit_fen, credit_fen FROM voucher_lines WHERE account_code IN "
                     f"({', '.join(str(a) for a in LEDGER_ACCOUNTS if a not in (RECEIVABLE, PAYABLE))}){{a}}",
                     "region_code"),
    "ledger_arap_lines": ("SELECT voucher_id, account_code, debit_fen, credit_fen, counterparty FROM voucher_lines "
                          f"WHERE account_code IN ({RECEIVABLE}, {PAYABLE}){{a}}", "region_code"),
    "payments": ("SELECT p.id, p.org_id, p.region_code, p.kind, p.amount_fen, p.purpose, p.counterparty_name, "
                 "p.counterparty_id_type, p.counterparty_id, p.request_date, p.approved_on, p.paid_on, p.status, "
                 "p.resolution_id, b.kind AS money_kind FROM payment_requests p "
                 "JOIN bank_accounts b ON b.id = p.bank_account_id{w}", "p.region_code"),
    "resolutions": ("SELECT r.id AS resolution_id, r.org_id, r.decision_type, r.subject_type, r.subject_id, "
                    "r.amount_limit_fen, r.passed, m.held_on, r.meeting_id, m.region_code, r.number, m.recorded_by_id, "
                    "m.confirmed_by_id FROM resolutions r JOIN meetings m ON m.id = r.meeting_id{w}", "m.region_code"),
    "citations": ("SELECT c.record_type, c.record_id, c.region_code, c.resolution_id, c.cited_by_id FROM ("
                  "SELECT 'payment_request' AS record_type, id AS record_id, region_code, resolution_id, "
                  "requested_by_id AS cited_by_id FROM payment_requests WHERE resolution_id IS NOT NULL UNION ALL "
                  "SELECT 'asset_event', id, region_code, resolution_id, by_id FROM asset_events "
                  "WHERE resolution_id IS NOT NULL UNION ALL "
                  "SELECT 'contract', id, region_code, resolution_id, collected_by_id FROM contracts "
                  "WHERE resolution_id IS NOT NULL UNION ALL "
                  "SELECT 'trade_listing', id, region_code, resolution_id, collected_by_id FROM trade_listings "
                  "WHERE resolution_id IS NOT NULL) c{w}", "c.region_code"),
    "users": ("SELECT id AS user_id, username FROM users", "region_code"),
    "asset_acts": ("SELECT e.id, e.asset_id, a.org_id, e.region_code, e.date, e.kind, e.original_value_fen, "
                   "e.amount_fen, e.resolution_id FROM asset_events e JOIN assets a ON a.id = e.asset_id "
                   "WHERE e.kind IN ('disposal', 'lease', 'pledge'){a}", "e.region_code"),
    "contracts": ("SELECT id, org_id, region_code, number, kind, counterparty, counterparty_id_type, counterparty_id, "
                  "counterparty_registered_on, amount_fen, direction, signed_on, start_on, end_on, status, "
                  "resolution_id FROM contracts{w}", "region_code"),
    "instalments": ("SELECT id, contract_id, region_code, seq, due_on, amount_fen, received_fen "
                    "FROM contract_instalments{w}", "region_code"),
    "receipts": ("SELECT r.contract_id, r.received_on, r.amount_fen FROM contract_receipts r "
                 "JOIN contracts c ON c.id = r.contract_id{w}", "c.region_code"),
    "listings": ("SELECT id, org_id, region_code, title, kind, reserve_price_fen, deal_price_fen, status, closes_on "
                 "FROM trade_listings{w}", "region_code"),
    # the going rate compares with the county: an incremental run reads the whole county
    "leases": ("SELECT c.id, c.org_id, c.region_code, c.number, c.kind, c.direction, c.status, c.amount_fen, "
               "c.start_on, c.end_on, r.type AS resource_type, CAST(ROUND(r.area_mu * 100) AS BIGINT) AS area_cmu "
               "FROM contracts c JOIN resources r ON r.id = c.subject_id WHERE c.subject_type = 'resource'{a}",
               "c.region_code"),
    "officials": ("SELECT m.org_id, m.id AS member_id, m.name, m.id_number, m.official_title FROM members m "
                  "JOIN collective_orgs o ON o.id = m.org_id WHERE m.is_official{a}", "o.region_code"),
    "annual_checks": ("SELECT id, org_id, region_code, year, filed_on FROM annual_checks{w}", "region_code"),
    "disclosures": ("SELECT id, org_id, region_code, period, kind, state FROM disclosures{w}", "region_code"),
    "credit_replies": (CREDIT_REPLIES_SQL, "c.region_code"),
    "credit_punished": (CREDIT_PUNISHED_SQL, "region_code"),  # the whole province: a counterparty lives anywhere
}
#: the table whose size decides whether a frame is read in bulk (a child process on SQLite) or in process
_TABLE = {"orgs": "collective_orgs", "ledger_vouchers": "vouchers", "ledger_lines": "voucher_lines",
          "ledger_arap_lines": "voucher_lines", "payments": "payment_requests", "resolutions": "resolutions",
          "citations": "payment_requests", "users": "users",
          "asset_acts": "asset_events", "contracts": "contracts", "instalments": "contract_instalments",
          "receipts": "contract_receipts", "listings": "trade_listings", "leases": "contracts",
          "officials": "members", "annual_checks": "annual_checks",
          "disclosures": "disclosures", "credit_replies": "credit_applications", "credit_punished": "credit_records"}
#: above this many rows a full read goes through the bulk path (its fixed cost is a child process)
BULK_ROWS = 200_000
#: frames whose rows outside the run's subtree are still needed (the county, for comparison)
_WIDEN_TO_COUNTY = {"leases"}


def frame_sql(name: str, region_root: int | None = None) -> str:
    sql, col = _SQL[name]
    if region_root is None:
        return sql.format(w="", a="")
    root = region_root
    if name in _WIDEN_TO_COUNTY and level_of(root) > COUNTY:
        root = truncate(root, COUNTY)
    lo, hi = subtree_bounds(root)
    cond = f"{col} BETWEEN {int(lo)} AND {int(hi)}"
    return sql.format(w=f" WHERE {cond}", a=f" AND {cond}")


def _reader(url: str, data_dir: Path | None) -> Reader:
    """The query layer's reads (without loading its roll-ups); bulk reads from SQLite put their
    temporary files in `data_dir` (default: the settings' data directory)."""
    directory = Path(data_dir) if data_dir else Settings().data_dir
    directory.mkdir(parents=True, exist_ok=True)
    return Reader(url, directory)


def load_frames(url: str, names: set[str], region_root: int | None = None, data_dir: Path | None = None,
                timings: dict | None = None, ledger_copy: bool = True) -> dict[str, pl.DataFrame]:
    """Read the frames `names` (ledger-derived names read the raw ledger and derive it).

    A full run takes the raw ledger from the engine's own copy plus what was posted since
    (data/supervision/ledger_cache.py); `ledger_copy=False` reads it whole, as every full run did
    before (the benchmark, scripts/bench_warnings.py, runs both side by side)."""
    timings = timings if timings is not None else {}
    t0 = time.perf_counter()
    wanted = {n for n in names if n not in LEDGER_DERIVED} | {"orgs"}
    if names & set(LEDGER_DERIVED):
        wanted |= set(_LEDGER_RAW)
    reader = _reader(url, data_dir)
    if region_root is None:
        tables = sorted({_TABLE[n] for n in wanted})
        sizes = reader.read("SELECT " + ", ".join(f"(SELECT COALESCE(MAX(id), 0) FROM {t}) AS {t}"
                                                  for t in tables)).row(0, named=True)
        bulk = {n for n in wanted if int(sizes[_TABLE[n]] or 0) > BULK_ROWS}
    else:
        bulk = set()
    copied = set(_LEDGER_RAW) & wanted if region_root is None and ledger_copy else set()
    # the largest reads first, two or three at a time (each is a child process on SQLite)
    order = sorted(wanted - copied, key=lambda n: (n not in _LEDGER_RAW, n))

    def schema_of(name: str) -> str:
        return "ledger_lines" if name == "ledger_arap_lines" else name

    def one(item: tuple[str, str], bulk_ok: bool = True) -> tuple[str, pl.DataFrame]:
        name, sql = item
        read = reader.read_bulk if bulk_ok and name in bulk else reader.read
        return name, conform(schema_of(name), read(sql))

    def read_many(sqls: dict[str, str], big: bool) -> dict[str, pl.DataFrame]:
        if not big:  # the lines posted since the copy: id ranges, small
            return dict(one(item, False) for item in sqls.items())
        with ThreadPoolExecutor(max_workers=len(sqls)) as inner:
            return dict(inner.map(one, sqls.items()))

    def ledger() -> dict[str, pl.DataFrame]:
        from data.supervision import ledger_cache

        t1 = time.perf_counter()
        out = ledger_cache.load(reader.data_dir, url, {n: frame_sql(n) for n in sorted(copied)}, read_many,
                                reader.read, timings, BULK_ROWS)
        timings["ledger_read_s"] = round(time.perf_counter() - t1, 3)
        return out

    with ThreadPoolExecutor(max_workers=3) as pool:
        copy = pool.submit(ledger) if copied else None  # first: the longest
        raw = dict(pool.map(one, [(n, frame_sql(n, region_root)) for n in order]))
        if copy is not None:
            raw.update(copy.result())
    timings["read_s"] = round(time.perf_counter() - t0, 3)
    if "ledger_lines" in raw:
        t1 = time.perf_counter()
        lines = pl.concat([raw.pop("ledger_lines"), raw.pop("ledger_arap_lines")])
        raw.update(ledger_frames(lines, raw.pop("ledger_vouchers")))
        timings["ledger_s"] = round(time.perf_counter() - t1, 3)
    return raw
