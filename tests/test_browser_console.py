"""A clean console: every page in the navigation of the provincial leader, the county
administrator, the township accountant and the village cashier, opened in headless Chromium on
Jilin, logs no console error or warning (AG Grid's #25 and #29 were on nearly every grid), throws
nothing and has no failed request (nor any to another origin: `signed_in_pages` checks that).
One browser, one context per role; about a minute."""
from __future__ import annotations

import pytest

from tests.support.browser import serve, signed_in_pages

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

ROLES = ("demo-province", "demo-county", "demo-township", "demo-village")


@pytest.fixture(scope="module")
def served(app, sqlite_settings):
    with serve(app.server) as base:
        yield sqlite_settings, base


def watch(page) -> list[str]:
    """What the page reports from now on: console errors and warnings, uncaught exceptions,
    failed requests and answers of 400 and above."""
    seen: list[str] = []
    page.on("console", lambda m: seen.append(f"console.{m.type}: {m.text[:300]}") if m.type in ("error", "warning")
            else None)
    page.on("pageerror", lambda e: seen.append(f"exception: {str(e)[:300]}"))
    page.on("requestfailed", lambda r: seen.append(f"failed: {r.url} {r.failure}"))
    page.on("response", lambda r: seen.append(f"HTTP {r.status}: {r.url}") if r.status >= 400 else None)
    return seen


def settle(page) -> None:
    page.wait_for_load_state("networkidle")
    page.wait_for_timeout(300)  # the grids' and charts' first render after the last answer


@pytest.mark.parametrize("username", ROLES)
def test_console001_every_navigation_page_has_a_clean_console(chromium, served, username):
    _, base = served
    problems: dict[str, list[str]] = {}
    with signed_in_pages(chromium, base) as make:
        page = make(username)
        seen = watch(page)
        settle(page)
        paths = page.eval_on_selector_all("#app-nav a", "els => els.map(e => e.getAttribute('href'))")
        assert len(paths) >= 4, paths
        for path in paths:
            page.goto(base + path)
            settle(page)
            if seen:
                problems[path] = list(seen)
            seen.clear()  # before leaving: a request the next navigation cancels is not a failure
    assert problems == {}


def test_console002_the_watch_hears_warnings_errors_and_failed_requests(chromium, served):
    """The harness itself: a warning, an error, an exception and a 404 are each reported."""
    _, base = served
    with signed_in_pages(chromium, base) as make:
        page = make("demo-province")
        seen = watch(page)
        page.evaluate("""() => { console.warn('w'); console.error('e'); console.log('not reported');
                                 setTimeout(() => { throw new Error('x'); }, 0);
                                 return fetch('/assets/no-such-file.js').then(r => r.status); }""")
        page.wait_for_timeout(200)
    kinds = {s.split(":")[0] for s in seen}  # the 404 is also a console error ("Failed to load resource")
    assert kinds == {"HTTP 404", "console.error", "console.warning", "exception"}, seen
    assert "console.warning: w" in seen and "console.error: e" in seen
