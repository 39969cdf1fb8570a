"""Every callback declares the permission it needs; the guard refuses any callback that does not.

Page modules under `callbacks/` decorate their functions with `secure_callback(Perm.X, Output(...),
Input(...), ...)` instead of `dash.callback`. The decorator only records the callback; `register_all`
attaches the recorded callbacks to one app, noting each one's permission under Dash's own callback
id (the `output` field of a request), so the access guard can decide before the callback runs.
The wrapper checks the permission once more when it runs and turns an out-of-scope request into
a 403 that is written to the security log.
"""
from __future__ import annotations

import functools
from dataclasses import dataclass
from collections.abc import Callable

import dash
from dash.exceptions import PreventUpdate
from flask import abort, current_app, jsonify, make_response
from flask_login import current_user

from domain.permissions import Perm


@dataclass(frozen=True)
class _Spec:
    perm: Perm | tuple[Perm, ...]
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


def secure_callback(perm, *args, **kwargs):
    """`perm`: a Perm, or a tuple of Perms any of which allows the callback."""
    perm = tuple(Perm(p) for p in perm) if isinstance(perm, (tuple, list)) else Perm(perm)

    def deco(fn):
        SPECS.append(_Spec(perm, fn, args, kwargs))
        return fn

    return deco


def _guarded(spec: _Spec):
    @functools.wraps(spec.fn)
    def wrapper(*a, **kw):
        from server.auth import current_scope, log_event

        from data.history import acting_as

        scope = current_scope()
        if scope is None or not scope.has(spec.perm):
            raise PreventUpdate
        try:
            with acting_as(scope.user_id, getattr(current_user, "username", None)):
                return spec.fn(*a, **kw)
        except PermissionError as exc:  # OutOfScope / PermissionDenied: refused, never widened
            log_event("permission_denied", str(exc), "denied", detail={"callback": spec.fn.__name__})
            abort(make_response(jsonify(error=str(exc)), 403))

    return wrapper


def register_all(app: dash.Dash) -> dict[str, Perm]:
    perms: dict[str, Perm] = {}
    for spec in SPECS:
        before = set(app.callback_map)
        app.callback(*spec.args, **spec.kwargs)(_guarded(spec))
        for key in set(app.callback_map) - before:
            perms[key] = spec.perm
    for args, kwargs in CLIENTSIDE:
        app.clientside_callback(*args, **kwargs)
    app.server.extensions["platform.callback_perms"] = perms
    return perms


def permission_for_output(output: str) -> Perm | None:
    return current_app.extensions.get("platform.callback_perms", {}).get(output)
