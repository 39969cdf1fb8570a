"""How a financial disclosure reads (阳光公开): its figures from the books as small tables that fit
a phone, and the charts of the members' portal (units 元, legends, hovers, an empty chart when
there is nothing to draw). Content dicts as data/disclosure/content.py makes them; personal names
in them are masked by the caller before they arrive here."""
from __future__ import annotations

from dash import html

from components.charts import FONT, empty_figure, quick_ticks, value_axis
from domain.money import yuan

INCOME_COLOR, SPENDING_COLOR, MINE_COLOR = "#2e7d32", "#c0392b", "#0b4f8a"
PALETTE = ["#0b4f8a", "#e67e22", "#2e7d32", "#8e44ad", "#c0392b", "#16a085", "#7f8c8d"]


def _table(rows: list[tuple[str, str]], head: tuple[str, str], table_id: str | None = None, empty: str = "本期无发生额"):
    extra = {"id": table_id} if table_id else {}
    return html.Table(className="table table-sm disclosure-table mb-2", **extra, children=[
        html.Thead(html.Tr([html.Th(head[0]), html.Th(head[1], className="text-end")])),
        html.Tbody([html.Tr([html.Td(a), html.Td(b, className="text-end")]) for a, b in rows]
                   or [html.Tr(html.Td(empty, colSpan=2, className="text-muted"))])])


def content_view(content: dict, prefix: str = "disc") -> html.Div:
    """The figures of one disclosure: totals, income and spending by account, funds, claims and
    debts, major spending items, the distribution to members (amounts in 元)."""
    c = content or {}
    if not c.get("start"):
        return html.Div("（无账簿内容）", className="text-muted")
    totals = html.Div(className="row g-2 mb-2", children=[
        html.Div(html.Div([html.Div(label, className="small text-muted"),
                           html.Div(f"{yuan(value)} 元", className="fw-semibold")], className="disclosure-total"),
                 className="col-6 col-md-3")
        for label, value in (("收入合计", c.get("income_fen", 0)), ("支出合计", c.get("spending_fen", 0)),
                             ("收支结余", c.get("income_fen", 0) - c.get("spending_fen", 0)),
                             ("向成员分配", c.get("distribution_fen", 0)))])
    funds = [(f["name"], f"{yuan(f['fen'])}") for f in c.get("funds", [])]
    funds += [("应收款（债权）", yuan(c.get("claims_fen", 0))), ("借款及应付款（债务）", yuan(c.get("debts_fen", 0)))]
    major = c.get("major", [])
    return html.Div([
        html.Div(f"期间：{c['start']} 至 {c['end']}", className="small text-muted mb-1"),
        totals,
        html.Div(className="row g-2", children=[
            html.Div(_table([(r["name"], yuan(r["fen"])) for r in c.get("income", [])], ("收入项目", "金额（元）"),
                            f"{prefix}-income"), className="col-md-6"),
            html.Div(_table([(r["name"], yuan(r["fen"])) for r in c.get("spending", [])], ("支出项目", "金额（元）"),
                            f"{prefix}-spending"), className="col-md-6"),
            html.Div(_table(funds, ("期末资金与债权债务", "余额（元）")), className="col-md-6"),
            html.Div(_table([(f"{m['date']} {m['summary']}" + (f"（{m['counterparty']}）" if m.get("counterparty") else ""),
                              yuan(m["fen"])) for m in major], ("大额支出（1万元以上）", "金额（元）"), f"{prefix}-major",
                            "本期无1万元以上的支出"),
                     className="col-md-6"),
        ]),
    ])


def _layout(**extra) -> dict:
    return quick_ticks({"margin": {"l": 60, "r": 10, "t": 30, "b": 40}, "font": FONT,
                        "legend": {"orientation": "h", "y": 1.15, "x": 0}, "plot_bgcolor": "rgba(0,0,0,0)",
                        "paper_bgcolor": "rgba(0,0,0,0)", "hovermode": "x unified", **extra})


def quarter_bars(series: list[dict], empty: str = "暂无已公开的季度财务数据") -> dict:
    """Income and spending by quarter (grouped bars, 元)."""
    if not series:
        return empty_figure(empty, height=280)
    labels = [s["label"].replace("年", "年<br>", 1) for s in series]  # two lines: fits a phone
    inc = [s["income_fen"] / 100 for s in series]
    spend = [s["spending_fen"] / 100 for s in series]
    data = [{"type": "bar", "name": name, "x": labels, "y": ys, "marker": {"color": color},
             "hovertemplate": name + " %{y:,.2f} 元<extra></extra>"}
            for name, ys, color in (("收入", inc, INCOME_COLOR), ("支出", spend, SPENDING_COLOR))]
    return {"data": data, "layout": _layout(height=280, barmode="group",
                                            yaxis={"title": {"text": "元"}, **value_axis(inc + spend, include_zero=True)})}


def spending_pie(rows: list[dict], title: str, empty: str = "暂无支出数据") -> dict:
    """Where the money went: spending by account (a donut, 元 and share in the hover)."""
    rows = [r for r in rows if r.get("fen", 0) > 0]
    if not rows:
        return empty_figure(empty, height=280)
    pie = {"type": "pie", "hole": 0.45, "labels": [r["name"] for r in rows], "values": [r["fen"] / 100 for r in rows],
           "marker": {"colors": PALETTE[:len(rows)]}, "sort": True, "textinfo": "percent", "name": title,
           "hovertemplate": "%{label}<br>%{value:,.2f} 元（%{percent}）<extra></extra>"}
    return {"data": [pie], "layout": {"height": 280, "margin": {"l": 10, "r": 10, "t": 30, "b": 10}, "font": FONT,
                                      "legend": {"orientation": "h", "y": -0.05}, "showlegend": True,
                                      "title": {"text": title, "font": {"size": 13}, "x": 0.5},
                                      "paper_bgcolor": "rgba(0,0,0,0)"}}


def distribution_bars(rows: list[dict], empty: str = "暂无收益分配记录") -> dict:
    """The member's own distribution by year (元), the organisation's total in the hover."""
    if not rows:
        return empty_figure(empty, height=260)
    years = [f"{r['year']}年" for r in rows]
    mine = [r["mine_fen"] / 100 for r in rows]
    bar = {"type": "bar", "name": "本人分得", "x": years, "y": mine, "marker": {"color": MINE_COLOR},
           "customdata": [r["org_fen"] / 100 for r in rows],
           "hovertemplate": "%{x}<br>本人分得 %{y:,.2f} 元<br>全组织分配 %{customdata:,.2f} 元<extra></extra>"}
    return {"data": [bar], "layout": _layout(height=260, showlegend=True,
                                             yaxis={"title": {"text": "元"}, **value_axis(mine, include_zero=True)})}
