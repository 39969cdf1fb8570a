"""资金管理 callbacks: parse the forms, call data.funds, show the outcome in Chinese."""
from __future__ import annotations

import datetime as dt

from dash import Input, Output, State, ctx, html, no_update

from components.attachments import file_links
from components.format import yuan
from data import funds
from data.admin.accounts import AccountError
from data.attachments import clean_name
from domain import clock
from domain import funds as rules
from domain.funds import MAX_LINES, RequestDraft, draft_problems
from domain.permissions import Action, PermissionDenied, allowed, may
from server.callbacks import secure_callback
from server.context import settings

from .common import alert, as_int, current_actor, uploads

FIELDS = {"amount": "funds-amount", "account": "funds-account", "bank_account_id": "funds-bank",
          "purpose": "funds-purpose", "counterparty_name": "funds-counterparty", "counterparty_id_type": "funds-id-type",
          "counterparty_id": "funds-id", "request_date": "funds-date", "resolution_id": "funds-bank",
          "attachments": "funds-files"}
ERROR_IDS = ["funds-amount", "funds-account", "funds-bank", "funds-purpose", "funds-counterparty", "funds-id-type",
             "funds-id", "funds-date", "funds-files"]
ROWS = range(1, MAX_LINES + 1)



def _date(text) -> dt.date | None:
    try:
        return dt.date.fromisoformat(text) if text else None
    except (TypeError, ValueError):
        return None


# ---------------------------------------------------------------- requests

@secure_callback(Action.BUSINESS_VIEW, Output("funds-grid", "rowData"), Output("funds-bank", "options"),
                 Output("funds-form-panel", "hidden"), Output("funds-decide-tools", "hidden"),
                 Output("funds-post-tools", "hidden"), Input("funds-refresh", "data"))
def load(_):
    cfg = settings()
    actor = current_actor()
    rows = funds.list_requests(cfg.database_url, actor)
    banks = [{"label": b["label"], "value": b["id"]} for b in funds.bank_accounts(cfg.database_url, actor)]
    approver = allowed(actor, [step.action for step in rules.WORKFLOW.values()])
    return (rows, banks, not may(actor, Action.FUNDS_REQUEST_CREATE), not approver,
            not may(actor, Action.VOUCHER_POST))


def _chosen(filenames) -> str:
    names = filenames if isinstance(filenames, list) else [filenames] if filenames else []
    return "已选择：" + "、".join(clean_name(n) for n in names) if names else ""


@secure_callback(Action.BUSINESS_VIEW, Output("funds-files-names", "children"), Input("funds-files", "filename"))
def show_files(filenames):
    return _chosen(filenames)


@secure_callback(Action.BUSINESS_VIEW, Output("funds-statement-names", "children"), Input("funds-statement", "filename"))
def show_statement(filenames):
    return _chosen(filenames)


@secure_callback(Action.BUSINESS_VIEW, Output("funds-submit-result", "children"),
                 *[Output(f"{i}-error", "children") for i in ERROR_IDS],
                 Output("funds-refresh", "data", allow_duplicate=True),
                 Output("funds-files", "contents"), Output("funds-files", "filename"),
                 Input("funds-submit", "n_clicks"), State("funds-kind", "value"), State("funds-bank", "value"),
                 State("funds-amount", "value"), State("funds-account", "value"), State("funds-purpose", "value"),
                 State("funds-counterparty", "value"), State("funds-id-type", "value"), State("funds-id", "value"),
                 State("funds-date", "value"), State("funds-files", "contents"), State("funds-files", "filename"),
                 State("funds-refresh", "data"), prevent_initial_call=True)
def submit(_, kind, bank, amount, account, purpose, counterparty, id_type, id_number, date, contents, filenames,
           refresh):
    cfg = settings()
    actor = current_actor()
    draft = RequestDraft(kind=kind, amount=amount or "", purpose=purpose or "", account=account,
                         bank_account_id=bank, counterparty_name=counterparty or "", counterparty_id_type=id_type,
                         counterparty_id=id_number or "", request_date=_date(date))
    files = uploads(contents, filenames)
    org_id = next((b["org_id"] for b in funds.bank_accounts(cfg.database_url, actor) if b["id"] == bank), None)
    blank = [""] * len(ERROR_IDS)
    try:
        if org_id is None:  # say everything that is wrong at once, not just the account
            _, errors = draft_problems(draft, clock.today())
            raise AccountError({**errors, "bank_account_id": "请选择本组织的收付账户"})
        rid = funds.submit(cfg.database_url, cfg.audit_key, actor, org_id, draft, clock.today(), files=files)
    except AccountError as exc:
        by_id = {FIELDS[f]: m for f, m in exc.errors.items() if f in FIELDS}
        return (alert("提交未成功，请按提示修改。", "danger"), *[by_id.get(i, "") for i in ERROR_IDS], no_update,
                no_update, no_update)
    note = f"（附件 {len(files)} 个）" if files else ""
    return alert(f"已提交申请 #{rid}{note}，等待理事长审批。"), *blank, (refresh or 0) + 1, None, None


@secure_callback(Action.BUSINESS_VIEW, Output("funds-action-result", "children"), Output("funds-refresh", "data", allow_duplicate=True),
                 Output("funds-books-refresh", "data", allow_duplicate=True),
                 Input("funds-approve", "n_clicks"), Input("funds-reject", "n_clicks"), Input("funds-post", "n_clicks"),
                 State("funds-grid", "selectedRows"), State("funds-post-date", "value"), State("funds-refresh", "data"),
                 prevent_initial_call=True)
def act(_a, _r, _p, selected, post_date, refresh):
    if not selected:
        return alert("请先在表格中选择一条申请。", "warning"), no_update, no_update
    cfg = settings()
    actor = current_actor()
    row = selected[0]
    try:
        if ctx.triggered_id == "funds-post":
            day = _date(post_date) or (clock.today() if not post_date else None)
            vid = funds.post(cfg.database_url, cfg.audit_key, actor, int(row["id"]), int(row["version"]), day,
                             today=clock.today())
            message = f"申请 #{row['id']} 已记账：{funds.voucher_label(cfg.database_url, actor, vid)}（{day.isoformat()}）。"
        else:
            approve = ctx.triggered_id == "funds-approve"
            status = funds.decide(cfg.database_url, cfg.audit_key, actor, int(row["id"]), approve, int(row["version"]),
                                  today=clock.today())
            message = f"申请 #{row['id']} 已{'同意' if approve else '驳回'}（{rules.STATUS_LABELS.get(status, status)}）。"
    except PermissionDenied as exc:
        from server.auth import log_event

        log_event("permission_denied", f"资金管理：{exc}", "denied", detail={"request_id": row.get("id")})
        return alert(str(exc), "danger"), (refresh or 0) + 1, no_update
    except AccountError as exc:
        return alert(str(exc), "danger"), (refresh or 0) + 1, no_update
    return alert(message), (refresh or 0) + 1, (refresh or 0) + 1


@secure_callback(Action.BUSINESS_VIEW, Output("funds-detail", "children"), Input("funds-grid", "selectedRows"))
def detail(selected):
    rid = as_int((selected or [{}])[0].get("id")) if selected else None
    if rid is None:
        return html.Span("在上表中选择一条申请。", className="text-muted")
    d = funds.request_detail(settings().database_url, current_actor(), rid)
    history = html.Table(className="table table-sm small mb-0", children=[
        html.Thead(html.Tr([html.Th("时间"), html.Th("操作人"), html.Th("操作"), html.Th("内容")])),
        html.Tbody([html.Tr([html.Td(h["at"], className="text-nowrap"), html.Td(h["by"], className="text-nowrap"),
                             html.Td(h["action"], className="text-nowrap"),
                             html.Td(h["changes"])]) for h in d["history"]]),
    ]) if d["history"] else html.Span("无修改记录", className="text-muted")
    return html.Div([html.Div(d["title"], className="fw-semibold mb-1"), html.Div("附件", className="small text-muted"),
                     html.Div(file_links(d["files"]), id="funds-detail-files", className="mb-2"),
                     html.Div("修改记录", className="small text-muted"), html.Div(history, id="funds-detail-history")])


# ---------------------------------------------------------------- the organisation and its books

@secure_callback(Action.BUSINESS_VIEW, Output("funds-org", "options"), Output("funds-org", "value"),
                 Output("funds-voucher-form", "hidden"), Output("funds-close-form", "hidden"),
                 Output("funds-reopen-form", "hidden"), Output("funds-rec-submit", "disabled"),
                 Output("funds-rec-rematch", "disabled"), Output("funds-open-form", "hidden"), Input("funds-init", "data"))
def orgs(_):
    actor = current_actor()
    options = [{"label": o["name"], "value": o["id"]} for o in funds.orgs(settings().database_url, actor)]
    no_import = not may(actor, Action.BANK_STATEMENT_IMPORT)
    return (options, options[0]["value"] if options else None, not may(actor, Action.VOUCHER_POST),
            not may(actor, Action.MONTH_CLOSE), not may(actor, Action.MONTH_REOPEN), no_import, no_import,
            not may(actor, Action.BANK_ACCOUNT_OPEN))


def _level2_panel(figures: dict):
    order = ("deposits", "cash", "bank", "claims", "debts", "total_assets")
    return html.Table(className="table table-sm table-figures mb-0", id="funds-level2-table", children=[
        html.Tbody([html.Tr([html.Th(rules.LEVEL2_LABELS[k], className="fw-normal" if k in ("cash", "bank") else "",
                                     style={"paddingLeft": "1.5rem"} if k in ("cash", "bank") else None),
                             html.Td(yuan(figures[k]) + " 元", className="num", id=f"funds-level2-{k}")]) for k in order])])


@secure_callback(Action.BUSINESS_VIEW, Output("funds-accounts-grid", "rowData"), Output("funds-level2", "children"),
                 Output("funds-vouchers-grid", "rowData"), Output("funds-close-grid", "rowData"),
                 Output("funds-rec-bank", "options"), *[Output(f"funds-v-acct-{i}", "options") for i in ROWS],
                 Input("funds-org", "value"), Input("funds-books-refresh", "data"))
def books(org_id, _):
    org_id = as_int(org_id)
    if org_id is None:
        return [], html.Span("请选择集体经济组织。", className="text-muted"), [], [], [], *[[] for _ in ROWS]
    cfg, actor = settings(), current_actor()
    accounts = funds.account_balances(cfg.database_url, actor, org_id)
    figures = funds.level2(cfg.database_url, actor, org_id)
    options = funds.account_options(cfg.database_url, actor, org_id)
    banks = [{"label": f"{a['name']}（{a['bank_name']} {a['account_no']}）".replace("（ ）", ""), "value": a["id"]}
             for a in accounts if a["ledger_code"] == 102]
    return (accounts, _level2_panel(figures), funds.vouchers(cfg.database_url, actor, org_id),
            funds.period_closes(cfg.database_url, actor, org_id), banks, *[options for _ in ROWS])


OPEN_FIELDS = ("kind", "name", "bank_name", "account_no")


@secure_callback(Action.BUSINESS_VIEW, Output("funds-open-result", "children"),
                 *[Output(f"funds-open-{f}-error", "children") for f in ("kind", "name", "bank", "no")],
                 Output("funds-books-refresh", "data", allow_duplicate=True),
                 Input("funds-open-submit", "n_clicks"), State("funds-org", "value"), State("funds-open-kind", "value"),
                 State("funds-open-name", "value"), State("funds-open-bank", "value"), State("funds-open-no", "value"),
                 State("funds-books-refresh", "data"), prevent_initial_call=True)
def open_account(_, org_id, kind, name, bank_name, account_no, refresh):
    if as_int(org_id) is None:
        return alert("请先选择集体经济组织。", "warning"), "", "", "", "", no_update
    cfg = settings()
    try:
        funds.open_account(cfg.database_url, cfg.audit_key, current_actor(), as_int(org_id), kind, name, bank_name,
                           account_no)
    except AccountError as exc:
        return (alert("未登记，请按提示修改。", "danger"), *[exc.errors.get(f, "") for f in OPEN_FIELDS], no_update)
    except PermissionDenied as exc:
        return alert(str(exc), "danger"), "", "", "", "", no_update
    return alert(f"已登记账户：{(name or '').strip()}。"), "", "", "", "", (refresh or 0) + 1


# ---------------------------------------------------------------- manual vouchers

@secure_callback(Action.BUSINESS_VIEW, Output("funds-v-totals", "children"),
                 *[Input(f"funds-v-{side}-{i}", "value") for i in ROWS for side in ("debit", "credit")])
def voucher_totals(*values):
    debit = credit = 0
    for i, text in enumerate(values):
        fen, why = rules.parse_amount(text)
        if fen and not why:
            if i % 2 == 0:
                debit += fen
            else:
                credit += fen
    diff = debit - credit
    if not debit and not credit:
        state = html.Span("借贷须相等", className="text-muted")
    elif diff:
        state = html.Span(f"差额 {yuan(diff)} 元", className="text-danger")
    else:
        state = html.Span("借贷平衡", className="text-success fw-semibold")
    return [html.Span(f"借方合计 {yuan(debit)} 元", className="me-3"), html.Span(f"贷方合计 {yuan(credit)} 元", className="me-3"),
            state]


@secure_callback(Action.BUSINESS_VIEW, Output("funds-v-result", "children"), Output("funds-v-date-error", "children"),
                 Output("funds-v-summary-error", "children"), Output("funds-v-lines-error", "children"),
                 *[Output(f"funds-v-line-{i}-error", "children") for i in ROWS],
                 Output("funds-books-refresh", "data", allow_duplicate=True), Output("funds-v-summary", "value"),
                 *[Output(f"funds-v-{part}-{i}", "value") for i in ROWS for part in ("acct", "debit", "credit")],
                 Input("funds-v-submit", "n_clicks"), State("funds-org", "value"), State("funds-v-date", "value"),
                 State("funds-v-summary", "value"),
                 *[State(f"funds-v-{part}-{i}", "value") for i in ROWS for part in ("acct", "debit", "credit")],
                 State("funds-books-refresh", "data"), prevent_initial_call=True)
def post_voucher(_, org_id, date, summary, *rest):
    *cells, refresh = rest
    lines = tuple(rules.LineDraft(account=cells[3 * k], debit=cells[3 * k + 1], credit=cells[3 * k + 2])
                  for k in range(MAX_LINES))
    draft = rules.VoucherDraft(date=_date(date), summary=summary or "", lines=lines)
    cfg = settings()
    actor = current_actor()
    no_lines = [""] * MAX_LINES
    keep = [no_update] * (1 + 3 * MAX_LINES)  # the form as typed, to be corrected
    try:
        if as_int(org_id) is None:
            _, errors = rules.voucher_problems(draft, clock.today())
            raise AccountError({**errors, "_": "请先选择集体经济组织"})
        vid = funds.post_voucher(cfg.database_url, cfg.audit_key, actor, as_int(org_id), draft, clock.today())
    except AccountError as exc:
        e = exc.errors
        return (alert(e.get("_", "凭证未记账，请按提示修改。"), "danger"), e.get("date", ""), e.get("summary", ""),
                e.get("lines", ""), *[e.get(f"line-{i}", "") for i in ROWS], no_update, *keep)
    except PermissionDenied as exc:
        return alert(str(exc), "danger"), "", "", "", *no_lines, no_update, *keep
    return (alert(f"凭证已记账：{funds.voucher_label(cfg.database_url, actor, vid)}。"), "", "", "", *no_lines,
            (refresh or 0) + 1, "", *[None] * (3 * MAX_LINES))  # a clean form: the same voucher is not posted twice


# ---------------------------------------------------------------- period close

@secure_callback(Action.BUSINESS_VIEW, Output("funds-close-result", "children"),
                 Output("funds-close-period-error", "children"),
                 Output("funds-books-refresh", "data", allow_duplicate=True),
                 Input("funds-close-submit", "n_clicks"), State("funds-org", "value"), State("funds-close-period", "value"),
                 State("funds-books-refresh", "data"), prevent_initial_call=True)
def close(_, org_id, period, refresh):
    cfg = settings()
    if as_int(org_id) is None:
        return alert("请先选择集体经济组织。", "warning"), "", no_update
    p = rules.parse_period(period)
    try:
        funds.close_period(cfg.database_url, cfg.audit_key, current_actor(), as_int(org_id), p, clock.today())
    except AccountError as exc:
        return alert("未结账。", "danger"), exc.errors.get("period", str(exc)), no_update
    except PermissionDenied as exc:
        return alert(str(exc), "danger"), "", no_update
    return alert(f"{rules.period_label(p)}已结账。"), "", (refresh or 0) + 1


@secure_callback(Action.BUSINESS_VIEW, Output("funds-reopen-result", "children"),
                 Output("funds-reopen-reason-error", "children"),
                 Output("funds-books-refresh", "data", allow_duplicate=True),
                 Input("funds-reopen-submit", "n_clicks"), State("funds-close-grid", "selectedRows"),
                 State("funds-reopen-reason", "value"), State("funds-books-refresh", "data"), prevent_initial_call=True)
def reopen(_, selected, reason, refresh):
    row = (selected or [None])[0]
    if not row or as_int(row.get("id")) is None:
        return alert("请先在结账记录中选择一个月份。", "warning"), "", no_update
    cfg = settings()
    try:
        funds.reopen_period(cfg.database_url, cfg.audit_key, current_actor(), as_int(row["id"]),
                            as_int(row.get("version")) or 0, reason)
    except AccountError as exc:
        return alert(exc.errors.get("period", exc.errors.get("_", "未反结账。")), "danger"), \
            exc.errors.get("reason", ""), no_update
    except PermissionDenied as exc:
        return alert(str(exc), "danger"), "", no_update
    return alert(f"{row.get('period_label', '')}已反结账，已记入安全日志。"), "", (refresh or 0) + 1


# ---------------------------------------------------------------- bank statements

@secure_callback(Action.BUSINESS_VIEW, Output("funds-rec-import", "options"), Output("funds-rec-import", "value"),
                 Input("funds-rec-bank", "value"), Input("funds-rec-refresh", "data"))
def imports(bank_id, _):
    if as_int(bank_id) is None:
        return [], None
    rows = funds.statement_imports(settings().database_url, current_actor(), as_int(bank_id))
    return [{"label": r["label"], "value": r["id"]} for r in rows], rows[0]["id"] if rows else None


@secure_callback(Action.BUSINESS_VIEW, Output("funds-rec-result", "children"),
                 Output("funds-statement-error", "children"), Output("funds-rec-bank-error", "children"),
                 Output("funds-rec-refresh", "data", allow_duplicate=True),
                 Output("funds-statement", "contents"), Output("funds-statement", "filename"),
                 Input("funds-rec-submit", "n_clicks"), State("funds-rec-bank", "value"),
                 State("funds-statement", "contents"), State("funds-statement", "filename"),
                 State("funds-rec-refresh", "data"), prevent_initial_call=True)
def import_statement(_, bank_id, contents, filenames, refresh):
    files = uploads(contents, filenames)
    problems = {}
    if as_int(bank_id) is None:
        problems["bank"] = "请选择银行账户"
    if len(files) != 1:
        problems["file"] = "请选择一个对账单文件" if not files else "一次只能导入一个对账单文件"
    if problems:
        return alert("未导入。", "danger"), problems.get("file", ""), problems.get("bank", ""), no_update, no_update, \
            no_update
    cfg = settings()
    name, content = files[0]
    try:
        imp, rows, matched = funds.import_statement(cfg.database_url, cfg.audit_key, current_actor(), as_int(bank_id),
                                                    name, content, clock.today())
    except AccountError as exc:
        e = exc.errors
        lines = (e.get("statement") or "").split("\n")
        return (alert("未导入：文件有误，整份未导入。" if "statement" in e else str(exc), "danger"),
                html.Ul([html.Li(x) for x in lines if x], className="mb-0 ps-3") if e.get("statement") else "",
                e.get("bank_account", ""), no_update, no_update, no_update)
    except PermissionDenied as exc:
        return alert(str(exc), "danger"), "", "", no_update, no_update, no_update
    return (alert(f"已导入对账单（批次 #{imp}）：{rows} 笔，自动对上 {matched} 笔，未对上 {rows - matched} 笔。"), "", "",
            (refresh or 0) + 1, None, None)


@secure_callback(Action.BUSINESS_VIEW, Output("funds-rec-result", "children", allow_duplicate=True),
                 Output("funds-rec-refresh", "data", allow_duplicate=True),
                 Input("funds-rec-rematch", "n_clicks"), State("funds-rec-import", "value"),
                 State("funds-rec-refresh", "data"), prevent_initial_call=True)
def rematch(_, import_id, refresh):
    if as_int(import_id) is None:
        return alert("请先选择已导入的对账单。", "warning"), no_update
    cfg = settings()
    try:
        matched = funds.rematch(cfg.database_url, cfg.audit_key, current_actor(), as_int(import_id))
    except PermissionDenied as exc:
        return alert(str(exc), "danger"), no_update
    return alert(f"重新匹配完成：新对上 {matched} 笔。"), (refresh or 0) + 1


def _reconciliation_table(r: dict):
    def row(label, fen, strong=False, rid=None):
        cell = html.Td(yuan(fen) + " 元", className="num" + (" fw-semibold" if strong else ""), **({"id": rid} if rid else {}))
        return html.Tr([html.Td(label, className="fw-semibold" if strong else ""), cell])

    balance_note = "（无余额列，按账面期初余额加对账单发生额推算）" if r["statement_balance_derived"] else ""
    left = html.Table(className="table table-sm table-figures mb-0", children=html.Tbody([
        row(f"单位银行存款账面余额（{r['last_date']}）", r["book_balance"], rid="funds-rec-book-balance"),
        row("加：银行已收、单位未收", r["bank_in"]), row("减：银行已付、单位未付", r["bank_out"]),
        row("调节后余额", r["adjusted_book"], True, "funds-rec-adjusted-book")]))
    right = html.Table(className="table table-sm table-figures mb-0", children=html.Tbody([
        row(f"银行对账单余额{balance_note}", r["statement_balance"], rid="funds-rec-statement-balance"),
        row("加：单位已收、银行未收", r["book_in"]), row("减：单位已付、银行未付", r["book_out"]),
        row("调节后余额", r["adjusted_bank"], True, "funds-rec-adjusted-bank")]))
    ok = r["difference"] == 0
    return html.Div([
        html.Div(f"{r['bank']}，对账期间 {r['first_date']} 至 {r['last_date']}：已对上 {len(r['matched'])} 笔，"
                 f"银行未达 {len(r['unmatched_statement'])} 笔，账簿未达 {len(r['unmatched_book'])} 笔。",
                 className="mb-2"),
        html.Div(className="row g-3", children=[html.Div(left, className="col-lg-6"), html.Div(right, className="col-lg-6")]),
        html.Div("调节后余额相符。" if ok else f"调节后余额不符，差额 {yuan(r['difference'])} 元，请核查。",
                 id="funds-rec-difference", className=f"alert alert-{'success' if ok else 'danger'} py-2 mt-2 mb-0"),
    ])


@secure_callback(Action.BUSINESS_VIEW, Output("funds-rec-table", "children"), Output("funds-rec-matched", "rowData"),
                 Output("funds-rec-open-stmt", "rowData"), Output("funds-rec-open-book", "rowData"),
                 Input("funds-rec-import", "value"), Input("funds-rec-refresh", "data"))
def reconciliation(import_id, _):
    if as_int(import_id) is None:
        return html.Span("选择银行账户后，导入或选择一份对账单。", className="text-muted"), [], [], []
    r = funds.reconciliation(settings().database_url, current_actor(), as_int(import_id))
    return _reconciliation_table(r), r["matched"], r["unmatched_statement"], r["unmatched_book"]
