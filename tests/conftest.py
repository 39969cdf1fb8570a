"""Shared fixtures: a generated SQLite database (scale `test`), the app on top of it, signed-in
test clients, a builder for a second app, and a real PostgreSQL server started for the
integration tests. The helpers behind them are in tests/support/ (app, http, accounts, cockpit)."""
from __future__ import annotations

import pytest

from settings import Settings
from tests.support.app import PASSWORD, TODAY, build_app, generate_test_data, make_settings
from tests.support.http import dash_post, sign_in

#: still imported from here by test modules written before tests/support/ (switch them to
#: tests.support.app / tests.support.http and the `app_for` fixture, then drop this list)
__all__ = ["PASSWORD", "TODAY", "_app", "dash_post", "make_settings", "sign_in"]
_app = build_app


@pytest.fixture(scope="session")
def sqlite_settings(tmp_path_factory) -> Settings:
    return generate_test_data(make_settings(tmp_path_factory.mktemp("sqlite")))


@pytest.fixture(scope="session")
def postgres_server():
    from tests.support.postgres import PostgresServer

    server = PostgresServer()
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def pg_settings(postgres_server, tmp_path_factory) -> Settings:
    return generate_test_data(make_settings(tmp_path_factory.mktemp("pg"), postgres_server.create_database("demo")))


@pytest.fixture(scope="session")
def app(sqlite_settings):
    return build_app(sqlite_settings)


@pytest.fixture(scope="session")
def pg_app(pg_settings):
    return build_app(pg_settings)


@pytest.fixture(scope="session")
def app_for():
    """app_for(settings) -> a new app on those settings (a database of the test's own, another
    province), for tests that need one besides the shared `app`."""
    return build_app


@pytest.fixture
def client_for(app):
    """client_for('demo-county') -> a test client signed in as that demo user."""
    return lambda username: sign_in(app.server, username)


@pytest.fixture(scope="module")
def chromium():
    """Headless Chromium for a browser-test module."""
    from tests.support.browser import browser

    with browser() as b:
        yield b


@pytest.fixture
def page_for(served, chromium):
    """page_for('demo-village') -> a signed-in page on the module's `served` app (settings, base);
    the test fails if any request left the origin."""
    from tests.support.browser import signed_in_pages

    with signed_in_pages(chromium, served[1]) as make:
        yield make
