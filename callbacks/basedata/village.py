"""基础数据 callbacks: a village's values, level-2 figures, roll and chain; the change form
(a village's change during the trial, a township's correction after the lock)."""
from __future__ import annotations

from dash import Input, Output, State, html, no_update

from components.basedata import FORM, chain_view, level2_table, values_table
from components.readonly import guard_outputs
from data.basedata import changes, profiles
from data.errors import AccountError
from domain.basedata.rules import FIELDS
from domain.permissions import Action, may
from server.callbacks import secure_callback
from server.context import settings

from ..common import alert, as_int, current_actor, int_param, readonly_note, uploads

WRITERS = (Action.BASEDATA_PROPOSE, Action.BASEDATA_CORRECT)


@secure_callback(Action.BASEDATA_VIEW, Output("bd-org", "options"), Output("bd-org", "value"),
                 Input("bd-init", "data"), State("url", "hash"))
def orgs(_, search):
    """The villages of the jurisdiction; the one the URL names (#org=…), else the first."""
    wanted = int_param(search, "org")
    rows = profiles.villages(settings().database_url, current_actor(), include=wanted)
    options = [{"label": r["name"], "value": r["id"]} for r in rows]
    ids = {r["id"] for r in rows}
    return options, wanted if wanted in ids else (rows[0]["id"] if rows else None)


def _section(actor, p: dict) -> tuple[bool, str, str, bool]:
    """(hidden, note, title, evidence hidden) of the change form for this actor and village."""
    if may(actor, Action.BASEDATA_PROPOSE):
        if p["locked"]:
            return True, p["locked_note"], "发起变更", True
        return False, "", "发起变更（村级发起，乡镇审核）", True
    if may(actor, Action.BASEDATA_CORRECT):
        if not p["locked"]:
            return True, "该地区仍在试运行期：一级基础数据由村级发起变更、乡镇审核，无需更正申请", "申请更正", True
        return False, "", "申请更正（乡镇申请，县级审批，报市、省备案）", False
    return True, readonly_note(actor, Action.BASEDATA_PROPOSE), "发起变更", True


@secure_callback(Action.BASEDATA_VIEW, Output("bd-values-box", "children"), Output("bd-members-total", "children"),
                 Output("bd-level2", "children"), Output("bd-roll", "rowData"), Output("bd-chain", "children"),
                 Output("bd-lock-state", "children"), Output("bd-lock-note", "children"),
                 Output("bd-form-title", "children"), Output("bd-evidence-box", "hidden"), Output("bd-member", "options"),
                 *[Output(FORM[f.key].id, "placeholder") for f in FIELDS], Output("bd-profile", "data"),
                 *guard_outputs("bd-form-section"), Input("bd-org", "value"), Input("bd-refresh", "data"))
def show(org_id, _):
    org_id = as_int(org_id)
    blank = [""] * len(FIELDS)
    if org_id is None:
        empty = html.Span("请选择村集体经济组织。", className="text-muted")
        return empty, "", "", [], "", "", "", "发起变更", True, [], *blank, None, True, ""
    cfg, actor = settings(), current_actor()
    try:
        p = profiles.profile(cfg.database_url, actor, org_id)
        figures = profiles.level2(cfg.database_url, actor, org_id)
        chain = profiles.chain(cfg.database_url, actor, org_id)
    except PermissionError as exc:
        refusal = alert(str(exc), "danger")
        return refusal, "", "", [], "", "", "", "发起变更", True, [], *blank, None, True, str(exc)
    hidden, note, title, no_evidence = _section(actor, p)
    state = html.Span("已结束试运行，基础数据已锁定" if p["locked"] else "试运行期",
                      className=f"badge text-bg-{'danger' if p['locked'] else 'info'}", id="bd-locked-badge")
    lock_note = alert(p["locked_note"], "warning") if p["locked"] else ""
    members = [{"label": f"{m['name']}（{m['id_number']}，现 {m['shares']} 股）", "value": m["id"]} for m in p["members"]]
    placeholders = [f"当前 {p['values'][f.key]}" for f in FIELDS]
    total = f"成员 {p['member_count']:,} 人，股份合计 {p['share_total']:,} 股（成员名册）"
    return (values_table(p["values"]), total, level2_table(figures), p["members"], chain_view(chain), state, lock_note,
            title, no_evidence, members, *placeholders, {"org_id": p["org_id"], "version": p["version"]}, hidden, note)


@secure_callback(WRITERS, Output("bd-document-names", "children"), Input("bd-document", "filename"),
                 prevent_initial_call=True)
def names(filenames):
    files = filenames if isinstance(filenames, list) else [filenames] if filenames else []
    return "已选择：" + "、".join(str(n) for n in files) if files else ""


@secure_callback(WRITERS, Output("bd-submit-result", "children"), *FORM.error_outputs(),
                 Output("bd-refresh", "data", allow_duplicate=True), Input("bd-submit", "n_clicks"),
                 State("bd-org", "value"), State("bd-profile", "data"), *FORM.states(), State("bd-refresh", "data"),
                 prevent_initial_call=True)
def submit(_, org_id, shown, *args):
    """A village's change (trial period) or a township's correction (after the lock); the lock,
    the scope and the version the form read are checked by data.basedata.changes."""
    *values, refresh = args
    v = FORM.read(values)
    org_id = as_int(org_id)
    if org_id is None:
        return alert("未提交。", "danger"), *FORM.messages({"_": "请先选择村集体经济组织"}), no_update
    actor = current_actor()
    version = shown.get("version") if isinstance(shown, dict) and as_int(shown.get("org_id")) == org_id else None
    typed = {f.key: v[f.key] for f in FIELDS}
    member, shares = as_int(v["member_id"]), v["shares"]
    wanted = {member if member is not None else 0: shares} if (shares not in (None, "") or member is not None) else {}
    cfg = settings()
    try:
        cid, correction = changes.submit(cfg.database_url, cfg.audit_key, actor, org_id, version, typed, wanted,
                                         v["reason"], uploads(*v["document"]), v["evidence"])
    except AccountError as exc:
        return alert("未提交，请按提示修改。", "danger"), *FORM.messages(exc.errors), no_update
    except PermissionError as exc:
        return alert(str(exc), "danger"), *FORM.cleared(), (refresh or 0) + 1
    done = f"已提交更正申请 #{cid}，等待县级审批。" if correction else f"已提交变更 #{cid}，等待乡镇审核。"
    return alert(done), *FORM.cleared(), (refresh or 0) + 1
