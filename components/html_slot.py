"""An HTML slot: a region of a page whose content the server sends as one escaped HTML string.

Dash mounts every component of a callback's `children` anew, and on a drill-down that changes a
dozen cards or table rows that costs dash-renderer tens of milliseconds (measured in headless
Chromium at province scale). A slot is a `dcc.Store` holding the string and a `div` whose React
children never change; a clientside callback puts the string into the div, so React leaves that
DOM alone (the callback: `callbacks.common.register_html_slot`). The server escapes every text it
puts into the string (`html.escape`); links inside use the `spa-link` class for in-app navigation (assets/spa-links.js).
"""
from __future__ import annotations

from dash import dcc, html


def html_slot(slot_id: str, **div_props) -> list:
    """The layout part: the store `{slot_id}-html` (a callback's Output(..., "data")) and the div."""
    return [dcc.Store(id=f"{slot_id}-html"), html.Div(id=slot_id, **div_props)]
