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
from flask import Flask, abort, current_app, g, jsonify, redirect, request
from flask_login import current_user

from domain import clock
from domain.admin.maintenance import may_work_during
from domain.permissions import allowed
from server.auth import current_closure, end_session as _end_session
from server.callbacks import actions_for_output, as_actions
from server.inputs import request_problem

PUBLIC_PREFIXES = ("/assets/", "/_dash-component-suites/", "/login", "/health", "/_favicon.ico", "/favicon.ico")
DASH_JSON = ("/_dash-update-component", "/_dash-layout", "/_dash-dependencies", "/_reload-hash")
ROUTER_OUTPUT = ".._pages_content.children..._pages_store.data.."


def page_for_path(path: str) -> dict | None:
    path = path.rstrip("/") or "/"
    for page in dash.page_registry.values():
        if page["path"] == path:
            return page
    return None


def page_permission(page: dict | None):
    """The actions a page declares (`register_page(..., permission=Action.X)`), any of which opens it."""
    if page is None:
        return None
    declared = page.get("permission")
    return as_actions(declared) if declared else None


def may_open(page: dict | None, scope) -> bool:
    actions = page_permission(page)
    return actions is not None and scope is not None and allowed(scope, actions)


def _same_origin() -> bool:
    origin = request.headers.get("Origin")
    if origin is None:
        referer = request.headers.get("Referer")
        if referer is None:
            return True  # non-browser clients send neither; the session cookie is SameSite=Lax
        origin = referer
    o = urlparse(origin)
    return f"{o.scheme}://{o.netloc}" == request.host_url.rstrip("/")


def _refuse(status: int, message: str, perm: str | None = None):
    from server.auth import log_event

    if getattr(current_user, "is_authenticated", False) and status == 403:
        log_event("permission_denied", message, "denied", detail={"path": request.path, "permission": perm})
    return jsonify(error=message), status


def init_guard(server: Flask) -> None:
    @server.before_request
    def guard():
        path = request.path
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
                pathname = next((i.get("value") for i in body.get("inputs", [])
                                 if i.get("id") == "_pages_location" and i.get("property") == "pathname"), "/")
                page = page_for_path(pathname or "/")
                if page is not None and not may_open(page, scope):
                    return _refuse(403, f"无权访问页面 {pathname}", str(page_permission(page)))
                return None
            actions = actions_for_output(output)
            if actions is None:
                return _refuse(403, "该操作未声明权限，已拒绝", None)
            if not allowed(scope, actions):
                return _refuse(403, "缺少权限，已拒绝", ",".join(actions))
            return None
        if path in DASH_JSON or path.startswith("/_dash"):
            return None
        page = page_for_path(path)
        if page is not None and not may_open(page, scope):
            return _refuse(403, f"无权访问页面 {path}", str(page_permission(page)))
        return None

    @server.after_request
    def security_headers(resp):
        h = resp.headers
        h.setdefault("X-Content-Type-Options", "nosniff")
        h.setdefault("Referrer-Policy", "same-origin")
        h.setdefault("X-Frame-Options", "DENY")
        h.setdefault("Content-Security-Policy",
                     "default-src 'self'; script-src 'self' 'unsafe-inline' 'unsafe-eval'; "
                     "style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; font-src 'self' data:; "
                     "connect-src 'self'; worker-src 'self' blob:; frame-ancestors 'none'; base-uri 'self'; "
                     "form-action 'self'")
        if resp.mimetype == "text/html" or request.path.startswith("/_dash"):
            h.setdefault("Cache-Control", "no-store")
        return resp
