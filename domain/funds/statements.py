"""Bank statements: the CSV a bank exports (UTF-8 or GBK; a signed amount column, or debit and
credit columns), matched to the ledger lines of the account, and the 余额调节表 that explains what
only one side has recorded."""
from __future__ import annotations

import csv
import datetime as dt
import io
import re
from dataclasses import dataclass

from domain.funds.parsing import parse_signed

MAX_STATEMENT_BYTES = 2 * 1024 * 1024
MAX_STATEMENT_ROWS = 5000
MATCH_WINDOW_DAYS = 3
_DATE_COLS = ("交易日期", "日期", "记账日期", "入账日期", "交易时间", "date")
_AMOUNT_COLS = ("交易金额", "金额", "发生额", "amount")
_IN_COLS = ("收入金额", "收入", "贷方金额", "贷方发生额", "贷方", "存入金额", "存入", "credit")
_OUT_COLS = ("支出金额", "支出", "借方金额", "借方发生额", "借方", "支取金额", "支取", "debit")
_DESC_COLS = ("摘要", "交易摘要", "用途", "附言", "备注", "说明", "对方户名", "description")
_BALANCE_COLS = ("余额", "账户余额", "balance")
STATEMENT_FORMAT_HELP = ("CSV 文件（UTF-8 或 GBK 编码），首行为表头：交易日期、金额（收入为正、支出为负）"
                         "或 收入/支出（贷方/借方）两列、摘要，可选 余额")


@dataclass(frozen=True)
class StatementRow:
    row: int  # line number in the file (the header is a line too), for messages
    date: dt.date
    amount_fen: int  # positive: money in, negative: money out
    description: str
    balance_fen: int | None


def decode_text(content: bytes) -> str | None:
    """UTF-8 (with or without BOM), else GBK/GB18030 (what Chinese banks export); None if neither."""
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return content.decode(encoding)
        except UnicodeDecodeError:
            continue
    return None


def _parse_date(text: str) -> dt.date | None:
    raw = text.strip().split(" ")[0].split("T")[0]
    m = re.fullmatch(r"(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?", raw) or re.fullmatch(r"(\d{4})(\d{2})(\d{2})", raw)
    if not m:
        return None
    try:
        return dt.date(*(int(x) for x in m.groups()))
    except ValueError:
        return None


def _column(header: list[str], names: tuple[str, ...]) -> int | None:
    cells = [h.strip().lower() for h in header]
    for name in names:
        if name.lower() in cells:
            return cells.index(name.lower())
    return None


def parse_statement(content: bytes, today: dt.date) -> tuple[list[StatementRow], list[str]]:
    """A bank statement CSV -> (rows, problems). Any problem means nothing may be imported: the
    problems name the line of the file (as a spreadsheet shows it) and what is wrong, in Chinese."""
    if not content:
        return [], ["文件是空的"]
    if len(content) > MAX_STATEMENT_BYTES:
        return [], [f"文件超过 {MAX_STATEMENT_BYTES // 1024 // 1024} MB"]
    text = decode_text(content)
    if text is None:
        return [], ["文件编码无法识别：请导出为 UTF-8 或 GBK 编码的 CSV 文件"]
    reader = csv.reader(io.StringIO(text))
    header, cols = None, {}
    rows: list[StatementRow] = []
    problems: list[str] = []
    try:
        for cells in reader:
            line = reader.line_num
            if not any(c.strip() for c in cells):
                continue
            if header is None:
                if _column(cells, _DATE_COLS) is None:
                    if line >= 20:
                        break
                    continue  # the account name and number some banks print above the table
                header = cells
                cols = {"date": _column(cells, _DATE_COLS), "amount": _column(cells, _AMOUNT_COLS),
                        "in": _column(cells, _IN_COLS), "out": _column(cells, _OUT_COLS),
                        "balance": _column(cells, _BALANCE_COLS),
                        "desc": [i for i, h in enumerate(cells) if h.strip().lower() in _DESC_COLS]}
                if cols["amount"] is None and (cols["in"] is None or cols["out"] is None):
                    return [], [f"第{line}行（表头）：缺少“金额”列，或“收入/支出”（贷方/借方）两列"]
                continue
            if len(rows) + len(problems) >= MAX_STATEMENT_ROWS:
                return [], [f"交易记录超过 {MAX_STATEMENT_ROWS} 行，请分月导出"]
            cell = lambda i, cells=cells: cells[i] if i is not None and i < len(cells) else ""
            why = []
            day = _parse_date(cell(cols["date"]))
            if day is None:
                why.append(f"日期“{cell(cols['date']).strip()}”无效" if cell(cols["date"]).strip() else "缺少日期")
            elif day > today:
                why.append("日期晚于今天")
            amount = None
            if cols["amount"] is not None:
                amount, bad = parse_signed(cell(cols["amount"]))
                if bad:
                    why.append(bad)
                elif not amount:
                    why.append("金额为空或为0")
            else:
                money_in, bad_in = parse_signed(cell(cols["in"]))
                money_out, bad_out = parse_signed(cell(cols["out"]))
                why.extend(b for b in (bad_in, bad_out) if b)
                if not (bad_in or bad_out):
                    if bool(money_in) == bool(money_out):
                        why.append("收入、支出须填且只填一个")
                    else:
                        amount = money_in if money_in else -abs(money_out)
            balance, bad = parse_signed(cell(cols["balance"])) if cols["balance"] is not None else (None, None)
            if bad:
                why.append("余额：" + bad)
            if why:
                problems.append(f"第{line}行：" + "；".join(why))
                continue
            desc = " ".join(cell(i).strip() for i in cols["desc"] if cell(i).strip())[:500]
            rows.append(StatementRow(line, day, amount, desc, balance))
    except csv.Error as exc:
        return [], [f"第{reader.line_num}行：CSV 格式错误（{exc}）"]
    if header is None:
        return [], ["没有找到表头：须有“交易日期”或“日期”列"]
    if not rows and not problems:
        return [], ["文件中没有交易记录"]
    return ([] if problems else rows), problems


def match_statement(statement: list[tuple[int, dt.date, int]], book: list[tuple[int, dt.date, int]],
                    window_days: int = MATCH_WINDOW_DAYS) -> dict[int, int]:
    """Pair statement lines (key, date, signed fen) with book lines (line id, date, signed fen: debit
    positive) of the same amount and direction dated within ±`window_days`; each line pairs at most
    once, the nearest date first. Returns statement key -> book line id."""
    free: dict[int, list[tuple[dt.date, int]]] = {}
    for line_id, day, amount in sorted(book, key=lambda b: (b[1], b[0])):
        free.setdefault(amount, []).append((day, line_id))
    out: dict[int, int] = {}
    for key, day, amount in sorted(statement, key=lambda r: (r[1], r[0])):
        candidates = [(abs((d - day).days), d, i) for d, i in free.get(amount, ()) if abs((d - day).days) <= window_days]
        if candidates:
            _, d, i = min(candidates)
            free[amount].remove((d, i))
            out[key] = i
    return out


def reconciliation(book_balance: int, statement_balance: int, unmatched_statement: list[int],
                   unmatched_book: list[int]) -> dict[str, int]:
    """余额调节表: both balances adjusted for what only one side has recorded; the difference is zero
    when every item is explained."""
    bank_in = sum(a for a in unmatched_statement if a > 0)      # 银行已收、单位未收
    bank_out = -sum(a for a in unmatched_statement if a < 0)    # 银行已付、单位未付
    book_in = sum(a for a in unmatched_book if a > 0)           # 单位已收、银行未收
    book_out = -sum(a for a in unmatched_book if a < 0)         # 单位已付、银行未付
    adjusted_book = book_balance + bank_in - bank_out
    adjusted_bank = statement_balance + book_in - book_out
    return {"book_balance": book_balance, "bank_in": bank_in, "bank_out": bank_out, "adjusted_book": adjusted_book,
            "statement_balance": statement_balance, "book_in": book_in, "book_out": book_out,
            "adjusted_bank": adjusted_bank, "difference": adjusted_book - adjusted_bank}
