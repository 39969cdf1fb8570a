"""The job process's lower CPU priority, so a warning run never takes CPU the web workers want.

`os.nice` alone is not enough on Linux: with autogroups (`/proc/sys/kernel/sched_autogroup_enabled`,
on by default) the scheduler first shares the CPU between *sessions*, equally, and a nice value only
counts against the other processes of its own session. A job process started in a session of its
own (a service manager, `setsid`, a supervisor) would then get half the machine at any nice value.
So the session leader also sets its session's nice (`/proc/self/autogroup`), which weighs the whole
session against the others (weight 15 against 1,024 at 19). Only the session leader does it: the
session is then its own and its descendants', never a terminal's or the web server's.
Under systemd with the cpu controller the unit's cgroup decides instead (docs/deploy.md:
`Nice=19`, `CPUWeight=idle`). Plain `os` calls: imported before polars, by `python -m data.jobs`.
"""
from __future__ import annotations

import os
from pathlib import Path

AUTOGROUP = Path("/proc/self/autogroup")


def level() -> int:
    """JOBS_NICE, default 19 (the lowest priority); 0 leaves the priority alone."""
    return max(0, min(19, int(os.environ.get("JOBS_NICE", "19"))))


def lower(nice: int | None = None) -> dict:
    """Lowers this process's CPU priority to `nice` (default `level()`); says what it set."""
    nice = level() if nice is None else nice
    done: dict = {"nice": None, "autogroup": None}
    if not nice:
        return done
    os.nice(max(0, nice - os.nice(0)))
    done["nice"] = os.nice(0)
    try:
        if os.getsid(0) == os.getpid() and AUTOGROUP.exists():
            AUTOGROUP.write_text(str(nice))
            done["autogroup"] = autogroup_nice()
    except OSError:  # no autogroups (or not allowed): the nice value is what there is
        pass
    return done


def autogroup_nice() -> int | None:
    """This process's session nice (Linux autogroups), None where there is none."""
    try:
        return int(AUTOGROUP.read_text().split("nice")[1])
    except (OSError, IndexError, ValueError):
        return None
