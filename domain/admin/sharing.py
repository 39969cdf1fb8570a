"""Cross-region data sharing (Art. J17): a city or county may share its data with another city
or county only with a provincial approval on record, and the requester never approves."""
from __future__ import annotations

import datetime as dt

from domain.text import put_text
from domain.permissions import Action, Scope, may, refusal
from domain.regions import CITY, COUNTY, is_in_subtree, level_of

#: the refusal of a share with a unit that already sees the owner's data (its own city)
PARENT_SEES = "上级单位已可查看本辖区数据，无需共享"


def as_resource(owner_region: int, requested_by_id: int | None) -> dict:
    """A sharing request as the access decision sees it."""
    return {"region_code": int(owner_region), "requested_by_id": requested_by_id}


def may_request(scope: Scope) -> bool:
    return may(scope, Action.SHARING_REQUEST)


def may_decide(scope: Scope, owner_region: int | None = None, requested_by_id: int | None = None) -> bool:
    if owner_region is None:
        return may(scope, Action.SHARING_APPROVE)
    return may(scope, Action.SHARING_APPROVE, as_resource(owner_region, requested_by_id))


def decide_refusal(scope: Scope, owner_region: int, requested_by_id: int | None) -> str | None:
    return refusal(scope, Action.SHARING_APPROVE, as_resource(owner_region, requested_by_id))


def request_problems(owner: int, grantee: int | None, purpose: str, valid_until: dt.date | None,
                     today: dt.date, region_exists) -> dict[str, str]:
    errors = {}
    if grantee is None or not region_exists(grantee) or level_of(grantee) not in (CITY, COUNTY):
        errors["grantee"] = "请选择接收数据的市或县"
    elif grantee == owner or is_in_subtree(grantee, owner):
        errors["grantee"] = "不能共享给本辖区或其下级"
    elif is_in_subtree(owner, grantee):  # the county's own city: it sees the county's data already (Art. J16)
        errors["grantee"] = PARENT_SEES
    put_text(errors, "purpose", purpose, "共享用途", 500)
    if valid_until is None:
        errors["valid_until"] = "请填写有效期"
    elif valid_until <= today:
        errors["valid_until"] = "有效期须晚于今天"
    elif valid_until > today + dt.timedelta(days=366):
        errors["valid_until"] = "有效期最长一年"
    return errors
