"""An import file's rows as text: CSV (UTF-8 with or without BOM, else GB18030/GBK) through the
csv module, .xlsx/.xls through polars' calamine reader with every cell read as a string (money
never passes through a float of ours). Rows are numbered as a spreadsheet shows them."""
from __future__ import annotations

import csv
import io
from collections.abc import Iterator

import polars as pl

from domain.funds.statements import decode_text

EXCEL = (".xlsx", ".xlsm", ".xls")


class FileProblem(ValueError):
    """The file as a whole cannot be read (Chinese)."""


def kind_of_file(filename: str) -> str | None:
    name = (filename or "").lower()
    if name.endswith(".csv"):
        return "csv"
    return "excel" if name.endswith(EXCEL) else None


def _csv_rows(content: bytes) -> Iterator[tuple[int, tuple]]:
    text = decode_text(content)
    if text is None:
        raise FileProblem("文件编码无法识别：请保存为 UTF-8 或 GBK 编码的 CSV 文件")
    try:
        for n, cells in enumerate(csv.reader(io.StringIO(text, newline="")), start=1):
            yield n, tuple(cells)
    except csv.Error as exc:
        raise FileProblem(f"CSV 格式错误（{exc}）") from exc


def _excel_rows(content: bytes) -> Iterator[tuple[int, tuple]]:
    try:
        frame = pl.read_excel(io.BytesIO(content), engine="calamine", has_header=False,
                              read_options={"dtypes": "string"})
    except Exception as exc:  # the reader's own errors: a damaged or password-protected file
        raise FileProblem("无法读取该 Excel 文件（文件已损坏、加密，或不是 Excel 格式）") from exc
    for n, cells in enumerate(frame.iter_rows(), start=1):
        yield n, cells


def rows(filename: str, content: bytes) -> tuple[tuple, Iterator[tuple[int, tuple]]]:
    """(header cells, the data rows as (row number, cells)); blank rows are skipped (their numbers kept)."""
    if not content:
        raise FileProblem("文件是空的")
    kind = kind_of_file(filename)
    if kind is None:
        raise FileProblem("只能导入 .xlsx、.xls 或 .csv 文件")
    it = _csv_rows(content) if kind == "csv" else _excel_rows(content)
    for _n, header in it:
        if any(c is not None and str(c).strip() for c in header):
            break
    else:
        raise FileProblem("文件中没有表头")
    data = ((n, c) for n, c in it if any(x is not None and str(x).strip() for x in c))
    return header, data


def template_csv(header: list[str], example: list[str]) -> bytes:
    """A template as CSV (UTF-8 with BOM, which Excel opens as Chinese)."""
    out = io.StringIO()
    w = csv.writer(out)
    w.writerow(header)
    w.writerow(example)
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def template_xlsx(header: list[str], example: list[str], title: str) -> bytes:
    """A template as .xlsx: header row, one example row, every column formatted as text."""
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = title[:31]
    ws.append(header)
    ws.append(example)
    for col in ws.columns:
        for cell in col:
            cell.number_format = "@"
        ws.column_dimensions[col[0].column_letter].width = max(12, 2 * len(str(col[0].value or "")) + 2)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
