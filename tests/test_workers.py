"""Two app processes on one database, as two gunicorn workers or two machines behind a load
balancer would be (issue 17): nothing a request depends on lives in one process's memory.

The module starts TWO gunicorn servers (`-w 1` each, free loopback ports) on a copy of the
session's test-scale SQLite database, with the same SECRET_KEY and AUDIT_KEY but each its own
DATA_DIR (two machines share the database and nothing else), JOBS_IN_PROCESS=0, no warning or
backup schedule, and keeps them for the whole module (the test process's session):

- a session signed in on A is the signed-in session on B;
- a background import started on A is polled to its end on B (its result and progress in the
  shared store; the job runs in a child process of A's worker);
- an account's failed sign-ins, sent to A and B at the same moment, are all counted (none lost)
  and the lockout they cause holds on both;
- the per-address throttle counted on A refuses on B.
"""
from __future__ import annotations

import json
import os
import re
import socket
import sqlite3
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import requests
from sqlalchemy import select

from data.db import reading
from data.models import User
from data.runtime import shared
from server.auth import RATE_LIMIT, RATE_WINDOW_S
from tests.support.accounts import actor, make_user
from tests.support.app import PASSWORD, make_settings
from tests.support.imports import LEDGER_HEADER, csv_bytes, imported_vouchers, ledger_rows, upload, villages

ROOT = Path(__file__).resolve().parents[1]
IMPORTER = "demo-township"
#: a bound for events we wait for (the machine is shared and slow), never a timed assertion
WAIT_S = 180


def wsgi():
    """gunicorn's app factory (`tests.test_workers:wsgi()`): the test app on the environment's settings."""
    from settings import Settings
    from tests.support.app import build_app

    return build_app(Settings.from_env()).server


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _copy_database(source_url: str, target: Path) -> None:
    src = sqlite3.connect(source_url.split("///", 1)[-1])
    dst = sqlite3.connect(target)
    try:
        src.backup(dst)
    finally:
        dst.close()
        src.close()


@pytest.fixture(scope="session")
def servers(sqlite_settings, tmp_path_factory):
    """(settings of the copied database, base URL of A, base URL of B). Session-scoped: started at
    most once per test process (`make test` hands each file to one process: --dist loadfile)."""
    tmp = tmp_path_factory.mktemp("workers")
    _copy_database(sqlite_settings.database_url, tmp / "platform.sqlite")
    settings = make_settings(tmp, f"sqlite:///{tmp / 'platform.sqlite'}")
    procs, bases = [], []
    for name in ("a", "b"):
        port = _free_port()
        data_dir = tmp / f"machine-{name}"
        data_dir.mkdir()
        env = {**os.environ, "PYTHONPATH": str(ROOT), "DATABASE_URL": settings.database_url, "DATA_DIR": str(data_dir),
               "SECRET_KEY": settings.secret_key, "AUDIT_KEY": settings.audit_key, "PROVINCE": "22",
               "JOBS_IN_PROCESS": "0", "WARNING_SCHEDULE_S": "0", "BACKUP_SCHEDULE": "", "REDIS_URL": "",
               "POLARS_MAX_THREADS": "1"}
        log = open(tmp / f"gunicorn-{name}.log", "wb")  # closed with the process
        procs.append((subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-w", "1", "-b", f"127.0.0.1:{port}", "--timeout", "300",
             "--graceful-timeout", "5", "tests.test_workers:wsgi()"],
            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT), log))
        bases.append(f"http://127.0.0.1:{port}")
    try:
        deadline = time.monotonic() + WAIT_S
        for (proc, _), base in zip(procs, bases, strict=True):
            while True:
                assert proc.poll() is None, (tmp / "gunicorn-a.log").read_text()[-3000:] + \
                    (tmp / "gunicorn-b.log").read_text()[-3000:]
                try:  # the worker answers once it has built the app
                    if requests.get(base + "/health", timeout=WAIT_S).status_code == 200:
                        break
                except requests.ConnectionError:
                    pass
                assert time.monotonic() < deadline, "the app servers did not start"
                time.sleep(0.2)
        yield settings, bases[0], bases[1]
    finally:
        for proc, _ in procs:
            proc.terminate()
        for proc, log in procs:
            try:
                proc.wait(30)
            except subprocess.TimeoutExpired:
                proc.kill()
            log.close()


def _sign_in(base: str, username: str, password: str = PASSWORD) -> requests.Response:
    return requests.post(base + "/login", data={"username": username, "password": password},
                         allow_redirects=False, timeout=60)


def _session(base: str, username: str) -> requests.Session:
    resp = _sign_in(base, username)
    assert resp.status_code == 302, (resp.status_code, resp.text[:300])
    s = requests.Session()
    s.cookies.set("nj_session", resp.cookies["nj_session"])
    return s


def test_workers001_signed_in_on_a_is_signed_in_on_b(servers):
    _, a, b = servers
    on_a = _session(a, "demo-county")
    page = on_a.get(b + "/", timeout=60, allow_redirects=False)  # the cookie, sent to the other process
    assert page.status_code == 200, page.status_code
    assert "_dash-config" in page.text
    assert requests.get(b + "/", timeout=60, allow_redirects=False).status_code == 302  # without it: sign in


def _end_id(client: requests.Session, base: str) -> str:
    html = client.get(base + "/", timeout=60).text
    return json.loads(re.search(r'<script id="_dash-config" type="application/json">(.*?)</script>', html, re.S)
                      .group(1))["end_id"]


def _commit_output(client: requests.Session, base: str) -> str:
    deps = client.get(base + "/_dash-dependencies", timeout=60).json()
    found = [d["output"] for d in deps if "imp-commit-result.children" in d["output"]]
    assert len(found) == 1, found
    return found[0]


def _outputs(output: str) -> list[dict]:
    parts = [p for p in output.strip(".").split("...") if p]
    return [dict(zip(("id", "property"), re.match(r"(.+)\.([^.]+)$", p).groups(), strict=True)) for p in parts]


def test_workers002_a_background_import_started_on_a_is_polled_on_b(servers):
    settings, a, b = servers
    inside, _ = villages(settings, actor(settings, IMPORTER).scope)
    summary = "两个进程之间的导入"
    content = csv_bytes(LEDGER_HEADER, ledger_rows(inside[0], 40, year=2006, summary=summary))
    client = _session(a, IMPORTER)
    out = _commit_output(client, a)
    body = {"output": out, "outputs": _outputs(out),
            "inputs": [{"id": "imp-commit", "property": "n_clicks", "value": 1}], "changedPropIds": ["imp-commit.n_clicks"],
            "state": [{"id": "imp-file", "property": "contents", "value": upload(content)},
                      {"id": "imp-file", "property": "filename", "value": "两进程.csv"},
                      {"id": "imp-kind", "property": "value", "value": "ledger"},
                      {"id": "imp-refresh", "property": "data", "value": 0}]}
    eid = _end_id(client, a)
    started = client.post(a + "/_dash-update-component", params={"endId": eid}, json=body, timeout=60)
    assert started.status_code == 200, started.text[:300]
    handles = {"endId": eid, **{k: started.json()[k] for k in ("cacheKey", "job")}}
    deadline = time.monotonic() + WAIT_S
    while True:  # every poll goes to B, which never saw the job start
        resp = client.post(b + "/_dash-update-component", params=handles, json=body, timeout=60)
        assert resp.status_code in (200, 204), (resp.status_code, resp.text[:300])
        got = resp.json() if resp.status_code == 200 else {}
        if "response" in got:
            break
        assert time.monotonic() < deadline, "B never saw the import's answer"
        time.sleep(0.2)
    result = json.dumps(got["response"]["imp-commit-result"]["children"], ensure_ascii=False)
    assert "40 张凭证" in result, result
    assert imported_vouchers(settings, summary) == 40
    # collected once: the result is gone from the store, so a repeated poll (on A) answers nothing new
    again = client.post(a + "/_dash-update-component", params=handles, json=body, timeout=60)
    assert again.status_code in (200, 204) and "response" not in (again.json() if again.status_code == 200 else {})


def _failed_attempts(settings, username: str) -> tuple[int, bool]:
    with reading(settings.database_url) as s:
        u = s.scalar(select(User).where(User.username == username))
        return int(u.failed_attempts or 0), u.locked_until is not None


def test_workers003_failures_on_both_at_once_are_all_counted_and_the_lockout_holds_on_both(servers):
    settings, a, b = servers
    make_user(settings, "wk-lockout", "township_accountant", actor(settings, IMPORTER).scope.root)
    with ThreadPoolExecutor(4) as pool:  # four wrong passwords at the same moment, two on each process
        codes = list(pool.map(lambda base: _sign_in(base, "wk-lockout", "Wrong#pass1").status_code, [a, b, a, b]))
    assert codes == [401] * 4
    assert _failed_attempts(settings, "wk-lockout") == (4, False)  # none lost, not locked yet
    assert _sign_in(b, "wk-lockout", "Wrong#pass1").status_code == 401  # the fifth: locked
    assert _failed_attempts(settings, "wk-lockout") == (5, True)
    for base in (a, b):  # the right password is refused on both
        assert _sign_in(base, "wk-lockout").status_code == 401


def test_workers004_the_address_throttle_counted_on_a_refuses_on_b(servers):
    settings, a, b = servers
    counted = shared.store(settings).count("signin:ip:127.0.0.1", RATE_WINDOW_S)  # the lockout test's failures
    for i in range(RATE_LIMIT - 1 - counted):
        assert _sign_in(a, f"nobody-{i}", "Wrong#pass1").status_code == 401
    assert _sign_in(b, "demo-village").status_code == 302  # one failure left: B still signs people in
    assert _sign_in(a, "nobody-last", "Wrong#pass1").status_code == 401  # the last one, on A
    refused = _sign_in(b, "demo-village")
    assert refused.status_code == 429 and "登录失败次数过多" in refused.text
