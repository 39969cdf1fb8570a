"""驾驶舱: headline figures of the user's jurisdiction, drill-down by region."""
import dash
from dash import dcc, html

from domain.permissions import Perm

dash.register_page(__name__, path="/cockpit", name="驾驶舱", order=1, permission=Perm.STATISTICAL_ANALYSIS,
                   title="驾驶舱")


def layout(**_):
    return html.Div([
        html.Div(id="cockpit-breadcrumb", className="breadcrumb-bar"),
        html.Div(id="cockpit-kpis", className="row g-2 mb-3"),
        html.Div(className="panel", children=[
            html.H2("月度收支与资产总额趋势"),
            dcc.Graph(id="cockpit-trend", config={"displaylogo": False}, style={"height": "340px"}),
        ]),
        html.Div(className="panel", children=[html.H2("下级区域"), html.Div(id="cockpit-children")]),
    ])
