"""/credit/corrections: the correction application with evidence, the table with due dates, the
chain of the selected one (who, when, opinion; before/after) and its current step."""
from __future__ import annotations

from dash import Input, Output, State, html, no_update

from callbacks.common import alert, current_actor
from components import credit_requests as ui
from data import attachments
from data.credit import corrections as store
from data.errors import AccountError
from domain import clock
from domain.credit import corrections as rules
from domain.permissions import Action, PermissionDenied
from server.callbacks import secure_callback
from server.context import settings

from .common import day, error_outputs, export, messages, refused, section_state, selected

STEPS = (Action.CREDIT_CORRECTION_REVIEW, Action.CREDIT_CORRECTION_DECIDE, Action.CREDIT_CORRECTION_BUREAU,
         Action.CREDIT_CORRECTION_EXECUTE)
PAGE = (Action.CREDIT_CORRECTION_APPLY, *STEPS)
STEP_OF = {"review": Action.CREDIT_CORRECTION_REVIEW, "decide": Action.CREDIT_CORRECTION_DECIDE,
           "bureau": Action.CREDIT_CORRECTION_BUREAU, "execute": Action.CREDIT_CORRECTION_EXECUTE}
STEP_LABEL = {"review": "经办部门审核", "decide": "数据管理单位会议决定", "bureau": "省林业局审议", "execute": "县级实施修正"}
FIELD_IDS = [f"ccor-field{n}" for n in range(1, ui.CHANGE_ROWS + 1)]
VALUE_IDS = [f"ccor-value{n}" for n in range(1, ui.CHANGE_ROWS + 1)]


@secure_callback(PAGE, Output("ccor-grid", "rowData"), Output("ccor-badges", "children"),
                 Output("ccor-apply-section", "hidden"), Output("ccor-apply-section-note", "children"),
                 Output("ccor-act-section", "hidden"), Output("ccor-act-section-note", "children"),
                 Input("ccor-refresh", "data"))
def load(_):
    cfg, who = settings(), current_actor()
    rows = store.listing(cfg.database_url, who, clock.today())
    return rows, ui.due_summary(rows), *section_state(who, (Action.CREDIT_CORRECTION_APPLY,)), *section_state(who, STEPS)


@secure_callback(Action.CREDIT_CORRECTION_APPLY, *[Output(i, "options") for i in FIELD_IDS],
                 Input("ccor-target", "value"))
def target_fields(target):
    options = ui.field_options(target or "record")
    return [options] * len(FIELD_IDS)


@secure_callback(Action.CREDIT_CORRECTION_APPLY, Output("ccor-files-list", "children"), Input("ccor-files", "filename"),
                 prevent_initial_call=True)
def files_list(names):
    return "已选择：" + "、".join(names) if names else ""


@secure_callback(Action.CREDIT_CORRECTION_APPLY, Output("ccor-result", "children"), *error_outputs(ui.COR_FIELDS),
                 Output("ccor-refresh", "data", allow_duplicate=True), Input("ccor-submit", "n_clicks"),
                 State("ccor-target", "value"), State("ccor-ids", "value"), State("ccor-ground", "value"),
                 *[State(i, "value") for i in FIELD_IDS], *[State(i, "value") for i in VALUE_IDS],
                 State("ccor-note", "value"), State("ccor-description", "value"), State("ccor-files", "contents"),
                 State("ccor-files", "filename"), State("ccor-refresh", "data"), prevent_initial_call=True)
def submit(_, target, ids_text, ground, *rest):
    n = ui.CHANGE_ROWS
    fields, values, (note, description, contents, names, refresh) = rest[:n], rest[n:2 * n], rest[2 * n:]
    changes = {f: v for f, v in zip(fields, values) if f}
    ids = [p.strip() for p in str(ids_text or "").replace("，", ",").replace("、", ",").split(",") if p.strip()]
    files = [(name, attachments.decode_upload(c)) for name, c in zip(names or [], contents or [])]
    cfg, who = settings(), current_actor()
    try:
        cid = store.apply(cfg.database_url, cfg.audit_key, who, target or "record", ids, ground, changes, description,
                          files, clock.today(), note)
    except AccountError as exc:
        return *refused(exc, ui.COR_FIELDS, "未提交，请按提示修改。"), no_update
    except PermissionDenied as exc:
        return alert(str(exc), "danger"), *messages(ui.COR_FIELDS, {}), no_update
    return alert(f"已提交修正申请 #{cid}，待数据管理单位经办部门审核。"), *messages(ui.COR_FIELDS, {}), (refresh or 0) + 1


@secure_callback(PAGE, Output("ccor-detail", "children"), Output("ccor-step-label", "children"),
                 Input("ccor-grid", "selectedRows"), prevent_initial_call=True)
def show(rows):
    row = selected(rows)
    if not row:
        return "", ""
    step = row.get("step")
    label = f"当前步骤：{STEP_LABEL[step]}" if step else f"已办结：{row.get('state', '')}"
    target = "right" if str(row.get("target", "")).startswith("林权") else "record"
    facts = html.Div(f"情形：{row.get('ground_text', '')}；修正内容：{row.get('changes', '')}；"
                     f"重大或批量：{row.get('major', '')}", className="small mb-2")
    return html.Div([facts, ui.chain_block(f"修正申请 #{row['id']} 的办理过程（{row.get('state', '')}）",
                                           row.get("chain") or []),
                     html.H6("修正前后"), ui.before_after(row.get("before") or {}, row.get("after") or {}, target)],
                    id="ccor-chain"), label


@secure_callback(STEPS, Output("ccor-act-result", "children"), *error_outputs(ui.STEP_FIELDS),
                 Output("ccor-refresh", "data", allow_duplicate=True), Input("ccor-act", "n_clicks"),
                 State("ccor-grid", "selectedRows"), State("ccor-approve", "value"), State("ccor-opinion", "value"),
                 State("ccor-meeting-on", "date"), State("ccor-minutes", "value"), State("ccor-refresh", "data"),
                 prevent_initial_call=True)
def act(_, rows, approve, opinion, meeting_on, minutes, refresh):
    cfg, who = settings(), current_actor()
    row = selected(rows)
    if not row or not row.get("step"):
        return alert("请先在上表选择一件待办理的修正申请。", "warning"), *messages(ui.STEP_FIELDS, {}), no_update
    step = row["step"]
    try:
        status = store.act(cfg.database_url, cfg.audit_key, who, row.get("id"), row.get("version"), step,
                           approve != "no", opinion, day(meeting_on), minutes, clock.today())
    except AccountError as exc:
        return *refused(exc, ui.STEP_FIELDS, "未办理，请按提示修改。"), no_update
    except PermissionDenied as exc:
        return alert(str(exc), "danger"), *messages(ui.STEP_FIELDS, {}), no_update
    return alert(f"修正申请 #{row['id']}：{STEP_LABEL[step]}已办理，当前状态：{rules.STATES[status]}。"), \
        *messages(ui.STEP_FIELDS, {}), (refresh or 0) + 1


@secure_callback(PAGE, Output("ccor-download", "data"), Input("ccor-export", "n_clicks"), prevent_initial_call=True)
def export_table(_):
    cfg = settings()
    return export(store.listing(cfg.database_url, current_actor(), clock.today()), ui.COR_COLUMNS, "林业信用数据修正")
