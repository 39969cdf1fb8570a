"""首页: who you are, your jurisdiction and where you may go."""
import dash
from dash import html

from domain.permissions import Action

dash.register_page(__name__, path="/", name="首页", order=0, permission=Action.HOME_VIEW)


def layout(**_):
    return html.Div([html.Div(id="home-welcome", className="panel")])
