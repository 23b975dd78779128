"""Casting, the voter roll kept apart from the ballots, sealing, the published log and its verification."""

import json
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command

from participation.deliberations import ballot_log, ballots
from participation.deliberations.ballots import VoteRefused, cast_vote
from participation.deliberations.models import Ballot, LogEntry, Topic, VoterRoll

from .conftest import close_voting, tampering


def first_option(topic, n=0):
    return topic.options.all()[n].pk


def test_vote_stores_roll_and_ballot_apart(city, make_topic, resident):
    topic = make_topic(city["a1"], secret=True)
    voter = resident(city["a1"])
    receipt = cast_vote(topic, voter, first_option(topic))
    roll = VoterRoll.objects.get(topic=topic)
    ballot = Ballot.objects.get(topic=topic)
    assert roll.voter_key == f"user:{voter.pk}" and roll.channel == "online"
    assert ballot.receipt_hash == ballot_log.receipt_hash(receipt) and receipt not in ballot.receipt_hash
    assert ballot.voter_name == "" and not LogEntry.objects.exists()  # no name, no place in the chain yet
    assert not {f.name for f in Ballot._meta.get_fields()} & {"voter_key", "user", "voted_at", "created_at", "channel"}


def test_open_ballot_carries_the_voters_name(city, make_topic, resident):
    topic = make_topic(city["a1"], secret=False)
    cast_vote(topic, resident(city["a1"], display_name="王芳"), first_option(topic))
    assert Ballot.objects.get(topic=topic).voter_name == "王芳"


def test_second_vote_refused(city, make_topic, resident):
    topic, voter = make_topic(city["a1"]), resident(city["a1"])
    cast_vote(topic, voter, first_option(topic))
    with pytest.raises(VoteRefused, match="already been recorded"):
        cast_vote(topic, voter, first_option(topic, 1))
    assert Ballot.objects.filter(topic=topic).count() == 1


@pytest.mark.parametrize("phase", ["proposal", "discussion", "decided"])
def test_vote_outside_voting_phase_refused(city, make_topic, make_user, phase):
    topic = make_topic(city["a1"], phase=phase)
    with pytest.raises(VoteRefused, match="not open"):
        cast_vote(topic, make_user(), first_option(topic))
    assert not VoterRoll.objects.exists()


def test_vote_on_a_sealed_topic_refused_even_while_the_clock_says_open(city, make_topic, resident):
    """A server whose clock is behind the one that sealed must not add a ballot after the log is closed."""
    topic = make_topic(city["a1"])
    cast_vote(topic, resident(city["a1"]), first_option(topic))
    sealed = ballots.seal(topic, now=topic.voting_ends)
    assert sealed.sealed_at and topic.is_voting_open()
    with pytest.raises(VoteRefused, match="not open"):
        cast_vote(topic, resident(city["a1"]), first_option(topic))
    assert Ballot.objects.filter(topic=topic).count() == VoterRoll.objects.filter(topic=topic).count() == 1


def test_unknown_option_refused(city, make_topic, make_user):
    topic, other = make_topic(city["a1"]), make_topic(city["a1"])
    for bad in (first_option(other), "999999", "99999999999999999999999", "abc", "", None):
        with pytest.raises(VoteRefused, match="Choose one of the options"):
            cast_vote(topic, make_user(), bad)


def test_inactive_account_refused(city, make_topic, resident):
    topic = make_topic(city["a1"])
    with pytest.raises(VoteRefused, match="active account"):
        cast_vote(topic, resident(city["a1"], is_active=False), first_option(topic))


def test_legacy_topic_keeps_its_register(city, make_topic, make_user, register):
    """Topics opened before memberships keep the hand-filled register: the same voters, keys and weights."""
    topic = make_topic(city["a1"], electorate=Topic.Electorate.HOUSEHOLD, legacy_register=True)
    husband, wife, outsider = make_user(), make_user(), make_user()
    register(topic, husband, "3-2-101", "88.5")
    register(topic, wife, "3-2-101", "88.5")
    cast_vote(topic, husband, first_option(topic))
    with pytest.raises(VoteRefused, match="household"):
        cast_vote(topic, wife, first_option(topic, 1))
    with pytest.raises(VoteRefused, match="voter register"):
        cast_vote(topic, outsider, first_option(topic))
    assert VoterRoll.objects.get(topic=topic).voter_key == "household:3-2-101"
    assert Ballot.objects.get(topic=topic).weight == Decimal("88.50")


def test_legacy_min_age_requires_the_register(city, make_topic, make_user, register):
    topic = make_topic(city["a1"], min_age=18, legacy_register=True)
    adult, unknown = make_user(), make_user()
    register(topic, adult)
    cast_vote(topic, adult, first_option(topic))
    with pytest.raises(VoteRefused, match="voter register"):
        cast_vote(topic, unknown, first_option(topic))


def test_replayed_nonce_refused(city, make_topic, make_user, resident):
    topic, voter = make_topic(city["a1"]), resident(city["a1"])
    nonce = ballots.issue_nonce(topic, voter)
    with pytest.raises(VoteRefused, match="already used"):  # a nonce is bound to the account it was issued to
        cast_vote(topic, make_user(), first_option(topic), nonce=nonce)
    with pytest.raises(VoteRefused, match="Choose one"):  # a refused vote does not spend the nonce
        cast_vote(topic, voter, "999999", nonce=nonce)
    cast_vote(topic, voter, first_option(topic), nonce=nonce)
    with pytest.raises(VoteRefused, match="already used"):
        cast_vote(topic, voter, first_option(topic), nonce=nonce)


def test_paper_ballot_blocks_online_vote(city, make_topic, make_user, resident):
    topic, voter, worker = make_topic(city["a1"]), resident(city["a1"]), make_user(is_staff=True)
    cast_vote(topic, voter, first_option(topic), channel=VoterRoll.Channel.PAPER, recorded_by=worker)
    with pytest.raises(VoteRefused, match="already been recorded"):
        cast_vote(topic, voter, first_option(topic))
    roll = VoterRoll.objects.get(topic=topic)
    assert (roll.channel, roll.recorded_by) == ("paper", worker)


def voted_topic(community, make_topic, resident, yes=3, no=1, **fields):
    """A homeowners' topic: yes + no homes of 50 m² voted, one more home did not."""
    topic = make_topic(community, electorate=Topic.Electorate.HOMEOWNERS, **fields)
    receipts = []
    for i in range(yes + no):
        user = resident(community, area="50", homeowner=True)
        receipts.append(cast_vote(topic, user, first_option(topic, 0 if i < yes else 1)))
    resident(community, area="50", homeowner=True)  # eligible, did not vote
    return close_voting(topic), receipts


def test_seal_orders_by_receipt_hash_and_chains(city, make_topic, resident):
    topic, receipts = voted_topic(city["a1"], make_topic, resident)
    topic = ballots.seal(topic)
    chain = list(topic.log_entries.select_related("ballot").order_by("seq"))
    assert [e.seq for e in chain] == [1, 2, 3, 4]
    assert [e.ballot.receipt_hash for e in chain] == sorted(ballot_log.receipt_hash(r) for r in receipts)
    assert topic.log_head == chain[-1].chain_hash
    assert (topic.sealed_eligible_headcount, topic.sealed_eligible_area) == (5, Decimal("250.00"))
    assert topic.sealed_result["passed"] and topic.sealed_result["counts"][str(first_option(topic))]["votes"] == "3"
    assert ballots.seal(topic).log_head == topic.log_head  # idempotent


def test_seal_before_close_does_nothing(city, make_topic, resident):
    topic = make_topic(city["a1"])
    cast_vote(topic, resident(city["a1"]), first_option(topic))
    assert ballots.seal(topic).sealed_at is None


def test_published_document_verifies_and_receipt_is_findable(city, make_topic, resident):
    topic, receipts = voted_topic(city["a1"], make_topic, resident)
    topic = ballots.seal(topic)
    document = json.loads(json.dumps(ballots.document(topic)))  # as downloaded
    problems, recount = ballot_log.verify(document)
    assert problems == [] and recount == topic.sealed_result
    mine = ballot_log.receipt_hash(receipts[0].lower())  # case and spaces do not matter
    assert [e["option"] for e in document["entries"] if e["receipt_hash"] == mine] == [str(first_option(topic))]


@pytest.fixture
def sealed_document(city, make_topic, resident):
    topic, _ = voted_topic(city["a1"], make_topic, resident, yes=3, no=2)
    return json.loads(json.dumps(ballots.document(ballots.seal(topic))))


def test_changed_entry_detected(sealed_document):
    entry = sealed_document["entries"][1]
    other = next(o["key"] for o in sealed_document["header"]["options"] if o["key"] != entry["option"])
    entry["option"] = other
    problems, _ = ballot_log.verify(sealed_document)
    assert any("does not match its hash" in p for p in problems)


def test_removed_entry_detected(sealed_document):
    del sealed_document["entries"][2]
    problems, _ = ballot_log.verify(sealed_document)
    assert any("out of place" in p for p in problems) and any("voter roll" in p for p in problems)


def test_removed_last_entry_detected(sealed_document):
    sealed_document["entries"].pop()
    problems, _ = ballot_log.verify(sealed_document)
    assert any("published head" in p for p in problems)


def test_reordered_entries_detected(sealed_document):
    entries = sealed_document["entries"]
    entries[0], entries[1] = entries[1], entries[0]
    problems, _ = ballot_log.verify(sealed_document)
    assert any("does not follow" in p for p in problems)


def test_forged_result_detected(sealed_document):
    sealed_document["result"]["passed"] = not sealed_document["result"]["passed"]
    problems, _ = ballot_log.verify(sealed_document)
    assert problems == ["The recount differs from the published result."]


def test_changed_eligible_totals_detected(sealed_document):
    sealed_document["header"]["eligible_headcount"] = "500"
    problems, _ = ballot_log.verify(sealed_document)
    assert any("genesis" in p for p in problems)


def test_malformed_document_is_a_problem_not_a_crash():
    problems, recount = ballot_log.verify({"header": {}, "entries": "x"})
    assert problems and recount is None


def test_verify_command_ok_and_tampered_database(city, make_topic, resident, capsys):
    topic, _ = voted_topic(city["a1"], make_topic, resident)
    call_command("verify_ballots", str(topic.pk))  # seals on the way: voting has ended
    assert "OK: 4 ballots" in capsys.readouterr().out
    ballot = LogEntry.objects.get(topic=topic, seq=2).ballot
    with tampering():  # as someone with the rights to lift the append-only triggers
        Ballot.objects.filter(pk=ballot.pk).update(
            option_id=first_option(topic, 1 if ballot.option_id == first_option(topic) else 0)
        )
    with pytest.raises(CommandError, match="NOT intact"):
        call_command("verify_ballots", str(topic.pk))


def test_verify_command_on_a_downloaded_file(tmp_path, sealed_document, capsys):
    path = tmp_path / "log.json"
    path.write_text(json.dumps(sealed_document), encoding="utf-8")
    call_command("verify_ballots", file=str(path))
    assert "chain intact" in capsys.readouterr().out
    sealed_document["entries"].reverse()
    path.write_text(json.dumps(sealed_document), encoding="utf-8")
    with pytest.raises(CommandError):
        call_command("verify_ballots", file=str(path))


def test_verify_command_bad_input(city, make_topic):
    with pytest.raises(CommandError, match="No topic"):
        call_command("verify_ballots", "424242")
    with pytest.raises(CommandError, match="not started"):
        call_command("verify_ballots", str(make_topic(city["a1"], phase="discussion").pk))
    with pytest.raises(CommandError, match="Cannot read"):
        call_command("verify_ballots", file="/nonexistent/log.json")


def test_live_tally_equals_sealed_recount(city, make_topic, resident):
    topic = make_topic(city["a1"], majority=Topic.Majority.TWO_THIRDS, quorum_percent=50, secret=False)
    users = [resident(city["a1"]) for _ in range(6)]
    for i, user in enumerate(users[:3]):
        cast_vote(topic, user, first_option(topic, 0 if i < 2 else 1))
    live = ballots.live_result(topic)
    sealed = ballots.seal(close_voting(topic))
    assert live == sealed.sealed_result
    assert [c["met"] for c in live["checks"]] == [True, True]  # 3 of 6 is exactly the quorum; 2 of 3 exactly 2/3
