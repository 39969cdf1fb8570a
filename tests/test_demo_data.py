"""The demo-data generator: deterministic, balanced, heavy-tailed, and carrying the faults the
supervision rules must find."""
from __future__ import annotations

import numpy as np
import pytest
from sqlalchemy import text

from data.db import engine_for
from data.demo.ledger import MEAN_ASSETS_YUAN, generate_ledger, village_wealth


def q(settings, sql: str):
    with engine_for(settings.database_url).connect() as c:
        return c.execute(text(sql)).scalar()


def test_wealth_is_heavy_tailed_like_the_2019_audit():
    w = np.sort(village_wealth(np.random.default_rng(7), 200_000))[::-1] / 100
    assert abs(w.mean() / MEAN_ASSETS_YUAN - 1) < 0.1
    top14 = w[: int(len(w) * 0.14)].sum() / w.sum()
    assert 0.68 < top14 < 0.82  # about three quarters of assets in 14% of villages


def test_same_seed_same_ledger():
    codes = np.arange(220122001001, 220122001021)
    a = generate_ledger(np.random.default_rng(3), codes, np.arange(1, 21), 202611, 12, 5)
    b = generate_ledger(np.random.default_rng(3), codes, np.arange(1, 21), 202611, 12, 5)
    c = generate_ledger(np.random.default_rng(4), codes, np.arange(1, 21), 202611, 12, 5)
    assert a.lines.equals(b.lines) and a.vouchers.equals(b.vouchers)
    assert not a.lines.equals(c.lines)


def test_every_voucher_balances(sqlite_settings):
    unbalanced = q(sqlite_settings, "SELECT COUNT(*) FROM (SELECT voucher_id FROM voucher_lines GROUP BY voucher_id "
                                    "HAVING SUM(debit_fen) <> SUM(credit_fen)) t")
    assert unbalanced == 0
    # every village keeps books every month of the two test years
    villages = q(sqlite_settings, "SELECT COUNT(*) FROM collective_orgs")
    assert villages >= 10
    assert q(sqlite_settings, "SELECT COUNT(*) FROM (SELECT DISTINCT region_code, period FROM voucher_lines) t") \
        == villages * 24


def test_seasonal_cash_flows(sqlite_settings):
    with engine_for(sqlite_settings.database_url).connect() as c:
        by_month = dict(c.execute(text(
            "SELECT period % 100, SUM(credit_fen) FROM voucher_lines WHERE account_code = 501 GROUP BY 1")).all())
    assert by_month[1] > by_month[2] and by_month[10] > by_month[7]  # January and harvest-time collections


@pytest.mark.parametrize("what, sql", [
    ("disposal without resolution", "SELECT COUNT(*) FROM assets WHERE status='disposed' AND resolution_id IS NULL"),
    ("overdue instalment", "SELECT COUNT(*) FROM contract_instalments WHERE due_on < '2026-11-22' AND received_fen < amount_fen"),
    ("expired but active contract", "SELECT COUNT(*) FROM contracts WHERE status='active' AND end_on < '2026-11-22'"),
    ("late annual asset check", "SELECT COUNT(*) FROM annual_checks WHERE filed_on IS NULL OR filed_on > (year + 1) || '-03-31'"),
    ("deal below reserve", "SELECT COUNT(*) FROM trade_listings WHERE deal_price_fen < reserve_price_fen * 0.8"),
    ("large payment", "SELECT COUNT(*) FROM voucher_lines WHERE account_code IN (511, 513, 514) AND debit_fen >= 5000000"),
])
def test_planted_faults_exist(sqlite_settings, what, sql):
    assert q(sqlite_settings, sql) > 0, what


def test_records_carry_provenance(sqlite_settings):
    for table in ("collective_orgs", "assets", "contracts", "resources", "vouchers"):
        assert q(sqlite_settings, f"SELECT COUNT(*) FROM {table} WHERE provided_by IS NULL OR responsible_by IS NULL") == 0


def test_identifiers_are_valid(sqlite_settings):
    from data.identifiers import is_valid_resident_id, is_valid_uscc

    with engine_for(sqlite_settings.database_url).connect() as c:
        ids = [r[0] for r in c.execute(text("SELECT id_number FROM members LIMIT 500"))]
        codes = [r[0] for r in c.execute(text("SELECT uscc FROM collective_orgs"))]
    assert ids and all(is_valid_resident_id(x) for x in ids)
    assert codes and all(is_valid_uscc(x) and x.startswith("N2") for x in codes)
