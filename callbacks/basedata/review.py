"""基础数据审核 callbacks: the queue, 同意 / 退回 (township: a change; county: a correction) and
撤销 of a filed correction (city, province), each through its confirmation dialog."""
from __future__ import annotations

from dash import Input, Output, State, ctx, html

from components.basedata import DECISION, REVOKE
from components.readonly import guard_outputs
from data.basedata import changes, profiles
from domain.basedata.rules import status_label
from domain.permissions import Action, may
from server.callbacks import secure_callback
from server.context import settings

from ..common import alert, current_actor, dialog_step, readonly_note, register_dialog, sections

DECIDERS = (Action.BASEDATA_APPROVE, Action.BASEDATA_CORRECTION_APPROVE)
register_dialog(DECISION)
register_dialog(REVOKE)


@secure_callback(Action.BASEDATA_VIEW, Output("bd-queue", "rowData"), *guard_outputs("bd-decide-tools", "bd-revoke-tools"),
                 Input("bd-review-refresh", "data"))
def load(_):
    actor = current_actor()
    rows = profiles.queue(settings().database_url, actor)
    for r in rows:
        if r["decidable"]:
            r["state"] = "待我审核"
        elif r["revocable"]:
            r["state"] = f"{r['state']}（可撤销）"
        r.pop("changes", None)
    deciding = (False, "") if any(may(actor, a) for a in DECIDERS) else (True, readonly_note(actor, Action.BASEDATA_APPROVE))
    return rows, *deciding, *sections(actor, Action.BASEDATA_REVOKE)


def _summary(row: dict):
    return html.Div([html.Div(f"{row.get('kind', '')} #{row.get('id')}：{row.get('org', '')}", className="fw-semibold"),
                     html.Div(row.get("summary", ""), className="small"),
                     html.Div(f"原因：{row.get('reason', '')}", className="small text-muted")])


@secure_callback(DECIDERS, *DECISION.open_outputs(), Output("bd-review-result", "children", allow_duplicate=True),
                 Input("bd-approve", "n_clicks"), Input("bd-return", "n_clicks"), State("bd-queue", "selectedRows"),
                 prevent_initial_call=True)
def ask(_a, _r, selected):
    if not selected:
        return *DECISION.unchanged(), alert("请先在表格中选择一条记录。", "warning")
    row = selected[0]
    decision = "approve" if ctx.triggered_id == "bd-approve" else "reject"
    return *DECISION.opened(decision, _summary(row), {"id": row.get("id"), "version": row.get("version")}), ""


@secure_callback(DECIDERS, Output("bd-review-result", "children", allow_duplicate=True), *DECISION.result_outputs(),
                 Output("bd-review-refresh", "data", allow_duplicate=True), DECISION.confirm_input(), *DECISION.states(),
                 State("bd-review-refresh", "data"), prevent_initial_call=True, running=DECISION.running())
def decide(_, pending, opinion, refresh):
    def act(decision, cid, version):
        cfg = settings()
        status = changes.decide(cfg.database_url, cfg.audit_key, current_actor(), cid, version, decision == "approve",
                                opinion)
        return f"#{cid} {status_label(status, False) if status != 'filed' else '已实施并备案'}。"
    return dialog_step(DECISION, pending, ("approve", "reject"), refresh, act)


@secure_callback(Action.BASEDATA_REVOKE, *REVOKE.open_outputs(), Output("bd-review-result", "children", allow_duplicate=True),
                 Input("bd-revoke-open", "n_clicks"), State("bd-queue", "selectedRows"), prevent_initial_call=True)
def ask_revoke(_, selected):
    if not selected:
        return *REVOKE.unchanged(), alert("请先在表格中选择一条已备案的更正。", "warning")
    row = selected[0]
    return *REVOKE.opened("revoke", _summary(row), {"id": row.get("id"), "version": row.get("version")}), ""


@secure_callback(Action.BASEDATA_REVOKE, Output("bd-review-result", "children", allow_duplicate=True),
                 *REVOKE.result_outputs(), Output("bd-review-refresh", "data", allow_duplicate=True),
                 REVOKE.confirm_input(), *REVOKE.states(), State("bd-review-refresh", "data"), prevent_initial_call=True,
                 running=REVOKE.running())
def revoke(_, pending, reason, refresh):
    def act(_decision, cid, version):
        cfg = settings()
        changes.revoke(cfg.database_url, cfg.audit_key, current_actor(), cid, version, reason)
        return f"更正 #{cid} 已撤销，原值已恢复。"
    return dialog_step(REVOKE, pending, ("revoke",), refresh, act)
