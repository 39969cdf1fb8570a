"""Lane D's figures: the ledger's yearly partitions and the streaming replica on PostgreSQL 15.

A throw-away primary (tests/support/postgres.py) at migration 0022 gets N synthetic ledger lines
(10 years × 12 months, 2 lines a voucher); then, in one run, side by side:
- the queries the platform runs on the ledger, on the plain table and after migration 0023
  (the watermark MAX(id), a delta `id > wm`, one year's sum, one voucher's lines), median of 5;
- the migration's own time (moving the N lines into their partitions);
- a streaming replica made from it: the cost of one lag measurement (data.db.LAG_SQL), a read
  through `reading()` on the replica vs the primary, and how long a bulk write of 100,000 lines
  takes to be readable on the replica.
Writes var/bench/replica.json. `--lines N` (default 2,000,000)."""
from __future__ import annotations

import argparse
import contextvars
import json
import os
import statistics
import time
from pathlib import Path

from alembic import command
from sqlalchemy import text

import data.db as db
from data.db import alembic_config, configure_replica, engine_for, reading
from tests.support.postgres import PostgresServer

ROOT = Path(__file__).resolve().parents[1]


def median_ms(fn, n: int = 5) -> float:
    times = []
    for _ in range(n):
        t = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t) * 1000)
    return round(statistics.median(times), 2)


def fill(url: str, lines: int) -> None:
    vouchers = lines // 2
    with engine_for(url).begin() as c:
        c.execute(text("SET LOCAL session_replication_role = replica"))  # no orgs or regions needed
        c.execute(text(
            "INSERT INTO vouchers (id, org_id, region_code, date, period, number, summary, status, source, "
            "created_at, updated_at, version) SELECT g + 1, 1 + g % 1000, 220000000000 + g % 1000, DATE '2017-01-01', "
            "(2017 + (g * 120 / :v) / 12) * 100 + 1 + (g * 120 / :v) % 12, g, 's', 'posted', 'manual', now(), now(), 1 "
            "FROM generate_series(0, :v - 1) g"), {"v": vouchers})
        c.execute(text(
            "INSERT INTO voucher_lines (voucher_id, region_code, period, line_no, account_code, debit_fen, credit_fen) "
            "SELECT v.id, v.region_code, v.period, k, CASE k WHEN 1 THEN 101 ELSE 501 END, "
            "CASE k WHEN 1 THEN 100 ELSE 0 END, CASE k WHEN 1 THEN 0 ELSE 100 END "
            "FROM vouchers v CROSS JOIN generate_series(1, 2) k ORDER BY v.id, k"))
    with engine_for(url).connect() as c:
        c = c.execution_options(isolation_level="AUTOCOMMIT")
        c.exec_driver_sql("VACUUM ANALYZE voucher_lines")
        c.exec_driver_sql("VACUUM ANALYZE vouchers")


def ledger_queries(url: str) -> dict:
    with engine_for(url).connect() as c:
        wm = c.execute(text("SELECT MAX(id) FROM voucher_lines")).scalar()
        year = 2022  # a full year in the middle of the ten

        def q(sql):
            return lambda: c.execute(text(sql)).all()

        return {
            "watermark_max_id_ms": median_ms(q("SELECT COALESCE(MAX(id), 0) FROM voucher_lines")),
            "delta_1000_lines_ms": median_ms(q(f"SELECT * FROM voucher_lines WHERE id > {wm - 1000} AND id <= {wm}")),
            "one_year_sum_ms": median_ms(q(f"SELECT SUM(debit_fen) FROM voucher_lines WHERE period BETWEEN "
                                           f"{year}01 AND {year}12")),
            "one_voucher_lines_ms": median_ms(q("SELECT * FROM voucher_lines WHERE voucher_id = 12345")),
        }


def on_primary(fn):
    def run():
        with db.primary_reads():
            fn()
    return run


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--lines", type=int, default=2_000_000)
    args = ap.parse_args()
    load = os.getloadavg()
    out: dict = {"lines": args.lines, "load_avg_at_start": [round(x, 1) for x in load], "cpus": os.cpu_count()}
    primary = PostgresServer()
    replica = None
    try:
        primary.start()
        url = primary.create_database("bench")
        cfg = alembic_config(url)
        command.upgrade(cfg, "0022_runtime")
        t = time.perf_counter()
        fill(url, args.lines)
        out["fill_s"] = round(time.perf_counter() - t, 1)
        out["plain"] = ledger_queries(url)
        t = time.perf_counter()
        command.upgrade(cfg, "head")
        out["migration_0023_s"] = round(time.perf_counter() - t, 1)
        out["partitioned"] = ledger_queries(url)
        print(json.dumps(out, indent=1), flush=True)

        t = time.perf_counter()
        replica = primary.start_replica()
        out["replica_basebackup_and_start_s"] = round(time.perf_counter() - t, 1)
        replica_url = replica.url("bench")
        with engine_for(replica_url).connect() as c:
            out["lag_measurement_ms"] = median_ms(lambda: c.execute(text(db.LAG_SQL)).one(), 50)
        configure_replica(url, replica_url, 5.0, 10.0)

        def small_read(u):
            def run():
                with reading(u) as s:
                    s.execute(text("SELECT * FROM vouchers WHERE id = 12345")).all()
            return run

        contextvars.Context().run(lambda: db.read_url(url))  # first measurement
        out["small_read_via_reading_ms"] = {
            "replica": median_ms(lambda: contextvars.Context().run(small_read(url)), 50),
            "primary": median_ms(lambda: contextvars.Context().run(on_primary(small_read(url))), 50),
        }
        with engine_for(url).connect() as c:
            before = c.execute(text("SELECT MAX(id) FROM voucher_lines")).scalar()
        t = time.perf_counter()
        with engine_for(url).begin() as c:
            c.execute(text(
                "INSERT INTO voucher_lines (voucher_id, region_code, period, line_no, account_code, debit_fen, credit_fen) "
                "SELECT voucher_id, region_code, period, 3, account_code, debit_fen, credit_fen FROM voucher_lines "
                f"WHERE id > {before} - 100000"))
        committed = time.perf_counter()
        with engine_for(replica_url).connect() as c:
            while c.execute(text("SELECT MAX(id) FROM voucher_lines")).scalar() < before + 100_000:
                time.sleep(0.01)
                c.rollback()
        seen = time.perf_counter()
        out["bulk_write_100k_lines"] = {"commit_s": round(committed - t, 2),
                                        "visible_on_replica_after_commit_s": round(seen - committed, 2)}
    finally:
        if replica is not None:
            replica.stop()
        primary.stop()
    out["load_avg_at_end"] = [round(x, 1) for x in os.getloadavg()]
    dest = ROOT / "var" / "bench" / "replica.json"
    dest.parent.mkdir(parents=True, exist_ok=True)
    dest.write_text(json.dumps(out, indent=1), encoding="utf-8")
    print(json.dumps(out, indent=1))


if __name__ == "__main__":
    main()
