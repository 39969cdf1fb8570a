"""The every-role walk (issue 13): one signed-in browser context per demo user visits every page of
that user's navigation, an unknown path and a page the role may not open, and reports what a person
should never meet: console errors and warnings, failed requests, requests to another origin, and
visible raw code (the platform's code values, `None`, `NaN`, `undefined`, …, machine timestamps).
With `inspect`, each page's tabs are opened too and every visible, enabled button of the content on
each tab must be one whose callback the user's role may run (read-only means read-only, issue 13)."""
from __future__ import annotations

import contextlib
import re
import time
from dataclasses import dataclass, field
from urllib.parse import urlparse

#: Words that are never text for a person, whatever the page.
NEVER_SHOWN = ("None", "NaN", "undefined", "null", "[object Object]", "Invalid date", "Infinity", "browser-locale")
#: A machine timestamp: seconds, fractions or a zone offset (people see China time to the minute).
MACHINE_TIME = re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}|\d{2}:\d{2}(:\d{2})?(\.\d+)?\+\d{2}:\d{2}|"
                          r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}")
#: pages whose visual content another engineer owns (the big screen): console and requests only
CONTENT_SKIPPED = ("/screen",)
UNKNOWN_PATH = "/no-such-page-13"

TEXT_JS = """() => {
  const parts = [document.body.innerText];
  for (const t of document.querySelectorAll('svg text')) parts.push(t.textContent);
  for (const c of document.querySelectorAll('.ag-cell, .ag-header-cell-text')) parts.push(c.textContent);
  for (const i of document.querySelectorAll('input[placeholder], textarea[placeholder]')) parts.push(i.placeholder);
  for (const i of document.querySelectorAll('input[type=date], input[type=month], input[type=datetime-local]'))
    parts.push(`browser-locale ${i.type} input #${i.id || i.className}`);
  return parts.join('\\n');
}"""


#: the visible, enabled buttons of the page content (tabs, grids and dialogs aside): their ids
BUTTONS = """() => Array.from(document.querySelectorAll('#_pages_content button[id]'))
  .filter(b => b.offsetParent !== null && !b.disabled && !b.closest('.ag-root') && !b.closest('.modal'))
  .map(b => b.id)"""
TABS = "#_pages_content .nav-tabs .nav-link:visible"


def button_actions() -> dict[str, list[tuple]]:
    """button id -> the actions of each callback its clicks trigger (from the callback registry)."""
    from dash.dependencies import handle_callback_args

    from server.callbacks import SPECS

    out: dict[str, list[tuple]] = {}
    for spec in SPECS:
        for i in handle_callback_args(spec.args, spec.kwargs)[1]:
            if i.component_property == "n_clicks" and isinstance(i.component_id, str):
                out.setdefault(i.component_id, []).append(spec.actions)
    return out


@dataclass
class ButtonCheck:
    """`inspect` for a user of `scope`: opens every tab of the page content and reports each visible,
    enabled button whose every callback the role is refused (a dead, live-looking form); `checked`
    counts the buttons it judged."""
    scope: object
    actions: dict
    checked: int = 0

    def __call__(self, walker: Walker, path: str) -> list[str]:
        from domain.permissions import allowed

        problems: list[str] = []
        page = walker.page
        tabs = page.locator(TABS).element_handles()
        for n, tab in enumerate([None, *tabs]):
            if tab is not None:
                if not tab.is_visible():
                    continue
                walker.current = []
                tab.click()
                walker.idle()
                problems += [f"tab {n}: {p}" for p in [*walker.current, *walker.raw_code(path)]]
            for bid in page.evaluate(BUTTONS):
                if bid in self.actions:
                    self.checked += 1
                    if not any(allowed(self.scope, acts) for acts in self.actions[bid]):
                        problems.append(f"tab {n}: button #{bid} is live but the role may run none of its callbacks")
        return problems


def code_pattern(codes) -> re.Pattern:
    """Whole-word matches of any code value (ASCII letters, digits, '_' and '-' bound a word)."""
    words = sorted({*map(str, codes), *NEVER_SHOWN}, key=len, reverse=True)
    alternatives = "|".join(re.escape(w) for w in words)
    return re.compile(rf"(?<![A-Za-z0-9_\-/.])(?:{alternatives})(?![A-Za-z0-9_\-/.])")


@dataclass
class Visit:
    username: str
    path: str
    problems: list[str] = field(default_factory=list)


@dataclass
class Walker:
    """Records everything one page does; `visit` returns what went wrong while on a path."""
    page: object
    base: str
    codes: re.Pattern
    current: list[str] = field(default_factory=list)
    inflight: set = field(default_factory=set)
    last_activity: float = 0.0
    expected_status: dict = field(default_factory=dict)  # url -> the status that URL must answer

    def __post_init__(self):
        origin = urlparse(self.base).netloc
        p = self.page

        def on_request(r):
            self.inflight.add(r)
            self.last_activity = time.monotonic()
            if urlparse(r.url).netloc != origin and not r.url.startswith(("data:", "blob:")):
                self.current.append(f"request outside the origin: {r.url}")

        def done(r):
            self.inflight.discard(r)
            self.last_activity = time.monotonic()

        def on_failed(r):
            done(r)
            if r.failure and "ERR_ABORTED" not in r.failure:  # a navigation away cancels what is loading
                self.current.append(f"request failed: {r.method} {r.url} {r.failure}")

        def on_response(resp):
            want = self.expected_status.get(resp.url)
            if want is not None:
                if resp.status != want:
                    self.current.append(f"{resp.url} answered {resp.status}, not {want}")
            elif resp.status >= 400:
                self.current.append(f"HTTP {resp.status}: {resp.request.method} {resp.url}")

        def on_console(msg):
            if msg.type in ("error", "warning"):
                if any(str(s) in msg.text for s in self.expected_status.values()) and "Failed to load resource" in msg.text:
                    return  # the browser's own note of the expected 404/403 document
                self.current.append(f"console {msg.type}: {msg.text[:300]}")

        p.on("request", on_request)
        p.on("requestfinished", done)
        p.on("requestfailed", on_failed)
        p.on("response", on_response)
        p.on("console", on_console)
        p.on("pageerror", lambda e: self.current.append(f"page error: {e}"))

    def is_idle(self, quiet_ms: int = 300) -> bool:
        """No request in flight for `quiet_ms` and dash-renderer loading nothing."""
        if self.inflight or (time.monotonic() - self.last_activity) * 1000 < quiet_ms:
            return False
        return self.page.evaluate("() => !document.querySelector('[data-dash-is-loading=\"true\"]')")

    def idle(self, timeout_s: float = 30) -> None:
        end = time.monotonic() + timeout_s
        while time.monotonic() < end:
            self.page.wait_for_timeout(50)
            if self.is_idle():
                return
        self.current.append(f"network not idle after {timeout_s} s: {[r.url for r in self.inflight][:3]}")

    def raw_code(self, path: str) -> list[str]:
        if path.startswith(CONTENT_SKIPPED):
            return []
        text = self.page.evaluate(TEXT_JS)
        found = []
        for pattern, what in ((self.codes, "raw code"), (MACHINE_TIME, "machine time")):
            for m in pattern.finditer(text):
                context = text[max(0, m.start() - 30):m.end() + 30].replace("\n", " ⏎ ")
                found.append(f"{what} {m.group(0)!r} in …{context}…")
        return sorted(set(found))[:20]

    def start(self, path: str) -> None:
        """Opens `path`: a click on its navigation link when the page shows one (the app routes in the
        browser), else a page load."""
        self.current = []
        self.last_activity = time.monotonic()
        link = self.page.locator(f"#app-nav a[href='{path}']")
        if link.count() and link.first.is_visible():
            link.first.click()
        else:
            self.page.goto(self.base + path, wait_until="commit")

    def finish(self, path: str) -> list[str]:
        return [*self.current, *self.raw_code(path)]

    def visit_refused(self, path: str, status: int, text: str) -> list[str]:
        """A GET the server answers `status` with a Chinese page in the app's frame saying `text`."""
        self.current = []
        url = self.base + path
        self.expected_status[url] = status
        resp = self.page.goto(url)
        self.idle()
        problems = list(self.current)
        if resp is None or resp.status != status:
            problems.append(f"{path}: status {resp and resp.status}, not {status}")
        body = self.page.inner_text("body")
        if text not in body:
            problems.append(f"{path}: no {text!r} on the page: {body[:200]!r}")
        if not self.page.locator(".app-header").count() or not self.page.locator("#app-nav a").count():
            problems.append(f"{path}: not in the app's frame (header and navigation)")
        return problems + self.raw_code(path)


def nav_paths(page) -> list[str]:
    from tests.support.browser import nav_links

    return [urlparse(h).path for h in nav_links(page, "href")]


@dataclass
class UserWalk:
    """One user's walk, taken a step at a time so that several users' pages load at once."""
    username: str
    walker: Walker
    todo: list[str]
    denied: str | None
    visits: list[Visit] = field(default_factory=list)
    inspect: object = None  # (walker, path) -> problems, after the page is idle
    path: str | None = None
    since: float = 0.0

    def step(self, timeout_s: float = 30) -> bool:
        """Advances the walk when its page is idle; False once it is done."""
        w = self.walker
        if self.path is not None:
            timed_out = time.monotonic() - self.since > timeout_s
            if not timed_out and not w.is_idle():
                return True
            problems = w.finish(self.path)
            if timed_out:
                problems.append(f"network not idle after {timeout_s} s")
            elif self.inspect is not None:
                problems += self.inspect(w, self.path)
            self.visits.append(Visit(self.username, self.path, problems))
            self.path = None
        if self.todo:
            self.path, self.since = self.todo.pop(0), time.monotonic()
            w.start(self.path)
            return True
        self.visits.append(Visit(self.username, UNKNOWN_PATH, w.visit_refused(UNKNOWN_PATH, 404, "页面不存在")))
        if self.denied:
            self.visits.append(Visit(self.username, self.denied, w.visit_refused(self.denied, 403, "无权")))
        return False


def walk_users(chromium, base: str, users, password: str, codes: re.Pattern, *, at_once: int = 5,
               inspect=lambda username: None, scripts: list | None = None):
    """Walks every (username, denied path, extra paths) of `users`, `at_once` of them concurrently in
    one browser, each in its own context (locale en-US, to catch locale leaks): signs in, visits the
    navigation it reads from the page, the extra paths, the unknown path and the denied path;
    `inspect(username)` may give a further check of each idle page (see ButtonCheck); `scripts`
    collects the script sources of each user's first page.
    Returns ({username: paths walked}, [visits with problems])."""
    from tests.support.browser import sign_in

    waiting, running, done, contexts = list(users), [], [], []
    try:
        while waiting or running:
            while waiting and len(running) < at_once:
                username, denied, extra = waiting.pop(0)
                ctx = chromium.new_context(viewport={"width": 1440, "height": 900}, locale="en-US",
                                           timezone_id="America/New_York")
                contexts.append(ctx)
                page = ctx.new_page()
                walker = Walker(page, base, codes)
                sign_in(page, base, username, password)
                walker.idle()
                if scripts is not None:
                    scripts += page.eval_on_selector_all("script[src]", "els => els.map(e => e.src)")
                first = Visit(username, "/login → /", list(walker.current) + walker.raw_code("/"))
                running.append(UserWalk(username, walker, [*nav_paths(page), *extra], denied, [first],
                                        inspect=inspect(username)))
            for walk in list(running):
                if not walk.step():
                    running.remove(walk)
                    done.append(walk)
                    walk.walker.page.context.close()
            if running:
                running[0].walker.page.wait_for_timeout(40)
    finally:
        for ctx in contexts:
            with contextlib.suppress(Exception):
                ctx.close()
    walked = {w.username: [v.path for v in w.visits] for w in done}
    return walked, [v for w in done for v in w.visits if v.problems]
