"""大屏 HTML pieces: the panels (id, title), the KPI strip, the red/amber/green village counts and the
scrolling list of the newest warnings. Text sizes come from assets/screen.css (vw / clamp)."""
from __future__ import annotations

import datetime as dt

from dash import dcc, html

from components.dashboards.cockpit import KPIS
from domain.clock import CST
from domain.money import money_auto

#: the graph panels: (id, title); each holds a dcc.Graph `<id>-graph`
GRAPH_PANELS = {"screen-trend": "月度收支趋势", "screen-assets": "资产构成", "screen-map": "区域分布",
                "screen-rank": "经营收入排名"}
GRAPH = {"displayModeBar": False, "responsive": True, "doubleClick": False, "scrollZoom": False}
#: the KPI strip: the cockpit's money figures, then counts
COUNTS = [("orgs", "村集体经济组织", "个"), ("warnings_open", "未处理预警", "条")]
RATINGS = [("red", "红色", "screen-red"), ("amber", "黄色", "screen-amber"), ("green", "绿色", "screen-green")]
SEVERITY = {1: ("低", "low"), 2: ("中", "mid"), 3: ("高", "high")}
MARQUEE_MIN = 6  # a list this long or longer scrolls
SECONDS_PER_ROW = 2.5


def panel(pid: str, title, body, extra: str = "") -> html.Section:
    """A glowing panel with a title bar; `title` may be a component (it changes with the region)."""
    return html.Section(id=pid, className=f"screen-panel {extra}".strip(), children=[
        html.Div(html.Span(title, id=f"{pid}-title"), className="screen-panel-title"),
        html.Div(body, className="screen-panel-body"),
    ])


def graph_panel(pid: str, extra: str = "") -> html.Section:
    return panel(pid, GRAPH_PANELS[pid], dcc.Graph(id=f"{pid}-graph", config=GRAPH, className="screen-graph",
                                                    figure={"data": [], "layout": {"autosize": True}}), extra)


def kpi_strip(k: dict) -> list:
    """One tile per KPI: the cockpit's money figures (value and unit from domain.money) and counts."""
    tiles = []
    for key, label in KPIS:
        value, unit = money_auto(k[key])
        tiles.append((key, label, value, unit))
    tiles += [(key, label, f"{k[key]:,}", unit) for key, label, unit in COUNTS]
    return [html.Div(className="screen-kpi", children=[
        html.Div(label, className="screen-kpi-label"),
        html.Div([html.Span(value, className="screen-kpi-value", id=f"screen-kpi-{key}"),
                  html.Span(unit, className="screen-kpi-unit")])]) for key, label, value, unit in tiles]


def ratings_block(counts: dict | None) -> list:
    """The villages rated red / amber / green (counts: rating -> villages), with their shares; None:
    the user may not read warnings (the panel says so)."""
    if counts is None:
        return [html.Div("无权查看预警评级", className="screen-empty")]
    total = sum(counts.get(r, 0) for r, _, _ in RATINGS)
    if not total:
        return [html.Div("暂无数据", className="screen-empty")]
    tiles = [html.Div(className=f"screen-rating {cls}", children=[
        html.Div(f"{counts.get(r, 0):,}", className="screen-rating-value", id=f"screen-rating-{r}"),
        html.Div(f"{label}村", className="screen-rating-label")]) for r, label, cls in RATINGS]
    bar = html.Div(className="screen-rating-bar", children=[
        html.Span(className=cls, style={"width": f"{100 * counts.get(r, 0) / total:.2f}%"}) for r, _, cls in RATINGS])
    return [html.Div(tiles, className="screen-ratings"), bar,
            html.Div(f"参评村 {total:,} 个", className="screen-rating-note")]


def minute(value) -> str:
    """A stored instant (datetime or ISO text, UTC when it has no zone) as China time to the minute."""
    if value is None or value == "":
        return ""
    at = value if isinstance(value, dt.datetime) else dt.datetime.fromisoformat(str(value).replace(" ", "T", 1))
    at = at if at.tzinfo else at.replace(tzinfo=dt.UTC)
    return at.astimezone(CST).strftime("%m-%d %H:%M")


def warning_rows(rows: list[dict]) -> list:
    """The newest warnings (id, severity, title, place, raised_at) as rows of the scrolling list;
    long enough to scroll, the rows are drawn twice so the loop is seamless (the CSS moves the list
    up by half its height, and stops while the pointer is over it)."""
    if not rows:
        return [html.Div("暂无未处理预警", className="screen-empty", id="screen-warnings-empty")]

    def row(r, copy: int):
        level, cls = SEVERITY.get(r["severity"], ("—", "low"))
        ident = {"id": f"screen-warning-{r['id']}"} if copy == 0 else {}
        return html.Li(className="screen-warning", **ident, children=[
            html.Span(level, className=f"screen-sev {cls}"),
            html.Span(r["title"], className="screen-warning-title", title=r["title"]),
            html.Span(r["place"], className="screen-warning-place"),
            html.Span(minute(r["raised_at"]), className="screen-warning-time")])

    scrolling = len(rows) >= MARQUEE_MIN
    items = [row(r, 0) for r in rows] + ([row(r, 1) for r in rows] if scrolling else [])
    style = {"animationDuration": f"{SECONDS_PER_ROW * len(rows):.0f}s"} if scrolling else {}
    return [html.Ul(items, className="screen-marquee scrolling" if scrolling else "screen-marquee", style=style,
                    id="screen-marquee")]
