"""The app shell through its real HTTP endpoints: sign-in, navigation by role, and the server
refusing pages and callbacks outside the user's role and jurisdiction."""
from __future__ import annotations


import pytest

from tests.conftest import dash_post, sign_in

COCKPIT = ("..cockpit-breadcrumb.children...cockpit-kpis-html.data...children-table.rowData...cockpit-children-title.children..."
           "cockpit-children-note.children...cockpit-warnings-html.data..")
CHARTS = "..cockpit-trend.figure...cockpit-map.figure...cockpit-map-codes.data...cockpit-topbottom.figure.."


def cockpit(client, search: str = ""):
    return dash_post(client, COCKPIT, [{"id": "url", "property": "hash", "value": search.replace("?", "#", 1)}])


def test_health_is_public(app):
    resp = app.server.test_client().get("/health")
    assert resp.status_code == 200 and resp.get_json() == {"status": "ok"}


def test_pages_need_sign_in(app):
    c = app.server.test_client()
    resp = c.get("/cockpit")
    assert resp.status_code == 302 and resp.headers["Location"].startswith("/login")
    assert cockpit(c).status_code == 401


def test_wrong_password_is_refused(app):
    c = app.server.test_client()
    resp = c.post("/login", data={"username": "demo-county", "password": "wrong-Pass1!"})
    assert resp.status_code == 401
    assert "用户名或密码错误" in resp.get_data(as_text=True)


def test_county_official_sees_only_own_county(app, client_for, sqlite_settings):
    c = client_for("demo-county")
    resp = cockpit(c)
    assert resp.status_code == 200
    body = resp.get_json()["response"]
    county = sqlite_settings.demo_county
    rows = body["children-table"]["rowData"]
    ql = app.server.extensions["platform.query"]
    # every township of the county, and nothing else: each row drills down inside the county
    assert [int(r["code"]) for r in rows] == ql.tree.children(county)["code"].to_list()
    assert all(county <= int(r["code"]) < county + 10**6 for r in rows)


def test_direct_post_for_another_county_is_refused(app, client_for, sqlite_settings):
    c = client_for("demo-county")
    ql = app.server.extensions["platform.query"]
    county = sqlite_settings.demo_county
    other = next(x for x in ql.tree.children(county // 10**8 * 10**8)["code"] if x != county)
    for region in (other, county // 10**8 * 10**8, sqlite_settings.province * 10**10):
        resp = cockpit(c, f"?region={region}")
        assert resp.status_code == 403
        text = resp.get_data(as_text=True)
        assert ql.tree.name(other) not in text and "rowData" not in text


def test_undeclared_callback_is_refused(client_for):
    c = client_for("demo-province")
    resp = dash_post(c, "some-undeclared.children", [{"id": "url", "property": "search", "value": ""}])
    assert resp.status_code == 403


@pytest.mark.parametrize("username, sees_cockpit", [
    ("demo-province", True), ("demo-city", True), ("demo-county", True), ("demo-township", True),
    ("demo-village", False), ("demo-bank", False), ("demo-member", False),
])
def test_navigation_and_page_access_follow_permissions(app, username, sees_cockpit):
    c = sign_in(app.server, username)
    layout = c.get("/_dash-layout").get_data(as_text=True)
    assert ("nav-cockpit" in layout) == sees_cockpit
    assert (c.get("/cockpit").status_code == 200) == sees_cockpit
    router = dash_post(c, ".._pages_content.children..._pages_store.data..",
                       [{"id": "_pages_location", "property": "pathname", "value": "/cockpit"},
                        {"id": "_pages_location", "property": "search", "value": ""}])
    assert (router.status_code == 200) == sees_cockpit


def test_foreign_origin_and_non_json_posts_are_refused(client_for):
    c = client_for("demo-province")
    assert cockpit(c).status_code == 200
    foreign = dash_post(c, COCKPIT, [{"id": "url", "property": "hash", "value": ""}], Origin="https://evil.example")
    assert foreign.status_code == 403
    plain = c.post("/_dash-update-component", data="{}", content_type="text/plain")
    assert plain.status_code == 415


def test_security_headers_on_dash_routes(client_for):
    c = client_for("demo-province")
    for path in ("/cockpit", "/_dash-layout", "/_dash-dependencies"):
        h = c.get(path).headers
        assert h["X-Content-Type-Options"] == "nosniff"
        assert "frame-ancestors 'none'" in h["Content-Security-Policy"]


def test_every_app_built_in_a_process_gets_the_clientside_callbacks(app):
    """Dash hands module-level clientside callbacks to the first app only; ours are recorded and
    attached to each app (the tests build several), so the KPI slot is filled in every one."""
    import dash

    from server.callbacks import register_all

    other = dash.Dash(__name__)
    register_all(other)
    for each in (app, other):
        assert {"cockpit-kpis.role", "cockpit-warnings.role"} <= set(each.callback_map)
        assert any(k.startswith("..url.hash@") or k.startswith("url.hash") for k in each.callback_map)
