"""The demo city shows a homeowners' decision with documents and photos, and a proposal collecting co-signers."""

import pytest

from participation.deliberations.models import Proposal, Topic
from tests.conftest import seed_demo_city_once

# The demo city is recorded once per worker: its tests share one (tests/conftest.py, seed_demo_city_once).
pytestmark = pytest.mark.xdist_group("demo-city")


def test_demo_city_has_deliberations(db, host_client):
    assert seed_demo_city_once()
    topic = Topic.objects.get(title="3号楼1单元加装电梯")
    page = host_client("cuiyuan.localhost").get(f"/deliberations/{topic.pk}/", HTTP_ACCEPT_LANGUAGE="en")
    body = page.content.decode()
    assert page.status_code == 200 and "加装电梯施工方案与报价" in body and 'alt="3号楼1单元电梯井道施工现场' in body
    assert "Decided: “同意加装”" in body
    proposal = Proposal.objects.get(title="小区北门增设电动车充电棚")
    assert proposal.status == Proposal.Status.COLLECTING and proposal.cosignatures.count() == 2
    listing = host_client("cuiyuan.localhost").get("/deliberations/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Collecting co-signers (2 of 5)" in listing and "Propose a topic" in listing


def test_the_demo_resident_can_vote_and_answer_right_after_seeding(db, host_client):
    """Issue 19: an open deliberation vote and an open poll for the demo resident; the demo also shows a moved
    end of voting with its reason, a topic limited to 3号楼, a declined proposal and the running commitment."""
    from communities.regions.demo import create_demo_accounts
    from participation.deliberations import ballots
    from participation.polls.models import PollPage
    from portal.accounts.models import User

    assert seed_demo_city_once()
    create_demo_accounts()
    client = host_client("cuiyuan.localhost", User.objects.get(username="resident"))
    open_topics = [t for t in Topic.objects.filter(community__slug="cuiyuan") if t.is_voting_open()]
    assert {t.title for t in open_topics} == {"小区停车位改造方案", "3号楼楼道照明改造"}
    for topic in open_topics:
        body = client.get(f"/deliberations/{topic.pk}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
        assert 'name="nonce"' in body and "Cast my vote" in body, topic.title
        assert ballots.commitment_problems(topic) == []
        verify = client.get(f"/deliberations/{topic.pk}/verify/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
        assert ballots.running_commitment(topic)["digest"] in verify
    parking = next(t for t in open_topics if t.title == "小区停车位改造方案")
    body = client.get(f"/deliberations/{parking.pk}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "The end of voting was moved" in body and "施工单位排期提前" in body
    lights = next(t for t in open_topics if t.title == "3号楼楼道照明改造")
    assert "living in 3号楼" in client.get(f"/deliberations/{lights.pk}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    declined = Proposal.objects.get(title="在活动室开设麻将室")
    assert declined.status == Proposal.Status.DECLINED
    page = client.get(f"/deliberations/proposals/{declined.pk}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "老年活动中心" in page
    cuiyuan = Topic.objects.filter(community__slug="cuiyuan").first().community
    poll = PollPage.objects.descendant_of(cuiyuan.root_page).get(slug="satisfaction-2026")
    poll_page = client.get(poll.url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Submit my answers" in poll_page and "You have answered" not in poll_page
