"""阳光公开 workflow steps on the selected disclosure: edit (a draft or a returned one), the
oversight group's review, the township's approval or return (a decision dialog with its opinion),
publication, and a correction of a published one. Each step carries the version the page read."""
from __future__ import annotations

from dash import Input, Output, State, ctx, html, no_update

from components.dialogs import DISCLOSURE_DECISION as DECISION
from data.disclosure import workflow
from data.errors import AccountError
from domain import clock
from domain.permissions import Action, PermissionDenied
from server.callbacks import secure_callback
from server.context import settings

from callbacks.common import alert, as_int, current_actor, dialog_step, register_dialog

register_dialog(DECISION)


def _target(target) -> tuple[int, int] | None:
    if not isinstance(target, dict) or as_int(target.get("id")) is None:
        return None
    return as_int(target["id"]), as_int(target.get("version")) or 0


def _refused(exc) -> str:
    return "；".join(exc.errors.values()) if isinstance(exc, AccountError) else str(exc)


@secure_callback(Action.DISCLOSURE_PREPARE, Output("disc-step-result", "children", allow_duplicate=True),
                 Output("disc-edit-title-error", "children"), Output("disc-edit-notes-error", "children"),
                 Output("disc-refresh", "data", allow_duplicate=True), Input("disc-edit", "n_clicks"),
                 State("disc-target", "data"), State("disc-edit-title", "value"), State("disc-edit-notes", "value"),
                 State("disc-refresh", "data"), prevent_initial_call=True)
def edit(_, target, title, notes, refresh):
    t = _target(target)
    if t is None:
        return alert("请先在表格中选择一份财务公开。", "warning"), "", "", no_update
    cfg = settings()
    try:
        workflow.edit(cfg.database_url, cfg.audit_key, current_actor(), t[0], t[1], title, notes)
    except AccountError as exc:
        e = exc.errors
        return alert(e.get("_", "未保存，请按提示修改。"), "danger"), e.get("title", ""), e.get("notes", ""), no_update
    except PermissionDenied as exc:
        return alert(str(exc), "danger"), "", "", no_update
    return alert("已保存，内容已按账簿重新生成；请提交民主理财小组审核。"), "", "", (refresh or 0) + 1


@secure_callback(Action.DISCLOSURE_REVIEW, Output("disc-step-result", "children", allow_duplicate=True),
                 Output("disc-reviewers-error", "children"), Output("disc-review-opinion-error", "children"),
                 Output("disc-refresh", "data", allow_duplicate=True), Input("disc-review-ok", "n_clicks"),
                 Input("disc-review-back", "n_clicks"), State("disc-target", "data"), State("disc-reviewers", "value"),
                 State("disc-review-opinion", "value"), State("disc-refresh", "data"), prevent_initial_call=True)
def review(_ok, _back, target, reviewers, opinion, refresh):
    t = _target(target)
    if t is None:
        return alert("请先在表格中选择一份财务公开。", "warning"), "", "", no_update
    agree = ctx.triggered_id == "disc-review-ok"
    cfg = settings()
    try:
        state = workflow.review(cfg.database_url, cfg.audit_key, current_actor(), t[0], t[1], agree, reviewers, opinion)
    except AccountError as exc:
        e = exc.errors
        return alert(e.get("_", "审核未登记，请按提示修改。"), "danger"), e.get("reviewers", ""), e.get("opinion", ""), no_update
    except PermissionDenied as exc:
        return alert(str(exc), "danger"), "", "", no_update
    text = "民主理财小组审核通过，已报乡镇审核。" if state == "reviewed" else "已退回编制人修改。"
    return alert(text), "", "", (refresh or 0) + 1


@secure_callback(Action.DISCLOSURE_APPROVE, *DECISION.open_outputs(),
                 Output("disc-step-result", "children", allow_duplicate=True), Input("disc-approve", "n_clicks"),
                 Input("disc-return", "n_clicks"), State("disc-target", "data"), prevent_initial_call=True)
def ask(_a, _r, target):
    """乡镇审核同意 / 退回 ask first: the dialog names the disclosure and takes the opinion."""
    t = _target(target)
    if t is None:
        return *DECISION.unchanged(), alert("请先在表格中选择一份财务公开。", "warning")
    decision = "approve" if ctx.triggered_id == "disc-approve" else "reject"
    title = target.get("title")  # the detail shown when it was picked (the store is the page's own)
    summary = html.Div(f"财务公开 #{t[0]}：{title if isinstance(title, str) else ''}", className="fw-semibold")
    return *DECISION.opened(decision, summary, {"id": t[0], "version": t[1]}), ""


@secure_callback(Action.DISCLOSURE_APPROVE, Output("disc-step-result", "children", allow_duplicate=True),
                 *DECISION.result_outputs(), Output("disc-refresh", "data", allow_duplicate=True),
                 DECISION.confirm_input(), *DECISION.states(), State("disc-refresh", "data"),
                 prevent_initial_call=True, running=DECISION.running())
def decide(_, pending, opinion, refresh):
    def act(decision, did, version):
        cfg = settings()
        state = workflow.decide(cfg.database_url, cfg.audit_key, current_actor(), did, version, decision == "approve",
                                opinion)
        return f"财务公开 #{did} " + ("乡镇已审核同意，可以公开。" if state == "approved" else "已退回编制人修改。")
    return dialog_step(DECISION, pending, ("approve", "reject"), refresh, act)


@secure_callback(Action.DISCLOSURE_PUBLISH, Output("disc-step-result", "children", allow_duplicate=True),
                 Output("disc-refresh", "data", allow_duplicate=True), Input("disc-publish", "n_clicks"),
                 State("disc-target", "data"), State("disc-refresh", "data"), prevent_initial_call=True)
def publish(_, target, refresh):
    t = _target(target)
    if t is None:
        return alert("请先在表格中选择一份财务公开。", "warning"), no_update
    cfg = settings()
    try:
        workflow.publish(cfg.database_url, cfg.audit_key, current_actor(), t[0], t[1], clock.today())
    except (AccountError, PermissionDenied) as exc:
        return alert(_refused(exc), "danger"), no_update
    return alert(f"财务公开 #{t[0]} 已公开，成员可在“我的权益”页面查看；公开后不能修改。"), (refresh or 0) + 1


@secure_callback(Action.DISCLOSURE_PREPARE, Output("disc-step-result", "children", allow_duplicate=True),
                 Output("disc-refresh", "data", allow_duplicate=True), Input("disc-correct", "n_clicks"),
                 State("disc-target", "data"), State("disc-refresh", "data"), prevent_initial_call=True)
def correct(_, target, refresh):
    """A correction of the selected published disclosure: a new draft linked to it."""
    t = _target(target)
    if t is None:
        return alert("请先在表格中选择一份财务公开。", "warning"), no_update
    cfg = settings()
    try:
        d = workflow.detail(cfg.database_url, current_actor(), t[0])
        new = workflow.prepare(cfg.database_url, cfg.audit_key, current_actor(), d["org_id"], d["kind"], d["period"],
                               d["category"], None, None, corrects_id=t[0])
    except (AccountError, PermissionDenied) as exc:
        return alert(_refused(exc), "danger"), no_update
    return alert(f"已生成更正公开草稿 #{new}（更正第 {t[0]} 号），经审核同意后公开；原公开保留可查。"), (refresh or 0) + 1
