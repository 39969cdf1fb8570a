"""Numbers and dates as typed into a form or printed by a bank statement: one strict reading.

Full-width characters (１２３.４５, the full-width comma, point, minus and per-cent sign a Chinese
input method types) are normalised on purpose (Unicode NFKC) to the ASCII characters they look
like; any other non-ASCII character (Arabic-Indic or circled digits, superscripts) is refused.
After that a number is an optional sign, ASCII digits with thousands separators in groups of three
or none at all, and an optional decimal part — nothing else: Python's own `Decimal` and `int` would
also take "1_000.00", "1e26", "NaN", "Infinity", " 12 " with odd spaces and digits of other
scripts, and `int` refuses more than 4,300 digits with an error; each is refused here (None).
"""
from __future__ import annotations

import datetime as dt
import re
import unicodedata
from decimal import Decimal

#: longer texts are not numbers anyone typed (an amount of 1,000 亿元 has 17 characters)
MAX_CHARS = 40
_PLAIN = re.compile(r"[+-]?\d+(\.\d+)?", re.ASCII)
_GROUPED = re.compile(r"[+-]?\d{1,3}(,\d{3})+(\.\d+)?", re.ASCII)
_INTEGER = re.compile(r"[+-]?\d+", re.ASCII)
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}", re.ASCII)


def _allowed(ch: str) -> bool:
    return ch.isascii() or "\uff01" <= ch <= "\uff5e" or ch == "\u3000"  # full-width forms, ideographic space


def normalised(text) -> str | None:
    """`text` trimmed, full-width characters as ASCII (NFKC); None when it holds any other
    non-ASCII character or is longer than MAX_CHARS."""
    raw = str(text if text is not None else "")
    if len(raw) > 4 * MAX_CHARS:
        return None
    if raw.isascii():  # the usual case (an import reads millions of cells): NFKC leaves ASCII as it is
        out = raw.strip()
        return out if len(out) <= MAX_CHARS else None
    if not all(_allowed(ch) for ch in raw):
        return None
    out = unicodedata.normalize("NFKC", raw).strip()
    return out if len(out) <= MAX_CHARS else None


def decimal_text(text, *, grouping: bool = True) -> Decimal | None:
    """"1,234.50" / "１２３.４５" / "-12" -> Decimal, or None when it is no plain decimal number
    (thousands separators only in groups of three, and only when `grouping`)."""
    raw = normalised(text)
    if raw is None:
        return None
    if grouping and _GROUPED.fullmatch(raw):
        raw = raw.replace(",", "")
    return Decimal(raw) if _PLAIN.fullmatch(raw) else None


def integer_text(text) -> int | None:
    """"240" / "２４０" -> 240, or None (no separators, no decimal part)."""
    raw = normalised(text)
    return int(raw) if raw is not None and _INTEGER.fullmatch(raw) else None


def iso_date(value) -> dt.date | None:
    """A date object, or "YYYY-MM-DD" exactly (a date picker's "…T00:00:00" tail is dropped) ->
    the date; anything else (also "20261122", "2026-W47", which `fromisoformat` takes) -> None."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    raw = normalised(value)
    if not raw:
        return None
    raw = raw[:10] if raw[10:11] in ("T", " ") else raw
    if not _DATE.fullmatch(raw):
        return None
    try:
        return dt.date.fromisoformat(raw)
    except ValueError:
        return None
