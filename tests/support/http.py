"""Talking to the app the way a browser does: the sign-in form and dash-renderer's callback POST.

`call(app, client, fn, inputs, state)` posts to the callback registered from function `fn` (found
by `server.callbacks.callback_named`); `output(resp, id, prop)` is one output property of its JSON
answer; `text(component)` the text of a component tree in that answer."""
from __future__ import annotations

import re

from server.callbacks import callback_named
from tests.support.app import PASSWORD


def sign_in(flask_app, username: str, password: str = PASSWORD):
    """A test client signed in as `username` (asserts the sign-in redirected)."""
    client = flask_app.test_client()
    resp = client.post("/login", data={"username": username, "password": password})
    assert resp.status_code == 302, (resp.status_code, resp.get_data(as_text=True)[:500])
    return client


def login(client, username: str, password: str = PASSWORD, **kw):
    """The sign-in form's POST, whatever its answer."""
    return client.post("/login", data={"username": username, "password": password}, **kw)


def props(*items: tuple) -> list[dict]:
    """props(("acct-submit", "n_clicks", 1), ...) -> the `inputs` / `state` list of a callback POST."""
    return [{"id": cid, "property": prop, "value": value} for cid, prop, value in items]


def dash_post(client, output: str, inputs: list[dict], state: list[dict] | None = None,
              changed: list[str] | None = None, **headers):
    """POST to the callback endpoint the way dash-renderer does; `output` is Dash's callback id,
    `changed` names the inputs that triggered it (default: all of them)."""
    body = {"output": output, "outputs": _outputs(output), "inputs": inputs,
            "changedPropIds": changed or [f"{i['id']}.{i['property']}" for i in inputs], "state": state or []}
    return client.post("/_dash-update-component", json=body, headers=headers)


def call(app, client, fn, inputs: list[dict], state: list[dict] | None = None, changed: list[str] | None = None,
         **headers):
    """POST to the callback registered from function `fn` (e.g. `callbacks.admin.users.submit`)."""
    return dash_post(client, callback_named(app, fn), inputs, state, changed, **headers)


def output(resp, component_id: str, prop: str):
    """One output property of a callback's answer (asserting the call succeeded)."""
    assert resp.status_code == 200, (resp.status_code, resp.get_data(as_text=True)[:300])
    return resp.get_json()["response"][component_id][prop]


def text(component) -> str:
    """All text in a component tree as the JSON answer carries it (strings, lists, components)."""
    if component is None:
        return ""
    if isinstance(component, str | int | float):
        return str(component)
    if isinstance(component, list):
        return "".join(text(c) for c in component)
    if isinstance(component, dict):
        return text(component.get("props", {}).get("children"))
    return ""


def _outputs(output: str):
    if output.startswith(".."):
        parts = [p for p in output.strip(".").split("...") if p]
    else:
        parts = [output]
    outs = []
    for p in parts:
        cid, prop = re.match(r"(.+)\.([^.]+)$", p).groups()
        outs.append({"id": cid, "property": prop})
    return outs if len(outs) > 1 else outs[0]


def app_on(settings):
    """The app on a test module's own database (the session's `app` fixture serves the shared one)."""
    from tests.support.app import build_app

    return build_app(settings)


def call_as(client, app, fn, inputs: list[dict], state: list[dict] | None = None, changed: list[str] | None = None):
    """`call` with the client first: POST the callback registered from `fn` with these inputs and states."""
    return call(app, client, fn, inputs, state, changed)


def outputs(resp) -> dict:
    """{component id: {property: value}} of a callback's answer (it must have answered 200)."""
    assert resp.status_code == 200, (resp.status_code, resp.get_data(as_text=True)[:300])
    return resp.get_json()["response"]


def values(pairs: dict[str, object], prop: str = "value") -> list[dict]:
    """Inputs or states `[{id, property, value}]` from {component id: value}."""
    return [{"id": k, "property": prop, "value": v} for k, v in pairs.items()]
