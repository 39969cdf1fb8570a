"""The every-role walk (issue 13): every demo user of the `test`-scale generator, on Jilin (22) and
Jiangxi (36), signs in in headless Chromium with the browser locale en-US (to catch what follows
the browser's locale), visits every page of its own navigation (read from the page), 台账明细 of
every kind, an unknown path and a page its role may not open, and the test fails on any console
error or warning, failed request, request outside the origin, or visible raw code (the platform's
code values, None/NaN/undefined/null, machine timestamps). Helpers: tests/support/walk.py."""
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
from tests.support.walk import code_pattern, walk_users

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

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


@pytest.mark.parametrize("province", [22, 36])
def test_walk001_every_demo_role_meets_no_console_noise_failed_request_or_raw_code(tmp_path_factory, chromium,
                                                                                   province):
    settings = province_settings(tmp_path_factory, province)
    app = build_app(settings)
    with reading(settings.database_url) as s:
        users = dict(s.execute(select(User.username, User.role)).all())
    records = [f"/records#kind={k}" for k in KINDS]
    codes = code_pattern(code_values() | set(RULES))
    started = time.monotonic()
    with serve(app.server) as base:
        walked, bad = walk_users(chromium, base, [(u, denied_path(users[u], province),
                                                   records if u == "demo-county" else ())
                                                  for u, _label in DEMO_LOGINS], PASSWORD, codes)
    failures = [f"{v.username} {v.path}: {p}" for v in bad for p in v.problems]
    TIMES[province] = time.monotonic() - started
    print(f"\nwalk {province}: {sum(map(len, walked.values()))} pages for {len(walked)} users in {TIMES[province]:.1f} s")
    REPORTS.mkdir(parents=True, exist_ok=True)
    (REPORTS / f"walk-{province}.txt").write_text("\n".join(failures) + "\n", encoding="utf-8")
    assert not failures, f"{len(failures)} problems (var/screenshots/walk-{province}.txt):\n" + "\n".join(failures[:40])
    assert len(walked) == len(DEMO_LOGINS) and all(walked.values())
    assert "/cockpit" in walked["demo-province"] and "/funds" in walked["demo-village"]
