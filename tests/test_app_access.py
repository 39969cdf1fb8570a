"""The app shell through its real HTTP endpoints: sign-in, navigation by role, and the server
refusing pages and callbacks outside the user's role and jurisdiction."""
from __future__ import annotations

import pytest

from server.guard import ROUTER_OUTPUT
from tests.support.cockpit import CHARTS, COCKPIT, cockpit
from tests.support.http import dash_post, login, output, props, sign_in

#: imported from here by tests/test_cockpit.py and tests/test_funds.py until they use tests.support.cockpit
__all__ = ["CHARTS", "COCKPIT", "cockpit"]


def router(client, path: str):
    """Dash's page router (its own callback, not ours) asked for `path`."""
    return dash_post(client, ROUTER_OUTPUT, props(("_pages_location", "pathname", path), ("_pages_location", "search", "")))


def test_access001_health_is_public(app):
    resp = app.server.test_client().get("/health")
    assert resp.status_code == 200 and resp.get_json() == {"status": "ok"}


def test_access002_pages_need_sign_in(app):
    c = app.server.test_client()
    resp = c.get("/cockpit")
    assert resp.status_code == 302 and resp.headers["Location"].startswith("/login")
    refused = cockpit(app, c)
    assert refused.status_code == 401 and refused.get_json() == {"error": "请先登录"}


def test_access003_wrong_password_is_refused(app):
    resp = login(app.server.test_client(), "demo-county", "wrong-Pass1!")
    assert resp.status_code == 401
    assert "用户名或密码错误" in resp.get_data(as_text=True)


def test_access004_county_official_sees_only_own_county(app, client_for, sqlite_settings):
    rows = output(cockpit(app, client_for("demo-county")), "children-table", "rowData")
    county = sqlite_settings.demo_county
    ql = app.server.extensions["platform.query"]
    # every township of the county, and nothing else: each row drills down inside the county
    assert [int(r["code"]) for r in rows] == ql.tree.children(county)["code"].to_list()
    assert all(county <= int(r["code"]) < county + 10**6 for r in rows)


def test_access005_direct_post_for_another_county_is_refused(app, client_for, sqlite_settings):
    c = client_for("demo-county")
    ql = app.server.extensions["platform.query"]
    county = sqlite_settings.demo_county
    other = next(x for x in ql.tree.children(county // 10**8 * 10**8)["code"] if x != county)
    for region in (other, county // 10**8 * 10**8, sqlite_settings.province * 10**10):
        resp = cockpit(app, c, f"#region={region}")
        assert resp.status_code == 403
        assert resp.get_json() == {"error": f"区域 {region} 不在您的管辖范围内"}


def test_access006_undeclared_callback_is_refused(client_for):
    resp = dash_post(client_for("demo-province"), "some-undeclared.children", props(("url", "search", "")))
    assert resp.status_code == 403 and resp.get_json() == {"error": "该操作未声明权限，已拒绝"}


@pytest.mark.parametrize("username, sees_cockpit", [
    ("demo-province", True), ("demo-city", True), ("demo-county", True), ("demo-township", True),
    ("demo-village", False), ("demo-bank", False), ("demo-member", False),
])
def test_access007_navigation_and_page_access_follow_permissions(app, username, sees_cockpit):
    c = sign_in(app.server, username)
    layout = c.get("/_dash-layout").get_data(as_text=True)
    assert ("nav-cockpit" in layout) == sees_cockpit
    assert (c.get("/cockpit").status_code == 200) == sees_cockpit
    assert (router(c, "/cockpit").status_code == 200) == sees_cockpit


def test_access008_foreign_origin_and_non_json_posts_are_refused(app, client_for):
    c = client_for("demo-province")
    assert cockpit(app, c).status_code == 200
    foreign = cockpit(app, c, Origin="https://evil.example")
    assert foreign.status_code == 403 and foreign.get_json() == {"error": "跨站请求被拒绝"}
    plain = c.post("/_dash-update-component", data="{}", content_type="text/plain")
    assert plain.status_code == 415 and plain.get_json() == {"error": "请求格式无效"}


def test_access009_security_headers_on_dash_routes(client_for):
    c = client_for("demo-province")
    for path in ("/cockpit", "/_dash-layout", "/_dash-dependencies"):
        h = c.get(path).headers
        assert h["X-Content-Type-Options"] == "nosniff"
        assert "frame-ancestors 'none'" in h["Content-Security-Policy"]


def test_access010_every_app_built_in_a_process_gets_the_clientside_callbacks(app):
    """Dash hands module-level clientside callbacks to the first app only; ours are recorded and
    attached to each app (the tests build several), so the KPI slot is filled in every one."""
    import dash

    from server.callbacks import CLIENTSIDE, register_all

    other = dash.Dash(__name__)
    register_all(other)
    for each in (app, other):
        clientside = {k for k, v in each.callback_map.items() if v.get("callback") is None}
        assert {"cockpit-kpis.role", "cockpit-warnings.role"} <= clientside
        assert any(k.split("@")[0] == "url.hash" for k in clientside)
        assert len(clientside) >= len(CLIENTSIDE)
