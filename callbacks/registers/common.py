"""The callbacks of one register page, made from its declaration (domain.registers): load (the
grid and which sections the role may use), the selected entry's trail, the export, the create
form and one callback per step. `CALLBACKS[(kind, name)]` holds each function (tests drive them)."""
from __future__ import annotations

from dash import Input, Output, State, html, no_update

from components import registers as ui
from components.export import send_table
from components.readonly import guard_outputs
from data.errors import AccountError
from data.registers import store
from domain import clock
from domain.permissions import Action, PermissionDenied
from domain.registers.base import Register, Step
from server.callbacks import secure_callback
from server.context import settings

from callbacks.common import alert, current_actor, sections

CALLBACKS: dict[tuple[str, str], object] = {}


def _raw(step: Step, form, values) -> dict:
    got = form.read(values)
    return {i.name: got.get(i.name) for i in step.inputs}


def _step_callback(register: Register, step: Step, view: Action):
    i = ui.ids(register)
    form = ui.form_for(register, step)
    create = step is register.create
    extra_states = [] if create else [State(i["grid"], "selectedRows")]

    @secure_callback(step.action, Output(ui.step_result_id(register, step), "children"), *form.error_outputs(),
                     Output(i["refresh"], "data", allow_duplicate=True), Input(ui.submit_id(register, step), "n_clicks"),
                     *extra_states, *form.states(), State(i["refresh"], "data"), prevent_initial_call=True)
    def take(_, *values):
        cfg = settings()
        refresh = values[-1]
        selected, values = (None, values[:-1]) if create else (values[0], values[1:-1])
        raw = _raw(step, form, values)
        try:
            if create:
                eid = store.create(cfg.database_url, cfg.audit_key, current_actor(), register.key, raw, clock.today())
                message = f"已{step.label} #{eid}。"
            else:
                row = (selected or [None])[0]
                if not row:
                    return alert("请先在台账中选择一条记录。", "warning"), *form.cleared(), no_update
                state = store.advance(cfg.database_url, cfg.audit_key, current_actor(), register.key, row.get("id"),
                                      row.get("version"), step.key, raw, clock.today())
                message = f"#{row.get('id')} 已{step.label}，当前状态：{register.state_label(state)}。"
        except AccountError as exc:
            return alert("未办理，请按提示修改。", "danger"), *form.messages(exc.errors), no_update
        except PermissionDenied as exc:
            return alert(str(exc), "danger"), *form.cleared(), no_update
        return alert(message), *form.cleared(), (refresh or 0) + 1

    take.__name__ = f"{register.key}_{step.key}"
    CALLBACKS[(register.key, step.key)] = take
    return take


def wire(register: Register, view: Action) -> None:
    """Register every callback of `register`'s page (called once per register, at import)."""
    i = ui.ids(register)
    all_steps = register.all_steps()

    @secure_callback(view, Output(i["grid"], "rowData"),
                     *guard_outputs(*[ui.section_id(register, s) for s in all_steps]), Input(i["refresh"], "data"))
    def load(_):
        actor = current_actor()
        rows = store.list_entries(settings().database_url, actor, register.key, view)
        return rows, *sections(actor, *[s.action for s in all_steps])

    @secure_callback(view, Output(i["detail"], "children"), Input(i["grid"], "selectedRows"), prevent_initial_call=True)
    def show(selected):
        row = (selected or [None])[0]
        if not row:
            return ui.trail_block([])
        try:
            steps = store.trail(settings().database_url, current_actor(), register.key, row.get("id"), view)
        except PermissionDenied as exc:
            return alert(str(exc), "danger")
        following = "、".join(s.label for s in register.next_steps(str(row.get("state") or "")))
        return [ui.trail_block(steps), html.Div(f"下一步可办理：{following}" if following else "已办结，无后续步骤。",
                                                className="small text-muted mt-1", id=f"{i['detail']}-next")]

    @secure_callback(view, Output(i["download"], "data"), Output(i["export_result"], "children"),
                     Input(i["export"], "n_clicks"), prevent_initial_call=True)
    def export(_):
        cfg = settings()
        actor = current_actor()
        frame, cols = store.export_frame(cfg.database_url, actor, register.key, view)
        store.log_export(cfg.database_url, cfg.audit_key, actor, register.key, frame.height)
        stamp = clock.china_now().strftime("%Y%m%d")
        return send_table(frame, cols, register.title, filename=f"{register.title}-{stamp}"), ""

    for name, fn in (("load", load), ("show", show), ("export", export)):
        fn.__name__ = f"{register.key}_{name}"
        CALLBACKS[(register.key, name)] = fn
    for step in all_steps:
        _step_callback(register, step, view)

