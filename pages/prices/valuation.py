"""估价助手: a parcel's estimated price (per mu and in total) with its 90 % prediction interval, from
its characteristics and the valuation model fitted on the sales inside the viewer's scope. The form
is pre-filled from the query string (a link from a forest right on the credit portrait:
?area_mu=&forest_type=&species=&age_class=&volume=&term=&right_type=&region=); the callback
validates it and answers with Chinese messages under the fields."""
import dash
import dash_bootstrap_components as dbc
from dash import dcc, html

from components.price_valuation import VALUATION_FORM, prefill
from domain.permissions import Action

dash.register_page(__name__, path="/prices/valuation", name="估价助手", order=91, title="林权估价助手",
                   permission=Action.PRICE_VALUATE, group="价格指数")


def layout(**query):
    form = VALUATION_FORM
    values, dropped = prefill(query)
    # the region's choices come from a callback, which also sets this one (if it is among them)
    region = values.pop("region_code", {}).get("value")
    half = lambda *names: [html.Div(form.field(n, **values.get(n, {})), className="col-md-6") for n in names]
    return html.Div(className="row g-3", children=[
        html.Div(className="col-lg-5", children=[html.Div(className="panel", children=[
            html.H2("宗地特征"),
            dcc.Store(id="pval-query", data={"region_code": region}), dcc.Store(id="pval-ready"),
            html.Div([html.Div(d) for d in dropped], className="alert alert-warning py-2 small", id="pval-dropped")
            if dropped else None,
            html.Div(className="row g-2", children=[
                *half("region_code", "area_mu", "forest_type", "species", "age_class", "site_class", "volume_m3_per_mu",
                      "term_years", "right_type")]),
            html.Div(id="pval-region-note", className="small text-warning-emphasis"),
            form.form_error(),
            html.Div(className="d-flex gap-2 mt-2", children=[
                dbc.Button("估价", id="pval-go", color="primary"),
                dbc.Button("清空", id="pval-clear", color="light", href="/prices/valuation")]),
        ])]),
        html.Div(className="col-lg-7", children=[html.Div(className="panel", children=[
            html.H2("估价结果"),
            html.Div(id="pval-result", children=html.P("填写宗地特征后点击「估价」。", className="text-muted")),
        ])]),
    ])
