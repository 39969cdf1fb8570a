"""执法检查计划 callbacks: the region choices and plans, drawing a plan, its subjects, the check
that the recorded seed reproduces it, and the subjects' export."""
from __future__ import annotations

from dash import Input, Output, State, ctx, no_update

from data.credit import inspection as plans
from data.errors import AccountError
from data.regions import load_region_tree
from domain.credit.inspection import GRADE_LABELS, GRADES
from domain.labels import time_text
from domain.permissions import Action, PermissionDenied
from server.callbacks import secure_callback
from server.context import settings

from callbacks.common import alert, as_int, current_actor
from callbacks.credit_uses.common import download, with_region_names

RATE_STATES = [State(f"credit-insp-rate-{g}", "value") for g in GRADES]
FIELDS = ["region", "period", "seed", *[f"rate_{g}" for g in GRADES]]
ERROR_OUTPUTS = [Output("credit-insp-region-error", "children"), Output("credit-insp-period-error", "children"),
                 Output("credit-insp-seed-error", "children"),
                 *[Output(f"credit-insp-rate-{g}-error", "children") for g in GRADES]]
ITEM_EXPORT = [("grade", "信用等级", None), ("name", "检查对象", None), ("identifier", "证件号码/统一社会信用代码", None),
               ("region_name", "所属区域", None), ("address", "地址", None)]


def _plan_rows(rows: list[dict]) -> list[dict]:
    for r in with_region_names(rows):
        r["sizes_text"] = "；".join(f"{GRADE_LABELS[g]} {r['sizes'].get(g, 0)}/{r['population'].get(g, 0)}"
                                   f"（{r['rates'].get(g, '')}%）" for g in GRADES)
        r["created_text"] = time_text(r.pop("created_at"))
    return rows


@secure_callback(Action.CREDIT_INSPECTION_PLAN, Output("credit-insp-region", "options"),
                 Output("credit-insp-region", "value"), Output("credit-insp-plans", "rowData"),
                 Input("credit-insp-refresh", "data"), State("credit-insp-region", "value"))
def load(_, chosen):
    who = current_actor()
    tree = load_region_tree(settings().province)
    root = who.scope.root
    codes = [root] + [int(c) for c in tree.children(root)["code"]] if tree.get(root) else [root]
    options = [{"label": tree.name(c) if i == 0 else f"　{tree.name(c)}", "value": c} for i, c in enumerate(codes)]
    return options, chosen if chosen in codes else root, _plan_rows(plans.plans(settings().database_url, who))


@secure_callback(Action.CREDIT_INSPECTION_PLAN, Output("credit-insp-result", "children"), *ERROR_OUTPUTS,
                 Output("credit-insp-refresh", "data", allow_duplicate=True), Input("credit-insp-draw", "n_clicks"),
                 State("credit-insp-region", "value"), State("credit-insp-period", "value"),
                 State("credit-insp-seed", "value"), *RATE_STATES, State("credit-insp-refresh", "data"),
                 prevent_initial_call=True)
def draw(_, region, period, seed, *rest):
    *rates, refresh = rest
    cfg = settings()
    try:
        plan = plans.create(cfg.database_url, cfg.audit_key, current_actor(), region, period,
                            dict(zip(GRADES, rates)), seed)
    except AccountError as exc:
        return (alert("未保存：请按提示更正。", "warning"), *[exc.errors.get(f, "") for f in FIELDS], no_update)
    except PermissionDenied as exc:
        return (alert(str(exc), "danger"), *[""] * len(FIELDS), no_update)
    text = (f"计划 #{plan['id']}（{plan['period']}）已保存：抽取 {plan['total']} 个检查对象，随机种子 {plan['seed']}。")
    return (alert(text), *[""] * len(FIELDS), (refresh or 0) + 1)


def _selected(selected) -> int | None:
    return as_int(selected[0].get("id")) if selected else None


@secure_callback(Action.CREDIT_INSPECTION_PLAN, Output("credit-insp-items", "rowData"),
                 Input("credit-insp-plans", "selectedRows"), prevent_initial_call=True)
def show_items(selected):
    plan_id = _selected(selected)
    if plan_id is None:
        return []
    try:
        return with_region_names(plans.items(settings().database_url, current_actor(), plan_id))
    except AccountError:
        return []


@secure_callback(Action.CREDIT_INSPECTION_PLAN, Output("credit-insp-verify-result", "children"),
                 Input("credit-insp-verify", "n_clicks"), State("credit-insp-plans", "selectedRows"),
                 prevent_initial_call=True)
def verify(_, selected):
    plan_id = _selected(selected)
    if plan_id is None:
        return alert("请先在检查计划中选择一条。", "warning")
    url = settings().database_url
    try:
        again = plans.redraw(url, current_actor(), plan_id)
    except AccountError as exc:
        return alert(str(exc), "warning")
    if again["drawn"] == plans.stored(url, plan_id):
        return alert(f"计划 #{plan_id}：按记录的随机种子重新抽取，结果与保存的检查对象完全一致。")
    why = "（抽取后主体的信用等级或名单已变化）" if not again["same_population"] else ""
    return alert(f"计划 #{plan_id}：重新抽取的结果与保存的不一致{why}。", "danger")


@secure_callback(Action.CREDIT_INSPECTION_PLAN, Output("credit-insp-download", "data"), Input("credit-insp-xlsx", "n_clicks"),
                 Input("credit-insp-csv", "n_clicks"), State("credit-insp-plans", "selectedRows"), prevent_initial_call=True)
def export(_x, _c, selected):
    plan_id = _selected(selected)
    if plan_id is None:
        return no_update
    who = current_actor()
    rows = with_region_names(plans.items(settings().database_url, who, plan_id))
    fmt = "csv" if ctx.triggered_id == "credit-insp-csv" else "xlsx"
    return download(rows, ITEM_EXPORT, f"执法检查计划{plan_id}检查对象", fmt, who.scope.root)
