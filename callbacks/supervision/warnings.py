"""预警处置 callbacks: thin — the list, one warning's detail and the steps this user may take,
the step itself (with note and files), the export."""
from __future__ import annotations

import polars as pl
from dash import Input, Output, State, ctx, html, no_update

from components.attachments import file_links
from components.dialogs import WARNING_CLOSE as CLOSE_DIALOG
from components.export import send_table
from data.supervision import handling, store
from data.admin.accounts import AccountError
from data.attachments import decode_upload
from domain import clock
from domain.supervision import lifecycle as rules
from domain.permissions import Action, PermissionDenied
from domain.money import period_label, yuan_text
from server.callbacks import secure_callback
from server.inputs import Selected, declare
from server.context import log_export, settings

from ..common import alert, current_actor, dialog_step, int_param, register_dialog

register_dialog(CLOSE_DIALOG)

STATUS_FILTER = {"open": "未关闭", "closed": "已关闭", "all": "全部"}
#: the actions of the lifecycle's steps: a callback serving the steps serves whoever may take one
STEPS = tuple(rules.STEP_ACTIONS.values())
SEVERITY_COLORS = {3: "danger", 2: "warning", 1: "secondary"}
STATUS_COLORS = {"closed": "success", "verified": "info", "handled": "primary", "reopened": "danger"}
#: Chinese names of the evidence fields the rules record (unknown keys are shown as they are)
EVIDENCE_LABELS = {
    "amount_fen": "金额", "balance_fen": "余额", "limit_fen": "限额", "threshold_fen": "限额", "min_fen": "起点金额",
    "reserve_price_fen": "挂牌底价", "deal_price_fen": "成交价", "outstanding_fen": "未结清金额",
    "received_fen": "已收金额", "due_fen": "应收金额", "deposited_fen": "期间存入银行", "income_fen": "现金收入",
    "ratio": "比例", "date": "日期", "due_on": "应收日期", "paid_on": "付款日期", "request_date": "申请日期",
    "held_on": "会议日期", "start_on": "开始日期", "end_on": "结束日期", "signed_on": "签订日期", "days": "天数",
    "years": "年数", "counterparty": "对方", "payee": "收款人", "purpose": "用途", "account": "科目",
    "contract_id": "合同编号", "contract_number": "合同编号", "voucher_id": "凭证号", "payment_request_id": "付款申请号",
    "asset_id": "资产编号", "listing_id": "交易项目号", "resource_id": "资源编号", "year": "年度", "period": "期间",
    "count": "笔数", "p_value": "p值", "mad": "平均绝对偏差", "median_fen": "中位数", "z": "Z值阈值",
    "as_of": "截至", "since": "起始日期", "peak_fen": "最高余额", "deadline": "期限", "voucher_ids": "凭证",
    "asset_event_id": "资产变动记录", "act": "事项", "original_value_fen": "原值", "resolution_id": "引用决议",
    "status": "状态", "owed_fen": "欠款", "late_receipts": "到期后收款笔数", "last_receipt": "最近收款日期",
    "instalment_id": "分期记录", "days_overdue": "逾期天数", "grace_days": "宽限天数", "days_left": "剩余天数",
    "percent": "判定阈值（%）", "ratio_percent": "判定阈值（%）", "filed_on": "报送日期", "annual_check_id": "清查记录",
    "spend_fen": "本月支出", "mad_fen": "绝对中位差", "robust_z": "稳健Z值", "months": "比较月数",
    "limit_source": "限额来源", "threshold": "阈值",
}
#: Chinese for the coded values the rules record
EVIDENCE_VALUES = {"disposal": "处置", "lease": "出租", "pledge": "抵押", "payment": "付款", "borrowing": "借款",
                   "transfer": "转让", "active": "履行中", "expired": "已到期", "terminated": "已终止"}
# the cross-domain rule credit_blacklisted_counterparty (issue 15 lane E): the contract or payment and the credit record
EVIDENCE_LABELS.update({
    "credit_record_id": "失信记录编号", "credit_subject_id": "信用主体编号", "credit_title": "失信行为",
    "credit_type": "失信类型", "credit_document_no": "失信决定文书号", "credit_decided_on": "失信决定日期",
    "publicity_until": "公示截止日期", "credit_department": "认定部门", "counterparty_name": "对方",
    "counterparty_id": "对方证件号码", "counterparty_id_type": "对方证件类型", "contract_status": "合同状态",
    "payment_status": "付款申请状态"})
EVIDENCE_VALUES.update({"resident": "居民身份证", "uscc": "统一社会信用代码", "other": "其他证件"})



def _evidence_value(key: str, value):
    if value is None:
        return "无"
    if isinstance(value, str):
        return EVIDENCE_VALUES.get(value, value)
    if isinstance(value, bool):
        return "是" if value else "否"
    if key == "period" and isinstance(value, int) and 190001 <= value <= 299912:
        return period_label(value)
    if key.endswith("_fen") and isinstance(value, (int, float)) and not isinstance(value, bool):
        return yuan_text(value)
    if isinstance(value, list):
        if value and all(isinstance(v, dict) for v in value):
            return html.Ul([html.Li("；".join(f"{EVIDENCE_LABELS.get(k, k)}：{_plain(k, v)}" for k, v in item.items()))
                            for item in value[:50]], className="mb-0 ps-3")
        return "、".join(str(v) for v in value[:50]) + ("……" if len(value) > 50 else "")
    if isinstance(value, dict):
        return "；".join(f"{EVIDENCE_LABELS.get(k, k)}：{_plain(k, v)}" for k, v in value.items())
    return str(value)


def _plain(key, value) -> str:
    out = _evidence_value(key, value)
    return out if isinstance(out, str) else str(value)


def evidence_block(evidence: dict):
    if not evidence:
        return html.P("无证据记录。", className="text-muted mb-0")
    return html.Table(html.Tbody([html.Tr([html.Th(EVIDENCE_LABELS.get(k, k), className="text-nowrap pe-3"),
                                           html.Td(_evidence_value(k, v))]) for k, v in evidence.items()]),
                      className="table table-sm mb-0", id="warn-evidence")


def trail_block(trail: list[dict]):
    if not trail:
        return html.P("尚无办理记录。", className="text-muted mb-0")
    items = []
    for ev in trail:
        items.append(html.Li(className="mb-2", children=[
            html.Div([html.Span(ev["at"], className="text-muted me-2"),
                      html.Span(ev["action_label"], className="fw-semibold me-2"),
                      html.Span(f"{ev['from_label']} → {ev['to_label']}" if ev["from_label"] else ev["to_label"],
                                className="me-2"),
                      html.Span(ev["by"], className="text-muted")]),
            html.Div(ev["note"], className="small") if ev["note"] else None,
            file_links(ev["files"]) if ev["files"] else None,
        ]))
    return html.Ol(items, className="ps-3 mb-0", id="warn-trail")


def detail_block(d: dict):
    sev = d["severity"]
    rule = d["rule"]
    head = html.Div(className="mb-2", children=[
        html.Span(f"{d['severity_label']}级", className=f"badge bg-{SEVERITY_COLORS.get(sev, 'secondary')} me-2"),
        html.Span(d["status_label"], className=f"badge bg-{STATUS_COLORS.get(d['status'], 'secondary')} me-2",
                  id="warn-detail-status"),
        html.Span("已逾期", className="badge bg-danger me-2") if d["overdue"] else None,
        html.Span(f"#{d['id']} {d['title']}", className="fw-semibold"),
    ])
    assigned = d["assigned_name"] + (f"（逾期升级{d['escalations']}次）" if d["escalations"] else "")
    facts = [("规则", rule["name"]), ("依据", rule["article"] or "—"), ("规则说明", rule.get("description") or "—"),
             ("村（社区）", d["region_name"]), ("责任单位", assigned), ("发现日期", d["raised_on"] or "—"),
             ("办理期限", (d["due_on"] or "—") + "（按工作日计）" + d.get("due_note", ""))]
    if d.get("resolved_in_data_on"):
        facts.append(("数据复核", f"{d['resolved_in_data_on']} 起数据已不再显示该问题（仍须人工核实后关闭）"))
    table = html.Table(html.Tbody([html.Tr([html.Th(k, className="text-nowrap pe-3"), html.Td(v)]) for k, v in facts]),
                       className="table table-sm mb-2", id="warn-facts")
    return html.Div([head, table, html.H3("证据", className="h6 mt-2"), evidence_block(d["evidence"]),
                     html.H3("办理记录", className="h6 mt-3"), trail_block(d["trail"])], id=f"warn-detail-{d['id']}")



declare("warn-selected", "data", Selected | None)  # the record the forms act on: {"id", "version", ...}

@secure_callback(Action.WARNING_WORK, Output("warn-grid", "rowData"), Output("warn-rule", "options"),
                 Output("warn-count", "children"), Input("warn-refresh", "data"), Input("warn-status", "value"),
                 Input("warn-rule", "value"))
def load(_, status, rule_id):
    rows = store.list_warnings(settings().database_url, current_actor(), clock.today(), status=status or "open",
                               rule_id=rule_id or None)
    options = [{"label": r.name, "value": r.id} for r in rules.RULES.values()]
    note = f"共 {len(rows):,} 条" + ("（仅显示前 5,000 条，请按规则筛选）" if len(rows) >= store.LIMIT else "")
    return rows, options, note


#: the steps taken with the note and files of the form; 办结 asks first (the dialog)
FORM_STEPS = ("acknowledge", "handle", "verify", "reopen")
STEP_IDS = {f"warn-step-{a}": a for a in FORM_STEPS}


@secure_callback(Action.WARNING_WORK, Output("warn-detail", "children"), Output("warn-actions-note", "children"),
                 Output("warn-selected", "data"), Output("warn-form", "hidden"),
                 *[Output(f"warn-step-{a}-tools", "hidden") for a in rules.STEP_BUTTONS],
                 Input("warn-grid", "selectedRows"), Input("url", "hash"), Input("warn-refresh", "data"))
def show(rows, hash_, _):
    """The selected warning and a button for each step this user may take on it now, each named
    by what it does; the warning's version goes with them (a click on a step of an older page is stale)."""
    none = tuple(True for _ in rules.STEP_BUTTONS)
    wid = None
    if rows:
        try:
            wid = int(rows[0]["id"])
        except (KeyError, TypeError, ValueError):
            wid = None
    if wid is None:
        wid = int_param(hash_, "warning")
    if wid is None:
        return html.P("请在左侧选择一条预警。", className="text-muted"), "", None, True, *none
    actor = current_actor()
    try:
        d = store.detail(settings().database_url, actor, wid, clock.today())
    except PermissionDenied as exc:
        return alert(str(exc), "danger"), "", None, True, *none
    offered = [a for a in d["actions"] if a in rules.STEP_BUTTONS]
    if offered:
        note = "您可以：" + "、".join(rules.ACTION_LABELS[a] for a in offered) + "。"
    else:
        note = f"您对该预警暂无可办理的操作（当前状态：{d['status_label']}，责任单位：{d['assigned_name']}）。"
    return (detail_block(d), note, {"id": d["id"], "version": d["version"]},
            not any(a in FORM_STEPS for a in offered), *[a not in offered for a in rules.STEP_BUTTONS])


def _no_change(message):
    return message, "", "", "", no_update, no_update, no_update, no_update


@secure_callback(STEPS, Output("warn-result", "children"), Output("warn-action-error", "children"),
                 Output("warn-note-error", "children"), Output("warn-files-error", "children"),
                 Output("warn-refresh", "data"), Output("warn-note", "value"), Output("warn-files", "contents"),
                 Output("warn-files", "filename"), *[Input(i, "n_clicks") for i in STEP_IDS],
                 State("warn-selected", "data"), State("warn-note", "value"), State("warn-files", "contents"),
                 State("warn-files", "filename"), State("warn-refresh", "data"), prevent_initial_call=True,
                 running=[(Output(f"warn-step-{a}", "disabled"), True, False) for a in rules.STEP_BUTTONS])
def submit(*args):
    """The step of the button clicked, on the warning as the page showed it: a click from a page
    drawn before the warning changed is refused as stale, never taken as the next step."""
    *_, selected, note, contents, names, refresh = args
    action = STEP_IDS.get(ctx.triggered_id)
    if action is None:
        return _no_change(no_update)
    if not selected or "id" not in selected:
        return _no_change(alert("请先选择一条预警。", "warning"))
    contents = contents if isinstance(contents, list) else ([contents] if contents else [])
    names = names if isinstance(names, list) else ([names] if names else [])
    files = [(n, decode_upload(c)) for n, c in zip(names, contents)]
    cfg = settings()
    try:
        status = handling.act(cfg.database_url, cfg.audit_key, current_actor(), int(selected["id"]), action,
                              note, files, int(selected.get("version") or 0), clock.today(), now=clock.now())
    except AccountError as exc:
        e = exc.errors
        stale = "_" in e
        return (alert(e.get("_", "未办理，请按提示修改。"), "warning" if stale else "danger"), e.get("action", ""),
                e.get("note", ""), e.get("attachments", ""), (refresh or 0) + 1 if stale else no_update,
                no_update, no_update, no_update)
    except PermissionDenied as exc:
        return _no_change(alert(str(exc), "danger"))
    label = rules.ACTION_LABELS.get(action, action)
    files_note = f"，附件 {len(files)} 个" if files else ""
    return (alert(f"已{label}：预警 #{selected['id']} 现为“{rules.STATUS_LABELS[status]}”{files_note}。"), "", "", "",
            (refresh or 0) + 1, "", None, None)


@secure_callback(Action.WARNING_CLOSE, *CLOSE_DIALOG.open_outputs(),
                 Output("warn-result", "children", allow_duplicate=True), Input("warn-step-close", "n_clicks"),
                 State("warn-selected", "data"), prevent_initial_call=True)
def ask_close(_, selected):
    """办结 asks first: closing is the one step that cannot be taken back."""
    if not selected or "id" not in selected:
        return *CLOSE_DIALOG.unchanged(), alert("请先选择一条预警。", "warning")
    summary = html.Div([html.Div(f"办结预警 #{selected['id']}：关闭后该预警不再出现在未处理清单中。", className="fw-semibold"),
                        html.Div("如对办理结果有疑问，请取消并选择“退回重办”。", className="small text-muted")])
    return *CLOSE_DIALOG.opened("close", summary, {"id": selected["id"], "version": selected.get("version")}), ""


@secure_callback(Action.WARNING_CLOSE, Output("warn-result", "children", allow_duplicate=True),
                 *CLOSE_DIALOG.result_outputs(), Output("warn-refresh", "data", allow_duplicate=True),
                 CLOSE_DIALOG.confirm_input(), *CLOSE_DIALOG.states(), State("warn-refresh", "data"),
                 prevent_initial_call=True, running=CLOSE_DIALOG.running())
def close(_, pending, opinion, refresh):
    """The confirmed 办结: the warning as the page showed it (a changed one is refused as stale)."""
    def act(_decision, wid, version):
        cfg = settings()
        status = handling.act(cfg.database_url, cfg.audit_key, current_actor(), wid, "close", opinion, [], version,
                              clock.today(), now=clock.now())
        return f"已办结：预警 #{wid} 现为“{rules.STATUS_LABELS[status]}”。"
    return dialog_step(CLOSE_DIALOG, pending, ("close",), refresh, act, field="note")


@secure_callback(STEPS, Output("warn-files-names", "children"), Input("warn-files", "filename"),
                 prevent_initial_call=True)
def file_names(names):
    names = names if isinstance(names, list) else ([names] if names else [])
    return ("已选择：" + "、".join(names)) if names else ""


EXPORT_COLUMNS = [("id", "编号", None), ("severity_label", "级别", None), ("rule_name", "规则", None),
                  ("region_name", "村（社区）", None), ("region_code", "区划代码", None), ("title", "预警内容", None),
                  ("status_label", "状态", None), ("assigned_name", "责任单位", None), ("raised_on", "发现日期", None),
                  ("due_on", "办理期限", None), ("overdue_label", "逾期", None), ("escalations", "升级次数", None)]


@secure_callback(Action.WARNING_WORK, Output("warn-download", "data"), Input("warn-export", "n_clicks"),
                 State("warn-status", "value"), State("warn-rule", "value"), prevent_initial_call=True)
def export(_, status, rule_id):
    actor = current_actor()
    rows = store.list_warnings(settings().database_url, actor, clock.today(), status=status or "open",
                               rule_id=rule_id or None)
    frame = pl.DataFrame(rows, schema={c: pl.String if c not in ("id", "region_code", "escalations") else pl.Int64
                                       for c, _, _ in EXPORT_COLUMNS}, strict=False) if rows else \
        pl.DataFrame(schema={c: pl.String for c, _, _ in EXPORT_COLUMNS})
    which = STATUS_FILTER.get(status or "open", "全部")
    title = f"监督预警（{which}，截至{clock.today().isoformat()}）"
    data = send_table(frame, EXPORT_COLUMNS, title)
    log_export("监督预警清单", frame.height, actor.scope.root)
    return data
