"""Contracts to write: signing a lease or contracting-out of a resource or asset (with its payment
schedule and scan), corrections, renewal, termination and further scans.

Every write is one transaction with its security-log entry (record history is automatic); the
contract is loaded through the one scoped path (`data.scoped.load_for_write`), so a contract of
another jurisdiction is refused and a write made on a copy older than the stored one is refused
(optimistic locking, `StaleEdit`); a refusal writes nothing. A contract on a resource marks the
resource contracted (to whom, until when); one on an asset marks the asset leased."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from data.admin.audit_log import log_change
from data.contracts import terms
from data.db import transaction
from data.errors import AccountError
from data.meetings import resolution_facts
from data.models import Asset, CollectiveOrg, Contract, ContractInstalment, Resource
from data.scoped import load_for_write
from domain import contracts as rules
from domain import privacy
from domain.money import yuan_text
from domain.permissions import Action, Actor, ensure


def create(url: str, key: str, actor: Actor, subject: str | None, draft: rules.ContractDraft,
           resolution_id: int | None, today: dt.date, files: list[terms.Upload] | None = None) -> int:
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
        if target is not None:  # refused outright outside the jurisdiction
            load_for_write(s, model, subject_id, actor, noun="该资源（资产）", action=Action.CONTRACT_SAVE)
        if target is None:
            errors["subject"] = "请选择要出租或发包的资源、资产"
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
        c = Contract(org_id=org.id, region_code=org.region_code, number=terms.number(s, org, draft.signed_on),
                     title=(draft.title or "").strip() or f"{name}{rules.KINDS[draft.kind]}合同", kind=draft.kind,
                     counterparty=draft.counterparty.strip(), counterparty_id_type=draft.counterparty_id_type,
                     counterparty_id=draft.counterparty_id.strip().upper(), subject_type=subject_type,
                     subject_id=subject_id, amount_fen=fen, direction="income", signed_on=draft.signed_on,
                     start_on=draft.start_on, end_on=draft.end_on, status="active", resolution_id=resolution_id,
                     collected_by_id=actor.user_id, provided_by=actor.username, responsible_by=org.name)
        s.add(c)
        s.flush()
        plan = terms.write_schedule(s, c, draft.frequency)
        terms.let(s, actor, c, target)
        files_added = terms.add_files(s, actor, c.id, files)
        log_change(s, key, actor, c.region_code,
             f"签订{rules.KINDS[draft.kind]}合同 {c.number}：{name}，"
             f"{privacy.name_shown(c.counterparty, c.counterparty_id_type, privacy.Purpose.LOG)}，{yuan_text(fen)}，"
             f"{c.start_on} 至 {c.end_on}，{rules.SCHEDULE_LABELS[draft.frequency]}分{len(plan)}期",
             contract_id=c.id, subject=f"{subject_type}:{subject_id}", attachments=files_added)
        return c.id



def edit(url: str, key: str, actor: Actor, contract_id: int, draft: rules.ContractDraft, expected_version: int,
         today: dt.date) -> int:
    """Correct a contract. Title and counterparty may always be corrected; the amount, dates,
    schedule and kind only while nothing has been received (the schedule is then rebuilt).
    Returns the new version."""
    ensure(actor, Action.CONTRACT_SAVE)
    fen, errors = rules.contract_problems(draft, today)
    with transaction(url, actor) as s:
        c = load_for_write(s, Contract, contract_id, actor, expected_version, noun="该合同", action=Action.CONTRACT_SAVE)
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
            terms.write_schedule(s, c, draft.frequency)
        target = terms.subject_of(s, c)
        if isinstance(target, Resource) and target.contract_id == c.id:
            target.contractor, target.contracted_until = c.counterparty, c.end_on
        s.flush()
        log_change(s, key, actor, c.region_code, f"修改合同 {c.number}" + ("（金额、期限或收款计划已改，重排收款计划）"
                                                                   if terms_changed else ""), contract_id=c.id)
        return c.version


def renew(url: str, key: str, actor: Actor, contract_id: int, amount: str, frequency: str, end_on: dt.date | None,
          signed_on: dt.date | None, resolution_id: int | None, expected_version: int, today: dt.date,
          files: list[terms.Upload] | None = None) -> int:
    """Renew with the same counterparty: a new contract from the day after the old one ends; the old
    one is marked renewed and the subject stays let, now until the new end. Returns the new id."""
    ensure(actor, Action.CONTRACT_RENEW)
    with transaction(url, actor) as s:
        old = load_for_write(s, Contract, contract_id, actor, expected_version, noun="该合同", action=Action.CONTRACT_RENEW)
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
        new = Contract(org_id=old.org_id, region_code=old.region_code, number=terms.number(s, org, signed_on),
                       title=old.title, kind=old.kind, counterparty=old.counterparty,
                       counterparty_id_type=old.counterparty_id_type, counterparty_id=old.counterparty_id,
                       counterparty_registered_on=old.counterparty_registered_on, subject_type=old.subject_type,
                       subject_id=old.subject_id, amount_fen=fen, direction=old.direction, signed_on=signed_on,
                       start_on=start, end_on=end_on, status="active", resolution_id=resolution_id,
                       renewed_from_id=old.id, collected_by_id=actor.user_id, provided_by=actor.username,
                       responsible_by=org.name)
        s.add(new)
        s.flush()
        plan = terms.write_schedule(s, new, frequency)
        old.status = "renewed"
        target = terms.subject_of(s, old)
        if isinstance(target, Resource):
            terms.let_resource(target, new)
        files_added = terms.add_files(s, actor, new.id, files)
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
        c = load_for_write(s, Contract, contract_id, actor, expected_version, noun="该合同",
                           action=Action.CONTRACT_TERMINATE)
        errors = rules.termination_problems(c.status, c.start_on, c.end_on, on_date, reason, today)
        if errors:
            raise AccountError(errors)
        inst = s.scalars(select(ContractInstalment).where(ContractInstalment.contract_id == c.id)
                         .order_by(ContractInstalment.seq)).all()
        for i, amount in zip(inst, rules.after_termination([(i.due_on, i.amount_fen, i.received_fen) for i in inst],
                                                           on_date)):
            i.amount_fen = amount
        c.status, c.terminated_on, c.termination_reason = "terminated", on_date, reason.strip()
        target = terms.subject_of(s, c)
        if isinstance(target, Resource) and target.contract_id == c.id:
            target.contracted, target.contractor, target.contract_id, target.contracted_until = False, None, None, None
        elif isinstance(target, Asset) and target.status == "leased":
            target.status = "idle"
        arrears = sum(i.amount_fen - i.received_fen for i in inst)
        log_change(s, key, actor, c.region_code, f"终止合同 {c.number}（{on_date}）：{reason.strip()}；"
                                           f"尚欠 {yuan_text(arrears)}", contract_id=c.id, arrears_fen=arrears)
        return arrears


def attach(url: str, key: str, actor: Actor, contract_id: int, files: list[terms.Upload]) -> list[int]:
    """Add scans to a contract (each stored with its SHA-256)."""
    ensure(actor, Action.CONTRACT_SAVE)
    if not files:
        raise AccountError({"attachments": "请选择文件"})
    with transaction(url, actor) as s:
        c = load_for_write(s, Contract, contract_id, actor, noun="该合同", action=Action.CONTRACT_SAVE)
        ids = terms.add_files(s, actor, c.id, files)
        log_change(s, key, actor, c.region_code, f"合同 {c.number} 上传附件 {len(ids)} 个", contract_id=c.id, attachments=ids)
        return ids
