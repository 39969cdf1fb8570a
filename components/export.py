"""Excel export of a table (openpyxl): a title row, Chinese headers, money as exact yuan."""
from __future__ import annotations

import io
from decimal import Decimal

import polars as pl
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter


def excel_bytes(frame: pl.DataFrame, columns: list[tuple[str, str, str | None]], title: str) -> bytes:
    """`columns`: (column, header, kind) with kind "fen" for money held in fen (written as yuan,
    exact to the fen) or None for plain values."""
    wb = Workbook()
    ws = wb.active
    ws.title = "数据"
    ws.append([title])
    ws["A1"].font = Font(bold=True, size=13)
    ws.append([header for _, header, _ in columns])
    for cell in ws[2]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(horizontal="center")
    for row in frame.select([c for c, _, _ in columns]).iter_rows():
        ws.append([Decimal(v) / 100 if kind == "fen" and v is not None else v
                   for v, (_, _, kind) in zip(row, columns)])
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
