"""Law-enforcement inspection plans drawn at random by credit grade (执法检查, Art. X33), as data.

The sampling rate of each grade lies within its band (one county's published rates, DOMAIN.md):
A ≤ 5 %, B 5–20 %, C 21–60 %, D 61–100 %. A subject without history (未评级, new subjects are not
graded) is sampled like grade B by default (10 %, band 5–20 %): nothing is known about it, so it is
inspected at the ordinary rate, neither rewarded like A nor suspected like C. The plan's size per
grade is ceil(rate × subjects of that grade in the region): any grade with subjects gets at least one.

A draw is reproducible: the population of each grade is sorted by subject id and drawn with
`random.Random(seed)` (string seeds hash deterministically: the same seed and the same population
give the same list on every machine), grades in the fixed order A, B, C, D, unrated.
"""
from __future__ import annotations

import math
import random
import re
import secrets
from collections.abc import Mapping, Sequence
from decimal import Decimal, InvalidOperation

UNRATED = "unrated"
GRADES = ("A", "B", "C", "D", UNRATED)
GRADE_LABELS = {"A": "A级", "B": "B级", "C": "C级", "D": "D级", UNRATED: "未评级"}
#: grade -> (lowest, highest) sampling rate in percent, inclusive
BANDS: dict[str, tuple[Decimal, Decimal]] = {
    "A": (Decimal(0), Decimal(5)), "B": (Decimal(5), Decimal(20)), "C": (Decimal(21), Decimal(60)),
    "D": (Decimal(61), Decimal(100)), UNRATED: (Decimal(5), Decimal(20)),
}
#: the rates a plan uses unless the enforcer chooses others within the bands
DEFAULT_RATES: dict[str, Decimal] = {"A": Decimal(5), "B": Decimal(10), "C": Decimal(30), "D": Decimal(80),
                                     UNRATED: Decimal(10)}
PERIOD_RE = re.compile(r"^(20\d\d)(Q[1-4]|-(0[1-9]|1[0-2]))?$")


def grade_of(grade: str | None, unrated: bool = False) -> str:
    return UNRATED if unrated or grade not in BANDS else grade


def period_problem(period) -> str | None:
    if not isinstance(period, str) or not PERIOD_RE.match(period.strip()):
        return "检查期间应为年度（2026）、季度（2026Q4）或月份（2026-11）"
    return None


def parse_rates(raw: Mapping | None) -> tuple[dict[str, Decimal], dict[str, str]]:
    """(rates, errors by grade): each rate a percent within its grade's band; missing ones default."""
    rates, errors = dict(DEFAULT_RATES), {}
    for grade, value in (raw or {}).items():
        if grade not in BANDS:
            errors[str(grade)] = f"未知的信用等级：{grade}"
            continue
        if value is None or value == "":
            continue
        try:
            rate = Decimal(str(value).strip().rstrip("%"))
        except InvalidOperation:
            errors[grade] = f"{GRADE_LABELS[grade]}的抽查比例应为数字（百分比）"
            continue
        lo, hi = BANDS[grade]
        if not rate.is_finite() or not lo <= rate <= hi:
            errors[grade] = f"{GRADE_LABELS[grade]}的抽查比例应在{lo}%至{hi}%之间"
            continue
        rates[grade] = rate
    return rates, errors


def size(rate: Decimal, count: int) -> int:
    """ceil(rate % × count), exactly (Decimal): 5 % of 20 is 1, 5 % of 21 is 2."""
    return min(count, math.ceil(Decimal(rate) * count / 100))


def new_seed() -> str:
    return secrets.token_hex(16)


def draw(population: Mapping[str, Sequence[int]], rates: Mapping[str, Decimal], seed: str) -> dict[str, list[int]]:
    """{grade: the drawn subject ids, sorted}: from each grade's population (sorted by id first),
    ceil(rate × count) ids drawn without replacement by one `random.Random(seed)`."""
    rng = random.Random(str(seed))
    out = {}
    for grade in GRADES:
        pool = sorted(int(i) for i in population.get(grade, ()))
        k = size(rates.get(grade, DEFAULT_RATES[grade]), len(pool))
        out[grade] = sorted(rng.sample(pool, k)) if k else []
    return out
