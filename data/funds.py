"""Funds requests in the system of record: entry, two approvals, posting as a voucher. Every
step is one transaction with its security-log entry; a step on a request changed since the
caller read it is refused (optimistic locking), and a refusal changes nothing."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select

from data.accounts import AccountError, Actor, StaleEdit
from data.db import transaction
from data.models import BankAccount, CollectiveOrg, PaymentRequest, Resolution, Voucher, VoucherLine, utcnow
from domain import audit
from domain import funds as rules
from domain.permissions import PermissionDenied


def _log(s, key, actor: Actor, description: str, result: str = "success", **detail) -> None:
    audit.record(s, key, actor=actor.username, actor_id=actor.user_id, type="data_change", description=description,
                 result=result, region_code=actor.scope.root, ip=actor.ip, detail=detail or None)


def _org_in_scope(s, actor: Actor, org_id: int) -> CollectiveOrg:
    org = s.get(CollectiveOrg, org_id)
    if org is None or not actor.scope.contains(org.region_code):
        raise PermissionDenied("该集体经济组织不在您的管辖范围内")
    return org


def submit(url: str, key: str, actor: Actor, org_id: int, draft: rules.RequestDraft, today: dt.date) -> int:
    """The cashier enters a payment or receipt request. Returns its id."""
    if actor.scope.role not in rules.ENTRY_ROLES:
        raise PermissionDenied("只有村报账员可以录入收付款申请")
    fen, errors = rules.draft_problems(draft, today)
    if errors:
        raise AccountError(errors)
    with transaction(url, actor) as s:
        org = _org_in_scope(s, actor, org_id)
        bank = s.get(BankAccount, draft.bank_account_id)
        if bank is None or bank.org_id != org.id:
            raise AccountError({"bank_account_id": "请选择本组织的收付账户"})
        if draft.resolution_id is not None:
            res = s.get(Resolution, draft.resolution_id)
            if res is None or res.org_id != org.id:
                raise AccountError({"resolution_id": "请选择本组织的会议决议"})
        elif rules.needs_resolution(fen, org.decision_threshold_fen):
            raise AccountError({"resolution_id": f"金额达到{org.decision_threshold_fen // 100:,}元，须引用会议决议（四议两公开）"})
        req = PaymentRequest(
            org_id=org.id, region_code=org.region_code, kind=draft.kind, amount_fen=fen, purpose=draft.purpose.strip(),
            expense_account=draft.account, bank_account_id=bank.id, counterparty_name=draft.counterparty_name.strip(),
            counterparty_id_type=draft.counterparty_id_type, counterparty_id=draft.counterparty_id.strip().upper(),
            request_date=draft.request_date, status="submitted", requested_by_id=actor.user_id,
            resolution_id=draft.resolution_id, collected_by_id=actor.user_id, provided_by=actor.username,
            responsible_by=org.name)
        s.add(req)
        s.flush()
        _log(s, key, actor, f"录入{'付款' if draft.kind == 'payment' else '收款'}申请 #{req.id}：{req.purpose}，"
                            f"{fen // 100:,}.{fen % 100:02d} 元", request_id=req.id)
        return req.id


def decide(url: str, key: str, actor: Actor, request_id: int, approve: bool, expected_version: int,
           comment: str | None = None) -> str:
    """The next approval step (secretary, then supervisory chair). Returns the new status."""
    with transaction(url, actor) as s:
        req = s.get(PaymentRequest, request_id)
        if req is None or not actor.scope.contains(req.region_code):
            raise PermissionDenied("该申请不在您的管辖范围内")
        step = rules.next_step(req.status)
        if step is None:
            raise AccountError(f"该申请当前状态为“{rules.STATUS_LABELS.get(req.status, req.status)}”，不能审批")
        if req.version != expected_version:
            raise StaleEdit("该申请已被他人处理，请刷新后再操作")
        if req.requested_by_id == actor.user_id:
            raise PermissionDenied("不能审批本人提交的申请")
        name, roles, after = step
        if actor.scope.role not in roles:
            raise PermissionDenied("该步骤应由" + ("村书记（理事长）" if name == "secretary" else "村集体监事长") + "审批")
        req.status = after if approve else "rejected"
        if comment:
            req.note = ((req.note or "") + f"\n{actor.username}：{comment}").strip()
        _log(s, key, actor, f"{'同意' if approve else '驳回'}收付款申请 #{req.id}（{name}）", request_id=req.id,
             step=name, decision=req.status)
        return req.status


def post(url: str, key: str, actor: Actor, request_id: int, expected_version: int, posting_date: dt.date) -> int:
    """The township accountant posts an approved request as a balanced voucher. Returns the voucher id."""
    if actor.scope.role not in rules.POSTING_ROLES:
        raise PermissionDenied("只有乡镇代理会计可以记账")
    with transaction(url, actor) as s:
        req = s.get(PaymentRequest, request_id)
        if req is None or not actor.scope.contains(req.region_code):
            raise PermissionDenied("该申请不在您的管辖范围内")
        if req.version != expected_version:
            raise StaleEdit("该申请已被他人处理，请刷新后再操作")
        if req.status != "approved":
            raise AccountError(f"该申请当前状态为“{rules.STATUS_LABELS.get(req.status, req.status)}”，不能记账")
        if req.requested_by_id == actor.user_id:
            raise PermissionDenied("不能为本人提交的申请记账")
        if posting_date < req.request_date:
            raise AccountError({"posting_date": "记账日期不能早于申请日期"})
        bank = s.get(BankAccount, req.bank_account_id)
        lines = rules.voucher_lines(req.kind, req.amount_fen, req.expense_account, bank.ledger_code)
        period = rules.period_of(posting_date)
        number = (s.scalar(select(func.max(Voucher.number)).where(Voucher.org_id == req.org_id,
                                                                  Voucher.period == period)) or 0) + 1
        voucher = Voucher(org_id=req.org_id, region_code=req.region_code, date=posting_date, period=period,
                          number=number, summary=req.purpose, status="posted", source="payment_request",
                          posted_by_id=actor.user_id, posted_at=utcnow(), collected_by_id=req.requested_by_id,
                          provided_by=req.counterparty_name, responsible_by=actor.username)
        s.add(voucher)
        s.flush()
        for i, (account, debit, credit) in enumerate(lines, start=1):
            s.add(VoucherLine(voucher_id=voucher.id, region_code=req.region_code, period=period, line_no=i,
                              account_code=account, debit_fen=debit, credit_fen=credit, summary=req.purpose,
                              counterparty=req.counterparty_name))
        req.status, req.voucher_id, req.paid_on = "posted", voucher.id, posting_date
        _log(s, key, actor, f"收付款申请 #{req.id} 记账：{period // 100}年{period % 100}月第{number}号凭证",
             request_id=req.id, voucher_id=voucher.id)
        return voucher.id


def list_requests(url: str, actor: Actor, limit: int = 2000) -> list[dict]:
    """Requests of the actor's jurisdiction, newest first, with what the actor may do next."""
    lo_hi = actor.scope.ranges
    from sqlalchemy import or_

    with transaction(url, actor) as s:
        q = (select(PaymentRequest, CollectiveOrg.name).join(CollectiveOrg, CollectiveOrg.id == PaymentRequest.org_id)
             .where(or_(*[PaymentRequest.region_code.between(lo, hi) for lo, hi in lo_hi]))
             .order_by(PaymentRequest.id.desc()).limit(limit))
        rows = []
        for r, org_name in s.execute(q).all():
            step = rules.next_step(r.status)
            mine = r.requested_by_id == actor.user_id
            rows.append({
                "id": r.id, "org": org_name, "region_code": int(r.region_code),
                "kind": "付款" if r.kind == "payment" else "收款", "amount_fen": r.amount_fen, "purpose": r.purpose,
                "account": r.expense_account, "counterparty": r.counterparty_name, "date": r.request_date.isoformat(),
                "status": r.status, "status_label": rules.STATUS_LABELS.get(r.status, r.status), "version": r.version,
                "can_decide": bool(step and actor.scope.role in step[1] and not mine),
                "can_post": r.status == "approved" and actor.scope.role in rules.POSTING_ROLES and not mine,
            })
        return rows


def bank_accounts(url: str, actor: Actor) -> list[dict]:
    """Bank and cash accounts of the organisations in the actor's jurisdiction."""
    from sqlalchemy import or_

    with transaction(url, actor) as s:
        q = (select(BankAccount, CollectiveOrg).join(CollectiveOrg, CollectiveOrg.id == BankAccount.org_id)
             .where(or_(*[CollectiveOrg.region_code.between(lo, hi) for lo, hi in actor.scope.ranges]))
             .order_by(CollectiveOrg.region_code, BankAccount.id).limit(500))
        return [{"id": b.id, "org_id": o.id, "label": f"{o.name} · {b.name}"} for b, o in s.execute(q).all()]
