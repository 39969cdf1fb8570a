"""我的账号: the TOTP panel is hidden in the page as served and shown by the info callback only to
whoever may use the second factor, so a non-administrator never meets its buttons (not even
while the page's first answers are on their way; the read-only walk caught that on a busy
machine)."""
from __future__ import annotations

import pytest

import callbacks.account
from tests.support.http import call_as, outputs, values


def _find(component, component_id: str):
    if getattr(component, "id", None) == component_id:
        return component
    children = getattr(component, "children", None)
    for child in children if isinstance(children, list | tuple) else [children]:
        if child is not None and not isinstance(child, str | int | float):
            found = _find(child, component_id)
            if found is not None:
                return found
    return None


def test_account001_the_totp_panel_starts_hidden(app):  # the app registers the pages
    from pages import account

    panel = _find(account.layout(), "totp-panel")
    assert panel is not None and panel.hidden is True


@pytest.mark.parametrize(("username", "hidden"), [("demo-admin", False), ("demo-township-head", True),
                                                  ("demo-village", True)])
def test_account002_the_info_callback_shows_the_panel_to_whoever_may_use_it(app, client_for, username, hidden):
    resp = call_as(client_for(username), app, callbacks.account.info, values({"totp-result": None}, "children"))
    assert outputs(resp)["totp-panel"]["hidden"] is hidden
