"""KPI card factories: as Dash components, and as one HTML string for a strip of cards that
changes on every drill-down (see `kpi_card_html`). A card whose value is None has no data: it
says 暂无数据 (muted, without unit or note); a real zero is a value like any other."""
from __future__ import annotations

from html import escape

from dash import dcc, html

from components.charts import EMPTY_TEXT


def _shown(value: str | None, unit: str, sub: str | None) -> tuple[str, str, str | None, str]:
    """(value, unit, note, value class) as the card shows them."""
    if value is None:
        return EMPTY_TEXT, "", None, "kpi-value kpi-empty"
    return value, unit, sub, "kpi-value"


def kpi_card(id_: str, label: str, value: str | None, unit: str = "", sub: str | None = None,
             href: str | None = None):
    """A figure with its label, unit and a note; with `href` the whole card links to the records
    behind the figure."""
    value, unit, sub, cls = _shown(value, unit, sub)
    card = html.Div(className="kpi-card" + (" kpi-link" if href else ""), id=id_, children=[
        html.Div(label, className="kpi-label"),
        html.Div([html.Span(value, className=cls, id=f"{id_}-value"), html.Span(unit, className="kpi-unit")]),
        html.Div(sub, className="kpi-sub") if sub else None,
    ])
    return dcc.Link(card, href=href, className="text-decoration-none", id=f"{id_}-link") if href else card


def kpi_card_html(id_: str, label: str, value: str | None, unit: str = "", sub: str | None = None,
                  href: str | None = None, col: str = "col-6 col-md-4 col-xl-2") -> str:
    """The same card as `kpi_card`, as escaped HTML (same ids and classes). A link is an `a.spa-link`,
    which assets/spa-links.js turns into an in-app navigation like dcc.Link."""
    value, unit, sub, cls = _shown(value, unit, sub)
    sub_html = f'<div class="kpi-sub">{escape(sub)}</div>' if sub else ""
    card = (f'<div class="kpi-card{" kpi-link" if href else ""}" id="{escape(id_)}">'
            f'<div class="kpi-label">{escape(label)}</div>'
            f'<div><span class="{cls}" id="{escape(id_)}-value">{escape(value)}</span>'
            f'<span class="kpi-unit">{escape(unit)}</span></div>{sub_html}</div>')
    if href:
        card = f'<a class="spa-link text-decoration-none" id="{escape(id_)}-link" href="{escape(href)}">{card}</a>'
    return f'<div class="{col}">{card}</div>'
