"""The credit portrait drawn from the portrait dict (data.credit.portrait.portrait): the grade and
score with its factors and a gauge, the score's trend, the forest rights on a map (offline: a plain
scatter of lon/lat points and polygons, no tiles), loans with their repayments, insurance, trades,
good and dishonest records with their publicity end dates, the subject's own statement; a header
and footer naming the viewer, institution and time that print on every page (a table's head and
foot, which Chromium repeats on every printed page; assets/credit_print.css).
Tables are plain HTML tables so that they flow onto printed pages. No data access, no callbacks."""
from __future__ import annotations

from dash import dcc, html

from components.charts import FONT, empty_figure
from components.price_valuation import valuation_link

GRADE_COLORS = {"A": "#2e7d32", "B": "#1565c0", "C": "#ef6c00", "D": "#c62828"}
GRAPH = {"displaylogo": False, "displayModeBar": False, "responsive": True}


def _table(tid: str, head: list[str], rows: list[list], empty: str) -> html.Div:
    if not rows:
        return html.P(empty, className="text-muted small", id=f"{tid}-empty")
    return html.Table(id=tid, className="table table-sm credit-table", children=[
        html.Thead(html.Tr([html.Th(h) for h in head])),
        html.Tbody([html.Tr([html.Td(c) for c in r]) for r in rows])])


def _section(title: str, body, sid: str) -> html.Section:
    return html.Section(className="panel credit-section mb-3", id=sid, children=[html.H2(title, className="h6"), body])


def gauge(score: dict) -> dict:
    """The score on a half dial (a plotly indicator; 0–100, or 0–1000 for a score above 100), or
    "暂未评级" for an unrated subject."""
    if score.get("unrated") or score.get("score") is None:
        return empty_figure("新主体，暂无信用历史，暂未评级", height=180)
    grade = score.get("grade") or ""
    top = 100 if score["score"] <= 100 else 1000
    return {"data": [{"type": "indicator", "mode": "gauge+number", "value": score["score"],
                      "number": {"suffix": " 分", "font": {"size": 34}},
                      "gauge": {"axis": {"range": [0, top]},
                                "bar": {"color": GRADE_COLORS.get(grade, "#607d8b")}}}],
            "layout": {"height": 180, "margin": {"l": 30, "r": 30, "t": 20, "b": 10}, "font": FONT}}


def factor_table(factors: list[dict], score) -> html.Div:
    rows = [[f.get("label") or f.get("factor"), f"{f.get('points', 0):+d}" if isinstance(f.get("points"), int)
             else str(f.get("points"))] for f in factors]
    if rows and score is not None:
        rows.append([html.B("合计"), html.B(f"{score} 分")])
    return _table("credit-factors", ["评分因素", "分值"], rows, "暂无评分因素（尚未评价）")


def trend_figure(trend: list[dict]) -> dict:
    points = [t for t in trend if t.get("score") is not None]
    if not points:
        return empty_figure("暂无评分历史", height=220)
    return {"data": [{"type": "scatter", "mode": "lines+markers", "name": "信用评分", "x": [t["as_of"] for t in points],
                      "y": [t["score"] for t in points], "customdata": [t.get("grade") or "" for t in points],
                      "hovertemplate": "%{x}<br>评分 %{y} 分，等级 %{customdata}<extra></extra>"}],
            "layout": {"height": 220, "margin": {"l": 50, "r": 10, "t": 10, "b": 40}, "font": FONT, "showlegend": True,
                       "legend": {"orientation": "h", "y": 1.1}, "xaxis": {"title": {"text": "评价日期"}, "tickformat": "%Y-%m"},
                       "yaxis": {"title": {"text": "评分（分）"}}}}


def rights_map(rights: list[dict]) -> dict:
    """The parcels on plain lon/lat axes with equal aspect (no map tiles: offline)."""
    located = [r for r in rights if r["location"].get("lon") is not None]
    if not located:
        return empty_figure("暂无林权宗地位置", height=320)
    data = []
    for r in located:
        poly = r["location"].get("polygon")
        if poly:
            data.append({"type": "scatter", "mode": "lines", "fill": "toself", "name": f"宗地 {r['unit_code']}",
                         "x": [p[0] for p in poly], "y": [p[1] for p in poly], "showlegend": False,
                         "hoverinfo": "skip", "line": {"width": 1}})
    data.append({"type": "scatter", "mode": "markers", "name": "林权宗地", "marker": {"size": 10, "color": "#2e7d32"},
                 "x": [r["location"]["lon"] for r in located], "y": [r["location"]["lat"] for r in located],
                 "text": [f"{r['unit_code']}<br>{r['right_type']}，{r['area_mu']} 亩，{r['species']}"
                          + ("" if r["location"].get("exact") else "<br>（位置已模糊至约1公里）") for r in located],
                 "hovertemplate": "%{text}<br>经度 %{x}，纬度 %{y}<extra></extra>"})
    return {"data": data, "layout": {
        "height": 320, "margin": {"l": 60, "r": 10, "t": 10, "b": 40}, "font": FONT, "showlegend": True,
        "xaxis": {"title": {"text": "经度（°E）"}}, "yaxis": {"title": {"text": "纬度（°N）"}, "scaleanchor": "x",
                                                              "scaleratio": 1}}}


def _money(a: dict) -> str:
    return a.get("text") or "—"


def _loans(loans: list[dict]) -> html.Div:
    if not loans:
        return html.P("暂无融资贷款记录", className="text-muted small", id="credit-loans-empty")
    blocks = []
    for r in loans:
        rep = [[x["due_on"], _money(x["due"]), x["paid_on"] or "—", _money(x["paid"]), "逾期" if x["overdue"] else "正常"]
               for x in r.get("repayments", [])]
        blocks.append(html.Div(className="credit-loan mb-2", children=[
            html.Div([html.B(r["title"]), f"　{r['occurred_on']}　{r['counterparty'] or ''}　本金 {_money(r['amount'])}"
                      f"　{r['status']}" + (f"　逾期 {r['overdue']} 期" if r.get("overdue") else "")]),
            _table(f"credit-repay-{r['id']}", ["应还日期", "应还金额", "实还日期", "实还金额", "状态"], rep, "暂无还款计划")]))
    return html.Div(blocks, id="credit-loans")


def _records(tid: str, rows: list[dict], empty: str, *, publicity: bool = False) -> html.Div:
    head = ["日期", "类别", "事项", "金额", "对方/文书号", "数据来源", "开放属性", "状态"]
    if publicity:
        head.insert(3, "公示截止")
    body = []
    for r in rows:
        row = [r["occurred_on"], r["subtype"] or r["kind_label"],
               html.Span([r["title"], html.Br(), html.Small(r["content"], className="text-muted")]) if r["content"]
               else r["title"], _money(r["amount"]), " / ".join(x for x in (r["counterparty"], r["document_no"]) if x) or "—",
               f"{r['produced_by']}（{r['source']}）", r["open_class"], r["status"]]
        if publicity:
            end = r["publicity_until"] or "—"
            row.insert(3, f"{end}（{'公示中' if r['in_publicity'] else '已过公示期'}）" if r["in_publicity"] is not None else end)
        body.append(row)
    return _table(tid, head, body, empty)


def _rights_table(rights: list[dict], valuate: tuple | None = None) -> html.Div:
    """`valuate` (region or None, today): the viewer may use the valuation helper: a 估价 link per right."""
    rows = []
    for r in rights:
        enc = "；".join(f"{e['kind']} {e['holder']} {_money(e['amount'])} {e['registered_on']}至{e['until'] or '—'}"
                       + (f"（已解除 {e['released_on']}）" if e["released_on"] else "") for e in r["encumbrances"])
        rows.append([r["unit_code"], r["right_type"], f"{r['area_mu']} 亩", r["forest_type"], r["species"], r["age_class"],
                     f"{r['stock_m3']} 立方米" if r["stock_m3"] else "—", enc or "无"])
        if valuate is not None:
            rows[-1].append(dcc.Link("估价", href=valuation_link(r, *valuate), id=f"credit-value-{r['id']}",
                                     className="credit-value-link", title="按本宗地特征估算价格（估价助手）"))
    head = ["不动产单元代码", "权利类型", "面积", "林种", "优势树种", "龄组", "蓄积量", "抵押/限制"]
    return _table("credit-rights", head + (["估价"] if valuate is not None else []), rows, "暂无林权宗地")


def running_text(viewer: dict, basis: dict) -> str:
    """The viewer, institution, time and purpose of this view."""
    who = f"查询人：{viewer['name']}" + (f"（{viewer['institution']}）" if viewer.get("institution") else "")
    return f"{who}　查询时间：{viewer['at']}　用途：{basis['purpose_label']}　查询编号 {viewer['view_id']}"


def print_frame(viewer: dict, basis: dict, body) -> html.Table:
    """`body` in a one-cell table whose head and foot name the viewer and time: on screen the head
    stands above the portrait; in print Chromium repeats a table's head and foot on every page."""
    text = running_text(viewer, basis)
    return html.Table(className="credit-print-frame", children=[
        html.Thead(html.Tr(html.Td(html.Div(text, className="credit-print-header", id="credit-print-header")))),
        html.Tfoot(html.Tr(html.Td(html.Div(f"林业信用画像　{text}　仅供授权用途使用，不得转作他用",
                                            className="credit-print-footer", id="credit-print-footer")))),
        html.Tbody(html.Tr(html.Td(body)))])


def portrait_view(p: dict, valuate: tuple | None = None) -> html.Div:
    """The whole portrait (`valuate`: see `_rights_table`)."""
    ident, score, basis = p["identity"], p["score"], p["basis"]
    facts = [("主体类型", ident["kind"]), ("名称/姓名", ident["name"]), (ident["id_type"], ident["identifier"]),
             ("法定代表人", ident["legal_rep"]), ("联系电话", ident["phone"]), ("地址", ident["address"]),
             ("登记日期", ident["registered_on"])]
    grade = "暂未评级（新主体）" if score["unrated"] or score["grade"] is None else f"{score['grade']} 级，{score['score']} 分"
    note = [html.P(f"依授权（{basis['purpose_label']}，至 {basis['valid_until']}）查询：个人信息按用途脱敏；"
                   "仅显示仍在公示期内的失信信息；不予开放的记录只显示类别、日期和金额。",
                   className="small text-muted", id="credit-bank-note")] if basis["bank"] else []
    statement = p["statement"]
    return html.Div(className="credit-portrait", id="credit-portrait", children=print_frame(p["viewer"], basis, [
        *note,
        _section("主体信息", html.Dl(className="row mb-0", id="credit-identity", children=[
            x for k, v in facts if v for x in (html.Dt(k, className="col-4 col-md-2"), html.Dd(v, className="col-8 col-md-4"))]),
            "credit-identity-card"),
        _section("信用等级与评分", html.Div(className="row", children=[
            html.Div(className="col-12 col-md-5", children=[
                html.Div(grade, className="h4", id="credit-grade"),
                dcc.Graph(id="credit-gauge", figure=gauge(score), config=GRAPH, style={"height": "180px"})]),
            html.Div(className="col-12 col-md-7", children=[factor_table(score["factors"], score["score"]),
                                                            html.Small(f"评价时间 {score['evaluated_at'] or '—'}",
                                                                       className="text-muted")])]), "credit-score-card"),
        _section("评分趋势", dcc.Graph(id="credit-trend", figure=trend_figure(p["trend"]), config=GRAPH,
                                   style={"height": "220px"}), "credit-trend-card"),
        _section("林权宗地", html.Div([dcc.Graph(id="credit-map", figure=rights_map(p["rights"]), config=GRAPH,
                                                style={"height": "320px"}), _rights_table(p["rights"], valuate)]),
                 "credit-rights-card"),
        _section("融资贷款及还款", _loans(p["loans"]), "credit-loans-card"),
        _section("保险理赔", _records("credit-insurance", p["insurance"], "暂无保险理赔记录"), "credit-insurance-card"),
        _section("林权流转与要素交易", _records("credit-trades", p["trades"], "暂无流转、交易记录"), "credit-trades-card"),
        _section("优良信息", _records("credit-good", p["good"], "暂无优良信息"), "credit-good-card"),
        _section("失信信息", _records("credit-dishonest", p["dishonest"], "暂无失信信息", publicity=True),
                 "credit-dishonest-card"),
        _section("其他信用信息", _records("credit-other", p["other"], "暂无其他信用信息"), "credit-other-card"),
        _section("本人声明", html.P(statement["text"] + (f"（{statement['at']}）" if statement["at"] else ""),
                                id="credit-statement") if statement["text"]
                 else html.P("信用主体未填写本人声明", className="text-muted small", id="credit-statement"),
                 "credit-statement-card"),
    ]))


def authorisation_rows(items: list[dict]) -> list[dict]:
    """The subject's authorisations as grid rows."""
    return [{"id": a["id"], "institution": a["institution"], "purpose": a["purpose_label"], "valid_from": a["valid_from"],
             "valid_until": a["valid_until"], "state": a["state"], "granted_at": a["granted_at"],
             "revoked_at": a["revoked_at"] or ""} for a in items]


def access_table(items: list[dict]) -> html.Div:
    """The access record (查询记录): who (institution and viewer), when, for which purpose."""
    return _table("credit-access", ["查询时间", "查询机构", "查询人", "用途", "方式"],
                  [[v["viewed_at"], v["institution"] or "—", v["viewer"], v["purpose"], v["kind"]] for v in items],
                  "暂无查询记录")
