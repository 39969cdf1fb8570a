"""试运行与锁定 callbacks: the counties and their state; the province ends one county's trial
period after confirming it (data.basedata.trial.end_trial, logged)."""
from __future__ import annotations

from dash import Input, Output, State, html

from components.basedata import LOCK
from components.readonly import guard_outputs
from data.basedata import trial
from domain.permissions import Action
from server.callbacks import secure_callback
from server.context import settings

from ..common import as_int, current_actor, dialog_step, register_dialog, sections

register_dialog(LOCK)


@secure_callback(Action.BASEDATA_VIEW, Output("bd-counties", "rowData"), Output("bd-trial-summary", "children"),
                 Output("bd-lock-county", "options"), *guard_outputs("bd-lock-form"), Input("bd-trial-refresh", "data"))
def load(_):
    actor = current_actor()
    rows = trial.counties(settings().database_url, actor)
    locked = sum(r["locked"] for r in rows)
    summary = html.Div([html.Span(f"已结束试运行（锁定）{locked} 个", className="badge text-bg-danger me-2",
                                  id="bd-trial-locked"),
                        html.Span(f"试运行中 {len(rows) - locked} 个", className="badge text-bg-info")])
    options = [{"label": f"{r['city']} {r['name']}", "value": r["code"]} for r in rows if not r["locked"]]
    return rows, summary, options, *sections(actor, Action.BASEDATA_LOCK)


@secure_callback(Action.BASEDATA_LOCK, *LOCK.open_outputs(), Output("bd-lock-county-error", "children"),
                 Input("bd-lock-open", "n_clicks"), State("bd-lock-county", "value"), State("bd-lock-county", "options"),
                 prevent_initial_call=True)
def ask(_, county, options):
    code = as_int(county)
    if code is None:
        return *LOCK.unchanged(), "请选择县（市、区）"
    listed = options if isinstance(options, list) else []
    name = next((o.get("label") for o in listed if isinstance(o, dict) and o.get("value") == code), str(code))
    summary = html.Div([html.Div(f"结束 {name} 的试运行期", className="fw-semibold"),
                        html.Div("结束后该县一级基础数据锁定，页面、导入和接口均不能再直接修改；"
                                 "此后只能由乡镇申请更正、经县级同意并报市、省备案。此操作不可恢复。", className="small")])
    return *LOCK.opened("lock", summary, {"id": code, "version": 0}), ""


@secure_callback(Action.BASEDATA_LOCK, Output("bd-lock-result", "children"), *LOCK.result_outputs(),
                 Output("bd-trial-refresh", "data", allow_duplicate=True), LOCK.confirm_input(), *LOCK.states(),
                 State("bd-trial-refresh", "data"), prevent_initial_call=True, running=LOCK.running())
def lock(_, pending, _opinion, refresh):
    def act(_decision, code, _version):
        cfg = settings()
        name = trial.end_trial(cfg.database_url, cfg.audit_key, current_actor(), code)
        return f"{name}已结束试运行，基础数据已锁定。"
    return dialog_step(LOCK, pending, ("lock",), refresh, act)
