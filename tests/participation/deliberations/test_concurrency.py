"""Simultaneous votes through the real HTTP endpoint, each thread on its own database connection."""

import json
import threading
import time

import pytest
from django.db import connection
from django.test import Client

from participation.deliberations import ballot_log, ballots
from participation.deliberations.models import Ballot, Topic, VoterRoll

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
@pytest.mark.connections(N)
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_fifty_simultaneous_attempts_by_one_voter_store_one_ballot(city, make_topic, resident):
    topic, voter = make_topic(city["a1"]), resident(city["a1"])
    option = str(topic.options.first().pk)
    url = f"/deliberations/{topic.pk}/vote/"
    requests = [(voter, url, {"option": option, "nonce": ballots.issue_nonce(topic, voter)}) for _ in range(N)]
    statuses = post_all_at_once(requests)
    assert sorted(statuses) == [303] + [409] * (N - 1)  # one 303 to the receipt page
    assert Ballot.objects.filter(topic=topic).count() == 1
    assert VoterRoll.objects.filter(topic=topic).count() == 1


@pytest.mark.postgres_only
@pytest.mark.connections(N)
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
    assert statuses == [303] * N
    assert Ballot.objects.filter(topic=topic).count() == N == VoterRoll.objects.filter(topic=topic).count()
    result = ballots.live_result(topic)
    assert result["voters"] == str(N) and result["tie"]
    assert {c["votes"] for c in result["counts"].values()} == {str(N // 2)}
    # Each vote wrote its commitment in turn: counts 1..N, each found what the one before committed to.
    assert [(c.found, c.count) for c in topic.commitments.order_by("pk")] == [(n, n + 1) for n in range(N)]
    assert ballots.commitment_problems(topic) == []


# The lock a vote takes (ballots.lock_for_voting) is shared by votes and excluded by seal().
# These tests pause one side inside its transaction (holding its lock) and watch the other side.

WAIT = 30  # seconds: a bound for waiting on a condition, never a pause


def wait_until(condition, what):
    deadline = time.monotonic() + WAIT
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting until {what}")
        time.sleep(0.01)


def waits_for_a_lock(backend_pid) -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT wait_event_type FROM pg_stat_activity WHERE pid = %s", [backend_pid])
        row = cursor.fetchone()
    return bool(row) and row[0] == "Lock"


class Paused:
    """Stops the thread that calls `target` first inside it until release(); other threads pass through."""

    def __init__(self, monkeypatch, owner, name):
        self.entered, self.released = threading.Event(), threading.Event()
        self.thread = None
        original = getattr(owner, name)

        def paused(*args, **kwargs):
            if self.thread is None or self.thread is threading.current_thread():
                self.thread = threading.current_thread()
                self.entered.set()
                assert self.released.wait(WAIT), "never released"
            return original(*args, **kwargs)

        monkeypatch.setattr(owner, name, paused)

    def release(self):
        self.released.set()


class Background:
    """Runs fn on its own thread and database connection; knows its backend pid, result or error."""

    def __init__(self, fn):
        self.fn, self.pid, self.result, self.error = fn, None, None, None
        self.started, self.done = threading.Event(), threading.Event()
        self.thread = threading.Thread(target=self._run)
        self.thread.start()
        assert self.started.wait(WAIT)

    def _run(self):
        try:
            connection.ensure_connection()
            self.pid = connection.connection.info.backend_pid
            self.started.set()
            self.result = self.fn()
        except Exception as error:  # handed to the test through .error
            self.error = error
        finally:
            connection.close()
            self.started.set()
            self.done.set()

    def join(self):
        self.thread.join(WAIT)
        assert self.done.is_set(), "did not finish"
        return self


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_votes_on_one_topic_do_not_wait_for_each_other(city, make_topic, resident, monkeypatch):
    topic = make_topic(city["a1"])
    option = topic.options.first().pk
    first, second = resident(city["a1"]), resident(city["a1"])
    pause = Paused(monkeypatch, ballots, "new_receipt")  # inside cast_vote, roll row written, lock held
    in_flight = Background(lambda: ballots.cast_vote(topic, first, option))
    assert pause.entered.wait(WAIT)
    other = Background(lambda: ballots.cast_vote(topic, second, option))
    try:
        wait_until(lambda: other.done.is_set() or waits_for_a_lock(other.pid), "the second vote finished or blocked")
        assert other.done.is_set(), "the second vote waited for the first one's lock"
    finally:
        pause.release()
    assert in_flight.join().error is None and other.join().error is None
    assert Ballot.objects.filter(topic=topic).count() == VoterRoll.objects.filter(topic=topic).count() == 2


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_seal_waits_for_the_votes_in_flight_and_counts_them(city, make_topic, resident, monkeypatch):
    topic = make_topic(city["a1"])
    option = topic.options.first().pk
    voter = resident(city["a1"])
    pause = Paused(monkeypatch, ballots, "new_receipt")
    in_flight = Background(lambda: ballots.cast_vote(topic, voter, option))
    assert pause.entered.wait(WAIT)
    sealing = Background(lambda: ballots.seal(topic, now=topic.voting_ends))  # as if the clock had run out
    try:
        wait_until(lambda: waits_for_a_lock(sealing.pid) or sealing.done.is_set(), "seal() blocked or finished")
        assert not sealing.done.is_set(), "seal() did not wait for the vote in flight"
    finally:
        pause.release()
    assert in_flight.join().error is None and sealing.join().error is None
    document = ballots.document(sealing.result)
    assert len(document["entries"]) == document["roll_count"] == 1
    assert ballot_log.verify(json.loads(json.dumps(document)))[0] == []


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_vote_that_waited_for_seal_is_refused(city, make_topic, resident, monkeypatch):
    topic = make_topic(city["a1"])
    option = topic.options.first().pk
    early, late_voter = resident(city["a1"]), resident(city["a1"])
    cast_before = ballots.cast_vote(topic, early, option)
    pause = Paused(monkeypatch, ballots, "header")  # inside seal(), the topic locked FOR UPDATE
    sealing = Background(lambda: ballots.seal(topic, now=topic.voting_ends))
    assert pause.entered.wait(WAIT)
    late = Background(lambda: ballots.cast_vote(topic, late_voter, option))  # the clock still says open
    try:
        wait_until(lambda: waits_for_a_lock(late.pid) or late.done.is_set(), "the late vote blocked or finished")
        assert not late.done.is_set(), "a vote went ahead while seal() held the topic"
    finally:
        pause.release()
    assert sealing.join().error is None and cast_before
    assert isinstance(late.join().error, ballots.VoteRefused) and "not open" in str(late.error)
    assert Ballot.objects.filter(topic=topic).count() == VoterRoll.objects.filter(topic=topic).count() == 1
    assert len(ballots.document(Topic.objects.get(pk=topic.pk))["entries"]) == 1
