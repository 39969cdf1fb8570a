"""Amounts as typed in yuan or exported by a bank, and months: exact (Decimal, never float), every
problem said in Chinese."""
from __future__ import annotations

from decimal import Decimal, InvalidOperation

MAX_AMOUNT_FEN = 10**13  # 1,000 亿元: anything above is a typing error
_CENT = Decimal("0.01")


def _cleaned(text, *extra: str) -> str:
    raw = str(text if text is not None else "").strip().replace(",", "").replace("，", "")
    for ch in extra:
        raw = raw.replace(ch, "")
    return raw


def _number(raw: str, not_a_number: str) -> tuple[Decimal | None, str | None]:
    try:
        value = Decimal(raw)
    except InvalidOperation:
        return None, not_a_number
    return (value, None) if value.is_finite() else (None, not_a_number)


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
    value, why = _number(raw, f"金额“{str(text).strip()}”不是数字")
    return (None, why) if why else _fen(value)


def parse_period(text) -> int | None:
    """"2026-11" / "202611" / 202611 -> 202611, or None."""
    raw = str(text if text is not None else "").strip().replace("年", "-").replace("月", "").replace("/", "-")
    try:
        if "-" in raw:
            y, m = (int(x) for x in raw.split("-")[:2])
        else:
            y, m = divmod(int(raw), 100)
    except ValueError:
        return None
    return y * 100 + m if 2000 <= y <= 2100 and 1 <= m <= 12 else None
