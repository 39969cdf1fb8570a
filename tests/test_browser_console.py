"""A clean console: every page in the navigation of the provincial leader, the county
administrator, the township accountant and the village cashier, opened in headless Chromium on
Jilin with the development bundles' prop checks, logs no console error or warning (AG Grid's #25
and #29 were on nearly every grid), throws nothing and has no failed request (nor any to another
origin: `signed_in_pages` checks that). One browser, one context per role; about a minute."""
from __future__ import annotations

import pytest

from tests.support.browser import serve, signed_in_pages

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

ROLES = ("demo-province", "demo-county", "demo-township", "demo-village")


@pytest.fixture(scope="module")
def served(app_for, sqlite_settings):
    """An app of its own on the session's data, with React's and dash-renderer's development
    bundles, which check every component's props: a Dash prop-type or React key warning is a
    console error there (the production bundles stay silent)."""
    app = app_for(sqlite_settings)
    app.enable_dev_tools(debug=False, dev_tools_serve_dev_bundles=True, dev_tools_props_check=True,
                         dev_tools_ui=False, dev_tools_hot_reload=False, dev_tools_silence_routes_logging=True)
    with serve(app.server) as base:
        yield sqlite_settings, base


class Watch(list):
    """What a page reports: console errors and warnings, uncaught exceptions, failed requests and
    answers of 400 and above. A request the browser cancels because we navigate away (`leaving`)
    is not a failure a person would meet."""

    def __init__(self, page):
        super().__init__()
        self.leaving = False
        page.on("console", lambda m: self.append(f"console.{m.type}: {m.text[:300]}")
                if m.type in ("error", "warning") else None)
        page.on("pageerror", lambda e: self.append(f"exception: {str(e)[:300]}"))
        page.on("requestfailed", self._failed)
        page.on("response", lambda r: self.append(f"HTTP {r.status}: {r.url}") if r.status >= 400 else None)

    def _failed(self, request):
        if not (self.leaving and "ERR_ABORTED" in (request.failure or "")):
            self.append(f"failed: {request.url} {request.failure}")

    def goto(self, page, url: str) -> None:
        self.leaving = True
        page.goto(url, wait_until="commit")
        self.leaving = False


def settle(page) -> None:
    page.wait_for_load_state("networkidle")
    page.wait_for_timeout(300)  # the grids' and charts' first render after the last answer


@pytest.mark.parametrize("username", ROLES)
def test_console001_every_navigation_page_has_a_clean_console(chromium, served, username):
    _, base = served
    problems: dict[str, list[str]] = {}
    with signed_in_pages(chromium, base) as make:
        page = make(username)
        seen = Watch(page)
        settle(page)
        from tests.support.browser import nav_links

        paths = nav_links(page)
        assert len(paths) >= 4, paths
        for path in paths:
            seen.goto(page, base + path)
            settle(page)
            if seen:
                problems[path] = list(seen)
            seen.clear()
    assert problems == {}


def test_console002_the_watch_hears_warnings_errors_and_failed_requests(chromium, served):
    """The harness itself: a warning, an error, an exception and a 404 are each reported."""
    _, base = served
    with signed_in_pages(chromium, base) as make:
        page = make("demo-province")
        seen = Watch(page)
        page.evaluate("""() => { console.warn('w'); console.error('e'); console.log('not reported');
                                 setTimeout(() => { throw new Error('x'); }, 0);
                                 return fetch('/assets/no-such-file.js').then(r => r.status); }""")
        page.wait_for_timeout(200)
        scripts = " ".join(page.eval_on_selector_all("script[src]", "els => els.map(e => e.src)"))
    assert "dash_renderer" in scripts and ".dev.js" in scripts  # the bundles that check props
    kinds = {s.split(":")[0] for s in seen}  # the 404 is also a console error ("Failed to load resource")
    assert kinds == {"HTTP 404", "console.error", "console.warning", "exception"}, seen
    assert "console.warning: w" in seen and "console.error: e" in seen
