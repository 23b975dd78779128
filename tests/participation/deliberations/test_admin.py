"""Workers manage topics, the register, comments and paper ballots in the Wagtail admin, scoped to their communities."""

import re
from datetime import timedelta

import pytest
from django.contrib.auth.models import Permission
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from wagtail.test.utils.form_data import inline_formset, nested_form_data

from participation.deliberations import ballot_log
from participation.deliberations.ballots import VoteRefused, cast_vote
from participation.deliberations.models import Ballot, Topic, VoterRegister, VoterRoll


@pytest.fixture
def worker(city, make_user):
    """A worker of community a1: its editors group, with the deliberation permissions."""
    user = make_user("worker_a1")
    group = city["a1"].editors_group
    group.permissions.add(
        Permission.objects.get(codename="access_admin"),
        *Permission.objects.filter(content_type__app_label="deliberations"),
    )
    user.groups.add(group)
    return user


def admin_client(user):
    client = Client(HTTP_HOST="localhost", HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


def topic_form(community, **overrides):
    now = timezone.now()
    fmt = "%Y-%m-%d %H:%M"
    data = {
        "community": community.pk,
        "title": "小区停车位改造",
        "description": "改造方案",
        "options": inline_formset([{"label": "同意"}, {"label": "反对"}]),
        "documents": inline_formset([]),
        "voting_buildings": inline_formset([]),
        "proposal_starts": (now - timedelta(days=3)).strftime(fmt),
        "discussion_starts": (now - timedelta(days=2)).strftime(fmt),
        "voting_starts": (now - timedelta(days=1)).strftime(fmt),
        "voting_ends": (now + timedelta(days=1)).strftime(fmt),
        "implementation_starts": "",
        "done_at": "",
        "electorate": "all",
        "min_age": "",
        "quorum_percent": "0",
        "majority": "simple",
        "double_participation": "",
        "double_approval": "more_than_half",
        "double_approval_base": "voting",
        "secret": "on",
        "outcome": "",
        "updates": inline_formset([]),
    }
    data.update(overrides)
    return nested_form_data(data)


def test_worker_creates_a_topic_through_the_admin_form(city, worker):
    response = admin_client(worker).post(reverse("wagtailsnippets_deliberations_topic:add"), topic_form(city["a1"]))
    assert response.status_code == 302, response.content.decode()[:3000]
    topic = Topic.objects.get()
    assert topic.community == city["a1"] and [o.label for o in topic.options.all()] == ["同意", "反对"]
    assert topic.is_voting_open()


def test_worker_cannot_create_a_topic_for_another_community(city, worker):
    response = admin_client(worker).post(reverse("wagtailsnippets_deliberations_topic:add"), topic_form(city["b1"]))
    assert response.status_code == 200 and not Topic.objects.exists()  # the form refuses the choice


def test_phase_dates_out_of_order_are_a_form_error(city, worker):
    data = topic_form(city["a1"], voting_ends=(timezone.now() - timedelta(days=5)).strftime("%Y-%m-%d %H:%M"))
    response = admin_client(worker).post(reverse("wagtailsnippets_deliberations_topic:add"), data)
    assert response.status_code == 200 and not Topic.objects.exists()


def test_listing_and_edit_are_scoped(city, worker, make_topic):
    mine, theirs = make_topic(city["a1"], title="甲的议题"), make_topic(city["b1"], title="乙的议题")
    client = admin_client(worker)
    listing = client.get(reverse("wagtailsnippets_deliberations_topic:list")).content.decode()
    assert "甲的议题" in listing and "乙的议题" not in listing
    assert client.get(reverse("wagtailsnippets_deliberations_topic:edit", args=[mine.pk])).status_code == 200
    for action in ("edit", "delete", "history", "usage"):
        assert client.get(reverse(f"wagtailsnippets_deliberations_topic:{action}", args=[theirs.pk])).status_code == 404


def test_rules_locked_once_somebody_voted(city, worker, make_topic, resident):
    topic = make_topic(city["a1"])
    cast_vote(topic, resident(city["a1"]), topic.options.first().pk)
    options = [{"id": o.pk, "label": o.label} for o in topic.options.all()]
    data = topic_form(city["a1"], majority="two_thirds", options=inline_formset(options, initial=2))
    response = admin_client(worker).post(reverse("wagtailsnippets_deliberations_topic:edit", args=[topic.pk]), data)
    assert response.status_code == 200 and "can no longer change" in response.content.decode()
    assert Topic.objects.get(pk=topic.pk).majority == "simple"


def test_worker_registers_a_voter_by_username_on_a_legacy_topic(city, worker, make_topic, make_user):
    topic = make_topic(city["a1"], electorate="homeowners", legacy_register=True)
    resident = make_user("zhang_san")
    data = {"topic": topic.pk, "user": "zhang_san", "household_key": "5-1-302", "floor_area": "96.40"}
    client = admin_client(worker)
    response = client.post(reverse("wagtailsnippets_deliberations_voterregister:add"), data)
    assert response.status_code == 302
    row = VoterRegister.objects.get()
    assert (row.user, row.household_key, str(row.floor_area)) == (resident, "5-1-302", "96.40")
    bad = client.post(reverse("wagtailsnippets_deliberations_voterregister:add"), {**data, "user": "nobody"})
    assert bad.status_code == 200 and "No active account" in bad.content.decode()
    other = make_topic(city["b1"], legacy_register=True)
    foreign = client.post(reverse("wagtailsnippets_deliberations_voterregister:add"), {**data, "topic": other.pk})
    assert foreign.status_code == 200 and VoterRegister.objects.count() == 1
    new_topic = make_topic(city["a1"])  # takes its voters from memberships: no register
    refused = client.post(reverse("wagtailsnippets_deliberations_voterregister:add"), {**data, "topic": new_topic.pk})
    assert refused.status_code == 200 and VoterRegister.objects.count() == 1


def test_paper_ballot_then_no_online_vote(city, worker, make_topic, resident):
    topic, voter = make_topic(city["a1"]), resident(city["a1"], username="li_si", phone="13800138000")
    client = admin_client(worker)
    index = client.get(reverse("deliberations_paper_ballots")).content.decode()
    assert topic.title in index
    url = reverse("deliberations_paper_ballot", args=[topic.pk])
    response = client.post(url, {"resident": "138 0013 8000", "option": topic.options.first().pk})
    assert response.status_code == 200 and "no-store" in response["Cache-Control"]
    receipt = re.search(r"<code>([A-Z0-9-]+)</code>", response.content.decode()).group(1)
    assert Ballot.objects.get(topic=topic).receipt_hash == ballot_log.receipt_hash(receipt)
    roll = VoterRoll.objects.get(topic=topic)
    assert (roll.channel, roll.recorded_by, roll.voter_key) == ("paper", worker, f"user:{voter.pk}")
    with pytest.raises(VoteRefused):
        cast_vote(topic, voter, topic.options.first().pk)
    again = client.post(url, {"resident": "li_si", "option": topic.options.first().pk})
    assert again.status_code == 400 and "already been recorded" in again.content.decode()
    unknown = client.post(url, {"resident": "nobody", "option": topic.options.first().pk})
    assert unknown.status_code == 400 and "No account" in unknown.content.decode()


def test_paper_ballot_scoped_and_needs_permission(city, worker, make_topic, make_user):
    theirs = make_topic(city["b1"])
    assert admin_client(worker).get(reverse("deliberations_paper_ballot", args=[theirs.pk])).status_code == 404
    staff = make_user(is_staff=True)
    staff.user_permissions.add(Permission.objects.get(codename="access_admin"))
    denied = admin_client(staff).get(reverse("deliberations_paper_ballots"))  # Wagtail turns 403 into a redirect
    assert denied.status_code == 302 and denied["Location"] == reverse("wagtailadmin_home")


def test_worker_hides_a_comment(city, worker, make_topic, make_user):
    from participation.deliberations.models import Comment

    topic = make_topic(city["a1"], phase="discussion")
    comment = Comment.objects.create(topic=topic, community=city["a1"], author=make_user(), body="广告")
    response = admin_client(worker).post(
        reverse("wagtailsnippets_deliberations_comment:edit", args=[comment.pk]), {"is_hidden": "on"}
    )
    assert response.status_code == 302
    comment.refresh_from_db()
    assert comment.is_hidden


def test_topic_with_votes_cannot_be_deleted(city, worker, make_topic, resident):
    topic = make_topic(city["a1"])
    cast_vote(topic, resident(city["a1"]), topic.options.first().pk)
    client = admin_client(worker)
    response = client.post(reverse("wagtailsnippets_deliberations_topic:delete", args=[topic.pk]))
    assert response.status_code == 302 and response["Location"] == reverse("wagtailsnippets_deliberations_topic:list")
    assert Topic.objects.filter(pk=topic.pk).exists()
    unvoted = make_topic(city["a1"])
    assert client.post(reverse("wagtailsnippets_deliberations_topic:delete", args=[unvoted.pk])).status_code == 302
    assert not Topic.objects.filter(pk=unvoted.pk).exists()


def test_bulk_delete_keeps_scope_and_voted_topics(city, worker, make_topic, resident):
    theirs, voted = make_topic(city["b1"]), make_topic(city["a1"])
    cast_vote(voted, resident(city["a1"]), voted.options.first().pk)
    client = admin_client(worker)
    url = reverse("wagtail_bulk_action", args=("deliberations", "topic", "delete"))
    for topic in (theirs, voted):
        client.post(f"{url}?id={topic.pk}", {})
        assert Topic.objects.filter(pk=topic.pk).exists()
    free = make_topic(city["a1"])
    client.post(f"{url}?id={free.pk}", {})
    assert not Topic.objects.filter(pk=free.pk).exists()


def test_double_majority_needs_an_electorate_with_floor_area(city, worker):
    client = admin_client(worker)
    url = reverse("wagtailsnippets_deliberations_topic:add")
    refused = client.post(url, topic_form(city["a1"], majority="double", electorate="all"))
    assert refused.status_code == 200 and "counts floor area" in refused.content.decode()
    assert not Topic.objects.exists()
    accepted = client.post(url, topic_form(city["a1"], majority="double", electorate="homeowners"))
    assert accepted.status_code == 302 and Topic.objects.get().majority == "double"
