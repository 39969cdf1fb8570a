"""Read-only means read-only: a section of a page where only some roles may act is drawn hidden
and shown by the page's load callback when `domain.permissions.may` allows; otherwise its note
says why (您的角色无权…, from the action's refusal). A hidden section's buttons never fire, so no
callback the role may not run is ever asked for in the background of a page it may open."""
from __future__ import annotations

from dash import Output, html


def guarded(section_id: str, children, *, className: str | None = None) -> html.Div:
    """`children` inside a section that starts hidden (`{section_id}`), with its note line (`{section_id}-note`)."""
    return html.Div([html.Div(id=f"{section_id}-note", className="muted-note readonly-note"),
                     html.Div(id=section_id, hidden=True, children=children)], className=className)


def guard_outputs(*section_ids: str) -> list[Output]:
    """For each section: its `hidden` and its note (the load callback answers callbacks.common.sections)."""
    return [o for sid in section_ids for o in (Output(sid, "hidden"), Output(f"{sid}-note", "children"))]
