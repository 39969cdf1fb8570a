"""Payment and receipt requests: what one must contain, who approves it in which order, the
resolution it cites, and the balanced voucher that posting it writes."""
from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

from domain.text import put_text
from domain.funds.parsing import parse_amount
from domain.funds.vouchers import assert_balanced
from domain.identifiers import resident_id_problem, uscc_problem
from domain.meetings import citation_problem, requires_resolution
from domain.money import yuan_short
from domain.permissions import Action


@dataclass(frozen=True)
class Step:
    """One approval step: its name, the action that takes it (who may: domain.permissions), the status after."""

    name: str
    action: Action
    after: str


#: status -> the approval step that acts on it
WORKFLOW: dict[str, Step] = {
    "submitted": Step("secretary", Action.FUNDS_REQUEST_APPROVE_SECRETARY, "secretary_approved"),
    "secretary_approved": Step("supervisor", Action.FUNDS_REQUEST_APPROVE_SUPERVISOR, "approved"),
}
STATUS_LABELS = {"submitted": "待理事长审批", "secretary_approved": "待监事长审批", "approved": "待代理会计记账",
                 "posted": "已记账", "rejected": "已驳回", "withdrawn": "已撤回"}
#: the step names of WORKFLOW as people say them
STEP_LABELS = {"secretary": "理事长审批", "supervisor": "监事长审核"}
KIND_LABELS = {"payment": "付款", "receipt": "收款"}
ID_TYPES = {"resident": "居民身份证", "uscc": "统一社会信用代码", "other": "其他"}
#: accounts a payment may be charged to, and a receipt credited to
PAYMENT_ACCOUNTS = {511: "经营支出", 512: "税金及附加", 513: "管理费用", 514: "公益支出", 515: "其他支出",
                    121: "库存物资", 151: "固定资产", 153: "在建工程", 211: "应付款", 212: "应付工资", 213: "应付劳务费"}
RECEIPT_ACCOUNTS = {501: "经营收入", 502: "投资收益", 503: "补助收入", 504: "其他收入", 112: "应收款", 201: "短期借款",
                    241: "专项应付款"}
BORROWING_ACCOUNT = 201


@dataclass(frozen=True)
class RequestDraft:
    kind: str  # payment | receipt
    amount: str
    purpose: str
    account: int | None
    bank_account_id: int | None
    counterparty_name: str
    counterparty_id_type: str  # resident | uscc | other
    counterparty_id: str
    request_date: dt.date | None
    resolution_id: int | None = None


def draft_problems(d: RequestDraft, today: dt.date) -> tuple[int | None, dict[str, str]]:
    """(amount in fen, field -> what is wrong)."""
    errors: dict[str, str] = {}
    if d.kind not in KIND_LABELS:
        errors["kind"] = "请选择付款或收款"
    fen, why = parse_amount(d.amount)
    if why:
        errors["amount"] = why
    put_text(errors, "purpose", d.purpose, "用途", 200)
    allowed = PAYMENT_ACCOUNTS if d.kind == "payment" else RECEIPT_ACCOUNTS
    if d.account not in allowed:
        errors["account"] = "请选择" + ("支出" if d.kind == "payment" else "收入") + "科目"
    if not d.bank_account_id:
        errors["bank_account_id"] = "请选择收付账户"
    put_text(errors, "counterparty_name", d.counterparty_name, "对方单位或个人", 100)
    if d.counterparty_id_type == "resident":
        problem = resident_id_problem(d.counterparty_id, today)
        if problem:
            errors["counterparty_id"] = problem
    elif d.counterparty_id_type == "uscc":
        problem = uscc_problem(d.counterparty_id)
        if problem:
            errors["counterparty_id"] = problem
    elif d.counterparty_id_type not in ID_TYPES:
        errors["counterparty_id_type"] = "请选择证件类型"
    if d.request_date is None:
        errors["request_date"] = "请填写日期"
    elif d.request_date > today:
        errors["request_date"] = "日期不能晚于今天"
    elif d.request_date < today - dt.timedelta(days=366):
        errors["request_date"] = "日期早于一年前，请核对"
    return fen, errors


def decision_of(kind: str | None, account: int | None) -> str | None:
    """The decision (domain.meetings.DECISION_TYPES) a request carries out: a payment spends the
    collective's money; a receipt credited to 201 短期借款 borrows; any other receipt decides nothing."""
    if kind == "payment":
        return "payment"
    if kind == "receipt" and account == BORROWING_ACCOUNT:
        return "borrowing"
    return None


def resolution_problem(resolution: Mapping | None, *, kind: str | None, account: int | None, amount_fen: int,
                       threshold_fen: int, org_id: int, on_date: dt.date) -> str | None:
    """Why the request may not go ahead with `resolution` (its facts: data.meetings.resolution_facts;
    None: none cited), or None. A payment at or above the organisation's decision threshold and every
    borrowing cite a resolution (四议两公开); one that is cited must be citable for this decision
    (domain.meetings.citation_problem: same organisation, passed at a deciding meeting, of this
    decision type, within its amount limit, held no later than the request)."""
    decision = decision_of(kind, account)
    if resolution is None:
        if decision is None or not requires_resolution(decision, amount_fen, threshold_fen):
            return None
        if decision == "payment":
            return f"金额达到{yuan_short(threshold_fen)}元，须引用会议决议（四议两公开）"
    return citation_problem(resolution, decision_type=decision or resolution["decision_type"],
                            org_id=org_id, on_date=on_date, amount_fen=amount_fen)


def next_step(status: str) -> Step | None:
    return WORKFLOW.get(status)


def withdraw_refusal(requested_by_id: int | None, actor_id: int | None) -> str | None:
    """Why the actor may not withdraw (撤回) the request at all: only its requester may (asked
    after `may(actor, Action.FUNDS_REQUEST_WITHDRAW, request)`). None: may."""
    if actor_id is None or actor_id != requested_by_id:
        return "只能撤回本人提交的申请"
    return None


def withdraw_problem(status: str) -> str | None:
    """Why the request cannot be withdrawn now: only while nobody has approved it (no approval
    step exists: it still waits for the first). None: it can."""
    if status != "submitted":
        return f"该申请当前状态为“{STATUS_LABELS.get(status, status)}”，已有审批记录，不能撤回"
    return None


def voucher_lines(kind: str, amount_fen: int, account: int, money_account: int) -> list[tuple[int, int, int]]:
    """(account, debit fen, credit fen) of the voucher posting a request; always balanced."""
    if kind == "payment":
        lines = [(account, amount_fen, 0), (money_account, 0, amount_fen)]
    else:
        lines = [(money_account, amount_fen, 0), (account, 0, amount_fen)]
    assert_balanced(lines)
    return lines


def posting_date_problem(posting_date: dt.date | None, request_date: dt.date, approved_on: dt.date | None,
                         today: dt.date) -> str | None:
    """A request is posted on or after the day it was requested and finally approved, never in the future."""
    if posting_date is None:
        return "请填写记账日期"
    if posting_date > today:
        return "记账日期不能晚于今天"
    if posting_date < request_date:
        return f"记账日期不能早于申请日期（{request_date.isoformat()}）"
    if approved_on is not None and posting_date < approved_on:
        return f"记账日期不能早于审批通过日期（{approved_on.isoformat()}）"
    return None
