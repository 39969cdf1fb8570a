"""/credit/transfers: the 数据申报审批表, the table with due dates, the selected one's signatures,
the three signing steps and the device-cleared confirmation."""
from __future__ import annotations

from dash import Input, Output, State, html, no_update

from callbacks.common import alert, current_actor
from components import credit_requests as ui
from data.credit import transfers as store
from data.errors import AccountError
from domain import clock
from domain.credit import transfers as rules
from domain.permissions import Action, PermissionDenied
from server.callbacks import secure_callback
from server.context import settings

from .common import day, error_outputs, export, messages, refused, section_state, selected

SIGN = (Action.CREDIT_TRANSFER_PRELIM, Action.CREDIT_TRANSFER_REVIEW, Action.CREDIT_TRANSFER_APPROVE)
PAGE = (Action.CREDIT_TRANSFER_APPLY, *SIGN)
SIGN_FIELDS = {"opinion": "ctr-opinion"}


@secure_callback(PAGE, Output("ctr-grid", "rowData"), Output("ctr-badges", "children"),
                 Output("ctr-apply-section", "hidden"), Output("ctr-apply-section-note", "children"),
                 Output("ctr-sign-section", "hidden"), Output("ctr-sign-section-note", "children"),
                 Input("ctr-refresh", "data"))
def load(_):
    cfg, who = settings(), current_actor()
    rows = store.listing(cfg.database_url, who, clock.today())
    return rows, ui.due_summary(rows), *section_state(who, (Action.CREDIT_TRANSFER_APPLY,)), *section_state(who, SIGN)


@secure_callback(Action.CREDIT_TRANSFER_APPLY, Output("ctr-result", "children"), *error_outputs(ui.TR_FIELDS),
                 Output("ctr-refresh", "data", allow_duplicate=True), Input("ctr-submit", "n_clicks"),
                 *[State(cid, ui.prop(cid)) for cid in ui.TR_FIELDS.values()], State("ctr-refresh", "data"),
                 prevent_initial_call=True)
def submit(_, unit, data_range, use_range, confidentiality, method, flags, justification, device, persons,
           commitment, name, signed_on, refresh):
    cfg, who = settings(), current_actor()
    flags = set(flags or [])
    d = rules.Draft(unit=unit or "", data_range=data_range or "", use_range=use_range or "",
                    confidentiality=confidentiality or "", method=method or "", internet="internet" in flags,
                    justification=justification or "", desensitised="desensitised" in flags,
                    encrypted="encrypted" in flags, device_model=device or "", persons=rules.parse_persons(persons),
                    commitment="yes" in (commitment or []), commitment_name=name or "", commitment_on=day(signed_on))
    try:
        tid = store.apply(cfg.database_url, cfg.audit_key, who, d, clock.today())
    except AccountError as exc:
        return *refused(exc, ui.TR_FIELDS, "未提交，请按提示修改。"), no_update
    return alert(f"已提交数据传输申请 #{tid}，待经办部门初审。"), *messages(ui.TR_FIELDS, {}), (refresh or 0) + 1


@secure_callback(PAGE, Output("ctr-detail", "children"), Output("ctr-step-label", "children"),
                 Input("ctr-grid", "selectedRows"), prevent_initial_call=True)
def show(rows):
    row = selected(rows)
    if not row:
        return "", ""
    step = row.get("step")
    label = f"当前步骤：{rules.STEPS[step][2]}" if step else f"已办结：{row.get('state', '')}"
    facts = html.Div([html.Div(f"申请单位：{row.get('unit', '')}；传输方式：{row.get('method', '')}；"
                               f"设备：{row.get('device', '') or '—'}；传输人员：{row.get('persons', '') or '—'}"),
                      html.Div(f"数据范围：{row.get('data_range', '')}；应用范围：{row.get('use_range', '')}"),
                      html.Div(f"承诺书：{row.get('commitment', '')}；答复期限：{row.get('due', '')}")], className="small mb-2")
    return html.Div([facts, ui.chain_block(f"数据传输申请 #{row['id']} 的签署（{row.get('state', '')}）",
                                           row.get("signatures") or [])], id="ctr-signatures"), label


@secure_callback(SIGN, Output("ctr-sign-result", "children"), *error_outputs(SIGN_FIELDS),
                 Output("ctr-refresh", "data", allow_duplicate=True), Input("ctr-sign", "n_clicks"),
                 State("ctr-grid", "selectedRows"), State("ctr-approve", "value"), State("ctr-opinion", "value"),
                 State("ctr-refresh", "data"), prevent_initial_call=True)
def sign(_, rows, approve, opinion, refresh):
    cfg, who = settings(), current_actor()
    row = selected(rows)
    if not row or not row.get("step"):
        return alert("请先在上表选择一件待签署的申请。", "warning"), *messages(SIGN_FIELDS, {}), no_update
    step = row["step"]
    try:
        status = store.sign(cfg.database_url, cfg.audit_key, who, row.get("id"), row.get("version"), step,
                            approve != "no", opinion)
    except AccountError as exc:
        return *refused(exc, SIGN_FIELDS, "未签署，请按提示修改。"), no_update
    except PermissionDenied as exc:
        return alert(str(exc), "danger"), *messages(SIGN_FIELDS, {}), no_update
    return alert(f"申请 #{row['id']} 已{rules.STEPS[step][2]}，当前状态：{rules.STATES[status]}。"), \
        *messages(SIGN_FIELDS, {}), (refresh or 0) + 1


@secure_callback(Action.CREDIT_TRANSFER_APPLY, Output("ctr-clear-result", "children"),
                 Output("ctr-refresh", "data", allow_duplicate=True), Input("ctr-clear", "n_clicks"),
                 State("ctr-grid", "selectedRows"), State("ctr-clear-note", "value"), State("ctr-refresh", "data"),
                 prevent_initial_call=True)
def clear(_, rows, note, refresh):
    cfg, who = settings(), current_actor()
    row = selected(rows)
    if not row:
        return alert("请先在上表选择一件已批准的申请。", "warning"), no_update
    try:
        store.confirm_cleared(cfg.database_url, cfg.audit_key, who, row.get("id"), row.get("version"), note)
    except AccountError as exc:
        text = "；".join(exc.errors.values()) if isinstance(exc.errors, dict) else str(exc)
        return alert(f"未确认：{text}", "danger"), no_update
    except PermissionDenied as exc:
        return alert(str(exc), "danger"), no_update
    return alert(f"已确认申请 #{row['id']} 传输完毕、设备数据已清理。"), (refresh or 0) + 1


@secure_callback(PAGE, Output("ctr-download", "data"), Input("ctr-export", "n_clicks"), prevent_initial_call=True)
def export_table(_):
    cfg = settings()
    return export(store.listing(cfg.database_url, current_actor(), clock.today()), ui.TR_COLUMNS, "林业信用数据传输")
