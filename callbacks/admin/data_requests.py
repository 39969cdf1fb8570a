"""数据共享申请 callbacks: register, upload the commitment, assess, decide (the approval shows the
issued key once, in a dialog, and nowhere else)."""
from __future__ import annotations

import datetime as dt

import polars as pl
from dash import Input, Output, State, ctx, html, no_update

from components.dialogs import DATA_REQUEST_DECISION as DECISION
from components.readonly import guard_outputs
from data.errors import AccountError
from data.regions import load_region_tree
from data.sharing import requests as applications
from domain import clock
from domain.permissions import Action, PermissionDenied
from domain.regions import CITY, COUNTY, PROVINCE
from domain.sharing.applications import Draft
from domain.supervision.workdays import working_days_between
from server.callbacks import secure_callback
from server.context import settings

from callbacks.common import alert, as_int, current_actor, dialog_step, register_dialog, sections

register_dialog(DECISION)
#: form field (as domain.sharing.applications names it) -> the id of its error line
ERRORS = {"unit": "dreq-unit-error", "contact": "dreq-contact-error", "purpose": "dreq-purpose-error",
          "scope": "dreq-fields-error", "regions": "dreq-regions-error", "period": "dreq-to-error",
          "valid_until": "dreq-until-error", "allowed_ips": "dreq-ips-error", "rate": "dreq-rate-error"}


def _deadline(row: dict, today: dt.date) -> str:
    if row["status"] not in ("submitted", "assessed"):
        return row["answer_due"]
    due = dt.date.fromisoformat(row["answer_due"])
    if today > due:
        return f"{row['answer_due']}（已超期）"
    return f"{row['answer_due']}（剩{working_days_between(today, due)}个工作日）"


@secure_callback(Action.ADMIN_VIEW, Output("dreq-grid", "rowData"), Output("dreq-regions", "options"),
                 *guard_outputs("dreq-decide-tools", "dreq-assess-tools", "dreq-commit-tools", "dreq-form"),
                 Input("dreq-refresh", "data"))
def load(_):
    cfg = settings()
    tree = load_region_tree(cfg.province)
    who = current_actor()
    rows = applications.listing(cfg.database_url, who, tree)
    today = clock.today()
    for r in rows:
        r["deadline"] = _deadline(r, today)
        if r["decidable"] and r["status"] == "assessed":
            r["state"] = "待我审批"
    units = tree.frame.filter(pl.col("level").is_in([PROVINCE, CITY, COUNTY])).select("code", "name", "level")
    options = [{"label": ("　" * (lv - 1)) + name, "value": code} for code, name, lv in units.iter_rows()]
    return (rows, options, *sections(who, Action.DATA_REQUEST_DECIDE, Action.DATA_REQUEST_ASSESS,
                                     Action.DATA_REQUEST_CREATE, Action.DATA_REQUEST_CREATE))


DETAIL = (("unit", "申请单位"), ("kind", "类型"), ("contact", "联系人"), ("purpose", "用途"), ("scope", "数据集及字段"),
          ("regions", "区域"), ("period", "数据期间"), ("personal", "个人信息"), ("valid_until", "使用有效期至"),
          ("allowed_ips", "允许IP"), ("rate", "每分钟上限"), ("received_on", "受理日期"), ("deadline", "答复期限"),
          ("risk", "风险等级"), ("risk_notes", "评估意见"), ("commitment", "保密责任书"), ("state", "状态"),
          ("opinion", "审批意见"))


@secure_callback(Action.ADMIN_VIEW, Output("dreq-detail", "children"), Input("dreq-grid", "selectedRows"))
def detail(selected):
    """The selected application in full (the grid shows a summary)."""
    row = _selected(selected)
    if row is None:
        return html.Span("选择一条申请查看详情。", className="text-muted")
    return html.Dl([item for key, label in DETAIL for item in (
        html.Dt(label, className="col-sm-2 text-muted fw-normal"),
        html.Dd(str(row.get(key) or "—"), className="col-sm-10 mb-1"))],
        className="row mb-0 border rounded p-2 bg-light")


def _date(value) -> dt.date | None:
    try:
        return dt.date.fromisoformat(str(value)[:10]) if value else None
    except ValueError:
        return None


def _scope(picked) -> dict:
    scope: dict[str, list[str]] = {}
    for item in picked or []:
        dataset, _, field = str(item).partition(".")
        scope.setdefault(dataset, [])
        if field and field not in scope[dataset]:
            scope[dataset].append(field)
    return scope


@secure_callback(Action.DATA_REQUEST_CREATE, Output("dreq-submit-result", "children"),
                 *[Output(i, "children") for i in ERRORS.values()], Output("dreq-refresh", "data", allow_duplicate=True),
                 Input("dreq-submit", "n_clicks"), State("dreq-unit", "value"), State("dreq-contact", "value"),
                 State("dreq-purpose", "value"), State("dreq-fields", "value"), State("dreq-regions", "value"),
                 State("dreq-from", "date"), State("dreq-to", "date"), State("dreq-until", "date"),
                 State("dreq-personal", "value"), State("dreq-ips", "value"), State("dreq-rate", "value"),
                 State("dreq-refresh", "data"), prevent_initial_call=True)
def submit(_, unit, contact, purpose, fields, regions, date_from, date_to, until, personal, ips, rate, refresh):
    cfg = settings()
    picked = regions if isinstance(regions, list) else [regions] if regions else []
    draft = Draft(unit=unit or "", contact=contact or "", purpose=purpose or "",
                  scope=_scope(fields if isinstance(fields, list) else [fields] if fields else []),
                  regions=[as_int(r) for r in picked[:100]],
                  data_from=_date(date_from), data_to=_date(date_to), valid_until=_date(until), personal=personal is True)
    rate_value = as_int(rate) if not isinstance(rate, float) or float(rate).is_integer() else None
    try:
        rid = applications.register(cfg.database_url, cfg.audit_key, cfg.province, current_actor(), draft, ips or "",
                                    rate_value, clock.today())
    except AccountError as exc:
        e = exc.errors
        return (alert("申请未登记，请按提示修改。", "danger"), *[e.get(k, "") for k in ERRORS], no_update)
    except PermissionDenied as exc:
        return (alert(str(exc), "danger"), *["" for _ in ERRORS], no_update)
    return (alert(f"已登记数据共享申请 #{rid}，请上传签署的保密责任书并等待风险评估。"), *["" for _ in ERRORS],
            (refresh or 0) + 1)


def _selected(selected) -> dict | None:
    return selected[0] if isinstance(selected, list) and selected and isinstance(selected[0], dict) else None


@secure_callback(Action.DATA_REQUEST_CREATE, Output("dreq-result", "children", allow_duplicate=True),
                 Output("dreq-commitment-error", "children"), Output("dreq-refresh", "data", allow_duplicate=True),
                 Input("dreq-commit", "n_clicks"), State("dreq-commitment", "contents"),
                 State("dreq-commitment", "filename"), State("dreq-grid", "selectedRows"), State("dreq-refresh", "data"),
                 prevent_initial_call=True)
def upload(_, contents, filename, selected, refresh):
    from callbacks.common import uploads

    row = _selected(selected)
    if row is None:
        return alert("请先在表格中选择一条申请。", "warning"), "", no_update
    files = uploads(contents, filename)
    if not files:
        return no_update, "请选择签署的保密责任书（PDF文件）", no_update
    cfg = settings()
    try:
        applications.attach_commitment(cfg.database_url, cfg.audit_key, current_actor(), row.get("id"), *files[0])
    except AccountError as exc:
        return no_update, "；".join(exc.errors.values()), no_update
    except PermissionDenied as exc:
        return alert(str(exc), "danger"), "", no_update
    return alert(f"已为申请 #{row.get('id')} 上传保密责任书。"), "", (refresh or 0) + 1


@secure_callback(Action.DATA_REQUEST_ASSESS, Output("dreq-result", "children", allow_duplicate=True),
                 Output("dreq-risk-level-error", "children"), Output("dreq-risk-notes-error", "children"),
                 Output("dreq-refresh", "data", allow_duplicate=True), Input("dreq-assess", "n_clicks"),
                 State("dreq-risk-level", "value"), State("dreq-risk-notes", "value"),
                 State("dreq-grid", "selectedRows"), State("dreq-refresh", "data"), prevent_initial_call=True)
def assess(_, level, notes, selected, refresh):
    row = _selected(selected)
    if row is None:
        return alert("请先在表格中选择一条申请。", "warning"), "", "", no_update
    cfg = settings()
    try:
        applications.assess(cfg.database_url, cfg.audit_key, current_actor(), row.get("id"), as_int(row.get("version")),
                            level, notes)
    except AccountError as exc:
        e = exc.errors
        if "risk_level" in e or "risk_notes" in e:
            return no_update, e.get("risk_level", ""), e.get("risk_notes", ""), no_update
        return alert("；".join(e.values()), "danger"), "", "", (refresh or 0) + 1
    except PermissionDenied as exc:
        return alert(str(exc), "danger"), "", "", no_update
    return alert(f"已记录申请 #{row.get('id')} 的风险评估。"), "", "", (refresh or 0) + 1


@secure_callback(Action.DATA_REQUEST_DECIDE, *DECISION.open_outputs(),
                 Output("dreq-result", "children", allow_duplicate=True), Input("dreq-approve", "n_clicks"),
                 Input("dreq-reject", "n_clicks"), State("dreq-grid", "selectedRows"), prevent_initial_call=True)
def ask(_a, _r, selected):
    row = _selected(selected)
    if row is None:
        return *DECISION.unchanged(), alert("请先在表格中选择一条申请。", "warning")
    decision = "approve" if ctx.triggered_id == "dreq-approve" else "reject"
    summary = html.Div([html.Div(f"数据共享申请 #{row.get('id')}：{row.get('unit', '')}", className="fw-semibold"),
                        html.Div(f"{row.get('scope', '')}", className="small"),
                        html.Div(f"区域：{row.get('regions', '')}；期间：{row.get('period', '')}；"
                                 f"风险：{row.get('risk') or '未评估'}", className="small text-muted")])
    return *DECISION.opened(decision, summary, {"id": row.get("id"), "version": row.get("version") or 0}), ""


@secure_callback(Action.DATA_REQUEST_DECIDE, Output("dreq-result", "children", allow_duplicate=True),
                 *DECISION.result_outputs(), Output("dreq-refresh", "data", allow_duplicate=True),
                 Output("dreq-key-modal", "is_open"), Output("dreq-key", "children"),
                 DECISION.confirm_input(), *DECISION.states(), State("dreq-refresh", "data"),
                 prevent_initial_call=True, running=DECISION.running())
def decide(_, pending, opinion, refresh):
    """The confirmed 批准 / 驳回; an approval opens the one-time view of the issued key."""
    issued: list[str] = []

    def act(decision, rid, version):
        cfg = settings()
        status, token = applications.decide(cfg.database_url, cfg.audit_key, current_actor(), rid, version,
                                            decision == "approve", opinion)
        if token:
            issued.append(token)
        return f"数据共享申请 #{rid} {'已批准，已签发接口密钥' if status == 'approved' else '已驳回'}。"
    answer = dialog_step(DECISION, pending, ("approve", "reject"), refresh, act)
    return (*answer, True, issued[0]) if issued else (*answer, False, "")


@secure_callback(Action.DATA_REQUEST_DECIDE, Output("dreq-key-modal", "is_open", allow_duplicate=True),
                 Output("dreq-key", "children", allow_duplicate=True), Input("dreq-key-close", "n_clicks"),
                 prevent_initial_call=True)
def forget_key(_):
    """Closing the dialog removes the key from the page."""
    return False, ""
