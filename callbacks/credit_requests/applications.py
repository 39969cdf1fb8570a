"""/credit/applications: apply (a subject: conditional-open; a public body: conditional-shared),
the table (applicants: their own; the data unit: its inbox with due dates), the reply, the
commitment and the read of granted data (data.credit.requests.granted_records)."""
from __future__ import annotations

from dash import Input, Output, State, html, no_update

from callbacks.common import alert, current_actor
from components import credit_requests as ui
from data.credit import requests as store
from data.errors import AccountError
from data.regions import load_region_tree
from domain import clock
from domain.credit.codes import RECORD_KINDS
from domain.credit.requests import SHARE_FIELDS, Ask
from domain.permissions import Action, PermissionDenied, may
from domain.regions import COUNTY
from server.callbacks import secure_callback
from server.context import settings

from .common import day, error_outputs, export, messages, refused, section_state, selected

PAGE = (Action.CREDIT_OPEN_APPLY, Action.CREDIT_SHARE_APPLY, Action.CREDIT_APPLICATION_DECIDE)
APPLY = (Action.CREDIT_OPEN_APPLY, Action.CREDIT_SHARE_APPLY)


@secure_callback(PAGE, Output("capp-grid", "rowData"), Output("capp-badges", "children"),
                 Output("capp-regions", "options"), Output("capp-share-only", "hidden"),
                 Output("capp-apply-hint", "children"), Output("capp-kind", "data"),
                 Output("capp-apply-section", "hidden"), Output("capp-apply-section-note", "children"),
                 Output("capp-decide-section", "hidden"), Output("capp-decide-section-note", "children"),
                 Output("capp-mine-section", "hidden"), Output("capp-mine-section-note", "children"),
                 Input("capp-refresh", "data"))
def load(_):
    cfg, who = settings(), current_actor()
    rows = store.listing(cfg.database_url, who, clock.today())
    share = may(who, Action.CREDIT_SHARE_APPLY)
    options = []
    if share:
        tree = load_region_tree(cfg.province)
        counties = tree.descendants(tree.root, level=COUNTY)
        options = [{"label": tree.name(tree.root), "value": tree.root}] + [
            {"label": name, "value": int(code)} for code, name in zip(counties["code"], counties["name"])]
    hint = ("有条件共享类数据：写明数据类别、区域、期间、字段、用途和履职依据；申请单位为本账号登记的机构。" if share
            else "有条件开放类数据：只能申请本人（本账号关联的信用主体）的数据。")
    kind = "share" if share else "open"
    decider = may(who, Action.CREDIT_APPLICATION_DECIDE)
    return (rows, ui.due_summary(rows), options, not share, hint, kind, *section_state(who, APPLY, decider),
            *section_state(who, (Action.CREDIT_APPLICATION_DECIDE,), not decider), *section_state(who, APPLY, decider))


@secure_callback(APPLY, Output("capp-result", "children"), *error_outputs(ui.APP_FIELDS),
                 Output("capp-refresh", "data", allow_duplicate=True), Input("capp-submit", "n_clicks"),
                 State("capp-kinds", "value"), State("capp-from", "date"), State("capp-to", "date"),
                 State("capp-regions", "value"), State("capp-fields", "value"), State("capp-purpose", "value"),
                 State("capp-basis", "value"), State("capp-commitment", "value"), State("capp-commitment-name", "value"),
                 State("capp-commitment-on", "date"), State("capp-kind", "data"), State("capp-refresh", "data"),
                 prevent_initial_call=True)
def submit(_, kinds, date_from, date_to, regions, fields, purpose, basis, commitment, name, signed_on, kind, refresh):
    """The application of the kind the page drew for the role (data.credit.requests.apply
    refuses a kind the role may not ask)."""
    cfg, who = settings(), current_actor()
    kind = "share" if kind == "share" else "open"
    ask = Ask(list(kinds or []), day(date_from), day(date_to),
              [int(r) for r in regions or [] if str(r).isdigit()] if kind == "share" else [],
              list(fields or []) if kind == "share" else [])
    signed = "yes" in (commitment or [])
    try:
        aid = store.apply(cfg.database_url, cfg.audit_key, who, kind, purpose, basis, ask, clock.today(),
                          (True, name, day(signed_on)) if signed else None)
    except AccountError as exc:
        return *refused(exc, ui.APP_FIELDS, "未提交，请按提示修改。"), no_update
    note = "" if signed else "（尚未签署承诺书：获同意后须先签署才能获取数据）"
    return alert(f"已提交申请 #{aid}，数据管理单位将在十个工作日内答复{note}。"), *messages(ui.APP_FIELDS, {}), \
        (refresh or 0) + 1


@secure_callback(PAGE, Output("capp-detail", "children"), Output("capp-grant-kinds", "value"),
                 Output("capp-grant-fields", "value"), Output("capp-grant-from", "date"), Output("capp-grant-to", "date"),
                 Output("capp-grant-regions", "options"), Output("capp-grant-regions", "value"),
                 Input("capp-grid", "selectedRows"), prevent_initial_call=True)
def show(rows):
    """The selected application; the reply form starts from what was asked."""
    row = selected(rows)
    if not row:
        return "", [], [], None, None, [], []
    asked = Ask.of(row.get("asked_json"))
    granted = Ask.of(row.get("granted_json")) if row.get("granted_json") else None
    lines = [f"申请 #{row['id']}：{row.get('kind_label', '')}，{row.get('state', '')}；答复期限 {row.get('due', '')}",
             f"申请范围：{row.get('asked', '')}，{row.get('period', '')}"
             + (f"，字段 {'、'.join(SHARE_FIELDS.get(f, f) for f in asked.fields)}" if asked.fields else ""),
             f"承诺书：{row.get('commitment', '')}"]
    if granted:
        kinds = "、".join(RECORD_KINDS[k][1] for k in granted.kinds if k in RECORD_KINDS)
        lines.append(f"同意范围：{kinds}，{granted.date_from} 至 {granted.date_to}，有效期至 {row.get('valid_until', '')}")
    tree = load_region_tree(settings().province)
    regions = [{"label": tree.name(r), "value": r} for r in asked.regions]
    return (html.Div([html.Div(t) for t in lines], className="small", id="capp-detail-text"), asked.kinds, asked.fields,
            str(asked.date_from) if asked.date_from else None, str(asked.date_to) if asked.date_to else None, regions,
            list(asked.regions))


@secure_callback(Action.CREDIT_APPLICATION_DECIDE, Output("capp-decide-result", "children"),
                 *error_outputs(ui.DECIDE_FIELDS), Output("capp-refresh", "data", allow_duplicate=True),
                 Input("capp-decide", "n_clicks"), State("capp-grid", "selectedRows"), State("capp-decision", "value"),
                 State("capp-grant-kinds", "value"), State("capp-grant-fields", "value"),
                 State("capp-grant-from", "date"), State("capp-grant-to", "date"), State("capp-grant-regions", "value"),
                 State("capp-valid-until", "date"), State("capp-reason", "value"), State("capp-refresh", "data"),
                 prevent_initial_call=True)
def decide(_, rows, decision, kinds, fields, grant_from, grant_to, regions, valid_until, reason, refresh):
    """The reply: a grant names its exact scope (kinds, fields, period, regions: by default what was
    asked), or a refusal its reasons."""
    cfg, who = settings(), current_actor()
    row = selected(rows)
    if not row:
        return alert("请先在上表选择一件申请。", "warning"), *messages(ui.DECIDE_FIELDS, {}), no_update
    grant = decision == "grant"
    asked = Ask.of(row.get("asked_json"))
    share = row.get("kind") == "share"
    picked = [int(r) for r in regions or [] if str(r).isdigit()]
    scope = Ask(list(kinds or []), day(grant_from) or asked.date_from, day(grant_to) or asked.date_to,
                (picked or asked.regions) if share else [], list(fields or []) if share else []) if grant else None
    try:
        status = store.decide(cfg.database_url, cfg.audit_key, who, row.get("id"), row.get("version"), grant, reason,
                              scope, day(valid_until), clock.today())
    except AccountError as exc:
        return *refused(exc, ui.DECIDE_FIELDS, "未答复，请按提示修改。"), no_update
    except PermissionDenied as exc:
        return alert(str(exc), "danger"), *messages(ui.DECIDE_FIELDS, {}), no_update
    text = "已同意提供" if status == "granted" else "已答复不予提供"
    return alert(f"申请 #{row['id']} {text}。"), *messages(ui.DECIDE_FIELDS, {}), (refresh or 0) + 1


@secure_callback(APPLY, Output("capp-fetch-result", "children", allow_duplicate=True),
                 Output("capp-commitment-error", "children", allow_duplicate=True),
                 Output("capp-refresh", "data", allow_duplicate=True), Input("capp-sign", "n_clicks"),
                 State("capp-grid", "selectedRows"), State("capp-commitment", "value"),
                 State("capp-commitment-name", "value"), State("capp-commitment-on", "date"),
                 State("capp-refresh", "data"), prevent_initial_call=True)
def sign(_, rows, commitment, name, signed_on, refresh):
    cfg, who = settings(), current_actor()
    row = selected(rows)
    if not row:
        return alert("请先在上表选择本人的申请。", "warning"), None, no_update
    try:
        store.sign_commitment(cfg.database_url, cfg.audit_key, who, row.get("id"), row.get("version"),
                              "yes" in (commitment or []), name, day(signed_on), clock.today())
    except AccountError as exc:
        text = "；".join(exc.errors.values()) if isinstance(exc.errors, dict) else str(exc)
        return alert(f"未签署：{text}", "danger"), text, no_update
    except PermissionDenied as exc:
        return alert(str(exc), "danger"), None, no_update
    return alert(f"已签署申请 #{row['id']} 的数据使用保管承诺书。"), None, (refresh or 0) + 1


def _fetch(rows):
    cfg, who = settings(), current_actor()
    row = selected(rows)
    if not row:
        raise AccountError({"fetch": "请先在上表选择本人已获同意的申请。"})
    return store.granted_records(cfg.database_url, cfg.audit_key, who, row.get("id"), today=clock.today())


@secure_callback(APPLY, Output("capp-fetch-result", "children"), Output("capp-data", "rowData"),
                 Input("capp-fetch", "n_clicks"), State("capp-grid", "selectedRows"), prevent_initial_call=True)
def fetch(_, rows):
    try:
        data = _fetch(rows)
    except AccountError as exc:
        return alert(exc.errors.get("fetch", str(exc)), "warning"), []
    except PermissionDenied as exc:
        return alert(f"不能获取：{exc}", "danger"), []
    return alert(f"已获取同意范围内的数据 {len(data)} 条（本次获取已记录）。"), data


@secure_callback(APPLY, Output("capp-data-download", "data"), Output("capp-fetch-result", "children",
                                                                    allow_duplicate=True),
                 Input("capp-fetch-export", "n_clicks"), State("capp-grid", "selectedRows"), prevent_initial_call=True)
def fetch_export(_, rows):
    try:
        data = _fetch(rows)
    except AccountError as exc:
        return no_update, alert(exc.errors.get("fetch", str(exc)), "warning")
    except PermissionDenied as exc:
        return no_update, alert(f"不能下载：{exc}", "danger")
    return export(data, ui.GRANTED_COLUMNS, "同意提供的林业信用数据"), ""


@secure_callback(PAGE, Output("capp-download", "data"), Input("capp-export", "n_clicks"),
                 State("capp-grid", "rowData"), prevent_initial_call=True)
def export_table(_, rows):
    cfg = settings()
    return export(store.listing(cfg.database_url, current_actor(), clock.today()), ui.APP_COLUMNS, "林业信用数据申请")
