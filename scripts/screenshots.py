"""Screenshots of the dashboards for review (not a test): the app on the database in DATA_DIR
(PROVINCE picks the province), signed in as the provincial leader, in headless Chromium.

    DATA_DIR=var/bench .venv/bin/python scripts/screenshots.py
    PROVINCE=36 DATA_DIR=var/jx .venv/bin/python scripts/screenshots.py

Writes var/screenshots/<province>-cockpit.png (1920×1080, whole page), -cockpit-city.png (the
first city drilled into), -screen-1080.png and -screen-4k.png (big-screen mode at 1920×1080 and
3840×2160), -asset-growth.png and -warning-map.png.
"""
from __future__ import annotations

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from settings import Settings  # noqa: E402
from tests.support.browser import CHROMIUM, CHROMIUM_ARGS, SCREENSHOTS, serve  # noqa: E402


def main() -> None:
    from playwright.sync_api import sync_playwright

    from app import create_app

    settings = Settings.from_env()
    app = create_app(settings)
    tree = app.server.extensions["platform.query"].tree
    city = settings.demo_county // 10**8 * 10**8
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    prefix = SCREENSHOTS / str(settings.province)
    with serve(app.server) as base, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=[*CHROMIUM_ARGS, "--lang=zh-CN"])
        page = browser.new_page(viewport={"width": 1920, "height": 1080}, locale="zh-CN")
        page.goto(f"{base}/login")
        page.fill("#username", "demo-province")
        page.fill("#password", settings.demo_password)
        page.click("#login-submit")
        page.wait_for_selector("#app-nav")

        def settle(selector: str) -> None:
            page.wait_for_selector(selector)
            page.wait_for_function("() => !document.querySelector('[data-dash-is-loading=\"true\"]')")
            page.wait_for_timeout(800)

        page.goto(f"{base}/cockpit")
        settle("#cockpit-map .main-svg")
        page.screenshot(path=f"{prefix}-cockpit.png", full_page=True)
        page.goto(f"{base}/cockpit#region={city}")
        page.wait_for_function("n => document.querySelector('#breadcrumb-current')?.textContent === n", arg=tree.name(city))
        settle("#cockpit-map .main-svg")
        page.screenshot(path=f"{prefix}-cockpit-city.png", full_page=True)
        page.goto(f"{base}/asset-growth")
        settle("#growth-stack .main-svg")
        page.screenshot(path=f"{prefix}-asset-growth.png", full_page=True)
        page.goto(f"{base}/warning-map")
        settle("#wmap-heatmap .main-svg")
        page.screenshot(path=f"{prefix}-warning-map.png", full_page=True)
        for name, (w, h) in (("screen-1080", (1920, 1080)), ("screen-4k", (3840, 2160))):
            page.set_viewport_size({"width": w, "height": h})
            page.goto(f"{base}/screen")
            settle(".screen-kpis")
            page.screenshot(path=f"{prefix}-{name}.png")
        browser.close()
    for f in sorted(SCREENSHOTS.glob(f"{settings.province}-*.png")):
        print(f)


if __name__ == "__main__":
    os.environ.setdefault("DATA_DIR", str(ROOT / "var" / "bench"))
    main()
