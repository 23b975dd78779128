"""Residents propose topics on their community site, others co-sign, workers are told and open them in the admin."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import Permission
from django.db import IntegrityError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from participation.deliberations import proposals
from participation.deliberations.models import CoSignature, DeliberationSettings, Proposal, Topic
from portal.accounts.rights import personal_data
from portal.notifications.models import Notification

FMT = "%Y-%m-%d %H:%M"


@pytest.fixture
def site():
    def make(user=None, host="a1.localhost"):
        client = Client(HTTP_HOST=host, HTTP_ACCEPT_LANGUAGE="en")
        if user is not None:
            client.force_login(user)
        return client

    return make


@pytest.fixture
def allow(city):
    def set_for(community, needed=2, allowed=True):
        DeliberationSettings.objects.update_or_create(
            community=community, defaults={"residents_may_propose": allowed, "cosigners_needed": needed}
        )

    return set_for


@pytest.fixture
def worker(city, make_user):
    user = make_user("worker_a1", is_staff=True)
    group = city["a1"].editors_group
    group.permissions.add(
        Permission.objects.get(codename="access_admin"),
        *Permission.objects.filter(content_type__app_label="deliberations"),
    )
    user.groups.add(group)
    return user


PROPOSAL = {
    "title": "增设电动车充电桩",
    "description": "在2号楼北侧增设充电桩，避免飞线充电。",
    "options": "同意\n反对\n弃权",
}


def propose(client, **data):
    return client.post("/deliberations/propose/", {**PROPOSAL, **data})


def test_proposals_need_the_community_setting_and_a_verified_resident(city, allow, resident, make_user, site):
    member = resident(city["a1"])
    closed = site(member).get("/deliberations/propose/")
    assert closed.status_code == 403 and "does not take topic proposals" in closed.content.decode()
    allow(city["a1"])
    outsider = propose(site(make_user()))
    assert outsider.status_code == 403 and "Only verified residents" in outsider.content.decode()
    assert propose(site(resident(city["b1"]))).status_code == 403  # verified, but in another community
    response = propose(site(member))
    proposal = Proposal.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/deliberations/proposals/{proposal.pk}/"
    assert (proposal.community, proposal.proposer) == (city["a1"], member)
    assert proposal.option_labels() == ["同意", "反对", "弃权"]
    assert proposal.cosigners_needed == 2 and proposal.status == Proposal.Status.COLLECTING


@pytest.mark.parametrize(
    ("options", "error"),
    [
        ("同意", "at least two options"),
        ("同意\n同意", "must be different"),
        ("\n".join(str(i) for i in range(11)), "at most 10 options"),
    ],
)
def test_bad_proposal_is_a_form_error_that_keeps_what_was_typed(city, allow, resident, site, options, error):
    allow(city["a1"])
    response = propose(site(resident(city["a1"])), options=options)
    body = response.content.decode()
    assert response.status_code == 400 and error in body
    assert 'value="增设电动车充电桩"' in body and "避免飞线充电" in body
    assert not Proposal.objects.exists()


def test_empty_title_is_a_form_error(city, allow, resident, site):
    allow(city["a1"])
    response = propose(site(resident(city["a1"])), title="")
    assert response.status_code == 400 and "This field is required" in response.content.decode()


def test_cosigning_limits_and_progress(
    city, allow, resident, make_user, site, worker, django_capture_on_commit_callbacks
):
    allow(city["a1"], needed=2)
    proposer = resident(city["a1"])
    propose(site(proposer))
    proposal = Proposal.objects.get()
    url = f"/deliberations/proposals/{proposal.pk}/cosign/"
    own = site(proposer).post(url)
    assert own.status_code == 409 and "ask other residents" in own.content.decode()
    for stranger in (make_user(), resident(city["b1"])):
        refused = site(stranger).post(url)  # the one decision (portal.accounts.actions) refuses, with the way in
        text = refused.content.decode()
        assert refused.status_code == 403 and "Only verified residents of 社区a1 may co-sign" in text
        assert 'href="/accounts/join/"' in text
    first = resident(city["a1"])
    assert site(first).post(url).status_code == 302
    again = site(first).post(url)
    assert again.status_code == 409 and "already co-signed" in again.content.decode()
    assert "Collecting co-signers (1 of 2)" in site().get(f"/deliberations/proposals/{proposal.pk}/").content.decode()
    assert "Collecting co-signers (1 of 2)" in site().get("/deliberations/").content.decode()
    assert not Notification.objects.exists()

    with django_capture_on_commit_callbacks(execute=True):  # workers are told once the co-signature is committed
        assert site(resident(city["a1"])).post(url).status_code == 302
    proposal.refresh_from_db()
    assert proposal.status == Proposal.Status.READY
    (note,) = Notification.objects.all()
    assert note.recipient == worker and "增设电动车充电桩" in note.text
    assert note.url == reverse("deliberations_open_proposal", args=[proposal.pk])
    late = site(resident(city["a1"])).post(url)
    assert late.status_code == 409 and "already has enough co-signers" in late.content.decode()
    assert CoSignature.objects.filter(proposal=proposal).count() == 2


def test_one_cosignature_per_person_is_a_database_constraint(city, allow, resident):
    allow(city["a1"], needed=5)
    proposal = proposals.submit(resident(city["a1"]), city["a1"], "标题", "说明", ["是", "否"])
    signer = resident(city["a1"])
    CoSignature.objects.create(proposal=proposal, user=signer)
    with pytest.raises(IntegrityError):
        CoSignature.objects.create(proposal=proposal, user=signer)


def test_no_cosigners_needed_goes_straight_to_the_workers(
    city, allow, resident, worker, django_capture_on_commit_callbacks
):
    allow(city["a1"], needed=0)
    with django_capture_on_commit_callbacks(execute=True):
        proposal = proposals.submit(resident(city["a1"]), city["a1"], "标题", "说明", ["是", "否"])
    assert proposal.status == Proposal.Status.READY
    assert Notification.objects.filter(recipient=worker).count() == 1


def test_a_proposal_cannot_be_voted_on(city, allow, resident, site):
    allow(city["a1"])
    proposal = proposals.submit(resident(city["a1"]), city["a1"], "标题", "说明", ["是", "否"])
    body = site(resident(city["a1"])).get(f"/deliberations/proposals/{proposal.pk}/").content.decode()
    assert 'name="nonce"' not in body and "cannot be voted on" in body
    assert site().get(f"/deliberations/proposals/{proposal.pk}/", HTTP_HOST="b1.localhost").status_code == 404


def test_worker_schedules_and_opens_a_ready_proposal(city, allow, resident, worker, site):
    allow(city["a1"], needed=0)
    proposer = resident(city["a1"], display_name="张阿姨")
    proposal = proposals.submit(proposer, city["a1"], "增设充电桩", "说明", ["同意", "反对"])
    client = Client(HTTP_HOST="localhost", HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(worker)
    url = reverse("deliberations_open_proposal", args=[proposal.pk])
    now = timezone.now()
    data = {
        "title": "增设充电桩",
        "description": "说明",
        "discussion_starts": (now + timedelta(days=1)).strftime(FMT),
        "voting_starts": (now + timedelta(days=8)).strftime(FMT),
        "voting_ends": (now + timedelta(days=1)).strftime(FMT),  # before it starts
        "electorate": "all",
        "min_age": "",
    }
    bad = client.post(url, data)
    assert bad.status_code == 400 and not Topic.objects.exists()
    data["voting_ends"] = (now + timedelta(days=15)).strftime(FMT)
    response = client.post(url, data)
    topic = Topic.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "wagtailsnippets_deliberations_topic:edit", args=[topic.pk]
    )
    assert [o.label for o in topic.options.all()] == ["同意", "反对"] and topic.community == city["a1"]
    assert topic.proposal_starts == Proposal.objects.get().created_at
    public = site().get(f"/deliberations/proposals/{proposal.pk}/")
    assert public.status_code == 302 and public["Location"] == f"/deliberations/{topic.pk}/"
    page = site().get(f"/deliberations/{topic.pk}/").content.decode()
    assert "Proposed by 张阿姨" in page and "Now: Proposal" in page
    assert client.get(url).status_code == 302  # already open: to the topic editor


def test_proposal_admin_is_scoped(city, allow, resident, worker):
    allow(city["b1"], needed=0)
    theirs = proposals.submit(resident(city["b1"]), city["b1"], "乙社区的提议", "说明", ["是", "否"])
    client = Client(HTTP_HOST="localhost", HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(worker)
    assert client.get(reverse("deliberations_open_proposal", args=[theirs.pk])).status_code == 404
    listing = client.get(reverse("wagtailsnippets_deliberations_proposal:list")).content.decode()
    assert "乙社区的提议" not in listing
    assert client.get(reverse("wagtailsnippets_deliberations_proposal:edit", args=[theirs.pk])).status_code == 404


def test_worker_sets_proposal_settings_only_for_own_community(city, worker):
    client = Client(HTTP_HOST="localhost", HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(worker)
    url = reverse("wagtailsnippets_deliberations_deliberationsettings:add")
    data = {"residents_may_propose": "on", "cosigners_needed": "5", "default_quorum_percent": "50"}
    assert client.post(url, {**data, "community": city["b1"].pk}).status_code == 200
    assert client.post(url, {**data, "community": city["a1"].pk}).status_code == 302
    settings = DeliberationSettings.for_community(city["a1"])
    assert settings.residents_may_propose and settings.cosigners_needed == 5
    assert not DeliberationSettings.objects.filter(community=city["b1"]).exists()


def test_proposals_and_cosignatures_are_in_the_residents_export(city, allow, resident):
    allow(city["a1"], needed=3)
    proposer, signer = resident(city["a1"]), resident(city["a1"])
    proposal = proposals.submit(proposer, city["a1"], "标题", "说明", ["是", "否"])
    proposals.cosign(signer, proposal)
    assert personal_data(proposer)["deliberation_proposals"][0]["title"] == "标题"
    assert personal_data(signer)["deliberation_cosignatures"][0]["proposal"] == "标题"
