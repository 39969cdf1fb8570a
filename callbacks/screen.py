"""大屏 callbacks: one server callback draws every panel from the query layer (the cockpit's
functions, asked with the user's scope) for the region in the URL fragment (#region=…, refused
outside the jurisdiction); the minute's refresh sends only the figures' data (a Patch, the layout
and its `uirevision` stay, no flicker). Drill-down, the clock, the viewport width and full screen
run in the browser."""
from __future__ import annotations

from dash import Input, Output, Patch, State, ctx, no_update
from flask_login import current_user

from components.dashboards.cockpit import trend_figure
from components.dashboards.screen import big_figure, donut_figure, empty, rank_figure, scale_of, trend_for_wall
from components.dashboards.screen_map import wall_map
from components.screen import kpi_strip, ratings_block, warning_rows
from data.supervision import analysis
from domain import clock
from domain.accounting import ASSET_KEYS, label
from domain.money import period_label, wan_number
from domain.permissions import Action, may
from domain.regions import LEVEL_NAMES, VILLAGE, level_of, parent_of
from server.auth import platform_name
from server.callbacks import clientside, secure_callback
from server.context import query_layer, settings

from .common import breadcrumb, child_geojson, region_from_search

TREND_MONTHS = 12
RANK_TOP = 10
WARNINGS = 20
FIGURES = ("screen-trend", "screen-assets", "screen-map", "screen-rank")


def _where(hash_):
    """(scope, query layer, region): the region of the URL fragment, the user's root without one;
    one outside the jurisdiction is refused (OutOfScope: logged, the callback answers 403)."""
    scope = current_user.scope
    return scope, query_layer(), scope.require(region_from_search(hash_, scope))


def trend_panel(ql, scope, region) -> dict:
    periods = ql.periods()
    monthly = ql.monthly(scope, region, start=periods[-TREND_MONTHS] if len(periods) > TREND_MONTHS else None)
    return trend_for_wall(trend_figure(monthly, None, dark=True)) if monthly.height else empty()


def assets_panel(ql, scope, region) -> dict:
    av = ql.asset_value(scope, region)
    if av.is_empty():
        return empty()
    last = av.row(av.height - 1, named=True)
    values = [wan_number(last[key] or 0) for key in ASSET_KEYS]
    total = sum(values)
    return donut_figure([label(key) for key in ASSET_KEYS], values, unit="万元",
                        centre=f"资产总额<br><b>{total:,.0f}</b><br>万元")


def rank_panel(kids) -> dict:
    ranked = kids.filter(kids["income_operating"] != 0).sort("income_operating", descending=True).head(RANK_TOP)
    return rank_figure(ranked["name"].to_list(), [wan_number(v) for v in ranked["income_operating"]],
                       ranked["code"].to_list(), unit="万元", label="本年经营收入")


def rating_counts(scope, tree, region) -> dict | None:
    """Villages rated red / amber / green under `region` (the warning map's rating); None when the
    user may not read warnings."""
    if not may(scope, Action.WARNING_READ):
        return None
    url = settings().database_url
    f = analysis.frame(url, scope)
    today = clock.today()
    rated = analysis.ratings(f, tree, region, today, analysis.supervised_villages(url, scope))
    k = analysis.kpis(f, region, today, rated)
    return {r: k[r] for r in ("red", "amber", "green")}


def newest_warnings(ql, scope, region) -> list[dict]:
    """The cockpit's newest warnings (titles name a person masked, as domain.privacy has them)."""
    frame = ql.warnings(scope, region, limit=WARNINGS)
    return [{"id": int(r["id"]), "severity": r["severity"], "title": r["title"], "place": ql.tree.name(r["code"]),
             "raised_at": r["raised_at"]} for r in frame.iter_rows(named=True)]


def back_link(scope, region) -> tuple[str, str]:
    """(href, class) of 返回上级: the parent inside the jurisdiction, hidden at the user's root."""
    parent = parent_of(region)
    if region == scope.root or parent is None or not scope.contains(parent):
        return "/screen", "screen-btn screen-back hidden"
    return f"/screen#region={parent}", "screen-btn screen-back"


def shape_of(fig: dict) -> str:
    """What a refresh may keep of a figure: a Patch of its data fits while this stays the same."""
    return f"{len(fig.get('data', ()))}:{bool(fig.get('data'))}"


def patched(fig: dict):
    p = Patch()
    p["data"] = fig["data"]
    if "annotations" in fig["layout"]:
        p["layout"]["annotations"] = fig["layout"]["annotations"]
    return p


@secure_callback(Action.DASHBOARD_VIEW,
                 Output("screen-title", "children"), Output("screen-subtitle", "children"),
                 Output("screen-breadcrumb", "children"), Output("screen-back", "href"),
                 Output("screen-back", "className"), Output("screen-updated", "children"),
                 Output("screen-kpis", "children"), Output("screen-map-title", "children"),
                 Output("screen-rank-title", "children"),
                 *[Output(f"{pid}-graph", "figure") for pid in FIGURES], Output("screen-map-codes", "data"),
                 Output("screen-ratings-body", "children"), Output("screen-warnings-body", "children"),
                 Output("screen-signature", "data"),
                 Input("url", "hash"), Input("screen-refresh", "n_intervals"), Input("screen-width", "data"),
                 State("screen-signature", "data"))
def refresh(hash_, _tick, width, signature):
    scope, ql, region = _where(hash_)
    tree = ql.tree
    k = ql.kpis(scope, region)
    level = level_of(region)
    scale = scale_of(width)
    revision = f"screen-{region}"
    if level < VILLAGE:
        kids = ql.children(scope, region, k["period"])
        fig_map, codes = wall_map(kids, child_geojson(region, settings().province), column="total_assets",
                                  label="资产总额", number=wan_number)
        rank = rank_panel(kids)
        below = LEVEL_NAMES[level + 1]
    else:
        fig_map, codes, rank, below = empty("暂无数据（村级为最末一级）"), [], empty(), "村"
    figs = {"screen-trend": trend_panel(ql, scope, region), "screen-assets": assets_panel(ql, scope, region),
            "screen-map": fig_map, "screen-rank": rank}
    figs = {pid: big_figure(f, scale, revision) for pid, f in figs.items()}
    warnings = newest_warnings(ql, scope, region)
    sig = {"region": region, "scale": scale, "warnings": [w["id"] for w in warnings],
           **{pid: shape_of(f) for pid, f in figs.items()}}
    # the minute's refresh of the same region at the same size: only the data changes
    same = ctx.triggered_id == "screen-refresh" and isinstance(signature, dict) and \
        all(signature.get(key) == sig[key] for key in ("region", "scale"))
    out_figs = [patched(f) if same and signature.get(pid) == sig[pid] else f for pid, f in figs.items()]
    out_warnings = no_update if same and signature.get("warnings") == sig["warnings"] else warning_rows(warnings)
    href, back_class = back_link(scope, region)
    name = tree.name(region)
    return (f"{name}农村集体“三资”监管大屏", f"{platform_name(settings().province)} · 截至{period_label(k['period'])}",
            breadcrumb(tree, scope, region, "/screen"), href, back_class,
            f"数据更新于 {clock.china_now():%Y-%m-%d %H:%M}", kpi_strip(k),
            f"{name} · 各{below}资产总额（万元）", f"各{below}经营收入排名",
            *out_figs, codes, ratings_block(rating_counts(scope, tree, region)), out_warnings, sig)


# browser side: a click on a region (its area or its label on the map, its bar in the ranking)
# drills into it by changing the URL fragment; `refresh` then asks the server, which refuses a
# region outside the jurisdiction (the codes clicked on all came from scoped answers)
clientside(
    """function(mapClick, rankClick, hash, codes) {
        const ctx = window.dash_clientside.callback_context;
        if (!ctx.triggered.length) { return window.dash_clientside.no_update; }
        const source = ctx.triggered[0].prop_id.split('.')[0];
        const click = source === 'screen-map-graph' ? mapClick : rankClick;
        const p = (click && click.points && click.points[0]) || {};
        let region = null;
        if (source === 'screen-map-graph' && codes && codes.length && p.curveNumber != null
            && p.curveNumber < codes.length) {
            region = codes[p.curveNumber];
        } else if (p.customdata != null) { region = p.customdata; }
        if (region == null) { return window.dash_clientside.no_update; }
        const next = '#region=' + String(region);
        return next === hash ? window.dash_clientside.no_update : next;
    }""",
    Output("url", "hash", allow_duplicate=True),
    Input("screen-map-graph", "clickData"), Input("screen-rank-graph", "clickData"),
    State("url", "hash"), State("screen-map-codes", "data"), prevent_initial_call=True,
)
# the clock (China time to the minute, whatever the browser's zone) and the viewport width
clientside(
    """function(_) {
        const parts = new Intl.DateTimeFormat('zh-CN', {timeZone: 'Asia/Shanghai', year: 'numeric',
            month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', weekday: 'long',
            hour12: false}).formatToParts(new Date());
        const v = Object.fromEntries(parts.map(p => [p.type, p.value]));
        return `${v.year}-${v.month}-${v.day} ${v.weekday} ${v.hour}:${v.minute}`;
    }""",
    Output("screen-clock", "children"), Input("screen-tick", "n_intervals"))
clientside(
    """function(_, __, width) {
        const w = window.innerWidth;
        return w === width ? window.dash_clientside.no_update : w;
    }""",
    Output("screen-width", "data"), Input("screen-root", "id"), Input("screen-tick", "n_intervals"),
    State("screen-width", "data"))
clientside(
    """function(n) { if (n && document.documentElement.requestFullscreen) {
        document.documentElement.requestFullscreen(); } return window.dash_clientside.no_update; }""",
    Output("screen-fullscreen", "title"), Input("screen-fullscreen", "n_clicks"), prevent_initial_call=True)
