"""A resident votes in an open election: the seat limit is enforced by the page with a clear message,
and the receipt is shown after a valid ballot (wherever the server puts it: the test waits for the
receipt's text, not for a URL)."""

import json
import os
import re
import subprocess
import sys

from playwright.sync_api import expect

from .conftest import ROOT

DEMO_PASSWORD = "demo-2026"
HOST = "cuiyuan.localhost"
TITLE = "第十三届居民委员会委员补选（浏览器测试）"

# An election of its own (the demo's open election is left to the other browser tests): two seats of
# 委员, three candidates from the demo's voters, the demo resident on the voter list, voting open.
CREATE_ELECTION = f"""
import json
from datetime import timedelta
from django.contrib.auth import get_user_model
from django.utils import timezone
from communities.regions.models import Community
from participation.elections import phases
from participation.elections.models import Candidate, Election, Post
now = timezone.now()
election = Election.objects.create(
    community=Community.objects.get(slug="cuiyuan"), title="{TITLE}", announcement="补选公告",
    announced_at=now - timedelta(days=6), voter_list_from=now - timedelta(days=5),
    nominations_from=now - timedelta(days=4), acceptance_from=now - timedelta(days=3),
    candidates_from=now - timedelta(days=2), voting_starts=now - timedelta(hours=1),
    voting_ends=now + timedelta(days=1),
)
post = Post.objects.create(election=election, name="委员", seats=2, sort_order=0)
for username in ("demo_liu", "demo_chen", "demo_zhao"):
    Candidate.objects.create(
        election=election, post=post, person=get_user_model().objects.get(username=username),
        status=Candidate.Status.ACCEPTED,
    )
phases.build_voter_list(election)
assert election.voter_list.filter(user__username="resident").exists()
print(json.dumps(election.pk))
"""


def create_open_election(portal_server) -> int:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "portal.settings.test",
        "DATABASE_URL": f"sqlite:///{portal_server.db_path}",
        "REDIS_URL": "",
    }
    out = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", CREATE_ELECTION],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
    )
    return json.loads(out.stdout.decode().strip().splitlines()[-1])


def test_a_resident_votes_within_the_seat_limit_and_gets_a_receipt(portal_server, browser):
    election_id = create_open_election(portal_server)
    context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    try:
        page = context.new_page()
        page.goto(portal_server.url(HOST, "/accounts/login/?next=/elections/"))
        page.locator("#id_username").fill("resident")
        page.locator("#id_password").fill(DEMO_PASSWORD)
        page.locator("#id_password").press("Enter")
        page.wait_for_url(re.compile(r"/elections/$"))

        # The open election is listed; its page shows the ballot.
        page.get_by_role("link", name=TITLE).click()
        page.wait_for_url(re.compile(rf"/elections/{election_id}/$"))
        ballot = page.locator(f"form[action='/elections/{election_id}/vote/']")
        expect(ballot).to_be_visible()
        expect(ballot).to_contain_text("最多选 2 人")

        # Three of three for two seats: refused, with the reason, and nothing recorded.
        for name in ("刘师傅", "陈老师", "赵大姐"):
            ballot.get_by_label(name).check()
        ballot.get_by_role("button", name="投出我的选票").click()
        expect(page.locator("#vote [role=alert]")).to_contain_text("请修改下面的选票")
        expect(page.locator("#vote")).to_contain_text("委员 只有 2 个名额，您选了 3 人：最多只能选 2 人。")
        expect(page.locator(".receipt")).to_have_count(0)
        assert _roll(portal_server, election_id) == 0

        # Two of three: recorded, and the receipt is shown (whatever URL the answer lands on).
        ballot = page.locator(f"form[action='/elections/{election_id}/vote/']")
        for name, wanted in (("刘师傅", True), ("陈老师", True), ("赵大姐", False)):
            ballot.get_by_label(name).set_checked(wanted)
        ballot.get_by_role("button", name="投出我的选票").click()
        expect(page.get_by_role("heading", name="您的选票已记录")).to_be_visible()
        receipt = page.locator(".receipt").inner_text().strip()
        assert re.fullmatch(r"(\w{4}-){4}\w{4}", receipt), receipt  # XXXX-XXXX-XXXX-XXXX-XXXX
        assert _roll(portal_server, election_id) == 1

        # Back on the election's page: already voted, no second ballot.
        page.goto(portal_server.url(HOST, f"/elections/{election_id}/"))
        expect(page.locator(f"form[action='/elections/{election_id}/vote/']")).to_have_count(0)
        expect(page.locator("#vote")).to_contain_text("已记录")
    finally:
        context.close()


def _roll(portal_server, election_id) -> int:
    return portal_server.query("SELECT COUNT(*) FROM elections_voterroll WHERE election_id = ?", election_id)[0][0]
