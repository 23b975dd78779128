"""An open topic page follows the tally: a vote cast in another browser shows up without reloading. The
voter lands on the receipt page (post/redirect/get), which shows the code once."""

import json
import os
import re
import subprocess
import sys

from playwright.sync_api import expect

from .conftest import ROOT

DEMO_PASSWORD = "demo-2026"
HOST = "cuiyuan.localhost"

CREATE_TOPIC = """
import json
from datetime import timedelta
from django.utils import timezone
from communities.regions.models import Community
from participation.deliberations.models import Option, Topic
now = timezone.now()
topic = Topic.objects.create(
    community=Community.objects.get(slug="cuiyuan"), title="小区东门加装快递柜", description="是否加装",
    discussion_starts=now - timedelta(days=2), voting_starts=now - timedelta(days=1),
    voting_ends=now + timedelta(days=1), secret=False,
)
for i, label in enumerate(["同意", "反对"]):
    Option.objects.create(topic=topic, label=label, sort_order=i)
print(json.dumps(topic.pk))
"""


def create_open_topic(portal_server) -> int:
    """Written straight into the server's database (no push needed: nobody watches it yet)."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "portal.settings.test",
        "DATABASE_URL": f"sqlite:///{portal_server.db_path}",
        "REDIS_URL": "",
    }
    out = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", CREATE_TOPIC], cwd=ROOT, env=env, check=True, capture_output=True
    )
    return json.loads(out.stdout.decode().strip().splitlines()[-1])


def test_the_tally_changes_on_an_open_page_when_someone_votes_elsewhere(portal_server, browser, visitor):
    topic_id = create_open_topic(portal_server)
    topic_url = portal_server.url(HOST, f"/deliberations/{topic_id}/")
    visitor.goto(topic_url)
    results = visitor.locator("#live-results")
    expect(results.locator("caption")).to_contain_text("0 人投票")

    voter_context = browser.new_context(locale="zh-CN")
    try:
        voter = voter_context.new_page()
        voter.goto(portal_server.url(HOST, f"/accounts/login/?next=/deliberations/{topic_id}/"))
        voter.locator("#id_username").fill("resident")
        voter.locator("#id_password").fill(DEMO_PASSWORD)
        voter.locator("#id_password").press("Enter")  # the login form's own submit (the header has forms too)
        voter.wait_for_url(re.compile(rf"/deliberations/{topic_id}/$"))
        voter.get_by_label("同意").check()
        voter.get_by_role("button", name="投出我的一票").click()
        # Post/redirect/get: the receipt page, its code shown once, in no URL, its cookie gone after.
        voter.wait_for_url(re.compile(rf"/deliberations/{topic_id}/receipt/$"))
        code = voter.locator(".receipt code")
        expect(code).to_have_text(re.compile(r"^[A-Z2-9]{4}(-[A-Z2-9]{4}){4}$"))
        receipt = code.inner_text()
        assert receipt not in voter.url
        assert not [c for c in voter_context.cookies() if c["name"] == "ballot_receipt"]
        voter.reload()
        expect(voter.locator(".receipt-gone")).to_be_visible()
        assert receipt not in voter.content()
        voter.go_back()  # history holds the topic page and the receipt page, never the POST
        expect(voter).to_have_url(re.compile(rf"/deliberations/{topic_id}/$"))
    finally:
        voter_context.close()

    # Playwright waits (up to its timeout) for the pushed tally: the page is never reloaded.
    expect(results.locator("caption")).to_contain_text("1 人投票")
    expect(results.locator("tbody tr").first.locator("td").first).to_have_text("1")
    expect(results.locator("tbody tr").first.locator("meter")).to_have_attribute("value", "100")
    expect(visitor.locator("#tally-status")).to_contain_text("1 人投票")
    assert visitor.url == topic_url
    # The block rendered from the pushed numbers says what the server renders on a reload.
    pushed = " ".join(results.inner_text().split())
    visitor.reload()
    expect(results.locator("caption")).to_contain_text("1 人投票")
    assert " ".join(results.inner_text().split()) == pushed
