"""Money received against a contract's schedule (合同收款). Posting receipts to the books is the
township accountant's work in 资金管理."""
from __future__ import annotations

import datetime as dt

from data.admin.audit_log import log_change
from data.db import transaction
from data.errors import AccountError
from data.models import Contract, ContractInstalment, ContractReceipt, utcnow
from data.scoped import load_for_write
from domain import contracts as rules
from domain.funds.parsing import parse_amount
from domain.money import yuan_text
from domain.permissions import Action, Actor, ensure


def add_receipt(url: str, key: str, actor: Actor, contract_id: int, instalment_id: int | None, amount: str,
                received_on: dt.date | None, expected_version: int, today: dt.date) -> int:
    """Record money received against one instalment. Returns the receipt id."""
    ensure(actor, Action.CONTRACT_RECEIPT)
    fen, why = parse_amount(amount)
    with transaction(url, actor) as s:
        c = load_for_write(s, Contract, contract_id, actor, expected_version, noun="该合同",
                           action=Action.CONTRACT_RECEIPT)
        inst = s.get(ContractInstalment, instalment_id) if instalment_id else None
        errors = {}
        if inst is None or inst.contract_id != c.id:
            errors["instalment"] = "请选择本合同的收款期次"
        if why:
            errors["amount"] = why
        errors.update({k: v for k, v in rules.receipt_problems(
            c.status, inst.amount_fen if inst else 0, inst.received_fen if inst else 0, fen if inst else None,
            received_on, c.signed_on, today).items() if k not in errors})
        if errors:
            raise AccountError(errors)
        r = ContractReceipt(contract_id=c.id, instalment_id=inst.id, received_on=received_on, amount_fen=fen,
                            by_id=actor.user_id)
        s.add(r)
        inst.received_fen += fen
        c.updated_at = utcnow()  # a new version: a second person working from the old one is told
        s.flush()
        log_change(s, key, actor, c.region_code, f"合同 {c.number} 第{inst.seq}期收款 {yuan_text(fen)}"
                                           f"（尚欠 {yuan_text(inst.amount_fen - inst.received_fen)}）",
             contract_id=c.id, instalment_id=inst.id, receipt_id=r.id)
        return r.id
