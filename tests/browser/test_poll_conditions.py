"""A poll's conditional question in a real browser, with and without JavaScript (issue 19): hidden until
its condition's answer is ticked, hidden again when another answer is ticked, and never an internal key."""

import pytest

from .test_accessibility import open_page

POLL = "/polls/satisfaction-2026/"


@pytest.mark.parametrize("javascript", [True, False], ids=["with-js", "without-js"])
def test_the_conditional_question_follows_its_condition(browser, portal_server, javascript):
    context = browser.new_context(
        viewport={"width": 360, "height": 800}, locale="zh-CN", java_script_enabled=javascript
    )
    try:
        page = context.new_page()
        open_page(page, portal_server.url("cuiyuan.localhost", POLL))
        canteen = page.locator('.question[data-question="canteen"]')
        assert not canteen.is_visible(), "shown before its condition is met"
        page.locator('input[name="elder_canteen"][value="是"]').check()
        assert canteen.is_visible(), "still hidden once its condition is met"
        page.locator('input[name="elder_canteen"][value="否"]').check()
        assert not canteen.is_visible(), "still shown after another answer"
        assert "elder_canteen" not in page.locator("main").inner_text()
    finally:
        context.close()
