"""One cell of an import file, read as text (never as a float) -> a typed value, or the reason in
Chinese. Each parser answers (value, None) or (None, why); an empty optional cell is (None, None)."""
from __future__ import annotations

import datetime as dt
import functools
import re
from decimal import Decimal

from domain.funds.parsing import MAX_AMOUNT_FEN
from domain.identifiers import region_code_problem, resident_id_problem
from domain.numbers import decimal_text, integer_text, normalised

_CENT = Decimal("0.01")
_DATE = re.compile(r"(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})|(\d{4})(\d{2})(\d{2})", re.ASCII)
_WHOLE = re.compile(r"(\d+)\.0+", re.ASCII)  # 220102001001.0: how a spreadsheet may spell an integer

Parsed = tuple[object, str | None]


def blank(text) -> bool:
    return text is None or not str(text).strip()


def money(text) -> Parsed:
    """Yuan ("1,234.50", "¥88.00") -> integer fen, exact to the fen, not negative; empty -> 0."""
    if blank(text):
        return 0, None
    raw = normalised(str(text).replace("¥", "").replace("￥", ""))
    value = decimal_text(raw) if raw is not None else None
    if value is None:
        return None, "不是有效金额"
    if value < 0:
        return None, "金额不能为负数"
    if value != value.quantize(_CENT):
        return None, "金额最多两位小数（精确到分）"
    if value * 100 > MAX_AMOUNT_FEN:
        return None, "金额过大，请核对"
    return int(value * 100), None


@functools.lru_cache(maxsize=65536)  # a ledger repeats its dates: read each once
def date(text) -> Parsed:
    """"2019-03-05", "2019/3/5", "2019年3月5日", "20190305" (a spreadsheet's "… 00:00:00" dropped)."""
    raw = str(text or "").strip().replace("年", "-").replace("月", "-").replace("日", "")
    raw = normalised(raw)
    if not raw:
        return None, "不是有效日期（应为 2019-03-05）"
    raw = raw.split(" ")[0].split("T")[0]
    m = _DATE.fullmatch(raw)
    if m is None:
        return None, "不是有效日期（应为 2019-03-05）"
    y, mo, d = (m[1], m[2], m[3]) if m[1] else (m[4], m[5], m[6])
    try:
        day = dt.date(int(y), int(mo), int(d))
    except ValueError:
        return None, "日期不存在"
    if not dt.date(1949, 10, 1) <= day <= dt.date(2100, 12, 31):
        return None, "日期不在合理范围内"
    return day, None


def integer(text, lo: int = 0, hi: int = 10**9) -> Parsed:
    """A whole number between `lo` and `hi`."""
    raw = normalised(text)
    if raw and _WHOLE.fullmatch(raw):
        raw = _WHOLE.fullmatch(raw)[1]
    value = integer_text(raw) if raw is not None else None
    if value is None:
        return None, "应为整数"
    if not lo <= value <= hi:
        return None, f"应在 {lo} 到 {hi} 之间"
    return value, None


def area(text, places: int = 2) -> Parsed:
    """An area in mu, not negative, at most `places` decimals, as a Decimal."""
    value = decimal_text(normalised(text)) if normalised(text) else None
    if value is None:
        return None, "不是有效面积"
    if value < 0:
        return None, "面积不能为负数"
    if value != value.quantize(Decimal(1).scaleb(-places)):
        return None, f"面积最多{places}位小数"
    if value > Decimal("100000000"):
        return None, "面积过大，请核对"
    return value, None


@functools.lru_cache(maxsize=65536)  # and its region codes
def region(text) -> Parsed:
    """A 12-digit region code (a spreadsheet's "220102001001.0" accepted)."""
    raw = normalised(text) or ""
    if _WHOLE.fullmatch(raw):
        raw = _WHOLE.fullmatch(raw)[1]
    why = region_code_problem(raw)
    return (int(raw), None) if why is None else (None, why)


def resident_id(text, today: dt.date) -> Parsed:
    raw = (normalised(text) or "").upper()
    why = resident_id_problem(raw, today)
    return (raw, None) if why is None else (None, why)


def choice(text, labels: dict[str, str]) -> Parsed:
    """A label from `labels` (key -> Chinese label; the key itself is accepted too) -> the key."""
    raw = str(text or "").strip()
    for key, label in labels.items():
        if raw in (key, label):
            return key, None
    return None, "应为：" + "、".join(labels.values())


def yes_no(text) -> Parsed:
    raw = str(text or "").strip()
    if raw in ("是", "Y", "y", "1", "true", "TRUE"):
        return True, None
    if raw in ("否", "N", "n", "0", "false", "FALSE"):
        return False, None
    return None, "应为“是”或“否”"


def words(text, max_len: int) -> Parsed:
    raw = str(text or "").strip()
    if len(raw) > max_len:
        return None, f"不能超过{max_len}个字"
    return raw, None
