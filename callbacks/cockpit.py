"""驾驶舱 callbacks: thin — parse the URL, ask the query layer, shape the output."""
from __future__ import annotations

from html import escape
from urllib.parse import parse_qs, urlencode

import dash
from dash import Input, Output, State, dcc, html, no_update
from flask_login import current_user

from components.charts import FONT, quick_ticks, ranked_bars, region_map
from components.export import excel_bytes
from components.format import money_auto, mu, period_label, wan, wan_number
from components.kpi import kpi_card_html
from components.region_table import CHILD_COLUMNS
from data.maps import codes_with_geometry, load_geojson
from domain.regions import CITY, COUNTY, LEVEL_NAMES, VILLAGE, level_of
from domain.permissions import Action
from server.callbacks import clientside, secure_callback
from server.guard import may_open
from server.context import log_export, query_layer, settings

from .common import breadcrumb, region_from_search, register_html_slot

KPIS = [("total_assets", "资产总额"), ("funds", "货币资金"), ("receivables", "应收款项"), ("liabilities", "负债总额"),
        ("income_operating", "本年经营收入"), ("net_profit", "本年收益")]
TREND_MONTHS = 36  # the cockpit shows three years; 保值增值 has the whole history
SEVERITY = {1: ("低", "secondary"), 2: ("中", "warning"), 3: ("高", "danger")}


def period_from_search(search: str | None) -> int | None:
    values = parse_qs((search or "").lstrip("?#")).get("period")
    try:
        return int(values[0]) if values else None
    except ValueError:
        return None


def href(region: int, period: int | None, base: str = "/cockpit") -> str:
    """Where a region lives on a page. The drill-down state is in the URL's fragment (#region=…):
    it can be bookmarked and shared, and changing it does not re-run the page router."""
    q = {"region": region, **({"period": period} if period else {})}
    return f"{base}#{urlencode(q)}"


RECORDS_OF = {"total_assets": ("ledger", "total_assets"), "funds": ("ledger", "funds"),
              "receivables": ("ledger", "receivables"), "liabilities": ("ledger", "liabilities"),
              "income_operating": ("ledger", "income_operating"), "net_profit": ("ledger", "net_profit"),
              "villages": ("ledger", None), "resources": ("resources", None), "contracts": ("contracts", None),
              "trades": ("trades", None), "warnings": ("warnings", None), "asset-net": ("assets", None)}


def records_href(region: int, key: str) -> str:
    kind, figure = RECORDS_OF[key]
    return "/records#" + urlencode({"region": region, "kind": kind, **({"figure": figure} if figure else {})})


def kpi_row(k: dict) -> str:
    """The KPI cards as one HTML string; at village level every figure links to the records behind it.

    One string prop instead of ~70 Dash components: mounting the cards anew took dash-renderer
    40-60 ms of every drill-down click (measured in headless Chromium at province scale)."""
    region = k["region"]
    link = (lambda key: records_href(region, key)) if level_of(region) == VILLAGE else (lambda key: None)
    cards = [kpi_card_html(f"kpi-{key}", label, *money_auto(k[key]), href=link(key)) for key, label in KPIS]
    cards += [
        kpi_card_html("kpi-villages", "村集体经济组织", f"{k['orgs']:,}", "个",
                      f"经营收入超10万元 {k['villages_income_over_100k']:,} 个，超50万元 "
                      f"{k['villages_income_over_500k']:,} 个", href=link("villages")),
        kpi_card_html("kpi-resources", "资源面积", mu(k["resource_area_cmu"]), "亩",
                      f"已发包 {mu(k['contracted_area_cmu'])} 亩", href=link("resources")),
        kpi_card_html("kpi-contracts", "在执行合同", f"{k['contracts_active']:,}", "份",
                      f"逾期未收 {wan(k['overdue_fen'])} 万元，90天内到期 {k['expiring_90d']:,} 份", href=link("contracts")),
        kpi_card_html("kpi-trades", "产权交易", f"{k['deals']:,}", "宗",
                      f"挂牌 {k['listings']:,} 宗，成交 {wan(k['deal_fen'])} 万元", href=link("trades")),
        kpi_card_html("kpi-warnings", "未处理预警", f"{k['warnings_open']:,}", "条", href=link("warnings")),
        kpi_card_html("kpi-asset-net", "资产台账净值", *money_auto(k["asset_net_fen"]), f"资产 {k['asset_count']:,} 项",
                      href=link("asset-net")),
    ]
    return "".join(cards)


def trend_figure(monthly, period: int | None, dark: bool = False) -> dict:
    """Monthly income and expense bars with total assets on a second axis (a plain-dict figure)."""
    x = [period_label(p) for p in monthly["period"]]
    periods = monthly["period"].to_list()

    def series(key):
        return [wan_number(v) for v in monthly[key]]

    # total assets on the right axis in 亿元 once they reach 10 亿元 (eight-digit 万元 ticks crowd the title)
    assets, asset_unit = series("total_assets"), "万元"
    if assets and max(abs(v) for v in assets) >= 100_000:
        assets, asset_unit = [v / 10_000 for v in assets], "亿元"
    data = [
        {"type": "bar", "x": x, "y": series("total_income"), "name": "总收入", "marker": {"color": "#1d8f6e"},
         "customdata": periods, "hovertemplate": "%{x}<br>总收入 %{y:,.2f} 万元<extra></extra>"},
        {"type": "bar", "x": x, "y": series("total_expense"), "name": "总支出", "marker": {"color": "#e67e22"},
         "customdata": periods, "hovertemplate": "%{x}<br>总支出 %{y:,.2f} 万元<extra></extra>"},
        {"type": "scatter", "x": x, "y": assets, "name": "资产总额", "yaxis": "y2", "mode": "lines",
         "customdata": periods, "line": {"color": "#5dade2" if dark else "#0b4f8a", "width": 2},
         "hovertemplate": "%{x}<br>资产总额 %{y:,.2f} " + asset_unit + "<extra></extra>"},
    ]
    shapes = []
    if period and period in periods:
        i = periods.index(period)
        shapes.append({"type": "line", "xref": "x", "yref": "paper", "x0": i, "x1": i, "y0": 0, "y1": 1,
                       "line": {"color": "#f39c12", "width": 2, "dash": "dot"}})
    fg = "#e8eef5" if dark else "#1f2d3d"
    layout = {"margin": {"l": 60, "r": 70, "t": 10, "b": 40}, "barmode": "group", "shapes": shapes,
              "legend": {"orientation": "h", "y": 1.1}, "hovermode": "x unified", "clickmode": "event",
              "xaxis": {"nticks": 18, "tickangle": -30},  # a fixed angle: no measuring of every label
              "yaxis": {"title": {"text": "收支（万元）"}, "tickformat": ",.0f"},
              "yaxis2": {"title": {"text": f"资产总额（{asset_unit}）"}, "overlaying": "y", "side": "right", "showgrid": False,
                         "tickformat": ",.0f"},
              "plot_bgcolor": "rgba(0,0,0,0)", "paper_bgcolor": "rgba(0,0,0,0)", "font": {**FONT, "color": fg}}
    return {"data": data, "layout": quick_ticks(layout)}


def children_rows(kids) -> list[dict]:
    """One grid row per child region; money in 万元 for display and sorting (exports stay exact)."""
    rows = []
    for r in kids.iter_rows(named=True):
        row = {"code": str(r["code"]), "name": r["name"], "villages": r["villages"]}
        row.update({key: wan_number(r[key]) for key, _ in CHILD_COLUMNS})
        rows.append(row)
    return rows


def map_or_bars(kids, region: int, province: int, dark: bool = False):
    """The next level down on the map where boundaries exist (province → cities, city → counties);
    below that a ranked bar chart, which drills down the same way."""
    child_level = level_of(region) + 1
    values = {r["code"]: wan_number(r["total_assets"]) for r in kids.iter_rows(named=True)}
    names = dict(zip(kids["code"].to_list(), kids["name"].to_list()))
    if child_level in (CITY, COUNTY) and set(names) & codes_with_geometry(province, child_level):
        return region_map(load_geojson(province, child_level), values, names, unit="万元", label="资产总额", dark=dark)
    order = kids.sort("total_assets", descending=True).head(30)
    fig = ranked_bars(order["name"].to_list(), [wan_number(v) for v in order["total_assets"]], unit="万元",
                      label="资产总额", codes=order["code"].to_list(), dark=dark)
    return fig, []


def top_bottom(villages, dark: bool = False) -> dict:
    ranked = villages.sort("net_profit", descending=True)
    pick = ranked.head(5) if ranked.height <= 10 else ranked.head(5).vstack(ranked.tail(5))
    colors = ["#1d8f6e" if v >= 0 else "#c0392b" for v in pick["net_profit"]]
    return ranked_bars(pick["name"].to_list(), [wan_number(v) for v in pick["net_profit"]], unit="万元",
                       label="本年收益", codes=pick["code"].to_list(), dark=dark, color=colors)


def may_open_path(path: str, scope) -> bool:
    """Whether the user may open the page at `path` (a link to a page they may not open is not drawn)."""
    page = next((p for p in dash.page_registry.values() if p["path"] == path), None)
    return may_open(page, scope)


def warnings_table(frame, tree, link: bool = False) -> str:
    """The newest warnings as HTML (an html slot: mounting ~60 table components took dash-renderer
    tens of milliseconds a drill-down); with `link` each warning opens in 预警处置."""
    if frame.is_empty():
        return '<p class="text-muted mb-0" id="warnings-empty">辖区内暂无未处理的预警。</p>'

    def title(r) -> str:
        text = escape(r["title"])
        return f'<a class="spa-link" href="/warnings#warning={int(r["id"])}">{text}</a>' if link else text

    rows = []
    for r in frame.iter_rows(named=True):
        level, color = SEVERITY.get(r["severity"], ("—", "secondary"))
        rows.append(f'<tr><td><span class="badge bg-{color}">{escape(level)}</span></td>'
                    f'<td>{title(r)}</td>'
                    f'<td>{escape(tree.name(r["code"]))}</td>'
                    f'<td class="text-nowrap">{escape(str(r["raised_at"])[:10])}</td></tr>')
    return ('<table class="table table-sm mb-0" id="warnings-table"><thead><tr><th class="text-nowrap">级别</th><th>预警</th><th>村</th>'
            f'<th>时间</th></tr></thead><tbody>{"".join(rows)}</tbody></table>')


def _where(search):
    """(scope, query layer, region, period) from the URL fragment; the region is checked by the
    query layer, which refuses one outside the scope."""
    scope = current_user.scope
    ql = query_layer()
    region = region_from_search(search, scope)
    period = period_from_search(search)
    return scope, ql, region, (period if period in ql.periods() else None)


@secure_callback(Action.DASHBOARD_VIEW,
                 Output("cockpit-breadcrumb", "children"), Output("cockpit-kpis-html", "data"),
                 Output("children-table", "rowData"), Output("cockpit-children-title", "children"),
                 Output("cockpit-children-note", "children"), Output("cockpit-warnings-html", "data"),
                 Input("url", "hash"))
def render(search):
    """The numbers: breadcrumb, KPI cards, the children table, the newest warnings. The charts
    come from `charts` in a parallel request, so the numbers are not held up by chart drawing."""
    scope, ql, region, period = _where(search)
    k = ql.kpis(scope, region, period)  # refuses a region outside the scope
    crumbs = breadcrumb(ql.tree, scope, region, "/cockpit")
    crumbs.append(html.Span(f"（截至{period_label(k['period'])}）", className="text-muted ms-2", id="cockpit-period"))
    level = level_of(region)
    if level < VILLAGE:
        rows, title, note = children_rows(ql.children(scope, region, k["period"])), f"下级区域：{LEVEL_NAMES[level + 1]}", ""
    else:
        rows, title, note = [], "下级区域", "村级为最末一级。"
    return crumbs, kpi_row(k), rows, title, note, warnings_table(ql.warnings(scope, region), ql.tree, may_open_path("/warnings", scope))


@secure_callback(Action.DASHBOARD_VIEW,
                 Output("cockpit-trend", "figure"), Output("cockpit-map", "figure"), Output("cockpit-map-codes", "data"),
                 Output("cockpit-topbottom", "figure"), Input("url", "hash"))
def charts(search):
    scope, ql, region, period = _where(search)
    scope.require(region)
    periods = ql.periods()
    monthly = ql.monthly(scope, region, start=periods[-TREND_MONTHS] if len(periods) > TREND_MONTHS else None)
    if level_of(region) < VILLAGE:
        at = period or ql.latest_period()
        fig_map, codes = map_or_bars(ql.children(scope, region, at), region, settings().province)
        tb = top_bottom(ql.villages(scope, region, at))
    else:
        fig_map, codes, tb = {}, [], {}
    return trend_figure(monthly, period), fig_map, codes, tb


register_html_slot("cockpit-kpis")
register_html_slot("cockpit-warnings")


# A click on the map, a bar, a month or a name in the grid changes the URL fragment in the browser,
# without a round trip; `render` and `charts` then ask the server, which refuses any region outside
# the user's jurisdiction (the codes clicked on all came from scoped answers in the first place).
clientside(
    """function(mapClick, trendClick, rankClick, cell, hash, codes) {
        const ctx = window.dash_clientside.callback_context;
        if (!ctx.triggered.length) { return window.dash_clientside.no_update; }
        const source = ctx.triggered[0].prop_id.split('.')[0];
        const params = new URLSearchParams((hash || '').replace(/^#/, ''));
        let region = params.get('region'), period = params.get('period');
        const point = (v) => (v && v.points && v.points[0]) || {};
        if (source === 'cockpit-trend') {
            const p = point(trendClick); if (p.customdata) { period = String(p.customdata); }
        } else if (source === 'cockpit-map') {
            const p = point(mapClick);
            if (codes && codes.length && p.curveNumber != null && p.curveNumber < codes.length) {
                region = String(codes[p.curveNumber]);
            } else if (p.customdata) { region = String(p.customdata); }
        } else if (source === 'cockpit-topbottom') {
            const p = point(rankClick); if (p.customdata) { region = String(p.customdata); }
        } else if (source === 'children-table') {
            if (!cell || cell.colId !== 'name' || !cell.rowId) { return window.dash_clientside.no_update; }
            region = String(cell.rowId);
        }
        const q = new URLSearchParams();
        if (region) { q.set('region', region); }
        if (period) { q.set('period', period); }
        const next = '#' + q.toString();
        return next === hash ? window.dash_clientside.no_update : next;
    }""",
    Output("url", "hash", allow_duplicate=True),
    Input("cockpit-map", "clickData"), Input("cockpit-trend", "clickData"), Input("cockpit-topbottom", "clickData"),
    Input("children-table", "cellClicked"), State("url", "hash"), State("cockpit-map-codes", "data"),
    prevent_initial_call=True,
)


@secure_callback(Action.DASHBOARD_VIEW, Output("cockpit-download", "data"), Input("cockpit-export", "n_clicks"),
                 State("url", "hash"), prevent_initial_call=True)
def export(_, search):
    scope = current_user.scope
    ql = query_layer()
    region = region_from_search(search, scope)
    period = period_from_search(search) if period_from_search(search) in ql.periods() else None
    if level_of(region) >= VILLAGE:
        return no_update
    kids = ql.children(scope, region, period)
    columns = [("name", LEVEL_NAMES[level_of(region) + 1], None), ("code", "区划代码", None),
               ("total_assets", "资产总额（元）", "fen"), ("funds", "货币资金（元）", "fen"),
               ("income_operating", "本年经营收入（元）", "fen"), ("net_profit", "本年收益（元）", "fen"),
               ("liabilities", "负债（元）", "fen"), ("villages", "村数", None)]
    title = f"{ql.tree.name(region)}下级区域（截至{period_label(period or ql.latest_period())}）"
    data = excel_bytes(kids, columns, title)
    log_export("驾驶舱下级区域表", kids.height, region)
    return dcc.send_bytes(data, f"{title}.xlsx")
