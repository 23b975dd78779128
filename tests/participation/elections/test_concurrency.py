"""Simultaneous ballots through the real HTTP endpoint on PostgreSQL (each thread its own connection),
with the deliberation tests' helper: the same core, the same guarantee."""

import pytest

from participation.deliberations import ballots
from participation.elections.models import Ballot, BallotCommitment, VoterRoll
from tests.participation.deliberations.test_concurrency import N, post_all_at_once

from .conftest import publish_list


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_fifty_simultaneous_ballots_by_one_voter_store_one(city, make_election, resident, stand):
    community = city["a1"]
    voter, chair = resident(community, born="1970-01-01"), resident(community, born="1970-01-01")
    election = make_election(community, phase="voting")
    candidate = stand(election, "主任", chair)
    publish_list(election)
    url = f"/elections/{election.pk}/vote/"
    field = f"post_{candidate.post_id}"
    requests = [(voter, url, {"nonce": ballots.issue_nonce(election, voter), field: candidate.key}) for _ in range(N)]
    statuses = post_all_at_once(requests)
    assert sorted(statuses) == [303] + [409] * (N - 1)  # one 303 to the receipt page
    assert Ballot.objects.filter(election=election).count() == 1
    assert VoterRoll.objects.filter(election=election).count() == 1
    assert BallotCommitment.objects.filter(election=election).count() == 1
    assert ballots.commitment_problems(election) == []
