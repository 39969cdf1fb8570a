"""大屏模式: the whole jurisdiction at once on one 16:9 wall display — title bar, KPI strip, the map
in the centre with region names and values, the trend, the asset structure and the village ratings
on the left, the income ranking and the newest warnings on the right. Refreshes itself every
minute without reloading; a click on a region drills into it, 返回上级 goes back (never above the
user's own jurisdiction). Text scales with the screen (1920×1080 to 3840×2160)."""
import dash
from dash import dcc, html

from components.screen import graph_panel, panel
from domain.permissions import Action

dash.register_page(__name__, group="驾驶舱", path="/screen", name="大屏", order=3, permission=Action.DASHBOARD_VIEW,
                   title="大屏 · 驾驶舱")


def layout(**_):
    return html.Div(className="screen-root", id="screen-root", children=[
        dcc.Interval(id="screen-refresh", interval=60_000),
        dcc.Interval(id="screen-tick", interval=5_000),
        dcc.Store(id="screen-width"),
        dcc.Store(id="screen-map-codes"),
        dcc.Store(id="screen-signature"),
        html.Header(className="screen-top", children=[
            html.Div(className="screen-top-left", children=[
                html.Nav(id="screen-breadcrumb", className="screen-breadcrumb"),
                dcc.Link("返回上级", id="screen-back", href="/screen", className="screen-btn screen-back hidden"),
            ]),
            html.Div(className="screen-top-centre", children=[
                html.H1(id="screen-title", className="screen-title"),
                html.Div(id="screen-subtitle", className="screen-subtitle"),
            ]),
            html.Div(className="screen-top-right", children=[
                html.Div(id="screen-clock", className="screen-clock"),
                html.Div(id="screen-updated", className="screen-updated"),
                html.Div([html.Button("全屏", id="screen-fullscreen", className="screen-btn"),
                          html.A("退出大屏", href="/cockpit", className="screen-btn")], className="screen-buttons"),
            ]),
        ]),
        html.Div(id="screen-kpis", className="screen-kpis"),
        html.Div(className="screen-main", children=[
            html.Div(className="screen-col screen-left", children=[
                graph_panel("screen-trend"), graph_panel("screen-assets"),
                panel("screen-ratings", "村级预警评级", html.Div(id="screen-ratings-body", className="screen-ratings-body")),
            ]),
            html.Div(className="screen-col screen-centre", children=[graph_panel("screen-map", "screen-map-panel")]),
            html.Div(className="screen-col screen-right", children=[
                graph_panel("screen-rank"),
                panel("screen-warnings", "最新预警", html.Div(id="screen-warnings-body", className="screen-marquee-box")),
            ]),
        ]),
    ])
