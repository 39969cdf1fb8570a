"""价格指数 (Art. X32): the forest-rights price index of a region and forest type by quarter or
year, with its 95 % band and the sales behind each period (thin periods suppressed, as gaps with
the reason), fixed-base and chained; the three methods side by side; the hedonic model's
coefficients and fit; the forest-management cost index; Excel export of the tables."""
import dash
import dash_bootstrap_components as dbc
from dash import dcc, html

from components.charts import graph_config
from components.grid import data_grid
from components.prices import COEFFICIENT_COLUMNS, COST_COLUMNS, INDEX_COLUMNS, METHOD_COLUMNS, METHODS
from domain.permissions import Action
from domain.prices.codes import FOREST_TYPES, MIN_COUNTIES, MIN_SALES, PERIODS

dash.register_page(__name__, path="/prices", name="价格指数", order=90, title="林权价格指数与营林成本指数",
                   permission=Action.PRICE_INDEX_VIEW, group="价格指数")


def _select(label: str, component, width: str = "col-md-3"):
    return html.Div(className=width, children=[dbc.Label(label, html_for=component.id, className="small mb-1"),
                                               component])


def _panel(title: str, *children, actions=None):
    head = html.H2(title) if actions is None else html.Div(
        className="d-flex justify-content-between align-items-center mb-2", children=[html.H2(title, className="mb-0"),
                                                                                      actions])
    return html.Div(className="panel mt-3", children=[head, *children])


def layout(**_):
    chart = lambda gid, h="380px": dcc.Loading(dcc.Graph(id=gid, config=graph_config(gid), style={"height": h}))
    return html.Div([
        html.Div(className="panel", children=[
            html.Div(className="row g-2 align-items-end", children=[
                _select("区域", dcc.Dropdown(id="prc-region", clearable=False, placeholder="本辖区")),
                _select("林种", dcc.Dropdown(id="prc-forest-type", placeholder="全部林种",
                                           options=[{"label": v, "value": k} for k, v in FOREST_TYPES.items()])),
                _select("期次", dbc.RadioItems(id="prc-period", inline=True, value="quarter",
                                             options=[{"label": v, "value": k} for k, v in PERIODS.items()]), "col-md-2"),
                _select("指数方法", dcc.Dropdown(id="prc-method", clearable=False, value="hedonic",
                                             options=[{"label": v, "value": k} for k, v in METHODS.items()])),
                html.Div(id="prc-asof", className="col-md-1 muted-note text-end"),
            ]),
        ]),
        html.Div(id="prc-kpis", className="row g-2 mt-1"),
        _panel("林权价格指数", html.Div(id="prc-empty"),
               dbc.Tabs(id="prc-form", active_tab="fixed", className="mb-1", children=[
                   dbc.Tab(label="定基指数", tab_id="fixed"), dbc.Tab(label="环比指数", tab_id="chained")]),
               chart("prc-index", "420px"),
               html.P(f"阴影为 95% 置信区间；柱为每期成交宗数（右轴）。每期至少 {MIN_SALES} 宗成交、来自至少 "
                      f"{MIN_COUNTIES} 个县（县级视图为 {MIN_COUNTIES} 个乡镇）才发布，不足的期次留空（灰色），不以噪声示人。",
                      className="muted-note mb-1"),
               html.Div(id="prc-note"),
               html.Details(className="mt-2", children=[
                   html.Summary("指数明细表", className="small"),
                   data_grid("prc-table", INDEX_COLUMNS, height="360px", row_id="params.data.period")]),
               actions=html.Div([dbc.Button("导出指数表", id="prc-export-index", color="secondary", size="sm",
                                            className="me-2"),
                                 dbc.Button("导出回归系数", id="prc-export-coef", color="secondary", size="sm")])),
        html.Div(className="row g-3", children=[
            html.Div(className="col-xl-7", children=[_panel(
                "三种方法对比", chart("prc-methods", "360px"),
                html.P("特征价格法控制了宗地特征（蓄积、龄组、立地、林种、树种、期限等）的变化；中位数法受成交结构"
                       "（更好的立地、更老的林分）变化影响，分层加权法按基期面积加权。", className="muted-note mb-1"),
                data_grid("prc-methods-table", METHOD_COLUMNS, height="300px", row_id="params.data.period"))]),
            html.Div(className="col-xl-5", children=[_panel(
                "特征价格模型（双对数）", html.Div(id="prc-fit", className="small mb-1"),
                data_grid("prc-coef", COEFFICIENT_COLUMNS, height="560px", row_id="params.data.term"))]),
        ]),
        _panel("营林成本指数",
               html.Div(className="row g-2 align-items-end mb-2", children=[
                   _select("基期", dcc.Dropdown(id="prc-cost-base", placeholder="默认基期"), "col-md-2"),
                   html.Div(id="prc-cost-note", className="col-md-10 muted-note")]),
               html.Div(className="row g-3", children=[
                   html.Div(chart("prc-cost", "340px"), className="col-xl-7"),
                   html.Div(data_grid("prc-cost-items", COST_COLUMNS, height="340px", row_id="params.data.item"),
                            className="col-xl-5")])),
        dcc.Download(id="prc-download"),
    ])
