"""Accounts, permissions and the security log through the real HTTP endpoints (sign-in form,
callback endpoint), Art. J8–J10, J16–J17, J35–J36, J43, X54."""
from __future__ import annotations

import datetime as dt
import json
import re

import dash
import pytest
from sqlalchemy import func, select, text, update

import callbacks.admin.audit
import callbacks.admin.data_requests
import callbacks.admin.maintenance
import callbacks.admin.sharing
import callbacks.admin.users
import callbacks.credit_uses.open_data
from data.admin import audit_log
from data.db import reading, transaction
from data.models import AccountRequest, AuditLog, CreditRecord, User
from domain import clock
from domain.permissions import ROLES, Scope, role_may, role_perms
from domain.regions import subtree_bounds
from server.callbacks import callback_named
from server.guard import ROUTER_OUTPUT, landing, may_open
from tests.support.accounts import audit_count, make_user, region_for
from tests.support.app import PASSWORD, build_app, generate_test_data, make_settings
from tests.support.cockpit import cockpit
from tests.support.http import call, dash_post, login, output, props, sign_in, text as text_of

#: `make_user` is imported from here by tests/test_contracts.py until it uses tests.support.accounts
__all__ = ["make_user"]

NEW_PASSWORD = "Xk9#forest-2027"


@pytest.fixture(scope="module")
def sqlite_settings(tmp_path_factory):
    """A database of this module's own: its tests lock accounts, approve a share of the demo county
    with demo-county-b and tamper with the audit log, none of which another module may see."""
    return generate_test_data(make_settings(tmp_path_factory.mktemp("security")))


@pytest.fixture(scope="module")
def app(sqlite_settings):
    return build_app(sqlite_settings)


def body(resp) -> str:
    """Response text with JSON unescaped (Dash answers escape non-ASCII): for HTML pages and for
    checking that a name appears nowhere in an answer."""
    data = resp.get_json(silent=True)
    return json.dumps(data, ensure_ascii=False) if data is not None else resp.get_data(as_text=True)


def tree_of(app):
    return app.server.extensions["platform.query"].tree


# ------------------------------------------------------------------ sign-in protection

def test_security001_five_failures_lock_the_account_for_thirty_minutes(app, sqlite_settings):
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
    later = clock.now() + dt.timedelta(minutes=31)
    app.server.config["NOW"] = lambda: later
    try:
        assert login(c, "lock-test").status_code == 302
    finally:
        app.server.config.pop("NOW")


def test_security002_expired_password_forces_a_change_before_anything_else(app, sqlite_settings):
    old = clock.now() - dt.timedelta(days=366)
    make_user(sqlite_settings, "expired-pw", "county_admin", sqlite_settings.demo_county, password_changed_at=old)
    c = app.server.test_client()
    resp = login(c, "expired-pw")
    assert resp.status_code == 302 and resp.headers["Location"] == "/password"
    assert c.get("/cockpit").headers["Location"] == "/password"
    refused = cockpit(app, c)  # no callback runs either
    assert refused.status_code == 403 and refused.get_json() == {"error": "请先修改密码"}
    page = c.get("/password").get_data(as_text=True)
    assert 'id="password-forced"' in page
    weak = c.post("/password", data={"old": PASSWORD, "new": "abc12345", "again": "abc12345"})
    assert weak.status_code == 400 and "特殊字符" in body(weak)
    ok = c.post("/password", data={"old": PASSWORD, "new": NEW_PASSWORD, "again": NEW_PASSWORD})
    assert ok.status_code == 302
    assert c.get("/cockpit").status_code == 200 and cockpit(app, c).status_code == 200
    assert audit_count(sqlite_settings, "password_change", "expired-pw") == 1


def test_security003_disabling_a_user_ends_their_session_at_once(app, sqlite_settings):
    uid = make_user(sqlite_settings, "to-disable", "township_accountant", region_for(tree_of(app), sqlite_settings, 4))
    victim = sign_in(app.server, "to-disable")
    assert victim.get("/").status_code == 200
    admin = sign_in(app.server, "demo-county")
    with reading(sqlite_settings.database_url) as s:
        version = s.get(User, uid).version
    resp = call(app, admin, callbacks.admin.users.set_active,
                props(("acct-disable", "n_clicks", 1), ("acct-enable", "n_clicks", None)),
                props(("acct-users", "selectedRows", [{"id": uid, "version": version, "username": "to-disable"}]),
                      ("acct-refresh", "data", 0)))
    assert text_of(output(resp, "acct-user-result", "children")) == "账号 to-disable 已停用，其会话已全部结束。"
    assert victim.get("/").status_code == 302  # the very next request is refused
    assert cockpit(app, victim).status_code == 401
    assert login(app.server.test_client(), "to-disable").status_code == 401


def test_security004_rate_limit_on_failed_sign_ins_per_address(app):
    c = app.server.test_client()
    env = {"REMOTE_ADDR": "10.9.8.7"}
    codes = [login(c, f"nobody-{i}", "Wrong#pass1", environ_base=env).status_code for i in range(31)]
    assert codes[:30] == [401] * 30 and codes[30] == 429
    other = login(c, "demo-province", environ_base={"REMOTE_ADDR": "10.9.8.8"})
    assert other.status_code == 302


def test_security005_session_cookie_flags_and_new_id_at_sign_in(app):
    c = app.server.test_client()
    c.get("/login")
    resp = login(c, "demo-province")
    cookie = resp.headers.get("Set-Cookie", "")
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    first = c.get_cookie("nj_session").value
    c.post("/logout")
    login(c, "demo-province")
    assert c.get_cookie("nj_session").value != first


def test_security006_sign_out_ends_the_session_on_the_server(app):
    c = sign_in(app.server, "demo-province")
    stolen = c.get_cookie("nj_session").value
    c.post("/logout")
    thief = app.server.test_client()
    thief.set_cookie("nj_session", stolen)
    assert thief.get("/cockpit").status_code == 302


# ------------------------------------------------------------------ request protection

def test_security007_refused_posts_run_no_callback(app, client_for, monkeypatch):
    ql = app.server.extensions["platform.query"]
    calls = []
    real = ql.kpis
    monkeypatch.setattr(ql, "kpis", lambda *a, **k: calls.append(1) or real(*a, **k))
    c = client_for("demo-province")
    foreign = cockpit(app, c, Origin="https://evil.example")
    plain = c.post("/_dash-update-component", data=json.dumps({"output": "x"}), content_type="text/plain")
    assert foreign.status_code == 403 and plain.status_code == 415
    assert calls == []
    assert cockpit(app, c).status_code == 200 and calls == [1]


# ------------------------------------------------------------------ the role × page matrix

@pytest.fixture(scope="module")
def role_clients(app, sqlite_settings):
    clients = {}
    for role, r in ROLES.items():
        username = f"matrix-{role.replace('_', '-')}"
        make_user(sqlite_settings, username, role, region_for(tree_of(app), sqlite_settings, r.level),
                  approval_ref="省农业农村厅〔2026〕1号" if r.needs_approval_ref else None)
        clients[role] = sign_in(app.server, username)
    return clients


def pages():
    import app  # noqa: F401 - registers the pages

    return sorted(dash.page_registry.values(), key=lambda p: p["path"])


@pytest.mark.parametrize("role", sorted(ROLES))
def test_security008_every_role_page_pair_follows_the_permission_table(app, role_clients, role):
    c = role_clients[role]
    scope = Scope(root=0, perms=role_perms(role), role=role)
    layout = body(c.get("/_dash-layout"))
    for page in pages():
        allowed = may_open(page, scope)
        declared = page["permission"] if isinstance(page["permission"], tuple) else (page["permission"],)
        assert allowed == any(role_may(role, a) for a in declared)
        expected = 404 if page["module"].endswith("not_found_404") else 200  # the 404 page answers 404 to anyone
        if allowed and page["path"] == "/" and landing(scope) != "/":
            expected = 302  # the home page sends those it has nothing for to their own first page
        assert (c.get(page["path"]).status_code == expected) == allowed, (role, page["path"])
        router = dash_post(c, ROUTER_OUTPUT, props(("_pages_location", "pathname", page["path"]),
                                                   ("_pages_location", "search", "")))
        assert (router.status_code == 200) == allowed, (role, page["path"], router.status_code)
        nav_id = f"nav-{page['module'].split('.')[-1]}"
        assert (nav_id in layout) == (allowed and page.get("nav", True)), (role, nav_id)


# ------------------------------------------------------------------ jurisdiction

def aimed_at(app, key: str, other: int) -> dict:
    """The body of a request for callback `key`, every region (and URL fragment) naming `other`
    (a pattern-matching id matches no component)."""
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


def written(settings) -> tuple[int, int]:
    with reading(settings.database_url) as s:
        return (s.scalar(select(func.count()).select_from(AccountRequest)),
                s.scalar(select(func.count()).select_from(User).where(User.is_active.is_(False))))


@pytest.mark.parametrize("username", ["demo-township", "demo-county"])
def test_security009_no_callback_reads_or_writes_outside_the_region(app, sqlite_settings, client_for, username):
    tree = tree_of(app)
    county = sqlite_settings.demo_county
    other_county = next(x for x in tree.children(county // 10**8 * 10**8)["code"] if x != county)
    other_name = tree.name(other_county)
    c = client_for(username)
    root = region_for(tree, sqlite_settings, 3 if username == "demo-county" else 4)
    lo, hi = subtree_bounds(root)
    before = written(sqlite_settings)
    log_grid = callback_named(app, callbacks.admin.audit.search)
    log_export = callback_named(app, callbacks.admin.audit.export)
    share_grid = callback_named(app, callbacks.admin.sharing.load)
    data_requests = callback_named(app, callbacks.admin.data_requests.load)
    open_grid = callback_named(app, callbacks.credit_uses.open_data.load_open)
    tried = 0
    for key in app.server.extensions["platform.callback_actions"]:
        resp = c.post("/_dash-update-component", json=aimed_at(app, key, other_county))
        assert resp.status_code in (200, 204, 403), (key, resp.status_code)
        if resp.status_code == 200 and key == log_grid:
            # the log shows the caller's own refused attempts; every entry is of their jurisdiction
            rows = output(resp, "log-grid", "rowData")
            assert all(lo <= r["region_code"] <= hi for r in rows), key
        elif resp.status_code == 200 and key == share_grid:
            # names every city and county as a possible sharing target (reference data); the
            # requests listed all involve the caller's own region
            rows = output(resp, "share-grid", "rowData")
            assert all(lo <= r["owner_region"] <= hi or r["grantee_region"] == root for r in rows), key
        elif resp.status_code == 200 and key == data_requests:
            # names the province's cities and counties as regions one may apply for (reference
            # data); the applications listed are the caller's jurisdiction's own
            rows = output(resp, "dreq-grid", "rowData")
            assert all(lo <= r["region_code"] <= hi for r in rows), key
        elif resp.status_code == 200 and key == open_grid:
            # unconditional-open credit data is offered to everyone, province-wide (Jiangxi Art. X38):
            # every row listed is such a record, whatever its region
            ids = [r["id"] for r in output(resp, "credit-open-grid", "rowData")]
            with reading(sqlite_settings.database_url) as s:
                classes = set(s.scalars(select(CreditRecord.open_class).where(CreditRecord.id.in_(ids))))
            assert classes <= {"unconditional"}, key
        elif resp.status_code == 200 and key != log_export:  # the same query as the log grid
            answer = body(resp)
            assert other_name not in answer and str(other_county) not in answer, key
        tried += 1
    assert tried >= 10
    assert written(sqlite_settings) == before  # nothing was written


def submit_account(app, client, username, role, region, password=NEW_PASSWORD, display="测试用户"):
    fields = {"acct-username": username, "acct-display-name": display, "acct-role": role, "acct-region": region,
              "acct-approval-ref": None, "acct-institution": None, "acct-password": password}
    return call(app, client, callbacks.admin.users.submit, props(("acct-submit", "n_clicks", 1)),
                props(*((k, "value", v) for k, v in fields.items()), ("acct-refresh", "data", 0)))


def decide_account(app, client, request_id, approve=True, opinion="同意"):
    """The confirmation dialog's 确认 of 批准 (or 驳回) on the request."""
    pending = {"decision": "approve" if approve else "reject", "id": request_id, "version": 0}
    return call(app, client, callbacks.admin.users.decide, props(("acct-decide-confirm", "n_clicks", 1)),
                props(("acct-decide-pending", "data", pending), ("acct-decide-opinion", "value", opinion),
                      ("acct-refresh", "data", 0)))


def decision(resp) -> str:
    return text_of(output(resp, "acct-decide-result", "children"))


def test_security010_county_cannot_request_an_account_in_another_county(app, sqlite_settings, client_for):
    tree = tree_of(app)
    other_county = next(x for x in tree.children(sqlite_settings.demo_county // 10**8 * 10**8)["code"]
                        if x != sqlite_settings.demo_county)
    other_township = int(tree.descendants(other_county, level=4)["code"][0])
    resp = submit_account(app, client_for("demo-county"), "outsider", "township_accountant", other_township)
    assert resp.status_code == 403
    with reading(sqlite_settings.database_url) as s:
        assert s.scalar(select(func.count()).select_from(AccountRequest).where(AccountRequest.username == "outsider")) == 0


def test_security011_account_requests_need_the_right_approver_and_never_the_requester(app, sqlite_settings, client_for):
    township = region_for(tree_of(app), sqlite_settings, 4)
    county_admin = client_for("demo-county")
    bad = submit_account(app, county_admin, "new.accountant", "township_accountant", township, password="short")
    assert "密码长度至少8位" in output(bad, "acct-password-error", "children")
    ok = submit_account(app, county_admin, "new.accountant", "township_accountant", township)
    submitted = text_of(output(ok, "acct-submit-result", "children"))
    rid = int(re.fullmatch(r"已提交申请 #(\d+)，等待审批。", submitted).group(1))
    assert decision(decide_account(app, county_admin, rid)) == "不能审批本人提交的申请"
    province_admin = client_for("demo-admin")  # the county's own request for a township account goes to its city
    assert decision(decide_account(app, province_admin, rid)) == "该申请应由市级平台管理员审批"
    make_user(sqlite_settings, "county-admin-2", "county_admin", sqlite_settings.demo_county)
    second = sign_in(app.server, "county-admin-2")
    assert decision(decide_account(app, second, rid)) == "该申请应由市级平台管理员审批"
    with reading(sqlite_settings.database_url) as s:
        assert s.get(AccountRequest, rid).status == "pending"
    assert decision(decide_account(app, client_for("demo-city"), rid)) == f"申请 #{rid} 已批准。"
    # the new account works, and its administrator-set password must be changed first
    resp = login(app.server.test_client(), "new.accountant", NEW_PASSWORD)
    assert resp.status_code == 302 and resp.headers["Location"] == "/password"
    assert audit_count(sqlite_settings, "approval") >= 3


def test_security012_oversight_admin_needs_a_provincial_approval_on_record(app, client_for):
    resp = submit_account(app, client_for("demo-admin"), "audit.office", "oversight_admin", 220000000000)
    assert output(resp, "acct-approval-ref-error", "children") == ("监督部门管理员须有省级审批文号"
                                                                      "（《吉林省农村集体经济数字监管平台管理办法》第九条）")


# ------------------------------------------------------------------ security log

def test_security013_verify_command_names_the_first_tampered_row(sqlite_settings, monkeypatch, capsys):
    from data.admin.audit_log import main as audit_cli

    monkeypatch.setenv("DATABASE_URL", sqlite_settings.database_url)
    monkeypatch.setenv("AUDIT_KEY", sqlite_settings.audit_key)
    monkeypatch.setenv("DATA_DIR", str(sqlite_settings.data_dir))
    head = audit_log.use_head_file(sqlite_settings.database_url, sqlite_settings.data_dir)
    head_before = head.read_bytes()  # the signed head of the log, put back with the chain at the end
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
    head.write_bytes(head_before)


LOG_FILTER = (("log-dates", "start_date"), ("log-dates", "end_date"), ("log-types", "value"), ("log-actor", "value"),
              ("log-result", "value"))


def test_security014_log_page_filters_and_exports_within_scope(app, client_for, sqlite_settings):
    c = client_for("demo-county")
    resp = call(app, c, callbacks.admin.audit.search, props(("log-search", "n_clicks", 1)),
                props(*((i, p, ["sign_in"] if i == "log-types" else None) for i, p in LOG_FILTER)))
    rows = output(resp, "log-grid", "rowData")
    county = sqlite_settings.demo_county
    assert rows and all(r["type_label"] == "登录" for r in rows)
    assert all(county <= r["region_code"] < county + 10**6 for r in rows)  # nothing from outside the county
    exported = call(app, c, callbacks.admin.audit.export, props(("log-export", "n_clicks", 1)),
                    props(*((i, p, None) for i, p in LOG_FILTER)))
    assert output(exported, "log-download", "data")["content"].startswith('\ufeff"序号","时间（北京时间）"')
    assert audit_count(sqlite_settings, "export", "demo-county") >= 1


# ------------------------------------------------------------------ maintenance mode

def test_security015_maintenance_closure_banner_then_only_maintainers_sign_in(app, sqlite_settings, client_for):
    start = (clock.china_now() + dt.timedelta(days=2)).replace(second=0, microsecond=0)
    clicks = props(("mnt-publish", "n_clicks", 1), ("mnt-withdraw", "n_clicks", None))
    state = props(("mnt-start", "value", start.strftime("%Y-%m-%dT%H:%M")), ("mnt-end", "value", None),
                  ("mnt-message", "value", "系统升级"), ("mnt-version", "data", 0))
    county = call(app, client_for("demo-county"), callbacks.admin.maintenance.publish, clicks, state)
    assert county.status_code == 403  # only the province announces
    resp = call(app, client_for("demo-admin"), callbacks.admin.maintenance.publish, clicks, state)
    assert text_of(output(resp, "mnt-result", "children")) == "公告已发布，所有用户将看到停机提示。"
    from data.admin import platform_settings

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

def test_security016_sharing_needs_a_provincial_approval(app, sqlite_settings, client_for):
    county = sqlite_settings.demo_county
    with reading(sqlite_settings.database_url) as s:
        other = s.scalar(select(User.region_code).where(User.username == "demo-county-b"))
    reader = client_for("demo-county-b")
    assert cockpit(app, reader, f"#region={county}").status_code == 403
    until = (clock.today() + dt.timedelta(days=90)).isoformat()
    owner = client_for("demo-county")
    resp = call(app, owner, callbacks.admin.sharing.submit, props(("share-submit", "n_clicks", 1)),
                props(("share-grantee", "value", other), ("share-purpose", "value", "联合开展资产清查"),
                      ("share-until", "date", until), ("share-refresh", "data", 0)))
    submitted = text_of(output(resp, "share-submit-result", "children"))
    sid = int(re.fullmatch(r"已提交共享申请 #(\d+)，等待省级审批。", submitted).group(1))

    def approve(client):
        answer = call(app, client, callbacks.admin.sharing.decide, props(("share-decide-confirm", "n_clicks", 1)),
                      props(("share-decide-pending", "data", {"decision": "approve", "id": sid, "version": 0}),
                            ("share-decide-opinion", "value", None), ("share-refresh", "data", 0)))
        return text_of(output(answer, "share-decide-result", "children")) if answer.status_code == 200 else \
            answer.status_code

    assert approve(owner) == 403  # only the province decides (the guard refuses, and logs it)
    assert approve(reader) == 403  # nor can the receiving county
    assert cockpit(app, reader, f"#region={county}").status_code == 403
    assert approve(client_for("demo-admin")) == f"共享申请 #{sid} 已批准。"
    shared = output(cockpit(app, reader, f"#region={county}"), "children-table", "rowData")
    assert shared and all(county <= int(r["code"]) < county + 10**6 for r in shared)
    assert audit_count(sqlite_settings, "sharing") >= 2  # the request and the approval; the refusals are
    assert audit_count(sqlite_settings, "permission_denied") >= 2  # the guard's, logged before any callback ran
