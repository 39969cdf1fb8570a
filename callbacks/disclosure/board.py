"""阳光公开 callbacks: the list by state, a disclosure's content and review trail, preparing a
draft from the books, and the members' questions with the village's answers."""
from __future__ import annotations

from dash import Input, Output, State, html, no_update

from components.disclosure import content_view
from components.readonly import guard_outputs
from data.disclosure import questions, workflow
from data.errors import AccountError
from data.funds.books import orgs as org_list
from domain import clock
from domain import disclosure as rules
from domain.permissions import Action, PermissionDenied, may
from domain.privacy import listing, name_shown
from server.callbacks import secure_callback
from server.context import settings

from callbacks.common import alert, as_int, current_actor, sections

PREPARE_FIELDS = ("org", "kind", "period", "category", "title", "notes")


@secure_callback(Action.DISCLOSURE_VIEW, Output("disc-grid", "rowData"), Output("disc-org", "options"),
                 Output("disc-q-grid", "rowData"),
                 *guard_outputs("disc-prepare-form", "disc-answer-form", "disc-review-form"),
                 Input("disc-refresh", "data"), Input("disc-state", "value"))
def load(_, state):
    cfg = settings()
    actor = current_actor()
    rows = workflow.list_disclosures(cfg.database_url, actor, state if state in rules.STATES else None)
    for r in rows:
        r.pop("content", None)
    orgs = [{"label": o["name"], "value": o["id"]} for o in org_list(cfg.database_url, actor)] \
        if may(actor, Action.DISCLOSURE_PREPARE) else []
    qs = questions.village_questions(cfg.database_url, actor)
    return rows, orgs, qs, *sections(actor, Action.DISCLOSURE_PREPARE, Action.DISCLOSURE_ANSWER,
                                      Action.DISCLOSURE_REVIEW)


@secure_callback(Action.DISCLOSURE_VIEW, Output("disc-frequency", "children"), Input("disc-org", "value"),
                 prevent_initial_call=True)
def frequency(org_id):
    """The frequency the organisation's last quarter calls for (many vouchers: monthly)."""
    if as_int(org_id) is None:
        return ""
    try:
        kind = workflow.frequency_hint(settings().database_url, current_actor(), as_int(org_id), clock.today())
    except PermissionDenied as exc:
        return str(exc)
    if kind == "month":
        return f"上季度凭证超过每月{rules.MONTHLY_VOUCHERS}张，业务量大，应按月公开。"
    return "按季度公开即可（业务量大的村按月公开）。"


def _trail(d: dict) -> html.Div:
    steps = [("编制", d["prepared_by"], "")]
    if d["reviewers"]:
        who = f"{d['reviewers']}（登记：{d['reviewed_by']}）" if d["reviewed_by"] else d["reviewers"]
        steps.append(("民主理财小组审核", who, d["review_opinion"]))
    if d["decided_by"]:
        steps.append(("乡镇审核", d["decided_by"], d["decision_opinion"]))
    if d["published_by"]:
        steps.append(("公开", f"{d['published_by']} {d['published_on']}", ""))
    links = []
    if d["corrects_id"]:
        links.append(html.Div(f"本公开更正第 {d['corrects_id']} 号公开（原公开保留可查）", className="text-warning small",
                              id="disc-corrects"))
    if d["corrected_by_id"]:
        links.append(html.Div(f"本公开已由第 {d['corrected_by_id']} 号公开更正", className="text-warning small",
                              id="disc-corrected-by"))
    return html.Div([html.Ul([html.Li(f"{step}：{who}" + (f"（意见：{opinion}）" if opinion else ""))
                              for step, who, opinion in steps], className="small mb-1"), *links])


@secure_callback(Action.DISCLOSURE_VIEW, Output("disc-detail", "children"), Output("disc-target", "data"),
                 Output("disc-edit", "disabled"), Output("disc-approve", "disabled"), Output("disc-return", "disabled"),
                 Output("disc-publish", "disabled"), Output("disc-correct", "disabled"),
                 Output("disc-review-ok", "disabled"), Output("disc-review-back", "disabled"),
                 Output("disc-edit-form", "hidden"), Output("disc-edit-title", "value"),
                 Output("disc-edit-notes", "value"), Input("disc-grid", "selectedRows"), Input("disc-refresh", "data"),
                 prevent_initial_call=True)
def select(selected, _refresh):
    """The selected disclosure as it is now (again after every step: its state and buttons follow)."""
    off = (True,) * 7
    if not selected:
        return html.P("请在上表中选择一份财务公开。", className="text-muted"), None, *off, True, "", ""
    actor = current_actor()
    try:
        d = workflow.detail(settings().database_url, actor, selected[0].get("id"))
    except PermissionDenied as exc:
        return alert(str(exc), "danger"), None, *off, True, "", ""
    purpose = listing(actor, "payment_request")
    c = dict(d["content"])
    c["major"] = [{**m, "counterparty": name_shown(m.get("counterparty"), None, purpose)} for m in c.get("major", [])]
    open_ = workflow.steps_open(actor, d)
    view = html.Div([
        html.H3(d["title"], className="h6 mb-1", id="disc-detail-title"),
        html.Div(f"{d['org']} · {d['kind_label']} · {d['period_text']} · 状态：{d['state_label']}",
                 className="small text-muted mb-2", id="disc-detail-state"),
        html.Div(d["notes"], className="mb-2") if d["notes"] else None,
        content_view(c), _trail(d)])
    editable = open_["edit"]
    target = {"id": d["id"], "version": d["version"], "title": d["title"]}
    return (view, target, not editable, not open_["approve"], not open_["return"],
            not open_["publish"], not open_["correct"], not open_["review"], not open_["review_return"],
            not editable, d["title"], d["notes"])


@secure_callback(Action.DISCLOSURE_PREPARE, Output("disc-prepare-result", "children"),
                 *[Output(f"disc-{f}-error", "children") for f in PREPARE_FIELDS],
                 Output("disc-refresh", "data", allow_duplicate=True),
                 Input("disc-prepare", "n_clicks"), *[State(f"disc-{f}", "value") for f in PREPARE_FIELDS],
                 State("disc-refresh", "data"), prevent_initial_call=True)
def prepare(_, org_id, kind, period, category, title, notes, refresh):
    cfg = settings()
    blank = ("",) * len(PREPARE_FIELDS)
    if as_int(org_id) is None:
        return alert("草稿未生成，请按提示修改。", "danger"), "请选择集体经济组织", *blank[1:], no_update
    try:
        did = workflow.prepare(cfg.database_url, cfg.audit_key, current_actor(), as_int(org_id), kind, period, category,
                               title, notes)
    except AccountError as exc:
        e = exc.errors
        return (alert(e.get("_", "草稿未生成，请按提示修改。"), "danger"), *[e.get(f, "") for f in PREPARE_FIELDS],
                no_update)
    except PermissionDenied as exc:
        return alert(str(exc), "danger"), *blank, no_update
    return alert(f"已按账簿生成财务公开草稿 #{did}，请提交民主理财小组审核。"), *blank, (refresh or 0) + 1


@secure_callback(Action.DISCLOSURE_VIEW, Output("disc-q-target", "data"), Output("disc-answer", "value"),
                 Input("disc-q-grid", "selectedRows"), prevent_initial_call=True)
def pick_question(selected):
    if not selected:
        return None, ""
    row = selected[0]
    return {"id": as_int(row.get("id")), "version": as_int(row.get("version")) or 0}, row.get("answer") or ""


@secure_callback(Action.DISCLOSURE_ANSWER, Output("disc-answer-result", "children"), Output("disc-answer-error", "children"),
                 Output("disc-refresh", "data", allow_duplicate=True), Input("disc-answer-submit", "n_clicks"),
                 State("disc-q-target", "data"), State("disc-answer", "value"), State("disc-refresh", "data"),
                 prevent_initial_call=True)
def answer(_, target, text, refresh):
    if not isinstance(target, dict) or as_int(target.get("id")) is None:
        return alert("请先在表格中选择一条提问。", "warning"), "", no_update
    cfg = settings()
    try:
        questions.answer(cfg.database_url, cfg.audit_key, current_actor(), as_int(target["id"]),
                         as_int(target.get("version")) or 0, text)
    except AccountError as exc:
        e = exc.errors
        return alert(e.get("_", "答复未提交。"), "danger"), e.get("answer", ""), no_update
    except PermissionDenied as exc:
        return alert(str(exc), "danger"), "", no_update
    return alert("已答复，提问成员可在“我的权益”页面看到答复。"), "", (refresh or 0) + 1
