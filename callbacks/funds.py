"""资金管理 callbacks: parse the form, call data.funds, show the outcome in Chinese."""
from __future__ import annotations

import datetime as dt

from dash import Input, Output, State, ctx, no_update

from data import funds
from data.accounts import AccountError
from domain.audit import CST
from domain.funds import ENTRY_ROLES, RequestDraft, draft_problems
from domain.permissions import Perm, PermissionDenied
from server.auth import _now
from server.callbacks import secure_callback
from server.context import settings

from .common import alert, current_actor

ANY = (Perm.BUSINESS_HANDLING, Perm.REVIEW_APPROVAL)
FIELDS = {"amount": "funds-amount", "account": "funds-account", "bank_account_id": "funds-bank",
          "purpose": "funds-purpose", "counterparty_name": "funds-counterparty", "counterparty_id_type": "funds-id-type",
          "counterparty_id": "funds-id", "request_date": "funds-date", "resolution_id": "funds-bank"}
ERROR_IDS = ["funds-amount", "funds-account", "funds-bank", "funds-purpose", "funds-counterparty", "funds-id-type",
             "funds-id", "funds-date"]


def _today() -> dt.date:
    return _now().astimezone(CST).date()


@secure_callback(ANY, Output("funds-grid", "rowData"), Output("funds-bank", "options"),
                 Output("funds-form-panel", "hidden"), Input("funds-refresh", "data"))
def load(_):
    cfg = settings()
    actor = current_actor()
    rows = funds.list_requests(cfg.database_url, actor)
    banks = [{"label": b["label"], "value": b["id"]} for b in funds.bank_accounts(cfg.database_url, actor)]
    return rows, banks, actor.scope.role not in ENTRY_ROLES


@secure_callback(Perm.DATA_ENTRY, Output("funds-submit-result", "children"),
                 *[Output(f"{i}-error", "children") for i in ERROR_IDS],
                 Output("funds-refresh", "data", allow_duplicate=True),
                 Input("funds-submit", "n_clicks"), State("funds-kind", "value"), State("funds-bank", "value"),
                 State("funds-amount", "value"), State("funds-account", "value"), State("funds-purpose", "value"),
                 State("funds-counterparty", "value"), State("funds-id-type", "value"), State("funds-id", "value"),
                 State("funds-date", "value"), State("funds-refresh", "data"), prevent_initial_call=True)
def submit(_, kind, bank, amount, account, purpose, counterparty, id_type, id_number, date, refresh):
    cfg = settings()
    actor = current_actor()
    try:
        day = dt.date.fromisoformat(date) if date else None
    except ValueError:
        day = None
    draft = RequestDraft(kind=kind, amount=amount or "", purpose=purpose or "", account=account,
                         bank_account_id=bank, counterparty_name=counterparty or "", counterparty_id_type=id_type,
                         counterparty_id=id_number or "", request_date=day)
    org_id = next((b["org_id"] for b in funds.bank_accounts(cfg.database_url, actor) if b["id"] == bank), None)
    blank = [""] * len(ERROR_IDS)
    try:
        if org_id is None:  # say everything that is wrong at once, not just the account
            _, errors = draft_problems(draft, _today())
            raise AccountError({**errors, "bank_account_id": "请选择本组织的收付账户"})
        rid = funds.submit(cfg.database_url, cfg.audit_key, actor, org_id, draft, _today())
    except AccountError as exc:
        by_id = {FIELDS[f]: m for f, m in exc.errors.items() if f in FIELDS}
        return (alert("提交未成功，请按提示修改。", "danger"), *[by_id.get(i, "") for i in ERROR_IDS], no_update)
    return alert(f"已提交申请 #{rid}，等待理事长审批。"), *blank, (refresh or 0) + 1


@secure_callback(ANY, Output("funds-action-result", "children"), Output("funds-refresh", "data", allow_duplicate=True),
                 Input("funds-approve", "n_clicks"), Input("funds-reject", "n_clicks"), Input("funds-post", "n_clicks"),
                 State("funds-grid", "selectedRows"), State("funds-refresh", "data"), prevent_initial_call=True)
def act(_a, _r, _p, selected, refresh):
    if not selected:
        return alert("请先在表格中选择一条申请。", "warning"), no_update
    cfg = settings()
    actor = current_actor()
    row = selected[0]
    try:
        if ctx.triggered_id == "funds-post":
            vid = funds.post(cfg.database_url, cfg.audit_key, actor, int(row["id"]), int(row["version"]), _today())
            message = f"申请 #{row['id']} 已记账（凭证 {vid}）。"
        else:
            approve = ctx.triggered_id == "funds-approve"
            status = funds.decide(cfg.database_url, cfg.audit_key, actor, int(row["id"]), approve, int(row["version"]))
            message = f"申请 #{row['id']} 已{'同意' if approve else '驳回'}（{status}）。"
    except PermissionDenied as exc:
        from server.auth import log_event

        log_event("permission_denied", f"资金管理：{exc}", "denied", detail={"request_id": row.get("id")})
        return alert(str(exc), "danger"), (refresh or 0) + 1
    except AccountError as exc:
        return alert(str(exc), "danger"), (refresh or 0) + 1
    return alert(message), (refresh or 0) + 1
