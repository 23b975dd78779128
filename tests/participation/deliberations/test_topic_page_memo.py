"""The topic page is rendered once per version of what it shows everyone (`{% sitewide with page=... %}`, keyed
by `Topic.sitewide_key`, the phase and the visitor's voting state as a flag), and costs the same few queries
whatever its number of comments, documents, updates and votes. A change to anything it shows shows at once; what
is the visitor's own (their vote, their nonce, their refusal, their token, what they typed) never reaches another."""

import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from participation.deliberations import ballots
from participation.deliberations.models import (
    Comment,
    ImplementationUpdate,
    Proposal,
    ScheduleChange,
    Topic,
    TopicBuilding,
    TopicDocument,
)
from portal.accounts.models import Building
from portal.core import sites

from .conftest import close_voting
from .test_documents import document, photo

TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
NONCE = re.compile(r'name="nonce" value="([^"]+)"')


def get(client, topic) -> str:
    response = client.get(f"/deliberations/{topic.pk}/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    return response.content.decode()


def queries(client, topic) -> int:
    get(client, topic)  # keeps the rendering
    with CaptureQueriesContext(connection) as captured:
        get(client, topic)
    return len(captured)


def furnish(topic, community, make_user, n):
    """`n` comments by `n` people, a document, an update with a photo, a schedule change and a proposal."""
    people = [make_user(display_name=f"居民{i}") for i in range(n)]
    Comment.objects.bulk_create(
        Comment(community=community, topic=topic, author=person, body=f"意见{i}") for i, person in enumerate(people)
    )
    TopicDocument.objects.create(topic=topic, document=document(community))
    ImplementationUpdate.objects.create(topic=topic, note="进展", photos=[("photo", photo(community))])
    ScheduleChange.objects.create(
        topic=topic, old_voting_ends=topic.voting_ends, new_voting_ends=topic.voting_ends, votes_cast=0
    )
    Proposal.objects.create(
        community=community, proposer=people[0], title="提议", description="说明", options="赞成\n反对",
        cosigners_needed=1, topic=topic,
    )  # fmt: skip


@pytest.mark.parametrize("secret", [True, False])
def test_the_topic_page_costs_the_same_few_queries_for_few_and_many_comments_and_votes(
    city, make_topic, make_user, resident, host_client, secret
):
    counts = {}
    for slug, n in (("a1", 1), ("b1", 12)):
        topic = make_topic(city[slug], secret=secret)
        furnish(topic, city[slug], make_user, n)
        for _ in range(n):
            ballots.cast_vote(topic, resident(city[slug]), topic.options.first().pk)
        host = f"{slug}.localhost"
        counts[slug] = (
            queries(host_client(host), topic),
            queries(host_client(host, resident(city[slug])), topic),
            queries(host_client(host, make_user()), topic),  # not a member: refused, with the reason
        )
    assert counts["a1"] == counts["b1"]
    # A visitor: the topic alone (its community from the site map); the rest is kept. A resident who may vote:
    # their session and account, the topic (and whether it is limited to buildings), their membership, whether
    # they voted, their nonce and the header's unread notifications. Live results (an open ballot) are counted
    # per request: the buildings, the eligible headcount, the options and the counts.
    assert counts["a1"] == ((1, 7, 5) if secret else (5, 10, 8))


def test_each_visitor_sees_their_own_vote_state_nonce_and_token(city, make_topic, resident, make_user, host_client):
    topic = make_topic(city["a1"], phase="voting")
    voter, other, stranger = resident(city["a1"]), resident(city["a1"]), make_user()
    ballots.cast_vote(topic, voter, topic.options.first().pk)
    clients = {
        "voter": host_client("a1.localhost", voter),
        "other": host_client("a1.localhost", other),
        "stranger": host_client("a1.localhost", stranger),
        "visitor": host_client("a1.localhost"),
    }
    nonces = set()
    for kept in (False, True):  # the second round is served from what the first kept
        with CaptureQueriesContext(connection) as captured:
            pages = {name: get(client, topic) for name, client in clients.items()}
        read = " ".join(query["sql"] for query in captured)
        assert not kept or ("deliberations_option" not in read and "deliberations_comment" not in read)
        assert "Your vote (or your household" in pages["voter"] and 'name="nonce"' not in pages["voter"]
        assert "Cast my vote" in pages["other"] and "Your vote (or" not in pages["other"]
        nonce = NONCE.search(pages["other"]).group(1)
        assert nonce == ballots.issue_nonce(topic, other)
        nonces.add(nonce)
        assert "Only verified residents of this community may vote" in pages["stranger"]
        assert "Only verified residents" not in pages["other"] + pages["voter"] + pages["visitor"]
        assert "Log in to vote" in pages["visitor"] and "csrfmiddlewaretoken" not in pages["visitor"]
        assert "Cast my vote" not in pages["visitor"] + pages["stranger"] + pages["voter"]
        tokens = {name: set(TOKEN.findall(page)) for name, page in pages.items() if name != "visitor"}
        assert all(len(found) == 1 for found in tokens.values())  # the vote form's and the comment form's
        assert len(set().union(*tokens.values())) == 3
    assert len(nonces) == 1  # the same fresh nonce handed out again, as before


def test_a_comment_with_errors_is_shown_to_its_writer_only(city, make_topic, resident, host_client):
    topic = make_topic(city["a1"], phase="discussion")
    writer, reader = resident(city["a1"]), resident(city["a1"])
    answer = host_client("a1.localhost", writer).post(f"/deliberations/{topic.pk}/comment/", {"stance": "for"})
    assert answer.status_code == 400 and 'role="alert"' in answer.content.decode()
    answer = host_client("a1.localhost", writer).post(
        f"/deliberations/{topic.pk}/comment/", {"stance": "maybe", "body": "我写的草稿"}
    )
    assert answer.status_code == 400 and "我写的草稿" in answer.content.decode()
    page = get(host_client("a1.localhost", reader), topic)
    assert "我写的草稿" not in page and 'role="alert"' not in page
    assert 'value="neutral" id="id_stance_1" required checked' in page


def test_what_the_page_shows_shows_at_once_when_it_changes(city, make_topic, make_user, resident, host_client):
    community = city["a1"]
    topic = make_topic(community, phase="discussion")
    visitor, writer = host_client("a1.localhost"), resident(community)
    assert "No comments yet." in get(visitor, topic)
    assert queries(visitor, topic) == 1  # kept
    host_client("a1.localhost", writer).post(f"/deliberations/{topic.pk}/comment/", {"stance": "for", "body": "赞成"})
    assert "赞成" in get(visitor, topic)
    writer.display_name = "改名的居民"
    writer.save()
    assert "改名的居民" in get(visitor, topic)
    comment = Comment.objects.get(topic=topic)
    comment.is_hidden = True
    comment.save()
    assert "赞成" not in get(visitor, topic)
    topic.title = "改过的议题"
    topic.save()
    assert "改过的议题" in get(visitor, topic)
    doc = document(community, title="原来的方案")
    TopicDocument.objects.create(topic=topic, document=doc)
    assert "原来的方案" in get(visitor, topic)
    doc.title = "改名的方案"
    doc.save()
    assert "改名的方案" in get(visitor, topic)
    update = ImplementationUpdate.objects.create(topic=topic, note="开工了")
    assert "开工了" in get(visitor, topic)
    update.delete()
    assert "开工了" not in get(visitor, topic)
    option = topic.options.first()
    option.label = "改过的选项"
    option.save()
    Topic.objects.filter(pk=topic.pk).update(outcome="议定")  # the row's own fields are in the key
    page = get(visitor, topic)
    assert "改过的选项" in page and "议定" in page
    assert queries(visitor, topic) == 1


def test_the_phase_and_the_seal_show_at_once(city, make_topic, resident, host_client):
    topic = make_topic(city["a1"], phase="voting", secret=False)
    voter, visitor = resident(city["a1"]), host_client("a1.localhost")
    assert "Log in to vote" in get(visitor, topic)
    ballots.cast_vote(topic, voter, topic.options.first().pk)
    assert "1 voted of" in get(visitor, topic)  # live results: per request
    close_voting(topic)
    page = get(visitor, topic)
    assert "Voting is not open." in page and "Download the ballot log" in page and "1 voted of" in page


@pytest.mark.parametrize("phase", ["discussion", "voting", "decided"])
def test_the_kept_page_is_the_html_the_template_renders(city, make_topic, resident, make_user, monkeypatch, phase):
    topic = make_topic(city["a1"], phase=phase, secret=phase != "voting")
    furnish(topic, city["a1"], make_user, 2)
    clients = [Client(HTTP_HOST="a1.localhost")]
    for user in (resident(city["a1"]), make_user()):
        clients.append(Client(HTTP_HOST="a1.localhost"))
        clients[-1].force_login(user)

    def page(client):
        return TOKEN.sub("TOKEN", get(client, topic))

    kept = [(page(client), page(client)) for client in clients]
    monkeypatch.setattr(sites, "memo", lambda request, key, compute: compute())
    for client, (first, second) in zip(clients, kept, strict=True):
        assert first == second == page(client)


def test_a_renamed_building_an_edited_photo_and_a_moved_end_show_at_once(city, make_topic, host_client):
    community = city["a1"]
    topic = make_topic(community, phase="decided")
    building = Building.objects.create(community=community, name="7号楼")
    TopicBuilding.objects.create(topic=topic, building=building)
    image = photo(community, description="旧的说明")
    ImplementationUpdate.objects.create(topic=topic, note="进展", photos=[("photo", image)])
    visitor = host_client("a1.localhost")
    page = get(visitor, topic)
    assert "7号楼" in page and 'alt="旧的说明"' in page
    building.name = "8号楼"
    building.save()
    image.description = "新的说明"
    image.save()
    ScheduleChange.objects.create(
        topic=topic, old_voting_ends=topic.voting_ends, new_voting_ends=topic.voting_ends, votes_cast=3, reason="延期"
    )
    page = get(visitor, topic)
    assert "8号楼" in page and 'alt="新的说明"' in page and "延期" in page
