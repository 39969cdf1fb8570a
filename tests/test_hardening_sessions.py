"""Issue 12 item 3: sessions and sign-in through the real HTTP endpoints — a password change ends
the other sessions, wrong current passwords at /password count toward the lockout, signing out is
a same-origin POST, and a refused sign-in does not tell an unknown name from a known one."""
from __future__ import annotations

import statistics
import time

from sqlalchemy import update

from data.db import transaction
from data.models import User
from tests.support.accounts import audit_count, make_user
from tests.support.app import PASSWORD
from tests.support.http import login, sign_in

NEW_PASSWORD = "Xk9#forest-2031"


def _change(client, old, new=NEW_PASSWORD):
    return client.post("/password", data={"old": old, "new": new, "again": new})


def test_sessions001_changing_the_password_ends_the_other_sessions_only(app, sqlite_settings):
    make_user(sqlite_settings, "sess-change", "county_admin", sqlite_settings.demo_county)
    here, laptop, phone = (sign_in(app.server, "sess-change") for _ in range(3))
    assert laptop.get("/").status_code == 200
    assert _change(here, PASSWORD).status_code == 302
    assert here.get("/").status_code == 200  # the session that changed it stays
    assert laptop.get("/").status_code == 302 and phone.get("/").status_code == 302
    assert sign_in(app.server, "sess-change", NEW_PASSWORD).get("/").status_code == 200


def test_sessions002_wrong_current_passwords_count_toward_the_lockout(app, sqlite_settings):
    make_user(sqlite_settings, "sess-guess", "county_admin", sqlite_settings.demo_county)
    c, other = sign_in(app.server, "sess-guess"), sign_in(app.server, "sess-guess")
    for _ in range(4):
        wrong = _change(c, "Wrong#guess1")
        assert wrong.status_code == 400 and "原密码不正确" in wrong.get_data(as_text=True)
    fifth = _change(c, "Wrong#guess1")
    assert fifth.status_code == 302 and fifth.headers["Location"] == "/login"  # locked: every session ended
    assert c.get("/").status_code == 302 and other.get("/").status_code == 302
    assert login(app.server.test_client(), "sess-guess").status_code == 401  # even the right password
    assert audit_count(sqlite_settings, "lockout", "sess-guess") == 1
    assert audit_count(sqlite_settings, "password_change", "sess-guess") == 5


def test_sessions003_a_failed_guess_at_sign_in_and_at_password_share_one_count(app, sqlite_settings):
    make_user(sqlite_settings, "sess-mixed", "county_admin", sqlite_settings.demo_county)
    c = sign_in(app.server, "sess-mixed")
    for _ in range(3):
        assert login(app.server.test_client(), "sess-mixed", "Wrong#pass1").status_code == 401
    assert _change(c, "Wrong#guess1").status_code == 400
    assert _change(c, "Wrong#guess1").status_code == 302  # the fifth failure in all
    assert audit_count(sqlite_settings, "lockout", "sess-mixed") == 1


def test_sessions004_get_logout_signs_nobody_out_and_post_does(app):
    c = sign_in(app.server, "demo-county")
    confirm = c.get("/logout", headers={"Referer": "https://evil.example/page"})
    assert confirm.status_code == 200 and 'id="logout-confirm"' in confirm.get_data(as_text=True)
    assert 'method="post" action="/logout"' in confirm.get_data(as_text=True)
    assert c.get("/").status_code == 200  # still signed in
    foreign = c.post("/logout", headers={"Origin": "https://evil.example"})
    assert foreign.status_code == 403 and c.get("/").status_code == 200
    assert c.post("/logout").status_code == 302
    assert c.get("/").status_code == 302


def test_sessions005_the_navigation_signs_out_with_a_post_form(app):
    c = sign_in(app.server, "demo-county")
    layout = c.get("/_dash-layout").get_json()
    found = []

    def walk(node):
        if isinstance(node, dict):
            props = node.get("props", {})
            if node.get("type") == "Form" and props.get("action") == "/logout":
                found.append(props)
            for v in props.values():
                walk(v)
        elif isinstance(node, list):
            for v in node:
                walk(v)

    walk(layout)
    assert len(found) == 1 and found[0]["method"] == "post"
    assert "/logout" not in c.get("/password").get_data(as_text=True).replace('action="/logout"', "")


def test_sessions006_every_refused_sign_in_gives_the_same_answer(app, sqlite_settings):
    make_user(sqlite_settings, "sess-disabled", "county_admin", sqlite_settings.demo_county, is_active=False)
    make_user(sqlite_settings, "sess-locked", "county_admin", sqlite_settings.demo_county)
    make_user(sqlite_settings, "sess-known", "county_admin", sqlite_settings.demo_county)
    for _ in range(5):
        login(app.server.test_client(), "sess-locked", "Wrong#pass1", environ_base={"REMOTE_ADDR": "10.1.0.2"})
    answers = {
        "unknown": login(app.server.test_client(), "sess-nobody", "Wrong#pass1"),
        "wrong": login(app.server.test_client(), "sess-known", "Wrong#pass1"),
        "locked": login(app.server.test_client(), "sess-locked"),  # the right password
        "disabled": login(app.server.test_client(), "sess-disabled"),
    }
    import re

    def error(resp):
        return re.search(r'id="login-error">([^<]*)<', resp.get_data(as_text=True)).group(1)

    assert {k: r.status_code for k, r in answers.items()} == dict.fromkeys(answers, 401)
    assert len({error(r) for r in answers.values()}) == 1, {k: error(r) for k, r in answers.items()}
    # the log keeps the real reason
    assert audit_count(sqlite_settings, "sign_in_failed", "sess-disabled") == 1


def _median_sign_in(app, username: str, n: int = 10) -> float:
    times = []
    for i in range(n):
        c = app.server.test_client()
        start = time.perf_counter()
        resp = login(c, username, "Wrong#pass1", environ_base={"REMOTE_ADDR": f"10.2.0.{i}"})
        times.append(time.perf_counter() - start)
        assert resp.status_code == 401
    return statistics.median(times)


def test_sessions007_an_unknown_name_takes_as_long_as_a_wrong_password(app, sqlite_settings):
    """Medians of 10 attempts each, compared within a generous factor (never absolute times)."""
    make_user(sqlite_settings, "sess-timing", "county_admin", sqlite_settings.demo_county)
    make_user(sqlite_settings, "sess-timing-off", "county_admin", sqlite_settings.demo_county, is_active=False)
    wrong = []
    for _ in range(10):  # stays below the lockout: reset the count between rounds
        wrong.append(_median_sign_in(app, "sess-timing", 1))
        with transaction(sqlite_settings.database_url) as s:
            s.execute(update(User).where(User.username == "sess-timing").values(failed_attempts=0))
    wrong_median = statistics.median(wrong)
    unknown_median = _median_sign_in(app, "sess-timing-nobody")
    disabled_median = _median_sign_in(app, "sess-timing-off")
    assert unknown_median >= 0.5 * wrong_median, (unknown_median, wrong_median)
    assert disabled_median >= 0.5 * wrong_median, (disabled_median, wrong_median)
