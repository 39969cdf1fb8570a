"""The ledger partitioned by year on PostgreSQL (migration 0023_ledger_partitions).

On the session's generated PostgreSQL database (its lines were bulk-written through ADBC into
the partitioned table): every line sits in its year's partition; a one-year query reads one
partition; a period beyond the yearly partitions lands in the DEFAULT one; the foreign key onto
voucher_lines.id that partitioning rules out holds as triggers. And on a fresh database: the
migration moves existing lines into their partitions (ids and the id sequence kept) and its
downgrade brings the plain table back. Writes to the shared database are rolled back."""
from __future__ import annotations

import json

import pytest
from alembic import command
from sqlalchemy import create_engine, text
from sqlalchemy.exc import IntegrityError

from data.db import alembic_config, engine_for

pytestmark = pytest.mark.postgres


def test_partitions001_lines_sit_in_their_years_partition(pg_settings):
    with engine_for(pg_settings.database_url).connect() as c:
        assert c.execute(text("SELECT relkind FROM pg_class WHERE relname = 'voucher_lines'")).scalar() == "p"
        rows = c.execute(text("SELECT tableoid::regclass::text, MIN(period), MAX(period), COUNT(*) "
                              "FROM voucher_lines GROUP BY 1 ORDER BY 1")).all()
    assert len(rows) >= 2  # the test data spans several years
    for partition, lo, hi, n in rows:
        assert n > 0 and partition == f"voucher_lines_y{lo // 100}" and lo // 100 == hi // 100, (partition, lo, hi)


def _scanned(c, sql: str) -> set[str]:
    plan = c.execute(text(f"EXPLAIN (FORMAT JSON) {sql}")).scalar()
    plan = json.loads(plan) if isinstance(plan, str) else plan
    found: set[str] = set()

    def walk(node):
        if "Relation Name" in node:
            found.add(node["Relation Name"])
        for child in node.get("Plans", []):
            walk(child)

    walk(plan[0]["Plan"])
    return found


def test_partitions002_a_one_year_query_reads_one_partition(pg_settings):
    with engine_for(pg_settings.database_url).connect() as c:
        year = c.execute(text("SELECT MAX(period) / 100 FROM voucher_lines")).scalar()
        one_year = _scanned(c, f"SELECT SUM(debit_fen) FROM voucher_lines WHERE period BETWEEN {year}01 AND {year}12")
        every_year = _scanned(c, "SELECT SUM(debit_fen) FROM voucher_lines")
    assert one_year == {f"voucher_lines_y{year}"}
    assert {f"voucher_lines_y{year}", f"voucher_lines_y{year - 1}", "voucher_lines_default"} <= every_year


def test_partitions003_a_period_beyond_the_years_goes_to_default_and_the_match_key_holds(pg_settings):
    engine = engine_for(pg_settings.database_url)
    with engine.connect() as c, c.begin() as t:
        voucher, account, line = c.execute(text(
            "SELECT v.id, b.id, l.id FROM vouchers v JOIN voucher_lines l ON l.voucher_id = v.id "
            "JOIN bank_accounts b ON b.org_id = v.org_id LIMIT 1")).one()
        new = c.execute(text(
            "INSERT INTO voucher_lines (voucher_id, region_code, period, line_no, account_code, debit_fen, credit_fen) "
            "SELECT voucher_id, region_code, 209901, 99, account_code, 1, 0 FROM voucher_lines WHERE id = :l "
            "RETURNING id, tableoid::regclass::text"), {"l": line}).one()
        assert new[1] == "voucher_lines_default"
        assert new[0] > line  # the same id sequence as before partitioning
        stmt = ("INSERT INTO bank_statement_lines (bank_account_id, date, amount_fen, matched_line_id) "
                "VALUES (:a, '2026-01-05', 100, :m)")
        c.execute(text(stmt), {"a": account, "m": new[0]})  # an existing line may be matched
        with pytest.raises(IntegrityError, match="no such voucher line"), c.begin_nested():
            c.execute(text(stmt), {"a": account, "m": 10**15})
        with pytest.raises(IntegrityError, match="still matched"), c.begin_nested():
            c.execute(text("DELETE FROM voucher_lines WHERE id = :i"), {"i": new[0]})
        assert voucher is not None
        t.rollback()


def test_partitions004_the_migration_moves_existing_lines_and_downgrades(postgres_server):
    url = postgres_server.create_database("partition_move")
    cfg = alembic_config(url)
    command.upgrade(cfg, "0022_runtime")
    engine = create_engine(url)
    try:
        with engine.begin() as c:
            c.execute(text("SET LOCAL session_replication_role = replica"))  # no org/region rows needed
            c.execute(text("INSERT INTO vouchers (id, org_id, region_code, date, period, number, summary, status, "
                           "source, created_at, updated_at, version) VALUES (1, 1, 1, '2019-03-01', 201903, 1, 's', 'posted', "
                           "'manual', now(), now(), 1)"))
            c.execute(text("INSERT INTO voucher_lines (voucher_id, region_code, period, line_no, account_code, "
                           "debit_fen, credit_fen) VALUES (1, 1, 201903, 1, 101, 5, 0), (1, 1, 202512, 2, 102, 0, 5), "
                           "(1, 1, 199001, 3, 101, 7, 0)"))
        command.upgrade(cfg, "head")
        with engine.connect() as c:
            placed = c.execute(text("SELECT id, period, tableoid::regclass::text FROM voucher_lines ORDER BY id")).all()
            assert placed == [(1, 201903, "voucher_lines_y2019"), (2, 202512, "voucher_lines_y2025"),
                              (3, 199001, "voucher_lines_y1990")]  # an older year widens the range
            assert c.execute(text("SELECT nextval(pg_get_serial_sequence('voucher_lines', 'id'))")).scalar() == 4
        command.downgrade(cfg, "0022_runtime")
        with engine.connect() as c:
            assert c.execute(text("SELECT relkind FROM pg_class WHERE relname = 'voucher_lines'")).scalar() == "r"
            assert c.execute(text("SELECT COUNT(*) FROM voucher_lines")).scalar() == 3
            assert c.execute(text("SELECT COUNT(*) FROM pg_constraint WHERE conname = "
                                  "'fk_bank_statement_lines_matched_line_id_voucher_lines'")).scalar() == 1
    finally:
        engine.dispose()
