"""The requests a browser makes for each action of the load test, recorded from headless Chromium.

`record(base, password)` signs in as each demo user of the mix, performs the action once in
Chromium and keeps every request to the app's own origin that the action caused (static files
excepted: nginx serves them, cached, in production — docs/deploy.md): the page's HTML, Dash's
`_dash-layout` / `_dash-dependencies` and every callback, with its body, its start and end time.
`scripts/locustfile.py` replays them. Requests that the browser had in flight at the same time
form one *wave*; a wave is replayed concurrently, the waves in order (what dash-renderer does).
"""
from __future__ import annotations

import json
import random
import secrets
import time
from pathlib import Path

STATIC = ("/_dash-component-suites/", "/assets/", "/_favicon", "/favicon", "/_reload-hash")
#: the cockpit is drawn when the KPIs, the map and the children table are
COCKPIT_DRAWN = """() => document.querySelector('#kpi-total_assets-value')
    && document.querySelector('#cockpit-map .main-svg')
    && document.querySelectorAll('#children-table .ag-center-cols-container .ag-row').length > 0
    && !document.querySelector('[data-dash-is-loading="true"]')"""
SETTLED = """() => !document.querySelector('[data-dash-is-loading="true"]')"""


class Recorder:
    """Collects the page's requests to `base` between `start()` and `stop()`."""

    def __init__(self, page, base: str):
        self.base, self.on, self.items, self.t0 = base, False, {}, time.perf_counter()
        page.on("request", self._request)
        page.on("requestfinished", self._finished)
        page.on("requestfailed", self._finished)

    def _keep(self, req) -> bool:
        return self.on and req.url.startswith(self.base) and not req.url[len(self.base):].startswith(STATIC)

    def _request(self, req) -> None:
        if self._keep(req):
            self.items[id(req)] = {"method": req.method, "path": req.url[len(self.base):], "body": req.post_data,
                                   "start": time.perf_counter(), "end": None, "req": req}

    def _finished(self, req) -> None:
        item = self.items.get(id(req))
        if item is not None:
            item["end"] = time.perf_counter()

    def start(self) -> None:
        self.items, self.on = {}, True

    def stop(self, page) -> list[dict]:
        page.wait_for_load_state("networkidle")
        self.on = False
        out = []
        for item in sorted(self.items.values(), key=lambda i: i["start"]):
            req = item.pop("req")
            resp = req.response()
            item["status"] = resp.status if resp else None
            item["response"] = _json_body(resp) if "_dash-update-component" in item["path"] else None
            item["end"] = item["end"] or time.perf_counter()
            out.append(item)
        return waves(out)


def _json_body(resp):
    try:
        return resp.json()
    except Exception:
        return None


def _first_option(requests: list[dict], component: str):
    """The first option a recorded callback response gave a dropdown (the cashier's own account)."""
    for item in requests:
        options = ((item.get("response") or {}).get("response") or {}).get(component, {}).get("options")
        if options:
            return options[0]["value"]
    raise RuntimeError(f"no recorded options for {component}")


def waves(items: list[dict]) -> list[dict]:
    """Numbers each request's wave: a request started while an earlier one of the current wave was
    still in flight joins that wave."""
    wave, wave_end = -1, -1.0
    for item in items:
        if item["start"] >= wave_end:
            wave += 1
            wave_end = item["end"]
        else:
            wave_end = max(wave_end, item["end"])
        item["wave"] = wave
    t0 = items[0]["start"] if items else 0
    for item in items:
        item["start"], item["end"] = round((item["start"] - t0) * 1000, 1), round((item["end"] - t0) * 1000, 1)
    return items


def filled(body: str, bank_account, today: str) -> str:
    """The recorded payment-request submit with the form filled as a cashier fills it: valid values
    (an amount under the decision limit, so no resolution is needed) and a fresh submission token
    (a resent token would file nothing: the data layer returns the first request)."""
    data = json.loads(body)
    values = {"funds-kind": "payment", "funds-bank": bank_account,
              "funds-amount": f"{random.randint(10, 900)}.{random.randint(0, 99):02d}", "funds-account": 513,
              "funds-resolution": None, "funds-purpose": "购买办公用品（负载测试）", "funds-counterparty": "某某商店",
              "funds-id-type": "other", "funds-id": "X1", "funds-submit-token": secrets.token_hex(16)}
    for s in data["state"]:
        if s["id"] in values and s["property"] in ("value", "data"):
            s["value"] = values[s["id"]]
        elif s["id"] == "funds-date":
            s["value"] = today
    return json.dumps(data, ensure_ascii=False)


def sign_in(page, base: str, username: str, password: str) -> None:
    page.goto(f"{base}/login")
    page.fill("#username", username)
    page.fill("#password", password)
    page.click("#login-submit")
    page.wait_for_load_state("networkidle")
    if "/login" in page.url or "/password" in page.url:
        raise RuntimeError(f"{username}: sign-in did not succeed ({page.url})")


def _page_load(page, rec, base, path, ready, timeout=120_000):
    rec.start()
    page.goto(f"{base}{path}")
    page.wait_for_function(ready, timeout=timeout)
    return rec.stop(page)


def record(base: str, password: str) -> dict:
    """{action: {"user": username, "requests": [...]}} for the load test's mix."""
    from playwright.sync_api import sync_playwright

    from tests.support.browser import CHROMIUM, CHROMIUM_ARGS

    out: dict[str, dict] = {}
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)

        def session(username):
            ctx = browser.new_context(viewport={"width": 1920, "height": 1080}, locale="zh-CN")
            page = ctx.new_page()
            sign_in(page, base, username, password)
            return ctx, page, Recorder(page, base)

        # the provincial leader: the full cockpit, then the big screen
        ctx, page, rec = session("demo-province")
        out["cockpit"] = {"user": "demo-province", "requests": _page_load(page, rec, base, "/cockpit", COCKPIT_DRAWN)}
        out["screen"] = {"user": "demo-province", "requests": _page_load(
            page, rec, base, "/screen", "() => document.querySelectorAll('.main-svg').length > 0 && " + SETTLED[6:])}
        ctx.close()
        # a county official drills down from the county into its first township
        ctx, page, rec = session("demo-county")
        _page_load(page, rec, base, "/cockpit", COCKPIT_DRAWN)
        regions = page.eval_on_selector_all("#children-table .ag-pinned-left-cols-container .ag-row",
                                            "els => els.map(e => e.getAttribute('row-id'))")
        row = page.locator("#children-table .ag-pinned-left-cols-container .ag-row").first
        target = row.get_attribute("row-id")
        name = row.locator('.ag-cell[col-id="name"]').inner_text()
        rec.start()
        row.locator('.ag-cell[col-id="name"]').click()
        page.wait_for_function("(name) => document.querySelector('#breadcrumb-current')?.textContent === name && "
                               + SETTLED[6:], arg=name, timeout=60_000)
        out["drill"] = {"user": "demo-county", "region": target, "regions": regions, "requests": rec.stop(page)}
        ctx.close()
        # a village cashier files a payment request (the form's submit callback; values filled at replay)
        ctx, page, rec = session("demo-village")
        out["funds_page"] = {"user": "demo-village", "requests": _page_load(
            page, rec, base, "/funds", "() => document.querySelectorAll('#funds-grid .ag-row').length > 0")}
        rec.start()
        page.click("#funds-submit")
        page.wait_for_selector("#funds-submit-result .alert", timeout=60_000)
        out["save"] = {"user": "demo-village", "requests": rec.stop(page), "bank_account": _first_option(
            out["funds_page"]["requests"], "funds-bank")}
        ctx.close()
        # a bank opens an authorised credit portrait from its list
        ctx, page, rec = session("demo-bank")
        page.goto(f"{base}/credit/portraits")
        page.wait_for_selector("#credit-list-grid a[href^='/credit/portrait?subject=']", timeout=120_000)
        href = page.locator("#credit-list-grid a[href^='/credit/portrait?subject=']").first.get_attribute("href")
        page.wait_for_load_state("networkidle")
        out["portrait"] = {"user": "demo-bank", "requests": _page_load(
            page, rec, base, href, "() => document.body.innerText.includes('信用等级') && " + SETTLED[6:])}
        ctx.close()
        # a member opens the portal (我的权益)
        ctx, page, rec = session("demo-member")
        out["portal"] = {"user": "demo-member", "requests": _page_load(page, rec, base, "/portal", SETTLED)}
        ctx.close()
        browser.close()
    return out


def save(recording: dict, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(recording, ensure_ascii=False, indent=1))
