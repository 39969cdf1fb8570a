"""首页: who you are, your jurisdiction and where you may go."""
import dash
from dash import html

from domain.permissions import Action

#: the home page is where those land who hold one of `landing_if` (the collective economy's work);
#: everyone else lands on the first page of their navigation (server.guard.landing)
dash.register_page(__name__, path="/", name="首页", order=0, permission=Action.HOME_VIEW,
                   landing_if=(Action.DASHBOARD_VIEW, Action.BUSINESS_VIEW))


def layout(**_):
    return html.Div([html.Div(id="home-welcome", className="panel")])
