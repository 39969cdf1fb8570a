"""Payment and receipt requests: the cashier enters one (with its files, citing a resolution when
the decision needs one), the secretary and then the supervisory chair approve it, the township
accountant posts it as a balanced voucher."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from data import attachments
from data.db import reading, transaction
from data.errors import AccountError
from data.funds.closing import closed_problem
from data.funds.ledger import ORG, Line, bank_and_org, log, write_voucher
from data.meetings import citable, resolution_facts
from data.models import BankAccount, CollectiveOrg, PaymentRequest
from data.scoped import load_for_write, scoped
from data.supervision.engine import runs_after_write
from domain import approvals, clock, privacy
from domain.funds import requests as rules
from domain.money import period_label, yuan_text
from domain.permissions import Action, Actor, PermissionDenied, ensure, may

REQUEST = "该申请"
HANDLED = "该申请已被他人处理，请刷新后再操作"


def _checked(s, actor: Actor, org_id: int | None, draft: rules.RequestDraft, fen: int | None,
             errors: dict[str, str]) -> CollectiveOrg | None:
    """The organisation the request is entered under (given, or the bank account's), after adding
    to `errors` what is wrong with its account and its resolution."""
    bank = org = None
    if draft.bank_account_id:
        bank, org = bank_and_org(s, actor, draft.bank_account_id)
    if org_id is not None:
        org = load_for_write(s, CollectiveOrg, org_id, actor, noun=ORG)
    if org is None:
        return None
    ensure(actor, Action.FUNDS_REQUEST_CREATE, org, noun=ORG)
    if bank is not None and bank.org_id != org.id:
        errors["bank_account_id"] = "请选择本组织的收付账户"
    facts = resolution_facts(s, draft.resolution_id)
    if draft.resolution_id is not None and facts is None:
        errors["resolution_id"] = "请选择本组织的会议决议"
    elif fen is not None and draft.request_date is not None and "account" not in errors:
        problem = rules.resolution_problem(facts, kind=draft.kind, account=draft.account, amount_fen=fen,
                                           threshold_fen=org.decision_threshold_fen, org_id=org.id,
                                           on_date=draft.request_date)
        if problem:
            errors["resolution_id"] = problem
    return org


def _filed(s, actor: Actor, token: str | None) -> int | None:
    """The request this actor already filed with `token` (a second submit of the same form), or None."""
    if token is None:
        return None
    found = s.execute(select(PaymentRequest.id, PaymentRequest.requested_by_id)
                      .where(PaymentRequest.submission_token == token)).first()
    if found is not None and found.requested_by_id != actor.user_id:
        raise AccountError({"_": "提交凭据无效，请刷新页面后重新提交"})
    return found.id if found is not None else None


def submit(url: str, key: str, actor: Actor, org_id: int | None, draft: rules.RequestDraft, today: dt.date,
           files: list[tuple[str, bytes]] | tuple = (), token: str | None = None) -> int:
    """The cashier enters a payment or receipt request with its attachments (invoices, contracts),
    stored in the same transaction; `org_id` None: the organisation of the chosen account. Every
    problem is reported at once. Returns the request's id. `token`: the form's submission token
    (domain.approvals.token_problem); a second submit with the same token files nothing and returns
    the first request's id (checked inside the write transaction, backed by a unique constraint)."""
    ensure(actor, Action.FUNDS_REQUEST_CREATE)
    if problem := approvals.token_problem(token):
        raise AccountError({"_": problem})
    fen, errors = rules.draft_problems(draft, today)
    if problem := attachments.files_problem(files):
        errors["attachments"] = problem
    with transaction(url, actor) as s:
        if (earlier := _filed(s, actor, token)) is not None:
            return earlier
        org = _checked(s, actor, org_id, draft, fen, errors)
        if errors or org is None:
            raise AccountError(errors or {"bank_account_id": "请选择收付账户"})
        req = PaymentRequest(
            org_id=org.id, region_code=org.region_code, kind=draft.kind, amount_fen=fen, purpose=draft.purpose.strip(),
            expense_account=draft.account, bank_account_id=draft.bank_account_id,
            counterparty_name=draft.counterparty_name.strip(), counterparty_id_type=draft.counterparty_id_type,
            counterparty_id=draft.counterparty_id.strip().upper(), request_date=draft.request_date, status="submitted",
            requested_by_id=actor.user_id, resolution_id=draft.resolution_id, collected_by_id=actor.user_id,
            provided_by=actor.username, responsible_by=org.name, submission_token=token)
        s.add(req)
        s.flush()
        file_ids = [attachments.add(s, actor, "payment_request", req.id, n, c) for n, c in files]
        log(s, key, actor, org.region_code,
            f"录入{rules.KIND_LABELS[draft.kind]}申请 #{req.id}：{req.purpose}，{yuan_text(fen)}"
            + (f"，引用决议 #{draft.resolution_id}" if draft.resolution_id else "")
            + (f"，附件 {len(file_ids)} 个" if file_ids else ""),
            request_id=req.id, resolution_id=draft.resolution_id, attachments=file_ids or None)
        return req.id


def decide(url: str, key: str, actor: Actor, request_id: int, approve: bool, expected_version: int,
           opinion: str | None = None, today: dt.date | None = None) -> str:
    """The next approval step (secretary, then supervisory chair), with its opinion (审批意见:
    optional to approve, required to reject), kept with the step. Returns the new status; the
    final approval's date is kept (posting may not be dated before it)."""
    errors: dict[str, str] = {}
    text = approvals.opinion_of(errors, approve, opinion)
    with transaction(url, actor) as s:
        req = load_for_write(s, PaymentRequest, request_id, actor, expected_version, noun=REQUEST, stale=HANDLED)
        step = rules.next_step(req.status)
        if step is None:
            raise AccountError(f"该申请当前状态为“{rules.STATUS_LABELS.get(req.status, req.status)}”，不能审批")
        ensure(actor, step.action, req, noun=REQUEST)
        if errors:
            raise AccountError(errors)
        req.status = step.after if approve else "rejected"
        req.opinion = text
        if req.status == "approved":
            req.approved_on = today or clock.today()
        step_label = rules.STEP_LABELS.get(step.name, step.name)
        log(s, key, actor, req.region_code, f"{'同意' if approve else '驳回'}收付款申请 #{req.id}（{step_label}）"
            + (f"：{text[:100]}" if text else ""), request_id=req.id, step=step.name, decision=req.status)
        return req.status


def withdraw(url: str, key: str, actor: Actor, request_id: int, expected_version: int,
             opinion: str | None = None) -> str:
    """The cashier withdraws (撤回) a request they filed that nobody has approved yet. Returns the status."""
    errors: dict[str, str] = {}
    text = approvals.opinion_of(errors, "withdraw", opinion)
    with transaction(url, actor) as s:
        req = load_for_write(s, PaymentRequest, request_id, actor, expected_version, noun=REQUEST, stale=HANDLED,
                             action=Action.FUNDS_REQUEST_WITHDRAW)
        if reason := rules.withdraw_refusal(req.requested_by_id, actor.user_id):
            raise PermissionDenied(reason, Action.FUNDS_REQUEST_WITHDRAW)
        if problem := rules.withdraw_problem(req.status):
            raise AccountError(problem)
        if errors:
            raise AccountError(errors)
        req.status, req.opinion = "withdrawn", text
        log(s, key, actor, req.region_code, f"撤回收付款申请 #{req.id}" + (f"：{text[:100]}" if text else ""),
            request_id=req.id, decision=req.status)
        return req.status


@runs_after_write("payment_requests", "request_id")
def post(url: str, key: str, actor: Actor, request_id: int, expected_version: int, posting_date: dt.date | None,
         today: dt.date | None = None) -> int:
    """The township accountant posts an approved request as a balanced voucher, dated on or after
    the request and its final approval, never in the future nor in a closed month. Returns the voucher id."""
    today = today or clock.today()
    ensure(actor, Action.VOUCHER_POST)
    with transaction(url, actor) as s:
        req = load_for_write(s, PaymentRequest, request_id, actor, expected_version, noun=REQUEST, stale=HANDLED)
        if req.status != "approved":
            raise AccountError(f"该申请当前状态为“{rules.STATUS_LABELS.get(req.status, req.status)}”，不能记账")
        ensure(actor, Action.VOUCHER_POST, req, noun=REQUEST)
        problem = rules.posting_date_problem(posting_date, req.request_date, req.approved_on, today) \
            or closed_problem(s, req.org_id, posting_date)
        if problem:
            raise AccountError({"posting_date": problem})
        bank, org = bank_and_org(s, actor, req.bank_account_id)
        lines = [Line(account, debit, credit, req.purpose, bank.id if account == bank.ledger_code else None,
                      req.counterparty_name)
                 for account, debit, credit in rules.voucher_lines(req.kind, req.amount_fen, req.expense_account,
                                                                   bank.ledger_code)]
        voucher = write_voucher(s, org, posting_date, req.purpose, "payment_request", lines, posted_by=actor.user_id,
                                collected_by=req.requested_by_id, provided_by=req.counterparty_name,
                                responsible_by=actor.username)
        req.status, req.voucher_id, req.paid_on = "posted", voucher.id, posting_date
        log(s, key, actor, req.region_code, f"收付款申请 #{req.id} 记账：{period_label(voucher.period)}第{voucher.number}号凭证",
            request_id=req.id, voucher_id=voucher.id)
        return voucher.id


def list_requests(url: str, actor: Actor, limit: int = 2000) -> list[dict]:
    """Requests of the actor's jurisdiction, newest first, with what the actor may do next."""
    with reading(url) as s:
        q = (scoped(select(PaymentRequest, CollectiveOrg.name), PaymentRequest, actor)
             .join(CollectiveOrg, CollectiveOrg.id == PaymentRequest.org_id)
             .order_by(PaymentRequest.id.desc()).limit(limit))
        rows, purpose = [], privacy.listing(actor, "payment_request")
        for r, org_name in s.execute(q).all():
            step = rules.next_step(r.status)
            rows.append({
                "id": r.id, "org": org_name, "region_code": int(r.region_code),
                "kind": rules.KIND_LABELS.get(r.kind, r.kind), "amount_fen": r.amount_fen, "purpose": r.purpose,
                "account": r.expense_account, "date": r.request_date.isoformat(),
                "counterparty": privacy.name_shown(r.counterparty_name, r.counterparty_id_type, purpose),
                "status": r.status, "status_label": rules.STATUS_LABELS.get(r.status, r.status), "version": r.version,
                "resolution_id": r.resolution_id,
                "can_decide": bool(step and may(actor, step.action, r)),
                "can_post": r.status == "approved" and may(actor, Action.VOUCHER_POST, r),
                "can_withdraw": may(actor, Action.FUNDS_REQUEST_WITHDRAW, r) and not rules.withdraw_problem(r.status)
                and not rules.withdraw_refusal(r.requested_by_id, actor.user_id),
                "opinion": r.opinion or "",
            })
        return rows


def bank_accounts(url: str, actor: Actor) -> list[dict]:
    """Bank and cash accounts of the organisations in the actor's jurisdiction."""
    with reading(url) as s:
        q = (scoped(select(BankAccount, CollectiveOrg), CollectiveOrg, actor)
             .join(CollectiveOrg, CollectiveOrg.id == BankAccount.org_id)
             .order_by(CollectiveOrg.region_code, BankAccount.id).limit(500))
        return [{"id": b.id, "org_id": o.id, "label": f"{o.name} · {b.name}"} for b, o in s.execute(q).all()]


def resolution_choices(url: str, actor: Actor, bank_account_id, kind: str | None, account: int | None) -> dict:
    """What the request form offers to cite for a request through this account: the resolutions of
    its organisation passed at a deciding meeting of the request's decision type (none for a receipt
    that decides nothing), newest first, and the organisation's decision threshold."""
    with reading(url) as s:
        _, org = bank_and_org(s, actor, bank_account_id)
        org_id, threshold = org.id, org.decision_threshold_fen
    decision = rules.decision_of(kind, account)
    return {"org_id": org_id, "threshold_fen": threshold, "decision": decision,
            "resolutions": citable(url, actor, org_id, decision) if decision else []}
