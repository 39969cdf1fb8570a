"""Contracts to read: the register of the caller's jurisdiction, what may be let, one contract's
schedule with its receipts, files and history, and the lists of contracts about to end and
instalments overdue. Every read is scoped (data/scoped.py)."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select

from data import attachments
from data.db import reading
from data.meetings import citable
from data.models import Asset, CollectiveOrg, Contract, ContractInstalment, ContractReceipt, Resource, User
from data.scoped import in_scope, load_for_write, scoped
from domain import contracts as rules
from domain import privacy
from domain.permissions import Actor


def list_contracts(url: str, actor: Actor, limit: int = 5000) -> list[dict]:
    """The contracts of the actor's jurisdiction, newest first, with what has been received."""
    with reading(url) as s:
        received = (select(ContractInstalment.contract_id, func.sum(ContractInstalment.received_fen).label("received"),
                           func.count().label("n"))
                    .group_by(ContractInstalment.contract_id).subquery())
        q = (select(Contract, CollectiveOrg.name, received.c.received, received.c.n)
             .join(CollectiveOrg, CollectiveOrg.id == Contract.org_id)
             .outerjoin(received, received.c.contract_id == Contract.id)
             .where(in_scope(Contract.region_code, actor)).order_by(Contract.id.desc()).limit(limit))
        out, purpose = [], privacy.listing(actor, "contract")
        for c, org, got, n in s.execute(q).all():
            out.append(privacy.redact({
                "id": c.id, "number": c.number, "title": c.title, "org": org, "org_id": c.org_id,
                "region_code": int(c.region_code), "kind": c.kind, "kind_label": rules.KIND_LABELS.get(c.kind, c.kind),
                "subject_type": c.subject_type or "", "subject_id": c.subject_id,
                "counterparty": c.counterparty, "counterparty_id": c.counterparty_id or "",
                "counterparty_id_type": c.counterparty_id_type,
                "amount_fen": c.amount_fen, "received_fen": int(got or 0), "instalments": int(n or 0),
                "signed_on": c.signed_on.isoformat(), "start_on": c.start_on.isoformat(), "end_on": c.end_on.isoformat(),
                "term": rules.term_label(c.start_on, c.end_on), "status": c.status,
                "status_label": rules.STATUS_LABELS.get(c.status, c.status), "version": c.version,
            }, purpose))
        return out


def subjects(url: str, actor: Actor, limit: int = 1000) -> list[dict]:
    """What may be let: resources not contracted out and assets in use or idle, of the jurisdiction.
    `value` is "resource:<id>" or "asset:<id>"."""
    with reading(url) as s:
        res = s.scalars(select(Resource).where(in_scope(Resource.region_code, actor), Resource.contracted.is_(False))
                        .order_by(Resource.region_code, Resource.id).limit(limit))
        out = [{"value": f"resource:{r.id}", "org_id": r.org_id,
                "label": f"资源 · {r.name}（{r.type}，{format(r.area_mu.normalize(), 'f')} 亩）"} for r in res]
        ast = s.scalars(select(Asset).where(in_scope(Asset.region_code, actor), Asset.status.in_(("in_use", "idle")))
                        .order_by(Asset.region_code, Asset.code).limit(limit))
        return out + [{"value": f"asset:{a.id}", "org_id": a.org_id, "label": f"资产 · {a.code} {a.name}"} for a in ast]


def resolutions(url: str, actor: Actor, org_id: int) -> list[dict]:
    """Passed resolutions of the organisation that voted leasing or contracting out (集体资源发包租赁)."""
    return citable(url, actor, org_id, "lease")


def subject_org(url: str, actor: Actor, value: str | None) -> int | None:
    """The organisation owning a subject ("resource:<id>" / "asset:<id>") in the actor's scope, or None."""
    try:
        kind, sid = str(value).split(":")
        model = {"resource": Resource, "asset": Asset}[kind]
        sid = int(sid)
    except (KeyError, ValueError):
        return None
    with reading(url) as s:
        return s.scalar(scoped(select(model.org_id).where(model.id == sid), model, actor))


def detail(url: str, actor: Actor, contract_id: int) -> dict:
    """One contract's schedule (with what is outstanding), receipts, files and change history."""
    from data.history import history

    with reading(url) as s:
        c = load_for_write(s, Contract, contract_id, actor, noun="该合同")
        inst = s.scalars(select(ContractInstalment).where(ContractInstalment.contract_id == c.id)
                         .order_by(ContractInstalment.seq)).all()
        receipts = s.execute(select(ContractReceipt, ContractInstalment.seq, User.username)
                             .join(ContractInstalment, ContractInstalment.id == ContractReceipt.instalment_id, isouter=True)
                             .join(User, User.id == ContractReceipt.by_id, isouter=True)
                             .where(ContractReceipt.contract_id == c.id).order_by(ContractReceipt.id)).all()
        files = attachments.list_for(s, actor.scope, "contract", c.id)
        out = privacy.redact({
            "id": c.id, "number": c.number, "title": c.title, "status": c.status, "version": c.version,
            "org_id": c.org_id, "kind": c.kind, "counterparty": c.counterparty,
            "counterparty_id_type": c.counterparty_id_type, "counterparty_id": c.counterparty_id or "",
            "amount_fen": c.amount_fen, "signed_on": c.signed_on.isoformat(), "start_on": c.start_on.isoformat(),
            "end_on": c.end_on.isoformat(), "frequency": rules.frequency_of([i.due_on for i in inst]),
            "status_label": rules.STATUS_LABELS.get(c.status, c.status),
            "terminated_on": c.terminated_on.isoformat() if c.terminated_on else "",
            "termination_reason": c.termination_reason or "",
            "instalments": [{"id": i.id, "seq": i.seq, "due_on": i.due_on.isoformat(), "amount_fen": i.amount_fen,
                             "received_fen": i.received_fen, "outstanding_fen": i.amount_fen - i.received_fen}
                            for i in inst],
            "receipts": [{"id": r.id, "seq": seq, "received_on": r.received_on.isoformat(), "amount_fen": r.amount_fen,
                          "by": by or ""} for r, seq, by in receipts],
            "files": files,
        }, privacy.relation(actor, "contract"))  # the full ID only for those who handle the contract
    out["history"] = history(url, actor.scope, "contracts", contract_id)
    return out


def due_lists(url: str, actor: Actor, as_of: dt.date, days: int = rules.EXPIRING_DAYS) -> tuple[list[dict], list[dict]]:
    """(contracts ending within `days` of `as_of` or past their end and still active, instalments
    overdue as of `as_of`) of the actor's jurisdiction: a village sees its own, a township all its
    villages'."""
    purpose = privacy.listing(actor, "contract")
    with reading(url) as s:
        rows = s.execute(select(Contract, CollectiveOrg.name).join(CollectiveOrg, CollectiveOrg.id == Contract.org_id)
                         .where(in_scope(Contract.region_code, actor), Contract.status == "active",
                                Contract.end_on <= as_of + dt.timedelta(days=days))).all()
        ending = rules.expiring([{"id": c.id, "number": c.number, "title": c.title, "org": org,
                                  "counterparty": privacy.name_shown(c.counterparty, c.counterparty_id_type, purpose),
                                  "amount_fen": c.amount_fen, "end_on": c.end_on,
                                  "status": c.status, "region_code": int(c.region_code)} for c, org in rows], as_of)
        rows = s.execute(select(ContractInstalment, Contract, CollectiveOrg.name)
                         .join(Contract, Contract.id == ContractInstalment.contract_id)
                         .join(CollectiveOrg, CollectiveOrg.id == Contract.org_id)
                         .where(in_scope(ContractInstalment.region_code, actor), ContractInstalment.due_on < as_of,
                                ContractInstalment.received_fen < ContractInstalment.amount_fen)).all()
        late = rules.overdue([{"id": i.id, "contract_id": c.id, "number": c.number, "title": c.title, "org": org,
                               "counterparty": privacy.name_shown(c.counterparty, c.counterparty_id_type, purpose),
                               "seq": i.seq, "due_on": i.due_on,
                               "amount_fen": i.amount_fen, "received_fen": i.received_fen,
                               "status_label": rules.STATUS_LABELS.get(c.status, c.status),
                               "region_code": int(i.region_code)} for i, c, org in rows], as_of)
    for row in ending:
        row["end_on"] = row["end_on"].isoformat()
    for row in late:
        row["due_on"] = row["due_on"].isoformat()
    return ending, late
