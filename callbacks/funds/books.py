"""The organisation chosen at the top of the page and its books: accounts with balances, the
level-2 base data, vouchers and month closes; opening an account."""
from __future__ import annotations

from dash import Input, Output, State, html, no_update

from components.funds_forms import ACCOUNT
from data.errors import AccountError
from data.funds import books as funds
from data.funds.closing import period_closes
from data.funds.vouchers import vouchers
from domain.funds.books import LEVEL2_LABELS
from domain.money import yuan
from domain.permissions import Action, may
from components.readonly import guard_outputs
from server.callbacks import secure_callback
from server.context import settings

from ..common import alert, as_int, current_actor, sections
from .common import bump, refused


@secure_callback(Action.BUSINESS_VIEW, Output("funds-org", "options"), Output("funds-org", "value"),
                 Output("funds-voucher-form", "hidden"), Output("funds-close-form", "hidden"),
                 Output("funds-reopen-form", "hidden"), Output("funds-rec-submit", "disabled"),
                 Output("funds-rec-rematch", "disabled"), Output("funds-open-form", "hidden"),
                 *guard_outputs("funds-rec-form"), Input("funds-init", "data"))
def orgs(_):
    actor = current_actor()
    options = [{"label": o["name"], "value": o["id"]} for o in funds.orgs(settings().database_url, actor)]
    no_import = not may(actor, Action.BANK_STATEMENT_IMPORT)
    return (options, options[0]["value"] if options else None, not may(actor, Action.VOUCHER_POST),
            not may(actor, Action.MONTH_CLOSE), not may(actor, Action.MONTH_REOPEN), no_import, no_import,
            not may(actor, Action.BANK_ACCOUNT_OPEN), *sections(actor, Action.BANK_STATEMENT_IMPORT))


LEVEL2_ORDER = ("deposits", "cash", "bank", "claims", "debts", "total_assets")


def _level2_panel(figures: dict):
    def row(k: str):
        part = k in ("cash", "bank")
        return html.Tr([html.Th(LEVEL2_LABELS[k], className="fw-normal" if part else "",
                                style={"paddingLeft": "1.5rem"} if part else None),
                        html.Td(yuan(figures[k]) + " 元", className="num", id=f"funds-level2-{k}")])

    return html.Table(className="table table-sm table-figures mb-0", id="funds-level2-table",
                      children=[html.Tbody([row(k) for k in LEVEL2_ORDER])])


@secure_callback(Action.BUSINESS_VIEW, Output("funds-accounts-grid", "rowData"), Output("funds-level2", "children"),
                 Output("funds-vouchers-grid", "rowData"), Output("funds-close-grid", "rowData"),
                 Output("funds-rec-bank", "options"), Output("funds-v-options", "data"),
                 Input("funds-org", "value"), Input("funds-books-refresh", "data"))
def books(org_id, _):
    org_id = as_int(org_id)
    if org_id is None:
        return [], html.Span("请选择集体经济组织。", className="text-muted"), [], [], [], []
    cfg, actor = settings(), current_actor()
    accounts = funds.account_balances(cfg.database_url, actor, org_id)
    banks = [{"label": f"{a['name']}（{a['bank_name']} {a['account_no']}）".replace("（ ）", ""), "value": a["id"]}
             for a in accounts if a["ledger_code"] == 102]
    return (accounts, _level2_panel(funds.level2(cfg.database_url, actor, org_id)),
            vouchers(cfg.database_url, actor, org_id), period_closes(cfg.database_url, actor, org_id), banks,
            funds.account_options(cfg.database_url, actor, org_id))


@secure_callback(Action.BUSINESS_VIEW, Output("funds-open-result", "children"), *ACCOUNT.error_outputs(),
                 Output("funds-books-refresh", "data", allow_duplicate=True),
                 Input("funds-open-submit", "n_clicks"), State("funds-org", "value"), *ACCOUNT.states(),
                 State("funds-books-refresh", "data"), prevent_initial_call=True)
def open_account(_, org_id, *args):
    *values, refresh = args
    v = ACCOUNT.read(values)
    if as_int(org_id) is None:
        return alert("未登记。", "danger"), *ACCOUNT.messages({"_": "请先选择集体经济组织"}), no_update
    cfg = settings()
    try:
        funds.open_account(cfg.database_url, cfg.audit_key, current_actor(), as_int(org_id), v["kind"], v["name"],
                           v["bank_name"], v["account_no"])
    except AccountError as exc:
        return alert("未登记，请按提示修改。", "danger"), *ACCOUNT.messages(exc.errors), no_update
    except PermissionError as exc:
        return refused(exc), *ACCOUNT.cleared(), no_update
    return alert(f"已登记账户：{(v['name'] or '').strip()}。"), *ACCOUNT.cleared(), bump(refresh)
