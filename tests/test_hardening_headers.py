"""Issue 12 item 9: headers and exposure — attachments are not cached, the CSP has no
`unsafe-eval` and allows only Dash's own inline scripts by hash, `/_dash-dependencies` lists only
the callbacks the user may call; in headless Chromium the cockpit, a grid page and a form page
run under that CSP without a violation, for several roles."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from domain.permissions import allowed
from tests.support.app import PASSWORD
from tests.support.browser import serve, shot, sign_in as browser_sign_in
from tests.support.http import sign_in


def _csp(resp) -> dict[str, str]:
    return {d.split(" ", 1)[0]: d.split(" ", 1)[1] if " " in d else ""
            for d in (p.strip() for p in resp.headers["Content-Security-Policy"].split(";")) if d}


def test_headers001_attachment_downloads_are_not_stored(app, sqlite_settings):
    from data import attachments
    from data.db import transaction
    from data.models import Asset
    from tests.support.accounts import actor

    cashier = actor(sqlite_settings, "demo-village")
    with transaction(sqlite_settings.database_url) as s:
        asset = s.scalar(select(Asset).where(Asset.region_code == cashier.scope.root).limit(1))
        aid = attachments.add(s, cashier, "asset", asset.id, "发票.pdf", b"%PDF-1.4 headers")
    resp = sign_in(app.server, "demo-village").get(f"/api/attachments/{aid}")
    assert resp.status_code == 200 and resp.headers["Cache-Control"] == "no-store"


def test_headers002_csp_has_no_eval_and_hashes_dashs_inline_scripts(app):
    import hashlib
    import base64
    import re

    page = sign_in(app.server, "demo-county").get("/cockpit")
    csp = _csp(page)
    assert "unsafe-eval" not in page.headers["Content-Security-Policy"]
    assert "'unsafe-inline'" not in csp["script-src"] and csp["object-src"] == "'none'"
    html = re.sub(r"<!--\[if IE\]>.*?<!\[endif\]-->", "", page.get_data(as_text=True), flags=re.S)  # never run
    inline = [m.group(2) for m in re.finditer(r"<script([^>]*)>(.*?)</script>", html, re.S)
              if "src=" not in m.group(1) and "application/json" not in m.group(1)]
    assert inline  # the renderer's start-up at least
    for body in inline:
        digest = base64.b64encode(hashlib.sha256(body.encode()).digest()).decode()
        assert f"'sha256-{digest}'" in csp["script-src"]


@pytest.mark.parametrize("username", ["demo-member", "demo-village", "demo-admin"])
def test_headers003_dependencies_list_only_callable_callbacks(app, username):
    from flask_login import current_user  # noqa: F401 - the scope is rebuilt below from the same rows

    from data.db import reading
    from data.models import User
    from domain.permissions import Scope, role_perms

    c = sign_in(app.server, username)
    listed = c.get("/_dash-dependencies").get_json()
    with reading(app.server.config["PLATFORM_SETTINGS"].database_url) as s:
        role = s.scalar(select(User.role).where(User.username == username))
    scope = Scope(root=0, perms=role_perms(role), role=role)
    declared = app.server.extensions["platform.callback_actions"]
    outputs = {d["output"] for d in listed}
    assert ".._pages_content.children..._pages_store.data.." in outputs  # the router stays
    for key, actions in declared.items():
        assert (key in outputs) == allowed(scope, actions), (username, key)


@pytest.fixture(scope="module")
def base(app):
    with serve(app.server) as url:
        yield url


CSP_WATCH = """
window.__csp = [];
document.addEventListener('securitypolicyviolation',
  e => window.__csp.push(e.violatedDirective + ' ' + e.blockedURI + ' ' + (e.sample || '')));
"""


@pytest.mark.browser
@pytest.mark.parametrize("username, path, ready", [
    ("demo-county", "/cockpit", "#cockpit-map .main-svg"),
    ("demo-village", "/assets", ".ag-row"),
    ("demo-township", "/trading", "#list-submit"),
    ("demo-member", "/account", "#app-nav"),
])
def test_headers004_pages_run_under_the_csp_without_violations(base, chromium, username, path, ready):
    ctx = chromium.new_context(viewport={"width": 1400, "height": 900}, locale="zh-CN")
    try:
        page = ctx.new_page()
        errors = []
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.add_init_script(CSP_WATCH)
        browser_sign_in(page, base, username, PASSWORD)
        page.goto(base + path)
        page.wait_for_selector(ready, timeout=30_000)
        page.wait_for_load_state("networkidle")
        if path == "/cockpit":  # the charts rendered
            assert page.locator("#cockpit-trend .main-svg").count() >= 1
        shot(page, f"headers004-{path.strip('/')}")
        assert page.evaluate("window.__csp") == []
        assert [e for e in errors if "Content Security Policy" in e or "EvalError" in e] == []
    finally:
        ctx.close()
