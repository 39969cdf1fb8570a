"""KPI card factory."""
from __future__ import annotations

from dash import html


def kpi_card(id_: str, label: str, value: str, unit: str = "", sub: str | None = None):
    return html.Div(className="kpi-card", id=id_, children=[
        html.Div(label, className="kpi-label"),
        html.Div([html.Span(value, className="kpi-value", id=f"{id_}-value"), html.Span(unit, className="kpi-unit")]),
        html.Div(sub, className="kpi-sub") if sub else None,
    ])
