"""The credit evaluation (信用评价): an explainable, additive score of 0–100 and a grade A/B/C/D.

The model (version `MODEL_VERSION`; every weight, cap and band is data in the tables below):

    score = base + Σ positive factors (each capped) − Σ negative factors + clamp

- **base** (`BASE`, 70): every rated subject starts here.
- **positive factors**, each the sum of its records' points, capped (`POSITIVE`): good records by
  subtype (表彰奖励 5, 社会公益 3, 志愿服务 2; cap 15), the lists of leading enterprises, model
  forest farms and cooperatives (国家级 5, 省级 4, 示范林场/合作社 3; cap 5), repayments paid in full
  by their due date (1 each; cap 10), contract performance — forest-rights transfers, element
  trades, industry services (1 each; cap 3), insurance claims (1 each; cap 2), subsidies paid to
  the household (1 each; cap 2).
- **dishonest records** (`SEVERITY_POINTS`: 轻微 5, 一般 15, 严重 30), one factor per severity. A
  record counts only while it is published (`domain.credit.publicity.in_publicity`: from its
  decision date through the last day of its publicity period, not the day after) and decays
  linearly with age: full weight on the decision day, `DECAY_FLOOR_PCT` (50 %) of it on the
  period's last day; the points are rounded half up, in integers only (so the vectorised path
  gives the same numbers).
- **repayment history** (`REPAYMENT_POINTS`): each instalment due before the evaluation day and
  not paid in full by its due date −3 (paid late or still open); each loan with an instalment
  past due and still not paid in full on the evaluation day −10 more (当前逾期).
- **clamp** (分值上下限调整): the score is kept within [0, 100]; when the sum falls outside, one
  visible factor brings it back, so the listed factors always add up exactly to the score.

Which records count: those that happened on or before the evaluation day, whose status is
`active` and whose effect has not ended (`ended_on` empty or after the evaluation day): a repaired,
corrected or withdrawn record, or one ended by a credit repair, counts no more. A loan's
repayments count with their loan record; instalments due after the evaluation day and not yet
paid are pending and do not count.

Unrated (暂无信用记录): a subject with no good, dishonest or market record at all (only basic
registration data, or nothing; corrected and withdrawn records are not history) is not graded:
score and grade are None. A subject whose dishonest records have expired keeps its history and is
rated (at the base plus what else counts).

Grades (`GRADES`): A ≥ 85, B ≥ 70, C ≥ 55, D below 55.

Monotone by construction: every record adds a term of fixed sign to its factor (good, list and
market records ≥ 0, dishonest records ≤ 0, an on-time instalment ≥ 0, an overdue one ≤ 0 and it
can only add the loan's −10); a cap is `min(cap, sum)`, which saturates and never wraps; the
clamp is a non-decreasing function of the sum; the grade is non-decreasing in the score. So a new
dishonest record or overdue instalment never raises the score, a new good record or on-time
instalment never lowers it (an unrated subject compares as the base: tests/test_credit_scoring.py).
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from domain.credit.codes import SEVERITIES
from domain.credit.publicity import in_publicity

MODEL_VERSION = "jx-2026.1"
BASE = 70
MIN_SCORE, MAX_SCORE = 0, 100
#: (grade, lowest score), best first; below the last band: D
GRADES = (("A", 85), ("B", 70), ("C", 55), ("D", MIN_SCORE))
GRADE_LABELS = {"A": "A 级（守信）", "B": "B 级（基本守信）", "C": "C 级（关注）", "D": "D 级（失信）"}
UNRATED_LABEL = "新主体，暂无信用记录"


@dataclass(frozen=True)
class Positive:
    """A capped positive factor: which records it takes (kind, and the points by subtype; None: any
    subtype, `default` points) and the cap of its sum."""

    key: str
    label: str
    kinds: tuple[str, ...]
    points: Mapping[str, int]
    default: int
    cap: int


#: the positive factors of records (repayments are `REPAYMENT_POINTS`), in the order shown
POSITIVE = (
    Positive("good", "优良信息（表彰、公益、志愿）", ("good",), {"commendation": 5, "public_welfare": 3, "volunteer": 2}, 2, 15),
    Positive("list", "龙头企业、示范林场、示范合作社名单", ("list",),
             {"national_leading": 5, "provincial_leading": 4, "model_farm": 3, "model_coop": 3}, 3, 5),
    Positive("market", "履约记录（林权流转、要素交易、产业服务）", ("transfer", "trade", "service"), {}, 1, 3),
    Positive("insurance", "保险理赔记录", ("insurance",), {}, 1, 2),
    Positive("subsidy", "资金到户记录", ("subsidy",), {}, 1, 2),
)
#: repayment history: on time (+, capped), overdue instalment (−), loan overdue now (−, per loan)
REPAYMENT_POINTS = {"on_time": 1, "on_time_cap": 10, "late": -3, "open_loan": -10}
#: dishonest records: points at full weight by severity; the weight falls linearly to the floor
SEVERITY_POINTS = {"minor": 5, "ordinary": 15, "serious": 30}
DECAY_FLOOR_PCT = 50
DEFAULT_SEVERITY = "ordinary"  # a dishonest record without a severity weighs as 一般
#: record kinds that are credit history (a subject with none of them is unrated)
HISTORY_KINDS = frozenset({"good", "dishonest", "transfer", "loan", "insurance", "trade", "service", "subsidy", "list"})
NOT_HISTORY_STATUSES = frozenset({"corrected", "withdrawn"})

#: the factors in the order shown (key -> label); every evaluation lists base first, clamp last
LABELS = {
    "base": "基础分",
    **{p.key: p.label for p in POSITIVE},
    "repay_on_time": "按期足额还款",
    **{f"dishonest_{s}": f"{label}失信信息（公示期内，按时间递减）" for s, label in SEVERITIES.items()},
    "repay_late": "逾期还款（期次）",
    "loan_overdue": "当前逾期未还贷款",
    "clamp": "分值上下限调整（0–100）",
}
ORDER = {k: i for i, k in enumerate(LABELS)}


@dataclass(frozen=True)
class Factor:
    key: str
    label: str
    points: int
    record_ids: tuple[int, ...] = ()

    def as_dict(self) -> dict:
        return {"factor": self.key, "label": self.label, "points": self.points, "record_ids": list(self.record_ids)}


@dataclass(frozen=True)
class Evaluation:
    """One subject's evaluation: `score` and `grade` None when `unrated`; the factors add up to it."""

    score: int | None
    grade: str | None
    unrated: bool
    factors: tuple[Factor, ...]
    as_of: dt.date
    model_version: str = MODEL_VERSION

    @property
    def comparable(self) -> int:
        """The score, an unrated subject counting as the base (for monotonicity)."""
        return BASE if self.unrated else self.score

    def factors_json(self) -> list[dict]:
        return [f.as_dict() for f in self.factors]


def grade_of(score: int) -> str:
    for grade, lowest in GRADES:
        if score >= lowest:
            return grade
    return GRADES[-1][0]


def _get(r, name: str):
    return r.get(name) if isinstance(r, Mapping) else getattr(r, name, None)


def counts(r, as_of: dt.date) -> bool:
    """Does record `r` count on `as_of` (happened, active, its effect not ended)?"""
    ended = _get(r, "ended_on")
    return (_get(r, "status") or "active") == "active" and _get(r, "occurred_on") <= as_of \
        and (ended is None or ended > as_of)


def is_history(r, as_of: dt.date) -> bool:
    return _get(r, "kind") in HISTORY_KINDS and _get(r, "occurred_on") <= as_of \
        and (_get(r, "status") or "active") not in NOT_HISTORY_STATUSES


def dishonest_points(severity: str | None, occurred_on: dt.date, publicity_until: dt.date | None, as_of: dt.date) -> int:
    """The (negative or zero) points of one dishonest record on `as_of`: 0 outside its publicity
    period; else its severity's points, decayed linearly from full weight on the decision day to
    `DECAY_FLOOR_PCT` on the period's last day, rounded half up (integers only)."""
    if occurred_on > as_of or not in_publicity(publicity_until, as_of):
        return 0
    weight = SEVERITY_POINTS[severity if severity in SEVERITY_POINTS else DEFAULT_SEVERITY]
    span = max((publicity_until - occurred_on).days, 1)
    elapsed = (as_of - occurred_on).days
    num = weight * (100 * span - (100 - DECAY_FLOOR_PCT) * elapsed)
    den = 100 * span
    return -((2 * num + den) // (2 * den))


def repayment_status(p, as_of: dt.date) -> str:
    """'on_time' (paid in full by its due date), 'late' (due before `as_of`, not paid in full by its
    due date: paid late, or still open — 'open' then) or 'pending' (not yet due, or due today)."""
    due, paid_on = _get(p, "due_on"), _get(p, "paid_on")
    full = paid_on is not None and paid_on <= as_of and (_get(p, "paid_fen") or 0) >= _get(p, "due_fen")
    if full and paid_on <= due:
        return "on_time"
    if due >= as_of:
        return "pending"
    return "late" if full else "open"


def evaluate(records: Iterable, repayments: Iterable, as_of: dt.date) -> Evaluation:
    """Evaluate one subject from its records (dicts or objects with id, kind, subtype, severity,
    occurred_on, publicity_until, status, ended_on) and its loans' repayments (record_id, due_on,
    due_fen, paid_on, paid_fen) on `as_of`."""
    records = list(records)
    if not any(is_history(r, as_of) for r in records):
        return Evaluation(None, None, True, (), as_of)
    live = {_get(r, "id"): r for r in records if counts(r, as_of)}
    sums: dict[str, int] = {}
    ids: dict[str, set[int]] = {}

    def add(key: str, points: int, rid) -> None:
        sums[key] = sums.get(key, 0) + points
        ids.setdefault(key, set()).add(rid)

    for rid, r in live.items():
        kind = _get(r, "kind")
        for p in POSITIVE:
            if kind in p.kinds:
                add(p.key, p.points.get(_get(r, "subtype"), p.default), rid)
        if kind == "dishonest":
            pts = dishonest_points(_get(r, "severity"), _get(r, "occurred_on"), _get(r, "publicity_until"), as_of)
            if pts:
                sev = _get(r, "severity")
                add(f"dishonest_{sev if sev in SEVERITY_POINTS else DEFAULT_SEVERITY}", pts, rid)
    loans = {rid for rid, r in live.items() if _get(r, "kind") == "loan"}
    open_loans: set[int] = set()
    for p in repayments:
        loan = _get(p, "record_id")
        if loan not in loans:
            continue
        status = repayment_status(p, as_of)
        if status == "on_time":
            add("repay_on_time", REPAYMENT_POINTS["on_time"], loan)
        elif status in ("late", "open"):
            add("repay_late", REPAYMENT_POINTS["late"], loan)
            if status == "open":
                open_loans.add(loan)
    for loan in open_loans:
        add("loan_overdue", REPAYMENT_POINTS["open_loan"], loan)
    caps = {p.key: p.cap for p in POSITIVE} | {"repay_on_time": REPAYMENT_POINTS["on_time_cap"]}
    factors = [Factor("base", LABELS["base"], BASE)]
    for key in sorted(sums, key=ORDER.__getitem__):
        points = min(caps[key], sums[key]) if key in caps else sums[key]
        factors.append(Factor(key, LABELS[key], points, tuple(sorted(ids[key]))))
    raw = sum(f.points for f in factors)
    score = min(MAX_SCORE, max(MIN_SCORE, raw))
    if score != raw:
        factors.append(Factor("clamp", LABELS["clamp"], score - raw))
    return Evaluation(score, grade_of(score), False, tuple(factors), as_of)
