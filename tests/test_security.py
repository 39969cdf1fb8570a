"""Accounts, permissions and the security log through the real HTTP endpoints (sign-in form,
callback endpoint), Art. J8–J10, J16–J17, J35–J36, J43, X54."""
from __future__ import annotations

import datetime as dt
import json
import re

import dash
import pytest
from sqlalchemy import func, select, text, update

from data.db import transaction
from data.models import AccountRequest, AuditLog, User
from data import audit_log
from domain import passwords
from domain.regions import subtree_bounds
from domain.permissions import ROLES, role_may, role_perms
from server.guard import ROUTER_OUTPUT, may_open
from tests.conftest import PASSWORD, dash_post, sign_in
from tests.test_app_access import COCKPIT, cockpit

NEW_PASSWORD = "Xk9#forest-2027"


def make_user(settings, username, role, region, *, password=PASSWORD, **extra) -> int:
    with transaction(settings.database_url) as s:
        u = User(username=username, display_name=username, role=role, region_code=region,
                 password_hash=passwords.hash_password(password), **extra)
        s.add(u)
        s.flush()
        return u.id


def region_for(ql, settings, level: int) -> int:
    county = settings.demo_county
    township = int(ql.tree.children(county)["code"][0])
    village = int(ql.tree.children(township)["code"][0])
    return {1: settings.province * 10**10, 2: county // 10**8 * 10**8, 3: county, 4: township, 5: village}[level]


def audit_count(settings, type_, actor=None) -> int:
    with transaction(settings.database_url) as s:
        q = select(func.count()).select_from(AuditLog).where(AuditLog.type == type_)
        if actor:
            q = q.where(AuditLog.actor == actor)
        return s.scalar(q)


def body(resp) -> str:
    """Response text with JSON unescaped (Dash answers escape non-ASCII)."""
    data = resp.get_json(silent=True)
    return json.dumps(data, ensure_ascii=False) if data is not None else resp.get_data(as_text=True)


def login(client, username, password=PASSWORD, **kw):
    return client.post("/login", data={"username": username, "password": password}, **kw)


# ------------------------------------------------------------------ sign-in protection

def test_five_failures_lock_the_account_for_thirty_minutes(app, sqlite_settings):
    make_user(sqlite_settings, "lock-test", "county_admin", sqlite_settings.demo_county)
    c = app.server.test_client()
    for _ in range(4):
        assert "用户名或密码错误" in login(c, "lock-test", "Wrong#pass1").get_data(as_text=True)
    fifth = login(c, "lock-test", "Wrong#pass1")
    assert fifth.status_code == 401 and "锁定30分钟" in body(fifth)
    right = login(c, "lock-test")  # even the right password is refused while locked
    assert right.status_code == 401 and "锁定" in body(right)
    assert audit_count(sqlite_settings, "lockout", "lock-test") == 1
    assert audit_count(sqlite_settings, "sign_in_failed", "lock-test") == 6
    later = dt.datetime.now(dt.UTC) + dt.timedelta(minutes=31)
    app.server.config["NOW"] = lambda: later
    try:
        assert login(c, "lock-test").status_code == 302
    finally:
        app.server.config.pop("NOW")


def test_expired_password_forces_a_change_before_anything_else(app, sqlite_settings):
    old = dt.datetime.now(dt.UTC) - dt.timedelta(days=366)
    make_user(sqlite_settings, "expired-pw", "county_admin", sqlite_settings.demo_county, password_changed_at=old)
    c = app.server.test_client()
    resp = login(c, "expired-pw")
    assert resp.status_code == 302 and resp.headers["Location"] == "/password"
    assert c.get("/cockpit").headers["Location"] == "/password"
    assert cockpit(c).status_code == 403  # no callback runs either
    page = c.get("/password").get_data(as_text=True)
    assert "password-forced" in page
    weak = c.post("/password", data={"old": PASSWORD, "new": "abc12345", "again": "abc12345"})
    assert weak.status_code == 400 and "特殊字符" in body(weak)
    ok = c.post("/password", data={"old": PASSWORD, "new": NEW_PASSWORD, "again": NEW_PASSWORD})
    assert ok.status_code == 302
    assert c.get("/cockpit").status_code == 200 and cockpit(c).status_code == 200
    assert audit_count(sqlite_settings, "password_change", "expired-pw") == 1


def test_disabling_a_user_ends_their_session_at_once(app, sqlite_settings):
    uid = make_user(sqlite_settings, "to-disable", "township_accountant",
                    region_for(app.server.extensions["platform.query"], sqlite_settings, 4))
    victim = sign_in(app.server, "to-disable")
    assert victim.get("/").status_code == 200
    admin = sign_in(app.server, "demo-county")
    with transaction(sqlite_settings.database_url) as s:
        version = s.get(User, uid).version
    key = next(k for k in app.callback_map if k.startswith("..acct-user-result."))
    resp = dash_post(admin, key,
                     [{"id": "acct-disable", "property": "n_clicks", "value": 1},
                      {"id": "acct-enable", "property": "n_clicks", "value": None}],
                     [{"id": "acct-users", "property": "selectedRows",
                       "value": [{"id": uid, "version": version, "username": "to-disable"}]},
                      {"id": "acct-refresh", "property": "data", "value": 0}])
    assert resp.status_code == 200 and "已停用" in body(resp)
    assert victim.get("/").status_code == 302  # the very next request is refused
    assert cockpit(victim).status_code == 401
    assert login(app.server.test_client(), "to-disable").status_code == 401


def test_rate_limit_on_failed_sign_ins_per_address(app):
    c = app.server.test_client()
    env = {"REMOTE_ADDR": "10.9.8.7"}
    codes = [login(c, f"nobody-{i}", "Wrong#pass1", environ_base=env).status_code for i in range(31)]
    assert codes[:30] == [401] * 30 and codes[30] == 429
    other = login(c, "demo-province", environ_base={"REMOTE_ADDR": "10.9.8.8"})
    assert other.status_code == 302


def test_session_cookie_flags_and_new_id_at_sign_in(app):
    c = app.server.test_client()
    c.get("/login")
    resp = login(c, "demo-province")
    cookie = resp.headers.get("Set-Cookie", "")
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    first = c.get_cookie("nj_session").value
    c.get("/logout")
    login(c, "demo-province")
    assert c.get_cookie("nj_session").value != first


def test_sign_out_ends_the_session_on_the_server(app):
    c = sign_in(app.server, "demo-province")
    stolen = c.get_cookie("nj_session").value
    c.get("/logout")
    thief = app.server.test_client()
    thief.set_cookie("nj_session", stolen)
    assert thief.get("/cockpit").status_code == 302


# ------------------------------------------------------------------ request protection

def test_refused_posts_run_no_callback(app, client_for, monkeypatch):
    ql = app.server.extensions["platform.query"]
    calls = []
    real = ql.kpis
    monkeypatch.setattr(ql, "kpis", lambda *a, **k: calls.append(1) or real(*a, **k))
    c = client_for("demo-province")
    foreign = dash_post(c, COCKPIT, [{"id": "url", "property": "hash", "value": ""}], Origin="https://evil.example")
    plain = c.post("/_dash-update-component", data=json.dumps({"output": "x"}), content_type="text/plain")
    assert foreign.status_code == 403 and plain.status_code == 415
    assert calls == []
    assert cockpit(c).status_code == 200 and calls == [1]


# ------------------------------------------------------------------ the role × page matrix

@pytest.fixture(scope="module")
def role_clients(app, sqlite_settings):
    ql = app.server.extensions["platform.query"]
    clients = {}
    for role, r in ROLES.items():
        username = f"matrix-{role.replace('_', '-')}"
        make_user(sqlite_settings, username, role, region_for(ql, sqlite_settings, r.level),
                  approval_ref="省农业农村厅〔2026〕1号" if role == "oversight_admin" else None)
        clients[role] = sign_in(app.server, username)
    return clients


def _pages():
    import app  # noqa: F401 - registers the pages

    return sorted(dash.page_registry.values(), key=lambda p: p["path"])


@pytest.mark.parametrize("role", sorted(ROLES))
def test_every_role_page_pair_follows_the_permission_table(app, role_clients, role):
    from domain.permissions import Scope

    c = role_clients[role]
    scope = Scope(root=0, perms=role_perms(role), role=role)
    layout = body(c.get("/_dash-layout"))
    for page in _pages():
        allowed = may_open(page, scope)
        declared = page["permission"] if isinstance(page["permission"], tuple) else (page["permission"],)
        assert allowed == any(role_may(role, a) for a in declared)
        assert (c.get(page["path"]).status_code == 200) == allowed, (role, page["path"])
        router = dash_post(c, ROUTER_OUTPUT, [{"id": "_pages_location", "property": "pathname", "value": page["path"]},
                                              {"id": "_pages_location", "property": "search", "value": ""}])
        assert (router.status_code == 200) == allowed, (role, page["path"], router.status_code)
        nav_id = f"nav-{page['module'].split('.')[-1]}"
        assert (nav_id in layout) == (allowed and page.get("nav", True)), (role, nav_id)


# ------------------------------------------------------------------ jurisdiction

def _callback_body(app, key: str, other: int) -> dict:
    """The body of a request for callback `key` naming the region `other` wherever it can (a
    pattern-matching id matches no component)."""
    from tests.support.callbacks import request_body

    def value(cid, prop):
        if prop in ("search", "hash"):
            return f"#region={other}"
        if "region" in str(cid):
            return other
        if prop in ("n_clicks",):
            return 1
        if prop == "selectedRows":
            return [{"id": 1, "version": 1, "username": "demo-admin"}]
        return None
    return request_body(app, key, value)


@pytest.mark.parametrize("username", ["demo-township", "demo-county"])
def test_no_callback_reads_or_writes_outside_the_region(app, sqlite_settings, client_for, username):
    ql = app.server.extensions["platform.query"]
    county = sqlite_settings.demo_county
    other_county = next(x for x in ql.tree.children(county // 10**8 * 10**8)["code"] if x != county)
    other_name = ql.tree.name(other_county)
    c = client_for(username)
    lo, hi = subtree_bounds(c_root := region_for(ql, sqlite_settings, 3 if username == "demo-county" else 4))
    with transaction(sqlite_settings.database_url) as s:
        before = (s.scalar(select(func.count()).select_from(AccountRequest)),
                  s.scalar(select(func.count()).select_from(User).where(User.is_active.is_(False))))
    perms = app.server.extensions["platform.callback_actions"]
    tried = 0
    for key in perms:
        resp = c.post("/_dash-update-component", json=_callback_body(app, key, other_county))
        text_ = body(resp)
        assert resp.status_code in (200, 204, 403), (key, resp.status_code)
        if resp.status_code == 200 and key.startswith("..log-grid."):
            # the log shows the caller's own refused attempts; every entry is of their jurisdiction
            rows = resp.get_json()["response"]["log-grid"]["rowData"]
            assert all(lo <= r["region_code"] <= hi for r in rows), key
        elif resp.status_code == 200 and key.startswith("..share-grid."):
            # names every city and county as a possible sharing target (reference data); the
            # requests listed all involve the caller's own region
            rows = resp.get_json()["response"]["share-grid"]["rowData"]
            assert all(lo <= r["owner_region"] <= hi or r["grantee_region"] == c_root for r in rows), key
        elif resp.status_code == 200 and not key.startswith("log-download."):  # the same query as log-grid
            assert other_name not in text_ and str(other_county) not in text_, key
        tried += 1
    assert tried >= 10
    with transaction(sqlite_settings.database_url) as s:
        after = (s.scalar(select(func.count()).select_from(AccountRequest)),
                 s.scalar(select(func.count()).select_from(User).where(User.is_active.is_(False))))
    assert after == before  # nothing was written


def test_county_cannot_request_an_account_in_another_county(app, sqlite_settings, client_for):
    ql = app.server.extensions["platform.query"]
    other_township = int(ql.tree.children(sqlite_settings.demo_county + 10**6)["code"][0]) \
        if sqlite_settings.demo_county + 10**6 in ql.tree else None
    other_township = other_township or int(ql.tree.descendants(220102000000, level=4)["code"][0])
    c = client_for("demo-county")
    resp = _submit(app, c, "outsider", "township_accountant", other_township)
    assert resp.status_code == 403
    with transaction(sqlite_settings.database_url) as s:
        assert s.scalar(select(func.count()).select_from(AccountRequest).where(AccountRequest.username == "outsider")) == 0


def _submit(app, client, username, role, region, password=NEW_PASSWORD, display="测试用户"):
    key = next(k for k in app.callback_map if k.startswith("..acct-submit-result."))
    fields = {"acct-username": username, "acct-display-name": display, "acct-role": role, "acct-region": region,
              "acct-approval-ref": None, "acct-institution": None, "acct-password": password}
    return dash_post(client, key, [{"id": "acct-submit", "property": "n_clicks", "value": 1}],
                     [{"id": k, "property": "value", "value": v} for k, v in fields.items()]
                     + [{"id": "acct-refresh", "property": "data", "value": 0}])


def _decide(app, client, request_id, approve=True):
    key = next(k for k in app.callback_map if k.startswith("..acct-decide-result."))
    return dash_post(client, key, [{"id": "acct-approve", "property": "n_clicks", "value": 1 if approve else None},
                                   {"id": "acct-reject", "property": "n_clicks", "value": None if approve else 1}],
                     [{"id": "acct-requests", "property": "selectedRows", "value": [{"id": request_id}]},
                      {"id": "acct-comment", "property": "value", "value": "同意"},
                      {"id": "acct-refresh", "property": "data", "value": 0}])


def test_account_requests_need_the_right_approver_and_never_the_requester(app, sqlite_settings, client_for):
    ql = app.server.extensions["platform.query"]
    township = region_for(ql, sqlite_settings, 4)
    county_admin = client_for("demo-county")
    bad = _submit(app, county_admin, "new.accountant", "township_accountant", township, password="short")
    assert "密码长度至少8位" in body(bad)
    ok = _submit(app, county_admin, "new.accountant", "township_accountant", township)
    assert ok.status_code == 200 and "已提交申请" in body(ok)
    rid = int(re.search(r"申请 #(\d+)", body(ok)).group(1))
    own = _decide(app, county_admin, rid)
    assert "不能审批本人提交的申请" in body(own)
    province_admin = client_for("demo-admin")  # township accounts are for the county to approve
    assert "县级平台管理员审批" in body(_decide(app, province_admin, rid))
    with transaction(sqlite_settings.database_url) as s:
        assert s.get(AccountRequest, rid).status == "pending"
    make_user(sqlite_settings, "county-admin-2", "county_admin", sqlite_settings.demo_county)
    second = sign_in(app.server, "county-admin-2")
    assert "已批准" in body(_decide(app, second, rid))
    # the new account works, and its administrator-set password must be changed first
    resp = login(app.server.test_client(), "new.accountant", NEW_PASSWORD)
    assert resp.status_code == 302 and resp.headers["Location"] == "/password"
    assert audit_count(sqlite_settings, "approval") >= 3


def test_oversight_admin_needs_a_provincial_approval_on_record(app, client_for):
    resp = _submit(app, client_for("demo-admin"), "audit.office", "oversight_admin", 220000000000)
    assert "省级审批文号" in body(resp)


# ------------------------------------------------------------------ security log

def test_verify_command_names_the_first_tampered_row(sqlite_settings, monkeypatch, capsys):
    from data.audit_log import main as audit_cli

    monkeypatch.setenv("DATABASE_URL", sqlite_settings.database_url)
    monkeypatch.setenv("AUDIT_KEY", sqlite_settings.audit_key)
    monkeypatch.setenv("DATA_DIR", str(sqlite_settings.data_dir))
    with transaction(sqlite_settings.database_url) as s:
        audit_log.record(s, sqlite_settings.audit_key, actor="t", type="data_change", description="原始", result="success")
        target = s.scalar(select(func.max(AuditLog.id)))
        audit_log.record(s, sqlite_settings.audit_key, actor="t", type="data_change", description="后续", result="success")
    assert audit_cli(["verify"]) == 0
    with transaction(sqlite_settings.database_url) as s:
        s.execute(update(AuditLog).where(AuditLog.id == target).values(result="failure"))
    assert audit_cli(["verify"]) == 1
    assert f"id={target}" in capsys.readouterr().out
    with transaction(sqlite_settings.database_url) as s:  # restore, then delete instead
        s.execute(update(AuditLog).where(AuditLog.id == target).values(result="success"))
        s.execute(text("DELETE FROM audit_log WHERE id = :i"), {"i": target})
    assert audit_cli(["verify"]) == 1
    assert f"id={target + 1}" in capsys.readouterr().out
    with transaction(sqlite_settings.database_url) as s:  # put the chain back for the other tests
        s.execute(text("DELETE FROM audit_log WHERE id > :i"), {"i": target - 1})


def test_log_page_filters_and_exports_within_scope(app, client_for, sqlite_settings):
    c = client_for("demo-county")
    key = next(k for k in app.callback_map if k.startswith("..log-grid."))
    resp = dash_post(c, key, [{"id": "log-search", "property": "n_clicks", "value": 1}],
                     [{"id": "log-dates", "property": "start_date", "value": None},
                      {"id": "log-dates", "property": "end_date", "value": None},
                      {"id": "log-types", "property": "value", "value": ["sign_in"]},
                      {"id": "log-actor", "property": "value", "value": None},
                      {"id": "log-result", "property": "value", "value": None}])
    rows = resp.get_json()["response"]["log-grid"]["rowData"]
    county = sqlite_settings.demo_county
    assert rows and all(r["type_label"] == "登录" for r in rows)
    assert all(county <= r["region_code"] < county + 10**6 for r in rows)  # nothing from outside the county
    exp_key = next(k for k in app.callback_map if k.startswith("log-download."))
    exported = dash_post(c, exp_key, [{"id": "log-export", "property": "n_clicks", "value": 1}],
                         [{"id": i, "property": p, "value": None} for i, p in
                          [("log-dates", "start_date"), ("log-dates", "end_date"), ("log-types", "value"),
                           ("log-actor", "value"), ("log-result", "value")]])
    content = exported.get_json()["response"]["log-download"]["data"]["content"]
    assert content.startswith("\ufeff序号,时间（北京时间）")
    assert audit_count(sqlite_settings, "export", "demo-county") >= 1


# ------------------------------------------------------------------ maintenance mode

def test_maintenance_closure_banner_then_only_maintainers_sign_in(app, sqlite_settings, client_for):
    key = next(k for k in app.callback_map if k.startswith("..mnt-result."))
    start = (dt.datetime.now(dt.timezone(dt.timedelta(hours=8))) + dt.timedelta(days=2)).replace(second=0, microsecond=0)
    clicks = [{"id": "mnt-publish", "property": "n_clicks", "value": 1},
            {"id": "mnt-withdraw", "property": "n_clicks", "value": None}]
    state = [{"id": "mnt-start", "property": "value", "value": start.strftime("%Y-%m-%dT%H:%M")},
             {"id": "mnt-end", "property": "value", "value": None},
             {"id": "mnt-message", "property": "value", "value": "系统升级"},
             {"id": "mnt-version", "property": "data", "value": 0}]
    county = dash_post(client_for("demo-county"), key, clicks, state)
    assert county.status_code == 403  # only the province announces
    resp = dash_post(client_for("demo-admin"), key, clicks, state)
    assert "公告已发布" in body(resp)
    from data import platform_settings

    platform_settings.forget(sqlite_settings.database_url, "maintenance")
    member = client_for("demo-member")
    assert "平台将停机维护" in body(member.get("/_dash-layout"))
    assert "平台将停机维护" in app.server.test_client().get("/login").get_data(as_text=True)
    during = start.astimezone(dt.UTC) + dt.timedelta(hours=1)
    app.server.config["NOW"] = lambda: during
    try:
        assert member.get("/").status_code == 302  # sessions of ordinary users end
        refused = login(app.server.test_client(), "demo-member")
        assert refused.status_code == 401 and "停机维护" in body(refused)
        assert login(app.server.test_client(), "demo-admin").status_code == 302
    finally:
        app.server.config.pop("NOW")
        with transaction(sqlite_settings.database_url) as s:
            platform_settings.put(s, sqlite_settings.database_url, "maintenance", None)


# ------------------------------------------------------------------ cross-region sharing (Art. J17)

def test_sharing_needs_a_provincial_approval(app, sqlite_settings, client_for):
    ql = app.server.extensions["platform.query"]
    county = sqlite_settings.demo_county
    with transaction(sqlite_settings.database_url) as s:
        other = s.scalar(select(User.region_code).where(User.username == "demo-county-b"))
    reader = client_for("demo-county-b")
    assert cockpit(reader, f"#region={county}").status_code == 403
    submit = next(k for k in app.callback_map if k.startswith("..share-submit-result."))
    until = (dt.date.today() + dt.timedelta(days=90)).isoformat()
    owner = client_for("demo-county")
    resp = dash_post(owner, submit, [{"id": "share-submit", "property": "n_clicks", "value": 1}],
                     [{"id": "share-grantee", "property": "value", "value": other},
                      {"id": "share-purpose", "property": "value", "value": "联合开展资产清查"},
                      {"id": "share-until", "property": "value", "value": until},
                      {"id": "share-refresh", "property": "data", "value": 0}])
    sid = int(re.search(r"#(\d+)", body(resp)).group(1))
    decide = next(k for k in app.callback_map if k.startswith("..share-decide-result."))

    def approve(client):
        return dash_post(client, decide, [{"id": "share-approve", "property": "n_clicks", "value": 1},
                                          {"id": "share-reject", "property": "n_clicks", "value": None}],
                         [{"id": "share-grid", "property": "selectedRows", "value": [{"id": sid}]},
                          {"id": "share-refresh", "property": "data", "value": 0}])

    assert "不能审批本人提交的申请" in body(approve(owner))
    assert "省级平台管理员" in body(approve(reader))  # nor can the receiving county
    assert cockpit(reader, f"#region={county}").status_code == 403
    assert "已批准" in body(approve(client_for("demo-admin")))
    shared = cockpit(reader, f"#region={county}")
    assert shared.status_code == 200 and ql.tree.name(county) in body(shared)
    assert audit_count(sqlite_settings, "sharing") >= 3
