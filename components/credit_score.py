"""The credit score's pieces (reused by the portrait pages): the factors that add up to the score,
as a table, and the score on a 0–100 gauge with the grade bands. Id-parameterised by `prefix`.

`factors` is the stored list (`credit_scores.factors`, `Evaluation.factors_json()`): dicts with
factor, label, points and record_ids; the table's last row is the total, equal to the score."""
from __future__ import annotations

from dash import dcc, html

from components.charts import FONT, empty_figure
from domain.credit import scoring

#: the colour of each grade's band on the gauge (A best)
BAND_COLORS = {"A": "#d3ecd9", "B": "#dcebf7", "C": "#fdf0cf", "D": "#f8d7da"}


def _points(p: int) -> str:
    return f"+{p}" if p > 0 else f"{p}"


def score_factors_table(prefix: str, factors: list[dict] | None, *, unrated: bool = False):
    """The factors of one evaluation: label, points (signed), the records behind it; the total."""
    if unrated or not factors:
        return html.Div(scoring.UNRATED_LABEL + "：不评定信用等级" if unrated or factors is not None else "暂无评价",
                        id=f"{prefix}-factors", className="text-muted")
    body = [html.Tr([html.Td(f["label"]), html.Td(_points(int(f["points"])), className="text-end font-monospace"),
                     html.Td("、".join(f"#{i}" for i in f.get("record_ids") or []) or "—", className="small text-muted")],
                    className=f"credit-factor credit-factor-{f['factor']}") for f in factors]
    total = sum(int(f["points"]) for f in factors)
    body.append(html.Tr([html.Th("合计（信用分）"), html.Th(str(total), className="text-end font-monospace"), html.Th("")],
                        className="table-light"))
    return html.Table([html.Thead(html.Tr([html.Th("评价因素"), html.Th("分值", className="text-end"),
                                           html.Th("依据记录")])), html.Tbody(body)],
                      id=f"{prefix}-factors", className="table table-sm align-middle mb-0")


def gauge_figure(score: int | None, grade: str | None) -> dict:
    """A 0–100 gauge with the grade bands (data: scoring.GRADES) and the score's needle."""
    if score is None:
        return empty_figure(scoring.UNRATED_LABEL, height=220)
    bands, upper = [], scoring.MAX_SCORE
    for g, lowest in scoring.GRADES:
        bands.append({"range": [lowest, upper], "color": BAND_COLORS.get(g, "#eee"), "name": g})
        upper = lowest
    indicator = {"type": "indicator", "mode": "gauge+number", "value": score,
                 "number": {"suffix": " 分", "font": {"size": 34}},
                 "title": {"text": f"信用等级 {grade}" if grade else "", "font": {"size": 16}},
                 "gauge": {"axis": {"range": [scoring.MIN_SCORE, scoring.MAX_SCORE], "tickvals": [lo for _, lo in scoring.GRADES]
                                    + [scoring.MAX_SCORE], "ticksuffix": ""},
                           "bar": {"color": "#1f6fb2", "thickness": 0.3}, "steps": bands},
                 "hoverinfo": "skip"}
    legend = "　".join(f"{g}：≥{lo} 分" if lo > scoring.MIN_SCORE else f"{g}：<{prev} 分"
                      for (g, lo), prev in zip(scoring.GRADES, [None] + [lo for _, lo in scoring.GRADES]))
    return {"data": [indicator], "layout": {
        "font": FONT, "height": 220, "margin": {"l": 20, "r": 20, "t": 40, "b": 30},
        "paper_bgcolor": "rgba(0,0,0,0)",
        "annotations": [{"text": legend, "showarrow": False, "xref": "paper", "yref": "paper", "x": 0.5, "y": -0.12,
                         "font": {"size": 11, "color": "#5c6b7a"}}]}}


def score_gauge(prefix: str, score: int | None, grade: str | None):
    """The score gauge as a graph (id `{prefix}-gauge`), with the grade's label under it."""
    label = scoring.GRADE_LABELS.get(grade or "", scoring.UNRATED_LABEL)
    return html.Div([
        dcc.Graph(id=f"{prefix}-gauge", figure=gauge_figure(score, grade), config={"displayModeBar": False},
                  style={"height": "220px"}),
        html.Div(label, id=f"{prefix}-grade", className="text-center fw-semibold"),
    ])
