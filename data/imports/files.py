"""An import file's rows as text: CSV (UTF-8 with or without BOM, else GB18030/GBK) through the
csv module, .xlsx/.xls through the calamine reader (fastexcel, the engine behind polars'
`read_excel(engine="calamine")`) with every cell read as a string (money never passes through a
float of ours). Rows are numbered as a spreadsheet shows them.

fastexcel is called directly, not through `polars.read_excel`: the commit runs in a background
job, a process forked from the server, and polars' thread pool does not survive a fork (a
`read_excel` there never returns; test_imports004 imports .xlsx and .xls through the job). Its
Arrow table is read column by column, with no polars in between."""
from __future__ import annotations

import csv
import io
from collections.abc import Iterator

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
    import fastexcel

    try:
        sheet = fastexcel.read_excel(content).load_sheet(0, header_row=None, dtypes="string")
        table = sheet.to_arrow()
    except Exception as exc:  # the reader's own errors: a damaged or password-protected file
        raise FileProblem("无法读取该 Excel 文件（文件已损坏、加密，或不是 Excel 格式）") from exc
    columns = [c.to_pylist() for c in table.columns]
    yield from enumerate(zip(*columns), start=1)


def rows(filename: str, content: bytes, is_header=None) -> tuple[tuple, Iterator[tuple[int, tuple]]]:
    """(header cells, the data rows as (row number, cells)); blank rows are skipped (their numbers
    kept). The header is the first row `is_header` accepts (a title above it, as the downloaded
    template has, is skipped; within the first 20 rows), else the first non-blank row."""
    if not content:
        raise FileProblem("文件是空的")
    kind = kind_of_file(filename)
    if kind is None:
        raise FileProblem("只能导入 .xlsx、.xls 或 .csv 文件")
    it = _csv_rows(content) if kind == "csv" else _excel_rows(content)
    first = None
    for n, header in it:
        if not any(c is not None and str(c).strip() for c in header):
            continue
        first = first or (n, header)
        if is_header is None or is_header(header):
            break
        if n >= 20:
            raise FileProblem("没有找到表头：请使用导入模板（表头须有“地区代码”列）")
    else:
        if first is None:
            raise FileProblem("文件中没有表头")
        raise FileProblem("没有找到表头：请使用导入模板（表头须有“地区代码”列）")
    data = ((n, c) for n, c in it if any(x is not None and str(x).strip() for x in c))
    return header, data
