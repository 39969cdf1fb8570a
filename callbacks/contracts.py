"""合同管理 callbacks: the register and one contract's detail, the forms (sign or correct, receipt,
renewal, termination, scans), and the 到期与逾期 lists with their logged Excel export."""
from __future__ import annotations

import datetime as dt

import polars as pl
from dash import Input, Output, State, ctx, html, no_update
from dash.exceptions import PreventUpdate

from components.attachments import file_links
from components.export import send_table
from components.record_history import history_table
from data import contracts
from data.errors import AccountError, StaleEdit
from domain import clock
from domain import contracts as rules
from domain.permissions import Action, may
from domain.money import yuan, yuan_text
from server.callbacks import secure_callback
from server.inputs import Selected, declare
from server.context import log_export, settings

from .common import alert, as_int, current_actor, uploads

#: error field of data.contracts -> form field id, per form
CONTRACT_FIELDS = {"subject": "ct-subject", "kind": "ct-kind", "frequency": "ct-frequency", "title": "ct-title",
                   "counterparty": "ct-counterparty", "counterparty_id": "ct-id", "amount": "ct-amount",
                   "signed_on": "ct-signed", "start_on": "ct-start", "end_on": "ct-end", "resolution": "ct-resolution",
                   "attachments": "ct-scan"}
RECEIPT_FIELDS = {"instalment": "ct-rc-instalment", "amount": "ct-rc-amount", "received_on": "ct-rc-date"}
RENEWAL_FIELDS = {"end_on": "ct-rn-end", "amount": "ct-rn-amount", "frequency": "ct-rn-frequency",
                  "signed_on": "ct-rn-signed", "resolution": "ct-rn-resolution"}
TERMINATION_FIELDS = {"terminated_on": "ct-tm-date", "reason": "ct-tm-reason"}
HISTORY_LABELS = {
    "number": "合同编号", "title": "名称", "kind": "类型", "counterparty": "对方", "counterparty_id": "对方证件号码",
    "subject_type": "标的类型", "amount_fen": "合同金额（元）", "signed_on": "签订日期", "start_on": "起始日期",
    "end_on": "终止日期", "status": "状态", "resolution_id": "引用决议", "renewed_from_id": "续签自合同",
    "terminated_on": "提前终止日期", "termination_reason": "终止原因",
}
HISTORY_FORMATS = {"amount_fen": yuan, "status": lambda v: rules.STATUS_LABELS.get(v, v),
                   "kind": lambda v: rules.KIND_LABELS.get(v, v),
                   "subject_type": lambda v: {"resource": "资源", "asset": "资产"}.get(v, v),
                   "resolution_id": lambda v: f"决议 #{v}", "renewed_from_id": lambda v: f"合同 #{v}"}
EXPORTS = {
    "ct-expiring-export": ("90天内到期的合同", [("number", "合同编号", None), ("title", "名称", None),
                                            ("counterparty", "对方", None), ("amount_fen", "合同金额（元）", "fen"),
                                            ("end_on", "终止日期", None), ("days_left", "剩余天数", None),
                                            ("note", "提示", None), ("org", "集体经济组织", None),
                                            ("region_code", "区划代码", None)]),
    "ct-overdue-export": ("逾期未收款项", [("number", "合同编号", None), ("counterparty", "对方", None), ("seq", "期次", None),
                                      ("due_on", "应收日期", None), ("amount_fen", "应收（元）", "fen"),
                                      ("received_fen", "已收（元）", "fen"), ("outstanding_fen", "尚欠（元）", "fen"),
                                      ("days_overdue", "逾期天数", None), ("status_label", "合同状态", None),
                                      ("org", "集体经济组织", None), ("region_code", "区划代码", None)]),
}



def _errors(exc: AccountError, fields: dict[str, str]) -> list[str]:
    by_id = {fields[f]: m for f, m in exc.errors.items() if f in fields}
    return [by_id.get(i, "") for i in fields.values()]


def _selected(store) -> tuple[int, int] | None:
    try:
        return int(store["id"]), int(store["version"])
    except (TypeError, KeyError, ValueError):
        return None


def _refused(exc: AccountError, fields: dict[str, str]):
    """The outcome and per-field messages of a refusal. A stale edit keeps the form as typed."""
    if isinstance(exc, StaleEdit):
        return alert(f"{exc}（您填写的内容仍保留在表单中）", "danger"), [""] * len(fields)
    return alert(exc.errors.get("_", "未办理，请按提示修改。"), "danger"), _errors(exc, fields)


# ------------------------------------------------------------------ register and detail


declare("ct-selected-store", "data", Selected | None)  # the record the forms act on: {"id", "version", ...}

@secure_callback(Action.BUSINESS_VIEW, Output("ct-grid", "rowData"), Output("ct-subject", "options"),
                 Output("ct-forms-panel", "hidden"), Input("ct-refresh", "data"), Input("ct-reload", "n_clicks"))
def load(*_):
    cfg = settings()
    actor = current_actor()
    handling = may(actor, Action.CONTRACT_SAVE)
    subjects = contracts.subjects(cfg.database_url, actor) if handling else []
    return (contracts.list_contracts(cfg.database_url, actor),
            [{"label": s["label"], "value": s["value"]} for s in subjects], not handling)


@secure_callback(Action.CONTRACT_SAVE, Output("ct-resolution", "options"), Input("ct-subject", "value"))
def resolution_options(subject):
    cfg = settings()
    actor = current_actor()
    org_id = contracts.subject_org(cfg.database_url, actor, subject)
    if org_id is None:
        return []
    return [{"label": r["label"], "value": r["id"]} for r in contracts.resolutions(cfg.database_url, actor, org_id)]


@secure_callback(Action.CONTRACT_SAVE, Output("ct-scan-names", "children"), Input("ct-scan", "filename"))
def scan_names(names):
    return "、".join(names if isinstance(names, list) else [names]) if names else ""


@secure_callback(Action.CONTRACT_SAVE, Output("ct-file-names", "children"), Input("ct-file", "filename"))
def file_names(names):
    return "、".join(names if isinstance(names, list) else [names]) if names else ""


def _detail_view(d: dict):
    receipts = html.Ul([html.Li(f"{r['received_on']} 第{r['seq']}期 {yuan_text(r['amount_fen'])}"
                                + (f"（{r['by']}）" if r["by"] else "")) for r in d["receipts"]], className="mb-0 ps-3") \
        if d["receipts"] else html.Span("暂无收款", className="text-muted")
    ended = html.Div(f"已于 {d['terminated_on']} 提前终止：{d['termination_reason']}", className="alert alert-secondary py-1") \
        if d["terminated_on"] else ""
    return receipts, file_links(d["files"]), ended, history_table(d["history"], HISTORY_LABELS, formats=HISTORY_FORMATS)


@secure_callback(Action.BUSINESS_VIEW, Output("ct-selected-store", "data"), Output("ct-selected", "children"),
                 Output("ct-detail-title", "children"), Output("ct-inst-grid", "rowData"), Output("ct-receipts", "children"),
                 Output("ct-files", "children"), Output("ct-termination", "children"), Output("ct-history", "children"),
                 Output("ct-rc-instalment", "options"), Output("ct-rn-resolution", "options"),
                 Input("ct-grid", "selectedRows"), Input("ct-refresh", "data"), Input("ct-reload", "n_clicks"))
def selected(rows, *_):
    row = rows[0] if rows else None
    try:
        cid = int(row["id"])
    except (TypeError, KeyError, ValueError):
        return None, "未选择合同：可在“新签/修改”中签订新合同。", "合同详情", [], "", "", "", "", [], []
    cfg = settings()
    actor = current_actor()
    d = contracts.detail(cfg.database_url, actor, cid)
    instalments = [{"label": f"第{i['seq']}期 {i['due_on']} 尚欠 {yuan_text(i['outstanding_fen'])}",
                    "value": i["id"]} for i in d["instalments"] if i["outstanding_fen"] > 0]
    resolutions = [{"label": r["label"], "value": r["id"]} for r in contracts.resolutions(cfg.database_url, actor, d["org_id"])] \
        if may(actor, Action.CONTRACT_RENEW) else []
    store = {"id": d["id"], "version": d["version"], "status": d["status"]}
    return (store, f"所选合同：{d['number']}（{d['status_label']}）", f"合同详情：{d['number']} {d['title']}",
            d["instalments"], *_detail_view(d), instalments, resolutions)


@secure_callback(Action.CONTRACT_SAVE, Output("ct-kind", "value"), Output("ct-frequency", "value"),
                 Output("ct-title", "value"), Output("ct-counterparty", "value"), Output("ct-id-type", "value"),
                 Output("ct-id", "value"), Output("ct-amount", "value"), Output("ct-signed", "date"),
                 Output("ct-start", "date"), Output("ct-end", "date"),
                 Output("ct-result", "children", allow_duplicate=True), Input("ct-load", "n_clicks"),
                 State("ct-selected-store", "data"), prevent_initial_call=True)
def load_for_edit(_, store):
    sel = _selected(store)
    if sel is None:
        return *[no_update] * 10, alert("请先在左侧选择一份合同。", "warning")
    d = contracts.detail(settings().database_url, current_actor(), sel[0])
    if d["kind"] not in rules.KINDS:
        return *[no_update] * 10, alert(f"{rules.KIND_LABELS.get(d['kind'], d['kind'])}合同不能在此修改。", "warning")
    return (d["kind"], d["frequency"], d["title"], d["counterparty"], d["counterparty_id_type"], d["counterparty_id"],
            yuan(d["amount_fen"]), d["signed_on"], d["start_on"], d["end_on"],
            alert(f"已载入合同 {d['number']}，修改后点“保存修改”。", "info"))


# ------------------------------------------------------------------ writes

@secure_callback(Action.CONTRACT_SAVE, Output("ct-result", "children"),
                 *[Output(f"{i}-error", "children") for i in CONTRACT_FIELDS.values()],
                 Output("ct-refresh", "data", allow_duplicate=True), Output("ct-scan", "contents"),
                 Input("ct-create", "n_clicks"), Input("ct-save", "n_clicks"), State("ct-selected-store", "data"),
                 State("ct-subject", "value"), State("ct-kind", "value"), State("ct-frequency", "value"),
                 State("ct-title", "value"), State("ct-counterparty", "value"), State("ct-id-type", "value"),
                 State("ct-id", "value"), State("ct-amount", "value"), State("ct-signed", "date"),
                 State("ct-start", "date"), State("ct-end", "date"), State("ct-resolution", "value"),
                 State("ct-scan", "contents"), State("ct-scan", "filename"), State("ct-refresh", "data"),
                 prevent_initial_call=True)
def submit(_c, _s, store, subject, kind, frequency, title, counterparty, id_type, id_number, amount, signed, start,
           end, resolution, scan, scan_names, refresh):
    cfg = settings()
    actor = current_actor()
    draft = rules.ContractDraft(kind=kind or "", title=title or "", counterparty=counterparty or "",
                                counterparty_id_type=id_type or "", counterparty_id=id_number or "", amount=amount or "",
                                frequency=frequency or "", signed_on=rules.parse_date(signed),
                                start_on=rules.parse_date(start), end_on=rules.parse_date(end))
    blank = [""] * len(CONTRACT_FIELDS)
    try:
        if ctx.triggered_id == "ct-save":
            sel = _selected(store)
            if sel is None:
                return alert("请先在左侧选择一份合同，并点“载入所选合同”。", "warning"), *blank, no_update, no_update
            contracts.edit(cfg.database_url, cfg.audit_key, actor, sel[0], draft, sel[1], clock.today())
            return alert("已保存修改。"), *blank, (refresh or 0) + 1, no_update
        cid = contracts.create(cfg.database_url, cfg.audit_key, actor, subject, draft,
                               int(resolution) if resolution else None, clock.today(), uploads(scan, scan_names))
    except AccountError as exc:
        message, errors = _refused(exc, CONTRACT_FIELDS)
        return message, *errors, no_update, no_update
    return alert(f"已签订合同 #{cid}，收款计划已生成。"), *blank, (refresh or 0) + 1, None


def _contract_step(store, fields: dict, act, done, refresh):
    """One step on the selected contract: `act(cfg, actor, contract_id, version)` does it (a refusal
    lands next to its `fields`), `done(result)` says what happened; the grid is refreshed."""
    sel = _selected(store)
    blank = [""] * len(fields)
    if sel is None:
        return alert("请先在左侧选择一份合同。", "warning"), *blank, no_update
    try:
        result = act(settings(), current_actor(), *sel)
    except AccountError as exc:
        message, errors = _refused(exc, fields)
        return message, *errors, no_update
    return alert(done(result)), *blank, (refresh or 0) + 1


@secure_callback(Action.CONTRACT_RECEIPT, Output("ct-rc-result", "children"),
                 *[Output(f"{i}-error", "children") for i in RECEIPT_FIELDS.values()],
                 Output("ct-refresh", "data", allow_duplicate=True), Input("ct-rc-submit", "n_clicks"),
                 State("ct-selected-store", "data"), State("ct-rc-instalment", "value"), State("ct-rc-amount", "value"),
                 State("ct-rc-date", "date"), State("ct-refresh", "data"), prevent_initial_call=True)
def receipt(_, store, instalment, amount, day, refresh):
    return _contract_step(store, RECEIPT_FIELDS, lambda cfg, actor, cid, version: contracts.add_receipt(
        cfg.database_url, cfg.audit_key, actor, cid, as_int(instalment), amount or "", rules.parse_date(day), version,
        clock.today()), lambda _: f"已登记收款 {amount} 元。", refresh)


@secure_callback(Action.CONTRACT_RENEW, Output("ct-rn-result", "children"),
                 *[Output(f"{i}-error", "children") for i in RENEWAL_FIELDS.values()],
                 Output("ct-refresh", "data", allow_duplicate=True), Input("ct-rn-submit", "n_clicks"),
                 State("ct-selected-store", "data"), State("ct-rn-end", "date"), State("ct-rn-amount", "value"),
                 State("ct-rn-frequency", "value"), State("ct-rn-signed", "date"), State("ct-rn-resolution", "value"),
                 State("ct-refresh", "data"), prevent_initial_call=True)
def renew(_, store, end, amount, frequency, signed, resolution, refresh):
    return _contract_step(store, RENEWAL_FIELDS, lambda cfg, actor, cid, version: contracts.renew(
        cfg.database_url, cfg.audit_key, actor, cid, amount or "", frequency or "", rules.parse_date(end),
        rules.parse_date(signed), as_int(resolution), version, clock.today()),
        lambda new_id: f"已续签，新合同 #{new_id}。", refresh)


@secure_callback(Action.CONTRACT_TERMINATE, Output("ct-tm-result", "children"),
                 *[Output(f"{i}-error", "children") for i in TERMINATION_FIELDS.values()],
                 Output("ct-refresh", "data", allow_duplicate=True), Input("ct-tm-submit", "n_clicks"),
                 State("ct-selected-store", "data"), State("ct-tm-date", "date"), State("ct-tm-reason", "value"),
                 State("ct-refresh", "data"), prevent_initial_call=True)
def terminate(_, store, day, reason, refresh):
    def done(arrears):
        owed = f"，尚欠 {yuan_text(arrears)}仍列为逾期欠款" if arrears else ""
        return f"合同已终止{owed}。"

    return _contract_step(store, TERMINATION_FIELDS, lambda cfg, actor, cid, version: contracts.terminate(
        cfg.database_url, cfg.audit_key, actor, cid, rules.parse_date(day), reason or "", version, clock.today()),
        done, refresh)


@secure_callback(Action.CONTRACT_SAVE, Output("ct-file-result", "children"), Output("ct-file-error", "children"),
                 Output("ct-refresh", "data", allow_duplicate=True), Output("ct-file", "contents"),
                 Input("ct-file-submit", "n_clicks"), State("ct-selected-store", "data"), State("ct-file", "contents"),
                 State("ct-file", "filename"), State("ct-refresh", "data"), prevent_initial_call=True)
def upload(_, store, contents, names, refresh):
    sel = _selected(store)
    if sel is None:
        return alert("请先在左侧选择一份合同。", "warning"), "", no_update, no_update
    cfg = settings()
    try:
        ids = contracts.attach(cfg.database_url, cfg.audit_key, current_actor(), sel[0], uploads(contents, names))
    except AccountError as exc:
        return alert("未上传。", "danger"), exc.errors.get("attachments", str(exc)), no_update, no_update
    return alert(f"已上传 {len(ids)} 个附件（已记录SHA-256校验值）。"), "", (refresh or 0) + 1, None


# ------------------------------------------------------------------ 到期与逾期

def _as_of(value) -> dt.date:
    return rules.parse_date(value) or clock.today()


@secure_callback(Action.BUSINESS_VIEW, Output("ct-expiring-grid", "rowData"), Output("ct-overdue-grid", "rowData"),
                 Output("ct-due-note", "children"), Input("ct-tabs", "active_tab"), Input("ct-due-asof", "date"),
                 Input("ct-refresh", "data"))
def due(tab, as_of, _):
    """Read when the tab is opened (and again on a new date or after a change), so it is current."""
    if tab != "due":
        raise PreventUpdate
    day = _as_of(as_of)
    ending, late = contracts.due_lists(settings().database_url, current_actor(), day)
    owed = sum(r["outstanding_fen"] for r in late)
    return ending, late, (f"截至 {day}：{len(ending):,} 份合同90天内到期或已过期；{len(late):,} 期款项逾期未收，"
                          f"共欠 {yuan_text(owed)}。")


@secure_callback(Action.BUSINESS_VIEW, Output("ct-download", "data"), Input("ct-expiring-export", "n_clicks"),
                 Input("ct-overdue-export", "n_clicks"), State("ct-due-asof", "date"), prevent_initial_call=True)
def export(_e, _o, as_of):
    which = ctx.triggered_id if ctx.triggered_id in EXPORTS else "ct-overdue-export"
    day = _as_of(as_of)
    ending, late = contracts.due_lists(settings().database_url, current_actor(), day)
    rows = ending if which == "ct-expiring-export" else late
    label, columns = EXPORTS[which]
    numeric = {"seq", "days_left", "days_overdue", "region_code"}
    schema = {c: pl.Int64 if kind == "fen" or c in numeric else pl.String for c, _, kind in columns}
    frame = pl.DataFrame([{c: r.get(c) for c in schema} for r in rows], schema=schema)
    title = f"{label}（截至{day}）"
    log_export(title, frame.height, current_actor().scope.root)
    return send_table(frame, columns, title)
