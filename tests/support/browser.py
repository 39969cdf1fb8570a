"""Serve the app on a free loopback port in a thread and drive Debian's Chromium with Playwright."""
from __future__ import annotations

import contextlib
import socket
import threading
from pathlib import Path

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage"]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def serve(flask_app):
    from waitress.server import create_server

    port = free_port()
    server = create_server(flask_app, host="127.0.0.1", port=port, threads=6)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.close()
        thread.join(10)


@contextlib.contextmanager
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            yield b
        finally:
            b.close()


def sign_in(page, base: str, username: str, password: str) -> None:
    page.goto(f"{base}/login")
    page.fill("#username", username)
    page.fill("#password", password)
    page.click("#login-submit")
    page.wait_for_load_state("networkidle")


def shot(page, name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


@contextlib.contextmanager
def app_on_own_database(tmp_path_factory, name: str, prepare=None, now=None):
    """A `test`-scale database of its own (browser tests write) and the app served on it; yields
    (settings, base URL). `prepare(settings)` runs before the app starts; `now` fixes the app's clock."""
    from tests.support.app import build_app, generate_test_data, make_settings

    # served as `make run` serves: the job runner inside the web process picks up what pages queue
    settings = generate_test_data(make_settings(tmp_path_factory.mktemp(name)).with_(jobs_in_process=True))
    if prepare is not None:
        prepare(settings)
    app = build_app(settings)
    if now is not None:
        app.server.config["NOW"] = now
    try:
        with serve(app.server) as base:
            yield settings, base
    finally:  # no runner thread of this app outlives it (a later test's fork would inherit it mid-step)
        from data.jobs.runner import stop_in_process

        stop_in_process(settings.database_url)


@contextlib.contextmanager
def signed_in_pages(chromium, base: str, viewport: dict | None = None):
    """make(username) -> a page signed in as that demo user. Every request is recorded, and at the
    end none may have gone to another origin (the platform is offline by design)."""
    from urllib.parse import urlparse

    from tests.support.app import PASSWORD

    contexts, foreign = [], []

    def make(username: str):
        ctx = chromium.new_context(viewport=viewport or {"width": 1600, "height": 1000}, locale="zh-CN",
                                   accept_downloads=True)
        contexts.append(ctx)
        page = ctx.new_page()
        page.on("request", lambda r: foreign.append(r.url) if urlparse(r.url).netloc != urlparse(base).netloc
                and not r.url.startswith(("data:", "blob:")) else None)
        sign_in(page, base, username, PASSWORD)
        return page

    try:
        yield make
    finally:
        for ctx in contexts:
            ctx.close()
    assert foreign == []


def pick(page, dropdown_id: str, text: str | None = None) -> None:
    """Choose the option of a Dash 4 dropdown whose label contains `text` (the first one without)."""
    page.click(f"#{dropdown_id}")
    options = page.locator("[role=option]:visible")
    (options.filter(has_text=text) if text else options).first.click()
    page.keyboard.press("Escape")


def wait_text(page, selector: str) -> str:
    """The text of `selector` once it has some."""
    page.wait_for_function(f"() => document.querySelector('{selector}')?.innerText.trim().length > 0")
    return page.inner_text(selector)


def count(settings, model, *where) -> int:
    from sqlalchemy import func, select

    from data.db import reading

    with reading(settings.database_url) as s:
        return s.scalar(select(func.count()).select_from(model).where(*where))


def fill_date(page, selector: str, day: str) -> None:
    """Types `day` (YYYY-MM-DD) into a date picker, commits it (the picker takes a typed date on
    Enter) and closes its calendar (which would cover what is below it)."""
    page.fill(selector, day)
    page.press(selector, "Enter")
    page.press(selector, "Escape")


#: the navigation's page links (a group's dropdown toggle is a link too, with no page behind it)
NAV_LINKS = "#app-nav a:not(.dropdown-toggle)"


def open_nav_groups(page) -> None:
    """Opens and closes every navigation group once: a dropdown renders its items when first opened."""
    for toggle in page.locator("#app-nav .dropdown-toggle").all():
        toggle.click()
        toggle.click()


def nav_links(page, attr: str = "href") -> list[str]:
    """Every page link of the navigation (inside the groups too): their `attr`, or their text."""
    page.wait_for_selector("#app-nav a")
    open_nav_groups(page)
    js = "as => as.map(a => a.textContent)" if attr == "text" else f"as => as.map(a => a.getAttribute('{attr}'))"
    return page.eval_on_selector_all(NAV_LINKS, js)
