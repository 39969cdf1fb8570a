"""Posting to a Dash callback the way dash-renderer does, pattern-matching ids included: the
callback found by its function (`call`), or any body for a callback id (`request_body`), and one
output property of the answer (`output`)."""
from __future__ import annotations

import json


def _parts(key: str) -> list[tuple[object, str]]:
    """(component id, property) of each output named in Dash's callback id `key`."""
    parts = [p for p in key.strip(".").split("...") if p] if key.startswith("..") else [key]
    out = []
    for p in parts:
        cid, _, prop = p.rpartition(".")
        out.append((json.loads(cid) if cid.startswith("{") else cid, prop))
    return out


def _ids(cid, rows: int) -> list[dict]:
    return [{**cid, "index": i} for i in range(1, rows + 1)]


def _wire(entries, value, rows: int) -> list:
    """The inputs or state of a request the way dash-renderer sends them; a pattern id with ALL
    lists one entry per row, its values `value(type, property)` (a list; its "id": the ids)."""
    out = []
    for e in entries:
        cid, prop = e["id"], e["property"]
        if cid.startswith("{"):
            ids = _ids(json.loads(cid), rows)
            got = ids if prop == "id" else (value(ids[0]["type"], prop) if ids else None) or [None] * rows
            out.append([{"id": i, "property": prop, "value": v} for i, v in zip(ids, got)])
        else:
            out.append({"id": cid, "property": prop, "value": value(cid, prop)})
    return out


def request_body(app, key: str, value, rows: int = 0, triggered: list[str] | None = None) -> dict:
    """The body dash-renderer POSTs for the callback `key`: `value(component id, property)` feeds
    its inputs and state; `rows` is how many components each pattern-matching id matches;
    `triggered` names the inputs that fired (default: all)."""
    spec = app.callback_map[key]
    outputs = [[{"id": i, "property": prop} for i in _ids(cid, rows)] if isinstance(cid, dict)
               else {"id": cid, "property": prop} for cid, prop in _parts(key)]
    return {"output": key, "outputs": outputs if len(outputs) > 1 else outputs[0],
            "inputs": _wire(spec["inputs"], value, rows), "state": _wire(spec["state"], value, rows),
            "changedPropIds": triggered or [f"{e['id']}.{e['property']}" for e in spec["inputs"]]}


def call(client, app, fn, values: dict, triggered: list[str] | None = None, rows: int = 0):
    """POST to the callback registered from `fn`; `values[(id, property)]` feeds its inputs and
    state (missing ones are None; a pattern-matching id's: `values[(type, property)]`, a list).
    Returns the response."""
    from server.callbacks import callback_named

    body = request_body(app, callback_named(app, fn), lambda cid, prop: values.get((cid, prop)), rows, triggered)
    return client.post("/_dash-update-component", json=body)


def output(resp, component_id, prop: str):
    """One output property of a callback's JSON response (a pattern id: a dict)."""
    assert resp.status_code == 200, (resp.status_code, resp.get_data(as_text=True)[:500])
    cid = json.dumps(component_id, sort_keys=True, separators=(",", ":")) if isinstance(component_id, dict) \
        else component_id
    return resp.get_json()["response"][cid][prop]


def text(value) -> str:
    """The text of a component tree as JSON (an alert, a list of messages), for `in` checks on one output."""
    return json.dumps(value, ensure_ascii=False)
