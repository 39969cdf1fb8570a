"""Form pieces shared by the edit pages."""
from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import html


def form_field(label: str, component, field_id: str, className: str = "mb-2", *, width: str | None = None,
               label_class: str | None = None):
    """A labelled input with its error line `{field_id}-error` below it, where the callbacks put
    the server's Chinese message for that field; `width` wraps it in a grid column."""
    div = html.Div([dbc.Label(label, html_for=field_id, className=label_class), component,
                    html.Div(id=f"{field_id}-error", className="invalid-feedback d-block")], className=className)
    return html.Div(div, className=width) if width else div
