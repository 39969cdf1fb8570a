"""The big screen in headless Chromium at 1920×1080 and 3840×2160: nothing overflows the window,
the map names its regions, the ranking's names are whole (or cut with …), a click on a city drills
into it and 返回上级 comes back; screenshots under var/screenshots/ and the render time printed."""
from __future__ import annotations

import pytest

from components.dashboards.screen import short_name
from data.maps import codes_with_geometry
from domain.permissions import Scope, role_perms
from tests.support.browser import serve, shot, signed_in_pages

pytestmark = pytest.mark.browser

#: every figure drawn (data or its 暂无数据 note) and the KPI strip filled
DRAWN = """() => { const g = [...document.querySelectorAll('.screen-graph .js-plotly-plot')];
  return g.length === 4 && g.every(el => el._fullLayout && el.querySelector('.main-svg')
    && (el.data.length || (el._fullLayout.annotations || []).length))
    && !!document.querySelector('#screen-kpi-total_assets'); }"""
#: (first contentful paint, now) in ms since navigation start
TIMES = """() => { const p = performance.getEntriesByName('first-contentful-paint')[0];
  return [p ? p.startTime : 0, performance.now()]; }"""
#: what sticks out: the document's scrollbars and every panel's box against the window
OVERFLOW = """() => { const d = document.documentElement, w = window.innerWidth, h = window.innerHeight, out = [];
  if (d.scrollWidth > w || d.scrollHeight > h) { out.push(`document ${d.scrollWidth}x${d.scrollHeight}`); }
  for (const el of document.querySelectorAll('.screen-panel, .screen-kpi, .screen-top')) {
    const r = el.getBoundingClientRect();
    if (r.left < 0 || r.top < 0 || r.right > w + 0.5 || r.bottom > h + 0.5 || r.width < 50 || r.height < 30) {
      out.push(`${el.id || el.className} ${[r.left, r.top, r.right, r.bottom].map(Math.round)}`);
    }
  }
  return out; }"""
CURRENT = "n => document.querySelector('#screen-breadcrumb #breadcrumb-current')?.innerText === n"


@pytest.fixture(scope="module")
def base(app):
    with serve(app.server) as url:
        yield url


@pytest.mark.parametrize("width, height", [(1920, 1080), (3840, 2160)])
def test_screen010_wall_display_fits_names_regions_and_drills(base, app, chromium, width, height):
    ql = app.server.extensions["platform.query"]
    root = ql.tree.root
    scope = Scope(root=root, perms=role_perms("province_leader"), role="province_leader")
    cities = ql.children(scope, root)
    with signed_in_pages(chromium, base, viewport={"width": width, "height": height}) as make:
        page = make("demo-province")
        page.goto(f"{base}/screen")
        page.wait_for_function(DRAWN, polling=20)
        paint, drawn = page.evaluate(TIMES)
        print(f"\n大屏 {width}×{height}: first paint {paint:.0f} ms, all figures drawn {drawn:.0f} ms "
              f"({drawn - paint:.0f} ms after first paint)")
        page.wait_for_timeout(300)
        assert page.evaluate(OVERFLOW) == []
        # the map names its regions (text at their centroids)
        labels = page.evaluate("""() => [...document.querySelectorAll('#screen-map-graph .scatterlayer .textpoint text')]
            .map(t => (t.querySelector('tspan.line') || t).textContent)""")
        drawn_codes = codes_with_geometry(root // 10**10, 2)
        mapped = {n for c, n in zip(cities["code"], cities["name"]) if int(c) in drawn_codes}
        assert set(labels) == mapped and len(mapped) >= 9
        # the ranking's names: whole, or cut with … (the full name is in the hover)
        ticks = page.evaluate("() => [...document.querySelectorAll('#screen-rank-graph .ytick text')].map(t => t.textContent)")
        ranked = cities.filter(cities["income_operating"] != 0).sort("income_operating", descending=True)
        assert ticks == [short_name(n) for n in ranked["name"].to_list()[:len(ticks)]] and ticks
        for t in page.locator("#screen-rank-graph .ytick text").all():
            box, plot = t.bounding_box(), page.locator("#screen-rank-graph").bounding_box()
            assert box["x"] >= plot["x"] - 0.5  # not clipped on the left
        shot(page, f"screen-{width}x{height}")
        # a click on the city with data drills into it; 返回上级 comes back to the province
        city = int(ranked["code"][0])
        trace = page.locator("#screen-map-graph .scatterlayer .trace").nth(cities["code"].to_list().index(city))
        box = page.locator("#screen-map-graph text", has_text=ql.tree.name(city)).first.bounding_box() or \
            trace.locator("path.js-fill").bounding_box()
        page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
        page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
        page.wait_for_function(CURRENT, arg=ql.tree.name(city))
        page.wait_for_function(DRAWN, polling=20)
        page.wait_for_function("n => document.querySelector('#screen-title')?.innerText.startsWith(n)",
                               arg=ql.tree.name(city))
        page.wait_for_timeout(500)
        assert page.evaluate(OVERFLOW) == []
        shot(page, f"screen-{width}x{height}-city")
        page.click("#screen-back")
        page.wait_for_function(CURRENT, arg=ql.tree.name(root))
        assert page.locator("#screen-back").is_hidden()
