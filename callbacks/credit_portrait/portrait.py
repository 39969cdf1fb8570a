"""One credit portrait (/credit/portrait?subject=ID&purpose=…): the subject id and purpose come from
the URL; data.credit.portrait decides the basis, masks and logs the view. A refusal shows its
reason and nothing of the subject. 打印 logs a print view through the same decision, then the
browser prints (clientside)."""
from __future__ import annotations

from urllib.parse import parse_qs

from dash import Input, Output, State, html, no_update

from components.credit_portrait import portrait_view
from data.credit import portrait as portraits
from domain import clock
from domain.permissions import Action, PermissionDenied, may
from domain.regions import COUNTY, truncate
from server.callbacks import clientside, secure_callback
from server.context import query_layer, settings

from callbacks.common import alert, current_actor

VIEWERS = (Action.CREDIT_PORTRAIT_AUTHORISED, Action.CREDIT_SELF_VIEW, Action.CREDIT_PORTRAIT_VIEW)


def params(search: str | None) -> tuple[str | None, str | None]:
    """(subject id, purpose) from the URL's query string, as text (the data function checks them)."""
    q = parse_qs((search or "").lstrip("?#"))
    first = lambda k: (q.get(k) or [None])[0]
    return first("subject"), first("purpose")


def draw(p: dict):
    """The portrait, with the region's path of names (a code the tree does not know: the code); a
    viewer who may use the valuation helper gets a 估价 link per forest right (the subject's county
    as its region, when inside the viewer's scope)."""
    region = " / ".join(n for _, n in query_layer().tree.path(p["identity"]["region_code"]))
    who = current_actor()
    valuate = None
    if may(who, Action.PRICE_VALUATE):
        county = truncate(int(p["identity"]["region_code"]), COUNTY)
        valuate = (county if who.scope.contains(county) else None, clock.today())
    return html.Div([html.Div(f"所在地区：{region}", className="small text-muted mb-1", id="credit-region"),
                     portrait_view(p, valuate)])


@secure_callback(VIEWERS, Output("credit-portrait-body", "children"), Input("url", "search"),
                 State("url", "pathname"))
def load(search, pathname):
    if pathname not in (None, "/credit/portrait"):
        return no_update
    subject, purpose = params(search)
    cfg = settings()
    try:
        p = portraits.portrait(cfg.database_url, current_actor(), subject, purpose, key=cfg.audit_key)
    except PermissionDenied as exc:
        return alert(str(exc), "warning")
    return draw(p)


@secure_callback(VIEWERS, Output("credit-print-go", "data"), Output("credit-print-result", "children"),
                 Input("credit-print", "n_clicks"), State("url", "search"), prevent_initial_call=True)
def print_view(_, search):
    subject, purpose = params(search)
    cfg = settings()
    try:
        v = portraits.log_print(cfg.database_url, current_actor(), subject, purpose, key=cfg.audit_key)
    except PermissionDenied as exc:
        return no_update, str(exc)
    return v, f"已记录打印（{v['at']}）"


PRINT_JS = """function(v) {
    if (v && v.view_id) { setTimeout(function() { window.print(); }, 50); }
    return window.dash_clientside.no_update;
}"""
clientside(PRINT_JS, Output("credit-print-result", "title"), Input("credit-print-go", "data"), prevent_initial_call=True)
