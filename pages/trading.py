"""产权交易: list a resource for lease or transfer with a resolution, record bids in the window,
award to the best bid — which becomes a contract with its payment schedule."""
import dash
import dash_bootstrap_components as dbc
from dash import dcc, html

from components.locale import date_picker
from components.form import form_field
from components.grid import data_grid
from components.readonly import guarded
from domain.permissions import Action

dash.register_page(__name__, group="三资业务", path="/trading", name="产权交易", order=12, title="产权交易",
                   permission=Action.BUSINESS_VIEW)

MONEY = {"function": "params.value == null ? '' : d3.format(',.2f')(params.value / 100)"}
COLUMNS = [
    {"field": "id", "headerName": "编号", "maxWidth": 90}, {"field": "title", "headerName": "项目"},
    {"field": "kind", "headerName": "方式", "maxWidth": 100},
    {"field": "reserve_price_fen", "headerName": "底价（元/年）", "type": "rightAligned", "valueFormatter": MONEY},
    {"field": "deal_price_fen", "headerName": "成交价（元/年）", "type": "rightAligned", "valueFormatter": MONEY},
    {"field": "opens_on", "headerName": "开始"}, {"field": "closes_on", "headerName": "截止"},
    {"field": "bids", "headerName": "报价数", "maxWidth": 100}, {"field": "status", "headerName": "状态"},
]


def layout(**_):
    return html.Div([
        dcc.Store(id="trade-refresh", data=0),
        html.Div(className="row g-3", children=[
            html.Div(className="col-xl-8", children=[
                html.Div(className="panel", children=[
                    html.Div(className="d-flex justify-content-between align-items-center", children=[
                        html.H2("挂牌项目"),
                        guarded("trade-award-tools", dbc.Button("确定成交（截止后）", id="trade-award", color="success",
                                                                size="sm")),
                    ]),
                    data_grid("trade-grid", COLUMNS, selectable=True, height="420px"),
                    html.Div(id="trade-award-result", className="mt-2"),
                ]),
                html.Div(className="panel", children=[
                    html.H2("登记报价（选择上方项目）"),
                    guarded("trade-bid-form", [html.Div(className="row g-2", children=[
                        html.Div(form_field("竞价人", dbc.Input(id="bid-bidder", maxLength=100), "bid-bidder"),
                                 className="col-md-3"),
                        html.Div(form_field("证件类型", dcc.Dropdown(id="bid-id-type", value="uscc", clearable=False, options=[
                            {"label": "统一社会信用代码", "value": "uscc"}, {"label": "居民身份证", "value": "resident"}]),
                            "bid-id-type"), className="col-md-3"),
                        html.Div(form_field("证件号码", dbc.Input(id="bid-id", maxLength=40), "bid-id"), className="col-md-3"),
                        html.Div(form_field("报价（元/年）", dbc.Input(id="bid-amount"), "bid-amount"), className="col-md-3"),
                    ]),
                    dbc.Button("登记报价", id="bid-submit", color="primary", size="sm"),
                    html.Div(id="bid-result", className="mt-2")]),
                ]),
            ]),
            html.Div(className="col-xl-4", children=html.Div(className="panel", children=[
                html.H2("新挂牌"),
                guarded("trade-list-form", [
                    form_field("资源", dcc.Dropdown(id="list-resource", placeholder="选择未发包的资源"), "list-resource"),
                    form_field("方式", dcc.Dropdown(id="list-kind", value="lease", clearable=False, options=[
                        {"label": "出租", "value": "lease"}, {"label": "转让", "value": "transfer"}]), "list-kind"),
                    form_field("底价（元/年）", dbc.Input(id="list-reserve"), "list-reserve"),
                    form_field("期限（月）", dbc.Input(id="list-term", type="number", value=60, min=1, max=360),
                               "list-term"),
                    form_field("引用决议", dcc.Dropdown(id="list-resolution", placeholder="选择会议决议"), "list-resolution"),
                    form_field("竞价开始", date_picker("list-opens"), "list-opens"),
                    form_field("竞价截止", date_picker("list-closes"), "list-closes"),
                    dbc.Button("挂牌", id="list-submit", color="primary"),
                    html.Div(id="list-result", className="mt-2"),
                ]),
            ])),
        ]),
    ])
