"""大屏 factories: any dashboard figure restyled for the dark wall display."""
from __future__ import annotations


def big_figure(fig, scale: float):
    """`fig` (a plain dict or a plotly figure) with fonts and margins `scale` times the size
    (1 at 1920 px wide), light text and dark grid lines; returns a plotly figure."""
    import plotly.graph_objects as go

    fig = go.Figure(fig) if isinstance(fig, dict) else fig
    fig.update_layout(font={"size": round(15 * scale), "color": "#e8eef5"}, paper_bgcolor="rgba(0,0,0,0)",
                      plot_bgcolor="rgba(0,0,0,0)", legend={"font": {"size": round(14 * scale)}},
                      margin={"l": round(80 * scale), "r": round(80 * scale), "t": round(20 * scale),
                              "b": round(60 * scale)})
    if fig.layout.title and fig.layout.title.text:
        fig.update_layout(title_font_size=round(16 * scale))
    for a in fig.layout.annotations or ():
        a.font.size = round(12 * scale)
    fig.update_xaxes(gridcolor="#2a3b4f", zerolinecolor="#2a3b4f")
    fig.update_yaxes(gridcolor="#2a3b4f", zerolinecolor="#2a3b4f")
    return fig
