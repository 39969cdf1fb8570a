"""The WSGI entry point of `make serve` (gunicorn, server/gunicorn_conf.py): `application` is the
Flask server of the app built from the environment's settings, one per worker process.

Importing this module builds the app (create_app), so it must be imported in the worker, after the fork.
No worker warms the credit statistics' cubes or the province's price index any more (each did, and
kept ~120 MB of heap from it): the job process's `columnar` job (data/jobs/kinds.py) builds them once
after data changes and publishes them in the shared store, where every worker reads them (a worker
asking before that builds and publishes them itself). gunicorn_conf.py does not preload this module
(`preload_app = False`; threads and polars' thread pool do not survive a fork).
The master only imports the libraries and the app's modules beforehand (gunicorn_conf.PRELOAD),
so their pages are shared by every worker.
"""
from __future__ import annotations

from settings import Settings


def build(settings: Settings | None = None):
    """The Flask server of a new app for `settings` (default: the environment)."""
    settings = settings or Settings.from_env()
    from app import create_app  # the composition root (pyproject.toml: the one import of app from server/)

    dash_app = create_app(settings)
    # Dash sets itself up on its first request (dash.Dash._setup_server: the callback map, the
    # scripts), which is not thread-safe: two threads of a fresh worker serving their first requests
    # at once can fail one of them (RuntimeError: dictionary changed size during iteration). One
    # request here, before the worker takes connections, does it once.
    dash_app.server.test_client().get("/health")
    return dash_app.server


application = build()
