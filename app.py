"""The application: Flask server + Dash (pages) + sign-in + the access guard.

`python -m app` (what `make run` does) makes sure the database holds demo data, prints the URL
and the demo logins, and serves the app with waitress.
"""
from __future__ import annotations

import datetime as dt
import logging
import os

import dash
import dash_bootstrap_components as dbc
from dash import ALL, Input, Output, State, dcc, html
from flask import Flask, has_request_context
from flask_login import current_user

from data.query import QueryLayer
from domain.regions import SUPPORTED_PROVINCES
from server.auth import init_auth, platform_name
from server.callbacks import clientside
from server.guard import init_guard, may_open
from settings import Settings

log = logging.getLogger("platform")
ROOT = os.path.dirname(os.path.abspath(__file__))
#: the largest request body: one submission carries its attachments base64-encoded (4/3 of their
#: size) in a callback's JSON; an attachment is at most 10 MB (13.4 MB encoded), so 25 MB holds
#: one at the limit, or several smaller ones up to ~18 MB, with room for the form. Larger bodies
#: are refused with 413 before anything reads them.
MAX_REQUEST_BYTES = 25 * 1024 * 1024


def _signed_in_user():
    """The signed-in user, or None (also outside a request, when Dash validates the layout)."""
    if has_request_context() and getattr(current_user, "is_authenticated", False):
        return current_user
    return None


def deployment_province() -> int | None:
    """The province of the app serving this request (its settings in the Flask config)."""
    from flask import current_app, has_app_context

    settings = current_app.config.get("PLATFORM_SETTINGS") if has_app_context() else None
    return settings.province if settings is not None else None


def navigation():
    """The navigation is data: a filtered copy of the page registry, never the registry itself.
    Pages declaring a `group` (register_page(..., group="三资业务")) share a dropdown when more than
    one of them is visible to the user, placed where the group's first page would be; a group
    with a single visible page, and pages without a group, are plain links. Every page keeps its
    `nav-<module>` id; the dropdown holding the current page is highlighted (a clientside callback
    on the URL, `nav-group-paths`)."""
    user = _signed_in_user()
    scope = user.scope if user else None
    pages = [p for p in dash.page_registry.values() if p.get("nav", True) and may_open(p, scope)]
    pages.sort(key=lambda p: p.get("order", 100))
    sizes: dict[str, int] = {}
    for p in pages:
        if p.get("group"):
            sizes[p["group"]] = sizes.get(p["group"], 0) + 1
    entries: list = []
    groups: dict[str, list[dict]] = {}
    for p in pages:
        g = p.get("group")
        if g and sizes[g] > 1:
            if g not in groups:
                groups[g] = []
                entries.append(g)
            groups[g].append(p)
        else:
            entries.append(p)
    links, paths = [], {}
    for e in entries:
        if isinstance(e, dict):
            links.append(dbc.NavLink(e["name"], href=e["relative_path"], active="exact", id=nav_id(e)))
            continue
        key = str(len(paths))
        paths[key] = [p["relative_path"] for p in groups[e]]
        links.append(dbc.DropdownMenu(
            [dbc.DropdownMenuItem(p["name"], href=p["relative_path"], id=nav_id(p)) for p in groups[e]],
            label=e, nav=True, id={"type": "nav-group", "index": key}, class_name="app-nav-group"))
    links.append(dcc.Store(id="nav-group-paths", data=paths))
    return dbc.Nav(links, pills=True, className="app-nav flex-wrap", id="app-nav")


def nav_id(page: dict) -> str:
    return f"nav-{page['module'].split('.')[-1]}"


#: the group holding the current page is highlighted, and its item marked active
clientside(
    """function(path, paths, ids) {
        return ids.map(function(id) {
            const inside = (paths[id.index] || []).indexOf(path) >= 0;
            return inside ? 'active' : '';
        });
    }""",
    Output({"type": "nav-group", "index": ALL}, "toggleClassName"), Input("url", "pathname"),
    State("nav-group-paths", "data"), State({"type": "nav-group", "index": ALL}, "id"))


def maintenance_bar():
    from server.auth import maintenance_banner

    text = maintenance_banner() if has_request_context() else None
    return html.Div(text, className="alert alert-warning rounded-0 mb-0 py-2 small", id="maintenance-banner",
                    role="alert") if text else html.Div(id="maintenance-banner", hidden=True)


def shell(cfg: Settings):
    """The app shell for the signed-in user (Dash calls this on every page load)."""
    user = _signed_in_user()
    who = (html.Span([html.Span(user.display_name, className="me-2 fw-semibold", id="user-name"),
                      html.Span(user.role_label, className="badge bg-light text-dark me-3", id="user-role"),
                      # signing out is a POST from our own page (a link elsewhere cannot sign anyone out)
                      html.Form(html.Button("退出", type="submit", className="btn btn-sm btn-outline-light",
                                            id="logout"), action="/logout", method="post", className="d-inline")])
           if user else html.Span())
    return html.Div([
        dcc.Location(id="url", refresh="callback-nav"),
        html.Header(className="app-header", children=[
            html.Div([html.Span(platform_name(cfg.province), className="brand"),
                      html.Span(SUPPORTED_PROVINCES.get(cfg.province, ""), className="brand-sub")]),
            who,
        ]),
        maintenance_bar(),
        html.Div(navigation(), className="app-nav-bar"),
        html.Main(dash.page_container, className="app-main"),
    ])


def limit_bodies(server: Flask) -> None:
    """A body over MAX_CONTENT_LENGTH is refused with 413 (in Chinese) before any handler, the
    sign-in form and the access guard included, parses it; one without a length is cut off there."""
    from flask import jsonify, request

    def too_large(_=None):
        return jsonify(error=f"请求过大（上限 {server.config['MAX_CONTENT_LENGTH'] // 1024 // 1024} MB）"), 413

    @server.before_request
    def refuse_large():
        if (request.content_length or 0) > server.config["MAX_CONTENT_LENGTH"]:
            return too_large()
        return None

    server.register_error_handler(413, too_large)


def background_manager(settings: Settings):
    """Where long callbacks (imports, the re-evaluation) run: a child process of the worker that
    received the request, whose result, progress and side updates wait in the shared store
    (data/runtime/shared.py: Redis or the database), signed, so that a poll answered by any
    worker on any machine finds them, and whose running or cancelled state is kept there too
    (data/runtime/bg_manager.py). Dash's `DiskcacheManager` does the rest (the job function,
    progress, results); only its storage and its idea of a job (a local pid) are replaced."""
    from dash import DiskcacheManager
    from dash.background_callback.managers import BaseBackgroundCallbackManager

    from data.runtime import bg_manager, shared

    class SharedCacheManager(DiskcacheManager):
        def __init__(self, store, secret, expire=None):
            self.handle = bg_manager.SharedHandle(store, secret)
            self.jobs = bg_manager.Jobs(store)
            self.expire = expire
            BaseBackgroundCallbackManager.__init__(self, None)

        def call_job_fn(self, key, job_fn, args, context):
            return self.jobs.start(job_fn, (key, self._make_progress_key(key), args, context))

        def job_running(self, job):
            return self.jobs.running(job)

        def terminate_job(self, job):
            if job is not None:
                self.jobs.terminate(job)

        def terminate_unhealthy_job(self, job):
            if bg_manager.parse(job) is not None and not self.jobs.running(job):
                self.jobs.terminate(job)
                return True
            return False

    return SharedCacheManager(shared.store(settings), settings.secret_key, expire=3600)


def lean_client_config(app: dash.Dash) -> None:
    """The page's config without Dash's validation layout: with pages and callback validation on,
    Dash embeds every page's whole layout in every page it serves (1.1 MB of JSON: 43 ms of a
    worker's CPU per page load and as much of the browser's parse) only so that the renderer can
    check callbacks against it, a development aid. The server keeps validating the callbacks against
    the full layout at start (`suppress_callback_exceptions=False`); the browser is told to skip its
    own check."""
    config = app._config

    def lean():
        out = config()
        out.pop("validation_layout", None)
        out["suppress_callback_exceptions"] = True
        return out

    app._config = lean


def create_app(settings: Settings | None = None, query: QueryLayer | None = None, *,
               defer_query: bool = False) -> dash.Dash:
    """The app on `settings` (default: the environment) with the query layer `query` (default: one
    loaded here). `defer_query`: none yet — the gunicorn master builds the app so that its workers
    share it, and each worker attaches its own query layer after the fork (server/wsgi.py
    `start_worker`): building one runs polars, whose thread pool does not survive a fork."""
    settings = settings or Settings.from_env()
    from data.db import upgrade

    upgrade(settings.database_url)  # the schema follows the code: pending migrations run at start
    from data.db import configure_replica  # reads may go to a streaming replica (server/routing.py)

    configure_replica(settings.database_url, settings.database_replica_url, settings.replica_max_lag_s,
                      settings.read_own_writes_s)
    from data.admin.audit_log import use_head_file

    use_head_file(settings.database_url, settings.data_dir)  # the security log's signed head
    from data.calendar.store import current as work_calendar

    work_calendar(settings.database_url)  # the entered holiday schedules: the deadlines' calendar
    server = Flask(__name__)
    server.config.update(
        SECRET_KEY=settings.secret_key,
        PLATFORM_SETTINGS=settings,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=settings.secure_cookies,
        SESSION_COOKIE_NAME="nj_session",
        PERMANENT_SESSION_LIFETIME=dt.timedelta(seconds=settings.absolute_timeout_s),
        MAX_CONTENT_LENGTH=MAX_REQUEST_BYTES,
    )
    server.json.ensure_ascii = False  # JSON answers carry Chinese as text, not \u escapes
    limit_bodies(server)
    from server.proxy import trust_proxies

    trust_proxies(server, settings.proxy_hops)  # behind nginx: the client's address and scheme (PROXY_HOPS)
    if not defer_query:
        server.extensions["platform.query"] = query or QueryLayer(settings).load()
    init_auth(server)
    from server.routing import init_routing

    init_routing(server)  # reads follow the user's own writes to the primary; after auth's hooks, before the guard's
    init_guard(server)
    from server.exports import init_exports
    from server.files import init_files

    init_files(server)
    init_exports(server)
    from server.api import init_api

    init_api(server)  # the read-only data API (/api/v1), outside the sign-in (server/guard.py)
    app = dash.Dash(
        __name__, server=server, use_pages=True, pages_folder=os.path.join(ROOT, "pages"),
        assets_folder=os.path.join(ROOT, "assets"), serve_locally=True, title="农村集体经济数字监管平台",
        external_stylesheets=["/assets/vendor/bootstrap.min.css"], assets_ignore=r"vendor/.*", compress=False,
        external_scripts=["/assets/vendor/date-fns-4.4.0-zh-CN.min.js"],  # Chinese calendars (components/locale.py)
        suppress_callback_exceptions=False, update_title=None,
        background_callback_manager=background_manager(settings),
    )
    app.layout = lambda: shell(settings)
    lean_client_config(app)
    from components.citation import PROVINCE_SOURCE
    from components.locale import localised

    PROVINCE_SOURCE[:] = [deployment_province]  # page texts cite the rules of this request's province

    for page in dash.page_registry.values():  # Chinese dropdown and date-picker texts on every page
        page["layout"] = localised(page["layout"])
    server.extensions["platform.strip_path"] = app.strip_relative_path  # the router's own (server/guard.py)
    import callbacks  # noqa: F401 - records every page's callbacks
    from server.callbacks import register_all

    register_all(app)
    server.extensions["platform.csp_hashes"] = app.csp_hashes  # the index page's own inline scripts
    if settings.jobs_in_process:  # `make run`, the tests: the job runner as a thread of this process
        from data.jobs.runner import start_in_process  # the schedule (warning runs, escalation, backups) + queued jobs

        server.extensions["platform.jobs"] = start_in_process(settings)
    # JOBS_IN_PROCESS=0 (`make serve`): this process starts no schedule or job thread; `make jobs` runs them
    return app


def main() -> None:
    from data.demo import generate, has_data

    logging.basicConfig(level=logging.INFO, format="%(message)s")
    settings = Settings.from_env()
    if not has_data(settings):
        print(f"[run] 生成演示数据（{settings.demo_scale}）…", flush=True)
        generate(settings, settings.demo_scale)
    app = create_app(settings)
    from data.query.credit import warm

    warm(settings.database_url)  # the credit statistics' cubes, built while the first pages are served
    from data.prices.index import warm as warm_prices

    warm_prices(settings.database_url, settings.province)  # the province's price index, fitted in the background
    url = f"http://{settings.host}:{settings.port}"
    print(f"\n平台已启动: {url}\n演示账号（密码均为 {settings.demo_password}）:")
    from data.demo import DEMO_LOGINS

    for username, label in DEMO_LOGINS:
        print(f"  {username:<20} {label}")
    print(flush=True)
    from waitress import serve

    serve(app.server, host=settings.host, port=settings.port, threads=8, ident=None)


if __name__ == "__main__":
    main()
