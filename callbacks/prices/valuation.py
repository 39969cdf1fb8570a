"""估价助手 (pages/prices/valuation.py): the region choices, and the estimate of the parcel in the
form (pre-filled from the query string: estimated as soon as the page opens and the region's
choices are in). The form is checked
against data.prices.valuation.ValuationInput (bounded, Chinese messages under the fields); bad
input estimates nothing. data.prices.valuation.valuate checks the action and the scope."""
from __future__ import annotations

from dash import Input, Output, State, html, no_update

from components.price_valuation import VALUATION_FORM, valuation_result
from data.prices import index as prices
from data.prices import valuation as store
from domain.permissions import Action, OutOfScope
from server.callbacks import secure_callback
from server.context import settings

from ..common import current_actor

FORM = VALUATION_FORM
HINT = "填写宗地特征后点击「估价」。"


@secure_callback(Action.PRICE_VALUATE, Output("pval-region", "options"), Output("pval-region", "value"),
                 Output("pval-region-note", "children"), Output("pval-ready", "data"), Input("url", "pathname"),
                 State("pval-query", "data"))
def choices(pathname, query):
    """The region's choices and the query string's region among them; then the estimate may run."""
    if pathname not in (None, "/prices/valuation"):
        return no_update, no_update, no_update, no_update
    got = prices.regions(settings().database_url, current_actor(), action=Action.PRICE_VALUATE)
    options = [{"label": name, "value": code} for code, name in got]
    wanted = (query or {}).get("region_code") if isinstance(query, dict) else None
    if wanted in (None, ""):
        return options, None, "", 1
    if wanted in {o["value"] for o in options}:
        return options, wanted, "", 1
    return options, None, f"链接中的区域“{str(wanted)[:20]}”不在可选范围内，已按本辖区估价", 1


def _blank(v) -> bool:
    return v is None or (isinstance(v, str) and not v.strip())


@secure_callback(Action.PRICE_VALUATE, Output("pval-result", "children"), *FORM.error_outputs(),
                 Input("pval-go", "n_clicks"), Input("pval-ready", "data"), *FORM.states(), prevent_initial_call=True)
def estimate(clicks, _ready, *values):
    given = {k: (v.strip() if isinstance(v, str) else v) for k, v in FORM.read(values).items()}
    if not clicks and all(_blank(v) for v in given.values()):  # the page opened without a query string
        return html.P(HINT, className="text-muted"), *FORM.cleared()
    parcel, errors = store.parse({k: None if _blank(v) else v for k, v in given.items()})
    if errors:
        return (html.P("请按提示修改后重新估价。", className="text-danger", id="pval-invalid"),
                *FORM.messages(errors))
    try:
        est = store.valuate(settings().database_url, current_actor(), parcel)
    except OutOfScope as exc:  # the parcel's region is not the viewer's (ensure logged the refusal)
        return html.P("请按提示修改后重新估价。", className="text-danger", id="pval-invalid"), \
            *FORM.messages({"region_code": str(exc)})
    return valuation_result(est), *FORM.cleared()
