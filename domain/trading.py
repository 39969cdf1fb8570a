"""Property-rights trading rules (产权交易): a listing of a resource or asset for lease or
transfer needs a resolution that voted it, a reserve price and a bidding window; bids come inside
the window at or above the reserve; after the window the best bid wins (the earliest among
equal ones) and becomes a contract whose yearly instalments follow from the term."""
from __future__ import annotations

import datetime as dt

from domain.identifiers import resident_id_problem, uscc_problem
from domain.text import put_text

KIND_LABELS = {"lease": "出租", "transfer": "转让"}
STATUS_LABELS = {"open": "竞价中", "awarded": "已成交", "failed": "流拍", "withdrawn": "已撤回"}


def listing_problems(kind: str, reserve_fen: int | None, term_months: int | None, opens_on: dt.date | None,
                     closes_on: dt.date | None, today: dt.date) -> dict[str, str]:
    errors = {}
    if kind not in KIND_LABELS:
        errors["kind"] = "请选择出租或转让"
    if reserve_fen is None or reserve_fen <= 0:
        errors.setdefault("reserve", "请填写大于0的底价")
    if kind == "lease" and (term_months is None or not 1 <= term_months <= 360):
        errors["term_months"] = "出租期限须为1至360个月"
    if opens_on is None or closes_on is None:
        errors["window"] = "请填写竞价起止日期"
    elif closes_on < opens_on:
        errors["window"] = "竞价截止日期不能早于开始日期"
    elif (closes_on - opens_on).days < 5:
        errors["window"] = "竞价期至少5天，以便公开"
    elif opens_on < today:
        errors["window"] = "竞价开始日期不能早于今天"
    return errors


def bid_problems(bidder: str, id_type: str, id_number: str, amount_fen: int | None, reserve_fen: int,
                 opens_on: dt.date, closes_on: dt.date, day: dt.date) -> dict[str, str]:
    errors = {}
    put_text(errors, "bidder", bidder, "竞价人", 100)
    problem = resident_id_problem(id_number, day) if id_type == "resident" else \
        uscc_problem(id_number) if id_type == "uscc" else "请选择证件类型"
    if problem:
        errors["bidder_id"] = problem
    if amount_fen is None:
        errors.setdefault("amount", "请填写报价")
    elif amount_fen < reserve_fen:
        errors["amount"] = "报价低于底价"
    if not opens_on <= day <= closes_on:
        errors["window"] = "不在竞价期内"
    return errors


def best_bid(bids: list[dict]) -> dict | None:
    """Highest amount; the earlier bid wins a tie."""
    return min(bids, key=lambda b: (-b["amount_fen"], b["at"], b["id"])) if bids else None


def instalments(start: dt.date, term_months: int, yearly_fen: int) -> list[tuple[dt.date, int]]:
    """Yearly instalments in advance, the last one pro rata for a part year."""
    out = []
    months = 0
    while months < term_months:
        span = min(12, term_months - months)
        year, month = divmod(start.month - 1 + months, 12)
        due = dt.date(start.year + year, month + 1, min(start.day, 28))
        out.append((due, yearly_fen * span // 12))
        months += span
    return out
