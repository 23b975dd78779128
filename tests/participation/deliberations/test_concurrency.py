"""Simultaneous votes through the real HTTP endpoint, each thread on its own database connection."""

import threading

import pytest
from django.db import connection
from django.test import Client

from participation.deliberations import ballots
from participation.deliberations.models import Ballot, VoterRoll

N = 50


def post_all_at_once(requests):
    """requests: [(user, data)]. Every thread logs in first, then all POST together. Returns status codes."""
    barrier = threading.Barrier(len(requests))
    statuses, errors = [None] * len(requests), []

    def run(i, user, url, data):
        try:
            client = Client(HTTP_HOST="a1.localhost", HTTP_ACCEPT_LANGUAGE="en")
            client.force_login(user)
            barrier.wait(timeout=60)
            statuses[i] = client.post(url, data).status_code
        except Exception as error:  # reported below: a thread must not fail silently
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, *req)) for i, req in enumerate(requests)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors, errors
    return statuses


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_fifty_simultaneous_attempts_by_one_voter_store_one_ballot(city, make_topic, resident):
    topic, voter = make_topic(city["a1"]), resident(city["a1"])
    option = str(topic.options.first().pk)
    url = f"/deliberations/{topic.pk}/vote/"
    requests = [(voter, url, {"option": option, "nonce": ballots.issue_nonce(topic, voter)}) for _ in range(N)]
    statuses = post_all_at_once(requests)
    assert sorted(statuses) == [200] + [409] * (N - 1)
    assert Ballot.objects.filter(topic=topic).count() == 1
    assert VoterRoll.objects.filter(topic=topic).count() == 1


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_fifty_simultaneous_voters_are_all_counted(city, make_topic, resident):
    topic = make_topic(city["a1"], secret=False)
    options = [str(o.pk) for o in topic.options.all()]
    url = f"/deliberations/{topic.pk}/vote/"
    requests = []
    for i in range(N):
        user = resident(city["a1"])
        requests.append((user, url, {"option": options[i % 2], "nonce": ballots.issue_nonce(topic, user)}))
    statuses = post_all_at_once(requests)
    assert statuses == [200] * N
    assert Ballot.objects.filter(topic=topic).count() == N == VoterRoll.objects.filter(topic=topic).count()
    result = ballots.live_result(topic)
    assert result["voters"] == str(N) and result["tie"]
    assert {c["votes"] for c in result["counts"].values()} == {str(N // 2)}
