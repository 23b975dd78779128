"""Screenshots of every page type (issue 19): at 360 and 1280 px, in default and elder mode.

`pytest tests/browser -k screenshots --screenshots` (make screenshots) writes all of them to docs/screenshots/
as <page type>-<mode>-<width>.png; without the option each page type is shot once (default mode, 360 px)
into a temporary folder, so every run still proves each page renders and can be shot.

Each shot is the top of the page (up to SHOT_HEIGHT css px tall: what a reader sees first, and more) and
is stored with a 256-colour palette, which keeps docs/screenshots/ to a few megabytes.
"""

import struct

import pytest
from PIL import Image

from .conftest import ROOT

CITY = "localhost"
CUIYUAN = "cuiyuan.localhost"
HUBIN = "hubin.localhost"
MODES = ("default", "elder")
WIDTHS = (360, 1280)
SHOT_HEIGHT = 2000

# (name, host, path, who is signed in: None, "resident" on the host, or "admin" in the admin)
PAGES = [
    ("city-home", CITY, "/", None),
    ("district", CITY, "/donghu/", None),
    ("street", CITY, "/donghu/cuihu/", None),
    ("community-home-civic", CUIYUAN, "/", None),
    ("community-home-warm", HUBIN, "/", None),
    ("community-home-base", "wutongli.localhost", "/", None),
    ("notice", CUIYUAN, "/notices/notice-1/", None),
    ("notice-index", CUIYUAN, "/notices/", None),
    ("news", HUBIN, "/news/news-1/", None),
    ("event", CUIYUAN, "/events/free-clinic/", None),
    ("service-directory", CUIYUAN, "/services/", None),
    ("forum-index", HUBIN, "/forum/", None),
    ("forum-thread", CUIYUAN, "/forum/t/{thread}/", None),
    ("deliberations", CUIYUAN, "/deliberations/", None),
    ("deliberation-topic", CUIYUAN, "/deliberations/{topic}/", "resident"),
    ("poll", CUIYUAN, "/polls/satisfaction-2026/", None),
    ("complaint-form", CUIYUAN, "/complaints/new/", "resident"),
    ("my-complaints", CUIYUAN, "/complaints/", "resident"),
    ("mirror", HUBIN, "/mirror/", None),
    ("mirror-city", CITY, "/mirror/", None),
    ("organisation", CUIYUAN, "/organisations/cuiyuan-elder-care/", None),
    ("organisation-finances", CUIYUAN, "/organisations/cuiyuan-elder-care/finances/", None),
    ("election", CUIYUAN, "/elections/{election}/", "resident"),
    ("microblog", CUIYUAN, "/microblog/", None),
    ("search-results", CUIYUAN, "/search/?q=长者食堂", None),
    ("search-city", CITY, "/search/?q=垃圾分类", None),
    ("login", CUIYUAN, "/accounts/login/", None),
    ("sign-up", CUIYUAN, "/accounts/signup/", None),
    ("my-account", CUIYUAN, "/accounts/me/", "resident"),
    ("my-data", CUIYUAN, "/accounts/me/data/", "resident"),
    ("insights-dashboard", CITY, "/admin/insights/", "admin"),
    ("insights-map", CITY, "/admin/insights/map/", "admin"),
]


def png_width(path) -> int:
    header = path.read_bytes()[:24]
    assert header[:8] == b"\x89PNG\r\n\x1a\n", f"{path} is not a PNG"
    return struct.unpack(">I", header[16:20])[0]


def ids(portal_server) -> dict:
    """The demo's forum thread, open topic and election in 翠园, as the page paths name them."""

    def first(sql):
        return portal_server.query(sql)[0][0]

    cuiyuan = "(SELECT id FROM regions_community WHERE slug = 'cuiyuan')"
    return {
        "thread": first(f"SELECT id FROM forums_thread WHERE community_id = {cuiyuan} ORDER BY id"),
        "topic": first(f"SELECT id FROM deliberations_topic WHERE community_id = {cuiyuan} ORDER BY voting_ends DESC"),
        "election": first(f"SELECT id FROM elections_election WHERE community_id = {cuiyuan} ORDER BY id"),
    }


@pytest.fixture
def contexts(browser, portal_server):
    """contexts(who, mode) -> a page in a browser context signed in as `who` (kept for the test)."""
    from communities.regions.demo import DEMO_PASSWORD

    made = {}

    def get(who, host, mode):
        key = (who, host if who == "resident" else None, mode)
        if key not in made:
            context = browser.new_context(locale="zh-CN")
            if mode == "elder":
                hosts = {h for _n, h, _p, _w in PAGES}
                context.add_cookies([{"name": "elder_mode", "value": "1", "url": portal_server.url(h)} for h in hosts])
            page = context.new_page()
            if who is not None:
                login = "/admin/login/" if who == "admin" else "/accounts/login/"
                page.goto(portal_server.url(host, login))
                page.locator("#id_username").fill(who)
                page.locator("#id_password").fill(DEMO_PASSWORD)
                page.locator("#id_password").press("Enter")
                page.wait_for_load_state()
                assert "/login/" not in page.url, f"{who} could not log in on {host}"
            made[key] = page
        return made[key]

    yield get
    for page in made.values():
        page.context.close()


def test_screenshots_of_every_page_type(portal_server, contexts, request, tmp_path):
    everything = request.config.getoption("--screenshots")
    folder = ROOT / "docs" / "screenshots" if everything else tmp_path
    folder.mkdir(parents=True, exist_ok=True)
    names = ids(portal_server)
    written = []
    for name, host, path, who in PAGES:
        url = portal_server.url(host, path.format(**names))
        # The admin has no elder mode of its own: its pages are shot in default mode only.
        modes = (MODES if who != "admin" else MODES[:1]) if everything else MODES[:1]
        for mode in modes:
            page = contexts(who, host, mode)
            for width in WIDTHS if everything else WIDTHS[:1]:
                page.set_viewport_size({"width": width, "height": 800})
                response = page.goto(url)
                assert response is not None and response.status == 200, f"{url} answered {response.status}"
                page.wait_for_load_state("networkidle")  # maps and charts drawn
                assert page.locator("body.elder-mode").count() == (mode == "elder" and who != "admin")
                height = min(SHOT_HEIGHT, page.evaluate("() => document.documentElement.scrollHeight"))
                target = folder / f"{name}-{mode}-{width}.png"
                page.screenshot(
                    path=str(target), full_page=True, clip={"x": 0, "y": 0, "width": width, "height": height}
                )
                Image.open(target).convert("RGB").quantize(colors=256).save(target, optimize=True)
                written.append((target, width))
    assert len(written) == (sum(2 if who == "admin" else 4 for *_, who in PAGES) if everything else len(PAGES))
    for path, width in written:
        assert png_width(path) == width
