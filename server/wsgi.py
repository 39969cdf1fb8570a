"""The WSGI entry point of `make serve` (gunicorn, server/gunicorn_conf.py): `application` is the
Flask server of the app built from the environment's settings, one per worker process.

Importing this module builds the app (create_app) and starts the per-process warm-ups (the credit
statistics' cubes, the province's price index) in background threads, so it must be imported in
the worker, after the fork: gunicorn_conf.py does not preload it (`preload_app = False`; threads and
polars' thread pool do not survive a fork). The master only imports the libraries and the app's
modules beforehand (gunicorn_conf.PRELOAD), so their pages are shared by every worker.
"""
from __future__ import annotations

from settings import Settings


def build(settings: Settings | None = None):
    """The Flask server of a new app for `settings` (default: the environment) with its warm-ups started."""
    settings = settings or Settings.from_env()
    from app import create_app  # the composition root (pyproject.toml: the one import of app from server/)

    dash_app = create_app(settings)
    # Dash sets itself up on its first request (dash.Dash._setup_server: the callback map, the
    # scripts), which is not thread-safe: two threads of a fresh worker serving their first requests
    # at once can fail one of them (RuntimeError: dictionary changed size during iteration). One
    # request here, before the worker takes connections, does it once.
    dash_app.server.test_client().get("/health")
    from data.prices.index import warm as warm_prices
    from data.query.credit import warm as warm_credit

    warm_credit(settings.database_url)  # the credit statistics' cubes, built while the first pages are served
    warm_prices(settings.database_url, settings.province)  # the province's price index, fitted in the background
    return dash_app.server


application = build()
