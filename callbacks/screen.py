"""大屏 callbacks: data refresh on a timer (server), panel rotation and full screen (browser)."""
from __future__ import annotations


from dash import Input, Output, html
from flask_login import current_user

from domain import clock
from components.screen import PANELS
from domain.regions import VILLAGE, level_of
from domain.permissions import Action
from components.dashboards.asset_growth import stack_figure
from components.dashboards.cockpit import assets_map_or_bars, top_bottom, trend_figure
from components.dashboards.screen import big_figure
from domain.money import money_auto, period_label
from server.callbacks import clientside, secure_callback
from server.context import query_layer, settings

from .common import child_geojson

SCREEN_KPIS = [("total_assets", "资产总额"), ("funds", "货币资金"), ("income_operating", "本年经营收入"),
               ("net_profit", "本年收益")]


@secure_callback(Action.DASHBOARD_VIEW, Output("screen-title", "children"), Output("screen-kpis", "children"),
                 Output("screen-updated", "children"), *[Output(f"{pid}-graph", "figure") for pid, _ in PANELS],
                 Input("screen-refresh", "n_intervals"), Input("screen-width", "data"))
def refresh(_, width):
    scope = current_user.scope
    ql = query_layer()
    region = scope.root
    scale = max(1.0, min(float(width or 1920) / 1920, 2.5))
    k = ql.kpis(scope, region)
    kpis = []
    for key, label in SCREEN_KPIS:
        value, unit = money_auto(k[key])
        kpis.append(html.Div([html.Div(label, className="screen-kpi-label"),
                              html.Div([html.Span(value, className="screen-kpi-value", id=f"screen-kpi-{key}"),
                                        html.Span(unit, className="screen-kpi-unit")])], className="screen-kpi"))
    kpis.append(html.Div([html.Div("经营收入超10万元村", className="screen-kpi-label"),
                          html.Div([html.Span(f"{k['villages_income_over_100k']:,}", className="screen-kpi-value"),
                                    html.Span("个", className="screen-kpi-unit")])], className="screen-kpi"))
    kpis.append(html.Div([html.Div("未处理预警", className="screen-kpi-label"),
                          html.Div([html.Span(f"{k['warnings_open']:,}", className="screen-kpi-value"),
                                    html.Span("条", className="screen-kpi-unit")])], className="screen-kpi"))
    monthly = ql.monthly(scope, region)
    if level_of(region) < VILLAGE:
        kids = ql.children(scope, region)
        fig_map, _ = assets_map_or_bars(kids, child_geojson(region, settings().province), dark=True)
        rank = top_bottom(ql.villages(scope, region), dark=True)
    else:
        fig_map, rank = {}, {}
    figs = [fig_map, trend_figure(monthly, None, dark=True), rank, stack_figure(ql.asset_value(scope, region))]
    now = clock.china_now().strftime("%H:%M")
    title = f"{ql.tree.name(region)}农村集体经济运行监测（截至{period_label(k['period'])}）"
    return title, kpis, f"数据更新于 {now}", *[big_figure(f, scale) for f in figs]


# browser side: which panel shows (rotation every tick), the window width, full screen
clientside(
    """function(n) {
        var k = PANELS_COUNT, i = (n || 0) % k, out = [];
        for (var j = 0; j < k; j++) { out.push(j === i ? "screen-panel active" : "screen-panel"); }
        for (var j = 0; j < k; j++) { out.push(j === i ? "screen-dot active" : "screen-dot"); }
        return out;
    }""".replace("PANELS_COUNT", str(len(PANELS))),
    [Output(pid, "className") for pid, _ in PANELS] + [Output(f"{pid}-dot", "className") for pid, _ in PANELS],
    Input("screen-tick", "n_intervals"),
)
clientside(
    "function(_) { return window.innerWidth; }", Output("screen-width", "data"), Input("screen-root", "id"))
clientside(
    """function(n) { if (n && document.documentElement.requestFullscreen) {
        document.documentElement.requestFullscreen(); } return window.dash_clientside.no_update; }""",
    Output("screen-fullscreen", "title"), Input("screen-fullscreen", "n_clicks"), prevent_initial_call=True)
