"""Asset rules (资产管理, Art. J3 and 四议两公开): a disposal, lease or pledge needs a passed
meeting resolution of the same organisation that voted that very kind of decision (and that
asset, when the resolution names one), held no later than the act."""
from __future__ import annotations

import datetime as dt

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
    """Why `resolution` (decision_type, org_id, passed, subject_type, subject_id, held_on) cannot
    authorise `action` on the asset, or None."""
    if resolution is None:
        return f"{ACTIONS[action][2]}集体资产须引用经成员（代表）会议通过的决议（四议两公开）"
    if resolution["org_id"] != org_id:
        return "只能引用本集体经济组织的会议决议"
    if not resolution["passed"]:
        return "该决议未获通过"
    if resolution["decision_type"] != ACTIONS[action][0]:
        return "该决议表决的不是这一事项，不能引用"
    if resolution.get("subject_type") == "asset" and resolution.get("subject_id") not in (None, asset_id):
        return "该决议表决的是另一项资产"
    if resolution["held_on"] > on_date:
        return "决议晚于处置日期：须先决议、后执行"
    return None
