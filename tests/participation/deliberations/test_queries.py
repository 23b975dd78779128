"""Deliberation pages cost the same number of queries whatever their number of topics, proposals,
comments, co-signatures and ballots (issue 20)."""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from participation.deliberations import ballots
from participation.deliberations.models import Comment, CoSignature, Proposal


def count_queries(host, url, user=None) -> int:
    client = Client(HTTP_HOST=host)
    if user is not None:
        client.force_login(user)
    client.get(url)  # warm per-process caches
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(captured)


def fill(community, make_topic, make_user, n):
    """`n` topics (the first with `n` comments by `n` people), `n` pending proposals of `n` co-signatures."""
    people = [make_user() for _ in range(n)]
    topics = [make_topic(community, phase="discussion", title=f"议题{i}") for i in range(n)]
    Comment.objects.bulk_create(
        Comment(community=community, topic=topics[0], author=person, body=f"意见{i}") for i, person in enumerate(people)
    )
    proposals = Proposal.objects.bulk_create(
        Proposal(
            community=community,
            proposer=people[0],
            title=f"提议{i}",
            description="说明",
            options="赞成\n反对",
            cosigners_needed=100,
        )
        for i in range(n)
    )
    CoSignature.objects.bulk_create(
        CoSignature(proposal=proposal, user=person) for proposal in proposals for person in people
    )
    return topics[0], proposals[0]


@pytest.fixture
def few_and_many(city, make_topic, make_user):
    return fill(city["a1"], make_topic, make_user, 2), fill(city["b1"], make_topic, make_user, 22)


def test_the_topic_list_costs_the_same_for_few_and_many(few_and_many):
    assert count_queries("a1.localhost", "/deliberations/") == count_queries("b1.localhost", "/deliberations/")
    assert count_queries("a1.localhost", "/deliberations/?page=2") == count_queries(
        "b1.localhost", "/deliberations/?page=2"
    )


def test_a_topic_page_costs_the_same_for_few_and_many_comments(few_and_many, make_user):
    (few, _), (many, _) = few_and_many
    assert count_queries("a1.localhost", f"/deliberations/{few.pk}/") == count_queries(
        "b1.localhost", f"/deliberations/{many.pk}/"
    )
    reader = make_user()
    assert count_queries("a1.localhost", f"/deliberations/{few.pk}/", reader) == count_queries(
        "b1.localhost", f"/deliberations/{many.pk}/", reader
    )


def test_a_proposal_page_costs_the_same_for_few_and_many_cosignatures(few_and_many, make_user):
    (_, few), (_, many) = few_and_many
    reader = make_user()
    for user in (None, reader):
        assert count_queries("a1.localhost", f"/deliberations/proposals/{few.pk}/", user) == count_queries(
            "b1.localhost", f"/deliberations/proposals/{many.pk}/", user
        )


def test_the_verify_page_and_my_votes_cost_the_same_for_few_and_many_ballots(city, make_topic, resident):
    counts = {}
    for slug, n in (("a1", 2), ("b1", 12)):
        voters = [resident(city[slug]) for _ in range(n)]
        topics = [make_topic(city[slug], title=f"表决{i}") for i in range(n)]
        for topic in topics:
            option = topic.options.first().pk
            for voter in voters:
                ballots.cast_vote(topic, voter, option)
        host = f"{slug}.localhost"
        counts[slug] = (
            count_queries(host, f"/deliberations/{topics[0].pk}/verify/"),
            count_queries(host, "/deliberations/mine/", voters[0]),
        )
    assert counts["a1"] == counts["b1"]
