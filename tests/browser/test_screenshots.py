"""Screenshots of a community home in two themes, both modes, phone and desktop width.

`pytest tests/browser -k screenshots --screenshots` (make screenshots) writes them to docs/screenshots/;
without the option they go to a temporary folder, so the run still proves every one can be made.
"""

import struct

from .conftest import ROOT

THEMED_HOMES = [("civic", "cuiyuan.localhost"), ("warm", "hubin.localhost")]
MODES = ("default", "elder")
WIDTHS = (360, 1280)


def png_width(path) -> int:
    header = path.read_bytes()[:24]
    assert header[:8] == b"\x89PNG\r\n\x1a\n", f"{path} is not a PNG"
    return struct.unpack(">I", header[16:20])[0]


def test_screenshots_of_the_community_home(portal_server, browser, request, tmp_path):
    folder = ROOT / "docs" / "screenshots" if request.config.getoption("--screenshots") else tmp_path
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for theme, host in THEMED_HOMES:
        for mode in MODES:
            context = browser.new_context(locale="zh-CN")
            if mode == "elder":
                context.add_cookies([{"name": "elder_mode", "value": "1", "url": portal_server.url(host)}])
            page = context.new_page()
            for width in WIDTHS:
                page.set_viewport_size({"width": width, "height": 800})
                page.goto(portal_server.url(host))
                assert page.locator(f"body.theme-{theme}").count() == 1
                path = folder / f"community-home-{theme}-{mode}-{width}.png"
                page.screenshot(path=str(path), full_page=True)
                written.append((path, width))
            context.close()
    assert len(written) == len(THEMED_HOMES) * len(MODES) * len(WIDTHS)
    for path, width in written:
        assert png_width(path) == width
