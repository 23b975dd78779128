"""When a topic's voting opens, everyone who may vote hears of it once, through notify()."""

import threading

import pytest
from django.core.management import call_command
from django.db import connection

from participation.deliberations import notices
from participation.deliberations.models import Topic
from portal.notifications.models import Notification


def told():
    return sorted(
        Notification.objects.filter(verb="deliberations.opened").values_list("recipient__username", flat=True)
    )


@pytest.fixture
def electorate(city, make_topic, make_user, resident):
    topic = make_topic(city["a1"], phase="voting", electorate="representatives")
    resident(city["a1"], username="rep", representative=True)
    resident(city["a1"], username="plain")  # a resident, but not a representative
    resident(city["b1"], username="elsewhere", representative=True)  # another community
    make_user("bystander")
    return topic


def test_the_periodic_command_announces_an_open_vote_once(electorate, django_capture_on_commit_callbacks, settings):
    settings.LANGUAGE_CODE = "en"
    with django_capture_on_commit_callbacks(execute=True):
        call_command("seal_ballots")
        call_command("seal_ballots")  # the next minute: nothing new
    assert told() == ["rep"]
    notification = Notification.objects.get(verb="deliberations.opened")
    assert notification.community_id == electorate.community_id
    assert notification.url == f"http://a1.localhost/deliberations/{electorate.pk}/"
    assert notification.text.startswith(f"Voting on “{electorate.title}” is open until ")
    electorate.refresh_from_db()
    assert electorate.opening_announced_at is not None


def test_topics_not_yet_voting_or_already_decided_are_not_announced(city, make_topic, resident):
    resident(city["a1"], username="voter")
    upcoming = make_topic(city["a1"], phase="discussion")
    make_topic(city["a1"], phase="decided")
    assert notices.announce_due() == []
    assert told() == []
    Topic.objects.filter(pk=upcoming.pk).update(voting_starts=upcoming.discussion_starts)  # voting opens now
    assert notices.announce_due() == [upcoming.pk]
    assert told() == ["voter"]


def test_a_topic_claimed_by_another_run_is_left_to_it(electorate):
    Topic.objects.filter(pk=electorate.pk).update(opening_announced_at=electorate.voting_starts)
    assert notices.announce_due() == []
    assert told() == []


def test_the_announcement_is_in_the_sites_language(electorate, settings):
    settings.LANGUAGE_CODE = "zh-hans"
    notices.announce_due()
    assert "投票已开始" in Notification.objects.get(verb="deliberations.opened").text


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_two_runs_at_once_announce_once(electorate):
    barrier = threading.Barrier(2)
    results = []

    def run():
        try:
            barrier.wait()
            results.append(notices.announce_due())
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(len(r) for r in results) == [0, 1]
    assert told() == ["rep"]
