"""Financial disclosure to the members (阳光公开, Art. J19; 《农村集体经济组织财务公开规定》
农经发〔2011〕13号): the eight categories, how often a village discloses, the workflow of one
disclosure and what a published one may no longer do. Plain Python: data/disclosure applies it.

Frequency: at least quarterly; monthly where transactions are many — we read "many" as more than
`MONTHLY_VOUCHERS` vouchers a month on average over the quarter before (DOMAIN.md gives no figure:
a setting); at once for a major matter. A periodic disclosure is due `DUE_DAYS` days after its
period ends (the warning rule `disclosure_overdue` carries the same figure as its parameter).

Workflow: draft → reviewed (the members' financial oversight group, 民主理财小组, has reviewed it)
→ approved (the township) → published; the group or the township may return it (returned) with
an opinion, and the preparer edits it back to draft. Only a draft or a returned disclosure
changes; a published one never does: a correction is a new disclosure naming the one it corrects.
"""
from __future__ import annotations

import datetime as dt
import re

from domain.text import put_text

#: 财务公开的八类内容 (农经发〔2011〕13号)
CATEGORIES = ("财务计划", "各项收入", "各项支出", "各项资产", "各类资源", "债权债务", "收益分配", "其他事项")
#: what a periodic financial disclosure is filed under (it covers income, spending, assets, claims
#: and debts and the distribution of its period)
PERIODIC = "财务收支"
KINDS = {"quarter": "季度公开", "month": "月度公开", "major": "重大事项即时公开"}
STATES = {"draft": "草稿", "reviewed": "民主理财小组已审核", "approved": "乡镇已审核同意", "published": "已公开",
          "returned": "已退回"}
#: more vouchers a month than this (average over the preceding quarter): disclose monthly
MONTHLY_VOUCHERS = 30
#: a periodic disclosure is due this many days after its period ends
DUE_DAYS = 15
#: a spending line of at least this much (fen) is listed as a major item (10,000 yuan)
MAJOR_ITEM_FEN = 1_000_000
MAJOR_ITEMS = 10
NOTES_MAX, TITLE_MAX, QUESTION_MAX, ANSWER_MAX, REVIEWERS_MAX = 2000, 100, 500, 1000, 200

#: state -> step -> the state it leads to
STEPS: dict[str, dict[str, str]] = {
    "draft": {"edit": "draft", "review": "reviewed", "review_return": "returned"},
    "returned": {"edit": "draft"},
    "reviewed": {"approve": "approved", "return": "returned"},
    "approved": {"publish": "published"},
    "published": {"correct": "published"},
}
STEP_LABELS = {"edit": "修改", "review": "民主理财小组审核", "review_return": "民主理财小组退回", "approve": "乡镇审核同意",
               "return": "乡镇退回", "publish": "公开", "correct": "更正"}
PUBLISHED_IMMUTABLE = "已公开的财务公开不能修改；如有错误，请发起更正公开（原公开与更正公开均保留可查）"

_QUARTER = re.compile(r"^(\d{4})Q([1-4])$")
_MONTH = re.compile(r"^(\d{4})(0[1-9]|1[0-2])$")


def step_problem(state: str, step: str) -> str | None:
    """Why `step` cannot be taken on a disclosure in `state` (None: it can)."""
    if state == "published" and step != "correct":
        return PUBLISHED_IMMUTABLE
    if step in STEPS.get(state, {}):
        return None
    label = STATES.get(state, state)
    return f"该财务公开当前状态为“{label}”，不能{STEP_LABELS.get(step, step)}"


def period_bounds(kind: str, period: str) -> tuple[dt.date, dt.date] | None:
    """First and last day of a disclosure's period ('2026Q3', '202609', or a major matter's date)."""
    if kind == "quarter" and (m := _QUARTER.match(period or "")):
        y, q = int(m[1]), int(m[2])
        first = dt.date(y, 3 * q - 2, 1)
        return first, (dt.date(y + (q == 4), 1 if q == 4 else 3 * q + 1, 1) - dt.timedelta(days=1))
    if kind == "month" and (m := _MONTH.match(period or "")):
        y, mo = int(m[1]), int(m[2])
        return dt.date(y, mo, 1), dt.date(y + (mo == 12), 1 if mo == 12 else mo + 1, 1) - dt.timedelta(days=1)
    if kind == "major":
        try:
            day = dt.date.fromisoformat(period or "")
        except ValueError:
            return None
        return day, day
    return None


def quarter_of(day: dt.date) -> str:
    return f"{day.year}Q{(day.month - 1) // 3 + 1}"


def previous_quarters(today: dt.date, n: int) -> list[str]:
    """The `n` quarters before the one `today` lies in, newest first."""
    y, q = today.year, (today.month - 1) // 3 + 1
    out = []
    for _ in range(n):
        y, q = (y - 1, 4) if q == 1 else (y, q - 1)
        out.append(f"{y}Q{q}")
    return out


def due_on(kind: str, period: str, days: int = DUE_DAYS) -> dt.date | None:
    """The day a periodic disclosure must be published by (a major matter: its own date + days)."""
    bounds = period_bounds(kind, period)
    return bounds[1] + dt.timedelta(days=days) if bounds else None


def frequency(vouchers_last_quarter: int) -> str:
    """'month' when the quarter before had more than MONTHLY_VOUCHERS vouchers a month, else 'quarter'."""
    return "month" if vouchers_last_quarter > 3 * MONTHLY_VOUCHERS else "quarter"


def period_text(kind: str, period: str) -> str:
    if kind == "quarter" and (m := _QUARTER.match(period or "")):
        return f"{m[1]}年第{m[2]}季度"
    if kind == "month" and (m := _MONTH.match(period or "")):
        return f"{m[1]}年{int(m[2])}月"
    return period or ""


def default_title(kind: str, period: str, category: str) -> str:
    return f"{period_text(kind, period)}{'财务收支公开' if kind != 'major' else category + '公开'}"


def draft_problems(kind, period, category, title, notes) -> tuple[dict[str, str], dict]:
    """(errors by field, the clean values) of a disclosure as the preparer fills it."""
    errors: dict[str, str] = {}
    clean: dict = {}
    if kind not in KINDS:
        errors["kind"] = "请选择公开类型"
    elif period_bounds(kind, str(period or "").strip()) is None:
        errors["period"] = {"quarter": "期间格式为 2026Q3", "month": "期间格式为 202609",
                            "major": "请选择事项日期"}[kind]
    clean["kind"], clean["period"] = kind, str(period or "").strip()
    if kind == "major":
        if category not in CATEGORIES:
            errors["category"] = "请选择公开内容类别"
        clean["category"] = category
    else:
        clean["category"] = PERIODIC
    clean["title"] = put_text(errors, "title", title, "标题", TITLE_MAX, required=False) or (
        default_title(kind, clean["period"], clean.get("category") or "") if kind in KINDS else "")
    clean["notes"] = put_text(errors, "notes", notes, "说明", NOTES_MAX, required=False) or None
    return errors, clean


def review_problems(reviewers, opinion, agree: bool) -> tuple[dict[str, str], str, str | None]:
    """The oversight group's review: who reviewed (names, required) and its opinion (required to return)."""
    errors: dict[str, str] = {}
    names = put_text(errors, "reviewers", reviewers, "参加审核的民主理财小组成员", REVIEWERS_MAX)
    text = put_text(errors, "opinion", opinion, "审核意见", 500, required=not agree)
    if not agree and "opinion" in errors and not text:
        errors["opinion"] = "退回须填写审核意见（退回理由）"
    return errors, names, text or None


def question_problems(text) -> tuple[dict[str, str], str]:
    errors: dict[str, str] = {}
    return errors, put_text(errors, "question", text, "问题", QUESTION_MAX)


def answer_problems(text) -> tuple[dict[str, str], str]:
    errors: dict[str, str] = {}
    return errors, put_text(errors, "answer", text, "答复", ANSWER_MAX)


def share_of(total_fen: int, shares: int, all_shares: int) -> int:
    """A member's part (fen, rounded half up) of `total_fen` distributed by shares."""
    if all_shares <= 0 or shares <= 0 or total_fen <= 0:
        return 0
    return (2 * total_fen * shares + all_shares) // (2 * all_shares)
