"""Sign-in, server-side sessions and the current user's scope (Art. J34–J35, X54).

The Flask cookie carries only a random session id; the session itself lives in the database
(`user_sessions`), so signing out or disabling a user ends it on the server. Sessions end after
30 idle minutes and 12 hours in all.
"""
from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass
from urllib.parse import urlparse

from flask import Flask, current_app, g, has_request_context, jsonify, redirect, render_template_string, request, session
from flask_login import LoginManager, UserMixin, current_user, login_user, logout_user
from sqlalchemy import select, update

from data.db import reading, transaction
from data.models import SharingApproval, User, UserSession
import pyotp

from data.admin import platform_settings
from data.admin import audit_log
from domain import clock
from domain.admin import passwords
from domain.admin.maintenance import Closure, may_work_during
from domain.permissions import REFUSAL_SINKS, Scope, role_label, role_perms
from server.templates import LOGIN_TEMPLATE, render_logout_confirm, render_password
from server.inputs import LoginForm, PasswordForm, form_problem

@dataclass(frozen=True)
class AppUser(UserMixin):
    sid: str
    user_id: int
    username: str
    display_name: str
    role: str
    region_code: int
    shared: tuple[int, ...]
    must_change_password: bool = False

    def get_id(self) -> str:
        return self.sid

    @property
    def role_label(self) -> str:
        return role_label(self.role)

    @property
    def scope(self) -> Scope:
        return Scope(root=self.region_code, perms=role_perms(self.role), shared=self.shared,
                     user_id=self.user_id, role=self.role)


def current_scope() -> Scope | None:
    user = current_user
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    return user.scope


OTP_NEEDED = "请输入动态验证码"
#: Failed sign-ins allowed per client address in the window (on top of the per-account lockout).
#: Only failures count: a township office behind one NAT address signs in many people. The count
#: lives in the shared store (data/runtime/shared.py: Redis or the database), so every worker and
#: every app machine refuses an address as soon as its failures anywhere reach the limit; the
#: window starts at the address's first failure.
RATE_LIMIT, RATE_WINDOW_S = 30, 300


def _throttle():
    from data.runtime.shared import store

    return store(current_app.config["PLATFORM_SETTINGS"])


def rate_limited(ip: str) -> bool:
    """True when `ip` has used up its failed attempts for the window (on any worker)."""
    return _throttle().count(f"signin:ip:{ip}", RATE_WINDOW_S) >= RATE_LIMIT


def note_failure(ip: str) -> int:
    """Count one failed sign-in of `ip` (atomically across workers); the count in the window."""
    return _throttle().hit(f"signin:ip:{ip}", RATE_WINDOW_S)


def current_closure() -> Closure | None:
    return Closure.from_value(platform_settings.get(_url(), "maintenance"))


def maintenance_banner() -> str | None:
    closure = current_closure()
    return closure.banner(clock.now()) if closure else None


def client_ip() -> str:
    return request.remote_addr or ""


def _queue_refusal(scope, action, reason: str) -> bool:
    """The security log's sink for `domain.permissions.ensure`: queued on the request and written
    after it (the refusing code may hold a write transaction, so it is not written from inside)."""
    if not has_request_context():
        return False
    g.setdefault("refusals", []).append((reason, {"action": str(action) if action else None, "path": request.path}))
    return True


def _url() -> str:
    return current_app.config["PLATFORM_SETTINGS"].database_url


def _audit_key() -> str:
    return current_app.config["PLATFORM_SETTINGS"].audit_key


def log_event(type_: str, description: str, result: str, *, actor: str | None = None, actor_id=None,
              region_code=None, detail: dict | None = None) -> None:
    """Write one security-log entry in its own transaction."""
    if actor is None and getattr(current_user, "is_authenticated", False):
        actor, actor_id, region_code = current_user.username, current_user.user_id, region_code or current_user.region_code
    with transaction(_url()) as s:
        audit_log.record(s, _audit_key(), actor=actor or "anonymous", actor_id=actor_id, type=type_,
                     description=description, result=result, region_code=region_code, ip=client_ip(), detail=detail)


def _shared_roots(s, user: User, today: dt.date) -> tuple[int, ...]:
    rows = s.scalars(select(SharingApproval.owner_region).where(
        SharingApproval.grantee_region == user.region_code, SharingApproval.status == "approved",
        (SharingApproval.valid_until.is_(None)) | (SharingApproval.valid_until >= today)))
    return tuple(sorted({int(r) for r in rows}))


def load_session_user(sid: str) -> AppUser | None:
    """The signed-in user of a session, read in a read-only transaction (every request runs this,
    so it must not queue behind writers); a write happens only when the session ends or its
    last-seen time is more than 30 seconds old."""
    cfg = current_app.config["PLATFORM_SETTINGS"]
    now = clock.now()
    with reading(_url()) as s:
        row = s.get(UserSession, sid)
        if row is None or row.revoked_at is not None:
            return None
        idle = (now - row.last_seen_at).total_seconds()
        age = (now - row.created_at).total_seconds()
        user = s.get(User, row.user_id)
        ended = idle > cfg.idle_timeout_s or age > cfg.absolute_timeout_s or user is None or not user.is_active
        found = None if ended else AppUser(
            sid=sid, user_id=user.id, username=user.username, display_name=user.display_name, role=user.role,
            region_code=int(user.region_code), shared=_shared_roots(s, user, now.date()),
            must_change_password=passwords.password_expired(user.password_changed_at, now))
    if ended:
        with transaction(_url()) as s:
            s.execute(update(UserSession).where(UserSession.id == sid, UserSession.revoked_at.is_(None))
                      .values(revoked_at=now))
        g.session_ended = "idle" if idle > cfg.idle_timeout_s else "expired"
        return None
    if idle > 30:
        with transaction(_url()) as s:
            s.execute(update(UserSession).where(UserSession.id == sid).values(last_seen_at=now))
    return found


#: The one answer to a refused sign-in, whatever the reason (unknown name, wrong password or second
#: factor, locked or disabled account): the answer must not tell which names exist or their state.
SIGN_IN_FAILED = "用户名或密码错误，或账号暂不可用（连续5次失败将锁定30分钟）"


def authenticate(username: str, password: str, otp: str | None = None) -> tuple[User | None, str | None, str]:
    """Check a sign-in; applies lockout after 5 failures (a wrong second factor counts as one).
    Returns (user, None, "") or (None, the message to show, the reason to log). Every refusal but
    the second-factor prompt and maintenance shows SIGN_IN_FAILED; every path runs one argon2 verify
    (a dummy one for an unknown name) so that the time does not tell them apart either."""
    now = clock.now()
    with transaction(_url()) as s:
        # the row stays locked until the transaction ends (PostgreSQL: FOR UPDATE; SQLite's
        # IMMEDIATE transaction holds the database's write lock), so two workers refusing the
        # same account at once never lose a count of its failures
        user = s.scalar(select(User).where(User.username == username).with_for_update())
        ok = passwords.verify_password(user.password_hash if user else passwords.DUMMY_HASH, password)
        if user is None:
            return None, SIGN_IN_FAILED, "用户名不存在"
        if not user.is_active:
            return None, SIGN_IN_FAILED, "账号已停用"
        if passwords.is_locked(user, now):
            return None, SIGN_IN_FAILED, "账号已锁定"
        if ok and user.totp_secret:
            if not otp:
                return None, OTP_NEEDED, OTP_NEEDED
            ok = pyotp.TOTP(user.totp_secret).verify(otp.strip(), for_time=now, valid_window=1)
        if not ok:
            passwords.register_failure(user, now)
            if passwords.is_locked(user, now):
                audit_log.record(s, _audit_key(), actor=username, actor_id=user.id, type="lockout",
                                 description="连续5次登录失败，账号锁定30分钟", result="locked",
                                 region_code=user.region_code, ip=client_ip())
                return None, SIGN_IN_FAILED, "连续5次失败，账号锁定30分钟"
            return None, SIGN_IN_FAILED, "密码错误" if not user.totp_secret else "密码或动态验证码错误"
        closure = current_closure()
        if closure is not None and closure.in_force(now) and not may_work_during(Scope(
                root=int(user.region_code), perms=role_perms(user.role), role=user.role)):
            msg = "平台停机维护中，暂停登录。" + (closure.message or "")
            return None, msg, msg
        passwords.register_success(user)
        s.expunge(user)
        return user, None, ""


def end_session(reason: str) -> None:
    """Revoke the current server-side session and clear the cookie."""
    if getattr(current_user, "is_authenticated", False):
        with transaction(_url()) as s:
            s.execute(update(UserSession).where(UserSession.id == current_user.sid).values(revoked_at=clock.now()))
        if reason == "sign_out":
            log_event("sign_out", "退出登录", "success")
        else:
            log_event("session_end", "平台停机维护，会话结束", "ended")
        logout_user()
    session.clear()


def _safe_next(target: str | None) -> str:
    if not target:
        return "/"
    parsed = urlparse(target)
    if parsed.scheme or parsed.netloc or not target.startswith("/") or target.startswith("//"):
        return "/"
    return target


def init_auth(server: Flask) -> LoginManager:
    lm = LoginManager()
    lm.session_protection = None  # the server-side session table is the authority
    lm.init_app(server)

    @server.before_request
    def _install_clock():
        # the app's clock (a test or a demo may set NOW) is the clock of everything the request calls
        g.clock_token = clock.use(current_app.config.get("NOW"))

    if _queue_refusal not in REFUSAL_SINKS:
        REFUSAL_SINKS.append(_queue_refusal)

    @server.after_request
    def _write_refusals(resp):
        # refusals raised by `ensure` during the request, written once its own transaction is over
        for reason, detail in g.pop("refusals", []):
            log_event("permission_denied", reason, "denied", detail=detail)
        return resp

    @server.teardown_request
    def _remove_clock(_exc):
        token = g.pop("clock_token", None)
        if token is not None:
            clock.reset(token)

    @lm.user_loader
    def _load(sid: str):
        return load_session_user(sid)

    @server.route("/health")
    def health():
        return jsonify(status="ok")

    def render(error=None, username="", status=200, nxt="/", otp=False):
        cfg = current_app.config["PLATFORM_SETTINGS"]
        from domain.regions import SUPPORTED_PROVINCES

        return render_template_string(LOGIN_TEMPLATE, platform=platform_name(cfg.province),
                                      province=SUPPORTED_PROVINCES.get(cfg.province, ""), error=error,
                                      username=username, next=nxt, banner=maintenance_banner(), otp=otp), status

    @server.route("/login", methods=["GET", "POST"])
    def login():
        if request.method == "GET":
            msg = {"idle": "长时间未操作，会话已结束，请重新登录", "expired": "会话已超过12小时，请重新登录",
                   "closed": "平台停机维护中，会话已结束"}.get(request.args.get("ended", ""))
            return render(error=msg, nxt=_safe_next(request.args.get("next")))
        if (bad := form_problem(LoginForm, request.form)) is not None:
            return render(bad, "", 400, "/")
        username = (request.form.get("username") or "").strip()[:64]
        password = request.form.get("password") or ""
        otp = request.form.get("otp") or None
        nxt = _safe_next(request.form.get("next"))
        if rate_limited(client_ip()):
            log_event("sign_in_failed", "登录尝试过于频繁，已限流", "rate_limited", actor=username or "anonymous")
            return render("登录失败次数过多，请5分钟后再试", username, 429, nxt)
        if not username or not password:
            return render("请输入用户名和密码", username, 400, nxt)
        user, error, reason = authenticate(username, password, otp)
        if user is None:
            if error == OTP_NEEDED:
                return render(error, username, 401, nxt, otp=True)
            note_failure(client_ip())
            log_event("sign_in_failed", f"登录失败：{reason}", "failure", actor=username)
            return render(error, username, 401, nxt, otp=bool(otp))
        session.clear()  # a new session identifier at every sign-in
        sid = secrets.token_urlsafe(32)
        with transaction(_url()) as s:
            s.add(UserSession(id=sid, user_id=user.id, created_at=clock.now(), last_seen_at=clock.now(), ip=client_ip()))
        login_user(load_session_user(sid))
        session.permanent = True
        log_event("sign_in", "登录成功", "success", actor=user.username, actor_id=user.id, region_code=user.region_code)
        return redirect("/password" if passwords.password_expired(user.password_changed_at, clock.now()) else nxt)

    @server.route("/password", methods=["GET", "POST"])
    def password():
        if not getattr(current_user, "is_authenticated", False):
            return redirect("/login?next=/password")
        forced = current_user.must_change_password
        if request.method == "GET":
            return render_password(forced=forced)
        if (bad := form_problem(PasswordForm, request.form)) is not None:
            return render_password({"_": bad}, forced=forced, status=400)
        old, new, again = (request.form.get(k) or "" for k in ("old", "new", "again"))
        if new != again:
            return render_password({"again": "两次输入的新密码不一致"}, forced=forced, status=400)
        from data.admin.accounts import AccountError, change_password

        try:
            change_password(_url(), _audit_key(), current_user.user_id, old, new, ip=client_ip(), now=clock.now(),
                            keep_session=current_user.sid)
        except AccountError as exc:
            if load_session_user(current_user.sid) is None:  # locked by this guess: its sessions ended
                logout_user()
                session.clear()
                return redirect("/login")
            return render_password(exc.errors, forced=forced, status=400)
        return redirect("/?password=changed")

    @server.route("/logout", methods=["GET", "POST"])
    def logout():
        """Signing out is a POST (the guard has checked it comes from our own origin); a GET, e.g. a
        link on another site, only shows a confirmation with the button that posts."""
        if request.method == "GET":
            return render_logout_confirm()
        end_session("sign_out")
        return redirect("/login")

    return lm


def platform_name(province: int) -> str:
    return "吉农经管" if province == 22 else "赣林信"
