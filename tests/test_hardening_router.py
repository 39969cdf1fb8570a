"""Issue 12 item 6: the access guard and Dash's page router resolve the same page for every
pathname and request shape, so no page's layout reaches a user who may not open it.

The page Dash renders is computed here with Dash's own functions (`app.strip_relative_path`, then
`dash._pages._path_to_page`, on the first input's value: the router callback takes its inputs by
position). The router's answer must be 200 exactly when that page may be opened (Dash's 404 page,
no page at all, may be shown to anyone) and then carry that page's title; anything else is 403."""
from __future__ import annotations

import dash
import pytest
from dash._pages import _path_to_page

from domain.permissions import Scope, role_perms
from server.guard import ROUTER_OUTPUT, may_open
from tests.support.http import dash_post, props, sign_in

VARIANTS = ["{p}", "{p}/", "/{p}", "{p}//", "{p}?x=1", "{p}#frag", "{P}", "{p}%2F", "{enc}", "{p}/.",
            "/./{s}", "/x/../{s}", " {p}", "{p} ", "{s}", "{p}/extra", "{p};x", "{dbl}"]
USERS = {"demo-member": "member", "demo-admin": "admin"}


def _variants(path: str) -> list[str]:
    s = path.lstrip("/")
    enc = "/" + "".join(f"%{ord(c):02X}" if i == 0 and c.isalpha() else c for i, c in enumerate(s))
    return sorted({v.format(p=path, P=path.upper(), s=s, enc=enc, dbl=path.replace("/", "//")) for v in VARIANTS})


def _shapes(value) -> dict[str, list]:
    loc = "_pages_location"
    return {
        "normal": props((loc, "pathname", value), (loc, "search", "")),
        "swapped": props((loc, "search", value), (loc, "pathname", "/")),  # Dash reads by position
        "other_id": props(("url", "pathname", value), ("url", "search", "")),
        "pathname_second": props((loc, "search", ""), (loc, "pathname", value)),
    }


def _rendered(app, value) -> tuple[bool, dict | None]:
    """(resolvable, the page Dash's router renders for a first input `value`; None for its 404)."""
    if value is not None and not isinstance(value, str):
        return False, None
    try:
        page, _ = _path_to_page(app.strip_relative_path(value))
    except dash.exceptions.UnsupportedRelativePath:
        return False, None
    if not page:  # Dash's 404: the app's own not_found_404 page (pages/not_found_404.py)
        page = next((p for m, p in dash.page_registry.items() if m.split(".")[-1] == "not_found_404"), None)
    return True, page or None


@pytest.fixture(scope="module")
def clients(app):
    return {u: sign_in(app.server, u) for u in USERS}


def _scope(app, username):
    from sqlalchemy import select

    from data.db import reading
    from data.models import User

    with reading(app.server.config["PLATFORM_SETTINGS"].database_url) as s:
        role = s.scalar(select(User.role).where(User.username == username))
    return Scope(root=0, perms=role_perms(role), role=role)


@pytest.mark.parametrize("username", sorted(USERS))
def test_router001_router_answer_matches_the_page_dash_renders(app, clients, username):
    c, scope = clients[username], _scope(app, username)
    pages = sorted(dash.page_registry.values(), key=lambda p: p["path"])
    checked = refused = 0
    for page in pages:
        for variant in _variants(page["path"]):
            for shape, inputs in _shapes(variant).items():
                resp = dash_post(c, ROUTER_OUTPUT, inputs)
                value = inputs[0]["value"]
                resolvable, shown = _rendered(app, value)
                want = resolvable and (shown is None or may_open(shown, scope))
                where = (username, page["path"], variant, shape, resp.status_code)
                assert (resp.status_code == 200) == want, where
                assert resp.status_code in (200, 403), where
                if resp.status_code == 200:
                    title = resp.get_json()["response"]["_pages_store"]["data"]["title"]
                    assert title == (shown["title"] if shown else app.title), where
                checked += 1
                refused += resp.status_code == 403
    assert checked > 500 and refused > 0


@pytest.mark.parametrize("inputs", [
    [], None, "x", [{"id": "_pages_location", "property": "pathname", "value": "/admin/users"}],
    [[{"id": "_pages_location", "property": "pathname", "value": "/admin/users"}], {"value": ""}],
    props(("_pages_location", "pathname", ["/admin/users"]), ("_pages_location", "search", "")),
    props(("_pages_location", "pathname", {"p": "/admin/users"}), ("_pages_location", "search", "")),
])
def test_router002_bodies_the_guard_cannot_resolve_are_refused(app, clients, inputs):
    body = {"output": ROUTER_OUTPUT, "outputs": [{"id": "_pages_content", "property": "children"},
                                                 {"id": "_pages_store", "property": "data"}],
            "inputs": inputs, "changedPropIds": ["_pages_location.pathname"], "state": []}
    for c in clients.values():  # refused before any layout is built: 400 (malformed) or 403 (unresolvable)
        assert c.post("/_dash-update-component", json=body).status_code in (400, 403)


def test_router003_with_a_pathname_prefix_the_guard_follows_dash(app, clients):
    """Under a `requests_pathname_prefix` the guard strips it exactly as Dash does, and refuses a
    pathname outside it (Dash raises on one)."""
    cfg = app.config
    before = cfg.requests_pathname_prefix
    dict.__setitem__(cfg, "requests_pathname_prefix", "/sanzi/")
    try:
        c = clients["demo-member"]
        for path, code in [("/sanzi/admin/users", 403), ("/sanzi/admin/users/", 403), ("/admin/users", 403),
                           ("/sanzi/account", 200), ("/sanzi", None), ("/account", 403)]:
            resp = dash_post(c, ROUTER_OUTPUT, _shapes(path)["normal"])
            resolvable, shown = _rendered(app, path)
            assert (resp.status_code == 200) == (resolvable and (shown is None or may_open(
                shown, _scope(app, "demo-member")))), (path, resp.status_code)
            if code is not None:
                assert resp.status_code == code, path
    finally:
        dict.__setitem__(cfg, "requests_pathname_prefix", before)
