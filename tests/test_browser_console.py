"""The walk's own ears (tests/support/walk.py Walker): on an app serving React's and
dash-renderer's development bundles (as the Jiangxi walk in tests/test_browser_walk.py does, whose
prop checks make a Dash prop-type or React key warning a console error), a console warning, a
console error, an uncaught exception and a failed request are each reported, and a plain log is
not. Every navigation page's console is checked by the walks themselves."""
from __future__ import annotations

import pytest

from tests.support.browser import serve, signed_in_pages
from tests.support.walk import Walker, code_pattern

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def served(app_for, sqlite_settings):
    """An app of its own on the session's data, with the development bundles."""
    app = app_for(sqlite_settings)
    app.enable_dev_tools(debug=False, dev_tools_serve_dev_bundles=True, dev_tools_props_check=True,
                         dev_tools_ui=False, dev_tools_hot_reload=False, dev_tools_silence_routes_logging=True)
    with serve(app.server) as base:
        yield sqlite_settings, base


def test_console002_the_walker_hears_warnings_errors_exceptions_and_failed_requests(chromium, served):
    _, base = served
    with signed_in_pages(chromium, base) as make:
        page = make("demo-province")
        walker = Walker(page, base, code_pattern(set()))
        walker.idle()
        assert walker.current == [], walker.current  # a clean page says nothing
        page.evaluate("""() => { console.warn('w'); console.error('e'); console.log('not reported');
                                 setTimeout(() => { throw new Error('x'); }, 0);
                                 return fetch('/assets/no-such-file.js').then(r => r.status); }""")
        walker.idle()
        scripts = " ".join(page.eval_on_selector_all("script[src]", "els => els.map(e => e.src)"))
    assert "dash_renderer" in scripts and ".dev.js" in scripts  # the bundles that check props
    heard = walker.current
    assert "console warning: w" in heard and "console error: e" in heard, heard
    assert any(h.startswith("page error: ") and "x" in h for h in heard), heard
    assert any(h.startswith("HTTP 404: GET ") and h.endswith("/assets/no-such-file.js") for h in heard), heard
    assert not any("not reported" in h for h in heard), heard
