"""大屏模式: the cockpit for a wall display — dark, full screen, refreshing itself every minute
without reloading, rotating through its panels on a timer; readable at 1920×1080 and 3840×2160."""
import dash
from dash import dcc, html

from components.screen import PANELS
from domain.permissions import Action

dash.register_page(__name__, path="/screen", name="大屏", order=3, permission=Action.DASHBOARD_VIEW,
                   title="大屏 · 驾驶舱")

GRAPH = {"displayModeBar": False, "responsive": True}


def layout(**_):
    return html.Div(className="screen-root", id="screen-root", children=[
        dcc.Interval(id="screen-refresh", interval=60_000),
        dcc.Interval(id="screen-tick", interval=12_000),
        dcc.Store(id="screen-width"),
        html.Div(className="screen-top", children=[
            html.Div(id="screen-title", className="screen-title"),
            html.Div([html.Span(id="screen-updated", className="screen-updated"),
                      html.Button("全屏", id="screen-fullscreen", className="screen-btn"),
                      html.A("退出大屏", href="/cockpit", className="screen-btn")]),
        ]),
        html.Div(id="screen-kpis", className="screen-kpis"),
        html.Div(className="screen-stage", children=[
            html.Div(className="screen-panel", id=pid, children=[
                html.Div(title, className="screen-panel-title"),
                dcc.Graph(id=f"{pid}-graph", config=GRAPH, className="screen-graph"),
            ]) for pid, title in PANELS
        ]),
        html.Div(className="screen-dots", children=[html.Span(title, id=f"{pid}-dot", className="screen-dot")
                                                    for pid, title in PANELS]),
    ])
