"""Shared fixtures: a generated SQLite database (scale `test`), the app on top of it, signed-in
test clients, and a real PostgreSQL server started for the integration tests."""
from __future__ import annotations

import datetime as dt
import re

import pytest

from settings import Settings

TODAY = dt.date(2026, 11, 22)
PASSWORD = "Demo@2026!"


def make_settings(tmp, url: str | None = None, province: int = 22) -> Settings:
    return Settings(province=province, database_url=url or "", data_dir=tmp, demo_scale="test",
                    secret_key="test-secret", audit_key="test-audit-key", demo_password=PASSWORD,
                    warning_schedule_s=0)


@pytest.fixture(scope="session")
def sqlite_settings(tmp_path_factory) -> Settings:
    from data.demo import generate

    settings = make_settings(tmp_path_factory.mktemp("sqlite"))
    generate(settings, "test", today=TODAY, log=lambda *_: None)
    return settings


@pytest.fixture(scope="session")
def postgres_server():
    from tests.support.postgres import PostgresServer

    server = PostgresServer()
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def pg_settings(postgres_server, tmp_path_factory) -> Settings:
    from data.demo import generate

    settings = make_settings(tmp_path_factory.mktemp("pg"), postgres_server.create_database("demo"))
    generate(settings, "test", today=TODAY, log=lambda *_: None)
    return settings


def _app(settings):
    from app import create_app
    from data.query import QueryLayer

    return create_app(settings, QueryLayer(settings, today=TODAY).load())


@pytest.fixture(scope="session")
def app(sqlite_settings):
    return _app(sqlite_settings)


@pytest.fixture(scope="session")
def pg_app(pg_settings):
    return _app(pg_settings)


def sign_in(flask_app, username: str, password: str = PASSWORD):
    client = flask_app.test_client()
    resp = client.post("/login", data={"username": username, "password": password})
    assert resp.status_code == 302, (resp.status_code, resp.get_data(as_text=True)[:500])
    return client


@pytest.fixture
def client_for(app):
    """client_for('demo-county') -> a test client signed in as that demo user."""
    return lambda username: sign_in(app.server, username)


def dash_post(client, output: str, inputs: list[dict], state: list[dict] | None = None,
              changed: list[str] | None = None, **headers):
    """POST to the callback endpoint the way dash-renderer does; `changed` names the inputs that
    triggered it (default: all of them)."""
    body = {"output": output, "outputs": _outputs(output), "inputs": inputs,
            "changedPropIds": changed or [f"{i['id']}.{i['property']}" for i in inputs], "state": state or []}
    return client.post("/_dash-update-component", json=body, headers=headers)


def _outputs(output: str):
    if output.startswith(".."):
        parts = [p for p in output.strip(".").split("...") if p]
    else:
        parts = [output]
    outs = []
    for p in parts:
        cid, prop = re.match(r"(.+)\.([^.]+)$", p).groups()
        outs.append({"id": cid, "property": prop})
    return outs if len(outs) > 1 else outs[0]


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
