"""Ballots are append-only in the database, and the running commitment reports every change, deletion or
insertion made outside the vote path between the first vote and the seal: by verify_ballots and on the
public verify page, while voting is open and after the seal."""

import hashlib
import json
import secrets
import uuid
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction
from django.test import Client

from participation.deliberations import ballot_log, ballots
from participation.deliberations.ballots import cast_vote
from participation.deliberations.models import Ballot, BallotCommitment, LogEntry, VoterRoll

from .conftest import close_voting, tampering


def option(topic, n=0):
    return topic.options.all()[n].pk


def sealed_topic(community, make_topic, resident, votes=3):
    topic = make_topic(community)
    for i in range(votes):
        cast_vote(topic, resident(community), option(topic, i % 2))
    return ballots.seal(close_voting(topic))


# Append-only --------------------------------------------------------------------------------------


APPEND_ONLY = {
    "ballot": lambda topic: Ballot.objects.filter(topic=topic),
    "log entry": lambda topic: LogEntry.objects.filter(topic=topic),
    "commitment": lambda topic: BallotCommitment.objects.filter(topic=topic),
}
ATTEMPTS = {
    "orm update": lambda rows: rows.update(topic_id=rows.first().topic_id),  # changes nothing: refused anyway
    "orm delete": lambda rows: rows._raw_delete(rows.db),  # past Django's own PROTECT, as a script would
    "sql update": lambda rows: _sql(f"UPDATE {rows.model._meta.db_table} SET topic_id = topic_id"),
    "sql delete": lambda rows: _sql(f"DELETE FROM {rows.model._meta.db_table}"),
}


def _sql(statement, params=()):
    with connection.cursor() as cursor:
        cursor.execute(statement, params)


@pytest.mark.parametrize("attempt", ATTEMPTS)
@pytest.mark.parametrize("table", APPEND_ONLY)
def test_every_ballot_table_refuses_update_and_delete(city, make_topic, resident, table, attempt):
    topic = sealed_topic(city["a1"], make_topic, resident)
    rows = APPEND_ONLY[table](topic)
    before = rows.count()
    assert before == 3
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        ATTEMPTS[attempt](rows)
    assert rows.count() == before
    call_command("verify_ballots", str(topic.pk))  # still intact


def test_deleting_an_open_votes_ballots_through_the_orm_is_refused(city, make_topic, resident):
    topic = make_topic(city["a1"])
    cast_vote(topic, resident(city["a1"]), option(topic))
    for model in (Ballot, BallotCommitment):
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
            model.objects.filter(topic=topic).delete()
    assert ballots.commitment_problems(topic) == []


def test_the_vote_path_and_the_seal_only_insert(city, make_topic, resident, capsys):
    """Five votes, the seal, the published document: all inserts, every check passes."""
    topic = make_topic(city["a1"])
    for i in range(5):
        cast_vote(topic, resident(city["a1"]), option(topic, i % 2))
        assert ballots.commitment_problems(topic) == []
    commitments = list(topic.commitments.order_by("pk"))
    assert [(c.found, c.count) for c in commitments] == [(n, n + 1) for n in range(5)]
    assert [c.prior_digest for c in commitments[1:]] == [c.digest for c in commitments[:-1]]
    assert len({c.salt for c in commitments}) == 5
    sealed = ballots.seal(close_voting(topic))
    document = json.loads(json.dumps(ballots.document(sealed)))
    last = commitments[-1]
    assert document["commitment"] == {"count": 5, "digest": last.digest, "salt": last.salt, "scheme": "multiset/1"}
    assert ballot_log.verify(document)[0] == [] and ballots.commitment_problems(sealed) == []
    call_command("verify_ballots", str(topic.pk))
    assert "OK: 5 ballots" in capsys.readouterr().out


def test_the_commitment_reveals_no_order_or_time(city, make_topic, resident):
    """Sorted hashes: the same ballots give the same digest in any order; nothing in a commitment dates
    or points at a ballot, and only the count and the digest are shown while voting is open."""
    hashes = [hashlib.sha256(str(i).encode()).hexdigest() for i in range(6)]
    assert ballot_log.commitment("s", hashes) == ballot_log.commitment("s", reversed(hashes))
    assert ballot_log.commitment("s", hashes) != ballot_log.commitment("t", hashes)
    fields = {f.name for f in BallotCommitment._meta.get_fields()}
    assert fields == {"id", "topic", "origin", "found", "prior_digest", "count", "salt", "digest", "state"}
    topic = make_topic(city["a1"])
    cast_vote(topic, resident(city["a1"]), option(topic))
    assert set(ballots.running_commitment(topic)) == {"count", "digest"}


def test_simultaneous_votes_each_commit_once_in_turn_on_sqlite_too(city, make_topic, resident):
    """The commitments of votes cast one after another chain without a gap (PostgreSQL's concurrent
    version is in test_concurrency.py)."""
    topic = make_topic(city["a1"], secret=False)
    for _ in range(4):
        cast_vote(topic, resident(city["a1"]), option(topic))
    assert [c.count for c in topic.commitments.order_by("pk")] == [1, 2, 3, 4]


# Tampering during the open vote -------------------------------------------------------------------


def _db(value):
    return Ballot._meta.pk.get_db_prep_value(value, connection)


def change(topic):
    """Turn one ballot into a vote for the other option."""
    ballot = topic.ballots.order_by("receipt_hash").first()
    other = option(topic, 1) if ballot.option_id == option(topic) else option(topic)
    with tampering():
        _sql("UPDATE deliberations_ballot SET option_id = %s WHERE id = %s", [other, _db(ballot.pk)])


def delete(topic):
    """Remove one ballot, and one roll entry so that the counts still agree."""
    ballot = topic.ballots.order_by("receipt_hash").first()
    with tampering():
        _sql("DELETE FROM deliberations_ballot WHERE id = %s", [_db(ballot.pk)])
        _sql("DELETE FROM deliberations_voterroll WHERE id = %s", [_db(topic.roll.first().pk)])


def insert(topic):
    """Add a ballot that no vote cast, and a roll entry so that the counts still agree (no trigger needed)."""
    receipt_hash = ballot_log.receipt_hash(secrets.token_hex(10))
    _sql(
        "INSERT INTO deliberations_ballot (id, topic_id, option_id, weight, receipt_hash, voter_name) "
        "VALUES (%s, %s, %s, %s, %s, '')",
        [_db(uuid.uuid4()), topic.pk, option(topic), Decimal(0), receipt_hash],
    )
    VoterRoll.objects.create(topic=topic, voter_key="user:999999", channel=VoterRoll.Channel.ONLINE)


TAMPER = {"changed": change, "deleted": delete, "inserted": insert}
REPORTED = {
    "changed": "A ballot was changed outside the vote path",
    "deleted": "1 ballot(s) deleted outside the vote path",
    "inserted": "1 ballot(s) inserted outside the vote path",
}


def verify_page(topic) -> tuple[int, str]:
    response = Client(HTTP_HOST="a1.localhost", HTTP_ACCEPT_LANGUAGE="en").get(f"/deliberations/{topic.pk}/verify/")
    return response.status_code, response.content.decode()


def assert_reported(topic, message, capsys):
    with pytest.raises(CommandError, match="NOT intact"):
        call_command("verify_ballots", str(topic.pk))
    assert message in capsys.readouterr().err
    status, page = verify_page(topic)
    assert status == 200 and "NOT intact" in page and message in page


@pytest.mark.parametrize("then_vote", [False, True], ids=["after the last vote", "followed by more votes"])
@pytest.mark.parametrize("kind", TAMPER)
def test_tampering_during_the_open_vote_is_reported(city, make_topic, resident, capsys, kind, then_vote):
    topic = make_topic(city["a1"])
    for i in range(3):
        cast_vote(topic, resident(city["a1"]), option(topic, i % 2))
    call_command("verify_ballots", str(topic.pk))
    assert "OK so far" in capsys.readouterr().out
    status, page = verify_page(topic)  # the running commitment, published while the vote is open
    assert status == 200 and "NOT intact" not in page and ballots.running_commitment(topic)["digest"] in page

    TAMPER[kind](topic)
    last = 3
    if then_vote:  # the attacker hopes the next commitments cover the change: they extend the old state
        for _ in range(2):
            cast_vote(topic, resident(city["a1"]), option(topic))
        last = 5
    # Vote 1 read the ballots (none); the votes after it extend the commitment without rereading them.
    when = (
        "after vote 1 (the votes after it extend the commitment without rereading the ballots; "
        f"the last vote is vote {last})"
    )
    message = f"{REPORTED[kind]} {when}."
    assert message in ballots.commitment_problems(topic)
    assert_reported(topic, message, capsys)  # while voting is open

    sealed = ballots.seal(close_voting(topic))
    assert sealed.sealed_at
    assert_reported(topic, message, capsys)  # and after the seal
    problems, _ = ballot_log.verify(json.loads(json.dumps(ballots.document(sealed))))
    # The published log alone shows it too: it is not what was committed to (since the commitment is
    # incremental, also when votes followed the change: they extended the state of the real ballots).
    assert any("commit" in p for p in problems)


def test_tampering_before_the_first_vote_is_reported(city, make_topic, resident, capsys):
    topic = make_topic(city["a1"])
    insert(topic)
    assert ballots.commitment_problems(topic) == ["1 ballot(s) inserted outside the vote path before any vote."]
    cast_vote(topic, resident(city["a1"]), option(topic))
    assert "1 ballot(s) inserted outside the vote path before vote 1." in ballots.commitment_problems(topic)


def test_a_forged_commitment_is_reported(city, make_topic, resident):
    """Someone who writes a commitment of their own (an insert, which the triggers allow) is seen."""
    topic = make_topic(city["a1"])
    cast_vote(topic, resident(city["a1"]), option(topic))
    change(topic)
    last = topic.commitments.order_by("-pk").first()
    hashes = ballots._ballot_hashes(topic.pk).values()
    BallotCommitment.objects.create(
        topic=topic, found=1, prior_digest=last.digest, count=1, salt="x", digest=ballot_log.commitment("x", hashes)
    )
    assert ballots.commitment_problems(topic) == ["Commitment 2 was not written by a vote."]


def test_the_published_log_without_its_commitment_is_refused(city, make_topic, resident):
    document = json.loads(json.dumps(ballots.document(sealed_topic(city["a1"], make_topic, resident))))
    document["commitment"] = None
    assert any("no commitment" in p for p in ballot_log.verify(document)[0])
    document["commitment"] = {"count": 2, "digest": "0" * 64, "salt": ""}
    assert any("covered 2" in p for p in ballot_log.verify(document)[0])
