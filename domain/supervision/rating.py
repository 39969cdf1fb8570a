"""Village rating from its open warnings: green / amber / red, as Zhejiang's 三资 supervision
platform colours its villages, with the reasons in Chinese. The thresholds are data."""
from __future__ import annotations

from dataclasses import dataclass

RATING_LABELS = {"red": "红色", "amber": "黄色", "green": "绿色"}
#: worst first
RATING_ORDER = {"red": 0, "amber": 1, "green": 2}


@dataclass(frozen=True)
class Thresholds:
    #: an open warning of at least this severity makes a village red
    red_severity: int = 3
    #: this many open warnings make a village red
    red_open: int = 5
    #: this many overdue warnings make a village red (0: overdue alone does not)
    red_overdue: int = 0
    #: this many open warnings make a village amber
    amber_open: int = 1


DEFAULT = Thresholds()


def rate(open_count: int, severe: int, overdue: int = 0, t: Thresholds = DEFAULT) -> tuple[str, str]:
    """(rating, reasons) of a village with `open_count` open warnings, `severe` of them at or above
    `t.red_severity`, `overdue` of them past their deadline."""
    reasons = []
    if severe:
        reasons.append(f"有{severe}条未关闭的高级别预警")
    if open_count >= t.red_open:
        reasons.append(f"未关闭预警{open_count}条（达到{t.red_open}条）")
    if t.red_overdue and overdue >= t.red_overdue:
        reasons.append(f"逾期未办理预警{overdue}条")
    if reasons:
        return "red", "；".join(reasons)
    if open_count >= t.amber_open:
        text = f"未关闭预警{open_count}条，无高级别预警"
        return "amber", text + (f"，其中逾期{overdue}条" if overdue else "")
    return "green", "无未关闭的预警"


def legend(t: Thresholds = DEFAULT) -> str:
    """The rule in one Chinese sentence, for the page."""
    red = [f"有未关闭的{'高' if t.red_severity >= 3 else '中高'}级别预警", f"未关闭预警达{t.red_open}条"]
    if t.red_overdue:
        red.append(f"逾期未办理预警达{t.red_overdue}条")
    amber = "有未关闭预警" if t.amber_open <= 1 else f"未关闭预警达{t.amber_open}条"
    return f"红：{'或'.join(red)}；黄：{amber}；绿：无未关闭预警。"
