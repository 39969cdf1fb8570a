"""Exports (components/export.py, the one writer): text that a spreadsheet would run as a formula
is written as text — read back with `csv` and openpyxl — while numbers stay numbers; through the
real callbacks for the security log (CSV), the cockpit's children table and the contracts' overdue
list (Excel). Issue 12, item 2."""
from __future__ import annotations

import base64
import csv
import datetime as dt
import io
import re
from decimal import Decimal
from pathlib import Path

import openpyxl
import polars as pl
import pytest
from sqlalchemy import select

import callbacks.admin.audit
import callbacks.cockpit
import callbacks.contracts
from components.export import FORMULA_STARTS, csv_text, excel_bytes, send_table
from data.contracts import trading
from data.db import transaction
from data.models import Resource, TradeListing
from tests.conftest import TODAY
from tests.support.business import USCC, actor, resolution
from tests.support.http import call, login, output, props

LINK = '=HYPERLINK("http://x","点我")'
#: one payload per character OWASP names, each a working formula if a spreadsheet ran it
PAYLOADS = [LINK, "+1+cmd|' /C calc'!A0", "-2+3+cmd|' /C calc'!A0", "@SUM(1+9)*cmd|' /C calc'!A0",
            "\t=1+1", "\r=1+1"]
ROOT = Path(__file__).resolve().parent.parent


def _csv_rows(text: str) -> list[list]:
    """The rows of an exported CSV; QUOTE_NONNUMERIC reads an unquoted field as a number (float)
    and a quoted one as text, so the types show how the file was written."""
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:], newline=""), quoting=csv.QUOTE_NONNUMERIC))


def _sheet(data: dict):
    assert data["filename"].endswith(".xlsx")
    return openpyxl.load_workbook(io.BytesIO(base64.b64decode(data["content"]))).active


def _assert_text_cell(cell, expected: str):
    assert cell.data_type == "s" and cell.data_type != "f"
    # shown as typed (an XML reader, Excel's too, reads a carriage return as a line feed), marked as text
    assert cell.value == expected.replace("\r", "\n") and cell.quotePrefix


def test_export001_a_formula_typed_as_user_name_at_sign_in_is_text_in_the_security_log_csv(app, client_for):
    anonymous = app.server.test_client()
    names = [p for p in PAYLOADS if p == p.strip()]  # the form strips leading tabs and returns
    for name in names:
        assert login(anonymous, name, "Wrong#pass1", environ_base={"REMOTE_ADDR": "10.12.2.1"}).status_code == 401
    resp = call(app, client_for("demo-admin"), callbacks.admin.audit.export, props(("log-export", "n_clicks", 1)),
                props(("log-dates", "start_date", None), ("log-dates", "end_date", None),
                      ("log-types", "value", ["sign_in_failed"]), ("log-actor", "value", None),
                      ("log-result", "value", None)))
    data = output(resp, "log-download", "data")
    assert re.fullmatch(r"安全日志-\d{8}-\d{4}\.csv", data["filename"])
    rows = _csv_rows(data["content"])
    header, body = rows[0], rows[1:]
    assert header[:3] == ["序号", "时间（北京时间）", "操作人"]
    actors = {r[2] for r in body}
    for name in names:
        assert "'" + name in actors and name not in actors  # neutralised, and the rest of it intact
    assert all(isinstance(r[0], float) and r[0] > 0 for r in body)  # the entry number stays a number
    assert all(isinstance(r[1], str) and not r[1].startswith("'") for r in body)  # ordinary text untouched


def test_export002_every_formula_start_is_text_and_numbers_stay_numbers():
    frame = pl.DataFrame({"name": [*PAYLOADS, "普通文本", "'已有引号", None, " =1+1"],
                          "amount": [-1250, 99, 0, 100_000_000_01, -1, 5, 7, None, 3, 4],
                          "count": [-3, 0, 1, 2, 3, 4, 5, 6, 7, 8],
                          "ratio": [-0.5, 1.25, 0.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0],
                          "day": [dt.date(2026, 11, 22)] * 10})
    columns = [("name", "名称", None), ("amount", "金额（元）", "fen"), ("count", "笔数", None), ("ratio", "比例", None),
               ("day", "日期", None)]
    ws = openpyxl.load_workbook(io.BytesIO(excel_bytes(frame, columns, "=标题"))).active
    _assert_text_cell(ws["A1"], "=标题")  # the title too
    for i, payload in enumerate(PAYLOADS, start=3):
        _assert_text_cell(ws.cell(i, 1), payload)
    plain = ws.cell(9, 1)
    assert plain.value == "普通文本" and plain.data_type == "s" and not plain.quotePrefix
    assert ws.cell(12, 1).value == " =1+1" and not ws.cell(12, 1).quotePrefix  # a leading space is no formula
    assert all(c.data_type != "f" for row in ws.iter_rows() for c in row)
    amounts = [ws.cell(r, 2) for r in range(3, 13)]
    assert [c.data_type for c in amounts] == ["n"] * 10
    assert [None if c.value is None else Decimal(str(c.value)) for c in amounts[:5]] == \
        [Decimal("-12.50"), Decimal("0.99"), 0, Decimal("100000000.01"), Decimal("-0.01")]
    assert amounts[0].number_format == "#,##0.00"
    assert [ws.cell(r, 3).value for r in range(3, 6)] == [-3, 0, 1] and ws.cell(3, 3).data_type == "n"
    assert ws.cell(3, 4).value == -0.5 and ws.cell(3, 4).data_type == "n"
    assert ws.cell(3, 5).is_date

    text = csv_text(frame, columns)
    rows = _csv_rows(text)
    assert rows[0] == ["名称", "金额（元）", "笔数", "比例", "日期"]
    for row, payload in zip(rows[1:], PAYLOADS):
        assert row[0] == "'" + payload
    assert [r[0] for r in rows[7:]] == ["普通文本", "'已有引号", "", " =1+1"]
    assert [r[1] for r in rows[1:6]] == [-12.5, 0.99, 0, 100000000.01, -0.01]  # unquoted: numbers
    assert [r[2] for r in rows[1:4]] == [-3, 0, 1] and rows[1][3] == -0.5 and rows[1][4] == "2026-11-22"
    assert text.split("\r\n")[1].endswith(',-12.50,-3,-0.5,"2026-11-22"')  # yuan to the fen, as written
    assert all(not (isinstance(v, str) and v.startswith(FORMULA_STARTS)) for r in rows for v in r)
    # a field separator, quote or line break inside a value cannot start a new cell
    tricky = pl.DataFrame({"x": ['a","=1+1', "b\n=1+1", 'c;=1+1']})
    assert [r[0] for r in _csv_rows(csv_text(tricky, [("x", "x", None)]))[1:]] == ['a","=1+1', "b\n=1+1", 'c;=1+1']


def test_export003_characters_xml_cannot_carry_do_not_break_the_excel_file():
    frame = pl.DataFrame({"name": ["a\x01b", "=\x07x"]})
    ws = openpyxl.load_workbook(io.BytesIO(excel_bytes(frame, [("name", "名称", None)], "t"))).active
    assert ws["A3"].value == "a\ufffdb" and ws["A4"].value == "=\ufffdx" and ws["A4"].data_type == "s"


def test_export004_the_cockpit_children_table_through_its_callback(app, client_for, sqlite_settings, monkeypatch):
    """A region name that looks like a formula and a negative profit, as the query layer answers."""
    county = sqlite_settings.demo_county
    real_layer = callbacks.cockpit.query_layer

    class Answering:
        def __getattr__(self, name):
            return getattr(real_layer(), name)

        def children(self, scope, region, period=None):
            kids = real_layer().children(scope, region, period)
            return kids.with_columns(pl.when(pl.int_range(pl.len()) == 0).then(pl.lit(LINK)).otherwise("name")
                                     .alias("name"),
                                     pl.when(pl.int_range(pl.len()) == 0).then(pl.lit(-1250, pl.Int64))
                                     .otherwise("net_profit").alias("net_profit"))

    monkeypatch.setattr(callbacks.cockpit, "query_layer", Answering)
    resp = call(app, client_for("demo-county"), callbacks.cockpit.export, props(("cockpit-export", "n_clicks", 1)),
                props(("url", "hash", f"#region={county}")))
    ws = _sheet(output(resp, "cockpit-download", "data"))
    _assert_text_cell(ws["A3"], LINK)
    profit = ws["F3"]
    assert ws["F2"].value == "本年收益（元）" and profit.data_type == "n" and Decimal(str(profit.value)) == Decimal("-12.50")
    assert ws["B3"].data_type == "n" and ws["H3"].data_type == "n"  # region code and village count
    assert all(c.data_type != "f" for row in ws.iter_rows() for c in row)


def test_export005_the_contracts_overdue_list_through_its_callback(app, client_for, sqlite_settings):
    """A bidder named like a formula wins a lease two months ago; its first instalment is overdue
    and the township's 逾期未收款项 export shows the name as text, the amounts as numbers."""
    url, key = sqlite_settings.database_url, sqlite_settings.audit_key
    agent = actor(sqlite_settings, "demo-township")
    lo, hi = agent.scope.ranges[0]
    with transaction(url) as s:
        res = s.scalar(select(Resource).where(Resource.region_code.between(lo, hi), Resource.contracted.is_(False))
                       .order_by(Resource.id.desc()))
        rid, org_id, region = res.id, res.org_id, int(res.region_code)
    then = TODAY - dt.timedelta(days=60)
    lease = resolution(sqlite_settings, org_id, region, "lease", then - dt.timedelta(days=3))
    lid = trading.create_listing(url, key, agent, rid, "lease", "8,000", 36, lease, then, then + dt.timedelta(days=7),
                                 then)
    trading.place_bid(url, key, agent, lid, LINK, "uscc", USCC, "9,100", then + dt.timedelta(days=1))
    with transaction(url) as s:
        version = s.get(TradeListing, lid).version
    trading.award(url, key, agent, lid, version, then + dt.timedelta(days=8))
    resp = call(app, client_for("demo-township"), callbacks.contracts.export,
                props(("ct-expiring-export", "n_clicks", None), ("ct-overdue-export", "n_clicks", 1)),
                props(("ct-due-asof", "date", None)), changed=["ct-overdue-export.n_clicks"])
    ws = _sheet(output(resp, "ct-download", "data"))
    headers = [c.value for c in ws[2]]
    who, owed = headers.index("对方") + 1, headers.index("尚欠（元）") + 1
    row = next(r for r in range(3, ws.max_row + 1) if ws.cell(r, who).value == LINK)
    _assert_text_cell(ws.cell(row, who), LINK)
    assert ws.cell(row, owed).data_type == "n" and Decimal(str(ws.cell(row, owed).value)) == Decimal("9100.00")
    assert all(c.data_type != "f" for r in ws.iter_rows() for c in r)


def test_export006_nothing_but_the_one_writer_writes_an_export_file():
    """Every export goes through components/export.py: no other production module builds a
    download or writes a spreadsheet or CSV."""
    pattern = re.compile(r"send_bytes|send_string|send_data_frame|send_file|to_excel|write_excel|write_csv|"
                         r"openpyxl|xlsxwriter|csv\.writer|DictWriter|exportDataAs")
    found = [str(p.relative_to(ROOT)) for area in ("callbacks", "components", "data", "domain", "pages", "server")
             for p in (ROOT / area).rglob("*.py") if pattern.search(p.read_text(encoding="utf-8"))]
    assert found == ["components/export.py"]


def test_export007_unknown_format_is_refused():
    with pytest.raises(ValueError):
        send_table(pl.DataFrame({"x": [1]}), [("x", "x", None)], "t", fmt="ods")
