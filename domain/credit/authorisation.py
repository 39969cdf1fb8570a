"""A holder's authorisation of a financial institution to see their credit portrait (Art. X30, X61):
the rules as plain Python — what a valid authorisation is, and when one is live.

An authorisation names one institution known to the platform (the institution of a bank's
account), one purpose (domain.credit.codes.PURPOSES) and a period of whole days, from today or
later, at most `MAX_MONTHS` long. It is live from its first through its last day (China time)
unless revoked; the holder may revoke it at any time, which ends it at once."""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from pydantic import BaseModel, ConfigDict, StrictStr, ValidationError

from domain.credit.codes import PURPOSES, add_months

MAX_MONTHS = 36


class AuthorisationDraft(BaseModel):
    model_config = ConfigDict(str_strip_whitespace=True, extra="forbid")
    institution: StrictStr
    purpose: StrictStr
    valid_from: dt.date
    valid_until: dt.date


_LABELS = {"institution": "请选择被授权的金融机构", "purpose": "请选择授权用途", "valid_from": "请填写授权起始日期（YYYY-MM-DD）",
           "valid_until": "请填写授权截止日期（YYYY-MM-DD）"}


def draft_problems(values: dict, institutions: Iterable[str], today: dt.date) -> tuple[dict[str, str], AuthorisationDraft | None]:
    """(field -> Chinese message, the draft when valid) for a new authorisation on `today`."""
    clean = {k: (values.get(k) or None) for k in _LABELS}
    try:
        draft = AuthorisationDraft(**clean)
    except ValidationError as exc:
        return {str(e["loc"][0]): _LABELS[str(e["loc"][0])] for e in exc.errors() if e["loc"]}, None
    errors: dict[str, str] = {}
    if draft.institution not in set(institutions):
        errors["institution"] = "该金融机构不是本平台登记的金融机构"
    if draft.purpose not in PURPOSES:
        errors["purpose"] = "授权用途应为：" + "、".join(PURPOSES.values())
    if draft.valid_from < today:
        errors["valid_from"] = "授权起始日期不能早于今天"
    if draft.valid_until < draft.valid_from:
        errors["valid_until"] = "授权截止日期不能早于起始日期"
    elif draft.valid_until >= add_months(draft.valid_from, MAX_MONTHS):
        errors["valid_until"] = f"授权期限不能超过{MAX_MONTHS // 12}年"
    return errors, (None if errors else draft)


def is_live(valid_from: dt.date, valid_until: dt.date, revoked_at, today: dt.date) -> bool:
    """Is an authorisation live on `today`? From its first through its last day, unless revoked."""
    return revoked_at is None and valid_from <= today <= valid_until


def state(valid_from: dt.date, valid_until: dt.date, revoked_at, today: dt.date) -> str:
    """The authorisation's state in Chinese: 已撤销, 未生效, 有效, 已到期."""
    if revoked_at is not None:
        return "已撤销"
    if today < valid_from:
        return "未生效"
    return "有效" if today <= valid_until else "已到期"
