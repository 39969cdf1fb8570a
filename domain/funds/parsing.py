"""Amounts as typed in yuan or exported by a bank, and months: exact (Decimal, never float), every
problem said in Chinese. The text is read by `domain.numbers` (full-width digits normalised on
purpose; "1e26", "NaN", "1_000.00" and other scripts' digits refused)."""
from __future__ import annotations

import re
from decimal import Decimal

from domain.numbers import decimal_text, normalised

MAX_AMOUNT_FEN = 10**13  # 1,000 亿元: anything above is a typing error
_CENT = Decimal("0.01")


_MONTH = re.compile(r"(\d{4})[-/](\d{1,2})(?:[-/]\d{1,2})?|(\d{4})(\d{2})", re.ASCII)


def _cleaned(text, *extra: str) -> str:
    raw = str(text if text is not None else "")
    for ch in extra:
        raw = raw.replace(ch, "")
    raw = normalised(raw)
    if raw is None:
        return "?"  # not a number (a character no number has, or far too long)
    for ch in extra:
        raw = raw.replace(ch, "")
    return raw


def _number(raw: str, not_a_number: str) -> tuple[Decimal | None, str | None]:
    value = decimal_text(raw)
    return (value, None) if value is not None else (None, not_a_number)


def _fen(value: Decimal) -> tuple[int | None, str | None]:
    if abs(value) > Decimal(MAX_AMOUNT_FEN) / 100:
        return None, "金额过大，请核对"
    if value != value.quantize(_CENT):
        return None, "金额最多两位小数（精确到分）"
    return int(value * 100), None


def parse_amount(text) -> tuple[int | None, str | None]:
    """Yuan as typed ("1,234.50") -> (fen, None), or (None, why) in Chinese; the amount is positive."""
    raw = _cleaned(text)
    if not raw:
        return None, "请填写金额"
    value, why = _number(raw, "金额须为数字")
    if why:
        return None, why
    if value <= 0:
        return None, "金额须大于0"
    return _fen(value)


def parse_signed(text) -> tuple[int | None, str | None]:
    """A signed yuan amount as a bank prints it ("-1,250.00", "¥88.88") -> (fen, None) or (None, why);
    an empty cell ("", "-", "--") -> (None, None)."""
    raw = _cleaned(text, "¥", "￥", " ")
    if raw in ("", "-", "--"):
        return None, None
    value, why = _number(raw, f"金额“{str(text).strip()[:40]}”不是数字")
    return (None, why) if why else _fen(value)


def parse_period(text) -> int | None:
    """"2026-11" / "2026年11月" / "202611" / 202611 -> 202611, or None."""
    if isinstance(text, bool):
        return None
    raw = str(text) if isinstance(text, int) else (normalised(str(text or "").replace("年", "-").replace("月", "")) or "")
    found = _MONTH.fullmatch(raw)
    if found is None:
        return None
    y, m = (int(found[1]), int(found[2])) if found[1] else (int(found[3]), int(found[4]))
    return y * 100 + m if 2000 <= y <= 2100 and 1 <= m <= 12 else None
