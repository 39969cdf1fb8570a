"""The job process's lower priority (data/jobs/priority.py): its nice value, and, as the leader of
its own session, its session's (Linux autogroups), which is what weighs it against the web workers."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PROBE = ("import json; from data.jobs import priority; done = priority.lower(); "
         "print(json.dumps({'done': done, 'autogroup': priority.autogroup_nice()}))")


def probe(new_session: bool, nice: str = "19") -> dict:
    out = subprocess.run([sys.executable, "-c", PROBE], cwd=ROOT, capture_output=True, text=True, timeout=60,
                         start_new_session=new_session, env={"PATH": "/usr/bin:/bin", "JOBS_NICE": nice})
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)


def autogroups() -> bool:
    try:
        return Path("/proc/sys/kernel/sched_autogroup_enabled").read_text().strip() == "1" and \
            Path("/proc/self/autogroup").exists()
    except OSError:
        return False


@pytest.mark.skipif(not autogroups(), reason="the kernel has no autogroups")
def test_priority001_a_session_leader_lowers_its_sessions_weight():
    got = probe(new_session=True)
    assert got["done"] == {"nice": 19, "autogroup": 19}
    assert got["autogroup"] == 19


@pytest.mark.skipif(not autogroups(), reason="the kernel has no autogroups")
def test_priority002_a_process_in_someone_elses_session_leaves_the_session_alone():
    from data.jobs import priority

    mine = priority.autogroup_nice()
    got = probe(new_session=False)
    assert got["done"] == {"nice": 19, "autogroup": None}
    assert got["autogroup"] == mine == priority.autogroup_nice()  # the test's own session is untouched


def test_priority003_jobs_nice_0_changes_nothing():
    got = probe(new_session=True, nice="0")
    assert got["done"] == {"nice": None, "autogroup": None}
