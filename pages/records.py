"""台账明细: the records behind a figure — ledger lines, assets, resources, contracts, overdue
instalments, trades, warnings — for a region (URL fragment #region=…&kind=…&figure=…)."""
import dash
import dash_bootstrap_components as dbc
from dash import dcc, html

from components.grid import data_grid
from domain.records import KINDS
from domain.permissions import Action

dash.register_page(__name__, path="/records", name="台账明细", order=4, permission=Action.DASHBOARD_VIEW,
                   title="台账明细", nav=False)


def layout(**_):
    return html.Div([
        dcc.Download(id="records-download"),
        html.Div(id="records-breadcrumb", className="breadcrumb-bar"),
        html.Div(className="panel", children=[
            html.Div(className="d-flex justify-content-between align-items-center gap-2", children=[
                dcc.Dropdown(id="records-kind", options=[{"label": k.label, "value": key} for key, k in KINDS.items()],
                             value="ledger", clearable=False, style={"minWidth": "14rem"}),
                html.Div(id="records-note", className="text-muted small flex-grow-1"),
                dbc.Button("导出Excel", id="records-export", size="sm", color="secondary", outline=True),
            ]),
        ]),
        html.Div(className="panel", children=[data_grid("records-grid", [], page_size=50, height="600px",
                                                         row_id="params.data._row")]),
    ])
