"""会议管理 callbacks: parse the forms, call data.meetings, show the outcome and every field's
problem in Chinese."""
from __future__ import annotations

import datetime as dt

from dash import Input, Output, State, ctx, html, no_update

from components.attachments import file_links
from data import meeting_confirmation, meetings
from data.errors import AccountError
from domain import clock
from domain import meetings as rules
from domain.clock import CST
from domain.permissions import Action, may
from server.callbacks import secure_callback
from server.context import settings

from .common import alert, current_actor, uploads

N = rules.MAX_RESOLUTIONS
ROW_FIELDS = ("number", "subject", "type", "votes", "limit")  # error divs of each resolution row
#: data-layer field -> the form field whose error div shows it
FIELDS = {"org": "meetings-org", "kind": "meetings-kind", "title": "meetings-title", "held_on": "meetings-date",
          "expected": "meetings-expected", "attended": "meetings-attended", "agenda": "meetings-agenda",
          "resolutions": "meetings-count", "attachments": "meetings-files", "minutes": "meetings-minutes",
          "signin": "meetings-signin",
          **{f"r{i}.{f}": f"meetings-r{i}-{t}" for i in range(1, N + 1)
             for f, t in (("number", "number"), ("subject", "subject"), ("decision_type", "type"), ("votes", "votes"),
                          ("amount_limit", "limit"))}}
ERROR_IDS = ["meetings-org", "meetings-kind", "meetings-title", "meetings-date", "meetings-expected",
             "meetings-attended", "meetings-agenda", "meetings-count", "meetings-files", "meetings-minutes",
             "meetings-signin",
             *[f"meetings-r{i}-{f}" for i in range(1, N + 1) for f in ROW_FIELDS]]
EDIT_FIELDS = {"kind": "meetings-edit-kind", "title": "meetings-edit-title", "held_on": "meetings-edit-date",
               "expected": "meetings-edit-expected", "attended": "meetings-edit-attended",
               "agenda": "meetings-edit-agenda"}
EDIT_IDS = list(EDIT_FIELDS.values())


def prop_of(component_id: str) -> str:
    """The property holding an edit field's value (a date picker's is `date`)."""
    return "date" if component_id == EDIT_FIELDS["held_on"] else "value"
ROW_INPUTS = ("number", "subject", "type", "for", "against", "abstain", "limit")
FIELD_LABELS = {"kind": "会议类型", "title": "会议名称", "held_on": "会议日期", "expected": "应到人数", "attended": "实到人数",
                "agenda": "议程", "number": "决议编号", "subject": "决议事项", "decision_type": "决策类型",
                "votes_for": "赞成", "votes_against": "反对", "votes_abstain": "弃权", "passed": "通过",
                "amount_limit_fen": "金额上限（分）", "status": "状态", "return_note": "退回理由"}
#: the record's upload fields: file kind -> dcc.Upload id
UPLOADS = {"minutes": "meetings-minutes", "signin": "meetings-signin", "other": "meetings-files"}
ACTIONS = {"insert": "新增", "update": "修改", "delete": "删除"}



def _date(value) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value) if value else None
    except (TypeError, ValueError):
        return None


def _by_id(errors: dict, mapping: dict) -> dict:
    return {mapping[f]: m for f, m in errors.items() if f in mapping}


@secure_callback(Action.BUSINESS_VIEW, Output("meetings-grid", "rowData"), Output("meetings-org", "options"),
                 Output("meetings-form-panel", "hidden"), Output("meetings-edit-panel", "hidden"),
                 Output("meetings-confirm-panel", "hidden"), Input("meetings-refresh", "data"))
def load(_):
    cfg = settings()
    actor = current_actor()
    handles = may(actor, Action.MEETING_RECORD)
    orgs = [{"label": o["label"], "value": o["id"]} for o in meetings.orgs(cfg.database_url, actor)] if handles else []
    confirms = may(actor, Action.MEETING_CONFIRM)
    return meetings.list_meetings(cfg.database_url, actor), orgs, not handles, not handles, not confirms


@secure_callback(Action.BUSINESS_VIEW, *[Output(f"meetings-r{i}", "hidden") for i in range(1, N + 1)],
                 Input("meetings-count", "value"))
def rows_shown(count):
    try:
        count = min(max(int(count), 1), N)
    except (TypeError, ValueError):
        count = 1
    return [i > count for i in range(1, N + 1)]


def _rule_note(kind, expected, attended):
    if kind not in rules.MEETING_KINDS:
        return ""
    text = rules.rule_text(kind)
    exp, why = rules.parse_count(expected)
    if why or not exp:
        return text
    k = rules.MEETING_KINDS[kind]
    note = f"应到{exp}人：至少{k.quorum.minimum(exp)}人出席"
    att, why = rules.parse_count(attended)
    if not why and att <= exp and k.quorum.met(att, exp):
        note += f"；决议至少需{rules.votes_needed(kind, exp, att)}票赞成方为通过"
    return [text, html.Br(), html.Span(note + "。", className="fw-semibold")]


@secure_callback(Action.BUSINESS_VIEW, Output("meetings-rule", "children"), Input("meetings-kind", "value"),
                 Input("meetings-expected", "value"), Input("meetings-attended", "value"))
def rule_note(kind, expected, attended):
    return _rule_note(kind, expected, attended)


@secure_callback(Action.BUSINESS_VIEW, Output("meetings-edit-rule", "children"), Input("meetings-edit-kind", "value"),
                 Input("meetings-edit-expected", "value"), Input("meetings-edit-attended", "value"))
def edit_rule_note(kind, expected, attended):
    return _rule_note(kind, expected, attended)


def _names(names) -> str:
    return "、".join(names if isinstance(names, list) else [names]) if names else ""


@secure_callback(Action.MEETING_RECORD, *[Output(f"{u}-names", "children") for u in UPLOADS.values()],
                 *[Input(u, "filename") for u in UPLOADS.values()])
def file_names(*names):
    return [_names(n) for n in names]


@secure_callback(Action.MEETING_RECORD, Output("meetings-more-names", "children"),
                 Input("meetings-more", "filename"))
def more_names(names):
    return _names(names)


@secure_callback(Action.MEETING_RECORD, Output("meetings-result", "children"),
                 *[Output(f"{i}-error", "children") for i in ERROR_IDS],
                 *[Output(u, prop) for u in UPLOADS.values() for prop in ("contents", "filename")],
                 Output("meetings-refresh", "data", allow_duplicate=True), Input("meetings-submit", "n_clicks"),
                 State("meetings-org", "value"), State("meetings-kind", "value"),
                 State("meetings-title", "value"), State("meetings-date", "date"), State("meetings-expected", "value"),
                 State("meetings-attended", "value"), State("meetings-agenda", "value"),
                 State("meetings-count", "value"),
                 *[State(f"meetings-r{i}-{f}", "value") for i in range(1, N + 1) for f in ROW_INPUTS],
                 *[State(u, prop) for u in UPLOADS.values() for prop in ("contents", "filename")],
                 State("meetings-refresh", "data"), prevent_initial_call=True)
def submit(_, org, kind, title, date, expected, attended, agenda, count, *rest):
    cfg = settings()
    rows_in, sent, refresh = rest[:N * len(ROW_INPUTS)], rest[N * len(ROW_INPUTS):-1], rest[-1]
    files = {k: uploads(sent[2 * i], sent[2 * i + 1]) for i, k in enumerate(UPLOADS)}
    try:
        count = min(max(int(count), 1), N)
    except (TypeError, ValueError):
        count = 1
    drafts, width = [], len(ROW_INPUTS)
    for i in range(count):
        number, subject, dtype, v_for, v_against, v_abstain, limit = rows_in[i * width:(i + 1) * width]
        drafts.append(rules.ResolutionDraft(number=number, subject=subject, decision_type=dtype, votes_for=v_for,
                                            votes_against=v_against, votes_abstain=v_abstain, amount_limit=limit))
    draft = rules.MeetingDraft(kind=kind, title=title, held_on=_date(date), expected=expected, attended=attended,
                               agenda=agenda)
    blank = [""] * len(ERROR_IDS)
    try:
        mid = meetings.record(cfg.database_url, cfg.audit_key, current_actor(), org, draft, drafts, clock.today(),
                              files)
    except AccountError as exc:
        shown = _by_id(exc.errors, FIELDS)
        return (alert(exc.errors.get("_", "未登记，请按提示修改。"), "danger"), *[shown.get(i, "") for i in ERROR_IDS],
                *[no_update] * (2 * len(UPLOADS)), no_update)
    m = meetings.meeting(cfg.database_url, current_actor(), mid)
    outcome = "；".join(f"{r['number']} {r['outcome']}" for r in m["resolutions"])
    return (alert(f"已登记会议 #{mid}“{m['title']}”。表决结果：{outcome}。会议记录待监事长或乡镇确认后，其决议方可引用。"),
            *blank, *[None] * (2 * len(UPLOADS)), (refresh or 0) + 1)


def _history_table(rows: list[dict]):
    if not rows:
        return html.Span("暂无记录", className="text-muted")
    def shown(key, value):
        if value is None:
            return "—"
        labels = {"decision_type": rules.DECISION_TYPES, "status": rules.STATUS_LABELS}.get(key, {})
        return labels.get(value, value)

    body, nowrap = [], {"whiteSpace": "nowrap"}
    for h in rows:
        changes = [f"{FIELD_LABELS[k]}：{shown(k, old)} → {shown(k, new)}" if h["action"] == "update"
                   else f"{FIELD_LABELS[k]}：{shown(k, new)}"
                   for k, (old, new) in h["changes"].items() if k in FIELD_LABELS]
        body.append(html.Tr([html.Td(h["at"].astimezone(CST).strftime("%Y-%m-%d %H:%M"), style=nowrap),
                             html.Td(h["by"], style=nowrap), html.Td(h["record"], style=nowrap),
                             html.Td(ACTIONS.get(h["action"], h["action"]), style=nowrap),
                             html.Td("；".join(changes))]))
    return html.Table([html.Thead(html.Tr([html.Th(t) for t in ("时间", "操作人", "对象", "操作", "内容")])),
                       html.Tbody(body)], className="table table-sm table-striped mb-0")


@secure_callback(Action.BUSINESS_VIEW, Output("meetings-detail-title", "children"), Output("meetings-res-grid", "rowData"),
                 Output("meetings-file-list", "children"), Output("meetings-history", "children"),
                 Output("meetings-edit-target", "data"), *[Output(i, prop_of(i)) for i in EDIT_IDS],
                 Output("meetings-confirm-state", "children"), Output("meetings-confirm-submit", "disabled"),
                 Output("meetings-return-submit", "disabled"),
                 Input("meetings-grid", "selectedRows"), Input("meetings-refresh", "data"))
def selected(rows, _refresh):
    row = rows[0] if rows else None
    if not row or row.get("id") is None:
        return ("决议、附件与修改记录（在上方选择一次会议）", [], "", "", None, *[no_update] * len(EDIT_IDS),
                "在上方选择一次会议。", True, True)
    cfg = settings()
    actor = current_actor()
    m = meetings.meeting(cfg.database_url, actor, row["id"])  # refuses a meeting outside the scope
    title = f"{m['held_on']} {m['org']} {m['kind']}“{m['title']}”（应到{m['expected']}人，实到{m['attended']}人）"
    history = meetings.history_of(cfg.database_url, actor, m["id"])
    why = meeting_confirmation.confirm_refusal(cfg.database_url, actor, m["id"])
    files = [{**f, "filename": f"{f['kind_label']}：{f['filename']}"} for f in m["files"]]
    return (title, m["resolutions"], file_links(files), _history_table(history),
            {"id": m["id"], "version": m["version"]}, m["kind"], m["title"], m["held_on"].isoformat(), m["expected"],
            m["attended"], m["agenda"], _confirm_state(m, why), why is not None, why is not None)


def _confirm_state(m: dict, why: str | None):
    state = f"{m['status_label']}；登记人 {m['recorded_by']}"
    if m["status"] == "confirmed":
        state += f"；确认人 {m['confirmed_by']}（{m['confirmed_at'].astimezone(CST):%Y-%m-%d %H:%M}）"
    if m["status"] == "returned" and m["return_note"]:
        state += f"；退回理由：{m['return_note']}"
    return [html.Div(state), html.Div(why, className="text-muted small") if why else ""]


@secure_callback(Action.MEETING_RECORD, Output("meetings-edit-result", "children"),
                 *[Output(f"{i}-error", "children") for i in EDIT_IDS],
                 Output("meetings-refresh", "data", allow_duplicate=True),
                 Input("meetings-edit-submit", "n_clicks"), State("meetings-edit-target", "data"),
                 *[State(i, prop_of(i)) for i in EDIT_IDS], State("meetings-refresh", "data"),
                 prevent_initial_call=True)
def save(_, target, kind, title, date, expected, attended, agenda, refresh):
    blank = [""] * len(EDIT_IDS)
    if not target or target.get("id") is None:
        return alert("请先在会议记录中选择一次会议。", "warning"), *blank, no_update
    cfg = settings()
    draft = rules.MeetingDraft(kind=kind, title=title, held_on=_date(date), expected=expected, attended=attended,
                               agenda=agenda)
    try:
        version = meetings.update(cfg.database_url, cfg.audit_key, current_actor(), target["id"],
                                  int(target.get("version") or 0), draft, clock.today())
    except AccountError as exc:
        shown = _by_id(exc.errors, EDIT_FIELDS)
        return (alert(exc.errors.get("_", "未保存，请按提示修改。"), "danger"),
                *[shown.get(i, "") for i in EDIT_IDS], no_update)
    return alert(f"已保存更正（第 {version} 版）。"), *blank, (refresh or 0) + 1


@secure_callback(Action.MEETING_RECORD, Output("meetings-more-result", "children"),
                 Output("meetings-more-error", "children"),
                 Output("meetings-more", "contents"), Output("meetings-more", "filename"),
                 Output("meetings-refresh", "data", allow_duplicate=True),
                 Input("meetings-more-submit", "n_clicks"), State("meetings-edit-target", "data"),
                 State("meetings-more-kind", "value"), State("meetings-more", "contents"),
                 State("meetings-more", "filename"), State("meetings-refresh", "data"),
                 prevent_initial_call=True)
def upload_more(_, target, kind, contents, names, refresh):
    if not target or target.get("id") is None:
        return alert("请先在会议记录中选择一次会议。", "warning"), "", no_update, no_update, no_update
    cfg = settings()
    try:
        kind = kind if kind in UPLOADS else "other"
        saved = meetings.add_files(cfg.database_url, cfg.audit_key, current_actor(), target["id"],
                                   uploads(contents, names), kind)
    except AccountError as exc:
        return (alert("未上传，请按提示修改。", "danger"), "；".join(exc.errors.values()) or str(exc), no_update,
                no_update, no_update)
    return alert(f"已上传：{'、'.join(saved)}。"), "", None, None, (refresh or 0) + 1


@secure_callback(Action.MEETING_CONFIRM, Output("meetings-confirm-result", "children"),
                 Output("meetings-confirm-note-error", "children"),
                 Output("meetings-refresh", "data", allow_duplicate=True),
                 Input("meetings-confirm-submit", "n_clicks"), Input("meetings-return-submit", "n_clicks"),
                 State("meetings-edit-target", "data"), State("meetings-confirm-note", "value"),
                 State("meetings-refresh", "data"), prevent_initial_call=True)
def decide(_confirm, _return, target, note, refresh):
    """确认 or 退回 the selected meeting (refused, and logged, to whoever recorded or changed it)."""
    if not target or target.get("id") is None:
        return alert("请先在会议记录中选择一次会议。", "warning"), "", no_update
    cfg = settings()
    approve = ctx.triggered_id != "meetings-return-submit"
    try:
        status = meeting_confirmation.confirm(cfg.database_url, cfg.audit_key, current_actor(), target["id"],
                                              int(target.get("version") or 0), approve, note)
    except AccountError as exc:
        return alert(exc.errors.get("_", "未办理，请按提示修改。"), "danger"), exc.errors.get("note", ""), no_update
    done = "已确认会议记录，其决议可以引用。" if status == "confirmed" else "已退回会议记录，请登记人更正后重新提交确认。"
    return alert(done), "", (refresh or 0) + 1
