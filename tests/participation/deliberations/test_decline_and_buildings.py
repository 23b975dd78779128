"""Workers decline a residents' proposal with a reason its proposer is sent and its page shows; a topic limited
to some buildings takes its electorate from the memberships in those buildings."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db.models import ProtectedError
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from wagtail.test.utils.form_data import inline_formset

from participation.deliberations import ballots, proposals
from participation.deliberations.ballots import VoteRefused, cast_vote
from participation.deliberations.electorate import electorate_for
from participation.deliberations.models import DeliberationSettings, Proposal, Topic, TopicBuilding
from portal.accounts.models import Building, Home
from portal.notifications.models import Notification

from .conftest import close_voting
from .test_admin import admin_client, topic_form, worker  # noqa: F401  (the fixture)


def site(user=None):
    client = Client(HTTP_HOST="a1.localhost", HTTP_ACCEPT_LANGUAGE="en")
    if user is not None:
        client.force_login(user)
    return client


@pytest.fixture
def proposal(city, resident):
    DeliberationSettings.objects.create(community=city["a1"], residents_may_propose=True, cosigners_needed=3)
    proposer = resident(city["a1"], display_name="张阿姨")
    return proposals.submit(proposer, city["a1"], "小区北门增设充电棚", "避免飞线充电", ["同意", "反对"])


# Declining a proposal -----------------------------------------------------------------------------


def test_worker_declines_with_a_reason_the_proposer_is_sent(
    city,
    worker,  # noqa: F811
    proposal,
    resident,
    django_capture_on_commit_callbacks,
):
    client = admin_client(worker)
    url = reverse("deliberations_decline_proposal", args=[proposal.pk])
    listing = client.get(reverse("wagtailsnippets_deliberations_proposal:list")).content.decode()
    assert url in listing and reverse("deliberations_open_proposal", args=[proposal.pk]) in listing
    assert client.get(url).status_code == 200
    empty = client.post(url, {"reason": "   "})
    assert empty.status_code == 400 and "Say why" in empty.content.decode()
    reason = "北门空地已规划为消防通道，不能建车棚；充电棚将建在3号楼东侧，见下月公告。"
    with django_capture_on_commit_callbacks(execute=True):  # the proposer is told once the decision is committed
        response = client.post(url, {"reason": reason})
    assert response.status_code == 302
    proposal.refresh_from_db()
    assert proposal.status == Proposal.Status.DECLINED and proposal.declined_by == worker
    assert proposal.decline_reason == reason
    sent = Notification.objects.get(recipient=proposal.proposer, verb="deliberations.proposal.declined")
    assert reason in sent.text and sent.url.endswith(f"/deliberations/proposals/{proposal.pk}/")
    page = site().get(f"/deliberations/proposals/{proposal.pk}/").content.decode()
    assert "Declined by the community office" in page and reason in page and "I support this proposal" not in page
    listing = site().get("/deliberations/").content.decode()
    assert "Declined by the community office" in listing
    with pytest.raises(proposals.ProposalRefused, match="declined"):
        proposals.cosign(resident(city["a1"]), proposal)
    with pytest.raises(proposals.ProposalRefused, match="declined"):
        proposals.open_as_topic(proposal, Topic(community=city["a1"]))
    assert client.post(url, {"reason": "again"}).status_code == 302  # already declined: back to the list
    assert Notification.objects.filter(recipient=proposal.proposer).count() == 1


def test_decline_is_scoped_and_needs_permission(city, worker, resident, make_user):  # noqa: F811
    DeliberationSettings.objects.create(community=city["b1"], residents_may_propose=True, cosigners_needed=0)
    theirs = proposals.submit(resident(city["b1"]), city["b1"], "乙社区的提议", "说明", ["是", "否"])
    client = admin_client(worker)
    assert client.post(reverse("deliberations_decline_proposal", args=[theirs.pk]), {"reason": "不"}).status_code == 404
    resident_client = admin_client(make_user(is_staff=False))
    refused = resident_client.post(reverse("deliberations_decline_proposal", args=[theirs.pk]), {"reason": "不"})
    assert refused.status_code in (302, 403)
    theirs.refresh_from_db()
    assert theirs.declined_at is None


def test_an_opened_proposal_cannot_be_declined(city, proposal, worker):  # noqa: F811
    now = timezone.now()
    topic = Topic(
        community=city["a1"],
        title="t",
        description="d",
        discussion_starts=now,
        voting_starts=now + timedelta(days=1),
        voting_ends=now + timedelta(days=2),
    )
    opened = proposals.open_as_topic(proposal, topic)
    assert opened.quorum_percent == 50  # the community's default quorum (none set: the portal's)
    with pytest.raises(proposals.ProposalRefused, match="already open"):
        proposals.decline(proposal, worker, "太晚了")


# Topics limited to buildings ----------------------------------------------------------------------


@pytest.fixture
def estate(city, resident):
    """Residents of 3号楼 (two homes) and 5号楼 (one home) of community a1, and one with no home recorded."""
    community = city["a1"]
    b3 = Building.objects.create(community=community, name="3号楼")
    b5 = Building.objects.create(community=community, name="5号楼")

    def living_in(building, room, area="80"):
        home = Home.objects.create(community=community, building=building, room=room, floor_area=Decimal(area))
        return resident(community, home=home, homeowner=True)

    people = {
        "three_a": living_in(b3, "101"),
        "three_b": living_in(b3, "102", "60"),
        "five": living_in(b5, "201"),
    }
    return b3, b5, people


def limited(make_topic, community, *buildings, **fields):
    topic = make_topic(community, **fields)
    for order, building in enumerate(buildings):
        TopicBuilding.objects.create(topic=topic, building=building, sort_order=order)
    return topic


@pytest.mark.parametrize("electorate", ["all", "household", "homeowners"])
def test_only_residents_of_the_chosen_buildings_vote(city, make_topic, resident, estate, electorate):
    b3, b5, people = estate
    topic = limited(make_topic, city["a1"], b3, electorate=electorate)
    elsewhere = resident(city["a1"], homeowner=True)  # a home in 1号楼 (the fixture's default)
    cast_vote(topic, people["three_a"], topic.options.first().pk)
    for outsider in (people["five"], elsewhere):
        with pytest.raises(VoteRefused, match="Only residents of 3号楼"):
            cast_vote(topic, outsider, topic.options.first().pk)
    headcount, area = electorate_for(topic).eligible_totals(topic)
    assert headcount == 2
    assert area == (Decimal("140") if electorate != "all" else Decimal(0))
    page = site(elsewhere).get(f"/deliberations/{topic.pk}/").content.decode()
    assert "living in 3号楼" in page and "Only residents of 3号楼 may vote" in page


def test_several_buildings_and_the_published_log(city, make_topic, estate):
    b3, b5, people = estate
    topic = limited(make_topic, city["a1"], b5, b3)
    for person in people.values():
        cast_vote(topic, person, topic.options.first().pk)
    assert electorate_for(topic).eligible_totals(topic) == (3, Decimal(0))
    document = ballots.document(ballots.seal(close_voting(topic)))
    assert document["header"]["buildings"] == ["3号楼", "5号楼"] and document["header"]["eligible_headcount"] == "3"
    unlimited = make_topic(city["a1"])
    sealed = ballots.seal(close_voting(unlimited))
    assert "buildings" not in ballots.document(sealed)["header"]  # other topics' logs are unchanged


def test_a_membership_without_a_home_cannot_vote_on_a_building_topic(city, make_topic, estate, make_user):
    from portal.accounts.models import Membership

    b3, _, _ = estate
    topic = limited(make_topic, city["a1"], b3)
    homeless = make_user()
    Membership.objects.create(user=homeless, community=city["a1"], status=Membership.Status.VERIFIED)
    with pytest.raises(VoteRefused, match="Only residents of 3号楼"):
        cast_vote(topic, homeless, topic.options.first().pk)


def test_worker_limits_a_topic_to_buildings_in_the_admin(city, worker, estate):  # noqa: F811
    b3, b5, _ = estate
    foreign = Building.objects.create(community=city["b1"], name="9号楼")
    client = admin_client(worker)
    url = reverse("wagtailsnippets_deliberations_topic:add")
    refused = client.post(url, topic_form(city["a1"], voting_buildings=inline_formset([{"building": foreign.pk}])))
    assert refused.status_code == 200 and not Topic.objects.exists()
    data = topic_form(city["a1"], voting_buildings=inline_formset([{"building": b3.pk}, {"building": b5.pk}]))
    assert client.post(url, data).status_code == 302
    topic = Topic.objects.get()
    assert {link.building for link in topic.voting_buildings.all()} == {b3, b5}


def test_buildings_are_locked_once_voted_and_cannot_be_deleted(city, worker, make_topic, estate):  # noqa: F811
    b3, b5, people = estate
    topic = limited(make_topic, city["a1"], b3)
    cast_vote(topic, people["three_a"], topic.options.first().pk)
    with pytest.raises(ProtectedError):
        b3.delete()  # deleting it would quietly widen the electorate
    link = topic.voting_buildings.get()
    from .test_schedule_and_quorum import edit, on_the_minute

    on_the_minute(topic)
    response = edit(
        admin_client(worker),
        topic,
        voting_buildings=inline_formset([{"id": link.pk, "building": b3.pk}, {"building": b5.pk}], initial=1),
    )
    assert response.status_code == 200 and "can no longer change" in response.content.decode()
    assert topic.voting_buildings.count() == 1
