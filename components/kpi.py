"""KPI card factory."""
from __future__ import annotations

from dash import dcc, html


def kpi_card(id_: str, label: str, value: str, unit: str = "", sub: str | None = None, href: str | None = None):
    """A figure with its label, unit and a note; with `href` the whole card links to the records
    behind the figure."""
    card = html.Div(className="kpi-card" + (" kpi-link" if href else ""), id=id_, children=[
        html.Div(label, className="kpi-label"),
        html.Div([html.Span(value, className="kpi-value", id=f"{id_}-value"), html.Span(unit, className="kpi-unit")]),
        html.Div(sub, className="kpi-sub") if sub else None,
    ])
    return dcc.Link(card, href=href, className="text-decoration-none", id=f"{id_}-link") if href else card
