"""What a person reads when a page cannot be shown: the texts of the 404 page (the server's
refusal page and the in-app one share them) and the panel the app draws for it."""
from __future__ import annotations

from dash import html

NOT_FOUND_HEADING = "页面不存在"
NOT_FOUND_TEXT = "您要打开的页面不存在，可能是地址有误或页面已调整。请从上方导航进入。"


def refusal_panel(heading: str, text: str):
    return html.Div(className="panel refusal-panel", id="refusal", children=[
        html.H1(heading, className="h4 mb-3"), html.P(text),
        html.P(html.A("返回首页", href="/", className="btn btn-primary btn-sm"), className="mb-0")])
