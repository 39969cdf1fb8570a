"""Asset rules (资产管理, Art. J3 and 四议两公开): a disposal, lease or pledge needs a passed
meeting resolution of the same organisation that voted that very kind of decision (and that
asset, when the resolution names one), held no later than the act."""
from __future__ import annotations

import datetime as dt

from domain.meetings import citation_problem

#: action -> (the decision type a resolution must carry, the asset's status afterwards, label)
ACTIONS: dict[str, tuple[str, str, str]] = {
    "dispose": ("disposal", "disposed", "处置"),
    "lease": ("lease", "leased", "出租"),
    "pledge": ("pledge", "pledged", "抵押"),
}
STATUS_LABELS = {"in_use": "在用", "idle": "闲置", "leased": "出租", "pledged": "抵押", "disposed": "已处置"}
CATEGORY_LABELS = {"land": "土地", "building": "房屋建筑物", "equipment": "机器设备", "facility": "基础设施",
                   "investment": "对外投资", "biological": "生物资产", "other": "其他"}


def action_problems(action: str, status: str, on_date: dt.date | None, today: dt.date) -> dict[str, str]:
    errors = {}
    if action not in ACTIONS:
        errors["action"] = "请选择处置、出租或抵押"
    if status == "disposed":
        errors["action"] = "该资产已处置，不能再处置、出租或抵押"
    elif action == "lease" and status == "leased":
        errors["action"] = "该资产已出租"
    elif action == "pledge" and status == "pledged":
        errors["action"] = "该资产已抵押"
    if on_date is None:
        errors["date"] = "请填写日期"
    elif on_date > today:
        errors["date"] = "日期不能晚于今天"
    return errors


def resolution_problem(resolution: dict | None, *, org_id: int, asset_id: int, action: str,
                       on_date: dt.date) -> str | None:
    """Why `resolution` (decision_type, org_id, passed, subject_type, subject_id, held_on, and
    optionally meeting_kind, amount_limit_fen) cannot authorise `action` on the asset, or None.
    The rule is the general one of domain.meetings.citation_problem."""
    decision, _, label = ACTIONS[action]
    return citation_problem(resolution, decision_type=decision, org_id=org_id, on_date=on_date, subject_type="asset",
                            subject_id=asset_id, what=f"{label}集体资产")
