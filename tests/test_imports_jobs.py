"""A killed import leaves nothing (issue 14 item 3): the import started in a subprocess and SIGKILLed
in the middle of its commit (after thousands of its rows were written inside the transaction), and
the background import stopped by its 取消导入 button through the real callbacks: neither leaves a
voucher of the file, nor an import record saying it succeeded; the same file then imports whole."""
from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest
from sqlalchemy import text as sql

from data.db import reading
from tests.support.accounts import actor
from tests.support.funds import app_for, own_database
from tests.support.http import sign_in
from tests.support.imports import (LEDGER_HEADER, commit, csv_bytes, import_records, imported_vouchers, ledger_rows,
                                   result_text, start_commit, villages)

ROOT = Path(__file__).resolve().parents[1]
USER = "demo-township"

_CHILD = """
import sys, time
sys.path.insert(0, {root!r})
from pathlib import Path
from data.imports import service
from tests.support.accounts import actor
from tests.support.app import TODAY, make_settings

settings = make_settings(Path({tmp!r}))
content = Path({file!r}).read_bytes()

def progress(done, total):
    if 0 < done < total:  # rows written, the transaction still open: wait to be killed
        Path({marker!r}).write_text(str(done))
        time.sleep(600)

service.commit(settings.database_url, settings.audit_key, actor(settings, {user!r}), "ledger", "大账簿.csv", content, TODAY,
               progress=progress)
"""


@pytest.fixture(scope="module")
def settings(tmp_path_factory):
    return own_database(tmp_path_factory, "imports_jobs")


def _big_file(settings, summary: str, year: int) -> bytes:
    inside, _ = villages(settings, actor(settings, USER).scope)
    return csv_bytes(LEDGER_HEADER, ledger_rows(inside[0], 6000, year=year, summary=summary))


def _alive(pid: int) -> bool:
    try:
        return psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


def _integrity(settings) -> str:
    with reading(settings.database_url) as s:
        return s.execute(sql("PRAGMA integrity_check")).scalar()


def test_imports_jobs001_a_process_killed_mid_commit_leaves_nothing(settings, tmp_path):
    content = _big_file(settings, "被杀掉的导入", 2008)
    file, marker = tmp_path / "big.csv", tmp_path / "marker"
    file.write_bytes(content)
    script = _CHILD.format(root=str(ROOT), tmp=str(settings.data_dir), file=str(file), marker=str(marker), user=USER)
    child = subprocess.Popen([sys.executable, "-c", script], cwd=ROOT)
    try:
        deadline = time.monotonic() + 180
        while not marker.exists():
            assert child.poll() is None, "the import ended before it could be killed"
            assert time.monotonic() < deadline, "the import never reached the middle of its commit"
            time.sleep(0.1)
        assert int(marker.read_text()) >= 5000  # thousands of its rows written, uncommitted
        os.kill(child.pid, signal.SIGKILL)
    finally:
        child.wait(30)
    assert child.returncode == -signal.SIGKILL
    assert imported_vouchers(settings, "被杀掉的导入") == 0
    sha = hashlib.sha256(content).hexdigest()
    assert ("大账簿.csv", "committed") not in import_records(settings, sha)
    assert _integrity(settings) == "ok"
    # nothing of it is left in the way: the same file imports whole
    from data.imports import service
    from tests.support.app import TODAY

    out = service.commit(settings.database_url, settings.audit_key, actor(settings, USER), "ledger", "大账簿.csv",
                         content, TODAY)
    assert out["written"] == 6000 and imported_vouchers(settings, "被杀掉的导入") == 6000


def test_imports_jobs002_the_cancel_button_stops_the_import_and_keeps_nothing(settings):
    app = app_for(settings)
    client = sign_in(app.server, USER)
    content = _big_file(settings, "被取消的导入", 2007)
    resp, handles, body = start_commit(app, client, "ledger", "取消.csv", content)
    assert resp.status_code == 200
    job = int(handles["job"].split("~")[0].split(".")[0])  # the handle is <pid>.<host>.<nonce> (data/runtime/bg_manager.py)
    deadline = time.monotonic() + 120
    while True:  # poll as the renderer does until the bar has moved
        got = client.post("/_dash-update-component", query_string=handles, json=body).get_json(silent=True) or {}
        assert "response" not in got, "the import finished before it could be cancelled"
        if 0 < (got.get("progress") or {}).get("imp-progress.value", 0) < 100:
            break
        assert time.monotonic() < deadline
        time.sleep(0.05)
    cancel = {"output": "imp-cancel.id", "outputs": {"id": "imp-cancel", "property": "id"},
              "inputs": [{"id": "imp-cancel", "property": "n_clicks", "value": 1}],
              "changedPropIds": ["imp-cancel.n_clicks"], "state": []}
    resp = client.post("/_dash-update-component", query_string={"endId": handles["endId"], "cancelJob": handles["job"]},
                       json=cancel)
    assert resp.status_code in (200, 204), resp.get_data(as_text=True)[:300]
    deadline = time.monotonic() + 30
    while _alive(job):  # Dash terminates the job process
        assert time.monotonic() < deadline, "the cancelled job is still running"
        time.sleep(0.1)
    assert imported_vouchers(settings, "被取消的导入") == 0
    assert ("取消.csv", "committed") not in import_records(settings, hashlib.sha256(content).hexdigest())
    assert _integrity(settings) == "ok"
    final, _ = commit(app, client, "ledger", "取消.csv", content)  # and it can be imported afterwards
    assert "6000 张凭证" in result_text(final)
    assert imported_vouchers(settings, "被取消的导入") == 6000
