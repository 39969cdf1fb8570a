"""The cockpit's callbacks as a browser calls them: `cockpit(app, client, hash)` posts the URL
fragment to the numbers (`callbacks.cockpit.render`), `cockpit_charts(...)` to the charts."""
from __future__ import annotations

from tests.support.http import call, props

#: Dash's ids of the two callbacks; kept for test modules that still post by id (tests/test_cockpit.py,
#: tests/test_funds.py import them from tests.test_app_access): new tests use `cockpit(app, ...)`
COCKPIT = ("..cockpit-breadcrumb.children...cockpit-kpis-html.data...children-table.rowData...cockpit-children-title.children..."
           "cockpit-children-note.children...cockpit-warnings-html.data..")
CHARTS = "..cockpit-trend.figure...cockpit-map.figure...cockpit-map-codes.data...cockpit-topbottom.figure.."


def cockpit(app, client, fragment: str = "", **headers):
    """The cockpit's numbers for URL fragment `fragment` ("#region=…&period=…")."""
    import callbacks.cockpit

    return call(app, client, callbacks.cockpit.render, props(("url", "hash", fragment)), **headers)


def cockpit_charts(app, client, fragment: str = ""):
    import callbacks.cockpit

    return call(app, client, callbacks.cockpit.charts, props(("url", "hash", fragment)))
