"""Meeting rules (会议管理, 四议两公开): who must attend for a meeting to decide (quorum), how many
votes carry a resolution, what a meeting record and its resolutions must contain, and which
decisions a resolution may be cited for. Plain Python; `data/meetings.py` applies them inside one
transaction, and assets, trading and funds ask `citation_problem` before they act on a resolution.

The fractions are data (`MEETING_KINDS`), not code: each names where it comes from. Chinese legal
usage: "以上" includes the number itself (三分之二以上 = at least two thirds), "过半数" is strictly
more than half.
- 成员大会 / 成员代表会议 — 《中华人民共和国农村集体经济组织法》(2024, in force 2025-05-01):
  two thirds of the members (representatives) attend; a decision needs two thirds of ALL members
  (representatives). Taken from one reading of the statute: keep configurable, check the
  organisation's own articles (章程), which may be stricter.
- 党员大会 — DOMAIN.md (四议两公开 step 3): two thirds attend, a majority of those due agree.
- 两委联席会议 — practice (democratic centralism): more than half attend, a majority of those due agree.
- 村民会议 / 村民代表会议 — 《村民委员会组织法》art. 22 and 26: more than half of the adult villagers
  (村民会议; the statute's alternative, two thirds of households, is not modelled) or two thirds of
  the representatives attend; a majority of those attending agree.
Only the resolving meetings (step 4: 成员大会, 成员代表会议, 村民会议, 村民代表会议) may authorise
a major decision; the two committees and the party members' meeting propose and review.

Two people (四议两公开 in the system of record): whoever records a meeting (the village secretary
or cashier) is never who confirms it (the supervisory chair, the township): `meeting.confirm` in
domain/permissions.py. Only a resolution of a confirmed meeting can be cited; a deciding meeting
is recorded with its minutes (会议纪要) and sign-in sheet (签到表), and nobody more can be due to
attend than the roll holds: the organisation's members (the model has no separate count of
representatives, so the members bound 成员代表会议 too) or, for villagers' meetings, the
village's population.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from fractions import Fraction

from domain.numbers import integer_text
from domain.text import put_text
from domain.funds.parsing import parse_amount
from domain.money import yuan_text


@dataclass(frozen=True)
class Threshold:
    """`strict`: more than the fraction (过半数); otherwise at least it (三分之二以上)."""

    fraction: Fraction
    strict: bool = False

    def met(self, count: int, base: int) -> bool:
        if base <= 0:
            return False
        lhs, rhs = count * self.fraction.denominator, self.fraction.numerator * base
        return lhs > rhs if self.strict else lhs >= rhs

    def minimum(self, base: int) -> int:
        """The smallest count that meets the threshold out of `base`."""
        n = self.fraction.numerator * base // self.fraction.denominator
        while n > 0 and self.met(n - 1, base):
            n -= 1
        while not self.met(n, base) and n <= base:
            n += 1
        return n

    @property
    def label(self) -> str:
        if self.fraction == Fraction(1, 2) and self.strict:
            return "过半数"
        names = {Fraction(1, 2): "二分之一", Fraction(2, 3): "三分之二", Fraction(3, 4): "四分之三"}
        name = names.get(self.fraction, f"{self.fraction.numerator}/{self.fraction.denominator}")
        return f"超过{name}" if self.strict else f"{name}以上"


HALF = Threshold(Fraction(1, 2), strict=True)
TWO_THIRDS = Threshold(Fraction(2, 3))


@dataclass(frozen=True)
class MeetingKind:
    label: str
    quorum: Threshold            # share of those due who must attend
    pass_rule: Threshold         # share of the base who must vote for
    pass_base: str               # "due" (应到人数) | "attending" (实到人数)
    decides: bool                # may its resolutions authorise a major decision (四议两公开 step 4)
    basis: str                   # where the rule comes from
    due_label: str = "应到人数"
    roll: str | None = None      # who can be due: "members" (the member roll) | "villagers" (population)


#: The meeting kinds, keyed by the label stored in `meetings.kind`.
MEETING_KINDS: dict[str, MeetingKind] = {k.label: k for k in [
    MeetingKind("成员大会", TWO_THIRDS, TWO_THIRDS, "due", True, "《农村集体经济组织法》第二十七条", "应到成员", "members"),
    MeetingKind("成员代表会议", TWO_THIRDS, TWO_THIRDS, "due", True, "《农村集体经济组织法》第二十八条", "应到代表", "members"),
    MeetingKind("村民会议", HALF, HALF, "attending", True, "《村民委员会组织法》第二十二条", "应到村民", "villagers"),
    MeetingKind("村民代表会议", TWO_THIRDS, HALF, "attending", True, "《村民委员会组织法》第二十六条", "应到代表", "villagers"),
    MeetingKind("党员大会", TWO_THIRDS, HALF, "due", False, "四议两公开：党员大会审议", "应到党员"),
    MeetingKind("两委联席会议", HALF, HALF, "due", False, "四议两公开：两委会商议（民主集中制）", "应到委员"),
]}

#: decision type -> Chinese label (what a resolution voted)
DECISION_TYPES: dict[str, str] = {
    "payment": "大额支出", "disposal": "资产处置", "lease": "出租/发包", "pledge": "抵押",
    "borrowing": "举债/借款", "transfer": "转让", "plan": "发展规划", "other": "其他",
}
#: decisions that need a resolution whatever the amount; a payment needs one at or above the threshold
ALWAYS_NEED_RESOLUTION = frozenset({"disposal", "lease", "pledge", "borrowing", "transfer"})
SUBJECT_LABELS = {"asset": "资产", "resource": "资源", "contract": "合同"}
MAX_RESOLUTIONS = 5
#: the files a deciding meeting is recorded with (attachment kind -> label); others are "other"
REQUIRED_FILES = {"minutes": "会议纪要", "signin": "签到表"}
FILE_KINDS = {**REQUIRED_FILES, "other": "其他附件"}
STATUS_LABELS = {"recorded": "待确认", "confirmed": "已确认", "returned": "已退回"}
ROLL_LABELS = {"members": "本组织成员名册", "villagers": "本村人口"}
MAX_PEOPLE = 100_000
EARLIEST = dt.date(1980, 1, 1)


def requires_resolution(decision_type: str, amount_fen: int | None = None, threshold_fen: int | None = None) -> bool:
    """Must this decision cite a resolution (四议两公开)? Disposals, leases, pledges, borrowing and
    transfers always; a payment when its amount reaches the organisation's threshold."""
    if decision_type in ALWAYS_NEED_RESOLUTION:
        return True
    if decision_type == "payment" and amount_fen is not None and threshold_fen is not None:
        return amount_fen >= threshold_fen
    return False


def has_quorum(kind: str, expected: int, attended: int) -> bool:
    return MEETING_KINDS[kind].quorum.met(attended, expected)


def passes(kind: str, expected: int, attended: int, votes_for: int) -> bool:
    """Whether `votes_for` carries a resolution at this meeting: by the kind's rule, never typed in."""
    k = MEETING_KINDS[kind]
    if not k.quorum.met(attended, expected):
        return False
    return k.pass_rule.met(votes_for, expected if k.pass_base == "due" else attended)


def votes_needed(kind: str, expected: int, attended: int) -> int:
    k = MEETING_KINDS[kind]
    return k.pass_rule.minimum(expected if k.pass_base == "due" else attended)


def rule_text(kind: str) -> str:
    """One line for the form: the quorum and the pass rule of a kind."""
    k = MEETING_KINDS[kind]
    base = k.due_label if k.pass_base == "due" else "实到人数"
    return f"{k.label}：{k.due_label}{k.quorum.label}出席方可召开；决议须经{base}{k.pass_rule.label}同意（{k.basis}）。"


def roll_problem(kind: str | None, expected: int | None, roll: int | None) -> str | None:
    """Why `expected` cannot be due at a meeting of `kind` whose roll holds `roll` people, or None
    (attended <= expected and votes <= attended are checked with the draft)."""
    k = MEETING_KINDS.get(kind or "")
    if k is None or k.roll is None or roll is None or expected is None or expected <= roll:
        return None
    return f"应到人数（{expected}）超过{ROLL_LABELS[k.roll]}人数（{roll}人），请核对"


def missing_files(kind: str | None, have: set[str]) -> dict[str, str]:
    """field -> why, for the files a deciding meeting must carry that are not in `have` (kinds)."""
    k = MEETING_KINDS.get(kind or "")
    if k is None or not k.decides:
        return {}
    return {f: f"{k.label}须上传{label}" for f, label in REQUIRED_FILES.items() if f not in have}


def confirm_problem(status: str, kind: str, have: set[str], *, approve: bool = True) -> str | None:
    """Why a meeting cannot be confirmed (`approve`) or returned now, or None: only a recorded one,
    and a deciding meeting is confirmed only with its minutes and sign-in sheet (`have`: the kinds
    of file it carries)."""
    if status != "recorded":
        return f"该会议{STATUS_LABELS.get(status, status)}，不能再确认或退回"
    missing = missing_files(kind, have) if approve else {}
    if missing:
        return "缺少" + "、".join(REQUIRED_FILES[f] for f in missing) + "，不能确认：请登记人先补充上传"
    return None


# ------------------------------------------------------------------ drafts


@dataclass(frozen=True)
class MeetingDraft:
    kind: str | None
    title: str | None
    held_on: dt.date | None
    expected: object  # as typed: int, "30", None
    attended: object
    agenda: str | None


@dataclass(frozen=True)
class ResolutionDraft:
    number: str | None
    subject: str | None
    decision_type: str | None
    votes_for: object
    votes_against: object = 0
    votes_abstain: object = 0
    amount_limit: str | None = None  # yuan as typed, optional


@dataclass
class Plan:
    """A validated meeting: whole numbers parsed, each resolution's outcome computed by the rule."""

    kind: str
    title: str
    held_on: dt.date
    expected: int
    attended: int
    agenda: str
    resolutions: list[dict] = field(default_factory=list)


def parse_count(value, *, blank_ok: bool = False) -> tuple[int | None, str | None]:
    """A head count or vote count as typed -> (int, None) or (None, why in Chinese)."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return (0, None) if blank_ok else (None, "请填写人数")
    if isinstance(value, bool):
        return None, "须为整数"
    if isinstance(value, float):
        if not value.is_integer():
            return None, "须为整数"
        value = int(value)
    if isinstance(value, str):
        value = integer_text(value)
        if value is None:
            return None, "须为整数"
    if not isinstance(value, int):
        return None, "须为整数"
    if value < 0:
        return None, "不能为负数"
    if value > MAX_PEOPLE:
        return None, "人数过大，请核对"
    return value, None


def _count_error(label: str, why: str) -> str:
    if why == "请填写人数":
        return f"请填写{label}"
    return why if why.startswith("人数") else f"{label}{why}"


def meeting_problems(d: MeetingDraft, today: dt.date) -> tuple[dict, dict[str, str]]:
    """(parsed values, field -> what is wrong). Fields: kind title held_on expected attended agenda."""
    errors: dict[str, str] = {}
    if d.kind not in MEETING_KINDS:
        errors["kind"] = "请选择会议类型"
    title = put_text(errors, "title", d.title, "会议名称", 200)
    agenda = put_text(errors, "agenda", d.agenda, "会议议程", 2000)
    if d.held_on is None:
        errors["held_on"] = "请填写会议日期"
    elif d.held_on > today:
        errors["held_on"] = "会议日期不能晚于今天（只登记已召开的会议）"
    elif d.held_on < EARLIEST:
        errors["held_on"] = "会议日期过早，请核对"
    expected, why = parse_count(d.expected)
    if why:
        errors["expected"] = _count_error("应到人数", why)
    elif expected == 0:
        errors["expected"] = "应到人数须大于0"
    attended, why = parse_count(d.attended)
    if why:
        errors["attended"] = _count_error("实到人数", why)
    elif expected and attended > expected:
        errors["attended"] = f"实到人数（{attended}）不能超过应到人数（{expected}）"
    elif expected and d.kind in MEETING_KINDS and not has_quorum(d.kind, expected, attended):
        k = MEETING_KINDS[d.kind]
        errors["attended"] = (f"未达法定人数：{k.label}须{k.due_label}{k.quorum.label}出席（应到{expected}人，"
                              f"至少{k.quorum.minimum(expected)}人），实到{attended}人，会议不能作出决议")
    return {"kind": d.kind, "title": title, "held_on": d.held_on, "expected": expected, "attended": attended,
            "agenda": agenda}, errors


def resolution_problems(r: ResolutionDraft, attended: int | None) -> tuple[dict, dict[str, str]]:
    """(parsed values, field -> what is wrong). Fields: number subject decision_type votes amount_limit."""
    errors: dict[str, str] = {}
    number = put_text(errors, "number", r.number, "决议编号", 40)
    subject = put_text(errors, "subject", r.subject, "决议事项", 200)
    if r.decision_type not in DECISION_TYPES:
        errors["decision_type"] = "请选择决策类型"
    counts = {}
    for name, value, label in (("votes_for", r.votes_for, "赞成"), ("votes_against", r.votes_against, "反对"),
                               ("votes_abstain", r.votes_abstain, "弃权")):
        n, why = parse_count(value, blank_ok=name != "votes_for")
        if why:
            errors.setdefault("votes", "请填写赞成票数" if why == "请填写人数" else f"{label}票数{why}"
                              if not why.startswith("人数") else why)
        counts[name] = n
    if "votes" not in errors and attended is not None:
        total = sum(counts.values())
        if total > attended:
            errors["votes"] = f"赞成、反对、弃权合计{total}票，超过实到人数{attended}人"
    limit = None
    if (r.amount_limit or "").strip():
        limit, why = parse_amount(r.amount_limit)
        if why:
            errors["amount_limit"] = why.replace("金额", "金额上限", 1)
    return {"number": number, "subject": subject, "decision_type": r.decision_type, **counts,
            "amount_limit_fen": limit}, errors


def plan_problems(d: MeetingDraft, rows: list[ResolutionDraft], today: dt.date) -> tuple[Plan | None, dict[str, str]]:
    """Validate a meeting with its resolutions, every problem at once. Resolution fields are
    reported as `r{n}.{field}` (n from 1). Each resolution's `passed` comes from the rule."""
    values, errors = meeting_problems(d, today)
    if not rows:
        errors["resolutions"] = "请至少填写一项决议"
    elif len(rows) > MAX_RESOLUTIONS:
        errors["resolutions"] = f"一次最多登记{MAX_RESOLUTIONS}项决议"
    attended = values["attended"]
    parsed, seen = [], {}
    for n, row in enumerate(rows[:MAX_RESOLUTIONS], start=1):
        res, row_errors = resolution_problems(row, attended)
        if res["number"] and res["number"] in seen and "number" not in row_errors:
            row_errors["number"] = f"与第{seen[res['number']]}项决议编号重复"
        seen.setdefault(res["number"], n)
        errors.update({f"r{n}.{k}": v for k, v in row_errors.items()})
        parsed.append(res)
    if errors:
        return None, errors
    plan = Plan(kind=d.kind, title=values["title"], held_on=d.held_on, expected=values["expected"],
                attended=values["attended"], agenda=values["agenda"])
    for res in parsed:
        res["passed"] = passes(plan.kind, plan.expected, plan.attended, res["votes_for"])
        plan.resolutions.append(res)
    return plan, {}


# ------------------------------------------------------------------ citing a resolution


def citation_problem(resolution: Mapping | None, *, decision_type: str, org_id: int, on_date: dt.date,
                     subject_type: str | None = None, subject_id: int | None = None, amount_fen: int | None = None,
                     what: str | None = None) -> str | None:
    """Why `resolution` cannot be cited by this decision, or None. A resolution can be cited only by
    the decisions it voted: the same organisation, passed, voted at a meeting that may decide, of
    this decision type (and this subject, when it names one), within its amount limit, held no
    later than the act, and at a meeting someone other than its recorder has confirmed.

    `resolution`: org_id, passed, confirmed, decision_type, held_on, and optionally meeting_kind, subject_type,
    subject_id, amount_limit_fen (see data.meetings.resolution_facts). `what`: the act in Chinese,
    for the message when no resolution is given.
    """
    if resolution is None:
        act = what or DECISION_TYPES.get(decision_type, "该事项")
        return f"{act}须引用经成员（代表）会议通过的决议（四议两公开）"
    if resolution["org_id"] != org_id:
        return "只能引用本集体经济组织的会议决议"
    if not resolution["passed"]:
        return "该决议未获通过"
    if not resolution.get("confirmed"):
        return "该决议所在的会议记录尚未经确认（须由登记人以外的村集体监事长或乡镇确认），暂不能引用"
    kind = MEETING_KINDS.get(resolution.get("meeting_kind") or "")
    if kind is not None and not kind.decides:
        return f"{kind.label}只能商议、审议，其决议不能作为决策依据：须经成员大会或成员代表会议表决"
    if resolution["decision_type"] != decision_type:
        voted = DECISION_TYPES.get(resolution["decision_type"], resolution["decision_type"])
        return f"该决议表决的是“{voted}”，不是这一事项，不能引用"
    res_type, res_id = resolution.get("subject_type"), resolution.get("subject_id")
    names_one = res_type and res_id is not None
    if subject_type is not None and names_one and (res_type, res_id) != (subject_type, subject_id):
        return f"该决议表决的是另一项{SUBJECT_LABELS.get(res_type, '标的')}"
    limit = resolution.get("amount_limit_fen")
    if amount_fen is not None and limit is not None and amount_fen > limit:
        return f"金额超过该决议批准的上限（{yuan_text(limit)}）"
    if resolution["held_on"] > on_date:
        return "决议晚于办理日期：须先决议、后执行"
    return None
