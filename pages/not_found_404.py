"""The in-app 404 (a link inside the app to a path that is no page); a browser's GET of such a path
gets the server's refusal page with status 404 (server/guard.py), with the same text."""
import dash

from components.refusal import NOT_FOUND_HEADING, NOT_FOUND_TEXT, refusal_panel
from domain.permissions import Action

dash.register_page(__name__, path="/404", name=NOT_FOUND_HEADING, title=NOT_FOUND_HEADING, nav=False,
                   permission=(Action.HOME_VIEW, Action.PORTAL_VIEW))


def layout(**_):
    return refusal_panel(NOT_FOUND_HEADING, NOT_FOUND_TEXT)
