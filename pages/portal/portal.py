"""我的权益 (members' portal, Art. J19): a member's own membership, shares and yearly distributions,
their organisation's basic information and its published financial disclosures, with charts; a
member may ask the village about a disclosure. Laid out for a phone first."""
import dash
import dash_bootstrap_components as dbc
from dash import dcc, html

from components.charts import empty_figure
from components.form import form_field

from domain.permissions import Action

dash.register_page(__name__, path="/portal", name="我的权益", order=1, title="我的权益（成员自助查询）",
                   permission=Action.PORTAL_VIEW)

GRAPH = {"displaylogo": False, "displayModeBar": False, "responsive": True}


def _graph(gid: str, height: int):
    return dcc.Graph(id=gid, figure=empty_figure("加载中…", height=height), config=GRAPH, style={"height": f"{height}px"})


def _card(title: str, body, cid: str):
    return html.Div(className="panel portal-card mb-3", id=cid, children=[html.H2(title, className="h6"), body])


def layout(**_):
    return html.Div(className="portal", children=[
        dcc.Store(id="portal-refresh", data=0),
        html.Div(id="portal-hello", className="portal-hello mb-2"),
        html.Div(className="row g-3", children=[
            html.Div(className="col-12 col-lg-6", children=[
                _card("我的成员信息", html.Div(id="portal-me"), "portal-me-card"),
                _card("我的收益分配（按股分配）", html.Div([html.Div(id="portal-dist-note", className="small text-muted mb-1"),
                                                 _graph("portal-dist-chart", 260)]), "portal-dist-card"),
                _card("本组织基本情况", html.Div(id="portal-org"), "portal-org-card"),
            ]),
            html.Div(className="col-12 col-lg-6", children=[
                _card("本组织每季度收支", _graph("portal-quarter-chart", 280), "portal-quarter-card"),
                _card("钱花在了哪里", _graph("portal-spend-chart", 280), "portal-spend-card"),
            ]),
        ]),
        _card("财务公开", html.Div(id="portal-disclosures"), "portal-disclosures-card"),
        _card("我要提问", html.Div([
            html.P("对已公开的财务公开有疑问，可以向本村提问；本村答复后在下方“我的提问”中可以看到。提问和答复仅您本人和本村经办人员可见。",
                   className="small text-muted"),
            form_field("针对哪一份公开", dcc.Dropdown(id="portal-ask-disclosure", placeholder="选择财务公开", searchable=False),
                       "portal-ask-disclosure"),
            form_field("问题", dbc.Textarea(id="portal-ask-text", maxLength=500, rows=3, placeholder="不超过500字"),
                       "portal-ask-text"),
            dbc.Button("提交问题", id="portal-ask", color="primary", className="w-100"),
            html.Div(id="portal-ask-result", className="mt-2"),
        ]), "portal-ask-card"),
        _card("我的提问", html.Div(id="portal-questions"), "portal-questions-card"),
    ])
