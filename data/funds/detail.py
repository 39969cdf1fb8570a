"""A payment request's files and its change history, in words."""
from __future__ import annotations

from sqlalchemy import select

from data import attachments
from data.db import reading
from data.funds.requests import REQUEST
from data.history import history
from data.models import BankAccount, PaymentRequest, Resolution, Voucher
from data.scoped import load_for_write
from domain import approvals, clock
from domain.funds import requests as rules
from domain.funds.chart import CHART
from domain.money import period_label, yuan_text
from domain.permissions import Actor

FIELD_LABELS = {"status": "状态", "amount_fen": "金额", "purpose": "用途", "kind": "类型", "expense_account": "科目",
                "counterparty_name": "对方", "counterparty_id": "证件号码", "request_date": "申请日期",
                "approved_on": "审批通过日期", "paid_on": "记账日期", "voucher_id": "凭证", "note": "备注",
                "opinion": "审批意见",
                "bank_account_id": "收付账户", "resolution_id": "会议决议", "counterparty_id_type": "证件类型"}
#: fields whose every value belongs to one step: the history shows the step's own value only
PER_STEP = frozenset({"opinion"})
EMPTY = "（空）"


def _shown(field: str, value, names: dict[str, dict[int, str]]):
    """A stored value as the history shows it; `names`: field -> id -> what the id stands for."""
    if value is None:
        return EMPTY
    if field == "status":
        return rules.STATUS_LABELS.get(value, value)
    if field == "kind":
        return rules.KIND_LABELS.get(value, value)
    if field == "amount_fen":
        return yuan_text(value)
    if field == "expense_account":
        return f"{value} {CHART[int(value)].name}" if int(value) in CHART else value
    if field in names:
        return names[field].get(int(value), value)
    if field == "counterparty_id_type":
        return rules.ID_TYPES.get(value, value)
    return value


def request_detail(url: str, actor: Actor, request_id: int) -> dict:
    """The files and the change history of one request in the actor's jurisdiction."""
    with reading(url) as s:
        req = load_for_write(s, PaymentRequest, request_id, actor, noun=REQUEST)
        files = attachments.list_for(s, actor.scope, "payment_request", req.id)
        title = f"#{req.id} {req.purpose}"
        names = {
            "bank_account_id": {b.id: b.name for b in s.scalars(select(BankAccount).where(BankAccount.org_id == req.org_id))},
            "resolution_id": {r.id: r.number for r in s.scalars(select(Resolution).where(Resolution.org_id == req.org_id))},
            "voucher_id": {v.id: f"{period_label(v.period)}第{v.number}号" for v in
                           s.scalars(select(Voucher).where(Voucher.id == req.voucher_id))} if req.voucher_id else {},
        }
    changes = []
    for h in history(url, actor.scope, "payment_requests", request_id):
        shown = []
        for field, (old, new) in h["changes"].items():
            if field not in FIELD_LABELS:
                continue
            old, new = _shown(field, old, names), _shown(field, new, names)
            if field in PER_STEP:
                if new != EMPTY:
                    shown.append(f"{FIELD_LABELS[field]}：{new}")
                continue
            shown.append(f"{FIELD_LABELS[field]}：{new}" if h["action"] == "insert" or old == EMPTY
                         else f"{FIELD_LABELS[field]}：{old} → {new}")
        changes.append({"at": h["at"].astimezone(clock.CST).strftime("%Y-%m-%d %H:%M"), "by": h["by"],
                        "action": approvals.history_verb("payment_requests", h["action"], h["changes"]),
                        "changes": "；".join(shown)})
    return {"title": title, "files": files, "history": changes}
