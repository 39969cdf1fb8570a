"""信用画像 (one portrait): /credit/portrait?subject=ID&purpose=…. The callback reads the subject id
from the URL; data.credit.portrait decides whether the viewer may see it and what."""
import dash
import dash_bootstrap_components as dbc
from dash import dcc, html

from domain.permissions import Action

dash.register_page(__name__, group="林业信用", path="/credit/portrait", name="信用画像", title="信用画像", nav=False,
                   permission=(Action.CREDIT_PORTRAIT_AUTHORISED, Action.CREDIT_SELF_VIEW, Action.CREDIT_PORTRAIT_VIEW))


def layout(**_):
    return html.Div([
        dcc.Store(id="credit-print-go"),
        html.Div(className="credit-actions d-flex gap-2 mb-2", children=[
            dcc.Link("返回列表", href="/credit/portraits", className="btn btn-outline-secondary btn-sm", id="credit-back"),
            dbc.Button("打印", id="credit-print", color="primary", size="sm"),
            html.Span(id="credit-print-result", className="small text-muted align-self-center"),
        ]),
        html.Div(id="credit-portrait-body", children=html.P("加载中…", className="text-muted")),
    ])
