"""The every-role walk (issue 13): on Jilin (22) every demo user of the `test`-scale generator signs
in in headless Chromium with the browser locale en-US (to catch what follows the browser's locale),
visits every page of its own navigation (read from the page), 台账明细 of every kind, an unknown
path and a page its role may not open, and the test fails on any console error or warning, failed
request, request outside the origin, or visible raw code (the platform's code values,
None/NaN/undefined/null, machine timestamps). On Jilin it also opens every tab of every page and
fails on a visible, enabled button whose every callback the role is refused (read-only means
read-only, issue 13 item 7). Jiangxi (36) is walked by the fewest demo users whose navigations
together hold every page, on React's and dash-renderer's development bundles, whose prop checks make
a Dash prop-type or React key warning a console error (the production bundles stay silent).
Helpers: tests/support/walk.py."""
from __future__ import annotations

import time

import dash
import pytest
from sqlalchemy import select

from data.db import reading
from data.demo import DEMO_LOGINS
from data.models import User
from domain.labels import code_values
from domain.permissions import Scope, role_perms
from domain.records import KINDS
from domain.supervision.rules import RULES
from server.guard import may_open
from tests.support.app import PASSWORD, build_app, province_settings
from tests.support.browser import SCREENSHOTS as REPORTS, serve
from tests.support.funds import actor
from tests.support.walk import ButtonCheck, button_actions, code_pattern, walk_users

pytestmark = pytest.mark.browser

#: walk's wall time per province (seconds), printed at the end
TIMES: dict[int, float] = {}


def denied_path(role: str, province: int) -> str | None:
    """A page of the navigation the role may not open (the first by order), None if it may open all.
    Not the home page: whoever may not open it (a member) is sent on to their own first page
    (server.guard.landing; tests/test_portal.py checks that)."""
    scope = Scope(root=province * 10**10, perms=role_perms(role), role=role)
    pages = sorted((p for p in dash.page_registry.values()
                    if p.get("nav", True) and p["path"] != "/" and not may_open(p, scope)),
                   key=lambda p: p.get("order", 100))
    return pages[0]["path"] if pages else None


def nav_pages(role: str, root: int) -> set[str]:
    scope = Scope(root=root, perms=role_perms(role), role=role)
    return {p["path"] for p in dash.page_registry.values() if p.get("nav", True) and may_open(p, scope)}


def covering(users: dict[str, str], roots: dict[str, int], first: str) -> list[str]:
    """The fewest demo users (greedily, `first` first) whose navigations together hold every page
    any of them has."""
    navs = {u: nav_pages(users[u], roots[u]) for u, _label in DEMO_LOGINS}
    left, chosen = set().union(*navs.values()) - navs[first], [first]
    while left:
        best = max((u for u, _label in DEMO_LOGINS if u not in chosen), key=lambda u: len(navs[u] & left))
        chosen.append(best)
        left -= navs[best]
    return chosen


@pytest.mark.parametrize("province", [22, 36])
def test_walk001_every_demo_role_meets_no_console_noise_failed_request_or_raw_code(tmp_path_factory, chromium,
                                                                                   province):
    settings = province_settings(tmp_path_factory, province)
    app = build_app(settings)
    with reading(settings.database_url) as s:
        rows = s.execute(select(User.username, User.role, User.region_code)).all()
    users = {u: role for u, role, _root in rows}
    roots = {u: int(root) for u, _role, root in rows}
    records = [f"/records#kind={k}" for k in KINDS]
    codes = code_pattern(code_values() | set(RULES))
    if province == 22:
        walkers = [u for u, _label in DEMO_LOGINS]
        actions = button_actions()
        checks = {u: ButtonCheck(actor(settings, u).scope, actions) for u in walkers}
    else:
        walkers, checks = covering(users, roots, first="demo-county"), {}
        app.enable_dev_tools(debug=False, dev_tools_serve_dev_bundles=True, dev_tools_props_check=True,
                             dev_tools_ui=False, dev_tools_hot_reload=False, dev_tools_silence_routes_logging=True)
    started = time.monotonic()
    with serve(app.server) as base:
        walked, bad = walk_users(chromium, base, [(u, denied_path(users[u], province),
                                                   records if u == "demo-county" else ())
                                                  for u in walkers], PASSWORD, codes, inspect=checks.get,
                                 scripts=(scripts := []))
    dev_bundles = any("dash_renderer" in src and ".dev.js" in src for src in scripts)
    failures = [f"{v.username} {v.path}: {p}" for v in bad for p in v.problems]
    TIMES[province] = time.monotonic() - started
    buttons = sum(c.checked for c in checks.values())
    print(f"\nwalk {province}: {sum(map(len, walked.values()))} pages for {len(walked)} users "
          f"({buttons} buttons judged) in {TIMES[province]:.1f} s")
    REPORTS.mkdir(parents=True, exist_ok=True)
    (REPORTS / f"walk-{province}.txt").write_text("\n".join(failures) + "\n", encoding="utf-8")
    assert not failures, f"{len(failures)} problems (var/screenshots/walk-{province}.txt):\n" + "\n".join(failures[:40])
    assert sorted(walked) == sorted(walkers) and all(walked.values())
    every_page = set().union(*(nav_pages(users[u], roots[u]) for u in users))
    assert every_page <= {p for paths in walked.values() for p in paths}, every_page
    if province == 22:
        assert len(walked) == len(DEMO_LOGINS) and buttons > 20
        assert "/cockpit" in walked["demo-province"] and "/funds" in walked["demo-village"]
        assert not dev_bundles
    else:  # the development bundles (prop checks) were the ones served
        assert dev_bundles and "demo-county" in walked and len(walked) < len(DEMO_LOGINS)
