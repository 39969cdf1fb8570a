"""银行对账: importing a statement into a bank account, matching again, the 余额调节表."""
from __future__ import annotations

from dash import Input, Output, State, html, no_update

from components.funds_forms import STATEMENT
from data.errors import AccountError
from data.funds import statements as funds
from domain import clock
from domain.money import yuan
from domain.permissions import Action
from server.callbacks import secure_callback
from server.context import settings

from ..common import alert, as_int, current_actor, uploads
from .common import bump, chosen, refused


@secure_callback(Action.BUSINESS_VIEW, Output("funds-statement-names", "children"), Input("funds-statement", "filename"))
def show_statement(filenames):
    return chosen(filenames)


@secure_callback(Action.BUSINESS_VIEW, Output("funds-rec-import", "options"), Output("funds-rec-import", "value"),
                 Input("funds-rec-bank", "value"), Input("funds-rec-refresh", "data"))
def imports(bank_id, _):
    if as_int(bank_id) is None:
        return [], None
    rows = funds.statement_imports(settings().database_url, current_actor(), as_int(bank_id))
    return [{"label": r["label"], "value": r["id"]} for r in rows], rows[0]["id"] if rows else None


@secure_callback(Action.BUSINESS_VIEW, Output("funds-rec-result", "children"), *STATEMENT.error_outputs(),
                 Output("funds-rec-refresh", "data", allow_duplicate=True),
                 Output("funds-statement", "contents"), Output("funds-statement", "filename"),
                 Input("funds-rec-submit", "n_clicks"), *STATEMENT.states(), State("funds-rec-refresh", "data"),
                 prevent_initial_call=True)
def import_statement(_, *args):
    *values, refresh = args
    v = STATEMENT.read(values)
    files = uploads(*v["statement"])
    errors = {}
    if as_int(v["bank_account"]) is None:
        errors["bank_account"] = "请选择银行账户"
    if len(files) != 1:
        errors["statement"] = "请选择一个对账单文件" if not files else "一次只能导入一个对账单文件"
    if errors:
        return alert("未导入。", "danger"), *STATEMENT.messages(errors), no_update, no_update, no_update
    cfg = settings()
    name, content = files[0]
    try:
        imp, rows, matched = funds.import_statement(cfg.database_url, cfg.audit_key, current_actor(),
                                                    as_int(v["bank_account"]), name, content, clock.today())
    except AccountError as exc:
        whole = "，整份未导入" if "statement" in exc.errors else ""
        return alert(f"未导入{whole}，请按提示修改。", "danger"), *STATEMENT.messages(exc.errors), no_update, no_update, \
            no_update
    except PermissionError as exc:
        return refused(exc), *STATEMENT.cleared(), no_update, no_update, no_update
    return (alert(f"已导入对账单（批次 #{imp}）：{rows} 笔，自动对上 {matched} 笔，未对上 {rows - matched} 笔。"),
            *STATEMENT.cleared(), bump(refresh), None, None)


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
    except PermissionError as exc:
        return refused(exc), no_update
    return alert(f"重新匹配完成：新对上 {matched} 笔。"), bump(refresh)
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
