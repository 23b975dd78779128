"""Everyone who took part hears once that a topic was decided, and of each progress update."""

import pytest
from asgiref.sync import async_to_sync, sync_to_async
from channels.testing import WebsocketCommunicator
from django.core.management import call_command

from participation.deliberations import ballots, notices
from participation.deliberations.models import Comment, ImplementationUpdate, Topic, VoterRoll
from participation.deliberations.tasks import notify_decided
from portal.accounts.models import Building, Home, Membership
from portal.asgi import application
from portal.notifications.models import Notification

from .conftest import close_voting


def option(topic, n=0):
    return topic.options.all()[n].pk


def told(verb):
    return sorted(Notification.objects.filter(verb=verb).values_list("recipient__username", flat=True))


@pytest.fixture
def took_part(city, make_topic, make_user, resident):
    """An open topic with an online voter, a paper voter, a commenter, and a bystander."""
    topic = make_topic(city["a1"], secret=True)
    worker = make_user("worker")
    ballots.cast_vote(topic, resident(city["a1"], username="online"), option(topic))
    paper = resident(city["a1"], username="paper")
    ballots.cast_vote(topic, paper, option(topic, 1), channel=VoterRoll.Channel.PAPER, recorded_by=worker)
    Comment.objects.create(community=topic.community, topic=topic, author=make_user("commenter"), body="好")
    make_user("bystander")
    return topic


def test_sealing_notifies_every_participant_once(took_part, django_capture_on_commit_callbacks, settings):
    settings.LANGUAGE_CODE = "en"
    topic = close_voting(took_part)
    with django_capture_on_commit_callbacks(execute=True):
        call_command("seal_ballots")  # nobody opened the page: the periodic command seals it
    topic.refresh_from_db()
    assert topic.sealed_at is not None
    assert told("deliberations.decided") == ["commenter", "online", "paper"]
    notification = Notification.objects.filter(verb="deliberations.decided").first()
    assert notification.url == f"http://a1.localhost/deliberations/{topic.pk}/"
    assert notification.text == f"Voting on “{topic.title}” has closed. No decision: not every rule was met."  # a tie
    notify_decided.enqueue(topic.pk)  # a retried task
    with django_capture_on_commit_callbacks(execute=True):
        ballots.seal(topic)  # sealing again changes nothing
    assert Notification.objects.filter(verb="deliberations.decided").count() == 3


def test_the_notification_is_in_the_sites_language(took_part, django_capture_on_commit_callbacks, settings):
    settings.LANGUAGE_CODE = "zh-hans"
    with django_capture_on_commit_callbacks(execute=True):
        ballots.seal(close_voting(took_part))
    assert "投票已结束" in Notification.objects.filter(verb="deliberations.decided").first().text


def test_seal_ballots_enqueue_hands_the_sealing_to_a_worker(took_part, django_capture_on_commit_callbacks, capsys):
    close_voting(took_part)
    with django_capture_on_commit_callbacks(execute=True):
        call_command("seal_ballots", "--enqueue")
    assert "enqueued" in capsys.readouterr().out
    assert Topic.objects.get(pk=took_part.pk).sealed_at is not None
    assert len(told("deliberations.decided")) == 3


def test_an_open_topic_is_not_sealed_and_nobody_is_told(took_part, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        call_command("seal_ballots")
    assert Topic.objects.get(pk=took_part.pk).sealed_at is None
    assert notify_decided.enqueue(took_part.pk).return_value == 0
    assert told("deliberations.decided") == []


def test_each_implementation_update_is_told_once(took_part, django_capture_on_commit_callbacks):
    topic = ballots.seal(close_voting(took_part))
    with django_capture_on_commit_callbacks(execute=True):
        update = ImplementationUpdate.objects.create(topic=topic, status="in_progress", percent_complete=40)
    assert told("deliberations.update") == ["commenter", "online", "paper"]
    text = Notification.objects.filter(verb="deliberations.update").first().text
    assert text == "“加装电梯”实施进展：进行中，已完成 40%。"
    with django_capture_on_commit_callbacks(execute=True):
        update.note = "已开工"
        update.save()  # editing an update is not news
        ImplementationUpdate.objects.create(topic=topic, status="done", percent_complete=100)
    assert Notification.objects.filter(verb="deliberations.update").count() == 6


def test_a_household_vote_tells_the_whole_household(city, make_topic, make_user, register):
    topic = make_topic(city["a1"], electorate=Topic.Electorate.HOUSEHOLD, legacy_register=True)
    voter, spouse, neighbour = make_user("voter"), make_user("spouse"), make_user("neighbour")
    register(topic, voter, household="3-1-101")
    register(topic, spouse, household="3-1-101")
    register(topic, neighbour, household="3-1-102")
    ballots.cast_vote(topic, voter, option(topic))
    assert sorted(u.username for u in notices.participants(topic)) == ["spouse", "voter"]


def test_home_voter_keys_name_the_verified_members_of_that_home(city, make_topic, make_user):
    """Keys of the membership-based electorate (`home:<pk>`) are understood already."""
    topic, community = make_topic(city["a1"]), city["a1"]
    building = Building.objects.create(community=community, name="3号楼")
    home = Home.objects.create(community=community, building=building, room="101")
    for name, status in (("owner", "verified"), ("child", "verified"), ("applicant", "pending")):
        Membership.objects.create(user=make_user(name), community=community, home=home, status=status)
    VoterRoll.objects.create(topic=topic, voter_key=f"home:{home.pk}", channel=VoterRoll.Channel.ONLINE)
    VoterRoll.objects.create(topic=topic, voter_key="home:999999", channel=VoterRoll.Channel.ONLINE)
    assert sorted(u.username for u in notices.participants(topic)) == ["child", "owner"]


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_periodic_sealing_pushes_the_final_result_to_watchers(city, make_topic, resident):
    topic = make_topic(city["a1"], secret=True)
    ballots.cast_vote(topic, resident(city["a1"], username="voter"), option(topic))

    async def scenario():
        communicator = WebsocketCommunicator(
            application,
            f"/ws/deliberations/topic/{topic.pk}/",
            headers=[(b"host", b"a1.localhost"), (b"origin", b"http://a1.localhost")],
        )
        assert (await communicator.connect())[0]  # a secret ballot while open: nothing is sent
        await sync_to_async(close_voting)(topic)
        await sync_to_async(call_command)("seal_ballots")
        message = await communicator.receive_json_from(timeout=10)
        await communicator.disconnect()
        return message

    message = async_to_sync(scenario)()
    assert message["sealed"] is True and message["votes"] == 1
