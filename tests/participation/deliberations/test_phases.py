"""The current phase and what comes next, computed from the dates; the dates must be in order."""

from datetime import UTC, datetime, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command

from participation.deliberations.models import Phase, Topic

from .conftest import close_voting

T0 = datetime(2026, 5, 1, 9, 0, tzinfo=UTC)


def topic(**extra):
    days = {"proposal_starts": 0, "discussion_starts": 5, "voting_starts": 10, "voting_ends": 15}
    fields = {name: T0 + timedelta(days=d) for name, d in days.items()}
    fields.update(extra)
    return Topic(title="t", description="d", **fields)


@pytest.mark.parametrize(
    "day, phase, upcoming",
    [
        (-1, Phase.PROPOSAL, Phase.PROPOSAL),  # before anything: shown as proposal, proposal still to start
        (0, Phase.PROPOSAL, Phase.DISCUSSION),
        (5, Phase.DISCUSSION, Phase.VOTING),
        (14.9, Phase.VOTING, Phase.DECIDED),
        (15, Phase.DECIDED, Phase.CARRIED_OUT),
        (20, Phase.CARRIED_OUT, Phase.DONE),
        (30, Phase.DONE, None),
    ],
)
def test_current_and_next_phase(day, phase, upcoming):
    t = topic(implementation_starts=T0 + timedelta(days=20), done_at=T0 + timedelta(days=30))
    now = T0 + timedelta(days=day)
    assert t.current_phase(now) == phase
    following = t.next_phase(now)
    assert (following[0] if following else None) == upcoming
    assert [step["current"] for step in t.timeline(now)].count(True) == 1


def test_voting_is_open_exactly_from_start_until_end():
    t = topic()
    assert not t.is_voting_open(T0 + timedelta(days=10) - timedelta(microseconds=1))
    assert t.is_voting_open(T0 + timedelta(days=10))
    assert not t.is_voting_open(T0 + timedelta(days=15))
    assert t.voting_closed(T0 + timedelta(days=15))


def test_phases_without_implementation_dates_end_at_decided():
    t = topic()
    assert [s["phase"] for s in t.timeline(T0)] == [Phase.PROPOSAL, Phase.DISCUSSION, Phase.VOTING, Phase.DECIDED]
    assert t.next_phase(T0 + timedelta(days=16)) is None


def test_dates_out_of_order_are_refused():
    with pytest.raises(ValidationError):
        topic(discussion_starts=T0 + timedelta(days=12)).clean()
    with pytest.raises(ValidationError):
        topic(voting_ends=T0 + timedelta(days=10)).clean()


def test_secret_ballot_hides_live_results_whatever_the_flag():
    assert topic(secret=True, hide_results_until_close=False).results_hidden_while_open
    assert not topic(secret=False, hide_results_until_close=False).results_hidden_while_open
    assert topic(secret=False, hide_results_until_close=True).results_hidden_while_open
    assert topic(secret=True).results_visible(T0 + timedelta(days=15))


def test_seal_ballots_command_seals_only_what_has_closed(city, make_topic, capsys):
    closed, still_open = close_voting(make_topic(city["a1"])), make_topic(city["a1"])
    call_command("seal_ballots")
    closed.refresh_from_db()
    still_open.refresh_from_db()
    assert closed.sealed_at and closed.log_head and not still_open.sealed_at
    assert f"sealed topic {closed.pk}" in capsys.readouterr().out
