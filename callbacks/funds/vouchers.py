"""记账凭证: the voucher form's lines (pattern-matching ids, added and removed at the end, 2–10),
their running totals, and posting the voucher."""
from __future__ import annotations

from dash import Input, Output, Patch, State, ctx, html, no_update

from components.funds_forms import LINE_WIDTHS, VOUCHER
from data.errors import AccountError
from data.funds.vouchers import post_voucher as post, voucher_label
from domain import clock
from domain.funds.parsing import parse_amount
from domain.funds.vouchers import LineDraft, VoucherDraft
from domain.money import yuan
from domain.permissions import Action
from server.callbacks import secure_callback
from server.context import settings

from ..common import alert, as_int, current_actor
from .common import bump, iso_date, refused

ROWS = VOUCHER.rows
LINES = VOUCHER["lines"]


@secure_callback(Action.BUSINESS_VIEW, Output(ROWS.pattern("account"), "options"), Input("funds-v-options", "data"),
                 State(ROWS.pattern("account"), "id"))
def line_options(options, ids):
    """The chart (with the organisation's cash and bank accounts) on every line's account choice."""
    return [options or [] for _ in ids or []]


@secure_callback(Action.BUSINESS_VIEW, Output(ROWS.container, "children"), Output("funds-v-add", "disabled"),
                 Output("funds-v-remove", "disabled"), Input("funds-v-add", "n_clicks"),
                 Input("funds-v-remove", "n_clicks"), State(ROWS.pattern("account"), "id"),
                 State("funds-v-options", "data"), prevent_initial_call=True)
def lines(_add, _remove, ids, options):
    """Add a line at the end (up to the maximum) or remove the last one (down to the minimum); the
    other lines keep what was typed in them."""
    n = len(ids or [])
    rows = Patch()
    if ctx.triggered_id == "funds-v-add" and n < ROWS.maximum:
        rows.append(ROWS.row(n + 1, LINE_WIDTHS, account={"options": options or []}))
        n += 1
    elif ctx.triggered_id == "funds-v-remove" and n > ROWS.minimum:
        del rows[-1]
        n -= 1
    else:
        rows = no_update
    return rows, n >= ROWS.maximum, n <= ROWS.minimum


@secure_callback(Action.BUSINESS_VIEW, Output(LINES.id, "children"),
                 Input(ROWS.pattern("debit"), "value"), Input(ROWS.pattern("credit"), "value"))
def totals(debits, credits):
    def total(texts) -> int:
        return sum(fen for fen, why in map(parse_amount, texts or []) if fen and not why)

    debit, credit = total(debits), total(credits)
    if not debit and not credit:
        state = html.Span("借贷须相等", className="text-muted")
    elif debit != credit:
        state = html.Span(f"差额 {yuan(debit - credit)} 元", className="text-danger")
    else:
        state = html.Span("借贷平衡", className="text-success fw-semibold")
    return [html.Span(f"借方合计 {yuan(debit)} 元", className="me-3"), html.Span(f"贷方合计 {yuan(credit)} 元", className="me-3"),
            state]


#: where the lines' error outputs sit among the callback's outputs (after the result and the form's)
_ROW_ERRORS = 1 + len(VOUCHER.error_outputs())


@secure_callback(Action.BUSINESS_VIEW, Output("funds-v-result", "children"), *VOUCHER.error_outputs(),
                 ROWS.error_output(), Output("funds-books-refresh", "data", allow_duplicate=True),
                 Output(VOUCHER["summary"].id, "value"), *ROWS.value_outputs(),
                 Input("funds-v-submit", "n_clicks"), State("funds-org", "value"), *VOUCHER.states(), *ROWS.states(),
                 State("funds-books-refresh", "data"), prevent_initial_call=True)
def post_voucher(_, org_id, *args):
    *values, accounts, debits, credits, refresh = args
    v = VOUCHER.read(values)
    draft = VoucherDraft(date=iso_date(v["date"]), summary=v["summary"] or "",
                         lines=tuple(LineDraft(a, d, c) for a, d, c in zip(accounts or [], debits or [], credits or [])))
    lines_out = ctx.outputs_list[_ROW_ERRORS]
    row_ids = [o["id"] for o in lines_out] if isinstance(lines_out, list) else []
    keep = [no_update, *[[no_update] * len(row_ids) for _ in ROWS.columns]]  # the form as typed, to be corrected
    cfg = settings()
    actor = current_actor()
    try:
        if as_int(org_id) is None:
            raise AccountError({"_": "请先选择集体经济组织"})
        vid = post(cfg.database_url, cfg.audit_key, actor, as_int(org_id), draft, clock.today())
    except AccountError as exc:
        return (alert("凭证未记账，请按提示修改。", "danger"), *VOUCHER.messages(exc.errors),
                ROWS.messages(row_ids, exc.errors), no_update, *keep)
    except PermissionError as exc:
        return refused(exc), *VOUCHER.cleared(), ROWS.messages(row_ids, None), no_update, *keep
    blank = [None] * len(row_ids)  # a clean form: the same voucher is not posted twice
    return (alert(f"凭证已记账：{voucher_label(cfg.database_url, actor, vid)}。"), *VOUCHER.cleared(),
            ROWS.messages(row_ids, None), bump(refresh), "", *[blank for _ in ROWS.columns])
