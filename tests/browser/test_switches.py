"""The switches on every page work with JavaScript off, and a theme chosen in the admin shows at once."""

import pytest

DEMO_PASSWORD = "demo-2026"
WARM_PRIMARY = "rgb(138, 59, 18)"  # #8a3b12, the warm theme's colour


@pytest.fixture
def no_js_page(browser):
    context = browser.new_context(java_script_enabled=False, viewport={"width": 360, "height": 800}, locale="zh-CN")
    yield context.new_page()
    context.close()


def body_font_size(page):
    # JavaScript is off in the page, but Playwright's own evaluation still works.
    return page.locator("body").evaluate("el => parseFloat(getComputedStyle(el).fontSize)")


def test_language_and_elder_switches_work_without_javascript(portal_server, no_js_page):
    page = no_js_page
    page.goto(portal_server.url("cuiyuan.localhost", "/notices/"))
    assert page.locator("html").get_attribute("lang") == "zh-Hans"
    assert page.locator("h1").inner_text() == "通知公告"
    default_size = body_font_size(page)

    page.get_by_role("button", name="English").click()
    page.wait_for_url("**/notices/")
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.get_by_role("link", name="Elder-friendly mode").is_visible()
    assert page.get_by_role("search").get_by_role("button", name="Search").is_visible()
    assert page.get_by_role("link", name="Log in").is_visible()

    page.get_by_role("link", name="Elder-friendly mode").click()
    page.wait_for_url("**/notices/")
    assert body_font_size(page) >= 18 > default_size
    assert page.locator("body.elder-mode").count() == 1

    page.get_by_role("link", name="Standard mode").click()
    page.wait_for_url("**/notices/")
    assert body_font_size(page) == default_size

    page.get_by_role("button", name="中文").click()
    page.wait_for_url("**/notices/")
    assert page.locator("html").get_attribute("lang") == "zh-Hans"


def test_search_box_in_the_header_finds_a_service(portal_server, no_js_page):
    page = no_js_page
    page.goto(portal_server.url("hubin.localhost", "/"))
    page.get_by_role("searchbox", name="站内搜索").fill("长者食堂")
    page.get_by_role("search").get_by_role("button", name="搜索").click()
    page.wait_for_url("**/search/?q=*")
    assert page.locator(".search-results a", has_text="长者食堂").count() == 1


def test_theme_chosen_in_the_admin_changes_the_live_site_without_restart(portal_server, visitor):
    page = visitor
    home = portal_server.url("xinhua.localhost", "/")
    page.goto(home)
    assert page.locator("body.theme-base").count() == 1  # and now cached for visitors
    base_colour = page.locator(".site-header").evaluate("el => getComputedStyle(el).backgroundColor")

    (site_id,) = portal_server.query("SELECT id FROM wagtailcore_site WHERE hostname = ?", "xinhua.localhost")[0]
    admin = page.context.browser.new_context()
    try:
        editor = admin.new_page()
        editor.goto(portal_server.url("localhost", "/admin/login/"))
        editor.locator("#id_username").fill("admin")
        editor.locator("#id_password").fill(DEMO_PASSWORD)
        editor.locator("form button[type=submit]").first.click()
        editor.wait_for_url("**/admin/")
        editor.goto(portal_server.url("localhost", f"/admin/settings/regions/communitysettings/{site_id}/"))
        editor.locator("#id_theme").select_option("warm")
        editor.locator("button.action-save, button[type=submit].button-longrunning").first.click()
        editor.wait_for_load_state()
        assert editor.locator("#id_theme").input_value() == "warm"
    finally:
        admin.close()

    page.goto(home)
    assert page.locator("body.theme-warm").count() == 1
    assert page.locator(".welcome").count() == 1  # the warm theme's own home template
    colour = page.locator(".site-header").evaluate("el => getComputedStyle(el).backgroundColor")
    assert colour == WARM_PRIMARY != base_colour
