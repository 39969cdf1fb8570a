"""台账明细 callbacks."""
from __future__ import annotations

from urllib.parse import parse_qs

from dash import Input, Output, State, no_update
from dash.exceptions import PreventUpdate
from flask_login import current_user

from components.export import send_table
from data.records import records
from domain.records import KINDS
from domain import clock
from domain.accounting import label
from domain.labels import for_people
from domain.permissions import Action
from server.callbacks import secure_callback
from server.context import log_export, query_layer, settings

from .common import breadcrumb, region_from_search

FORMAT = {
    "fen": {"function": "params.value == null ? '' : d3.format(',.2f')(params.value / 100)"},
    "mu": {"function": "params.value == null ? '' : d3.format(',.2f')(Number(params.value))"},
}


def _params(hash_: str | None) -> dict:
    return {k: v[0] for k, v in parse_qs((hash_ or "").lstrip("#?")).items()}


def _load(hash_, kind):
    if kind not in KINDS:  # nothing chosen (the page never sends that; a tampered request may)
        raise PreventUpdate
    scope = current_user.scope
    region = region_from_search(hash_, scope)
    figure = _params(hash_).get("figure")
    cfg = settings()
    frame, cut = records(cfg.database_url, scope, kind, region, figure=figure,
                         today=clock.today())
    return scope, region, figure, frame, cut


@secure_callback(Action.DASHBOARD_VIEW, Output("records-kind", "value"), Input("url", "hash"),
                 State("records-kind", "value"))
def kind_from_url(hash_, current):
    kind = _params(hash_).get("kind")
    return kind if kind in KINDS and kind != current else no_update


@secure_callback(Action.DASHBOARD_VIEW, Output("records-breadcrumb", "children"), Output("records-grid", "rowData"),
                 Output("records-grid", "columnDefs"), Output("records-note", "children"),
                 Input("url", "hash"), Input("records-kind", "value"))
def show(hash_, kind):
    scope, region, figure, frame, cut = _load(hash_, kind)
    ql = query_layer()
    crumbs = breadcrumb(ql.tree, scope, region, "/records")
    cols = [{"field": c, "headerName": h, **({"valueFormatter": FORMAT[fmt], "type": "rightAligned"} if fmt in FORMAT else {})}
            for c, h, fmt in KINDS[kind].columns]
    rows = for_people(frame, KINDS[kind].columns).with_row_index("_row").to_dicts()
    note = f"{KINDS[kind].label}：{len(rows):,} 条" + ("（只显示最新的 5,000 条）" if cut else "")
    if figure:
        note += f"；只列“{label(figure)}”的相关科目" if kind == "ledger" else ""
    return crumbs, rows, cols, note


@secure_callback(Action.DASHBOARD_VIEW, Output("records-download", "data"), Input("records-export", "n_clicks"),
                 State("url", "hash"), State("records-kind", "value"), prevent_initial_call=True)
def export(_, hash_, kind):
    scope, region, _figure, frame, _cut = _load(hash_, kind)
    name = query_layer().tree.name(region)
    title = f"{name}{KINDS[kind].label}"
    log_export(title, frame.height, region)
    return send_table(frame, list(KINDS[kind].columns), title)
