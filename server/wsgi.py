"""The WSGI entry point of `make serve` (gunicorn, server/gunicorn_conf.py): `application` is the
Flask server of the app built from the environment's settings.

gunicorn preloads this module (`preload_app = True`): the master builds the app once — the schema
migrated, the pages imported and laid out, the callbacks registered, Dash's own set-up done — and
every worker forked from it shares those pages of memory (copy-on-write) instead of building its
own. What must not cross a fork is left to each worker (`start_worker`, gunicorn's
post_worker_init): the query layer, whose loading runs polars (its thread pool does not survive a
fork: a child deadlocks on its first parallel query), and the database connections the master
opened while building (forgotten, not closed: they are the master's). The master runs no polars
query, starts no thread and keeps no connection a worker would use.

No worker warms the credit statistics' cubes or the province's price index: the job process's
`columnar` job (data/jobs/kinds.py) builds them once after data changes and publishes them in the
shared store, where every worker reads them (a worker asking before that builds and publishes them
itself).

Imported outside gunicorn's master (WEB_PRELOAD unset), the app is whole: its query layer loaded.
"""
from __future__ import annotations

import os

from settings import Settings


def build(settings: Settings | None = None, *, defer_query: bool = False):
    """The Flask server of a new app for `settings` (default: the environment). `defer_query`: its
    query layer is attached later, by `start_worker` in each process that serves it."""
    settings = settings or Settings.from_env()
    from app import create_app  # the composition root (pyproject.toml: the one import of app from server/)

    dash_app = create_app(settings, defer_query=defer_query)
    # Dash sets itself up on its first request (dash.Dash._setup_server: the callback map, the
    # scripts), which is not thread-safe: two threads of a fresh worker serving their first requests
    # at once can fail one of them (RuntimeError: dictionary changed size during iteration). One
    # request here, before any worker takes connections, does it once (in the master: for all).
    dash_app.server.test_client().get("/health")
    return dash_app.server


def start_worker(server) -> None:
    """In a worker forked from the master that built `server`: drop the master's pooled database
    connections and attach this worker's query layer (it maps the shared columnar copy)."""
    from data.db import after_fork
    from data.query import QueryLayer

    after_fork()
    if "platform.query" not in server.extensions:
        server.extensions["platform.query"] = QueryLayer(server.config["PLATFORM_SETTINGS"]).load()


#: gunicorn_conf.py sets WEB_PRELOAD=1 in the master before it loads this module
application = build(defer_query=os.environ.get("WEB_PRELOAD") == "1")
