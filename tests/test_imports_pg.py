"""Imports on PostgreSQL (issue 14 item 3): the background import through the real callbacks writes
the vouchers (their lines by COPY, in the same transaction), a file with a bad row commits nothing,
and the same file twice is refused."""
from __future__ import annotations

import hashlib

import pytest

from tests.support.accounts import actor
from tests.support.app import build_app, generate_test_data, make_settings
from tests.support.http import output, sign_in
from tests.support.imports import (LEDGER_HEADER, commit, csv_bytes, import_records, imported_vouchers, ledger_rows, preview,
                                   result_text, villages)

pytestmark = pytest.mark.postgres


@pytest.fixture(scope="module")
def pg(postgres_server, tmp_path_factory):
    settings = generate_test_data(make_settings(tmp_path_factory.mktemp("pg-imports"),
                                                postgres_server.create_database("imports")))
    app = build_app(settings)
    return settings, app, sign_in(app.server, "demo-township")


def test_imports_pg001_import_all_or_nothing_and_once(pg):
    settings, app, client = pg
    inside, _ = villages(settings, actor(settings, "demo-township").scope)
    content = csv_bytes(LEDGER_HEADER, ledger_rows(inside[0], 3000, year=2012, summary="PG导入"), "gbk")
    final, progress = commit(app, client, "ledger", "pg.csv", content)
    assert "3000 张凭证" in result_text(final) and progress
    assert imported_vouchers(settings, "PG导入") == 3000
    again, _ = commit(app, client, "ledger", "pg-again.csv", content)
    assert "不能重复导入" in result_text(again)
    rows = ledger_rows(inside[0], 3, year=2011, summary="PG坏账")
    rows[3][6] = "abc"
    bad = csv_bytes(LEDGER_HEADER, rows)
    errors = output(preview(app, client, "ledger", "bad.csv", bad), "imp-errors", "rowData")
    assert any(e["row"] == 5 and e["column"] == "贷方金额" and e["message"] == "不是有效金额" for e in errors)
    commit(app, client, "ledger", "bad.csv", bad)
    assert imported_vouchers(settings, "PG坏账") == 0
    assert import_records(settings, hashlib.sha256(bad).hexdigest()) == [("bad.csv", "rejected")]
