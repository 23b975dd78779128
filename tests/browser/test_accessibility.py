"""Every public page type, in a real Chromium against the real server: axe, keyboard and elder mode."""

import pytest
from axe_playwright_python.sync_playwright import Axe

from .pages import ACTIVE_JS, FOCUSABLES_JS, OVERFLOW_JS, PAGE_TYPES, SMALL_TARGETS_JS, WIDTHS, blocking_violations

axe = Axe()
MAX_TABS = 120


def open_page(page, url):
    response = page.goto(url)
    assert response is not None and response.status == 200, f"{url} answered {response and response.status}"


def axe_problems(page, label) -> list[str]:
    problems = []
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        problems += [f"[{label}, {width}px] {p}" for p in blocking_violations(axe.run(page))]
    return problems


def focus_top_of_page(page):
    """Put the sequential focus starting point before everything (an autofocus field would skip the header)."""
    page.evaluate(
        """() => { const start = document.createElement('span'); start.tabIndex = -1;
        document.body.prepend(start); start.focus(); window.scrollTo(0, 0); }"""
    )


def keyboard_problems(page) -> list[str]:
    """Tab from the top: every interactive element is reached, visibly focused and on screen."""
    expected = page.evaluate(FOCUSABLES_JS)
    focus_top_of_page(page)
    reached, problems = set(), []
    for _ in range(min(len(expected) + 5, MAX_TABS)):
        page.keyboard.press("Tab")
        active = page.evaluate(ACTIVE_JS)
        if active is None or active["index"] is None:
            break  # focus left the page's own elements: one full round done
        reached.add(int(active["index"]))
        if not active["visible"]:
            problems.append(f"no visible focus on {expected[int(active['index'])]}")
        if not active["onScreen"]:
            problems.append(f"focused element off screen: {expected[int(active['index'])]}")
    problems += [f"not reachable by Tab: {expected[i]}" for i in range(len(expected)) if i not in reached]
    return problems


def skip_link_problems(page) -> list[str]:
    focus_top_of_page(page)
    page.keyboard.press("Tab")
    first = page.evaluate("() => document.activeElement.className")
    if "skip-link" not in first:
        return [f"the first Tab stop is {first!r}, not the skip link"]
    page.keyboard.press("Enter")
    focused = page.evaluate("() => document.activeElement.id")
    return [] if focused == "main" else [f"the skip link moved focus to {focused!r}, not to main"]


@pytest.mark.parametrize(("name", "host", "path"), PAGE_TYPES, ids=[name for name, _, _ in PAGE_TYPES])
def test_public_page_is_accessible(portal_server, visitor, elder_visitor, name, host, path):
    url = portal_server.url(host, path)
    problems = []

    open_page(visitor, url)
    problems += axe_problems(visitor, "default")
    visitor.set_viewport_size({"width": 1280, "height": 900})
    problems += skip_link_problems(visitor)
    problems += keyboard_problems(visitor)
    visitor.set_viewport_size({"width": 360, "height": 800})
    problems += [f"wider than 360px: {p}" for p in visitor.evaluate(OVERFLOW_JS)]

    open_page(elder_visitor, url)
    problems += axe_problems(elder_visitor, "elder")
    elder_visitor.set_viewport_size({"width": 360, "height": 800})
    body_size = elder_visitor.evaluate("() => parseFloat(getComputedStyle(document.body).fontSize)")
    if body_size < 18:
        problems.append(f"elder mode body text is {body_size}px, below 18px")
    problems += [f"elder mode target too small: {p}" for p in elder_visitor.evaluate(SMALL_TARGETS_JS)]
    problems += [f"elder mode wider than 360px: {p}" for p in elder_visitor.evaluate(OVERFLOW_JS)]
    assert elder_visitor.locator("body.elder-mode").count() == 1

    assert not problems, f"{name} ({url}):\n" + "\n".join(problems)


def test_axe_check_catches_a_broken_label(portal_server, visitor):
    """The same check fails on a real regression: the login page served with its username label removed."""
    login_url = portal_server.url("cuiyuan.localhost", "/accounts/login/")
    open_page(visitor, login_url)
    html = visitor.content()
    label_start = html.index('<label for="id_username"')
    broken = html[:label_start] + html[html.index("</label>", label_start) + len("</label>") :]
    fixture_url = portal_server.url("cuiyuan.localhost", "/__fixture__/broken-label/")
    visitor.route(fixture_url, lambda route: route.fulfill(status=200, content_type="text/html", body=broken))
    try:
        open_page(visitor, fixture_url)
        problems = blocking_violations(axe.run(visitor))
    finally:
        visitor.unroute(fixture_url)
    assert any(p.startswith("label (critical)") and "#id_username" in p for p in problems), problems


def _resident_context(browser, portal_server, host, elder: bool):
    """A browser context logged in as the demo resident on `host` (elder mode on or off)."""
    from communities.regions.demo import DEMO_PASSWORD

    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    if elder:
        context.add_cookies([{"name": "elder_mode", "value": "1", "url": portal_server.url(host)}])
    page = context.new_page()
    open_page(page, portal_server.url(host, "/accounts/login/"))
    page.locator("#id_username").fill("resident")
    page.locator("#id_password").fill(DEMO_PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()
    return context, page


def page_problems(page, label) -> list[str]:
    problems = axe_problems(page, label)
    page.set_viewport_size({"width": 1280, "height": 900})
    return problems + skip_link_problems(page) + keyboard_problems(page)


@pytest.mark.parametrize("elder", [False, True], ids=["default", "elder"])
def test_complaint_form_and_the_residents_complaint_page_are_accessible(portal_server, browser, tmp_path, elder):
    """我有话说 as the resident uses it: the empty form, the form sent back with errors, and the
    complaint's own page with its photo."""
    host = "cuiyuan.localhost"
    context, page = _resident_context(browser, portal_server, host, elder)
    try:
        open_page(page, portal_server.url(host, "/complaints/new/"))
        assert page.locator("input[type=file][name=photos][multiple]").count() == 1
        problems = page_problems(page, "form")

        page.locator("#id_description").fill("小区北门路灯坏了一周。")
        page.locator("main form[enctype='multipart/form-data'] button[type=submit]").click()
        page.wait_for_load_state()
        assert page.locator(".form-errors").count() == 1, "the form comes back with errors (no category)"
        assert page.locator("#id_description").input_value() == "小区北门路灯坏了一周。"
        problems += page_problems(page, "form with errors")

        photo = tmp_path / "lamp.png"
        from PIL import Image

        Image.new("RGB", (64, 48), "orange").save(photo)
        page.locator("#id_kind").select_option("hazard")
        page.locator("#id_category").select_option(label="道路破损")
        page.locator("#id_address").fill("北门")
        page.locator("#id_photos").set_input_files(str(photo))
        page.locator("main form[enctype='multipart/form-data'] button[type=submit]").click()
        page.wait_for_load_state()
        errors = page.locator(".has-error, .form-errors").all_inner_texts()
        assert page.locator("ul.photos").count() == 1, f"not submitted ({page.url}): {errors}"
        image = page.locator("ul.photos img").first
        image.scroll_into_view_if_needed()  # the photos load lazily
        loaded_width = image.evaluate(
            """img => img.complete ? img.naturalWidth : new Promise(done => {
                img.addEventListener("load", () => done(img.naturalWidth));
                img.addEventListener("error", () => done(0));
            })"""
        )
        assert loaded_width == 64, "the resident sees the photo"
        problems += page_problems(page, "complaint page")
    finally:
        context.close()
    assert not problems, "\n".join(problems)
