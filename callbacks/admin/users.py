"""账号管理 callbacks: parse the form, call data.admin.accounts, show the outcome in Chinese."""
from __future__ import annotations

from dash import Input, Output, State, ctx, html, no_update
from flask_login import current_user

from components.dialogs import ACCOUNT_DECISION as DECISION
from data.admin import accounts
from data.errors import AccountError
from data.regions import load_region_tree
from domain.admin.accounts import AccountDraft, role_level
from domain.clock import CST
from domain.permissions import Action, ROLES
from server.callbacks import secure_callback
from server.context import settings

from callbacks.common import alert, current_actor, dialog_step, register_dialog

STATES = {"approved": "已批准", "rejected": "已驳回"}
register_dialog(DECISION)

FORM_FIELDS = ["username", "display_name", "role", "region_code", "approval_ref", "institution", "password"]
FIELD_IDS = {"username": "acct-username", "display_name": "acct-display-name", "role": "acct-role",
             "region_code": "acct-region", "approval_ref": "acct-approval-ref", "institution": "acct-institution",
             "password": "acct-password"}


@secure_callback(Action.ACCOUNT_REQUEST, Output("acct-users", "rowData"), Output("acct-requests", "rowData"),
                 Input("acct-refresh", "data"))
def load(_):
    cfg = settings()
    tree = load_region_tree(cfg.province)
    users = accounts.list_users(cfg.database_url, current_user.scope)
    for u in users:
        u["region_name"] = " / ".join(n for _, n in tree.path(u["region_code"])[1:]) or tree.name(u["region_code"])
        u["status"] = "已停用" if not u["is_active"] else ("已锁定" if u["locked"] else "正常")
        u["password_changed"] = u.pop("password_changed_at").astimezone(CST).strftime("%Y-%m-%d")
    reqs = accounts.list_requests(cfg.database_url, current_actor(), status=None)[:500]
    for r in reqs:
        r["region_name"] = tree.name(r["region_code"])
        r["kind_label"] = "新建" if r["kind"] == "create" else "变更授权"
        r["state"] = STATES.get(r["status"]) or ("待我审批" if r["decidable"] else
                                                 ("我提交的，待审批" if r["mine"] else "待审批"))
        r.pop("created_at")
    return users, reqs


@secure_callback(Action.ACCOUNT_REQUEST, Output("acct-region", "options"), Input("acct-role", "value"))
def region_options(role):
    if role not in ROLES:
        return []
    tree = load_region_tree(settings().province)
    scope = current_user.scope
    level = role_level(role)
    frame = tree.frame if level == 1 else tree.descendants(scope.root, level=level)
    if level == 1:
        frame = frame.filter(frame["level"] == 1)
    rows = frame.select("code", "name").head(5000).iter_rows()
    return [{"label": f"{name}（{code}）", "value": code} for code, name in rows if scope.contains(code)]


@secure_callback(Action.ACCOUNT_REQUEST, Output("acct-submit-result", "children"),
                 *[Output(f"{FIELD_IDS[f]}-error", "children") for f in FORM_FIELDS],
                 Output("acct-refresh", "data", allow_duplicate=True),
                 Input("acct-submit", "n_clicks"), *[State(FIELD_IDS[f], "value") for f in FORM_FIELDS],
                 State("acct-refresh", "data"), prevent_initial_call=True)
def submit(_, username, display_name, role, region_code, approval_ref, institution, password, refresh):
    cfg = settings()
    draft = AccountDraft(username=(username or "").strip(), display_name=(display_name or "").strip(), role=role or "",
                         region_code=int(region_code) if region_code else 0, approval_ref=approval_ref,
                         institution=institution, password=password or "")
    blank = [""] * len(FORM_FIELDS)
    try:
        rid = accounts.submit_request(cfg.database_url, cfg.audit_key, cfg.province, current_actor(), draft)
    except AccountError as exc:
        return (alert("提交未成功，请按提示修改。", "danger"),
                *[exc.errors.get(f, "") for f in FORM_FIELDS], no_update)
    return alert(f"已提交申请 #{rid}，等待审批。"), *blank, (refresh or 0) + 1


@secure_callback(Action.ACCOUNT_APPROVE, *DECISION.open_outputs(),
                 Output("acct-decide-result", "children", allow_duplicate=True),
                 Input("acct-approve", "n_clicks"), Input("acct-reject", "n_clicks"),
                 State("acct-requests", "selectedRows"), prevent_initial_call=True)
def ask(_a, _r, selected):
    """批准 / 驳回 ask first: the dialog names the request and takes the opinion."""
    if not selected:
        return *DECISION.unchanged(), alert("请先在表格中选择一条申请。", "warning")
    row = selected[0]
    decision = "approve" if ctx.triggered_id == "acct-approve" else "reject"
    summary = html.Div([html.Div(f"账号申请 #{row.get('id')}：{row.get('kind_label', '')} {row.get('username', '')}",
                                 className="fw-semibold"),
                        html.Div(f"{row.get('display_name', '')} · {row.get('role_label', '')} · "
                                 f"{row.get('region_name', '')}", className="small text-muted")])
    return *DECISION.opened(decision, summary, {"id": row.get("id"), "version": 0}), ""


@secure_callback(Action.ACCOUNT_APPROVE, Output("acct-decide-result", "children", allow_duplicate=True),
                 *DECISION.result_outputs(), Output("acct-refresh", "data", allow_duplicate=True),
                 DECISION.confirm_input(), *DECISION.states(), State("acct-refresh", "data"),
                 prevent_initial_call=True, running=DECISION.running())
def decide(_, pending, opinion, refresh):
    """The confirmed 批准 / 驳回 (a refusal is logged by data.admin.accounts)."""
    def act(decision, rid, _version):
        cfg = settings()
        status = accounts.decide(cfg.database_url, cfg.audit_key, current_actor(), rid, decision == "approve", opinion)
        return f"申请 #{rid} 已{'批准' if status == 'approved' else '驳回'}。"
    return dialog_step(DECISION, pending, ("approve", "reject"), refresh, act)


@secure_callback(Action.ACCOUNT_DISABLE, Output("acct-user-result", "children"),
                 Output("acct-refresh", "data", allow_duplicate=True),
                 Input("acct-disable", "n_clicks"), Input("acct-enable", "n_clicks"),
                 State("acct-users", "selectedRows"), State("acct-refresh", "data"), prevent_initial_call=True)
def set_active(_d, _e, selected, refresh):
    if not selected:
        return alert("请先在表格中选择一个账号。", "warning"), no_update
    cfg = settings()
    active = ctx.triggered_id == "acct-enable"
    row = selected[0]
    try:
        accounts.set_active(cfg.database_url, cfg.audit_key, current_actor(), int(row["id"]), active, int(row["version"]))
    except AccountError as exc:
        return alert(str(exc), "danger"), (refresh or 0) + 1
    return alert(f"账号 {row['username']} 已{'启用' if active else '停用'}" + ("" if active else "，其会话已全部结束") + "。"), \
        (refresh or 0) + 1
