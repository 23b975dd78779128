"""The insights map and charts in a real Chromium against the demo server: boundaries and points are drawn
from the portal's own copy of Leaflet and ECharts, scoped to the user, and axe finds nothing serious."""

import pytest
from axe_playwright_python.sync_playwright import Axe

from .pages import blocking_violations

axe = Axe()


def _staff_page(browser, portal_server, username):
    from communities.regions.demo import DEMO_PASSWORD

    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    page = context.new_page()
    page.goto(portal_server.url("localhost", "/admin/login/"))
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill(DEMO_PASSWORD)
    page.locator("form button[type=submit]").first.click()
    page.wait_for_url("**/admin/")
    return context, page


def _drawn(page):
    page.locator("#insights-map[data-ready='1']").wait_for()
    return {
        "areas": page.locator("#insights-map path.insights-area").count(),
        "points": page.locator("#insights-map path.insights-point").count(),
        "clusters": page.locator("#insights-map .marker-cluster").count(),
        "tiles": page.locator("#insights-map .leaflet-tile").count(),
    }


# The first map shows the largest areas of which the user's communities make several: the city's two
# districts for the city administrator, the street's two communities for its editor.
@pytest.mark.parametrize(("username", "areas"), [("admin", 2), ("street", 2)])
def test_the_map_draws_the_users_boundaries_and_points(portal_server, browser, username, areas):
    context, page = _staff_page(browser, portal_server, username)
    try:
        response = page.goto(portal_server.url("localhost", "/admin/insights/map/"))
        assert response.status == 200
        drawn = _drawn(page)
        assert drawn["areas"] == areas, drawn
        assert drawn["points"] + drawn["clusters"] >= 1, drawn  # 湖滨's complaints, pinned by the demo
        assert drawn["tiles"] == 0  # no PORTAL_MAP_TILE_URL: a plain background, nothing fetched
        # complaints, services and organisations (the demo places them): a layer each, with its toggle
        assert page.locator("#insights-map .leaflet-control-layers-overlays input[type=checkbox]").count() == 3
        rows = page.locator("main table tbody tr").count()
        assert rows == areas
        for level, count in (
            ("community", 6 if username == "admin" else 2),
            ("street", 3 if username == "admin" else 1),
            ("district", 2 if username == "admin" else 1),
        ):
            page.goto(
                portal_server.url("localhost", f"/admin/insights/map/?level={level}&shading=complaints.overdue_share")
            )
            assert _drawn(page)["areas"] == count
        problems = blocking_violations(axe.run(page))
        assert not problems, problems
    finally:
        context.close()


def test_the_dashboard_charts_are_drawn_and_accessible(portal_server, browser):
    context, page = _staff_page(browser, portal_server, "admin")
    try:
        response = page.goto(portal_server.url("localhost", "/admin/insights/"))
        assert response.status == 200
        charts = page.locator("[data-chart]").count()
        assert charts >= 1
        page.locator("[data-chart-ready='1'] svg").first.wait_for()
        assert page.locator("[data-chart-ready='1']").count() >= 1
        problems = blocking_violations(axe.run(page))
        assert not problems, problems
    finally:
        context.close()


def test_elder_mode_and_the_language_switch_on_the_dashboard_and_the_map(portal_server, browser):
    """The toggle (a POST to the public preferences view) turns on elder-friendly mode for the dashboard and
    the map, keeping the filters; axe finds nothing serious with the larger text; the language switch turns
    the admin to English and back. Both are stored on the user, so the test turns them off again."""
    context, page = _staff_page(browser, portal_server, "street")
    query = "?shading=complaints.overdue_share&level=community"
    try:
        for path in ("/admin/insights/", "/admin/insights/map/"):
            page.goto(portal_server.url("localhost", path + query))
            assert "elder-mode" not in (page.locator("body").get_attribute("class") or "")
            font_size = page.locator("main table th").first.evaluate("e => parseFloat(getComputedStyle(e).fontSize)")
            page.get_by_role("button", name="长辈模式").click()
            page.wait_for_url("**" + path + query)
            assert "elder-mode" in page.locator("body").get_attribute("class")
            assert page.locator("link[href$='themes/base/insights-elder.css']").count() == 1
            larger = page.locator("main table th").first.evaluate("e => parseFloat(getComputedStyle(e).fontSize)")
            assert larger > font_size
            if path.endswith("map/"):
                _drawn(page)
            else:
                page.locator("[data-chart-ready='1'] svg").first.wait_for()
            problems = blocking_violations(axe.run(page))
            assert not problems, (path, problems)
            page.get_by_role("button", name="标准模式").click()
            page.wait_for_url("**" + path + query)
            assert "elder-mode" not in (page.locator("body").get_attribute("class") or "")

        page.get_by_role("button", name="English").click()
        page.wait_for_url("**/admin/insights/map/" + query)
        assert page.locator("html").get_attribute("lang") == "en"
        assert page.get_by_role("button", name="Elder-friendly mode").count() == 1
        page.get_by_role("button", name="中文").click()
        page.wait_for_url("**/admin/insights/map/" + query)
        assert page.locator("html").get_attribute("lang") == "zh-hans"
    finally:
        context.close()


def test_a_resident_pins_the_place_on_the_complaint_form(portal_server, browser):
    from communities.regions.demo import DEMO_PASSWORD

    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    try:
        page = context.new_page()
        page.goto(portal_server.url("cuiyuan.localhost", "/accounts/login/"))
        page.locator("#id_username").fill("resident")
        page.locator("#id_password").fill(DEMO_PASSWORD)
        page.locator("main form button[type=submit]").click()
        page.wait_for_load_state()
        page.goto(portal_server.url("cuiyuan.localhost", "/complaints/new/"))
        page.locator("#complaint-map[data-ready='1']").wait_for()
        assert page.locator("#id_latitude").input_value() == ""
        page.locator("#complaint-map").click()  # the middle of the map: inside 翠园's generated boundary
        latitude, longitude = (
            float(page.locator("#id_latitude").input_value()),
            float(page.locator("#id_longitude").input_value()),
        )
        ((boundary,),) = portal_server.query("SELECT boundary FROM regions_community WHERE slug = 'cuiyuan'")
        import json

        ring = json.loads(boundary)["coordinates"][0]
        assert ring[0][1] <= latitude <= ring[2][1] and ring[0][0] <= longitude <= ring[2][0]
        assert page.locator("#complaint-map path.complaint-pin").count() == 1
        page.locator("#complaint-map-clear").click()
        assert page.locator("#id_latitude").input_value() == ""
        problems = blocking_violations(axe.run(page))
        assert not problems, problems
    finally:
        context.close()


def test_staff_pin_a_services_place_in_the_page_editor(portal_server, browser):
    """The complaint form's pin map in the editor of a service: a click fills latitude and longitude inside
    the community's boundary."""
    import json

    ((root, boundary),) = portal_server.query(
        "SELECT p.path, c.boundary FROM regions_community c JOIN wagtailcore_page p ON p.id = c.root_page_id"
        " WHERE c.slug = 'cuiyuan'"
    )
    ((service_id,),) = portal_server.query(
        "SELECT s.page_ptr_id FROM community_services_servicepage s JOIN wagtailcore_page p ON p.id = s.page_ptr_id"
        " WHERE p.path LIKE ? || '%' ORDER BY p.path LIMIT 1",
        root,
    )
    context, page = _staff_page(browser, portal_server, "admin")
    try:
        page.goto(portal_server.url("localhost", f"/admin/pages/{service_id}/edit/"))
        page.locator("#complaint-map[data-ready='1']").wait_for()
        assert page.locator("#complaint-map path.complaint-pin").count() == 1  # the demo's place, from the fields
        before = page.locator("#id_latitude").input_value()
        page.locator("#complaint-map").click()  # the middle of the map: inside 翠园's boundary
        assert page.locator("#id_latitude").input_value() != before
        latitude = float(page.locator("#id_latitude").input_value())
        longitude = float(page.locator("#id_longitude").input_value())
        ring = json.loads(boundary)["coordinates"][0]
        assert ring[0][1] <= latitude <= ring[2][1] and ring[0][0] <= longitude <= ring[2][0]
    finally:
        context.close()
