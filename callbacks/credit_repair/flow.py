"""信用修复: the list, the apply form (a subject or a county, with evidence), the decision of the
data unit, the evidence download. Thin: parse, call data.credit.repair, shape."""
from __future__ import annotations

from dash import Input, Output, State, ctx, html, no_update

from components.credit_score import score_factors_table
from components.export import send_package
from components.readonly import guard_outputs
from data.credit import repair
from data.errors import AccountError
from domain import clock
from domain.permissions import Action
from server.callbacks import secure_callback
from server.context import settings

from callbacks.common import alert, as_int, current_actor, sections, uploads

EITHER = (Action.CREDIT_REPAIR_APPLY, Action.CREDIT_REPAIR_DECIDE)
APPLY_FIELDS = ("record", "reason", "evidence")


def _selected(rows) -> dict | None:
    return rows[0] if rows and isinstance(rows[0], dict) and as_int(rows[0].get("id")) is not None else None


@secure_callback(EITHER, Output("cr-grid", "rowData"), Output("cr-record", "options"),
                 *guard_outputs("cr-apply-tools", "cr-decide-tools", "cr-eval-tools"), Input("cr-refresh", "data"))
def load(_):
    """The applications the user may see; the records they may apply for; which sections they get."""
    from domain.permissions import may

    actor = current_actor()
    url = settings().database_url
    options = repair.applicable(url, actor, clock.today()) if may(actor, Action.CREDIT_REPAIR_APPLY) else []
    return repair.listing(url, actor), options, *sections(actor, Action.CREDIT_REPAIR_APPLY, Action.CREDIT_REPAIR_DECIDE,
                                                         Action.CREDIT_EVALUATE)


def _errors(exc: AccountError, fields) -> tuple:
    return tuple(exc.errors.get(f, "") for f in fields)


@secure_callback(Action.CREDIT_REPAIR_APPLY, Output("cr-apply-result", "children"), Output("cr-refresh", "data"),
                 Output("cr-record-error", "children"), Output("cr-reason-error", "children"),
                 Output("cr-evidence-error", "children"),
                 Input("cr-apply", "n_clicks"), State("cr-record", "value"), State("cr-reason", "value"),
                 State("cr-evidence", "contents"), State("cr-evidence", "filename"), State("cr-refresh", "data"),
                 prevent_initial_call=True)
def apply(_n, record_id, reason, contents, filenames, refresh):
    """Submit an application with its evidence; every refusal under its field, nothing written."""
    cfg = settings()
    try:
        rid = repair.apply(cfg.database_url, cfg.audit_key, current_actor(), record_id, reason,
                           uploads(contents, filenames), clock.today())
    except AccountError as exc:
        other = "；".join(v for k, v in exc.errors.items() if k not in APPLY_FIELDS)
        return (alert(other, "danger") if other else alert("申请未提交，请按提示修改", "warning")), no_update, \
            *_errors(exc, APPLY_FIELDS)
    except PermissionError as exc:
        return alert(str(exc), "danger"), no_update, "", "", ""
    return alert(f"已提交信用修复申请（第 {rid} 号），等待数据管理单位决定。"), (refresh or 0) + 1, "", "", ""


def _preview(actor, row: dict):
    """For the decider, a pending application's effect on the score: now → if approved, and the
    factors of now (components.credit_score); nothing for anyone else."""
    from domain.permissions import may

    if row.get("status") != "submitted" or not may(actor, Action.CREDIT_REPAIR_DECIDE, row):
        return None
    p = repair.preview(settings().database_url, actor, row["id"], clock.today())
    now, after = p["now"], p["after"]

    def shown(e):
        return "未评级" if e.unrated else f"{e.score} 分（{e.grade} 级）"
    return html.Div([
        html.Div(f"当前信用分 {shown(now)}；批准后 {shown(after)}", id="cr-preview-line", className="fw-semibold mb-1"),
        score_factors_table("cr-preview", now.factors_json(), unrated=now.unrated),
    ], className="mb-2")


@secure_callback(EITHER, Output("cr-selected", "children"), Output("cr-evidence-file", "options"),
                 Output("cr-evidence-file", "value"), Output("cr-preview", "children"), Input("cr-grid", "selectedRows"))
def select(rows):
    """The chosen application's summary, its evidence files and (for the decider) its effect on the score."""
    row = _selected(rows)
    if row is None:
        return html.Div("请在上表选择一条待决定的申请。", className="text-muted"), [], None, None
    actor = current_actor()
    try:
        files = repair.evidence(settings().database_url, actor, row["id"])
        preview = _preview(actor, row)
    except PermissionError as exc:
        return alert(str(exc), "danger"), [], None, None
    summary = html.Div([
        html.Div(f"申请 #{row['id']}：{row.get('subject', '')}，{row.get('title', '')}", className="fw-semibold"),
        html.Div(f"理由：{row.get('reason', '')}", className="small"),
        html.Div(f"状态：{row.get('status_label', '')}", className="small text-muted"),
    ])
    options = [{"value": f["id"], "label": f"{f['filename']}（{f['size'] / 1024:,.1f} KB，SHA-256 {f['sha256'][:12]}…）"}
               for f in files]
    return summary, options, (options[0]["value"] if options else None), preview


@secure_callback(EITHER, Output("cr-download", "data"), Input("cr-evidence-download", "n_clicks"),
                 State("cr-grid", "selectedRows"), State("cr-evidence-file", "value"), prevent_initial_call=True)
def download(_n, rows, attachment_id):
    row = _selected(rows)
    if row is None or attachment_id is None:
        return no_update
    name, content = repair.evidence_file(settings().database_url, current_actor(), row["id"], attachment_id)
    return send_package(content, name)


@secure_callback(Action.CREDIT_REPAIR_DECIDE, Output("cr-decide-result", "children"),
                 Output("cr-refresh", "data", allow_duplicate=True), Output("cr-comment-error", "children"),
                 Input("cr-approve", "n_clicks"), Input("cr-reject", "n_clicks"), State("cr-grid", "selectedRows"),
                 State("cr-comment", "value"), State("cr-refresh", "data"), prevent_initial_call=True)
def decide(_a, _r, rows, comment, refresh):
    """批准修复 (the record's effect ends, the subject re-evaluated at once) or 不予修复 (with reasons)."""
    row = _selected(rows)
    if row is None:
        return alert("请先在上表选择一条申请", "warning"), no_update, ""
    approve = ctx.triggered_id == "cr-approve"
    cfg = settings()
    try:
        out = repair.decide(cfg.database_url, cfg.audit_key, current_actor(), row["id"], as_int(row.get("version")),
                            approve, comment, clock.today())
    except AccountError as exc:
        return alert("；".join(v for k, v in exc.errors.items() if k != "comment") or "未决定，请按提示修改", "danger"), \
            no_update, exc.errors.get("comment", "")
    except PermissionError as exc:
        return alert(str(exc), "danger"), no_update, ""
    if out["status"] == "approved":
        text = f"已批准信用修复 #{row['id']}：信用分 {out['score_before']} → {out['score_after']}（{out['grade'] or '未评级'}）。"
    else:
        text = f"已决定不予修复 #{row['id']}。"
    return alert(text), (refresh or 0) + 1, ""
