"""收付款申请: the grid, the cashier's form with its resolution picker, approval and posting of
the selected request, and its files and history."""
from __future__ import annotations

from dash import Input, Output, State, ctx, html, no_update

from components.attachments import file_links
from components.form import submission_token
from components.funds_forms import DECISION, POSTING, REQUEST
from data.errors import AccountError
from data.funds import detail as funds_detail
from data.funds import requests as funds
from data.funds.vouchers import voucher_label
from domain import clock
from domain.funds import requests as rules
from domain.funds.parsing import parse_amount
from domain.money import yuan, yuan_short
from domain.permissions import Action, allowed, may
from server.callbacks import secure_callback
from server.context import settings

from ..common import alert, as_int, current_actor, dialog_step, register_dialog, uploads
from .common import bump, chosen, iso_date, refused

#: the steps the confirmation dialog takes: either approval, and the requester's withdrawal
DECIDING = (*(step.action for step in rules.WORKFLOW.values()), Action.FUNDS_REQUEST_WITHDRAW)
register_dialog(DECISION)


@secure_callback(Action.BUSINESS_VIEW, Output("funds-grid", "rowData"), Output("funds-bank", "options"),
                 Output("funds-form-panel", "hidden"), Output("funds-decide-tools", "hidden"),
                 Output("funds-withdraw-tools", "hidden"), Output("funds-post-tools", "hidden"),
                 Input("funds-refresh", "data"))
def load(_):
    cfg = settings()
    actor = current_actor()
    rows = funds.list_requests(cfg.database_url, actor)
    banks = [{"label": b["label"], "value": b["id"]} for b in funds.bank_accounts(cfg.database_url, actor)]
    approver = allowed(actor, [step.action for step in rules.WORKFLOW.values()])
    return (rows, banks, not may(actor, Action.FUNDS_REQUEST_CREATE), not approver,
            not may(actor, Action.FUNDS_REQUEST_WITHDRAW), not may(actor, Action.VOUCHER_POST))


@secure_callback(Action.BUSINESS_VIEW, Output("funds-files-names", "children"), Input("funds-files", "filename"))
def show_files(filenames):
    return chosen(filenames)


RESOLUTION = REQUEST["resolution_id"]


@secure_callback(Action.BUSINESS_VIEW, Output(RESOLUTION.id, "options"), Output(RESOLUTION.id, "value"),
                 Output(f"{RESOLUTION.id}-help", "children"),
                 Input(REQUEST["bank_account_id"].id, "value"), Input(REQUEST["kind"].id, "value"),
                 Input(REQUEST["account"].id, "value"), State(RESOLUTION.id, "value"))
def resolutions(bank, kind, account, chosen_id):
    """The resolutions the request may cite, reloaded whenever its account (so its organisation),
    its kind or its ledger account changes; the one chosen stays if it still may be cited."""
    if as_int(bank) is None:
        return [], None, RESOLUTION.help
    c = funds.resolution_choices(settings().database_url, current_actor(), as_int(bank), kind, as_int(account))
    options = [{"label": r["label"], "value": r["id"]} for r in c["resolutions"]]
    keep = chosen_id if any(o["value"] == chosen_id for o in options) else None
    if c["decision"] == "payment":
        note = (f"本组织决策限额 {yuan_short(c['threshold_fen'])} 元：付款达到限额须引用成员（代表）会议通过的"
                f"大额支出决议（四议两公开）；可选 {len(options)} 项")
    elif c["decision"] == "borrowing":
        note = f"借款须引用成员（代表）会议通过的举债决议（四议两公开）；可选 {len(options)} 项"
    else:
        note = "收款无需引用决议"
    return options, keep, note


@secure_callback(Action.BUSINESS_VIEW, Output("funds-submit-result", "children"), *REQUEST.error_outputs(),
                 Output("funds-refresh", "data", allow_duplicate=True),
                 Output("funds-files", "contents"), Output("funds-files", "filename"),
                 Output("funds-submit-token", "data"),
                 Input("funds-submit", "n_clicks"), *REQUEST.states(), State("funds-refresh", "data"),
                 State("funds-submit-token", "data"), prevent_initial_call=True,
                 running=[(Output("funds-submit", "disabled"), True, False)])
def submit(_, *args):
    """File the request once: the form's token makes a double click (or a resent request) return
    the first request; the button is disabled while the request runs."""
    *values, refresh, token = args
    v = REQUEST.read(values)
    contents, filenames = v["attachments"]
    draft = rules.RequestDraft(kind=v["kind"], amount=v["amount"] or "", purpose=v["purpose"] or "",
                               account=as_int(v["account"]), bank_account_id=as_int(v["bank_account_id"]),
                               counterparty_name=v["counterparty_name"] or "",
                               counterparty_id_type=v["counterparty_id_type"], counterparty_id=v["counterparty_id"] or "",
                               request_date=iso_date(v["request_date"]), resolution_id=as_int(v["resolution_id"]))
    files = uploads(contents, filenames)
    cfg = settings()
    try:
        rid = funds.submit(cfg.database_url, cfg.audit_key, current_actor(), None, draft, clock.today(), files=files,
                           token=token if isinstance(token, str) else None)
    except AccountError as exc:
        return (alert("提交未成功，请按提示修改。", "danger"), *REQUEST.messages(exc.errors), no_update, no_update,
                no_update, no_update)
    except PermissionError as exc:
        return refused(exc), *REQUEST.cleared(), no_update, no_update, no_update, no_update
    note = f"（附件 {len(files)} 个）" if files else ""
    cited = f"，引用决议 #{draft.resolution_id}" if draft.resolution_id else ""
    amount = yuan(parse_amount(draft.amount)[0] or 0)
    return (alert(f"已提交申请 #{rid}：{amount} 元{cited}{note}，等待理事长审批。"), *REQUEST.cleared(), bump(refresh),
            None, None, submission_token())


CLICKS = {"funds-approve": "approve", "funds-reject": "reject", "funds-withdraw": "withdraw"}


@secure_callback(DECIDING, *DECISION.open_outputs(), Output("funds-action-result", "children", allow_duplicate=True),
                 Input("funds-approve", "n_clicks"), Input("funds-reject", "n_clicks"),
                 Input("funds-withdraw", "n_clicks"), State("funds-grid", "selectedRows"), prevent_initial_call=True)
def ask(_a, _r, _w, selected):
    """同意 / 驳回 / 撤回 ask first: the dialog names the request and takes the opinion."""
    decision = CLICKS.get(ctx.triggered_id)
    if not selected or decision is None:
        return *DECISION.unchanged(), alert("请先在表格中选择一条申请。", "warning")
    row = selected[0]
    summary = html.Div([html.Div(f"申请 #{row.get('id')}：{row.get('purpose', '')}", className="fw-semibold"),
                        html.Div(f"{row.get('kind', '')} {yuan(row.get('amount_fen') or 0)} 元 · {row.get('org', '')}"
                                 f" · {row.get('status_label', '')}", className="small text-muted")])
    return *DECISION.opened(decision, summary, {"id": row.get("id"), "version": row.get("version")}), ""


@secure_callback(DECIDING, Output("funds-action-result", "children", allow_duplicate=True), *DECISION.result_outputs(),
                 Output("funds-refresh", "data", allow_duplicate=True), DECISION.confirm_input(), *DECISION.states(),
                 State("funds-refresh", "data"), prevent_initial_call=True, running=DECISION.running())
def decide(_, pending, opinion, refresh):
    """The confirmed step: approve or reject (the opinion required to reject) or withdraw."""
    def act(decision, rid, version):
        cfg = settings()
        if decision == "withdraw":
            status = funds.withdraw(cfg.database_url, cfg.audit_key, current_actor(), rid, version, opinion)
        else:
            status = funds.decide(cfg.database_url, cfg.audit_key, current_actor(), rid, decision == "approve",
                                  version, opinion, today=clock.today())
        verb = {"approve": "同意", "reject": "驳回", "withdraw": "撤回"}[decision]
        return f"申请 #{rid} 已{verb}（{rules.STATUS_LABELS.get(status, status)}）。"
    return dialog_step(DECISION, pending, ("approve", "reject", "withdraw"), refresh, act, on_refusal=refused)


@secure_callback(Action.BUSINESS_VIEW, Output("funds-action-result", "children"), *POSTING.error_outputs(),
                 Output("funds-refresh", "data", allow_duplicate=True),
                 Output("funds-books-refresh", "data", allow_duplicate=True),
                 Input("funds-post", "n_clicks"), State("funds-grid", "selectedRows"), *POSTING.states(),
                 State("funds-refresh", "data"), prevent_initial_call=True,
                 running=[(Output("funds-post", "disabled"), True, False)])
def act(_p, selected, post_date, refresh):
    if not selected:
        return alert("请先在表格中选择一条申请。", "warning"), *POSTING.cleared(), no_update, no_update
    cfg = settings()
    actor = current_actor()
    row = selected[0]
    try:
        day = iso_date(post_date) or (clock.today() if not post_date else None)
        vid = funds.post(cfg.database_url, cfg.audit_key, actor, int(row["id"]), int(row["version"]), day,
                         today=clock.today())
        message = f"申请 #{row['id']} 已记账：{voucher_label(cfg.database_url, actor, vid)}（{day.isoformat()}）。"
    except PermissionError as exc:
        return refused(exc), *POSTING.cleared(), bump(refresh), no_update
    except AccountError as exc:
        return alert("未办理，请按提示处理。", "danger"), *POSTING.messages(exc.errors), bump(refresh), no_update
    return alert(message), *POSTING.cleared(), bump(refresh), bump(refresh)


@secure_callback(Action.BUSINESS_VIEW, Output("funds-detail", "children"), Input("funds-grid", "selectedRows"))
def detail(selected):
    rid = as_int((selected or [{}])[0].get("id")) if selected else None
    if rid is None:
        return html.Span("在上表中选择一条申请。", className="text-muted")
    d = funds_detail.request_detail(settings().database_url, current_actor(), rid)
    history = html.Table(className="table table-sm small mb-0", children=[
        html.Thead(html.Tr([html.Th("时间"), html.Th("操作人"), html.Th("操作"), html.Th("内容")])),
        html.Tbody([html.Tr([html.Td(h["at"], className="text-nowrap"), html.Td(h["by"], className="text-nowrap"),
                             html.Td(h["action"], className="text-nowrap"),
                             html.Td(h["changes"])]) for h in d["history"]]),
    ]) if d["history"] else html.Span("无办理记录", className="text-muted")
    return html.Div([html.Div(d["title"], className="fw-semibold mb-1"), html.Div("附件", className="small text-muted"),
                     html.Div(file_links(d["files"]), id="funds-detail-files", className="mb-2"),
                     html.Div("办理记录", className="small text-muted"), html.Div(history, id="funds-detail-history")])
