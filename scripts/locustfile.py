"""The load test's users (locust; started by scripts/bench_load.py, never by the tests).

Each simulated user signs in once (its own session) as the demo account of its role and replays
what a browser sends for its actions, as recorded from Chromium by scripts/load_record.py (the
recording's path in LOAD_RECORDING): the page's HTML, `_dash-layout`, `_dash-dependencies` and the
page's callbacks, wave by wave (a wave's requests concurrently, as dash-renderer sends them).
The 50-user mix: 5 leaders (the full cockpit and the big screen), 15 county officials (the
cockpit's drill-down into one of the county's townships), 15 village cashiers (filing a payment
request: the form's submit callback with valid values and a fresh submission token; now and then
the funds page), 7 banks (an authorised credit portrait) and 8 members (the portal).

One action's time is from its first request to its last response; each is recorded and written,
with the errors, to LOAD_OUT (JSON) when the run stops. The run stops by itself: locust's
--run-time, or LOAD_MAX_REQUESTS requests in all, whichever comes first.
"""
from __future__ import annotations

import json
import os
import random
import time
from collections import defaultdict

import gevent
from gevent.pool import Group
from locust import FastHttpUser, between, events, task

from load_record import filled

RECORDING = json.loads(open(os.environ["LOAD_RECORDING"], encoding="utf-8").read()) if os.environ.get("LOAD_RECORDING") else {}
PASSWORD = os.environ.get("DEMO_PASSWORD", "Demo@2026!")
MAX_REQUESTS = int(os.environ.get("LOAD_MAX_REQUESTS", "30000"))
TODAY = os.environ.get("LOAD_TODAY") or time.strftime("%Y-%m-%d", time.gmtime(time.time() + 8 * 3600))
#: think time between two actions of one user, seconds (LOAD_WAIT_S="min,max")
WAIT_S = tuple(float(x) for x in os.environ.get("LOAD_WAIT_S", "1,5").split(","))
TIMES: dict[str, list[float]] = defaultdict(list)
ERRORS: dict[str, list[str]] = defaultdict(list)
#: the measured window, seconds, counted from the moment the last user has signed in (LOAD_WINDOW_S;
#: 0: measure from the start). Signing in is argon2id (about 0.3–0.5 s of CPU each): 50 users
#: signing in within 5 s are the morning's peak, not the working day's steady state the targets are
#: about, so actions that start before every user is in are not timed (their errors still count).
WINDOW_S = float(os.environ.get("LOAD_WINDOW_S") or 0)
STATE = {"requests": 0, "started": time.time(), "signed_in": 0, "ready": None if WINDOW_S else 0.0}


def _waves(action: str) -> list[list[dict]]:
    out: dict[int, list[dict]] = defaultdict(list)
    for item in RECORDING[action]["requests"]:
        out[item["wave"]].append(item)
    return [out[k] for k in sorted(out)]


@events.request.add_listener
def _count(request_type, **_kw):
    if request_type == "ACTION":
        return
    STATE["requests"] += 1
    if STATE["requests"] == MAX_REQUESTS:
        env = _count.environment
        if env is not None and env.runner is not None:
            gevent.spawn(env.runner.quit)


_count.environment = None


@events.init.add_listener
def _init(environment, **_kw):
    _count.environment = environment


@events.test_stop.add_listener
def _write(**_kw):
    path = os.environ.get("LOAD_OUT")
    if not path:
        return
    with open(path, "w", encoding="utf-8") as f:
        json.dump({"times_ms": TIMES, "errors": ERRORS, "requests": STATE["requests"],
                   "wall_s": round(time.time() - STATE["started"], 1), "warmup_s": STATE.get("warmup_s"),
                   "window_s": WINDOW_S}, f, ensure_ascii=False)


class Platform(FastHttpUser):
    abstract = True
    wait_time = between(*WAIT_S)
    username = ""

    def on_start(self):
        with self.client.post("/login", data={"username": self.username, "password": PASSWORD, "next": "/"},
                              headers={"Origin": self.host}, allow_redirects=False, name="sign_in",
                              catch_response=True) as r:
            if r.status_code != 302 or "/login" in r.headers.get("Location", "") or "/password" in r.headers.get("Location", ""):
                r.failure(f"sign-in {self.username}: HTTP {r.status_code}")
                ERRORS["sign_in"].append(f"{self.username}: HTTP {r.status_code}")
        STATE["signed_in"] += 1
        runner = self.environment.runner
        if STATE["ready"] is None and runner is not None and STATE["signed_in"] >= runner.target_user_count:
            STATE["ready"] = time.perf_counter()
            STATE["warmup_s"] = round(time.time() - STATE["started"], 1)
            gevent.spawn_later(WINDOW_S, runner.quit)  # the window ends the run

    def _one(self, action: str, item: dict, body: str | None, problems: list[str], check=None) -> None:
        headers = {"Origin": self.host}
        if body is not None:
            headers["Content-Type"] = "application/json"
        label = item["path"].split("?")[0]
        with self.client.request(item["method"], item["path"], data=body.encode() if body is not None else None,
                                 headers=headers, name=f"{action} {label}", catch_response=True,
                                 allow_redirects=False) as r:
            bad = r.status_code not in (200, 204)
            if not bad and check is not None:
                bad = check(r.text)
            if bad:
                msg = f"{label}: HTTP {r.status_code} {r.text[:120]!r}"
                r.failure(msg)
                problems.append(msg)

    def replay(self, action: str, rewrite=None, check=None) -> None:
        """Replays the recorded action; `rewrite(body) -> body` adapts a callback's body."""
        problems: list[str] = []
        t0 = time.perf_counter()
        for wave in _waves(action):
            group = Group()
            for item in wave:
                body = item["body"]
                if body is not None and rewrite is not None:
                    body = rewrite(body)
                group.spawn(self._one, action, item, body, problems, check)
            group.join()
        ms = (time.perf_counter() - t0) * 1000
        if STATE["ready"] is not None and t0 >= STATE["ready"]:
            TIMES[action].append(round(ms, 1))
        if problems:
            ERRORS[action].extend(problems)
        events.request.fire(request_type="ACTION", name=action, response_time=ms, response_length=0,
                            exception=RuntimeError(problems[0]) if problems else None, context={})


class Leader(Platform):
    """Provincial leaders at the meeting: the full cockpit, then the big screen."""
    fixed_count = 5
    username = "demo-province"

    @task(2)
    def cockpit(self):
        self.replay("cockpit")

    @task(1)
    def screen(self):
        self.replay("screen")


class CountyOfficial(Platform):
    """County officials drilling from the county into one of its townships (the cockpit's drill
    callbacks on the URL's #region= hash, as a click on the children table sends them)."""
    fixed_count = 15
    username = "demo-county"

    @task
    def drill(self):
        regions = RECORDING["drill"].get("regions") or [RECORDING["drill"]["region"]]
        target = random.choice(regions)
        self.replay("drill", rewrite=lambda b: b.replace(f"#region={RECORDING['drill']['region']}", f"#region={target}"))


def _filled(body: str) -> str:
    return filled(body, RECORDING["save"].get("bank_account"), TODAY)


def _not_filed(text: str) -> bool:
    return "已提交申请" not in json.dumps(json.loads(text), ensure_ascii=False)


class Cashier(Platform):
    """Village cashiers filing payment requests (and opening the funds page now and then)."""
    fixed_count = 15
    username = "demo-village"

    @task(4)
    def save(self):
        self.replay("save", rewrite=_filled, check=_not_filed)

    @task(1)
    def funds_page(self):
        self.replay("funds_page")


class Bank(Platform):
    """Banks opening a credit portrait their customer authorised."""
    fixed_count = 7
    username = "demo-bank"

    @task
    def portrait(self):
        self.replay("portrait")


class Member(Platform):
    """Members opening 我的权益."""
    fixed_count = 8
    username = "demo-member"

    @task
    def portal(self):
        self.replay("portal")
