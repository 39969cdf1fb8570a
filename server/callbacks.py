"""Every callback declares the action it serves; the guard refuses any callback that does not.

Page modules under `callbacks/` decorate their functions with `secure_callback(Action.X, Output(...),
Input(...), ...)` instead of `dash.callback` (a tuple of actions: a callback serving several, any of
which allows it). The decorator only records the callback; `register_all` attaches the recorded
callbacks to one app, noting each one's actions under Dash's own callback id (the `output` field of
a request), so the access guard can decide with `domain.permissions.may` before the callback runs.
The wrapper asks once more when it runs; a refusal raised inside (by `ensure` in the data layer:
wrong role, out of scope, own work) becomes a 403 and is written to the security log once.
Before the callback runs, every value it receives is checked against its typed, bounded schema
(`server.inputs`); a refused value leaves the outputs unchanged and puts "输入无效：…" under the
field (`{id}-error`), else in the callback's result line (`…-result`), else answers 400 — the
callback never runs, nothing is written.

Background callbacks (`background=True`, with `progress=`, `cancel=`, `running=`; Dash runs them in
a job process of the app's `DiskcacheManager`) are guarded twice as well: the access guard decides
on the request that starts the job, and the job itself asks again — with the signed-in user's actor,
which a `custom_data` hook puts into the callback context on the request (the job has no request,
no session and no `current_user`). Inside the job `job_actor()` is that actor, the Flask app context
is pushed (settings) and the app's clock is in force; a refusal raised inside is written to the
security log from the job and leaves the outputs unchanged.
"""
from __future__ import annotations

import contextvars
import functools
import logging
from dataclasses import dataclass
from collections.abc import Callable

import dash
from dash import html
from dash.dependencies import handle_callback_args
from dash.exceptions import PreventUpdate
from flask import abort, current_app, jsonify, make_response
from flask_login import current_user

from domain.permissions import Action, Actor, Scope, allowed
from server import inputs

log = logging.getLogger("platform")


@dataclass(frozen=True)
class _Spec:
    actions: tuple[Action, ...]
    fn: Callable
    args: tuple
    kwargs: dict


SPECS: list[_Spec] = []
#: clientside callbacks (code in the browser, no data): recorded like the secure ones so that every
#: app built in a process gets them (Dash hands its module-level list to the first app only)
CLIENTSIDE: list[tuple[tuple, dict]] = []


def clientside(*args, **kwargs) -> None:
    """`dash.clientside_callback`, recorded and attached to each app by `register_all`."""
    CLIENTSIDE.append((args, kwargs))


def as_actions(action) -> tuple[Action, ...]:
    """An Action, or a tuple of Actions, as a tuple."""
    return tuple(Action(a) for a in action) if isinstance(action, (tuple, list, frozenset, set)) else (Action(action),)


def secure_callback(action, *args, **kwargs):
    """`action`: the Action the callback serves, or a tuple of Actions any of which allows it."""
    actions = as_actions(action)

    def deco(fn):
        SPECS.append(_Spec(actions, fn, args, kwargs))
        return fn

    return deco


#: the actor of the background job running now (None outside a job)
_JOB_ACTOR: contextvars.ContextVar[Actor | None] = contextvars.ContextVar("platform_job_actor", default=None)
CUSTOM_DATA = "platform"


def job_actor() -> Actor | None:
    """Inside a background callback's job: the signed-in user who started it; else None."""
    return _JOB_ACTOR.get()


def _actor_data(_context) -> dict | None:
    """The `custom_data` hook: on every callback request, the signed-in user as plain data, so a
    background job (another process, no request) knows who it works for."""
    from server.auth import client_ip

    user = current_user
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    sc = user.scope
    return {"user_id": user.user_id, "username": user.username, "ip": client_ip(), "root": sc.root,
            "perms": sorted(str(p) for p in sc.perms), "shared": list(sc.shared), "role": sc.role}


def _actor_from(data) -> Actor | None:
    from domain.scope import Perm

    if not isinstance(data, dict):
        return None
    scope = Scope(root=int(data["root"]), perms=frozenset(Perm(p) for p in data["perms"]),
                  shared=tuple(int(x) for x in data["shared"]), user_id=int(data["user_id"]), role=data["role"])
    return Actor(user_id=scope.user_id, username=data["username"], scope=scope, ip=data.get("ip"))


if not getattr(dash.hooks, "_platform_actor_hook", False):  # once per process
    dash.hooks.custom_data(CUSTOM_DATA)(_actor_data)
    dash.hooks._platform_actor_hook = True


def _slot(outputs, component_id: str) -> int | None:
    """Where a refused input's message goes: the field's error line, else the result line, else
    a form-level error line (the index among `outputs`), or None."""
    plain = [(o.component_id if isinstance(o.component_id, str) else "", o.component_property) for o in outputs]
    for want in (lambda i: i == f"{component_id}-error", lambda i: i.endswith("-result"), lambda i: i.endswith("-error")):
        found = next((n for n, (i, prop) in enumerate(plain) if prop == "children" and want(i)), None)
        if found is not None:
            return found
    return None


def _refused_input(outputs, component_id: str, message: str):
    """The callback's answer to a refused input: its outputs unchanged but the message, or a 400."""
    many = isinstance(outputs, (list, tuple))
    listed = list(outputs) if many else [outputs]
    at = _slot(listed, component_id)
    if at is None:
        abort(make_response(jsonify(error=message), 400))
    shown = message if listed[at].component_id == f"{component_id}-error" else \
        html.Div(message, className="alert alert-danger py-2 mb-0", role="alert")
    wide = dash.callback_context.outputs_list if many else []
    answer = [shown if n == at else [dash.no_update] * len(wide[n]) if isinstance(wide[n], list) else dash.no_update
              for n in range(len(listed))]
    return answer if many else answer[0]


def _job_refusals(server, actor: Actor, refusals: list[tuple[str, dict]]) -> None:
    """Refusals inside a background job, written to the security log from the job."""
    from data.admin import audit_log
    from data.db import transaction

    if not refusals:
        return
    cfg = server.config["PLATFORM_SETTINGS"]
    with transaction(cfg.database_url) as s:
        for reason, detail in refusals:
            audit_log.record(s, cfg.audit_key, actor=actor.username, actor_id=actor.user_id, type="permission_denied",
                             description=reason, result="denied", region_code=actor.scope.root, ip=actor.ip,
                             detail=detail)


def _queued_refusals() -> list:
    """The refusals `ensure` queued on the request while the job ran: the job process inherits a
    copy of the starting request's context, whose end (which writes them) it never sees."""
    from flask import g, has_request_context

    return g.pop("refusals", []) if has_request_context() else []


def _background(spec: _Spec, checks, outputs, server):
    """The wrapper of a background callback: runs in the job process."""
    progress = spec.kwargs.get("progress") is not None

    @functools.wraps(spec.fn)
    def job(*a, **kw):
        from data.db import engine_for
        from data.history import acting_as
        from domain import clock

        actor = _actor_from((getattr(dash.callback_context, "custom_data", None) or {}).get(CUSTOM_DATA))
        if actor is None or not allowed(actor.scope, spec.actions):
            raise PreventUpdate
        refused = inputs.problem(checks, a[1:] if progress else a)
        if refused is not None:
            log.warning("background callback %s: %s refused: %s", spec.fn.__name__, *refused)
            raise PreventUpdate
        with server.app_context():
            cfg = server.config["PLATFORM_SETTINGS"]
            # the job is a forked process: never use (nor close) the parent's pooled connections
            engine_for(cfg.database_url).dispose(close=False)
            token, clock_token = _JOB_ACTOR.set(actor), clock.use(server.config.get("NOW"))
            _queued_refusals()  # the starting request's own, written by that request
            refusals: list = []
            try:
                with acting_as(actor.user_id, actor.username):
                    return spec.fn(*a, **kw)
            except PermissionError as exc:
                if not getattr(exc, "logged", False):
                    refusals.append((str(exc), {"callback": spec.fn.__name__,
                                                "action": str(getattr(exc, "action", "") or "")}))
                raise PreventUpdate from exc
            finally:
                _job_refusals(server, actor, _queued_refusals() + refusals)
                clock.reset(clock_token)
                _JOB_ACTOR.reset(token)

    return job


def _guarded(spec: _Spec, known: dict, server=None):
    outputs, ins, states, _ = handle_callback_args(spec.args, spec.kwargs)
    checks = inputs.checks_for(known, [*ins, *states])
    if spec.kwargs.get("background"):
        return _background(spec, checks, outputs, server)

    @functools.wraps(spec.fn)
    def wrapper(*a, **kw):
        from server.auth import current_scope, log_event

        from data.history import acting_as

        scope = current_scope()
        if scope is None or not allowed(scope, spec.actions):
            raise PreventUpdate
        refused = inputs.problem(checks, a)
        if refused is not None:
            log.warning("callback %s: %s refused: %s", spec.fn.__name__, *refused)
            return _refused_input(outputs, *refused)
        try:
            with acting_as(scope.user_id, getattr(current_user, "username", None)):
                return spec.fn(*a, **kw)
        except PermissionError as exc:  # OutOfScope / PermissionDenied: refused, never widened
            if not getattr(exc, "logged", False):
                log_event("permission_denied", str(exc), "denied",
                          detail={"callback": spec.fn.__name__, "action": str(getattr(exc, "action", "") or "")})
            abort(make_response(jsonify(error=str(exc)), 403))

    return wrapper


def background_input_problem(output: str, body: dict) -> str | None:
    """For a background callback (Dash starts its job without calling the wrapper): "输入无效：…"
    for the first value of the request its schema refuses, else None (the job checks again)."""
    checks = current_app.extensions.get("platform.background_checks", {}).get(output)
    if checks is None:
        return None
    items = [*(body.get("inputs") or []), *(body.get("state") or [])]
    values = [[x.get("value") for x in i] if isinstance(i, list) else (i or {}).get("value") for i in items]
    refused = inputs.problem(checks, values)
    return refused[1] if refused else None


def register_all(app: dash.Dash) -> dict[str, tuple[Action, ...]]:
    declared: dict[str, tuple[Action, ...]] = {}
    by_function: dict = {}
    background_checks: dict = {}
    known = layout_schemas(app)
    for spec in SPECS:
        before = set(app.callback_map)
        app.callback(*spec.args, **spec.kwargs)(_guarded(spec, known, app.server))
        if not set(app.callback_map) - before:  # Dash would silently replace the earlier callback
            raise RuntimeError(f"callback {spec.fn.__module__}.{spec.fn.__name__} repeats the outputs of another")
        for key in set(app.callback_map) - before:
            declared[key] = spec.actions
            by_function.setdefault(spec.fn, []).append(key)
            if spec.kwargs.get("background"):
                _, ins, states, _ = handle_callback_args(spec.args, spec.kwargs)
                background_checks[key] = inputs.checks_for(known, [*ins, *states])
        for cancel in spec.kwargs.get("cancel") or ():
            # Dash adds the callback a cancel button fires (output `{id}.id`) when the server
            # starts; it stops only jobs signed for the same page load, for the same actions
            declared[f"{cancel.component_id}.id"] = spec.actions
    for args, kwargs in CLIENTSIDE:
        app.clientside_callback(*args, **kwargs)
    app.server.extensions["platform.callback_actions"] = declared
    app.server.extensions["platform.callback_ids"] = by_function
    app.server.extensions["platform.background_checks"] = background_checks
    app.server.extensions["platform.callback_map"] = app.callback_map
    return declared


def layout_schemas(app: dash.Dash) -> dict:
    """The input schemas of every component the shell and the pages draw (`server.inputs.from_layout`),
    drawn once for nobody in particular."""
    known: dict = {}
    filled = set()
    for spec in SPECS:
        outs = handle_callback_args(spec.args, spec.kwargs)[0]
        filled |= {o.component_id for o in (outs if isinstance(outs, list) else [outs])
                   if o.component_property == "options" and isinstance(o.component_id, str)}
    with app.server.test_request_context("/"):
        for layout in [app.layout, *(p["layout"] for p in dash.page_registry.values())]:
            known.update(inputs.from_layout(layout() if callable(layout) else layout, filled))
    return known


def actions_for_output(output: str) -> tuple[Action, ...] | None:
    return current_app.extensions.get("platform.callback_actions", {}).get(output)


def callback_named(app: dash.Dash, fn) -> str:
    """Dash's id (the `output` of a request) of the callback registered from function `fn`."""
    ids = app.server.extensions.get("platform.callback_ids", {}).get(fn, [])
    if len(ids) != 1:
        raise KeyError(f"callback {getattr(fn, '__name__', fn)} registered {len(ids)} times")
    return ids[0]
