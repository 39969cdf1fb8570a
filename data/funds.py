"""Funds requests in the system of record: entry, two approvals, posting as a voucher. Every
step is one transaction with its security-log entry; a step on a request changed since the
caller read it is refused (optimistic locking), and a refusal changes nothing."""
from __future__ import annotations

import contextlib
import datetime as dt
import hashlib

from sqlalchemy import and_, func, or_, select
from sqlalchemy.exc import IntegrityError

from domain import clock
from data.admin.accounts import AccountError, Actor
from data.scoped import load_for_write
from data.db import reading, transaction
from data.supervision.engine import runs_after_write
from data.models import (BankAccount, BankStatementImport, BankStatementLine, CollectiveOrg, PaymentRequest, PeriodClose,
                         Resolution, Voucher, VoucherLine, utcnow)
from data.admin import audit_log
from domain import funds as rules
from domain.chart import CHART, MONEY_ACCOUNTS
from domain.permissions import Action, PermissionDenied, ensure, may
from domain.money import yuan, yuan_short, yuan_text


def _log(s, key, actor: Actor, description: str, result: str = "success", **detail) -> None:
    audit_log.record(s, key, actor=actor.username, actor_id=actor.user_id, type="data_change", description=description,
                 result=result, region_code=actor.scope.root, ip=actor.ip, detail=detail or None)


_HANDLED = "该申请已被他人处理，请刷新后再操作"


def _org_in_scope(s, actor: Actor, org_id: int) -> CollectiveOrg:
    org = s.get(CollectiveOrg, org_id)
    if org is None or not actor.scope.contains(org.region_code):
        raise PermissionDenied("该集体经济组织不在您的管辖范围内")
    return org


def submit(url: str, key: str, actor: Actor, org_id: int, draft: rules.RequestDraft, today: dt.date,
           files: list[tuple[str, bytes]] | tuple = ()) -> int:
    """The cashier enters a payment or receipt request with its attachments (invoices, contracts),
    stored in the same transaction. Returns its id."""
    from data import attachments

    ensure(actor, Action.FUNDS_REQUEST_CREATE)
    fen, errors = rules.draft_problems(draft, today)
    file_errors = [p for p in (attachments.file_problem(n, c) for n, c in files) if p]
    if file_errors:
        errors["attachments"] = "；".join(file_errors)
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
            raise AccountError({"resolution_id": f"金额达到{yuan_short(org.decision_threshold_fen)}元，须引用会议决议（四议两公开）"})
        req = PaymentRequest(
            org_id=org.id, region_code=org.region_code, kind=draft.kind, amount_fen=fen, purpose=draft.purpose.strip(),
            expense_account=draft.account, bank_account_id=bank.id, counterparty_name=draft.counterparty_name.strip(),
            counterparty_id_type=draft.counterparty_id_type, counterparty_id=draft.counterparty_id.strip().upper(),
            request_date=draft.request_date, status="submitted", requested_by_id=actor.user_id,
            resolution_id=draft.resolution_id, collected_by_id=actor.user_id, provided_by=actor.username,
            responsible_by=org.name)
        s.add(req)
        s.flush()
        file_ids = [attachments.add(s, actor, "payment_request", req.id, n, c) for n, c in files]
        _log(s, key, actor, f"录入{'付款' if draft.kind == 'payment' else '收款'}申请 #{req.id}：{req.purpose}，"
                            f"{yuan_text(fen)}" + (f"，附件 {len(file_ids)} 个" if file_ids else ""),
             request_id=req.id, attachments=file_ids or None)
        return req.id


def decide(url: str, key: str, actor: Actor, request_id: int, approve: bool, expected_version: int,
           comment: str | None = None, today: dt.date | None = None) -> str:
    """The next approval step (secretary, then supervisory chair). Returns the new status; the
    final approval's date is kept (posting may not be dated before it)."""
    with transaction(url, actor) as s:
        req = load_for_write(s, PaymentRequest, request_id, actor, expected_version, noun="该申请", stale=_HANDLED)
        step = rules.next_step(req.status)
        if step is None:
            raise AccountError(f"该申请当前状态为“{rules.STATUS_LABELS.get(req.status, req.status)}”，不能审批")
        ensure(actor, step.action, req, noun="该申请")
        name = step.name
        req.status = step.after if approve else "rejected"
        if req.status == "approved":
            req.approved_on = today or clock.today()
        if comment:
            req.note = ((req.note or "") + f"\n{actor.username}：{comment}").strip()
        _log(s, key, actor, f"{'同意' if approve else '驳回'}收付款申请 #{req.id}（{name}）", request_id=req.id,
             step=name, decision=req.status)
        return req.status


@runs_after_write("payment_requests", "request_id")
def post(url: str, key: str, actor: Actor, request_id: int, expected_version: int, posting_date: dt.date | None,
         today: dt.date | None = None) -> int:
    """The township accountant posts an approved request as a balanced voucher, dated on or after
    the request and its final approval, never in the future nor in a closed month. Returns the voucher id."""
    today = today or clock.today()
    ensure(actor, Action.VOUCHER_POST)
    with transaction(url, actor) as s:
        req = load_for_write(s, PaymentRequest, request_id, actor, expected_version, noun="该申请", stale=_HANDLED)
        if req.status != "approved":
            raise AccountError(f"该申请当前状态为“{rules.STATUS_LABELS.get(req.status, req.status)}”，不能记账")
        ensure(actor, Action.VOUCHER_POST, req, noun="该申请")
        problem = rules.posting_date_problem(posting_date, req.request_date, req.approved_on, today) \
            or _closed_problem(s, req.org_id, posting_date)
        if problem:
            raise AccountError({"posting_date": problem})
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
                              counterparty=req.counterparty_name,
                              bank_account_id=bank.id if account == bank.ledger_code else None))
        req.status, req.voucher_id, req.paid_on = "posted", voucher.id, posting_date
        _log(s, key, actor, f"收付款申请 #{req.id} 记账：{rules.period_label(period)}第{number}号凭证",
             request_id=req.id, voucher_id=voucher.id)
        return voucher.id


def list_requests(url: str, actor: Actor, limit: int = 2000) -> list[dict]:
    """Requests of the actor's jurisdiction, newest first, with what the actor may do next."""
    lo_hi = actor.scope.ranges

    with reading(url) as s:
        q = (select(PaymentRequest, CollectiveOrg.name).join(CollectiveOrg, CollectiveOrg.id == PaymentRequest.org_id)
             .where(or_(*[PaymentRequest.region_code.between(lo, hi) for lo, hi in lo_hi]))
             .order_by(PaymentRequest.id.desc()).limit(limit))
        rows = []
        for r, org_name in s.execute(q).all():
            step = rules.next_step(r.status)
            rows.append({
                "id": r.id, "org": org_name, "region_code": int(r.region_code),
                "kind": "付款" if r.kind == "payment" else "收款", "amount_fen": r.amount_fen, "purpose": r.purpose,
                "account": r.expense_account, "counterparty": r.counterparty_name, "date": r.request_date.isoformat(),
                "status": r.status, "status_label": rules.STATUS_LABELS.get(r.status, r.status), "version": r.version,
                "can_decide": bool(step and may(actor, step.action, r)),
                "can_post": r.status == "approved" and may(actor, Action.VOUCHER_POST, r),
            })
        return rows


def bank_accounts(url: str, actor: Actor) -> list[dict]:
    """Bank and cash accounts of the organisations in the actor's jurisdiction."""
    with reading(url) as s:
        q = (select(BankAccount, CollectiveOrg).join(CollectiveOrg, CollectiveOrg.id == BankAccount.org_id)
             .where(or_(*[CollectiveOrg.region_code.between(lo, hi) for lo, hi in actor.scope.ranges]))
             .order_by(CollectiveOrg.region_code, BankAccount.id).limit(500))
        return [{"id": b.id, "org_id": o.id, "label": f"{o.name} · {b.name}"} for b, o in s.execute(q).all()]


# ---------------------------------------------------------------- organisations, accounts, the books

@contextlib.contextmanager
def _conflict(errors: dict[str, str]):
    """A unique constraint hit by a simultaneous write (the same voucher number, the same file)
    becomes a refusal in Chinese; the transaction has rolled back."""
    try:
        yield
    except IntegrityError as exc:
        raise AccountError(errors) from exc


def _in_scope(column, actor: Actor):
    return or_(*[column.between(lo, hi) for lo, hi in actor.scope.ranges])


def orgs(url: str, actor: Actor, limit: int = 500) -> list[dict]:
    """Collective organisations of the actor's jurisdiction."""
    with reading(url) as s:
        q = select(CollectiveOrg).where(_in_scope(CollectiveOrg.region_code, actor)).order_by(
            CollectiveOrg.region_code, CollectiveOrg.id).limit(limit)
        return [{"id": o.id, "name": o.name, "region_code": int(o.region_code)} for o in s.scalars(q)]


def _org_lines(org: CollectiveOrg):
    """The ledger lines of one organisation (the region filter uses the lines' own index)."""
    return (select(VoucherLine).join(Voucher, Voucher.id == VoucherLine.voucher_id)
            .where(VoucherLine.region_code == org.region_code, Voucher.org_id == org.id))


def _primary_accounts(s, org_id: int) -> dict[int, int]:
    """ledger code -> the organisation's first cash/bank account of that code: where ledger lines
    that name no account (history imported before accounts were kept per line) belong."""
    out: dict[int, int] = {}
    for b in s.scalars(select(BankAccount).where(BankAccount.org_id == org_id).order_by(BankAccount.id)):
        out.setdefault(b.ledger_code, b.id)
    return out


def _account_lines_cond(bank: BankAccount, primary: dict[int, int]):
    own = VoucherLine.bank_account_id == bank.id
    if primary.get(bank.ledger_code) == bank.id:
        own = or_(own, VoucherLine.bank_account_id.is_(None))
    return and_(VoucherLine.account_code == bank.ledger_code, own)


def _closed_problem(s, org_id: int, day: dt.date) -> str | None:
    period = rules.period_of(day)
    closed = s.scalar(select(PeriodClose.id).where(PeriodClose.org_id == org_id, PeriodClose.period == period,
                                                   PeriodClose.status == "closed"))
    return f"{rules.period_label(period)}已结账，不能记入该月；请选择未结账月份的日期" if closed else None


def account_balances(url: str, actor: Actor, org_id: int) -> list[dict]:
    """The organisation's cash and bank accounts, each with its balance derived from the ledger
    (account 101 / 102 lines of that account); never typed in."""
    with reading(url) as s:
        org = _org_in_scope(s, actor, org_id)
        primary = _primary_accounts(s, org.id)
        sub = _org_lines(org).where(VoucherLine.account_code.in_(MONEY_ACCOUNTS)).subquery()
        sums = s.execute(select(sub.c.account_code, sub.c.bank_account_id,
                                func.sum(sub.c.debit_fen - sub.c.credit_fen))
                         .group_by(sub.c.account_code, sub.c.bank_account_id)).all()
        by_account: dict[int, int] = {}
        for code, bank_id, amount in sums:
            target = bank_id if bank_id is not None else primary.get(int(code))
            if target is not None:
                by_account[target] = by_account.get(target, 0) + int(amount or 0)
        rows = []
        for b in s.scalars(select(BankAccount).where(BankAccount.org_id == org.id).order_by(BankAccount.id)):
            rows.append({"id": b.id, "kind": "现金" if b.kind == "cash" else "银行存款", "name": b.name,
                         "bank_name": b.bank_name or "", "account_no": b.account_no or "", "ledger_code": b.ledger_code,
                         "ledger": f"{b.ledger_code} {CHART[b.ledger_code].name}",
                         "balance_fen": by_account.get(b.id, 0)})
        return rows


def account_totals(url: str, actor: Actor, org_id: int, period: int | None = None) -> dict[int, int]:
    """account code -> balance (debit − credit) of the organisation's books, to the end of `period`."""
    with reading(url) as s:
        org = _org_in_scope(s, actor, org_id)
        q = _org_lines(org)
        if period:
            q = q.where(VoucherLine.period <= period)
        sub = q.subquery()
        return {int(c): int(v or 0) for c, v in s.execute(
            select(sub.c.account_code, func.sum(sub.c.debit_fen - sub.c.credit_fen)).group_by(sub.c.account_code))}


def level2(url: str, actor: Actor, org_id: int, period: int | None = None) -> dict:
    """二级基础数据 (Art. J11) of one organisation: deposits, claims, debts, total assets, derived
    from its books (to the end of `period`, default: everything posted)."""
    figures = rules.level2_figures(account_totals(url, actor, org_id, period))
    return {**figures, "period": period}


def account_options(url: str, actor: Actor, org_id: int) -> list[dict]:
    """The chart as voucher-line choices; 101/102 once per cash or bank account ("102:7")."""
    with reading(url) as s:
        org = _org_in_scope(s, actor, org_id)
        banks = s.scalars(select(BankAccount).where(BankAccount.org_id == org.id).order_by(BankAccount.id)).all()
    out = []
    for code, acct in CHART.items():
        if code in MONEY_ACCOUNTS:
            out += [{"label": f"{acct.label} · {b.name}", "value": f"{code}:{b.id}"} for b in banks
                    if b.ledger_code == code]
        else:
            out.append({"label": acct.label, "value": str(code)})
    return out


def post_voucher(url: str, key: str, actor: Actor, org_id: int, draft: rules.VoucherDraft, today: dt.date) -> int:
    """The township accountant enters a manual voucher (记账凭证): 2–10 lines on the village chart
    whose debits equal their credits to the fen, dated in an open month and not in the future.
    Voucher and lines are one transaction. Returns the voucher id."""
    ensure(actor, Action.VOUCHER_POST)
    lines, errors = rules.voucher_problems(draft, today)
    with _conflict({"_": "他人同时记账占用了该凭证号，请再提交一次"}), transaction(url, actor) as s:
        org = _org_in_scope(s, actor, org_id)
        if draft.date is not None and "date" not in errors:
            problem = _closed_problem(s, org.id, draft.date)
            if problem:
                errors["date"] = problem
        primary = _primary_accounts(s, org.id)
        resolved = []
        for v in lines:
            bank_id = None
            if v.account in MONEY_ACCOUNTS:
                bank_id = v.bank_account_id or primary.get(v.account)
                bank = s.get(BankAccount, bank_id) if bank_id else None
                if bank is None or bank.org_id != org.id or bank.ledger_code != v.account:
                    errors[f"line-{v.row}"] = f"第{v.row}行：请选择本组织的{CHART[v.account].name}账户"
            resolved.append((v, bank_id))
        if errors:
            raise AccountError(errors)
        period = rules.period_of(draft.date)
        number = (s.scalar(select(func.max(Voucher.number)).where(Voucher.org_id == org.id,
                                                                  Voucher.period == period)) or 0) + 1
        voucher = Voucher(org_id=org.id, region_code=org.region_code, date=draft.date, period=period, number=number,
                          summary=draft.summary.strip(), status="posted", source="manual", posted_by_id=actor.user_id,
                          posted_at=utcnow(), collected_by_id=actor.user_id, provided_by=actor.username,
                          responsible_by=actor.username)
        s.add(voucher)
        s.flush()
        for i, (v, bank_id) in enumerate(resolved, start=1):
            s.add(VoucherLine(voucher_id=voucher.id, region_code=org.region_code, period=period, line_no=i,
                              account_code=v.account, debit_fen=v.debit_fen, credit_fen=v.credit_fen,
                              summary=v.summary or voucher.summary, bank_account_id=bank_id))
        total = sum(v.debit_fen for v in lines)
        _log(s, key, actor, f"录入记账凭证：{org.name} {rules.period_label(period)}第{number}号，"
                            f"{len(lines)}行，借贷各 {yuan_text(total)}",
             voucher_id=voucher.id, org_id=org.id)
        return voucher.id


def voucher_label(url: str, actor: Actor, voucher_id: int) -> str:
    """"西关社区股份经济合作社 2026年11月第12号" for a voucher in the actor's jurisdiction."""
    with reading(url) as s:
        v = s.get(Voucher, voucher_id)
        if v is None or not actor.scope.contains(v.region_code):
            raise PermissionDenied("该凭证不在您的管辖范围内")
        return f"{s.get(CollectiveOrg, v.org_id).name} {rules.period_label(v.period)}第{v.number}号"


def vouchers(url: str, actor: Actor, org_id: int, limit: int = 300) -> list[dict]:
    """The organisation's vouchers, newest first, one row each with its lines spelled out."""
    with reading(url) as s:
        org = _org_in_scope(s, actor, org_id)
        vs = s.scalars(select(Voucher).where(Voucher.org_id == org.id, Voucher.region_code == org.region_code)
                       .order_by(Voucher.date.desc(), Voucher.id.desc()).limit(limit)).all()
        ids = [v.id for v in vs]
        lines: dict[int, list[VoucherLine]] = {}
        if ids:
            for ln in s.scalars(select(VoucherLine).where(VoucherLine.voucher_id.in_(ids)).order_by(VoucherLine.line_no)):
                lines.setdefault(ln.voucher_id, []).append(ln)

        def text(ln: VoucherLine) -> str:
            side, fen = ("借", ln.debit_fen) if ln.debit_fen else ("贷", ln.credit_fen)
            return f"{side} {ln.account_code} {CHART[ln.account_code].name if ln.account_code in CHART else ''} " \
                   f"{yuan(fen)}"

        return [{"id": v.id, "date": v.date.isoformat(), "number": f"{rules.period_label(v.period)}第{v.number}号",
                 "summary": v.summary, "source": {"manual": "手工凭证", "payment_request": "收付款申请",
                                                  "opening": "期初余额"}.get(v.source, "历史凭证"),
                 "amount_fen": sum(ln.debit_fen for ln in lines.get(v.id, [])),
                 "lines": "；".join(text(ln) for ln in lines.get(v.id, []))} for v in vs]


# ---------------------------------------------------------------- period close (结账)

def period_closes(url: str, actor: Actor, org_id: int) -> list[dict]:
    with reading(url) as s:
        org = _org_in_scope(s, actor, org_id)
        rows = s.scalars(select(PeriodClose).where(PeriodClose.org_id == org.id).order_by(PeriodClose.period.desc()))
        return [{"id": r.id, "period": r.period, "period_label": rules.period_label(r.period), "status": r.status,
                 "status_label": "已结账" if r.status == "closed" else "已反结账",
                 "closed_at": r.closed_at.astimezone(clock.CST).strftime("%Y-%m-%d %H:%M"), "note": r.note or "",
                 "version": r.version} for r in rows]


def close_period(url: str, key: str, actor: Actor, org_id: int, period: int | None, today: dt.date) -> int:
    """结账: the township accountant closes a month of an organisation; no posting enters it
    afterwards. Refused while the month has approved requests not yet posted."""
    ensure(actor, Action.MONTH_CLOSE)
    if period is None:
        raise AccountError({"period": "请选择结账月份"})
    if period > rules.period_of(today):
        raise AccountError({"period": "不能结账尚未到来的月份"})
    with transaction(url, actor) as s:
        org = _org_in_scope(s, actor, org_id)
        row = s.scalar(select(PeriodClose).where(PeriodClose.org_id == org.id, PeriodClose.period == period))
        if row is not None and row.status == "closed":
            raise AccountError({"period": f"{rules.period_label(period)}已结账"})
        first = dt.date(period // 100, period % 100, 1)
        after = dt.date(first.year + first.month // 12, first.month % 12 + 1, 1)
        pending = s.scalars(select(PaymentRequest.id).where(
            PaymentRequest.org_id == org.id, PaymentRequest.status == "approved",
            PaymentRequest.request_date >= first, PaymentRequest.request_date < after).order_by(PaymentRequest.id)).all()
        if pending:
            raise AccountError({"period": f"{rules.period_label(period)}尚有 {len(pending)} 笔已审批未记账的收付款申请（"
                                          + "、".join(f"#{i}" for i in pending[:10]) + "），请先记账再结账"})
        if row is None:
            row = PeriodClose(org_id=org.id, region_code=org.region_code, period=period, status="closed",
                              closed_by_id=actor.user_id, closed_at=utcnow())
            s.add(row)
        else:
            row.status, row.closed_by_id, row.closed_at = "closed", actor.user_id, utcnow()
        s.flush()
        _log(s, key, actor, f"结账：{org.name} {rules.period_label(period)}", org_id=org.id, period=period)
        return row.id


def reopen_period(url: str, key: str, actor: Actor, close_id: int, expected_version: int, reason: str | None) -> None:
    """反结账: only a township leader with review-and-approval may reopen a closed month, with a reason; logged."""
    ensure(actor, Action.MONTH_REOPEN)
    if not (reason or "").strip():
        raise AccountError({"reason": "请填写反结账原因"})
    with transaction(url, actor) as s:
        row = load_for_write(s, PeriodClose, close_id, actor, expected_version, noun="该结账记录",
                             action=Action.MONTH_REOPEN)
        if row.status != "closed":
            raise AccountError({"period": f"{rules.period_label(row.period)}未结账，无需反结账"})
        org = s.get(CollectiveOrg, row.org_id)
        row.status = "reopened"
        row.note = ((row.note or "") + f"\n{utcnow().astimezone(clock.CST):%Y-%m-%d} {actor.username} 反结账："
                    f"{reason.strip()}").strip()
        _log(s, key, actor, f"反结账：{org.name} {rules.period_label(row.period)}，原因：{reason.strip()}",
             org_id=org.id, period=row.period)


# ---------------------------------------------------------------- bank statements and reconciliation

def _bank_in_scope(s, actor: Actor, bank_account_id) -> tuple[BankAccount, CollectiveOrg]:
    bank = s.get(BankAccount, bank_account_id) if bank_account_id else None
    org = s.get(CollectiveOrg, bank.org_id) if bank else None
    if org is None or not actor.scope.contains(org.region_code):
        raise PermissionDenied("该账户不在您的管辖范围内")
    return bank, org


def _match(s, bank: BankAccount, org: CollectiveOrg, statement: list[BankStatementLine]) -> int:
    """Pair unmatched statement lines with unmatched ledger lines of the account (same amount and
    direction, dated within ±3 days). Returns how many were paired."""
    todo = [ln for ln in statement if ln.matched_line_id is None]
    if not todo:
        return 0
    window = dt.timedelta(days=rules.MATCH_WINDOW_DAYS)
    lo, hi = min(ln.date for ln in todo) - window, max(ln.date for ln in todo) + window
    taken = select(BankStatementLine.matched_line_id).where(BankStatementLine.matched_line_id.is_not(None))
    book = s.execute(select(VoucherLine.id, Voucher.date, VoucherLine.debit_fen - VoucherLine.credit_fen)
                     .join(Voucher, Voucher.id == VoucherLine.voucher_id)
                     .where(VoucherLine.region_code == org.region_code, Voucher.org_id == org.id,
                            _account_lines_cond(bank, _primary_accounts(s, org.id)),
                            Voucher.date.between(lo, hi), VoucherLine.id.not_in(taken))).all()
    pairs = rules.match_statement([(ln.id, ln.date, ln.amount_fen) for ln in todo],
                                  [(int(i), d, int(a)) for i, d, a in book])
    for ln in todo:
        if ln.id in pairs:
            ln.matched_line_id = pairs[ln.id]
    return len(pairs)


def import_statement(url: str, key: str, actor: Actor, bank_account_id: int, filename: str, content: bytes,
                     today: dt.date) -> tuple[int, int, int]:
    """Import a bank statement CSV into one bank account and match it against the books. Any bad
    row, or the same file imported before, and nothing is stored. Returns (import id, lines, matched)."""
    from data.attachments import clean_name

    ensure(actor, Action.BANK_STATEMENT_IMPORT)
    rows, problems = rules.parse_statement(content or b"", today)
    digest = hashlib.sha256(content or b"").hexdigest()
    with _conflict({"statement": "该文件刚刚已被导入，不能重复导入"}), transaction(url, actor) as s:
        bank, org = _bank_in_scope(s, actor, bank_account_id)
        if bank.kind != "bank":
            raise AccountError({"bank_account": "请选择银行存款账户（库存现金没有对账单）"})
        earlier = s.scalar(select(BankStatementImport).where(BankStatementImport.bank_account_id == bank.id,
                                                             BankStatementImport.sha256 == digest))
        if earlier is not None:
            raise AccountError({"statement": f"该文件已于 {earlier.created_at.astimezone(clock.CST):%Y-%m-%d %H:%M} "
                                             f"导入过（批次 #{earlier.id}，{earlier.rows} 笔），不能重复导入"})
        if problems:
            raise AccountError({"statement": "\n".join(problems)})
        last = max(rows, key=lambda r: (r.date, r.row))
        imp = BankStatementImport(bank_account_id=bank.id, org_id=org.id, region_code=org.region_code,
                                  filename=clean_name(filename) or "对账单.csv", sha256=digest, rows=len(rows),
                                  first_date=min(r.date for r in rows), last_date=last.date,
                                  closing_balance_fen=last.balance_fen, imported_by_id=actor.user_id,
                                  collected_by_id=actor.user_id, provided_by=bank.bank_name or bank.name,
                                  responsible_by=actor.username)
        s.add(imp)
        s.flush()
        lines = [BankStatementLine(bank_account_id=bank.id, import_id=imp.id, date=r.date, amount_fen=r.amount_fen,
                                   description=r.description) for r in rows]
        s.add_all(lines)
        s.flush()
        matched = _match(s, bank, org, lines)
        _log(s, key, actor, f"导入银行对账单：{org.name} {bank.name}，{len(rows)} 笔（{imp.first_date}至{imp.last_date}），"
                            f"自动对上 {matched} 笔", import_id=imp.id, bank_account_id=bank.id, sha256=digest)
        return imp.id, len(rows), matched


def rematch(url: str, key: str, actor: Actor, import_id: int) -> int:
    """Match the statement lines of an import that are still open (after new postings)."""
    ensure(actor, Action.BANK_STATEMENT_IMPORT)
    with transaction(url, actor) as s:
        imp = s.get(BankStatementImport, import_id)
        if imp is None or not actor.scope.contains(imp.region_code):
            raise PermissionDenied("该对账单不在您的管辖范围内")
        bank, org = _bank_in_scope(s, actor, imp.bank_account_id)
        lines = s.scalars(select(BankStatementLine).where(BankStatementLine.import_id == imp.id)).all()
        matched = _match(s, bank, org, lines)
        _log(s, key, actor, f"银行对账重新匹配：{org.name} {bank.name} 批次 #{imp.id}，新对上 {matched} 笔",
             import_id=imp.id)
        return matched


def statement_imports(url: str, actor: Actor, bank_account_id: int) -> list[dict]:
    with reading(url) as s:
        bank, _ = _bank_in_scope(s, actor, bank_account_id)
        return [{"id": i.id, "label": f"#{i.id} {i.filename}（{i.first_date}至{i.last_date}，{i.rows} 笔）"}
                for i in s.scalars(select(BankStatementImport).where(BankStatementImport.bank_account_id == bank.id)
                                   .order_by(BankStatementImport.id.desc()))]


def reconciliation(url: str, actor: Actor, import_id: int) -> dict:
    """银行存款余额调节表 for one imported statement: the matched pairs, the statement lines the
    books lack, the ledger lines of that account in the statement's dates the bank lacks, and
    both balances adjusted. The statement balance is the bank's own 余额 on its last row, or,
    when the file has none, the book balance before the first day plus the statement's lines."""
    with reading(url) as s:
        imp = s.get(BankStatementImport, import_id)
        if imp is None or not actor.scope.contains(imp.region_code):
            raise PermissionDenied("该对账单不在您的管辖范围内")
        bank, org = _bank_in_scope(s, actor, imp.bank_account_id)
        cond = _account_lines_cond(bank, _primary_accounts(s, org.id))
        base = (select(VoucherLine.id, Voucher.date, Voucher.period, Voucher.number, VoucherLine.summary,
                       VoucherLine.debit_fen - VoucherLine.credit_fen)
                .join(Voucher, Voucher.id == VoucherLine.voucher_id)
                .where(VoucherLine.region_code == org.region_code, Voucher.org_id == org.id, cond))

        def balance_to(day: dt.date) -> int:
            q = (select(func.sum(VoucherLine.debit_fen - VoucherLine.credit_fen))
                 .join(Voucher, Voucher.id == VoucherLine.voucher_id)
                 .where(VoucherLine.region_code == org.region_code, Voucher.org_id == org.id, cond,
                        Voucher.date <= day))
            return int(s.scalar(q) or 0)

        stmt = s.scalars(select(BankStatementLine).where(BankStatementLine.import_id == imp.id)
                         .order_by(BankStatementLine.date, BankStatementLine.id)).all()
        matched_ids = [ln.matched_line_id for ln in stmt if ln.matched_line_id is not None]
        book_by_id = {int(r[0]): r for r in s.execute(base.where(VoucherLine.id.in_(matched_ids)))} if matched_ids else {}
        taken = select(BankStatementLine.matched_line_id).where(BankStatementLine.matched_line_id.is_not(None))
        open_book = s.execute(base.where(Voucher.date.between(imp.first_date, imp.last_date),
                                         VoucherLine.id.not_in(taken)).order_by(Voucher.date, VoucherLine.id)).all()

        def book_row(r) -> dict:
            i, day, period, number, summary, amount = r
            return {"line_id": int(i), "date": day.isoformat(), "voucher": f"{rules.period_label(period)}第{number}号",
                    "summary": summary or "", "amount_fen": int(amount)}

        def stmt_row(ln: BankStatementLine) -> dict:
            return {"id": ln.id, "date": ln.date.isoformat(), "amount_fen": ln.amount_fen, "description": ln.description or ""}

        matched = [{**stmt_row(ln), **{f"book_{k}": v for k, v in book_row(book_by_id[ln.matched_line_id]).items()}}
                   for ln in stmt if ln.matched_line_id in book_by_id]
        open_stmt = [stmt_row(ln) for ln in stmt if ln.matched_line_id is None]
        book_balance = balance_to(imp.last_date)
        derived = imp.closing_balance_fen is None
        statement_balance = (balance_to(imp.first_date - dt.timedelta(days=1)) + sum(ln.amount_fen for ln in stmt)
                             if derived else imp.closing_balance_fen)
        table = rules.reconciliation(book_balance, statement_balance, [r["amount_fen"] for r in open_stmt],
                                     [int(r[5]) for r in open_book])
        return {"import_id": imp.id, "bank": f"{org.name} · {bank.name}", "first_date": imp.first_date.isoformat(),
                "last_date": imp.last_date.isoformat(), "statement_balance_derived": derived, "matched": matched,
                "unmatched_statement": open_stmt, "unmatched_book": [book_row(r) for r in open_book], **table}


# ---------------------------------------------------------------- a request's files and history

FIELD_LABELS = {"status": "状态", "amount_fen": "金额", "purpose": "用途", "kind": "类型", "expense_account": "科目",
                "counterparty_name": "对方", "counterparty_id": "证件号码", "request_date": "申请日期",
                "approved_on": "审批通过日期", "paid_on": "记账日期", "voucher_id": "凭证", "note": "审批意见",
                "bank_account_id": "收付账户", "resolution_id": "会议决议", "counterparty_id_type": "证件类型"}
ACTION_LABELS = {"insert": "录入", "update": "修改", "delete": "删除"}


def request_detail(url: str, actor: Actor, request_id: int) -> dict:
    """The files and the change history of one request in the actor's jurisdiction."""
    from data import attachments
    from data.history import history

    with reading(url) as s:
        req = s.get(PaymentRequest, request_id)
        if req is None or not actor.scope.contains(req.region_code):
            raise PermissionDenied("该申请不在您的管辖范围内")
        files = attachments.list_for(s, actor.scope, "payment_request", req.id)
        title = f"#{req.id} {req.purpose}"
        banks = {b.id: b.name for b in s.scalars(select(BankAccount).where(BankAccount.org_id == req.org_id))}

    def show(field: str, value):
        if value is None:
            return "（空）"
        if field == "status":
            return rules.STATUS_LABELS.get(value, value)
        if field == "kind":
            return {"payment": "付款", "receipt": "收款"}.get(value, value)
        if field == "amount_fen":
            return yuan_text(value)
        if field == "expense_account":
            return f"{value} {CHART[int(value)].name}" if int(value) in CHART else value
        if field == "bank_account_id":
            return banks.get(int(value), value)
        if field == "counterparty_id_type":
            return {"resident": "居民身份证", "uscc": "统一社会信用代码", "other": "其他"}.get(value, value)
        return value

    changes = []
    for h in history(url, actor.scope, "payment_requests", request_id):
        shown = []
        for field, (old, new) in h["changes"].items():
            if field not in FIELD_LABELS:
                continue
            old, new = show(field, old), show(field, new)
            shown.append(f"{FIELD_LABELS[field]}：{new}" if h["action"] == "insert" or old == "（空）"
                         else f"{FIELD_LABELS[field]}：{old} → {new}")
        changes.append({"at": h["at"].astimezone(clock.CST).strftime("%Y-%m-%d %H:%M"), "by": h["by"],
                        "action": ACTION_LABELS.get(h["action"], h["action"]), "changes": "；".join(shown)})
    return {"title": title, "files": files, "history": changes}


def open_account(url: str, key: str, actor: Actor, org_id: int, kind: str, name: str | None, bank_name: str | None,
                 account_no: str | None) -> int:
    """开户登记: the township accountant records a cash or bank account of an organisation. Its
    balance starts at nothing and only ever comes from the ledger. Returns the account id."""
    ensure(actor, Action.BANK_ACCOUNT_OPEN)
    digits, errors = rules.account_problems(kind, name, bank_name, account_no)
    with transaction(url, actor) as s:
        org = _org_in_scope(s, actor, org_id)
        existing = s.scalars(select(BankAccount).where(BankAccount.org_id == org.id)).all()
        if kind == "cash" and any(b.kind == "cash" for b in existing):
            errors["kind"] = "本组织已有库存现金账户"
        if kind == "bank" and digits and any(b.account_no == digits for b in existing):
            errors["account_no"] = "本组织已登记该银行账号"
        if errors:
            raise AccountError(errors)
        label, code = rules.ACCOUNT_KINDS[kind]
        acct = BankAccount(org_id=org.id, kind=kind, name=name.strip(), ledger_code=code,
                           bank_name=(bank_name or "").strip() or None if kind == "bank" else None,
                           account_no=digits if kind == "bank" else None, collected_by_id=actor.user_id,
                           provided_by=actor.username, responsible_by=org.name)
        s.add(acct)
        s.flush()
        _log(s, key, actor, f"登记{label}账户：{org.name} {acct.name}" + (f"（{acct.bank_name} {digits}）" if digits else ""),
             bank_account_id=acct.id, org_id=org.id)
        return acct.id
