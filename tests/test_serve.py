"""`make serve`: gunicorn with server/gunicorn_conf.py and server.wsgi:application, two workers on a
`test`-scale database of its own, answers /health, a signed-in page and the cockpit's figures (the
query layer each worker attached after the fork) from either worker; the master, which built the
app for both, never ran a polars query (its thread pool would not survive the fork)."""
from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest
import requests

from settings import Settings
from tests.support.app import PASSWORD, generate_test_data, make_settings
from tests.support.browser import free_port

ROOT = Path(__file__).resolve().parents[1]
GUNICORN = Path(sys.executable).with_name("gunicorn")
BOOT_S = 120  # two workers building the app on a loaded 2-core machine


def serve_env(settings: Settings, port: int, workers: int) -> dict:
    return {**os.environ, "PYTHONPATH": str(ROOT), "DATABASE_URL": settings.database_url,
            "DATA_DIR": str(settings.data_dir), "PORT": str(port), "HOST": "127.0.0.1", "WEB_WORKERS": str(workers),
            "SECRET_KEY": settings.secret_key, "AUDIT_KEY": settings.audit_key, "WARNING_SCHEDULE_S": "0",
            "BACKUP_SCHEDULE": "", "JOBS_IN_PROCESS": "0", "POLARS_MAX_THREADS": ""}


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    settings = generate_test_data(make_settings(tmp_path_factory.mktemp("serve")))
    port = free_port()
    log = open(settings.data_dir / "gunicorn.log", "w+")
    env = serve_env(settings, port, 2)
    env.pop("POLARS_MAX_THREADS")  # the config sets it from cores ÷ workers
    proc = subprocess.Popen([str(GUNICORN), "-c", "server/gunicorn_conf.py", "server.wsgi:application"],
                            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + BOOT_S
    try:
        while True:
            assert proc.poll() is None, Path(log.name).read_text()[-3000:]
            try:
                if requests.get(f"{base}/health", timeout=5).status_code == 200:
                    break
            except requests.RequestException:  # bound by the master, the workers still building the app
                pass
            assert time.monotonic() < deadline, Path(log.name).read_text()[-3000:]
            time.sleep(0.3)
        yield settings, base, proc, Path(log.name)
    finally:
        proc.terminate()
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


def test_serve001_two_workers_answer_health_and_a_signed_in_page(served):
    settings, base, proc, log = served
    assert len(psutil.Process(proc.pid).children()) == 2  # the master forked two workers
    for _ in range(6):  # fresh connections: either worker may answer
        assert requests.get(f"{base}/health", timeout=10, headers={"Connection": "close"}).status_code == 200
    s = requests.Session()
    r = s.post(f"{base}/login", data={"username": "demo-province", "password": PASSWORD}, allow_redirects=False)
    assert r.status_code == 302, r.text[:300]
    for _ in range(4):  # the session cookie works whichever worker answers
        page = s.get(f"{base}/_dash-layout", timeout=30, headers={"Connection": "close"})
        assert page.status_code == 200 and "app-nav" in page.text
    assert s.get(f"{base}/", timeout=30).status_code == 200
    assert requests.get(f"{base}/_dash-layout", timeout=30, allow_redirects=False).status_code in (302, 401, 403)
    text = log.read_text()
    cores = os.cpu_count() or 1
    assert "2 workers" in text and f"POLARS_MAX_THREADS={max(1, cores // 2)}," in text  # cores ÷ workers
    assert proc.poll() is None


#: Dash's id of the cockpit's numbers callback (callbacks/cockpit.py render; input url.hash)
COCKPIT = ("cockpit-breadcrumb.children", "cockpit-kpis-html.data", "children-table.rowData",
           "cockpit-children-title.children", "cockpit-children-note.children", "cockpit-warnings-html.data")


def test_serve002_the_master_builds_the_app_each_worker_its_query_layer(served):
    settings, base, proc, log = served
    s = requests.Session()
    assert s.post(f"{base}/login", data={"username": "demo-province", "password": PASSWORD},
                  allow_redirects=False).status_code == 302
    body = {"output": ".." + "...".join(COCKPIT) + "..",
            "outputs": [{"id": o.rsplit(".", 1)[0], "property": o.rsplit(".", 1)[1]} for o in COCKPIT],
            "inputs": [{"id": "url", "property": "hash", "value": ""}], "changedPropIds": ["url.hash"], "state": []}
    for _ in range(8):  # new connections: both workers answer some (each with its own query layer)
        r = s.post(f"{base}/_dash-update-component", json=body, timeout=60,
                   headers={"Connection": "close", "Origin": base, "Referer": f"{base}/"})
        assert r.status_code == 200, r.text[:300]
        rows = r.json()["response"]["children-table"]["rowData"]
        assert rows and all(str(row["code"]).startswith(str(settings.province)) for row in rows)
    threads = [(Path(f"/proc/{proc.pid}/task") / t / "comm").read_text().strip()
               for t in os.listdir(f"/proc/{proc.pid}/task")]
    # polars' pool threads are polars-0, polars-1, …: none in the master (importing polars starts
    # only jemalloc's and the out-of-core cleaner's)
    assert not [t for t in threads if t.startswith("polars-") and t[7:].isdigit()], threads
    workers = psutil.Process(proc.pid).children()
    for w in workers:
        names = {(Path(f"/proc/{w.pid}/task") / t / "comm").read_text().strip() for t in os.listdir(f"/proc/{w.pid}/task")}
        assert any(n.startswith("polars-") and n[7:].isdigit() for n in names), names  # the worker's own pool
