"""Contracts and property-rights trading (合同管理、产权交易) in the system of record.

- `reads`: the register of the caller's jurisdiction, what may be let, one contract's detail and
  the lists of contracts about to end and instalments overdue;
- `register`: signing (with the payment schedule and scan), corrections, renewal, termination;
- `receipts`: money received against the schedule (posting it is 资金管理's work);
- `terms`: what a contract writes besides itself (schedule, number, scans, the subject let);
- `trading`: listings, bids and awards; an award becomes a contract.

The contract API is importable from the package (`from data import contracts; contracts.create(...)`);
trading is its own module (`from data.contracts import trading`).
"""
from __future__ import annotations

from data.contracts.reads import detail, due_lists, list_contracts, resolutions, subject_org, subjects
from data.contracts.receipts import add_receipt
from data.contracts.register import attach, create, edit, renew, terminate

__all__ = ["add_receipt", "attach", "create", "detail", "due_lists", "edit", "list_contracts", "renew",
           "resolutions", "subject_org", "subjects", "terminate"]
