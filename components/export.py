"""The one export writer: every table the platform lets a user download (Excel or CSV) is written
here, by `send_table`. Chinese headers, money held in fen written as exact yuan, and text that a
spreadsheet would run as a formula neutralised (OWASP "CSV Injection"): a text cell starting with
= + - @ tab or carriage return is, in CSV, prefixed with a single quote (and every text field is
quoted, double quotes doubled); in Excel, a string cell marked as text (quotePrefix, Excel's own
marker for a typed leading apostrophe), never a formula. Numbers stay numbers, negatives included.
"""
from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal

import polars as pl
from dash import dcc
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from domain.clock import CST
from domain.labels import DOMAINS, label

TIME_FORMAT = "%Y-%m-%d %H:%M"

#: (column, header, kind): kind "fen" for money held in fen (written as yuan, exact to the fen), a
#: code domain of `domain.labels.DOMAINS` for a stored code (written as its Chinese label), None (or
#: any other kind) for a plain value. Times are written in China time to the minute.
Column = tuple[str, str, str | None]
#: What a spreadsheet takes for the start of a formula (OWASP's list).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _value(v, kind: str | None):
    """A cell's value for the file: money as Decimal yuan, a code as its label, a time without zone
    (China time, to the minute), any other non-number as text; numbers, dates and None unchanged."""
    if kind in DOMAINS:
        return None if v is None else label(kind, v)
    if v is None or isinstance(v, bool | int | float | Decimal | dt.date):
        if kind == "fen" and isinstance(v, int | float | Decimal) and not isinstance(v, bool):
            fen = Decimal(repr(v)) if isinstance(v, float) else Decimal(v)
            return fen.scaleb(-2).quantize(Decimal("0.01"))
        if isinstance(v, dt.datetime) and v.tzinfo is not None:
            return v.astimezone(CST).replace(tzinfo=None, second=0, microsecond=0)
        return v
    return str(v)


def _is_formula_like(v) -> bool:
    return isinstance(v, str) and v.startswith(FORMULA_STARTS)


def _rows(frame: pl.DataFrame, columns: list[Column]):
    kinds = [kind for _, _, kind in columns]
    for row in frame.select([c for c, _, _ in columns]).iter_rows():
        yield [_value(v, kind) for v, kind in zip(row, kinds)]


def excel_bytes(frame: pl.DataFrame, columns: list[Column], title: str) -> bytes:
    """The table as an .xlsx: a title row, the headers, then one row per record."""
    wb = Workbook()
    ws = wb.active
    ws.title = "数据"
    for r, values in enumerate([[title], [header for _, header, _ in columns], *_rows(frame, columns)], start=1):
        values = [ILLEGAL_CHARACTERS_RE.sub("\ufffd", v) if isinstance(v, str) else v for v in values]
        ws.append(values)
        for c, v in enumerate(values, start=1):
            if _is_formula_like(v):  # openpyxl took a leading "=" for a formula: text it is
                cell = ws.cell(row=r, column=c)
                cell.data_type = "s"
                cell.quotePrefix = True
            elif isinstance(v, dt.date):  # China time to the minute; a date as YYYY-MM-DD
                ws.cell(row=r, column=c).number_format = "yyyy-mm-dd hh:mm" if isinstance(v, dt.datetime) else "yyyy-mm-dd"
    ws["A1"].font = Font(bold=True, size=13)
    for cell in ws[2]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(horizontal="center")
    for i, (_, header, kind) in enumerate(columns, start=1):
        letter = get_column_letter(i)
        ws.column_dimensions[letter].width = max(12, len(header) * 2 + 2)
        if kind == "fen":
            for cell in ws[letter][2:]:
                cell.number_format = "#,##0.00"
    ws.freeze_panes = "A3"
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def csv_text(frame: pl.DataFrame, columns: list[Column]) -> str:
    """The table as CSV for Excel (UTF-8 with a byte-order mark, CRLF): the headers, then one row
    per record; every text field quoted, a formula-like one prefixed with a single quote."""
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out, quoting=csv.QUOTE_NONNUMERIC)
    for values in [[header for _, header, _ in columns], *_rows(frame, columns)]:
        writer.writerow(["'" + v if _is_formula_like(v) else
                         v.strftime(TIME_FORMAT) if isinstance(v, dt.datetime) else
                         v.isoformat() if isinstance(v, dt.date) else v for v in values])
    return out.getvalue()


def send_table(frame: pl.DataFrame, columns: list[Column], title: str, *, fmt: str = "xlsx",
               filename: str | None = None) -> dict:
    """A dcc.Download's `data` for the table: an .xlsx titled `title`, or a .csv; the file is named
    `filename` (default the title) with the format's extension."""
    name = f"{filename or title}.{fmt}"
    if fmt == "csv":
        return dcc.send_string(csv_text(frame, columns), name)
    if fmt != "xlsx":
        raise ValueError(f"unknown export format {fmt!r}")
    return dcc.send_bytes(excel_bytes(frame, columns, title), name)


def send_package(blob: bytes, name: str) -> dict:
    """A dcc.Download's `data` for a file the platform built and checked itself (a national sync
    package: its checksum verified and its download logged by data.sync.export; a stored evidence
    attachment, checked against its SHA-256 by data.credit.repair), not a table the platform renders:
    the bytes go out exactly as checked, nothing to neutralise."""
    return dcc.send_bytes(blob, name)

