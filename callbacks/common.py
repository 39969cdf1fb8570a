"""Helpers shared by the page callbacks: parsing the region from the URL, breadcrumbs."""
from __future__ import annotations

from urllib.parse import parse_qs

from dash import Input, Output, dcc, html, no_update

from domain.permissions import Scope
from server.callbacks import clientside


def int_param(search: str | None, name: str) -> int | None:
    """The integer parameter `name` of the URL fragment (#name=…; a query string works too), or
    None when it is missing or not a number."""
    values = parse_qs((search or "").lstrip("?#")).get(name)
    try:
        return int(values[0]) if values else None
    except ValueError:
        return None


def region_from_search(search: str | None, scope: Scope) -> int:
    """The `region` parameter of the URL fragment (#region=…; a query string works too), or the
    user's own root. Not widened: the query layer refuses a region outside the scope."""
    region = int_param(search, "region")
    return scope.root if region is None else region


def breadcrumb(tree, scope: Scope, region: int, base: str):
    """Region path from the user's root down to `region`; each step a link."""
    items = []
    for code, name in tree.path(region):
        if not scope.contains(code):
            continue
        if code == region:
            items.append(html.Span(name, className="fw-semibold", id="breadcrumb-current"))
        else:
            items.append(dcc.Link(name, href=f"{base}#region={code}", id=f"crumb-{code}"))
            items.append(html.Span(" / ", className="text-muted mx-1"))
    return items


def current_actor():
    """The signed-in user as the data layer's `Actor` (who, scope, address) for audited writes."""
    from flask_login import current_user

    from data.admin.accounts import Actor
    from server.auth import client_ip
    from server.callbacks import job_actor

    if (actor := job_actor()) is not None:  # inside a background callback's job
        return actor
    return Actor(user_id=current_user.user_id, username=current_user.username, scope=current_user.scope,
                 ip=client_ip())


def alert(text, color: str = "success"):
    """A one-line outcome message under a form or a table."""
    return html.Div(text, className=f"alert alert-{color} py-2 mb-0", role="alert")


def register_html_slot(slot_id: str) -> None:
    """The clientside callback that fills the div from the store (call once per slot, at import)."""
    clientside(
        """function(markup) {
            const el = document.getElementById(SLOT);
            if (el && typeof markup === 'string') { el.innerHTML = markup; }
            return window.dash_clientside.no_update;
        }""".replace("SLOT", repr(slot_id)),
        Output(slot_id, "role"), Input(f"{slot_id}-html", "data"),
    )


def as_int(value) -> int | None:
    """An id or number from a form or a grid row, or None."""
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def uploads(contents, filenames) -> list[tuple[str, bytes]]:
    """The files of a dcc.Upload (one or several) as (clean name, bytes)."""
    from data.attachments import clean_name, decode_upload

    contents = contents if isinstance(contents, list) else [contents] if contents else []
    filenames = filenames if isinstance(filenames, list) else [filenames] if filenames else []
    return [(clean_name(n), decode_upload(c)) for c, n in zip(contents, filenames)]


def child_geojson(region: int, province: int) -> dict:
    """The boundaries of the region's children for a map (cities, counties; below county level
    there are none: an empty feature collection)."""
    from data.maps import load_geojson
    from domain.regions import level_of

    return load_geojson(province, level_of(region) + 1)


def register_dialog(dialog) -> None:
    """The clientside callback closing a confirmation dialog (components.decision) on 取消: nothing
    is decided, no request is made."""
    clientside("function(n) { return false; }", Output(dialog.modal, "is_open", allow_duplicate=True),
               Input(dialog.cancel, "n_clicks"), prevent_initial_call=True)



def readonly_note(who, action) -> str:
    """Why `who` sees a section without its form: 您的角色无权… with the action's refusal ('' if they may)."""
    from domain.permissions import ACTIONS, Action, refusal

    reason = refusal(who, action)
    if reason is None:
        return ""
    rule = ACTIONS[Action(action)]
    return f"您的角色无权{rule.label}，本栏仅供查看" + ("" if reason.startswith("缺少权限") else f"（{reason}）")


def sections(who, *actions) -> list:
    """The values of components.readonly.guard_outputs for sections needing `actions` (in order):
    shown when `who` may take the action, else hidden with the reason."""
    from domain.permissions import may

    return [v for a in actions for v in ((False, "") if may(who, a) else (True, readonly_note(who, a)))]


def dialog_step(dialog, pending, decisions, refresh, act, *, field: str = "opinion", on_refusal=None) -> tuple:
    """The step a confirmation dialog's 确认 names (components.decision): `act(decision, id, version)`
    takes it and returns the outcome line's text. Answers (outcome line, *dialog.result_outputs(),
    the refresh counter): a refused opinion (`field` of an AccountError) keeps the dialog open with
    the message under it and writes nothing; any other refusal closes it and says why (a
    PermissionError through `on_refusal`, e.g. the funds area's logging `refused`)."""
    from components.decision import pending_decision
    from data.errors import AccountError

    chosen = pending_decision(pending, decisions)
    if chosen is None:
        return alert("请先在表格中选择一条记录。", "warning"), *dialog.closed(), no_update
    try:
        message = act(*chosen)
    except AccountError as exc:
        if field in exc.errors:
            return no_update, *dialog.refused(exc.errors[field]), no_update
        return alert("；".join(exc.errors.values()), "danger"), *dialog.closed(), (refresh or 0) + 1
    except PermissionError as exc:
        return (on_refusal(exc) if on_refusal else alert(str(exc), "danger")), *dialog.closed(), (refresh or 0) + 1
    return alert(message), *dialog.done(), (refresh or 0) + 1
