"""The running commitment is incremental (issue 20): a vote extends the previous commitment's multiset
state by its own ballot instead of rereading every ballot, commitments written before (without a state)
are carried on by the first vote after them, and logs sealed before still verify."""

import hashlib
import json
import secrets

from django.db import connection
from django.test.utils import CaptureQueriesContext

from participation.deliberations import ballot_log, ballots
from participation.deliberations.ballots import cast_vote

from .conftest import close_voting


def option(topic, n=0):
    return topic.options.all()[n].pk


def test_the_multiset_state_ignores_order_and_tells_sets_apart():
    hashes = [hashlib.sha256(str(i).encode()).hexdigest() for i in range(6)]
    state = ballot_log.multiset_add(ballot_log.EMPTY_STATE, hashes)
    assert state == ballot_log.multiset_add(ballot_log.EMPTY_STATE, reversed(hashes))
    assert state == ballot_log.multiset_add(ballot_log.multiset_add(ballot_log.EMPTY_STATE, hashes[:2]), hashes[2:])
    assert state != ballot_log.multiset_add(ballot_log.EMPTY_STATE, hashes[:5])
    assert state != ballot_log.multiset_add(ballot_log.EMPTY_STATE, [*hashes[:5], hashes[0]])  # a multiset
    published = {"count": 6, "salt": "s", "scheme": ballot_log.MULTISET}
    assert ballot_log.commitment_of(published, hashes) == ballot_log.multiset_commitment("s", 6, state)
    assert ballot_log.commitment_of({**published, "salt": "t"}, hashes) != ballot_log.multiset_commitment("s", 6, state)


def test_a_vote_after_the_first_reads_no_ballot(city, make_topic, resident):
    """What a vote costs no longer grows with the ballots already cast: the first vote asks whether
    any ballot is there (none), the next ones read only the last commitment."""
    topic = make_topic(city["a1"])
    voters = [resident(city["a1"]) for _ in range(4)]
    with CaptureQueriesContext(connection) as first:
        cast_vote(topic, voters[0], option(topic))
    for voter in voters[1:3]:
        cast_vote(topic, voter, option(topic, 1))
    with CaptureQueriesContext(connection) as later:
        cast_vote(topic, voters[3], option(topic))
    reads = [q["sql"] for q in later.captured_queries if q["sql"].startswith("SELECT")]
    assert not [sql for sql in reads if 'FROM "deliberations_ballot"' in sql], reads
    assert any("EXISTS" in q["sql"] or "LIMIT 1" in q["sql"] for q in first.captured_queries)
    last = topic.commitments.order_by("-pk").first()
    assert last.count == 4
    assert last.state == ballot_log.multiset_add(ballot_log.EMPTY_STATE, ballots._ballot_hashes(topic.pk).values())
    assert ballots.commitment_problems(topic) == []


def _legacy_commit(owner, ballot):
    """What a vote wrote before the commitment was incremental: the sorted form, no state."""
    box = ballots.box_for(owner)
    previous = owner.commitments.order_by("-pk").first()
    hashes = box.hashes(owner.pk)
    own = hashes.pop(ballot.pk)
    salt = secrets.token_hex(16)
    return box.commitment_model.objects.create(
        **box.of(owner),
        found=len(hashes),
        prior_digest=ballot_log.commitment(previous.salt if previous else "", hashes.values()),
        count=len(hashes) + 1,
        salt=salt,
        digest=ballot_log.commitment(salt, [*hashes.values(), own]),
    )


def test_votes_carry_on_from_commitments_written_before(city, make_topic, resident, monkeypatch):
    topic = make_topic(city["a1"])
    with monkeypatch.context() as patched:
        patched.setattr(ballots, "commit", _legacy_commit)
        for i in range(2):
            cast_vote(topic, resident(city["a1"]), option(topic, i % 2))
    assert ballots.commitment_problems(topic) == []
    for _ in range(3):  # the first reads the two ballots against the old commitment, the next extend
        cast_vote(topic, resident(city["a1"]), option(topic))
    rows = list(topic.commitments.order_by("pk"))
    assert [(r.found, r.count, bool(r.state)) for r in rows] == [
        (0, 1, False),
        (1, 2, False),
        (2, 3, True),
        (3, 4, True),
        (4, 5, True),
    ]
    assert [r.prior_digest for r in rows[1:]] == [r.digest for r in rows[:-1]]
    assert ballots.commitment_problems(topic) == []
    sealed = ballots.seal(close_voting(topic))
    document = json.loads(json.dumps(ballots.document(sealed)))
    assert document["commitment"]["scheme"] == ballot_log.MULTISET
    assert ballot_log.verify(document)[0] == [] and ballots.commitment_problems(sealed) == []


def test_a_log_sealed_with_the_sorted_commitment_still_verifies(city, make_topic, resident, monkeypatch):
    topic = make_topic(city["a1"])
    monkeypatch.setattr(ballots, "commit", _legacy_commit)
    for i in range(3):
        cast_vote(topic, resident(city["a1"]), option(topic, i % 2))
    sealed = ballots.seal(close_voting(topic))
    document = json.loads(json.dumps(ballots.document(sealed)))
    assert "scheme" not in document["commitment"]
    assert ballot_log.verify(document)[0] == [] and ballots.commitment_problems(sealed) == []
    document["entries"][0]["receipt_hash"] = "0" * 64  # a changed ballot (its chain hash aside)
    assert any("committed to" in p for p in ballot_log.verify(document)[0])
