"""Calling the app's Dash callbacks the way dash-renderer does, each found by its function
(`server.callbacks.callback_named`), and reading one output property of the answer."""
from __future__ import annotations

from server.callbacks import callback_named
from tests.conftest import TODAY, dash_post


def app_on(settings):
    """The app on a test module's own database (the session's `app` fixture serves the shared one)."""
    from app import create_app
    from data.query import QueryLayer

    return create_app(settings, QueryLayer(settings, today=TODAY).load())


def call(client, app, fn, inputs: list[dict], state: list[dict] | None = None, changed: list[str] | None = None):
    """POST the callback registered from `fn` (a function of callbacks/) with these inputs and states."""
    return dash_post(client, callback_named(app, fn), inputs, state, changed)


def outputs(resp) -> dict:
    """{component id: {property: value}} of a callback's answer (it must have answered 200)."""
    assert resp.status_code == 200, (resp.status_code, resp.get_data(as_text=True)[:300])
    return resp.get_json()["response"]


def text(value) -> str:
    """The text a rendered component shows (an alert, a table): its strings, children first to last."""
    if isinstance(value, str):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    if isinstance(value, list):
        return "".join(text(v) for v in value)
    if isinstance(value, dict):
        return text(value.get("props", {}).get("children")) if "props" in value else ""
    return ""


def values(pairs: dict[str, object], prop: str = "value") -> list[dict]:
    """Inputs or states `[{id, property, value}]` from {component id: value}."""
    return [{"id": k, "property": prop, "value": v} for k, v in pairs.items()]
