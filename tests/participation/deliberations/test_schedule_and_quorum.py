"""Moving the end of a vote after people voted needs a published reason where it matters, the admin warns,
and a new topic's quorum is its community's default."""

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from wagtail.test.utils.form_data import inline_formset

from participation.deliberations.ballots import cast_vote, seal
from participation.deliberations.models import DeliberationSettings, ScheduleChange, Topic

from .conftest import close_voting
from .test_admin import admin_client, topic_form, worker  # noqa: F401  (the fixture)

FMT = "%Y-%m-%d %H:%M"


def edit(client, topic, **overrides):
    options = [{"id": o.pk, "label": o.label, "ORDER": str(i + 1)} for i, o in enumerate(topic.options.all())]
    data = topic_form(
        topic.community,
        options=inline_formset(options, initial=len(options)),
        voting_starts=timezone.localtime(topic.voting_starts).strftime(FMT),
        quorum_percent=str(topic.quorum_percent),
        **overrides,
    )
    return client.post(reverse("wagtailsnippets_deliberations_topic:edit", args=[topic.pk]), data)


def errors(response) -> list[str]:
    """The form's error messages, to say why an edit was refused."""
    return re.findall(r'class="errorlist[^"]*"><li>(.*?)</li>', response.content.decode(), re.S)


def moved(topic, days):
    return timezone.localtime(topic.voting_ends + timedelta(days=days)).strftime(FMT)


@pytest.fixture
def site_client():
    return lambda: Client(HTTP_HOST="a1.localhost", HTTP_ACCEPT_LANGUAGE="en")


def on_the_minute(topic):
    """The admin's date fields have minutes: dates to the minute, so an unchanged voting start stays unchanged."""
    Topic.objects.filter(pk=topic.pk).update(
        voting_starts=topic.voting_starts.replace(second=0, microsecond=0),
        voting_ends=topic.voting_ends.replace(second=0, microsecond=0),
    )
    topic.refresh_from_db()
    return topic


@pytest.fixture
def voted(city, make_topic, resident):
    def make(quorum=0):
        topic = on_the_minute(make_topic(city["a1"], quorum_percent=quorum))
        cast_vote(topic, resident(city["a1"]), topic.options.first().pk)
        return topic

    return make


CASES = [
    # (quorum, days the end moves, a reason is needed)
    (0, -0.5, True),  # shortening
    (0, +3, True),  # moving a vote without quorum, even later
    (30, -0.5, True),  # shortening, with a quorum
    (30, +3, False),  # extending a vote with a quorum: recorded, no reason needed
]


@pytest.mark.parametrize("quorum,days,needs_reason", CASES)
def test_moving_the_end_after_votes(city, worker, voted, site_client, quorum, days, needs_reason):  # noqa: F811
    topic = voted(quorum)
    client = admin_client(worker)
    new_end = moved(topic, days)
    if needs_reason:
        refused = edit(client, topic, voting_ends=new_end)
        assert refused.status_code == 200 and "say why the end of voting moves" in refused.content.decode()
        assert Topic.objects.get(pk=topic.pk).voting_ends == topic.voting_ends and not ScheduleChange.objects.exists()
    reason = "春节期间许多居民外出，延长投票" if days > 0 else "施工队提前进场，需尽快决定"
    response = edit(client, topic, voting_ends=new_end, schedule_change_reason=reason if needs_reason else "")
    assert response.status_code == 302, errors(response)
    change = ScheduleChange.objects.get(topic=topic)
    assert (change.old_voting_ends, change.votes_cast, change.changed_by) == (topic.voting_ends, 1, worker)
    assert change.new_voting_ends == Topic.objects.get(pk=topic.pk).voting_ends != topic.voting_ends
    page = site_client().get(f"/deliberations/{topic.pk}/").content.decode()
    assert "The end of voting was moved" in page and "after 1 votes" in page
    assert (reason in page) == needs_reason


def test_the_admin_warns_once_people_have_voted(city, worker, voted, make_topic):  # noqa: F811
    client = admin_client(worker)
    topic = voted()
    warned = client.get(reverse("wagtailsnippets_deliberations_topic:edit", args=[topic.pk])).content.decode()
    assert "Warning: 1 people have voted" in warned and "Reason for moving the end of voting" in warned
    fresh = make_topic(city["a1"])
    quiet = client.get(reverse("wagtailsnippets_deliberations_topic:edit", args=[fresh.pk])).content.decode()
    assert "Warning:" not in quiet


def test_moving_before_anyone_voted_needs_no_reason(city, worker, make_topic):  # noqa: F811
    topic = on_the_minute(make_topic(city["a1"]))
    assert edit(admin_client(worker), topic, voting_ends=moved(topic, -0.5)).status_code == 302
    assert not ScheduleChange.objects.exists()


def test_a_sealed_vote_cannot_move(city, worker, voted):  # noqa: F811
    topic = seal(close_voting(voted(30)))
    response = edit(admin_client(worker), topic, voting_ends=moved(topic, 5), schedule_change_reason="重新开放")
    assert response.status_code == 200 and "sealed" in response.content.decode()
    assert Topic.objects.get(pk=topic.pk).voting_ends == topic.voting_ends


def test_a_new_topic_takes_its_communitys_default_quorum(city, worker):  # noqa: F811
    client = admin_client(worker)
    url = reverse("wagtailsnippets_deliberations_topic:add")
    form = client.get(url).content.decode()
    assert 'name="quorum_percent"' in form and 'value="50"' in form  # no settings yet: the portal's default
    DeliberationSettings.objects.create(community=city["a1"], default_quorum_percent=30)
    assert 'value="30"' in client.get(url).content.decode()
    data = topic_form(city["a1"], quorum_percent="30")
    assert client.post(url, data).status_code == 302
    assert Topic.objects.get().quorum_percent == 30
    chosen = topic_form(city["a1"], title="另一个议题", quorum_percent="10")  # the worker's own choice stands
    assert client.post(url, chosen).status_code == 302
    assert Topic.objects.get(title="另一个议题").quorum_percent == 10


def test_default_quorum_is_a_setting_workers_change(city, worker):  # noqa: F811
    client = admin_client(worker)
    url = reverse("wagtailsnippets_deliberations_deliberationsettings:add")
    data = {"community": city["a1"].pk, "cosigners_needed": "5", "default_quorum_percent": "101"}
    assert client.post(url, data).status_code == 200  # over 100: a form error
    assert client.post(url, {**data, "default_quorum_percent": "40"}).status_code == 302
    assert DeliberationSettings.for_community(city["a1"]).default_quorum_percent == 40
