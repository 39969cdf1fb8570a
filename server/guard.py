"""The access guard: one place, deny by default, decided on the server before any callback runs.

- Static files, /login and /health are public; everything else needs a signed-in session.
- A page request (GET of a page path) and the Dash router callback are allowed only when the
  user's role holds the page's declared permission.
- A POST to a Dash endpoint must be JSON from our own origin, shaped as dash-renderer sends it
  (`server.inputs.request_problem`), and name a callback that declared a permission the user
  holds; anything else gets 4xx and no callback runs.
"""
from __future__ import annotations

from urllib.parse import urlparse

import dash
from dash._get_paths import app_strip_relative_path
from dash.exceptions import UnsupportedRelativePath
from flask import Flask, abort, current_app, g, jsonify, redirect, request
from flask_login import current_user

from components.refusal import NOT_FOUND_TEXT
from domain import clock
from domain.admin.maintenance import may_work_during
from domain.permissions import allowed
from server.auth import current_closure, end_session as _end_session
from server.callbacks import actions_for_output, as_actions, background_input_problem
from server.inputs import request_problem

PUBLIC_PREFIXES = ("/assets/", "/_dash-component-suites/", "/login", "/health", "/_favicon.ico", "/favicon.ico")
DASH_JSON = ("/_dash-update-component", "/_dash-layout", "/_dash-dependencies", "/_reload-hash")
ROUTER_OUTPUT = ".._pages_content.children..._pages_store.data.."
#: the read-only data API (server/api): its own key authentication, no session, no CSRF surface
#: (no cookie is read and nothing is written but the call log); any method but GET is refused here
DATA_API = "/api/v1"


class Unroutable(ValueError):
    """A router request whose page the guard cannot resolve the way Dash would: refused."""


def page_for_path(path) -> dict | None:
    """The page Dash renders for `path`, resolved by Dash's own functions (`strip_relative_path`
    with the app's `requests_pathname_prefix`, then `dash._pages._path_to_page`: exact match of
    the stripped path, path templates, no case folding or URL-decoding), so the guard and the
    router can never disagree. None: Dash's 404 page (its `not_found_404` module if there is one)."""
    if path is not None and not isinstance(path, str):
        raise Unroutable(path)
    strip = current_app.extensions.get("platform.strip_path") or (lambda p: app_strip_relative_path("/", p))
    try:
        stripped = strip(path)
    except UnsupportedRelativePath as exc:
        raise Unroutable(path) from exc
    # the router callback's own function (Dash has no public name for it; see dash/_pages.py)
    page, _variables = dash._pages._path_to_page(stripped)
    if page:
        return page
    return next((p for m, p in dash.page_registry.items() if m.split(".")[-1] == "not_found_404"), None)


def router_pathname(body: dict):
    """The pathname Dash's router callback will receive: Dash passes a request's `inputs` to the
    callback by position (`update(pathname_, search_)`), whatever ids they name, so it is the value
    of the first input. A body without the two inputs, or with a pattern-matching list in their
    place, is refused (Dash would fail on it)."""
    inputs = body.get("inputs")
    if not isinstance(inputs, list) or len(inputs) < 2 or not all(isinstance(i, dict) for i in inputs[:2]):
        raise Unroutable(inputs)
    return inputs[0].get("value")


def page_permission(page: dict | None):
    """The actions a page declares (`register_page(..., permission=Action.X)`), any of which opens it."""
    if page is None:
        return None
    declared = page.get("permission")
    return as_actions(declared) if declared else None


def may_open(page: dict | None, scope) -> bool:
    actions = page_permission(page)
    return actions is not None and scope is not None and allowed(scope, actions)


def landing(scope) -> str:
    """Where a signed-in user lands: the home page when it has something for their role (the home
    page's `landing_if`: actions any of which makes it theirs), else the first page of their
    navigation by its `landing` rank (register_page(..., landing=N); lower first, unranked pages
    after ranked ones, then by order): a member's portal, a bank's portraits, a credit subject's
    own page, the forestry side's statistics."""
    pages = sorted((p for p in dash.page_registry.values() if p.get("nav", True) and may_open(p, scope)),
                   key=lambda p: (p.get("landing", 1000), p.get("order", 100)))
    home = next((p for p in pages if p.get("path") == "/"), None)
    if home is not None and (not home.get("landing_if") or allowed(scope, as_actions(home["landing_if"]))):
        return "/"
    others = [p for p in pages if p.get("path") != "/"]
    return others[0]["relative_path"] if others else "/"


def _same_origin() -> bool:
    origin = request.headers.get("Origin")
    if origin is None:
        referer = request.headers.get("Referer")
        if referer is None:
            return True  # non-browser clients send neither; the session cookie is SameSite=Lax
        origin = referer
    o = urlparse(origin)
    return f"{o.scheme}://{o.netloc}" == request.host_url.rstrip("/")


def is_index_get() -> bool:
    """A browser's GET of a page: Dash's index route (its pages' paths and anything unknown)."""
    rule = request.url_rule
    return request.method in ("GET", "HEAD") and rule is not None and rule.rule in ("/", "/<path:path>")


def refusal_page(status: int, text: str):
    """A refused or unknown page as a person sees it: a Chinese page in the app's frame (header and
    the user's own navigation), never JSON (`server.templates.render_refusal`)."""
    from domain.regions import SUPPORTED_PROVINCES
    from server.auth import platform_name
    from server.templates import render_refusal

    user = current_user if getattr(current_user, "is_authenticated", False) else None
    scope = user.scope if user else None
    pages = sorted((p for p in dash.page_registry.values() if p.get("nav", True) and may_open(p, scope)),
                   key=lambda p: p.get("order", 100))
    province = current_app.config["PLATFORM_SETTINGS"].province
    return render_refusal(status, text, platform=platform_name(province), province=SUPPORTED_PROVINCES.get(province, ""),
                          user=user, links=[(p["name"], p["relative_path"]) for p in pages])


def _refuse(status: int, message: str, perm: str | None = None, page_text: str | None = None):
    """Refuses the request: a JSON error for the Dash API and scripts, the Chinese refusal page for a
    person's page request (`page_text`, default `message`); a signed-in user's 403 is logged."""
    from server.auth import log_event

    if getattr(current_user, "is_authenticated", False) and status == 403:
        log_event("permission_denied", message, "denied", detail={"path": request.path, "permission": perm})
    if is_index_get():
        return refusal_page(status, page_text or message)
    return jsonify(error=message), status


def is_not_found(page: dict | None) -> bool:
    return page is None or page.get("module", "").split(".")[-1] == "not_found_404"


def init_guard(server: Flask) -> None:
    @server.before_request
    def guard():
        path = request.path
        if path == DATA_API or path.startswith(DATA_API + "/"):
            if request.method not in ("GET", "HEAD"):
                resp = jsonify(error="数据接口只读：仅支持 GET 请求")
                resp.status_code, resp.headers["Allow"] = 405, "GET, HEAD"
                return resp
            return None
        if path.startswith(PUBLIC_PREFIXES):
            if request.method == "POST" and path == "/login" and not _same_origin():
                return _refuse(403, "跨站请求被拒绝")
            return None
        if request.method not in ("GET", "POST", "HEAD"):
            abort(405)
        if request.method == "POST":
            if not _same_origin():
                return _refuse(403, "跨站请求被拒绝")
            if path.startswith(("/_dash", "/api/")) and not request.is_json:
                return _refuse(415, "请求格式无效")
        if not getattr(current_user, "is_authenticated", False):
            if path.startswith("/_dash"):
                return _refuse(401, "请先登录")
            ended = g.get("session_ended")
            target = "/login?next=" + path + (f"&ended={ended}" if ended else "")
            return redirect(target)
        scope = current_user.scope
        if path in ("/password", "/logout"):
            return None
        closure = current_closure()
        if closure is not None and closure.in_force(clock.now()) and not may_work_during(scope):
            _end_session("closed")
            return _refuse(503, "平台停机维护中") if path.startswith("/_dash") else redirect("/login?ended=closed")
        if current_user.must_change_password:
            return _refuse(403, "请先修改密码") if path.startswith("/_dash") else redirect("/password")
        if path == "/_dash-update-component":
            body = request.get_json(silent=True)
            malformed = request_problem(body, current_app.extensions.get("platform.callback_map", {}))
            if malformed is not None:
                return _refuse(400, malformed)
            output = body.get("output", "")
            if output == ROUTER_OUTPUT:
                try:
                    pathname = router_pathname(body)
                    page = page_for_path(pathname)
                except Unroutable:
                    return _refuse(403, "无法识别的页面请求，已拒绝")
                if page is not None and not may_open(page, scope):
                    return _refuse(403, f"无权访问页面 {str(pathname)[:200]}", str(page_permission(page)))
                return None
            actions = actions_for_output(output)
            if actions is None:
                return _refuse(403, "该操作未声明权限，已拒绝", None)
            if not allowed(scope, actions):
                return _refuse(403, "缺少权限，已拒绝", ",".join(actions))
            refused = background_input_problem(output, body)
            if refused is not None:  # a background callback's values, checked before its job starts
                return _refuse(400, refused)
            return None
        if path in DASH_JSON or path.startswith("/_dash"):
            return None
        try:
            page = page_for_path(path)
        except Unroutable:
            page = None  # Dash serves the same index to every GET; the router decides the content
        if is_index_get() and is_not_found(page):
            return refusal_page(404, NOT_FOUND_TEXT)
        if page is not None and path == "/" and (home := landing(scope)) != "/":
            return redirect(home)  # a member's home is their portal, a forestry user's their first page
        if page is not None and not may_open(page, scope):
            return _refuse(403, f"无权访问页面 {path}", str(page_permission(page)),
                           page_text=f"您的角色（{current_user.role_label}）不能打开“{page['name']}”页面。"
                                     "如需此项工作，请联系本级平台管理员。")
        return None

    @server.after_request
    def security_headers(resp):
        h = resp.headers
        h.setdefault("X-Content-Type-Options", "nosniff")
        h.setdefault("Referrer-Policy", "same-origin")
        h.setdefault("X-Frame-Options", "DENY")
        h.setdefault("Content-Security-Policy", content_security_policy(resp))
        if resp.mimetype == "text/html" or request.path.startswith("/_dash"):
            h.setdefault("Cache-Control", "no-store")
        if request.path == "/_dash-dependencies" and resp.status_code == 200:
            _only_callable_dependencies(resp)
        return resp


def content_security_policy(resp) -> str:
    """No `unsafe-eval` (Dash 4, plotly.js and dash-ag-grid's function strings run without it:
    tests/test_hardening_browser.py) and no `unsafe-inline` scripts: the only inline scripts are
    the ones Dash itself renders into its index page (the renderer's start-up and inline clientside
    callbacks), allowed by their hashes (`Dash.csp_hashes`). Dash 4 has no nonce support; its
    config block is `type="application/json"`, which is not executed. Styles stay
    'unsafe-inline': plotly.js and the grid insert <style> elements at run time."""
    hashes = current_app.extensions.get("platform.csp_hashes")
    scripts = " ".join(hashes()) if hashes and resp.mimetype == "text/html" else ""
    return ("default-src 'self'; script-src 'self'" + (f" {scripts}" if scripts else "") + "; "
            "style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; font-src 'self' data:; "
            "connect-src 'self'; worker-src 'self' blob:; frame-ancestors 'none'; base-uri 'self'; "
            "form-action 'self'; object-src 'none'")


def _only_callable_dependencies(resp) -> None:
    """`/_dash-dependencies` lists only the callbacks the signed-in user may call: a callback whose
    declared actions (`secure_callback`) the user holds none of is left out; Dash's own callbacks
    (the page router) and clientside ones, which declare nothing, stay."""
    import json

    scope = current_user.scope if getattr(current_user, "is_authenticated", False) else None
    try:
        listed = json.loads(resp.get_data())
    except ValueError:
        return
    kept = [d for d in listed if (a := actions_for_output(d.get("output", ""))) is None
            or (scope is not None and allowed(scope, a))]
    resp.set_data(json.dumps(kept))
