"""Contracts (合同管理) in the system of record: the register of the caller's jurisdiction, a new
contract with its payment schedule and scan, corrections, receipts against the schedule,
renewal and termination, and the lists of contracts about to end and instalments overdue.

Every write is one transaction with its security-log entry (record history is automatic); a
write made on a copy of the contract older than the stored one is refused (optimistic locking,
`StaleEdit`), and a refusal writes nothing. A contract on a resource marks the resource
contracted (to whom, until when); one on an asset marks the asset leased. Receipts are recorded
here; posting them to the books is the township accountant's work in 资金管理.
"""
from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select

from data import attachments
from data.accounts import AccountError, Actor, StaleEdit, in_scope, log_change
from data.db import reading, transaction
from domain.identifiers import mask_resident_id
from data.meetings import citable, resolution_facts
from data.models import (Asset, AssetEvent, CollectiveOrg, Contract, ContractInstalment, ContractReceipt, Resource,
                         User, utcnow)
from domain import contracts as rules
from domain.permissions import Action, PermissionDenied, ensure, may
from domain.money import yuan_text

Upload = tuple[str, bytes]  # (file name, content)


def _contract(s, actor: Actor, contract_id: int, expected_version: int | None = None) -> Contract:
    c = s.get(Contract, contract_id)
    if c is None or not actor.scope.contains(c.region_code):
        raise PermissionDenied("该合同不在您的管辖范围内")
    if expected_version is not None and c.version != expected_version:
        raise StaleEdit("该合同已被他人修改，请刷新后再操作")
    return c


def _masked(id_type: str, number: str | None) -> str:
    return mask_resident_id(number) if id_type == "resident" and number else (number or "")


def _add_files(s, actor: Actor, contract_id: int, files: list[Upload] | None) -> list[int]:
    problems = [p for p in (attachments.file_problem(n, c) for n, c in files or []) if p]
    if problems:
        raise AccountError({"attachments": "；".join(problems)})
    return [attachments.add(s, actor, "contract", contract_id, name, content) for name, content in files or []]


def _write_schedule(s, c: Contract, frequency: str) -> list[tuple[dt.date, int]]:
    plan = rules.schedule(c.start_on, c.end_on, c.amount_fen, frequency)
    for i, (due, fen) in enumerate(plan, start=1):
        s.add(ContractInstalment(contract_id=c.id, region_code=c.region_code, seq=i, due_on=due, amount_fen=fen,
                                 received_fen=0))
    return plan


def _number(s, org: CollectiveOrg, signed_on: dt.date) -> str:
    prefix = f"HT{signed_on.year}-{int(org.region_code) % 10**6:06d}-"
    taken = s.scalar(select(func.count()).select_from(Contract).where(Contract.org_id == org.id,
                                                                       Contract.number.like(f"{prefix}%")))
    return f"{prefix}{taken + 1:03d}"


# ------------------------------------------------------------------ reads

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
        out = []
        for c, org, got, n in s.execute(q).all():
            out.append({
                "id": c.id, "number": c.number, "title": c.title, "org": org, "org_id": c.org_id,
                "region_code": int(c.region_code), "kind": c.kind, "kind_label": rules.KIND_LABELS.get(c.kind, c.kind),
                "subject_type": c.subject_type or "", "subject_id": c.subject_id,
                "counterparty": c.counterparty, "counterparty_id": _masked(c.counterparty_id_type, c.counterparty_id),
                "amount_fen": c.amount_fen, "received_fen": int(got or 0), "instalments": int(n or 0),
                "signed_on": c.signed_on.isoformat(), "start_on": c.start_on.isoformat(), "end_on": c.end_on.isoformat(),
                "term": rules.term_label(c.start_on, c.end_on), "status": c.status,
                "status_label": rules.STATUS_LABELS.get(c.status, c.status), "version": c.version,
            })
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
        row = s.get(model, sid)
        return row.org_id if row is not None and actor.scope.contains(row.region_code) else None


def detail(url: str, actor: Actor, contract_id: int) -> dict:
    """One contract's schedule (with what is outstanding), receipts, files and change history."""
    from data.history import history

    with reading(url) as s:
        c = _contract(s, actor, contract_id)
        inst = s.scalars(select(ContractInstalment).where(ContractInstalment.contract_id == c.id)
                         .order_by(ContractInstalment.seq)).all()
        receipts = s.execute(select(ContractReceipt, ContractInstalment.seq, User.username)
                             .join(ContractInstalment, ContractInstalment.id == ContractReceipt.instalment_id, isouter=True)
                             .join(User, User.id == ContractReceipt.by_id, isouter=True)
                             .where(ContractReceipt.contract_id == c.id).order_by(ContractReceipt.id)).all()
        files = attachments.list_for(s, actor.scope, "contract", c.id)
        handling = may(actor, Action.CONTRACT_SAVE)
        out = {
            "id": c.id, "number": c.number, "title": c.title, "status": c.status, "version": c.version,
            "org_id": c.org_id, "kind": c.kind, "counterparty": c.counterparty,
            "counterparty_id_type": c.counterparty_id_type,
            # the full ID only for those who handle the contract; reviewers see it masked
            "counterparty_id": (c.counterparty_id or "") if handling else _masked(c.counterparty_id_type,
                                                                                  c.counterparty_id),
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
        }
    out["history"] = history(url, actor.scope, "contracts", contract_id)
    return out


def due_lists(url: str, actor: Actor, as_of: dt.date, days: int = rules.EXPIRING_DAYS) -> tuple[list[dict], list[dict]]:
    """(contracts ending within `days` of `as_of` or past their end and still active, instalments
    overdue as of `as_of`) of the actor's jurisdiction: a village sees its own, a township all its
    villages'."""
    with reading(url) as s:
        rows = s.execute(select(Contract, CollectiveOrg.name).join(CollectiveOrg, CollectiveOrg.id == Contract.org_id)
                         .where(in_scope(Contract.region_code, actor), Contract.status == "active",
                                Contract.end_on <= as_of + dt.timedelta(days=days))).all()
        ending = rules.expiring([{"id": c.id, "number": c.number, "title": c.title, "org": org,
                                  "counterparty": c.counterparty, "amount_fen": c.amount_fen, "end_on": c.end_on,
                                  "status": c.status, "region_code": int(c.region_code)} for c, org in rows], as_of)
        rows = s.execute(select(ContractInstalment, Contract, CollectiveOrg.name)
                         .join(Contract, Contract.id == ContractInstalment.contract_id)
                         .join(CollectiveOrg, CollectiveOrg.id == Contract.org_id)
                         .where(in_scope(ContractInstalment.region_code, actor), ContractInstalment.due_on < as_of,
                                ContractInstalment.received_fen < ContractInstalment.amount_fen)).all()
        late = rules.overdue([{"id": i.id, "contract_id": c.id, "number": c.number, "title": c.title, "org": org,
                               "counterparty": c.counterparty, "seq": i.seq, "due_on": i.due_on,
                               "amount_fen": i.amount_fen, "received_fen": i.received_fen,
                               "status_label": rules.STATUS_LABELS.get(c.status, c.status),
                               "region_code": int(i.region_code)} for i, c, org in rows], as_of)
    for row in ending:
        row["end_on"] = row["end_on"].isoformat()
    for row in late:
        row["due_on"] = row["due_on"].isoformat()
    return ending, late


# ------------------------------------------------------------------ writes

def create(url: str, key: str, actor: Actor, subject: str | None, draft: rules.ContractDraft,
           resolution_id: int | None, today: dt.date, files: list[Upload] | None = None) -> int:
    """Sign a lease or contracting-out of a resource or asset: the contract, its schedule, its scan,
    and the subject marked as let. Returns the contract id."""
    ensure(actor, Action.CONTRACT_SAVE)
    fen, errors = rules.contract_problems(draft, today)
    try:
        subject_type, subject_id = str(subject).split(":")
        subject_id = int(subject_id)
        model = {"resource": Resource, "asset": Asset}[subject_type]
    except (KeyError, ValueError):
        subject_type, subject_id, model = None, None, None
    with transaction(url, actor) as s:
        target = s.get(model, subject_id) if model else None
        if target is None:
            errors["subject"] = "请选择要出租或发包的资源、资产"
        elif not actor.scope.contains(target.region_code):
            raise PermissionDenied("该资源（资产）不在您的管辖范围内")
        elif subject_type == "resource" and target.contracted:
            errors["subject"] = f"该资源已发包给{target.contractor or '他人'}，至{target.contracted_until}"
        elif subject_type == "asset" and target.status not in ("in_use", "idle"):
            errors["subject"] = "该资产已出租、抵押或处置，不能再出租"
        if target is not None and draft.kind in rules.KINDS:
            problem = rules.resolution_problem(resolution_facts(s, resolution_id), org_id=target.org_id,
                                               subject_type=subject_type, subject_id=subject_id, kind=draft.kind,
                                               on_date=draft.signed_on or today)
            if problem:
                errors["resolution"] = problem
        if errors:
            raise AccountError(errors)
        org = s.get(CollectiveOrg, target.org_id)
        name = target.name
        c = Contract(org_id=org.id, region_code=org.region_code, number=_number(s, org, draft.signed_on),
                     title=(draft.title or "").strip() or f"{name}{rules.KINDS[draft.kind]}合同", kind=draft.kind,
                     counterparty=draft.counterparty.strip(), counterparty_id_type=draft.counterparty_id_type,
                     counterparty_id=draft.counterparty_id.strip().upper(), subject_type=subject_type,
                     subject_id=subject_id, amount_fen=fen, direction="income", signed_on=draft.signed_on,
                     start_on=draft.start_on, end_on=draft.end_on, status="active", resolution_id=resolution_id,
                     collected_by_id=actor.user_id, provided_by=actor.username, responsible_by=org.name)
        s.add(c)
        s.flush()
        plan = _write_schedule(s, c, draft.frequency)
        _let(s, actor, c, target)
        files_added = _add_files(s, actor, c.id, files)
        log_change(s, key, actor, c.region_code,
             f"签订{rules.KINDS[draft.kind]}合同 {c.number}：{name}，{c.counterparty}，{yuan_text(fen)}，"
             f"{c.start_on} 至 {c.end_on}，{rules.SCHEDULE_LABELS[draft.frequency]}分{len(plan)}期",
             contract_id=c.id, subject=f"{subject_type}:{subject_id}", attachments=files_added)
        return c.id


def _let(s, actor: Actor, c: Contract, target) -> None:
    """Mark the contract's subject as let to the counterparty until the contract's end."""
    if isinstance(target, Resource):
        target.contracted, target.contractor, target.contract_id = True, c.counterparty, c.id
        target.contracted_until = c.end_on
    elif isinstance(target, Asset):
        target.status, target.resolution_id = "leased", c.resolution_id
        s.add(AssetEvent(asset_id=target.id, region_code=target.region_code, date=c.start_on, kind="lease",
                         original_value_fen=target.original_value_fen,
                         net_value_fen=target.original_value_fen - target.accumulated_depreciation_fen,
                         amount_fen=c.amount_fen, resolution_id=c.resolution_id, note=f"资产出租（合同 {c.number}）",
                         by_id=actor.user_id))


def _subject(s, c: Contract):
    model = {"resource": Resource, "asset": Asset}.get(c.subject_type or "")
    return s.get(model, c.subject_id) if model and c.subject_id else None


def edit(url: str, key: str, actor: Actor, contract_id: int, draft: rules.ContractDraft, expected_version: int,
         today: dt.date) -> int:
    """Correct a contract. Title and counterparty may always be corrected; the amount, dates,
    schedule and kind only while nothing has been received (the schedule is then rebuilt).
    Returns the new version."""
    ensure(actor, Action.CONTRACT_SAVE)
    fen, errors = rules.contract_problems(draft, today)
    with transaction(url, actor) as s:
        c = _contract(s, actor, contract_id, expected_version)
        if c.status != "active":
            raise AccountError(f"该合同{rules.STATUS_LABELS.get(c.status, c.status)}，不能修改")
        inst = s.scalars(select(ContractInstalment).where(ContractInstalment.contract_id == c.id)
                         .order_by(ContractInstalment.seq)).all()
        received = sum(i.received_fen for i in inst)
        terms_changed = (fen, draft.signed_on, draft.start_on, draft.end_on, draft.kind, draft.frequency) != \
            (c.amount_fen, c.signed_on, c.start_on, c.end_on, c.kind, rules.frequency_of([i.due_on for i in inst]))
        if terms_changed and received and fen is not None:
            errors["_"] = "该合同已有收款，不能修改金额、期限、收款方式或类型；请办理终止或续签"
        if errors:
            raise AccountError(errors)
        c.title = (draft.title or "").strip() or c.title
        c.counterparty, c.counterparty_id_type = draft.counterparty.strip(), draft.counterparty_id_type
        c.counterparty_id = draft.counterparty_id.strip().upper()
        if terms_changed:
            for i in inst:
                s.delete(i)
            s.flush()
            c.amount_fen, c.signed_on, c.start_on, c.end_on, c.kind = fen, draft.signed_on, draft.start_on, draft.end_on, \
                draft.kind
            _write_schedule(s, c, draft.frequency)
        target = _subject(s, c)
        if isinstance(target, Resource) and target.contract_id == c.id:
            target.contractor, target.contracted_until = c.counterparty, c.end_on
        s.flush()
        log_change(s, key, actor, c.region_code, f"修改合同 {c.number}" + ("（金额、期限或收款计划已改，重排收款计划）"
                                                                   if terms_changed else ""), contract_id=c.id)
        return c.version


def add_receipt(url: str, key: str, actor: Actor, contract_id: int, instalment_id: int | None, amount: str,
                received_on: dt.date | None, expected_version: int, today: dt.date) -> int:
    """Record money received against one instalment. Returns the receipt id."""
    from domain.funds.parsing import parse_amount

    ensure(actor, Action.CONTRACT_RECEIPT)
    fen, why = parse_amount(amount)
    with transaction(url, actor) as s:
        c = _contract(s, actor, contract_id, expected_version)
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


def renew(url: str, key: str, actor: Actor, contract_id: int, amount: str, frequency: str, end_on: dt.date | None,
          signed_on: dt.date | None, resolution_id: int | None, expected_version: int, today: dt.date,
          files: list[Upload] | None = None) -> int:
    """Renew with the same counterparty: a new contract from the day after the old one ends; the old
    one is marked renewed and the subject stays let, now until the new end. Returns the new id."""
    ensure(actor, Action.CONTRACT_RENEW)
    with transaction(url, actor) as s:
        old = _contract(s, actor, contract_id, expected_version)
        errors = rules.renewal_problems(old.status, old.kind)
        if errors:
            raise AccountError(errors)
        start = rules.renewal_start(old.end_on)
        draft = rules.ContractDraft(kind=old.kind, title=old.title, counterparty=old.counterparty,
                                    counterparty_id_type=old.counterparty_id_type, counterparty_id=old.counterparty_id or "",
                                    amount=amount, frequency=frequency, signed_on=signed_on, start_on=start,
                                    end_on=end_on)
        fen, errors = rules.contract_problems(draft, today)
        if "counterparty_id" in errors:
            errors["_"] = f"原合同承租方证件有误（{errors.pop('counterparty_id')}），请先修改原合同"
        if "start_on" in errors:  # the start is not typed: the signing date is what is out of order
            errors["signed_on"] = f"日期顺序不对：续签合同自 {start} 起，签订日期不能晚于该日"
            del errors["start_on"]
        if old.subject_type in ("resource", "asset"):
            problem = rules.resolution_problem(resolution_facts(s, resolution_id), org_id=old.org_id,
                                               subject_type=old.subject_type, subject_id=old.subject_id,
                                               kind=old.kind, on_date=signed_on or today)
            if problem:
                errors["resolution"] = problem
        if errors:
            raise AccountError(errors)
        org = s.get(CollectiveOrg, old.org_id)
        new = Contract(org_id=old.org_id, region_code=old.region_code, number=_number(s, org, signed_on),
                       title=old.title, kind=old.kind, counterparty=old.counterparty,
                       counterparty_id_type=old.counterparty_id_type, counterparty_id=old.counterparty_id,
                       counterparty_registered_on=old.counterparty_registered_on, subject_type=old.subject_type,
                       subject_id=old.subject_id, amount_fen=fen, direction=old.direction, signed_on=signed_on,
                       start_on=start, end_on=end_on, status="active", resolution_id=resolution_id,
                       renewed_from_id=old.id, collected_by_id=actor.user_id, provided_by=actor.username,
                       responsible_by=org.name)
        s.add(new)
        s.flush()
        plan = _write_schedule(s, new, frequency)
        old.status = "renewed"
        target = _subject(s, old)
        if isinstance(target, Resource):
            target.contracted, target.contractor, target.contract_id = True, new.counterparty, new.id
            target.contracted_until = new.end_on
        files_added = _add_files(s, actor, new.id, files)
        log_change(s, key, actor, old.region_code,
             f"续签合同 {old.number} → {new.number}：{new.start_on} 至 {new.end_on}，{yuan_text(fen)}，"
             f"分{len(plan)}期", contract_id=new.id, renewed_from=old.id, attachments=files_added)
        return new.id


def terminate(url: str, key: str, actor: Actor, contract_id: int, on_date: dt.date | None, reason: str,
              expected_version: int, today: dt.date) -> int:
    """End a contract early: instalments due after the date keep only what was received, the
    subject is free again. Returns the arrears (fen) still owed for instalments due by then."""
    ensure(actor, Action.CONTRACT_TERMINATE)
    with transaction(url, actor) as s:
        c = _contract(s, actor, contract_id, expected_version)
        errors = rules.termination_problems(c.status, c.start_on, c.end_on, on_date, reason, today)
        if errors:
            raise AccountError(errors)
        inst = s.scalars(select(ContractInstalment).where(ContractInstalment.contract_id == c.id)
                         .order_by(ContractInstalment.seq)).all()
        for i, amount in zip(inst, rules.after_termination([(i.due_on, i.amount_fen, i.received_fen) for i in inst],
                                                           on_date)):
            i.amount_fen = amount
        c.status, c.terminated_on, c.termination_reason = "terminated", on_date, reason.strip()
        target = _subject(s, c)
        if isinstance(target, Resource) and target.contract_id == c.id:
            target.contracted, target.contractor, target.contract_id, target.contracted_until = False, None, None, None
        elif isinstance(target, Asset) and target.status == "leased":
            target.status = "idle"
        arrears = sum(i.amount_fen - i.received_fen for i in inst)
        log_change(s, key, actor, c.region_code, f"终止合同 {c.number}（{on_date}）：{reason.strip()}；"
                                           f"尚欠 {yuan_text(arrears)}", contract_id=c.id, arrears_fen=arrears)
        return arrears


def attach(url: str, key: str, actor: Actor, contract_id: int, files: list[Upload]) -> list[int]:
    """Add scans to a contract (each stored with its SHA-256)."""
    ensure(actor, Action.CONTRACT_SAVE)
    if not files:
        raise AccountError({"attachments": "请选择文件"})
    with transaction(url, actor) as s:
        c = _contract(s, actor, contract_id)
        ids = _add_files(s, actor, c.id, files)
        log_change(s, key, actor, c.region_code, f"合同 {c.number} 上传附件 {len(ids)} 个", contract_id=c.id, attachments=ids)
        return ids
